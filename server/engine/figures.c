/*
 * Reading an evaluated state: the figures of each control, framework, domain, risk pair
 * and process, with the ids of the model the state was computed from.
 */
#include "eval.h"

#include <math.h>

size_t engine_control_count(const engine_eval *ev)
{
    return (size_t)ev->controls.n;
}

const char *engine_control_id(const engine_eval *ev, size_t i)
{
    return engine_name(ev->model, ev->model->controls.v[i].name);
}

long engine_control_find(const engine_eval *ev, const char *id)
{
    int32_t i = engine_idmap_find(ev->model, &ev->model->map_controls, id);
    return i < ev->controls.n ? i : -1;
}

void engine_control_get(const engine_eval *ev, size_t i, engine_control_figures *out)
{
    const engine_control_state *c = &ev->controls.v[i];
    out->applicable = c->applicable;
    out->a = c->a;
    out->has_q = c->has_q;
    out->q = c->q;
    out->b = c->b;
    out->p = c->p;
    out->cap = c->k;
    out->e = c->e;
    out->v = c->v;
}

size_t engine_framework_count(const engine_eval *ev)
{
    return (size_t)ev->frameworks.n;
}

const char *engine_framework_id(const engine_eval *ev, size_t i)
{
    return engine_name(ev->model, ev->model->frameworks.v[i].name);
}

void engine_framework_get(const engine_eval *ev, size_t i, engine_framework_figures *out)
{
    const engine_framework_state *f = &ev->frameworks.v[i];
    out->system = ev->model->frameworks.v[i].system;
    out->has_score = f->sum_w > 0;
    out->score = out->has_score ? f->sum_we / f->sum_w : 0;
    out->assessed = out->has_score ? f->sum_wa / f->sum_w : 0;
    out->maturity = f->maturity;
}

size_t engine_domain_count(const engine_eval *ev)
{
    return (size_t)ev->domains.n;
}

void engine_domain_get(const engine_eval *ev, size_t i, engine_domain_figures *out)
{
    const engine_domain *d = &ev->model->domains.v[i];
    const engine_domain_state *ds = &ev->domains.v[i];
    out->id = engine_name(ev->model, d->name);
    out->framework = (size_t)d->framework;
    out->has_score = ds->sum_w > 0;
    out->score = out->has_score ? ds->sum_we / ds->sum_w : 0;
}

int engine_risk_level(int likelihood, int impact)
{
    static const int grid[5][5] = {
        {1, 1, 2, 2, 2}, {1, 2, 2, 3, 3}, {2, 2, 3, 4, 4}, {2, 3, 4, 4, 5}, {3, 4, 4, 5, 5}};
    likelihood = likelihood < 1 ? 1 : likelihood > 5 ? 5 : likelihood;
    impact = impact < 1 ? 1 : impact > 5 ? 5 : impact;
    return grid[likelihood - 1][impact - 1];
}

static int grid_index(double x)
{
    double c = ceil(x - 1e-9);
    return c < 1 ? 1 : c > 5 ? 5 : (int)c;
}

void engine_pairs_foreach(const engine_eval *ev,
                          void (*fn)(void *ctx, const engine_pair_figures *pair), void *ctx)
{
    const engine_model *m = ev->model;
    if (!m)
        return;
    for (int32_t a = 0; a < m->assets.n; a++) {
        const engine_asset *x = &m->assets.v[a];
        const engine_asset_type *at = &m->asset_types.v[x->type];
        for (int32_t k = 0; k < at->rows.n; k++) {
            int32_t ti = at->rows.v[k].to;
            const engine_threat *th = &m->threats.v[ti];
            const engine_threat_state *ts = &ev->threats.v[ti];
            engine_pair_figures p;
            p.asset = engine_name(m, x->name);
            p.threat = engine_name(m, th->name);
            const engine_treatment_rec *tr = engine_treatment_of(m, x->name, ti);
            p.impact = engine_asset_impact(x, th, at->rows.v[k].w);
            p.treatment = tr ? tr->decision : ENGINE_TREAT_NONE;
            p.share = tr ? tr->share : 0;
            p.residual_impact =
                p.treatment == ENGINE_TREAT_TRANSFER ? p.impact * (1 - p.share) : p.impact;
            p.likelihood = ts->lambda;
            p.residual_likelihood = ts->lambda * ts->residual_factor;
            p.inherent = p.impact * p.likelihood;
            p.residual = p.residual_impact * p.residual_likelihood;
            p.level =
                engine_risk_level(grid_index(p.residual_likelihood), grid_index(p.residual_impact));
            p.within_appetite = p.level <= m->params.appetite;
            fn(ctx, &p);
        }
    }
}

size_t engine_process_count(const engine_eval *ev)
{
    return (size_t)ev->processes.n;
}

const char *engine_process_id(const engine_eval *ev, size_t i)
{
    return engine_name(ev->model, ev->model->processes.v[i].name);
}

double engine_process_readiness(const engine_eval *ev, size_t i)
{
    return ev->processes.v[i].readiness;
}
