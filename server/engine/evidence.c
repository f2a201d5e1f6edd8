/*
 * Evidence and risk treatment inputs: artefacts (the documented information controls
 * require, section 3 step 6) and the treatment decision of each (asset, threat) pair
 * (section 5), with the change stamps that keep evaluation incremental.
 */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool valid_status(enum engine_artefact_status s)
{
    return s >= ENGINE_ARTEFACT_MISSING && s <= ENGINE_ARTEFACT_OBSOLETE;
}

static void mark_artefact(engine_model *m, const engine_artefact *x)
{
    engine_mark_controls(m, &x->controls, ENGINE_DIRTY_V);
}

int engine_artefact_put(engine_model *m, const engine_artefact_input *in, engine_error *err)
{
    int rc = engine_check_id(in->id, err);
    if (rc)
        return rc;
    if (!valid_status(in->status))
        return engine_fail(err, IMS_EINVAL, "status: unknown status");
    engine_ilist controls = {0};
    rc = engine_resolve_controls(m, in->controls, in->control_count, &controls, err);
    if (rc) {
        free(controls.v);
        return rc;
    }
    int32_t a = engine_idmap_find(m, &m->map_artefacts, in->id);
    if (a < 0) {
        if (ENGINE_VEC_RESERVE(m->artefacts, m->artefacts.n + 1)) {
            free(controls.v);
            return engine_fail(err, IMS_ENOMEM, "out of memory");
        }
        a = m->artefacts.n;
        memset(&m->artefacts.v[a], 0, sizeof m->artefacts.v[a]);
        if (engine_register_id(m, &m->map_artefacts, in->id, a, &m->artefacts.v[a].name)) {
            free(controls.v);
            return engine_fail(err, IMS_ENOMEM, "out of memory");
        }
        m->artefacts.n++;
    } else {
        engine_artefact *old = &m->artefacts.v[a];
        mark_artefact(m, old);
        for (int32_t k = 0; k < old->controls.n; k++)
            engine_ilist_remove(&m->controls.v[old->controls.v[k]].artefacts, a);
        engine_list_free(old->controls.v, old->controls.cap);
        old->controls = (engine_ilist){0};
    }
    engine_artefact *x = &m->artefacts.v[a];
    x->controls = controls;
    x->status = in->status;
    x->has_due = in->has_review_due;
    x->due = in->has_review_due ? in->review_due : 0;
    for (int32_t k = 0; k < controls.n; k++)
        if (engine_ilist_push(&m->controls.v[controls.v[k]].artefacts, a))
            return engine_fail(err, IMS_ENOMEM, "out of memory");
    mark_artefact(m, x);
    return 0;
}

static int32_t find_artefact(const engine_model *m, const char *id, engine_error *err)
{
    int32_t a = id ? engine_idmap_find(m, &m->map_artefacts, id) : -1;
    if (a < 0)
        engine_fail(err, IMS_ENOTFOUND, "id: unknown artefact \"%s\"", id ? id : "");
    return a;
}

int engine_artefact_set_status(engine_model *m, const char *id, enum engine_artefact_status status,
                               engine_error *err)
{
    if (!valid_status(status))
        return engine_fail(err, IMS_EINVAL, "status: unknown status");
    int32_t a = find_artefact(m, id, err);
    if (a < 0)
        return IMS_ENOTFOUND;
    m->artefacts.v[a].status = status;
    mark_artefact(m, &m->artefacts.v[a]);
    return 0;
}

int engine_artefact_set_review_due(engine_model *m, const char *id, bool has_due, int64_t due,
                                   engine_error *err)
{
    int32_t a = find_artefact(m, id, err);
    if (a < 0)
        return IMS_ENOTFOUND;
    m->artefacts.v[a].has_due = has_due;
    m->artefacts.v[a].due = has_due ? due : 0;
    mark_artefact(m, &m->artefacts.v[a]);
    return 0;
}

int engine_treatment_set(engine_model *m, const char *asset, const char *threat,
                         enum engine_treatment decision, double share, engine_error *err)
{
    int32_t a = asset ? engine_idmap_find(m, &m->map_assets, asset) : -1;
    if (a < 0)
        return engine_fail(err, IMS_ENOTFOUND, "asset: unknown asset \"%s\"", asset ? asset : "");
    int32_t t = threat ? engine_idmap_find(m, &m->map_threats, threat) : -1;
    if (t < 0)
        return engine_fail(err, IMS_ENOTFOUND, "threat: unknown threat \"%s\"",
                           threat ? threat : "");
    if (decision < ENGINE_TREAT_NONE || decision > ENGINE_TREAT_AVOID)
        return engine_fail(err, IMS_EINVAL, "decision: unknown decision");
    if (decision == ENGINE_TREAT_TRANSFER && !engine_in_range(share, 0, 1))
        return engine_fail(err, IMS_EINVAL, "share: must be in [0, 1]");
    int32_t name = m->assets.v[a].name;
    engine_treatment_rec *r = (engine_treatment_rec *)engine_treatment_of(m, name, t);
    if (!r) {
        if (decision == ENGINE_TREAT_NONE)
            return 0;
        if (ENGINE_VEC_RESERVE(m->treatments, m->treatments.n + 1) ||
            engine_ilist_push(&m->threats.v[t].treatments, m->treatments.n))
            return engine_fail(err, IMS_ENOMEM, "out of memory");
        r = &m->treatments.v[m->treatments.n++];
        r->asset = name;
        r->threat = t;
    }
    r->decision = decision;
    r->share = decision == ENGINE_TREAT_TRANSFER ? share : 0;
    engine_mark_threat(m, t, ENGINE_DIRTY_IMPACT);
    return 0;
}

/* The asset with name offset `name` is gone: its treatments weigh nothing any more. */
void engine_treatments_drop_asset(engine_model *m, int32_t name)
{
    for (int32_t i = 0; i < m->treatments.n; i++) {
        engine_treatment_rec *r = &m->treatments.v[i];
        if (r->asset == name) {
            r->asset = -1;
            r->decision = ENGINE_TREAT_NONE;
            engine_mark_threat(m, r->threat, ENGINE_DIRTY_IMPACT);
        }
    }
}

/* Rebuilds the derived lists of artefacts and treatments (engine_model_invalidate). */
int engine_evidence_reindex(engine_model *m)
{
    for (int32_t c = 0; c < m->controls.n; c++)
        m->controls.v[c].artefacts.n = 0;
    for (int32_t t = 0; t < m->threats.n; t++)
        m->threats.v[t].treatments.n = 0;
    for (int32_t a = 0; a < m->artefacts.n; a++) {
        const engine_artefact *x = &m->artefacts.v[a];
        for (int32_t k = 0; k < x->controls.n; k++)
            if (engine_ilist_push(&m->controls.v[x->controls.v[k]].artefacts, a))
                return IMS_ENOMEM;
    }
    for (int32_t i = 0; i < m->treatments.n; i++)
        if (engine_ilist_push(&m->threats.v[m->treatments.v[i].threat].treatments, i))
            return IMS_ENOMEM;
    return 0;
}
