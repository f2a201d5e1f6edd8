/*
 * Building a model's structure: frameworks, controls and their domains, sub-controls,
 * metrics, threats, asset types and mitigations. Each addition stamps what it changes.
 */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int engine_framework_add(engine_model *m, const char *id, enum engine_system system,
                         engine_error *err)
{
    int rc = engine_check_id(id, err);
    if (rc)
        return rc;
    if ((unsigned)system >= ENGINE_SYSTEM_COUNT)
        return engine_fail(err, IMS_EINVAL, "system: unknown system");
    if (engine_idmap_find(m, &m->map_frameworks, id) >= 0)
        return engine_fail(err, IMS_EEXISTS, "id: duplicate framework \"%s\"", id);
    if (ENGINE_VEC_RESERVE(m->frameworks, m->frameworks.n + 1))
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    engine_framework *f = &m->frameworks.v[m->frameworks.n];
    memset(f, 0, sizeof *f);
    f->system = system;
    if (engine_register_id(m, &m->map_frameworks, id, m->frameworks.n, &f->name))
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    m->frameworks.n++;
    return 0;
}

static int32_t find_or_add_domain(engine_model *m, int32_t framework, const char *name)
{
    for (int32_t i = 0; i < m->domains.n; i++)
        if (m->domains.v[i].framework == framework &&
            strcmp(engine_name(m, m->domains.v[i].name), name) == 0)
            return i;
    if (ENGINE_VEC_RESERVE(m->domains, m->domains.n + 1))
        return IMS_ENOMEM;
    int32_t off = engine_arena_add(m, name);
    if (off < 0)
        return IMS_ENOMEM;
    engine_domain *d = &m->domains.v[m->domains.n];
    memset(d, 0, sizeof *d);
    d->name = off;
    d->framework = framework;
    return m->domains.n++;
}

int engine_control_add(engine_model *m, const engine_control_input *in, engine_error *err)
{
    int rc = engine_check_id(in->id, err);
    if (rc)
        return rc;
    if (engine_idmap_find(m, &m->map_controls, in->id) >= 0)
        return engine_fail(err, IMS_EEXISTS, "id: duplicate control \"%s\"", in->id);
    int32_t fw = in->framework ? engine_idmap_find(m, &m->map_frameworks, in->framework) : -1;
    if (fw < 0)
        return engine_fail(err, IMS_ENOTFOUND, "framework: unknown framework \"%s\"",
                           in->framework ? in->framework : "");
    if (!isfinite(in->weight) || in->weight <= 0)
        return engine_fail(err, IMS_EINVAL, "weight: must be > 0");
    int32_t dom = find_or_add_domain(m, fw, in->domain ? in->domain : "");
    if (dom < 0 || ENGINE_VEC_RESERVE(m->controls, m->controls.n + 1))
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    engine_control *c = &m->controls.v[m->controls.n];
    memset(c, 0, sizeof *c);
    c->framework = fw;
    c->domain = dom;
    c->weight = in->weight;
    c->declared = in->applicable;
    if (engine_register_id(m, &m->map_controls, in->id, m->controls.n, &c->name))
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    engine_mark_control(m, m->controls.n,
                        ENGINE_DIRTY_A | ENGINE_DIRTY_Q | ENGINE_DIRTY_P | ENGINE_DIRTY_K |
                            ENGINE_DIRTY_V);
    m->controls.n++;
    return 0;
}

int engine_subcontrol_add(engine_model *m, const engine_subcontrol_input *in, engine_error *err)
{
    int rc = engine_check_id(in->id, err);
    if (rc)
        return rc;
    if (engine_idmap_find(m, &m->map_subs, in->id) >= 0)
        return engine_fail(err, IMS_EEXISTS, "id: duplicate sub-control \"%s\"", in->id);
    if (in->control_count == 0)
        return engine_fail(err, IMS_EINVAL, "controls: must name at least one control");
    if (in->level < 1 || in->level > 3)
        return engine_fail(err, IMS_EINVAL, "level: must be 1, 2 or 3");
    if (!isfinite(in->weight) || in->weight <= 0)
        return engine_fail(err, IMS_EINVAL, "weight: must be > 0");
    if (!isfinite(in->effort) || in->effort < 0)
        return engine_fail(err, IMS_EINVAL, "effort: must be > 0");
    if ((unsigned)in->answer > ENGINE_ANSWER_NA)
        return engine_fail(err, IMS_EINVAL, "answer: unknown answer");
    engine_ilist controls = {0};
    rc = engine_resolve_controls(m, in->controls, in->control_count, &controls, err);
    if (rc == 0 && ENGINE_VEC_RESERVE(m->subs, m->subs.n + 1))
        rc = engine_fail(err, IMS_ENOMEM, "out of memory");
    for (int32_t i = 0; rc == 0 && i < controls.n; i++) {
        engine_control *c = &m->controls.v[controls.v[i]];
        if (engine_reserve(&c->subs.v, &c->subs.cap, c->subs.n + 1, sizeof(int32_t)))
            rc = engine_fail(err, IMS_ENOMEM, "out of memory");
    }
    if (rc) {
        free(controls.v);
        return rc;
    }
    engine_subcontrol *s = &m->subs.v[m->subs.n];
    memset(s, 0, sizeof *s);
    s->controls = controls;
    s->level = in->level;
    s->weight = in->weight;
    s->effort = in->effort > 0 ? in->effort : in->level;
    s->answer = in->answer;
    s->declared = in->applicable;
    if (engine_register_id(m, &m->map_subs, in->id, m->subs.n, &s->name)) {
        free(controls.v);
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    }
    for (int32_t i = 0; i < controls.n; i++) {
        engine_control *c = &m->controls.v[controls.v[i]];
        c->subs.v[c->subs.n++] = m->subs.n;
        engine_mark_control(m, controls.v[i], ENGINE_DIRTY_A);
    }
    m->subs.n++;
    return 0;
}

int engine_metric_add(engine_model *m, const engine_metric_input *in, engine_error *err)
{
    int rc = engine_check_id(in->id, err);
    if (rc)
        return rc;
    if (engine_idmap_find(m, &m->map_metrics, in->id) >= 0)
        return engine_fail(err, IMS_EEXISTS, "id: duplicate metric \"%s\"", in->id);
    if (!isfinite(in->target))
        return engine_fail(err, IMS_EINVAL, "target: must be a finite number");
    if (!isfinite(in->threshold) || in->threshold == in->target)
        return engine_fail(err, IMS_EINVAL, "threshold: must differ from target");
    if ((unsigned)in->aggregation > ENGINE_AGG_MAX)
        return engine_fail(err, IMS_EINVAL, "aggregation: unknown aggregation");
    if (in->window < 0 || (in->aggregation != ENGINE_AGG_LAST && in->window <= 0))
        return engine_fail(err, IMS_EINVAL, "window: must be > 0");
    if (in->max_age <= 0)
        return engine_fail(err, IMS_EINVAL, "max_age: must be > 0");
    engine_elist edges = {0};
    for (size_t i = 0; i < in->control_count; i++) {
        const engine_metric_mapping *mp = &in->controls[i];
        int32_t c = mp->control ? engine_idmap_find(m, &m->map_controls, mp->control) : -1;
        if (c < 0)
            rc = engine_fail(err, IMS_ENOTFOUND, "controls[%zu].control: unknown control \"%s\"", i,
                             mp->control ? mp->control : "");
        else if (!isfinite(mp->weight) || mp->weight <= 0)
            rc = engine_fail(err, IMS_EINVAL, "controls[%zu].weight: must be > 0", i);
        for (int32_t k = 0; rc == 0 && k < edges.n; k++)
            if (edges.v[k].to == c)
                rc = engine_fail(err, IMS_EINVAL, "controls[%zu].control: duplicate control \"%s\"",
                                 i, mp->control);
        if (rc == 0 && engine_elist_push(&edges, c, mp->weight))
            rc = engine_fail(err, IMS_ENOMEM, "out of memory");
        if (rc) {
            free(edges.v);
            return rc;
        }
    }
    if (ENGINE_VEC_RESERVE(m->metrics, m->metrics.n + 1))
        rc = IMS_ENOMEM;
    for (int32_t i = 0; rc == 0 && i < edges.n; i++) {
        engine_control *c = &m->controls.v[edges.v[i].to];
        if (engine_reserve(&c->metrics.v, &c->metrics.cap, c->metrics.n + 1, sizeof(engine_edge)))
            rc = IMS_ENOMEM;
    }
    engine_metric *x = rc ? NULL : &m->metrics.v[m->metrics.n];
    if (x) {
        memset(x, 0, sizeof *x);
        if (engine_register_id(m, &m->map_metrics, in->id, m->metrics.n, &x->name))
            rc = IMS_ENOMEM;
    }
    if (rc) {
        free(edges.v);
        return engine_fail(err, rc, "out of memory");
    }
    x->target = in->target;
    x->threshold = in->threshold;
    x->aggregation = in->aggregation;
    x->window = in->window;
    x->max_age = in->max_age;
    x->computed = in->computed;
    x->controls = edges;
    engine_mark_metric(m, m->metrics.n);
    for (int32_t i = 0; i < edges.n; i++) {
        engine_control *c = &m->controls.v[edges.v[i].to];
        c->metrics.v[c->metrics.n].to = m->metrics.n;
        c->metrics.v[c->metrics.n].w = edges.v[i].w;
        c->metrics.n++;
        engine_mark_control(m, edges.v[i].to, ENGINE_DIRTY_Q);
    }
    m->metrics.n++;
    return 0;
}

int engine_threat_add(engine_model *m, const engine_threat_input *in, engine_error *err)
{
    int rc = engine_check_id(in->id, err);
    if (rc)
        return rc;
    if (engine_idmap_find(m, &m->map_threats, in->id) >= 0)
        return engine_fail(err, IMS_EEXISTS, "id: duplicate threat \"%s\"", in->id);
    if (!engine_in_range(in->likelihood, 1, 5))
        return engine_fail(err, IMS_EINVAL, "likelihood: must be in [1, 5]");
    if (in->dimensions == 0 || (in->dimensions & ~7u))
        return engine_fail(err, IMS_EINVAL, "dimensions: must name at least one of C, I, A");
    if (ENGINE_VEC_RESERVE(m->threats, m->threats.n + 1))
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    engine_threat *t = &m->threats.v[m->threats.n];
    memset(t, 0, sizeof *t);
    t->likelihood = in->likelihood;
    t->dims = in->dimensions;
    if (engine_register_id(m, &m->map_threats, in->id, m->threats.n, &t->name))
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    engine_mark_threat(m, m->threats.n,
                       ENGINE_DIRTY_LAMBDA | ENGINE_DIRTY_RESIDUAL | ENGINE_DIRTY_IMPACT);
    m->threats.n++;
    return 0;
}

int engine_asset_type_add(engine_model *m, const engine_asset_type_input *in, engine_error *err)
{
    int rc = engine_check_id(in->id, err);
    if (rc)
        return rc;
    if (engine_idmap_find(m, &m->map_asset_types, in->id) >= 0)
        return engine_fail(err, IMS_EEXISTS, "id: duplicate asset type \"%s\"", in->id);
    engine_asset_type at = {0};
    for (size_t i = 0; rc == 0 && i < in->threat_count; i++) {
        const engine_degradation *d = &in->threats[i];
        int32_t t = d->threat ? engine_idmap_find(m, &m->map_threats, d->threat) : -1;
        if (t < 0)
            rc = engine_fail(err, IMS_ENOTFOUND, "threats[%zu].threat: unknown threat \"%s\"", i,
                             d->threat ? d->threat : "");
        else if (!isfinite(d->degradation) || d->degradation <= 0 || d->degradation > 1)
            rc = engine_fail(err, IMS_EINVAL, "threats[%zu].degradation: must be in (0, 1]", i);
        for (int32_t k = 0; rc == 0 && k < at.rows.n; k++)
            if (at.rows.v[k].to == t)
                rc = engine_fail(err, IMS_EINVAL, "threats[%zu].threat: duplicate threat \"%s\"", i,
                                 d->threat);
        if (rc == 0 && engine_elist_push(&at.rows, t, d->degradation))
            rc = engine_fail(err, IMS_ENOMEM, "out of memory");
    }
    if (rc == 0 && m->threats.n > 0) {
        at.by_threat = calloc((size_t)m->threats.n, sizeof(double));
        at.by_threat_n = m->threats.n;
        if (!at.by_threat)
            rc = engine_fail(err, IMS_ENOMEM, "out of memory");
    }
    if (rc == 0 && ENGINE_VEC_RESERVE(m->asset_types, m->asset_types.n + 1))
        rc = engine_fail(err, IMS_ENOMEM, "out of memory");
    if (rc == 0 && engine_register_id(m, &m->map_asset_types, in->id, m->asset_types.n, &at.name))
        rc = engine_fail(err, IMS_ENOMEM, "out of memory");
    if (rc) {
        free(at.rows.v);
        free(at.by_threat);
        return rc;
    }
    for (int32_t k = 0; k < at.rows.n; k++) {
        at.by_threat[at.rows.v[k].to] = at.rows.v[k].w;
        engine_mark_threat(m, at.rows.v[k].to, ENGINE_DIRTY_IMPACT);
    }
    m->asset_types.v[m->asset_types.n++] = at;
    return 0;
}

int engine_mitigation_add(engine_model *m, const char *threat, const char *control,
                          double effectiveness, engine_error *err)
{
    int32_t t = threat ? engine_idmap_find(m, &m->map_threats, threat) : -1;
    if (t < 0)
        return engine_fail(err, IMS_ENOTFOUND, "threat: unknown threat \"%s\"",
                           threat ? threat : "");
    int32_t c = control ? engine_idmap_find(m, &m->map_controls, control) : -1;
    if (c < 0)
        return engine_fail(err, IMS_ENOTFOUND, "control: unknown control \"%s\"",
                           control ? control : "");
    if (!engine_in_range(effectiveness, 0, 1))
        return engine_fail(err, IMS_EINVAL, "effectiveness: must be in [0, 1]");
    engine_threat *th = &m->threats.v[t];
    engine_control *ct = &m->controls.v[c];
    for (int32_t i = 0; i < th->mitig.n; i++)
        if (th->mitig.v[i].to == c)
            return engine_fail(err, IMS_EEXISTS,
                               "control: duplicate mitigation of \"%s\" by \"%s\"", threat,
                               control);
    if (engine_reserve(&ct->mitig.v, &ct->mitig.cap, ct->mitig.n + 1, sizeof(engine_edge)) ||
        engine_elist_push(&th->mitig, c, effectiveness))
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    ct->mitig.v[ct->mitig.n].to = t;
    ct->mitig.v[ct->mitig.n].w = effectiveness;
    ct->mitig.n++;
    engine_mark_control(m, c, ENGINE_DIRTY_P);
    engine_mark_threat(m, t, ENGINE_DIRTY_RESIDUAL);
    return 0;
}
