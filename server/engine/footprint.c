/*
 * How much memory a model and an evaluated state hold: the capacity of every array they
 * own, plus a small allowance per allocation for the allocator's own bookkeeping. An
 * estimate for a cache's budget, not an exact count of the heap.
 */
#include "eval.h"

#define ALLOC_OVERHEAD 16

static size_t block(const void *p, int32_t cap, size_t size)
{
    if (cap < 0) /* a list in a copy's chunk: counted with the chunk */
        return 0;
    return p ? (size_t)cap * size + ALLOC_OVERHEAD : 0;
}

#define VEC(vec) block((vec).v, (vec).cap, sizeof *(vec).v)

static size_t map(const engine_idmap *m)
{
    return block(m->slots, m->cap, 2 * sizeof *m->slots);
}

size_t engine_model_bytes(const engine_model *m)
{
    if (!m)
        return 0;
    size_t n = sizeof *m + ALLOC_OVERHEAD + block(m->arena, m->arena_cap, 1) +
               engine_lists_block_bytes(m, ALLOC_OVERHEAD);
    n += VEC(m->frameworks) + VEC(m->domains) + VEC(m->controls) + VEC(m->subs) +
         VEC(m->metrics) + VEC(m->incidents) + VEC(m->findings) + VEC(m->threats) +
         VEC(m->asset_types) + VEC(m->assets) + VEC(m->processes) + VEC(m->artefacts) +
         VEC(m->treatments);
    const engine_idmap *maps[] = {&m->map_artefacts, &m->map_frameworks,  &m->map_controls,
                                  &m->map_subs,      &m->map_metrics,     &m->map_incidents,
                                  &m->map_findings,  &m->map_threats,     &m->map_asset_types,
                                  &m->map_assets,    &m->map_processes};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        n += map(maps[i]);
    for (int32_t i = 0; i < m->controls.n; i++) {
        const engine_control *c = &m->controls.v[i];
        n += VEC(c->subs) + VEC(c->metrics) + VEC(c->mitig) + VEC(c->incidents) +
             VEC(c->findings) + VEC(c->artefacts);
    }
    for (int32_t i = 0; i < m->subs.n; i++)
        n += VEC(m->subs.v[i].controls);
    for (int32_t i = 0; i < m->metrics.n; i++) {
        const engine_metric *x = &m->metrics.v[i];
        n += VEC(x->controls) + block(x->samples, x->sample_cap, sizeof *x->samples) +
             block(x->counts, x->sample_cap, sizeof *x->counts);
    }
    for (int32_t i = 0; i < m->incidents.n; i++) {
        const engine_incident *j = &m->incidents.v[i];
        n += VEC(j->controls) + VEC(j->assets) + VEC(j->processes);
    }
    for (int32_t i = 0; i < m->findings.n; i++)
        n += VEC(m->findings.v[i].controls);
    for (int32_t i = 0; i < m->threats.n; i++) {
        const engine_threat *th = &m->threats.v[i];
        n += VEC(th->mitig) + VEC(th->incidents) + VEC(th->treatments);
    }
    for (int32_t i = 0; i < m->artefacts.n; i++)
        n += VEC(m->artefacts.v[i].controls);
    for (int32_t i = 0; i < m->asset_types.n; i++) {
        const engine_asset_type *at = &m->asset_types.v[i];
        n += VEC(at->rows) + block(at->by_threat, at->by_threat_n, sizeof *at->by_threat);
    }
    for (int32_t i = 0; i < m->processes.n; i++) {
        const engine_process *p = &m->processes.v[i];
        n += block(p->exercises, p->exercise_cap, sizeof *p->exercises) + VEC(p->incidents);
    }
    return n;
}

size_t engine_eval_bytes(const engine_eval *ev)
{
    if (!ev)
        return 0;
    return sizeof *ev + ALLOC_OVERHEAD + VEC(ev->controls) + VEC(ev->metrics) +
           VEC(ev->threats) + VEC(ev->processes) + VEC(ev->frameworks) + VEC(ev->domains) +
           VEC(ev->terms) + VEC(ev->blocks) +
           block(ev->term_controls, ev->term_controls_cap, sizeof *ev->term_controls) +
           block(ev->block_dirty, ev->block_dirty_cap, 1) +
           block(ev->todo, ev->todo_cap, sizeof *ev->todo) +
           block(ev->factors, ev->factors_cap, sizeof *ev->factors);
}
