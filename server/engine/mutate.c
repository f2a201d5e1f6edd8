/*
 * Changing a model's state: assets, processes and their exercises, incidents,
 * findings, answers and applicability, and rebuilding the derived indexes. Each change
 * stamps the parts of the model it affects (see model.h), so that an evaluated state
 * brought up to date afterwards recomputes only those.
 */
#include "eval.h"
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- assets -------------------------------------------------------------------------- */

static void mark_type_threats(engine_model *m, int32_t type)
{
    const engine_asset_type *at = &m->asset_types.v[type];
    for (int32_t k = 0; k < at->rows.n; k++)
        engine_mark_threat(m, at->rows.v[k].to, ENGINE_DIRTY_IMPACT);
}

int engine_asset_put(engine_model *m, const engine_asset_input *in, engine_error *err)
{
    int rc = engine_check_id(in->id, err);
    if (rc)
        return rc;
    int32_t type = in->type ? engine_idmap_find(m, &m->map_asset_types, in->type) : -1;
    if (type < 0)
        return engine_fail(err, IMS_ENOTFOUND, "type: unknown asset type \"%s\"",
                           in->type ? in->type : "");
    const int v[3] = {in->confidentiality, in->integrity, in->availability};
    static const char *names[3] = {"C", "I", "A"};
    for (int k = 0; k < 3; k++)
        if (v[k] < 0 || v[k] > 5)
            return engine_fail(err, IMS_EINVAL, "%s: must be in 0..5", names[k]);
    int32_t a = engine_idmap_find(m, &m->map_assets, in->id);
    if (a < 0) {
        if (ENGINE_VEC_RESERVE(m->assets, m->assets.n + 1))
            return engine_fail(err, IMS_ENOMEM, "out of memory");
        a = m->assets.n;
        if (engine_register_id(m, &m->map_assets, in->id, a, &m->assets.v[a].name))
            return engine_fail(err, IMS_ENOMEM, "out of memory");
        m->assets.n++;
    } else {
        mark_type_threats(m, m->assets.v[a].type);
    }
    engine_asset *x = &m->assets.v[a];
    x->type = type;
    memcpy(x->v, v, sizeof v);
    mark_type_threats(m, type);
    return 0;
}

int engine_asset_remove(engine_model *m, const char *id, engine_error *err)
{
    int32_t a = id ? engine_idmap_find(m, &m->map_assets, id) : -1;
    if (a < 0)
        return engine_fail(err, IMS_ENOTFOUND, "id: unknown asset \"%s\"", id ? id : "");
    mark_type_threats(m, m->assets.v[a].type);
    engine_treatments_drop_asset(m, m->assets.v[a].name);
    /* Incidents keep no reference to a removed asset (it feeds no figure). */
    for (int32_t j = 0; j < m->incidents.n; j++)
        engine_ilist_remove(&m->incidents.v[j].assets, m->assets.v[a].name);
    memmove(m->assets.v + a, m->assets.v + a + 1,
            (size_t)(m->assets.n - a - 1) * sizeof *m->assets.v);
    m->assets.n--;
    /* The map shrinks only in use; re-inserting into the same slots cannot fail. */
    engine_idmap_clear(&m->map_assets);
    for (int32_t i = 0; i < m->assets.n; i++)
        engine_idmap_insert_slot(m, &m->map_assets, m->assets.v[i].name, i), m->map_assets.n++;
    return 0;
}

/* ---- processes ----------------------------------------------------------------------- */

static int check_exercise(const engine_exercise *e, const char *prefix, size_t i, engine_error *err)
{
    if (!isfinite(e->recovery_min) || e->recovery_min < 0)
        return engine_fail(err, IMS_EINVAL, "%s%zu].recovery_min: must be >= 0", prefix, i);
    return 0;
}

int engine_process_put(engine_model *m, const engine_process_input *in, engine_error *err)
{
    int rc = engine_check_id(in->id, err);
    if (rc)
        return rc;
    if (in->criticality < 1 || in->criticality > 5)
        return engine_fail(err, IMS_EINVAL, "criticality: must be in 1..5");
    if (!engine_in_range(in->mtpd_min, 0, 1e12))
        return engine_fail(err, IMS_EINVAL, "mtpd_min: must be >= 0");
    if (!engine_in_range(in->rto_min, 0, 1e12))
        return engine_fail(err, IMS_EINVAL, "rto_min: must be >= 0");
    if (in->rto_min > in->mtpd_min)
        return engine_fail(err, IMS_EINVAL, "rto_min: must be <= mtpd_min");
    if (!engine_in_range(in->rpo_min, 0, 1e12))
        return engine_fail(err, IMS_EINVAL, "rpo_min: must be >= 0");
    for (size_t i = 0; i < in->exercise_count; i++)
        if ((rc = check_exercise(&in->exercises[i], "exercises[", i, err)))
            return rc;
    engine_exercise *ex = NULL;
    if (in->exercise_count &&
        engine_copy_block(&ex, in->exercises, in->exercise_count, sizeof *in->exercises))
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    int32_t p = engine_idmap_find(m, &m->map_processes, in->id);
    if (p < 0) {
        if (ENGINE_VEC_RESERVE(m->processes, m->processes.n + 1)) {
            free(ex);
            return engine_fail(err, IMS_ENOMEM, "out of memory");
        }
        p = m->processes.n;
        memset(&m->processes.v[p], 0, sizeof m->processes.v[p]);
        if (engine_register_id(m, &m->map_processes, in->id, p, &m->processes.v[p].name)) {
            free(ex);
            return engine_fail(err, IMS_ENOMEM, "out of memory");
        }
        m->processes.n++;
    }
    engine_process *x = &m->processes.v[p];
    free(x->exercises);
    x->exercises = ex;
    x->exercise_n = x->exercise_cap = (int32_t)in->exercise_count;
    x->criticality = in->criticality;
    x->mtpd = in->mtpd_min;
    x->rto = in->rto_min;
    x->rpo = in->rpo_min;
    x->plan_reviewed = in->plan_reviewed;
    x->plan_reviewed_at = in->plan_reviewed_at;
    engine_mark_process(m, p);
    return 0;
}

int engine_process_set_plan_review(engine_model *m, const char *process, int64_t at,
                                   engine_error *err)
{
    int32_t p = process ? engine_idmap_find(m, &m->map_processes, process) : -1;
    if (p < 0)
        return engine_fail(err, IMS_ENOTFOUND, "process: unknown process \"%s\"",
                           process ? process : "");
    m->processes.v[p].plan_reviewed = true;
    m->processes.v[p].plan_reviewed_at = at;
    engine_mark_process(m, p);
    return 0;
}

int engine_process_add_exercise(engine_model *m, const char *process,
                                const engine_exercise *exercise, engine_error *err)
{
    int32_t p = process ? engine_idmap_find(m, &m->map_processes, process) : -1;
    if (p < 0)
        return engine_fail(err, IMS_ENOTFOUND, "process: unknown process \"%s\"",
                           process ? process : "");
    if (!isfinite(exercise->recovery_min) || exercise->recovery_min < 0)
        return engine_fail(err, IMS_EINVAL, "recovery_min: must be >= 0");
    engine_process *x = &m->processes.v[p];
    if (engine_reserve(&x->exercises, &x->exercise_cap, x->exercise_n + 1, sizeof *x->exercises))
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    x->exercises[x->exercise_n++] = *exercise;
    engine_mark_process(m, p);
    return 0;
}

/* ---- incidents ----------------------------------------------------------------------- */

/* Stamps everything that depends on incident j. */
static void mark_incident(engine_model *m, const engine_incident *j)
{
    engine_mark_controls(m, &j->controls, ENGINE_DIRTY_P);
    if (j->threat >= 0) {
        engine_mark_threat(m, j->threat, ENGINE_DIRTY_LAMBDA);
        const engine_threat *t = &m->threats.v[j->threat];
        for (int32_t k = 0; k < t->mitig.n; k++)
            engine_mark_control(m, t->mitig.v[k].to, ENGINE_DIRTY_P);
    }
    for (int32_t k = 0; k < j->processes.n; k++)
        engine_mark_process(m, j->processes.v[k]);
}

/* Adds (add = true) or removes incident idx from the derived indexes. */
static int index_incident(engine_model *m, int32_t idx, bool add)
{
    const engine_incident *j = &m->incidents.v[idx];
    for (int32_t k = 0; k < j->controls.n; k++) {
        engine_ilist *l = &m->controls.v[j->controls.v[k]].incidents;
        if (add) {
            if (engine_ilist_push(l, idx))
                return IMS_ENOMEM;
        } else {
            engine_ilist_remove(l, idx);
        }
    }
    if (j->threat >= 0) {
        engine_ilist *l = &m->threats.v[j->threat].incidents;
        if (add) {
            if (engine_ilist_push(l, idx))
                return IMS_ENOMEM;
        } else {
            engine_ilist_remove(l, idx);
        }
    }
    for (int32_t k = 0; k < j->processes.n; k++) {
        engine_ilist *l = &m->processes.v[j->processes.v[k]].incidents;
        if (add) {
            if (engine_ilist_push(l, idx))
                return IMS_ENOMEM;
        } else {
            engine_ilist_remove(l, idx);
        }
    }
    return 0;
}


int engine_incident_put(engine_model *m, const engine_incident_input *in, engine_error *err)
{
    int rc = engine_check_id(in->id, err);
    if (rc)
        return rc;
    if (in->severity < 1 || in->severity > 5)
        return engine_fail(err, IMS_EINVAL, "severity: must be in 1..5");
    if (in->resolved && in->resolved_at < in->opened_at)
        return engine_fail(err, IMS_EINVAL, "resolved_at: must not be before opened_at");
    if (!engine_in_range(in->disruption_minutes, 0, 1e12))
        return engine_fail(err, IMS_EINVAL, "disruption_minutes: must be >= 0");
    engine_incident j = {0};
    j.threat = -1;
    if (in->threat) {
        j.threat = engine_idmap_find(m, &m->map_threats, in->threat);
        if (j.threat < 0)
            return engine_fail(err, IMS_ENOTFOUND, "threat: unknown threat \"%s\"", in->threat);
    }
    rc = engine_resolve_controls(m, in->controls, in->control_count, &j.controls, err);
    for (size_t i = 0; rc == 0 && i < in->asset_count; i++) {
        int32_t a = in->assets[i] ? engine_idmap_find(m, &m->map_assets, in->assets[i]) : -1;
        if (a < 0)
            rc = engine_fail(err, IMS_ENOTFOUND, "assets[%zu]: unknown asset \"%s\"", i,
                             in->assets[i] ? in->assets[i] : "");
        else if (engine_ilist_contains(&j.assets, m->assets.v[a].name))
            rc = engine_fail(err, IMS_EINVAL, "assets[%zu]: duplicate asset \"%s\"", i,
                             in->assets[i]);
        else if (engine_ilist_push(&j.assets, m->assets.v[a].name))
            rc = engine_fail(err, IMS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < in->process_count; i++) {
        int32_t p =
            in->processes[i] ? engine_idmap_find(m, &m->map_processes, in->processes[i]) : -1;
        if (p < 0)
            rc = engine_fail(err, IMS_ENOTFOUND, "processes[%zu]: unknown process \"%s\"", i,
                             in->processes[i] ? in->processes[i] : "");
        else if (engine_ilist_contains(&j.processes, p))
            rc = engine_fail(err, IMS_EINVAL, "processes[%zu]: duplicate process \"%s\"", i,
                             in->processes[i]);
        else if (engine_ilist_push(&j.processes, p))
            rc = engine_fail(err, IMS_ENOMEM, "out of memory");
    }
    j.severity = in->severity;
    j.opened_at = in->opened_at;
    j.resolved = in->resolved;
    j.resolved_at = in->resolved ? in->resolved_at : 0;
    j.disruption = in->disruption_minutes;
    int32_t idx = engine_idmap_find(m, &m->map_incidents, in->id);
    if (rc == 0 && idx < 0) {
        if (ENGINE_VEC_RESERVE(m->incidents, m->incidents.n + 1) ||
            engine_register_id(m, &m->map_incidents, in->id, m->incidents.n, &j.name))
            rc = engine_fail(err, IMS_ENOMEM, "out of memory");
    }
    if (rc) {
        engine_incident_lists_free(&j);
        return rc;
    }
    if (idx >= 0) {
        engine_incident *old = &m->incidents.v[idx];
        mark_incident(m, old);
        index_incident(m, idx, false);
        j.name = old->name;
        engine_incident_lists_free(old);
        *old = j;
    } else {
        idx = m->incidents.n++;
        m->incidents.v[idx] = j;
    }
    if (index_incident(m, idx, true))
        return engine_fail(err, IMS_ENOMEM, "out of memory"); /* indexes rebuilt by invalidate */
    mark_incident(m, &m->incidents.v[idx]);
    return 0;
}

int engine_incident_resolve(engine_model *m, const char *id, int64_t at, engine_error *err)
{
    int32_t idx = id ? engine_idmap_find(m, &m->map_incidents, id) : -1;
    if (idx < 0)
        return engine_fail(err, IMS_ENOTFOUND, "id: unknown incident \"%s\"", id ? id : "");
    engine_incident *j = &m->incidents.v[idx];
    if (at < j->opened_at)
        return engine_fail(err, IMS_EINVAL, "resolved_at: must not be before opened_at");
    j->resolved = true;
    j->resolved_at = at;
    mark_incident(m, j);
    return 0;
}

/* ---- findings ------------------------------------------------------------------------ */

int engine_finding_put(engine_model *m, const engine_finding_input *in, engine_error *err)
{
    int rc = engine_check_id(in->id, err);
    if (rc)
        return rc;
    if ((unsigned)in->type > ENGINE_FINDING_OPPORTUNITY)
        return engine_fail(err, IMS_EINVAL, "type: unknown finding type");
    engine_ilist controls = {0};
    rc = engine_resolve_controls(m, in->controls, in->control_count, &controls, err);
    int32_t idx = engine_idmap_find(m, &m->map_findings, in->id);
    int32_t name = 0;
    if (rc == 0 && idx < 0 &&
        (ENGINE_VEC_RESERVE(m->findings, m->findings.n + 1) ||
         engine_register_id(m, &m->map_findings, in->id, m->findings.n, &name)))
        rc = engine_fail(err, IMS_ENOMEM, "out of memory");
    if (rc) {
        free(controls.v);
        return rc;
    }
    if (idx >= 0) {
        engine_finding *f = &m->findings.v[idx];
        engine_mark_controls(m, &f->controls, ENGINE_DIRTY_K);
        for (int32_t k = 0; k < f->controls.n; k++)
            engine_ilist_remove(&m->controls.v[f->controls.v[k]].findings, idx);
        engine_list_free(f->controls.v, f->controls.cap);
        name = f->name;
    } else {
        idx = m->findings.n++;
    }
    engine_finding *f = &m->findings.v[idx];
    f->name = name;
    f->type = in->type;
    f->controls = controls;
    f->open = in->open;
    for (int32_t k = 0; k < controls.n; k++)
        if (engine_ilist_push(&m->controls.v[controls.v[k]].findings, idx))
            return engine_fail(err, IMS_ENOMEM, "out of memory");
    engine_mark_controls(m, &controls, ENGINE_DIRTY_K);
    return 0;
}

int engine_finding_set_open(engine_model *m, const char *id, bool open, engine_error *err)
{
    int32_t idx = id ? engine_idmap_find(m, &m->map_findings, id) : -1;
    if (idx < 0)
        return engine_fail(err, IMS_ENOTFOUND, "id: unknown finding \"%s\"", id ? id : "");
    m->findings.v[idx].open = open;
    engine_mark_controls(m, &m->findings.v[idx].controls, ENGINE_DIRTY_K);
    return 0;
}

/* ---- assessment changes -------------------------------------------------------------- */

int engine_subcontrol_set_answer(engine_model *m, const char *id, enum engine_answer answer,
                                 engine_error *err)
{
    int32_t i = id ? engine_idmap_find(m, &m->map_subs, id) : -1;
    if (i < 0)
        return engine_fail(err, IMS_ENOTFOUND, "id: unknown sub-control \"%s\"", id ? id : "");
    if ((unsigned)answer > ENGINE_ANSWER_NA)
        return engine_fail(err, IMS_EINVAL, "answer: unknown answer");
    m->subs.v[i].answer = answer;
    engine_mark_controls(m, &m->subs.v[i].controls, ENGINE_DIRTY_A);
    return 0;
}

int engine_subcontrol_set_applicable(engine_model *m, const char *id, bool applicable,
                                     engine_error *err)
{
    int32_t i = id ? engine_idmap_find(m, &m->map_subs, id) : -1;
    if (i < 0)
        return engine_fail(err, IMS_ENOTFOUND, "id: unknown sub-control \"%s\"", id ? id : "");
    m->subs.v[i].declared = applicable;
    engine_mark_controls(m, &m->subs.v[i].controls, ENGINE_DIRTY_A);
    return 0;
}

int engine_control_set_applicable(engine_model *m, const char *id, bool applicable,
                                  engine_error *err)
{
    int32_t c = id ? engine_idmap_find(m, &m->map_controls, id) : -1;
    if (c < 0)
        return engine_fail(err, IMS_ENOTFOUND, "id: unknown control \"%s\"", id ? id : "");
    m->controls.v[c].declared = applicable;
    engine_mark_control(m, c, ENGINE_DIRTY_A);
    return 0;
}

/* ---- invalidation -------------------------------------------------------------------- */

int engine_model_invalidate(engine_model *m)
{
    for (int32_t c = 0; c < m->controls.n; c++) {
        m->controls.v[c].incidents.n = 0;
        m->controls.v[c].findings.n = 0;
        engine_mark_control(m, c,
                            ENGINE_DIRTY_A | ENGINE_DIRTY_Q | ENGINE_DIRTY_P | ENGINE_DIRTY_K |
                                ENGINE_DIRTY_V);
    }
    for (int32_t t = 0; t < m->threats.n; t++) {
        m->threats.v[t].incidents.n = 0;
        engine_mark_threat(m, t, ENGINE_DIRTY_LAMBDA | ENGINE_DIRTY_RESIDUAL | ENGINE_DIRTY_IMPACT);
    }
    for (int32_t p = 0; p < m->processes.n; p++) {
        m->processes.v[p].incidents.n = 0;
        engine_mark_process(m, p);
    }
    for (int32_t i = 0; i < m->metrics.n; i++)
        engine_mark_metric(m, i);
    for (int32_t j = 0; j < m->incidents.n; j++)
        if (index_incident(m, j, true))
            return IMS_ENOMEM;
    for (int32_t f = 0; f < m->findings.n; f++) {
        const engine_finding *x = &m->findings.v[f];
        for (int32_t k = 0; k < x->controls.n; k++)
            if (engine_ilist_push(&m->controls.v[x->controls.v[k]].findings, f))
                return IMS_ENOMEM;
    }
    return engine_evidence_reindex(m);
}
