/*
 * A model's lifetime: parameters, creation, deep copy and freeing, and finding entities by
 * id. See engine.h for the model's decisions and model.h for the layout.
 */
#include "model.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameters and model lifetime --------------------------------------------------- */

void engine_params_default(engine_params *p)
{
    p->beta = 0.5;
    p->gamma = 0.5;
    p->half_life_days = 30;
    p->cap_major_nc = 0.25;
    p->cap_minor_nc = 0.75;
    p->theta = 0.8;
    p->beta_risk = 0.5;
    p->beta_bcms = 0.5;
    p->likelihood_window_days = 365;
    p->review_window_days = 365;
    p->appetite = 2;
    p->system_weight[ENGINE_ISMS] = 0.5;
    p->system_weight[ENGINE_BCMS] = 0.25;
    p->system_weight[ENGINE_RMS] = 0.25;
    p->system_weight[ENGINE_SMS] = 0.25;
    p->evidence_weight = 0.2;
}

int engine_params_check(const engine_params *p, engine_error *err)
{
    static const char *unit_names[] = {"beta",  "gamma",     "cap_major_nc", "cap_minor_nc",
                                       "theta", "beta_risk", "beta_bcms",    "evidence_weight"};
    const double unit[] = {p->beta,  p->gamma,     p->cap_major_nc, p->cap_minor_nc,
                           p->theta, p->beta_risk, p->beta_bcms,    p->evidence_weight};
    for (size_t i = 0; i < sizeof unit / sizeof unit[0]; i++)
        if (!engine_in_range(unit[i], 0, 1))
            return engine_fail(err, IMS_EINVAL, "%s: must be in [0, 1]", unit_names[i]);
    if (!isfinite(p->half_life_days) || p->half_life_days <= 0)
        return engine_fail(err, IMS_EINVAL, "half_life_days: must be > 0");
    if (!engine_in_range(p->likelihood_window_days, 1.0 / ENGINE_DAY, 36500) ||
        p->likelihood_window_days * ENGINE_DAY < 1)
        return engine_fail(err, IMS_EINVAL, "likelihood_window_days: must be in (0, 36500]");
    if (!engine_in_range(p->review_window_days, 1.0 / ENGINE_DAY, 36500))
        return engine_fail(err, IMS_EINVAL, "review_window_days: must be in (0, 36500]");
    if (p->appetite < 1 || p->appetite > 5)
        return engine_fail(err, IMS_EINVAL, "appetite: must be in 1..5");
    static const char *sys[] = {"system_weights.ISMS", "system_weights.BCMS", "system_weights.RMS",
                                "system_weights.SMS"};
    for (int s = 0; s < ENGINE_SYSTEM_COUNT; s++)
        if (!engine_in_range(p->system_weight[s], 0, 1e6))
            return engine_fail(err, IMS_EINVAL, "%s: must be >= 0", sys[s]);
    return 0;
}

int engine_model_new(const engine_params *params, unsigned systems, engine_model **out,
                     engine_error *err)
{
    engine_params p;
    if (params)
        p = *params;
    else
        engine_params_default(&p);
    int rc = engine_params_check(&p, err);
    if (rc)
        return rc;
    if (systems & ~((1u << ENGINE_SYSTEM_COUNT) - 1))
        return engine_fail(err, IMS_EINVAL, "systems: unknown system");
    engine_model *m = calloc(1, sizeof *m);
    if (!m)
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    m->params = p;
    m->systems = systems;
    *out = m;
    return 0;
}

const engine_params *engine_model_params(const engine_model *m)
{
    return &m->params;
}

unsigned engine_model_systems(const engine_model *m)
{
    return m->systems;
}

/* A clone's lists go into chunks of about 64 KiB, each well below the allocator's mmap
 * threshold: one block for a large tenant would be mapped afresh (and fault in its pages)
 * at every copy. */
#define LISTS_CHUNK (64u << 10)

struct engine_lists_chunk {
    struct engine_lists_chunk *next;
    size_t used, size;
    max_align_t data[];
};

size_t engine_lists_block_bytes(const engine_model *m, size_t alloc_overhead)
{
    size_t n = 0;
    for (const struct engine_lists_chunk *c = m->lists_block; c; c = c->next)
        n += sizeof *c + c->size + alloc_overhead;
    return n;
}

static void free_model_lists(engine_model *m)
{
    for (int32_t i = 0; i < m->controls.n; i++) {
        engine_control *c = &m->controls.v[i];
        engine_list_free(c->subs.v, c->subs.cap);
        engine_list_free(c->metrics.v, c->metrics.cap);
        engine_list_free(c->mitig.v, c->mitig.cap);
        engine_list_free(c->incidents.v, c->incidents.cap);
        engine_list_free(c->findings.v, c->findings.cap);
        engine_list_free(c->artefacts.v, c->artefacts.cap);
    }
    for (int32_t i = 0; i < m->subs.n; i++)
        engine_list_free(m->subs.v[i].controls.v, m->subs.v[i].controls.cap);
    for (int32_t i = 0; i < m->metrics.n; i++) {
        free(m->metrics.v[i].controls.v);
        free(m->metrics.v[i].samples);
        free(m->metrics.v[i].counts);
    }
    for (int32_t i = 0; i < m->incidents.n; i++)
        engine_incident_lists_free(&m->incidents.v[i]);
    for (int32_t i = 0; i < m->findings.n; i++)
        engine_list_free(m->findings.v[i].controls.v, m->findings.v[i].controls.cap);
    for (int32_t i = 0; i < m->threats.n; i++) {
        engine_threat *t = &m->threats.v[i];
        engine_list_free(t->mitig.v, t->mitig.cap);
        engine_list_free(t->incidents.v, t->incidents.cap);
        engine_list_free(t->treatments.v, t->treatments.cap);
    }
    for (int32_t i = 0; i < m->artefacts.n; i++)
        engine_list_free(m->artefacts.v[i].controls.v, m->artefacts.v[i].controls.cap);
    for (int32_t i = 0; i < m->asset_types.n; i++) {
        engine_list_free(m->asset_types.v[i].rows.v, m->asset_types.v[i].rows.cap);
        free(m->asset_types.v[i].by_threat);
    }
    for (int32_t i = 0; i < m->processes.n; i++) {
        free(m->processes.v[i].exercises);
        engine_list_free(m->processes.v[i].incidents.v, m->processes.v[i].incidents.cap);
    }
}

void engine_incident_lists_free(engine_incident *j)
{
    engine_ilist *lists[3] = {&j->controls, &j->assets, &j->processes};
    for (int k = 0; k < 3; k++) {
        engine_list_free(lists[k]->v, lists[k]->cap);
        lists[k]->v = NULL;
        lists[k]->n = lists[k]->cap = 0;
    }
}

static void free_model_arrays(engine_model *m)
{
    for (struct engine_lists_chunk *c = m->lists_block, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(m->arena);
    free(m->frameworks.v);
    free(m->domains.v);
    free(m->controls.v);
    free(m->subs.v);
    free(m->metrics.v);
    free(m->incidents.v);
    free(m->findings.v);
    free(m->threats.v);
    free(m->asset_types.v);
    free(m->assets.v);
    free(m->processes.v);
    free(m->artefacts.v);
    free(m->treatments.v);
    engine_idmap *maps[] = {&m->map_frameworks, &m->map_controls,    &m->map_subs,
                            &m->map_metrics,    &m->map_incidents,   &m->map_findings,
                            &m->map_threats,    &m->map_asset_types, &m->map_assets,
                            &m->map_processes,  &m->map_artefacts};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        free(maps[i]->slots);
}

void engine_model_free(engine_model *m)
{
    if (!m)
        return;
    free_model_lists(m);
    free_model_arrays(m);
    free(m);
}

/* The copy's slots from src's; on failure the copy's stay NULL, never src's. */
static int clone_map(engine_idmap *map, const engine_idmap *src)
{
    return engine_copy_block(&map->slots, src->slots, (size_t)src->cap * 2, sizeof *src->slots);
}

/* Copies an array of src into the same field of m (which holds src's pointer on entry). */
#define CLONE_ARRAY(field)                                                                         \
    (m->field.cap = src->field.n,                                                                  \
     engine_copy_block(&m->field.v, src->field.v, (size_t)src->field.n, sizeof *src->field.v))

#define CLONE_LIST(dst, srcl)                                                                      \
    ((dst).cap = (srcl).n,                                                                         \
     engine_copy_block(&(dst).v, (srcl).v, (size_t)(srcl).n, sizeof *(srcl).v))

/* Places lists into the clone's chunks. A copy whose lists take less than a chunk (a
 * small tenant's) puts them in one block of their size rather than a mostly empty chunk. */
struct placer {
    engine_model *m;
    size_t expected; /* the bytes of all the lists, as far as known */
    int failed;
};

/* A new chunk for lists of need bytes and the ones after them, or NULL (p->failed). */
static struct engine_lists_chunk *chunk_new(struct placer *p, size_t need)
{
    size_t room = p->m->lists_block || p->expected > LISTS_CHUNK ? LISTS_CHUNK : p->expected;
    if (room < need)
        room = need;
    struct engine_lists_chunk *c = malloc(sizeof *c + room);
    if (!c) {
        p->failed = 1;
        return NULL;
    }
    c->next = p->m->lists_block;
    c->used = 0;
    c->size = room;
    p->m->lists_block = c;
    return c;
}

static inline void place(struct placer *p, void *dst_v, int32_t *dst_cap, const void *src,
                         int32_t n, size_t size)
{
    *dst_cap = 0; /* its pointer is NULL already; so it stays when n is 0 or on failure */
    if (n <= 0 || p->failed)
        return;
    size_t need = ((size_t)n * size + 7) & ~(size_t)7;
    struct engine_lists_chunk *c = p->m->lists_block;
    if ((!c || c->size - c->used < need) && !(c = chunk_new(p, need)))
        return;
    void *v = (char *)c->data + c->used;
    memcpy(v, src, (size_t)n * size);
    memcpy(dst_v, &v, sizeof v);
    *dst_cap = -n;
    c->used += need;
}

#define PLACE(dst, s) place(p, &(dst).v, &(dst).cap, (s).v, (s).n, sizeof *(s).v)

/* Every list lists_block holds (the metrics' own lists and samples are not among them). */
static void place_lists(engine_model *m, const engine_model *src, struct placer *p)
{
    for (int32_t i = 0; i < src->controls.n; i++) {
        engine_control *x = &m->controls.v[i];
        const engine_control *s = &src->controls.v[i];
        PLACE(x->subs, s->subs);
        PLACE(x->incidents, s->incidents);
        PLACE(x->findings, s->findings);
        PLACE(x->metrics, s->metrics);
        PLACE(x->mitig, s->mitig);
        PLACE(x->artefacts, s->artefacts);
    }
    for (int32_t i = 0; i < src->subs.n; i++)
        PLACE(m->subs.v[i].controls, src->subs.v[i].controls);
    for (int32_t i = 0; i < src->incidents.n; i++) {
        PLACE(m->incidents.v[i].controls, src->incidents.v[i].controls);
        PLACE(m->incidents.v[i].assets, src->incidents.v[i].assets);
        PLACE(m->incidents.v[i].processes, src->incidents.v[i].processes);
    }
    for (int32_t i = 0; i < src->findings.n; i++)
        PLACE(m->findings.v[i].controls, src->findings.v[i].controls);
    for (int32_t i = 0; i < src->threats.n; i++) {
        PLACE(m->threats.v[i].mitig, src->threats.v[i].mitig);
        PLACE(m->threats.v[i].incidents, src->threats.v[i].incidents);
        PLACE(m->threats.v[i].treatments, src->threats.v[i].treatments);
    }
    for (int32_t i = 0; i < src->artefacts.n; i++)
        PLACE(m->artefacts.v[i].controls, src->artefacts.v[i].controls);
    for (int32_t i = 0; i < src->asset_types.n; i++)
        PLACE(m->asset_types.v[i].rows, src->asset_types.v[i].rows);
    for (int32_t i = 0; i < src->processes.n; i++)
        PLACE(m->processes.v[i].incidents, src->processes.v[i].incidents);
}

/* The copy behind engine_model_clone and engine_model_compact; lists_slack: room in the
 * copy's chunks for lists made after it. */
static int model_copy(const engine_model *src, engine_model **out, bool lists_slack)
{
    engine_model *m = calloc(1, sizeof *m);
    if (!m)
        return IMS_ENOMEM;
    *m = *src;
    m->clone_of = src;
    m->clone_stamp = src->stamp;
    /* First null every owned pointer, so that a failure frees only what was copied. */
    m->arena = NULL;
    m->lists_block = NULL;
    m->frameworks.v = NULL;
    m->domains.v = NULL;
    m->controls.v = NULL;
    m->subs.v = NULL;
    m->metrics.v = NULL;
    m->incidents.v = NULL;
    m->findings.v = NULL;
    m->threats.v = NULL;
    m->asset_types.v = NULL;
    m->assets.v = NULL;
    m->processes.v = NULL;
    m->artefacts.v = NULL;
    m->treatments.v = NULL;
    engine_idmap *maps[] = {&m->map_frameworks, &m->map_controls,    &m->map_subs,
                            &m->map_metrics,    &m->map_incidents,   &m->map_findings,
                            &m->map_threats,    &m->map_asset_types, &m->map_assets,
                            &m->map_processes,  &m->map_artefacts};
    const engine_idmap *smaps[] = {&src->map_frameworks, &src->map_controls,    &src->map_subs,
                                   &src->map_metrics,    &src->map_incidents,   &src->map_findings,
                                   &src->map_threats,    &src->map_asset_types, &src->map_assets,
                                   &src->map_processes,  &src->map_artefacts};
    size_t nmaps = sizeof maps / sizeof maps[0];
    for (size_t i = 0; i < nmaps; i++)
        maps[i]->slots = NULL;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nmaps; i++)
        rc = clone_map(maps[i], smaps[i]);
    m->arena_cap = src->arena_n;
    if (rc || engine_copy_block(&m->arena, src->arena, (size_t)src->arena_n, 1) ||
        CLONE_ARRAY(frameworks) || CLONE_ARRAY(domains) || CLONE_ARRAY(assets) ||
        CLONE_ARRAY(controls) || CLONE_ARRAY(subs) || CLONE_ARRAY(metrics) ||
        CLONE_ARRAY(incidents) || CLONE_ARRAY(findings) || CLONE_ARRAY(threats) ||
        CLONE_ARRAY(asset_types) || CLONE_ARRAY(processes) || CLONE_ARRAY(artefacts) ||
        CLONE_ARRAY(treatments))
        goto nomem_arrays;
    for (int32_t i = 0; i < m->controls.n; i++) {
        engine_control *x = &m->controls.v[i];
        x->subs.v = x->incidents.v = x->findings.v = x->artefacts.v = NULL;
        x->metrics.v = x->mitig.v = NULL;
    }
    for (int32_t i = 0; i < m->subs.n; i++)
        m->subs.v[i].controls.v = NULL;
    for (int32_t i = 0; i < m->metrics.n; i++) {
        m->metrics.v[i].controls.v = NULL;
        m->metrics.v[i].samples = NULL;
        m->metrics.v[i].counts = NULL;
    }
    for (int32_t i = 0; i < m->incidents.n; i++) {
        engine_incident *x = &m->incidents.v[i];
        x->controls.v = x->assets.v = x->processes.v = NULL;
    }
    for (int32_t i = 0; i < m->findings.n; i++)
        m->findings.v[i].controls.v = NULL;
    for (int32_t i = 0; i < m->threats.n; i++) {
        m->threats.v[i].mitig.v = NULL;
        m->threats.v[i].incidents.v = NULL;
        m->threats.v[i].treatments.v = NULL;
    }
    for (int32_t i = 0; i < m->artefacts.n; i++)
        m->artefacts.v[i].controls.v = NULL;
    for (int32_t i = 0; i < m->asset_types.n; i++) {
        m->asset_types.v[i].rows.v = NULL;
        m->asset_types.v[i].by_threat = NULL;
    }
    for (int32_t i = 0; i < m->processes.n; i++) {
        m->processes.v[i].exercises = NULL;
        m->processes.v[i].incidents.v = NULL;
    }
    /* Every list but the metrics' into the clone's chunks (lists_block in model.h). A
     * copy's lists are its source's chunks' and those made since, which are few; a model
     * built item by item has no chunks, and its copy's are of LISTS_CHUNK. */
    struct placer fill = {.m = m, .expected = src->lists_block ? 0 : SIZE_MAX};
    for (const struct engine_lists_chunk *c = src->lists_block; c; c = c->next)
        fill.expected += c->used;
    if (src->lists_block && lists_slack)
        fill.expected += fill.expected / 8 + 256;
    place_lists(m, src, &fill);
    if (fill.failed)
        goto nomem;
    for (int32_t i = 0; i < m->metrics.n; i++) {
        engine_metric *x = &m->metrics.v[i];
        const engine_metric *s = &src->metrics.v[i];
        x->sample_cap = s->sample_n;
        if (CLONE_LIST(x->controls, s->controls) ||
            engine_copy_block(&x->samples, s->samples, (size_t)s->sample_n, sizeof *s->samples) ||
            (s->counts &&
             engine_copy_block(&x->counts, s->counts, (size_t)s->sample_n, sizeof *s->counts)))
            goto nomem;
    }
    for (int32_t i = 0; i < m->asset_types.n; i++) {
        engine_asset_type *x = &m->asset_types.v[i];
        const engine_asset_type *s = &src->asset_types.v[i];
        if (engine_copy_block(&x->by_threat, s->by_threat, (size_t)s->by_threat_n, sizeof(double)))
            goto nomem;
    }
    for (int32_t i = 0; i < m->processes.n; i++) {
        engine_process *x = &m->processes.v[i];
        const engine_process *s = &src->processes.v[i];
        x->exercise_cap = s->exercise_n;
        if (engine_copy_block(&x->exercises, s->exercises, (size_t)s->exercise_n,
                              sizeof *s->exercises))
            goto nomem;
    }
    *out = m;
    return 0;
nomem_arrays:
    /* Elements copied so far still point at src's lists: free the arrays only. */
    m->controls.n = m->subs.n = m->metrics.n = m->incidents.n = m->findings.n = 0;
    m->threats.n = m->asset_types.n = m->processes.n = m->artefacts.n = 0;
nomem:
    engine_model_free(m);
    return IMS_ENOMEM;
}

int engine_model_clone(const engine_model *src, engine_model **out)
{
    return model_copy(src, out, true);
}

int engine_model_compact(engine_model **model)
{
    /* A first copy puts the lists in chunks; a copy of it sizes its chunks by theirs. */
    engine_model *first, *copy;
    if (model_copy(*model, &first, false))
        return IMS_ENOMEM;
    int rc = model_copy(first, &copy, false);
    engine_model_free(first);
    if (rc)
        return IMS_ENOMEM;
    copy->clone_of = NULL;
    copy->clone_stamp = 0;
    engine_model_free(*model);
    *model = copy;
    return 0;
}

/* ---- lookups ------------------------------------------------------------------------- */

int32_t engine_lookup(const engine_model *m, const engine_idmap *map, const char *id,
                      int32_t (*name_of)(const engine_model *, int32_t))
{
    (void)name_of;
    return engine_idmap_find(m, map, id);
}

int32_t engine_control_name(const engine_model *m, int32_t i)
{
    return m->controls.v[i].name;
}

int32_t engine_sub_name(const engine_model *m, int32_t i)
{
    return m->subs.v[i].name;
}

int32_t engine_finding_name(const engine_model *m, int32_t i)
{
    return m->findings.v[i].name;
}

int engine_register_id(engine_model *m, engine_idmap *map, const char *id, int32_t idx,
                       int32_t *name)
{
    int32_t off = engine_arena_add(m, id);
    if (off < 0)
        return IMS_ENOMEM;
    if (engine_idmap_put(m, map, off, idx))
        return IMS_ENOMEM;
    *name = off;
    return 0;
}

int engine_resolve_controls(engine_model *m, const char *const *ids, size_t n, engine_ilist *out,
                            engine_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int32_t c = ids[i] ? engine_idmap_find(m, &m->map_controls, ids[i]) : -1;
        if (c < 0)
            return engine_fail(err, IMS_ENOTFOUND, "controls[%zu]: unknown control \"%s\"", i,
                               ids[i] ? ids[i] : "");
        if (engine_ilist_contains(out, c))
            return engine_fail(err, IMS_EINVAL, "controls[%zu]: duplicate control \"%s\"", i,
                               ids[i]);
        if (engine_ilist_push(out, c))
            return engine_fail(err, IMS_ENOMEM, "out of memory");
    }
    return 0;
}

int engine_model_take(engine_model *dst, engine_model *src)
{
    if (dst->merge_samples && !src->merge_samples && engine_samples_merge(src))
        return IMS_ENOMEM;
    uint64_t stamp = dst->stamp > src->stamp ? dst->stamp : src->stamp;
    engine_model tmp = *dst;
    *dst = *src;
    *src = tmp;
    dst->stamp = stamp + 1;
    dst->clone_of = NULL;
    dst->clone_stamp = 0;
    return 0;
}
