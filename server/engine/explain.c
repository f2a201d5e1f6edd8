/*
 * The explanation of the security level: how much each applicable control takes from it,
 * split into assessment gap, metric drag, incident penalty and finding cap. See plan.h.
 */
#include "plan.h"
#include "eval.h"

#include <stdlib.h>
#include <string.h>

static int by_loss(const void *pa, const void *pb)
{
    const engine_explanation *a = pa, *b = pb;
    if (a->loss != b->loss)
        return a->loss > b->loss ? -1 : 1;
    return strcmp(a->id, b->id);
}

int engine_explain(const engine_eval *ev, size_t k, engine_explanation *out, size_t *count)
{
    const engine_model *m = ev->model;
    const engine_summary s = ev->summary;
    *count = 0;
    if (!m)
        return 0;
    double sys_w[ENGINE_SYSTEM_COUNT] = {0}, omega = 0;
    for (int32_t c = 0; c < ev->controls.n; c++)
        if (ev->controls.v[c].applicable)
            sys_w[m->frameworks.v[m->controls.v[c].framework].system] += m->controls.v[c].weight;
    for (int sy = 0; sy < ENGINE_SYSTEM_COUNT; sy++)
        if (s.system_included[sy])
            omega += m->params.system_weight[sy];
    engine_explanation *all = calloc((size_t)ev->controls.n + 1, sizeof *all);
    if (!all)
        return IMS_ENOMEM;
    size_t n = 0;
    for (int32_t ci = 0; ci < ev->controls.n; ci++) {
        const engine_control *mc = &m->controls.v[ci];
        const engine_control_state *c = &ev->controls.v[ci];
        enum engine_system sy = m->frameworks.v[mc->framework].system;
        if (!c->applicable || !s.system_included[sy] || omega <= 0)
            continue;
        double share = 1.0;
        if (sy == ENGINE_BCMS && s.has_processes)
            share = 1 - m->params.beta_bcms;
        if (sy == ENGINE_RMS && s.has_pairs)
            share = 1 - m->params.beta_risk;
        double f = m->params.system_weight[sy] / omega * share * mc->weight / sys_w[sy];
        engine_explanation *x = &all[n++];
        x->control = (size_t)ci;
        x->id = engine_name(m, mc->name);
        x->system = sy;
        x->assessment_gap = f * (1 - c->a);
        x->metric_drag = f * (c->a - c->b);
        x->incident_penalty = f * c->b * c->p;
        double eta = m->params.evidence_weight;
        x->evidence_drag = f * c->b * (1 - c->p) * eta * (1 - c->v);
        x->finding_cap = f * (c->b * (1 - c->p) * (1 - eta * (1 - c->v)) - c->e);
        x->loss = f * (1 - c->e);
    }
    qsort(all, n, sizeof *all, by_loss);
    for (size_t i = 0; i < n && i < k; i++)
        out[(*count)++] = all[i];
    free(all);
    return 0;
}
