/*
 * Writing a model as a canonical snapshot document: keys sorted, every optional key
 * written, doubles with 17 significant digits. See snapshot.h.
 */
#include "json_write.h"
#include "model.h"
#include "names.h"

#include <stdlib.h>

static json_t *jnames(builder *b, const engine_model *m, const engine_ilist *l,
                      int32_t (*name_of)(const engine_model *, int32_t))
{
    json_t *a = chk(b, json_array());
    for (int32_t i = 0; i < l->n; i++)
        push(b, a, jstr(b, engine_name(m, name_of ? name_of(m, l->v[i]) : l->v[i])));
    return a;
}

static int32_t process_name(const engine_model *m, int32_t i)
{
    return m->processes.v[i].name;
}

int engine_snapshot_write(const engine_model *m, bool has_at, int64_t at, char **out)
{
    return engine_snapshot_write_records(m, has_at, at, NULL, out);
}

/* The artefacts and treatments of section 11 (ims-snapshot/2). */
static void write_evidence(builder *b, const engine_model *m, json_t *root)
{
    json_t *a = chk(b, json_array());
    for (int32_t i = 0; i < m->artefacts.n; i++) {
        const engine_artefact *x = &m->artefacts.v[i];
        json_t *o = chk(b, json_object());
        set(b, o, "id", jstr(b, engine_name(m, x->name)));
        set(b, o, "controls", jnames(b, m, &x->controls, engine_control_name));
        set(b, o, "status", jstr(b, artefact_status_names[x->status]));
        set(b, o, "review_due", x->has_due ? jtime(b, x->due) : chk(b, json_null()));
        push(b, a, o);
    }
    set(b, root, "artefacts", a);
    a = chk(b, json_array());
    for (int32_t i = 0; i < m->treatments.n; i++) {
        const engine_treatment_rec *r = &m->treatments.v[i];
        if (r->asset < 0 || r->decision == ENGINE_TREAT_NONE)
            continue;
        json_t *o = chk(b, json_object());
        set(b, o, "asset", jstr(b, engine_name(m, r->asset)));
        set(b, o, "threat", jstr(b, engine_name(m, m->threats.v[r->threat].name)));
        set(b, o, "decision", jstr(b, treatment_names[r->decision]));
        if (r->decision == ENGINE_TREAT_TRANSFER)
            set(b, o, "share", jreal(b, r->share));
        push(b, a, o);
    }
    set(b, root, "treatments", a);
}

int engine_snapshot_write_records(const engine_model *m, bool has_at, int64_t at,
                                  const char *records, char **out)
{
    if (m->merge_samples)
        return IMS_EINVAL; /* its samples are no longer apart */
    builder b = {0};
    json_t *root = chk(&b, json_object());
    set(&b, root, "format", jstr(&b, "ims-snapshot/2"));
    if (has_at)
        set(&b, root, "at", jtime(&b, at));
    const engine_params *pr = &m->params;
    json_t *params = chk(&b, json_object());
    set(&b, params, "beta", jreal(&b, pr->beta));
    set(&b, params, "gamma", jreal(&b, pr->gamma));
    set(&b, params, "half_life_days", jreal(&b, pr->half_life_days));
    set(&b, params, "cap_major_nc", jreal(&b, pr->cap_major_nc));
    set(&b, params, "cap_minor_nc", jreal(&b, pr->cap_minor_nc));
    set(&b, params, "theta", jreal(&b, pr->theta));
    set(&b, params, "beta_risk", jreal(&b, pr->beta_risk));
    set(&b, params, "beta_bcms", jreal(&b, pr->beta_bcms));
    set(&b, params, "likelihood_window_days", jreal(&b, pr->likelihood_window_days));
    set(&b, params, "review_window_days", jreal(&b, pr->review_window_days));
    set(&b, params, "appetite", chk(&b, json_integer(pr->appetite)));
    set(&b, params, "evidence_weight", jreal(&b, pr->evidence_weight));
    json_t *sw = chk(&b, json_object());
    for (int s = 0; s < ENGINE_SYSTEM_COUNT; s++)
        set(&b, sw, system_names[s], jreal(&b, pr->system_weight[s]));
    set(&b, params, "system_weights", sw);
    set(&b, root, "params", params);
    json_t *systems = chk(&b, json_array());
    for (int s = 0; s < ENGINE_SYSTEM_COUNT; s++)
        if (m->systems & (1u << s))
            push(&b, systems, jstr(&b, system_names[s]));
    set(&b, root, "systems", systems);

    json_t *a = chk(&b, json_array());
    for (int32_t i = 0; i < m->frameworks.n; i++) {
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, m->frameworks.v[i].name)));
        set(&b, o, "system", jstr(&b, system_names[m->frameworks.v[i].system]));
        push(&b, a, o);
    }
    set(&b, root, "frameworks", a);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->controls.n; i++) {
        const engine_control *c = &m->controls.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, c->name)));
        set(&b, o, "framework", jstr(&b, engine_name(m, m->frameworks.v[c->framework].name)));
        set(&b, o, "domain", jstr(&b, engine_name(m, m->domains.v[c->domain].name)));
        set(&b, o, "weight", jreal(&b, c->weight));
        set(&b, o, "applicable", chk(&b, json_boolean(c->declared)));
        push(&b, a, o);
    }
    set(&b, root, "controls", a);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->subs.n; i++) {
        const engine_subcontrol *s = &m->subs.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, s->name)));
        set(&b, o, "controls", jnames(&b, m, &s->controls, engine_control_name));
        set(&b, o, "level", chk(&b, json_integer(s->level)));
        set(&b, o, "weight", jreal(&b, s->weight));
        set(&b, o, "effort", jreal(&b, s->effort));
        set(&b, o, "answer",
            s->answer == ENGINE_ANSWER_NONE ? chk(&b, json_null())
                                            : jstr(&b, answer_names[s->answer]));
        set(&b, o, "applicable", chk(&b, json_boolean(s->declared)));
        push(&b, a, o);
    }
    set(&b, root, "subcontrols", a);

    a = chk(&b, json_array());
    json_t *samples = chk(&b, json_array());
    for (int32_t i = 0; i < m->metrics.n; i++) {
        const engine_metric *x = &m->metrics.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, x->name)));
        set(&b, o, "target", jreal(&b, x->target));
        set(&b, o, "threshold", jreal(&b, x->threshold));
        set(&b, o, "aggregation", jstr(&b, aggregation_names[x->aggregation]));
        set(&b, o, "window", chk(&b, json_integer(x->window)));
        set(&b, o, "max_age", chk(&b, json_integer(x->max_age)));
        json_t *maps = chk(&b, json_array());
        for (int32_t k = 0; k < x->controls.n; k++) {
            json_t *mo = chk(&b, json_object());
            set(&b, mo, "control",
                jstr(&b, engine_name(m, m->controls.v[x->controls.v[k].to].name)));
            set(&b, mo, "weight", jreal(&b, x->controls.v[k].w));
            push(&b, maps, mo);
        }
        set(&b, o, "controls", maps);
        if (x->computed)
            set(&b, o, "source", jstr(&b, "computed"));
        push(&b, a, o);
        for (int32_t k = 0; k < x->sample_n; k++) {
            json_t *so = chk(&b, json_object());
            set(&b, so, "metric", jstr(&b, engine_name(m, x->name)));
            set(&b, so, "at", jtime(&b, x->samples[k].at));
            set(&b, so, "value", jreal(&b, x->samples[k].value));
            push(&b, samples, so);
        }
    }
    set(&b, root, "metrics", a);
    set(&b, root, "samples", samples);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->incidents.n; i++) {
        const engine_incident *j = &m->incidents.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, j->name)));
        set(&b, o, "severity", chk(&b, json_integer(j->severity)));
        set(&b, o, "threat",
            j->threat < 0 ? chk(&b, json_null())
                          : jstr(&b, engine_name(m, m->threats.v[j->threat].name)));
        set(&b, o, "controls", jnames(&b, m, &j->controls, engine_control_name));
        set(&b, o, "assets", jnames(&b, m, &j->assets, NULL));
        set(&b, o, "processes", jnames(&b, m, &j->processes, process_name));
        set(&b, o, "opened_at", jtime(&b, j->opened_at));
        set(&b, o, "resolved_at", j->resolved ? jtime(&b, j->resolved_at) : chk(&b, json_null()));
        set(&b, o, "disruption_minutes", jreal(&b, j->disruption));
        push(&b, a, o);
    }
    set(&b, root, "incidents", a);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->findings.n; i++) {
        const engine_finding *f = &m->findings.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, f->name)));
        set(&b, o, "type", jstr(&b, finding_names[f->type]));
        set(&b, o, "controls", jnames(&b, m, &f->controls, engine_control_name));
        set(&b, o, "open", chk(&b, json_boolean(f->open)));
        push(&b, a, o);
    }
    set(&b, root, "findings", a);

    a = chk(&b, json_array());
    json_t *mit = chk(&b, json_array());
    for (int32_t i = 0; i < m->threats.n; i++) {
        const engine_threat *th = &m->threats.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, th->name)));
        set(&b, o, "likelihood", jreal(&b, th->likelihood));
        json_t *dims = chk(&b, json_array());
        static const char *dn[3] = {"C", "I", "A"};
        for (int k = 0; k < 3; k++)
            if (th->dims & (1u << k))
                push(&b, dims, jstr(&b, dn[k]));
        set(&b, o, "dimensions", dims);
        push(&b, a, o);
        for (int32_t k = 0; k < th->mitig.n; k++) {
            json_t *mo = chk(&b, json_object());
            set(&b, mo, "threat", jstr(&b, engine_name(m, th->name)));
            set(&b, mo, "control", jstr(&b, engine_name(m, m->controls.v[th->mitig.v[k].to].name)));
            set(&b, mo, "effectiveness", jreal(&b, th->mitig.v[k].w));
            push(&b, mit, mo);
        }
    }
    set(&b, root, "threats", a);
    set(&b, root, "mitigations", mit);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->asset_types.n; i++) {
        const engine_asset_type *at_ = &m->asset_types.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, at_->name)));
        json_t *rows = chk(&b, json_array());
        for (int32_t k = 0; k < at_->rows.n; k++) {
            json_t *ro = chk(&b, json_object());
            set(&b, ro, "threat", jstr(&b, engine_name(m, m->threats.v[at_->rows.v[k].to].name)));
            set(&b, ro, "degradation", jreal(&b, at_->rows.v[k].w));
            push(&b, rows, ro);
        }
        set(&b, o, "threats", rows);
        push(&b, a, o);
    }
    set(&b, root, "asset_types", a);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->assets.n; i++) {
        const engine_asset *x = &m->assets.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, x->name)));
        set(&b, o, "type", jstr(&b, engine_name(m, m->asset_types.v[x->type].name)));
        set(&b, o, "C", chk(&b, json_integer(x->v[0])));
        set(&b, o, "I", chk(&b, json_integer(x->v[1])));
        set(&b, o, "A", chk(&b, json_integer(x->v[2])));
        push(&b, a, o);
    }
    set(&b, root, "assets", a);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->processes.n; i++) {
        const engine_process *x = &m->processes.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, x->name)));
        set(&b, o, "criticality", chk(&b, json_integer(x->criticality)));
        set(&b, o, "mtpd_min", jreal(&b, x->mtpd));
        set(&b, o, "rto_min", jreal(&b, x->rto));
        set(&b, o, "rpo_min", jreal(&b, x->rpo));
        set(&b, o, "plan_reviewed_at",
            x->plan_reviewed ? jtime(&b, x->plan_reviewed_at) : chk(&b, json_null()));
        json_t *ex = chk(&b, json_array());
        for (int32_t k = 0; k < x->exercise_n; k++) {
            json_t *eo = chk(&b, json_object());
            set(&b, eo, "at", jtime(&b, x->exercises[k].at));
            set(&b, eo, "recovery_min", jreal(&b, x->exercises[k].recovery_min));
            push(&b, ex, eo);
        }
        set(&b, o, "exercises", ex);
        push(&b, a, o);
    }
    set(&b, root, "processes", a);
    write_evidence(&b, m, root);
    json_t *rec = NULL;
    if (records) {
        json_error_t jerr;
        rec = chk(&b, json_loads(records, JSON_REJECT_DUPLICATES, &jerr));
    } else {
        rec = chk(&b, json_object());
    }
    set(&b, root, "records", rec);

    *out = dump(root, &b, JSON_SORT_KEYS);
    return *out ? 0 : IMS_ENOMEM;
}
