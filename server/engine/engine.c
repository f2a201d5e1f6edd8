/*
 * The security-level engine: building and mutating a model, and evaluating it.
 * See engine.h for the model's decisions and model.h for the layout.
 */
#include "model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400.0

/* ---- small containers ---------------------------------------------------------------- */

static int reserve(void *array_ptr, int32_t *cap, int32_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    int32_t ncap = *cap ? *cap : 4;
    while (ncap < need)
        ncap *= 2;
    void *old;
    memcpy(&old, array_ptr, sizeof old);
    void *nv = realloc(old, (size_t)ncap * size);
    if (!nv)
        return IMS_ENOMEM;
    memcpy(array_ptr, &nv, sizeof nv);
    *cap = ncap;
    return 0;
}

#define VEC_RESERVE(vec, need) reserve(&(vec).v, &(vec).cap, (need), sizeof(*(vec).v))

static int ilist_push(engine_ilist *l, int32_t x)
{
    if (reserve(&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return IMS_ENOMEM;
    l->v[l->n++] = x;
    return 0;
}

static bool ilist_contains(const engine_ilist *l, int32_t x)
{
    for (int32_t i = 0; i < l->n; i++)
        if (l->v[i] == x)
            return true;
    return false;
}

static void ilist_remove(engine_ilist *l, int32_t x)
{
    for (int32_t i = 0; i < l->n; i++) {
        if (l->v[i] == x) {
            memmove(l->v + i, l->v + i + 1, (size_t)(l->n - i - 1) * sizeof *l->v);
            l->n--;
            return;
        }
    }
}

static int elist_push(engine_elist *l, int32_t to, double w)
{
    if (reserve(&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return IMS_ENOMEM;
    l->v[l->n].to = to;
    l->v[l->n].w = w;
    l->n++;
    return 0;
}

static int copy_block(void *dst_ptr, const void *src, size_t n, size_t size)
{
    void *p = NULL;
    if (n) {
        p = malloc(n * size);
        if (!p)
            return IMS_ENOMEM;
        memcpy(p, src, n * size);
    }
    memcpy(dst_ptr, &p, sizeof p);
    return 0;
}

static int32_t arena_add(engine_model *m, const char *s)
{
    size_t len = strlen(s) + 1;
    if (len > (size_t)(INT32_MAX / 2) || m->arena_n > INT32_MAX / 2)
        return IMS_ENOMEM;
    if (reserve(&m->arena, &m->arena_cap, m->arena_n + (int32_t)len, 1))
        return IMS_ENOMEM;
    int32_t off = m->arena_n;
    memcpy(m->arena + off, s, len);
    m->arena_n += (int32_t)len;
    return off;
}

/* ---- id maps ------------------------------------------------------------------------- */

static uint32_t hash_string(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Slots hold (name offset, index) packed as two int32: slots[2k] = name, slots[2k+1] = idx. */
static int32_t idmap_find(const engine_model *m, const engine_idmap *map, const char *id)
{
    if (!map->cap)
        return -1;
    uint32_t mask = (uint32_t)map->cap - 1;
    for (uint32_t h = hash_string(id) & mask;; h = (h + 1) & mask) {
        int32_t idx = map->slots[2 * h + 1];
        if (idx < 0)
            return -1;
        if (strcmp(m->arena + map->slots[2 * h], id) == 0)
            return idx;
    }
}

static void idmap_insert_slot(const engine_model *m, engine_idmap *map, int32_t name, int32_t idx)
{
    uint32_t mask = (uint32_t)map->cap - 1;
    uint32_t h = hash_string(m->arena + name) & mask;
    while (map->slots[2 * h + 1] >= 0)
        h = (h + 1) & mask;
    map->slots[2 * h] = name;
    map->slots[2 * h + 1] = idx;
}

static int idmap_put(const engine_model *m, engine_idmap *map, int32_t name, int32_t idx)
{
    if ((map->n + 1) * 2 > map->cap) {
        int32_t ncap = map->cap ? map->cap * 2 : 16;
        int32_t *ns = malloc((size_t)ncap * 2 * sizeof *ns);
        if (!ns)
            return IMS_ENOMEM;
        for (int32_t i = 0; i < ncap; i++)
            ns[2 * i + 1] = -1;
        int32_t *old = map->slots;
        int32_t ocap = map->cap;
        map->slots = ns;
        map->cap = ncap;
        for (int32_t i = 0; i < ocap; i++)
            if (old[2 * i + 1] >= 0)
                idmap_insert_slot(m, map, old[2 * i], old[2 * i + 1]);
        free(old);
    }
    idmap_insert_slot(m, map, name, idx);
    map->n++;
    return 0;
}

static void idmap_clear(engine_idmap *map)
{
    for (int32_t i = 0; i < map->cap; i++)
        map->slots[2 * i + 1] = -1;
    map->n = 0;
}

/* ---- errors -------------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int fail(engine_error *err, int code, const char *fmt,
                                                      ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

static int check_id(const char *id, engine_error *err)
{
    if (!id || !*id)
        return fail(err, IMS_EINVAL, "id: must not be empty");
    return 0;
}

static bool in_range(double x, double lo, double hi)
{
    return isfinite(x) && x >= lo && x <= hi;
}

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
}

int engine_params_check(const engine_params *p, engine_error *err)
{
    static const char *unit_names[] = {"beta",  "gamma",     "cap_major_nc", "cap_minor_nc",
                                       "theta", "beta_risk", "beta_bcms"};
    const double unit[] = {p->beta,  p->gamma,     p->cap_major_nc, p->cap_minor_nc,
                           p->theta, p->beta_risk, p->beta_bcms};
    for (size_t i = 0; i < sizeof unit / sizeof unit[0]; i++)
        if (!in_range(unit[i], 0, 1))
            return fail(err, IMS_EINVAL, "%s: must be in [0, 1]", unit_names[i]);
    if (!isfinite(p->half_life_days) || p->half_life_days <= 0)
        return fail(err, IMS_EINVAL, "half_life_days: must be > 0");
    if (!in_range(p->likelihood_window_days, 1.0 / DAY, 36500) ||
        p->likelihood_window_days * DAY < 1)
        return fail(err, IMS_EINVAL, "likelihood_window_days: must be in (0, 36500]");
    if (!in_range(p->review_window_days, 1.0 / DAY, 36500))
        return fail(err, IMS_EINVAL, "review_window_days: must be in (0, 36500]");
    if (p->appetite < 1 || p->appetite > 5)
        return fail(err, IMS_EINVAL, "appetite: must be in 1..5");
    static const char *sys[] = {"system_weights.ISMS", "system_weights.BCMS", "system_weights.RMS"};
    for (int s = 0; s < ENGINE_SYSTEM_COUNT; s++)
        if (!in_range(p->system_weight[s], 0, 1e6))
            return fail(err, IMS_EINVAL, "%s: must be >= 0", sys[s]);
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
    if (systems & ~7u)
        return fail(err, IMS_EINVAL, "systems: unknown system");
    engine_model *m = calloc(1, sizeof *m);
    if (!m)
        return fail(err, IMS_ENOMEM, "out of memory");
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

static void free_model_lists(engine_model *m)
{
    for (int32_t i = 0; i < m->controls.n; i++) {
        engine_control *c = &m->controls.v[i];
        free(c->subs.v);
        free(c->metrics.v);
        free(c->mitig.v);
        free(c->incidents.v);
        free(c->findings.v);
    }
    for (int32_t i = 0; i < m->subs.n; i++)
        free(m->subs.v[i].controls.v);
    for (int32_t i = 0; i < m->metrics.n; i++) {
        free(m->metrics.v[i].controls.v);
        free(m->metrics.v[i].samples);
    }
    for (int32_t i = 0; i < m->incidents.n; i++) {
        free(m->incidents.v[i].controls.v);
        free(m->incidents.v[i].assets.v);
        free(m->incidents.v[i].processes.v);
    }
    for (int32_t i = 0; i < m->findings.n; i++)
        free(m->findings.v[i].controls.v);
    for (int32_t i = 0; i < m->threats.n; i++) {
        free(m->threats.v[i].mitig.v);
        free(m->threats.v[i].incidents.v);
    }
    for (int32_t i = 0; i < m->asset_types.n; i++) {
        free(m->asset_types.v[i].rows.v);
        free(m->asset_types.v[i].by_threat);
    }
    for (int32_t i = 0; i < m->processes.n; i++) {
        free(m->processes.v[i].exercises);
        free(m->processes.v[i].incidents.v);
    }
}

static void free_model_arrays(engine_model *m)
{
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
    engine_idmap *maps[] = {&m->map_frameworks, &m->map_controls,    &m->map_subs,
                            &m->map_metrics,    &m->map_incidents,   &m->map_findings,
                            &m->map_threats,    &m->map_asset_types, &m->map_assets,
                            &m->map_processes};
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

static int clone_map(engine_idmap *map)
{
    return copy_block(&map->slots, map->slots, (size_t)map->cap * 2, sizeof *map->slots);
}

/* Copies an array of src into the same field of m (which holds src's pointer on entry). */
#define CLONE_ARRAY(field)                                                                         \
    (m->field.cap = src->field.n,                                                                  \
     copy_block(&m->field.v, src->field.v, (size_t)src->field.n, sizeof *src->field.v))

#define CLONE_LIST(dst, srcl)                                                                      \
    ((dst).cap = (srcl).n, copy_block(&(dst).v, (srcl).v, (size_t)(srcl).n, sizeof *(srcl).v))

int engine_model_clone(const engine_model *src, engine_model **out)
{
    engine_model *m = calloc(1, sizeof *m);
    if (!m)
        return IMS_ENOMEM;
    *m = *src;
    /* First null every owned pointer, so that a failure frees only what was copied. */
    m->arena = NULL;
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
    engine_idmap *maps[] = {&m->map_frameworks, &m->map_controls,    &m->map_subs,
                            &m->map_metrics,    &m->map_incidents,   &m->map_findings,
                            &m->map_threats,    &m->map_asset_types, &m->map_assets,
                            &m->map_processes};
    const engine_idmap *smaps[] = {&src->map_frameworks, &src->map_controls,    &src->map_subs,
                                   &src->map_metrics,    &src->map_incidents,   &src->map_findings,
                                   &src->map_threats,    &src->map_asset_types, &src->map_assets,
                                   &src->map_processes};
    size_t nmaps = sizeof maps / sizeof maps[0];
    for (size_t i = 0; i < nmaps; i++)
        maps[i]->slots = NULL;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nmaps; i++) {
        maps[i]->slots = smaps[i]->slots;
        rc = clone_map(maps[i]);
    }
    m->arena_cap = src->arena_n;
    if (rc || copy_block(&m->arena, src->arena, (size_t)src->arena_n, 1) ||
        CLONE_ARRAY(frameworks) || CLONE_ARRAY(domains) || CLONE_ARRAY(assets) ||
        CLONE_ARRAY(controls) || CLONE_ARRAY(subs) || CLONE_ARRAY(metrics) ||
        CLONE_ARRAY(incidents) || CLONE_ARRAY(findings) || CLONE_ARRAY(threats) ||
        CLONE_ARRAY(asset_types) || CLONE_ARRAY(processes))
        goto nomem_arrays;
    for (int32_t i = 0; i < m->controls.n; i++) {
        engine_control *x = &m->controls.v[i];
        x->subs.v = x->incidents.v = x->findings.v = NULL;
        x->metrics.v = x->mitig.v = NULL;
    }
    for (int32_t i = 0; i < m->subs.n; i++)
        m->subs.v[i].controls.v = NULL;
    for (int32_t i = 0; i < m->metrics.n; i++) {
        m->metrics.v[i].controls.v = NULL;
        m->metrics.v[i].samples = NULL;
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
    }
    for (int32_t i = 0; i < m->asset_types.n; i++) {
        m->asset_types.v[i].rows.v = NULL;
        m->asset_types.v[i].by_threat = NULL;
    }
    for (int32_t i = 0; i < m->processes.n; i++) {
        m->processes.v[i].exercises = NULL;
        m->processes.v[i].incidents.v = NULL;
    }
    for (int32_t i = 0; i < m->controls.n; i++) {
        engine_control *x = &m->controls.v[i];
        const engine_control *s = &src->controls.v[i];
        if (CLONE_LIST(x->subs, s->subs) || CLONE_LIST(x->incidents, s->incidents) ||
            CLONE_LIST(x->findings, s->findings) || CLONE_LIST(x->metrics, s->metrics) ||
            CLONE_LIST(x->mitig, s->mitig))
            goto nomem;
    }
    for (int32_t i = 0; i < m->subs.n; i++)
        if (CLONE_LIST(m->subs.v[i].controls, src->subs.v[i].controls))
            goto nomem;
    for (int32_t i = 0; i < m->metrics.n; i++) {
        engine_metric *x = &m->metrics.v[i];
        const engine_metric *s = &src->metrics.v[i];
        x->sample_cap = s->sample_n;
        if (CLONE_LIST(x->controls, s->controls) ||
            copy_block(&x->samples, s->samples, (size_t)s->sample_n, sizeof *s->samples))
            goto nomem;
    }
    for (int32_t i = 0; i < m->incidents.n; i++) {
        engine_incident *x = &m->incidents.v[i];
        const engine_incident *s = &src->incidents.v[i];
        if (CLONE_LIST(x->controls, s->controls) || CLONE_LIST(x->assets, s->assets) ||
            CLONE_LIST(x->processes, s->processes))
            goto nomem;
    }
    for (int32_t i = 0; i < m->findings.n; i++)
        if (CLONE_LIST(m->findings.v[i].controls, src->findings.v[i].controls))
            goto nomem;
    for (int32_t i = 0; i < m->threats.n; i++)
        if (CLONE_LIST(m->threats.v[i].mitig, src->threats.v[i].mitig) ||
            CLONE_LIST(m->threats.v[i].incidents, src->threats.v[i].incidents))
            goto nomem;
    for (int32_t i = 0; i < m->asset_types.n; i++) {
        engine_asset_type *x = &m->asset_types.v[i];
        const engine_asset_type *s = &src->asset_types.v[i];
        if (CLONE_LIST(x->rows, s->rows) ||
            copy_block(&x->by_threat, s->by_threat, (size_t)s->by_threat_n, sizeof(double)))
            goto nomem;
    }
    for (int32_t i = 0; i < m->processes.n; i++) {
        engine_process *x = &m->processes.v[i];
        const engine_process *s = &src->processes.v[i];
        x->exercise_cap = s->exercise_n;
        if (CLONE_LIST(x->incidents, s->incidents) ||
            copy_block(&x->exercises, s->exercises, (size_t)s->exercise_n, sizeof *s->exercises))
            goto nomem;
    }
    *out = m;
    return 0;
nomem_arrays:
    /* Elements copied so far still point at src's lists: free the arrays only. */
    m->controls.n = m->subs.n = m->metrics.n = m->incidents.n = m->findings.n = 0;
    m->threats.n = m->asset_types.n = m->processes.n = 0;
nomem:
    engine_model_free(m);
    return IMS_ENOMEM;
}

/* ---- lookups ------------------------------------------------------------------------- */

int32_t engine_lookup(const engine_model *m, const engine_idmap *map, const char *id,
                      int32_t (*name_of)(const engine_model *, int32_t))
{
    (void)name_of;
    return idmap_find(m, map, id);
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

/* Adds the id to the arena and the map; the entity's index is `idx`. */
static int register_id(engine_model *m, engine_idmap *map, const char *id, int32_t idx,
                       int32_t *name)
{
    int32_t off = arena_add(m, id);
    if (off < 0)
        return IMS_ENOMEM;
    if (idmap_put(m, map, off, idx))
        return IMS_ENOMEM;
    *name = off;
    return 0;
}

/* Resolves a list of control ids into `out` (no duplicates). */
static int resolve_controls(engine_model *m, const char *const *ids, size_t n, engine_ilist *out,
                            engine_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int32_t c = ids[i] ? idmap_find(m, &m->map_controls, ids[i]) : -1;
        if (c < 0)
            return fail(err, IMS_ENOTFOUND, "controls[%zu]: unknown control \"%s\"", i,
                        ids[i] ? ids[i] : "");
        if (ilist_contains(out, c))
            return fail(err, IMS_EINVAL, "controls[%zu]: duplicate control \"%s\"", i, ids[i]);
        if (ilist_push(out, c))
            return fail(err, IMS_ENOMEM, "out of memory");
    }
    return 0;
}

/* ---- structure ----------------------------------------------------------------------- */

int engine_framework_add(engine_model *m, const char *id, enum engine_system system,
                         engine_error *err)
{
    int rc = check_id(id, err);
    if (rc)
        return rc;
    if ((unsigned)system >= ENGINE_SYSTEM_COUNT)
        return fail(err, IMS_EINVAL, "system: unknown system");
    if (idmap_find(m, &m->map_frameworks, id) >= 0)
        return fail(err, IMS_EEXISTS, "id: duplicate framework \"%s\"", id);
    if (VEC_RESERVE(m->frameworks, m->frameworks.n + 1))
        return fail(err, IMS_ENOMEM, "out of memory");
    engine_framework *f = &m->frameworks.v[m->frameworks.n];
    memset(f, 0, sizeof *f);
    f->system = system;
    if (register_id(m, &m->map_frameworks, id, m->frameworks.n, &f->name))
        return fail(err, IMS_ENOMEM, "out of memory");
    m->frameworks.n++;
    return 0;
}

static int32_t find_or_add_domain(engine_model *m, int32_t framework, const char *name)
{
    for (int32_t i = 0; i < m->domains.n; i++)
        if (m->domains.v[i].framework == framework &&
            strcmp(engine_name(m, m->domains.v[i].name), name) == 0)
            return i;
    if (VEC_RESERVE(m->domains, m->domains.n + 1))
        return IMS_ENOMEM;
    int32_t off = arena_add(m, name);
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
    int rc = check_id(in->id, err);
    if (rc)
        return rc;
    if (idmap_find(m, &m->map_controls, in->id) >= 0)
        return fail(err, IMS_EEXISTS, "id: duplicate control \"%s\"", in->id);
    int32_t fw = in->framework ? idmap_find(m, &m->map_frameworks, in->framework) : -1;
    if (fw < 0)
        return fail(err, IMS_ENOTFOUND, "framework: unknown framework \"%s\"",
                    in->framework ? in->framework : "");
    if (!isfinite(in->weight) || in->weight <= 0)
        return fail(err, IMS_EINVAL, "weight: must be > 0");
    int32_t dom = find_or_add_domain(m, fw, in->domain ? in->domain : "");
    if (dom < 0 || VEC_RESERVE(m->controls, m->controls.n + 1))
        return fail(err, IMS_ENOMEM, "out of memory");
    engine_control *c = &m->controls.v[m->controls.n];
    memset(c, 0, sizeof *c);
    c->framework = fw;
    c->domain = dom;
    c->weight = in->weight;
    c->declared = in->applicable;
    c->dirty = ENGINE_DIRTY_A | ENGINE_DIRTY_Q | ENGINE_DIRTY_P | ENGINE_DIRTY_K;
    if (register_id(m, &m->map_controls, in->id, m->controls.n, &c->name))
        return fail(err, IMS_ENOMEM, "out of memory");
    m->controls.n++;
    return 0;
}

static void mark_controls(engine_model *m, const engine_ilist *l, unsigned bits)
{
    for (int32_t i = 0; i < l->n; i++)
        m->controls.v[l->v[i]].dirty |= bits;
}

int engine_subcontrol_add(engine_model *m, const engine_subcontrol_input *in, engine_error *err)
{
    int rc = check_id(in->id, err);
    if (rc)
        return rc;
    if (idmap_find(m, &m->map_subs, in->id) >= 0)
        return fail(err, IMS_EEXISTS, "id: duplicate sub-control \"%s\"", in->id);
    if (in->control_count == 0)
        return fail(err, IMS_EINVAL, "controls: must name at least one control");
    if (in->level < 1 || in->level > 3)
        return fail(err, IMS_EINVAL, "level: must be 1, 2 or 3");
    if (!isfinite(in->weight) || in->weight <= 0)
        return fail(err, IMS_EINVAL, "weight: must be > 0");
    if (!isfinite(in->effort) || in->effort < 0)
        return fail(err, IMS_EINVAL, "effort: must be > 0");
    if ((unsigned)in->answer > ENGINE_ANSWER_NA)
        return fail(err, IMS_EINVAL, "answer: unknown answer");
    engine_ilist controls = {0};
    rc = resolve_controls(m, in->controls, in->control_count, &controls, err);
    if (rc == 0 && VEC_RESERVE(m->subs, m->subs.n + 1))
        rc = fail(err, IMS_ENOMEM, "out of memory");
    for (int32_t i = 0; rc == 0 && i < controls.n; i++) {
        engine_control *c = &m->controls.v[controls.v[i]];
        if (reserve(&c->subs.v, &c->subs.cap, c->subs.n + 1, sizeof(int32_t)))
            rc = fail(err, IMS_ENOMEM, "out of memory");
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
    if (register_id(m, &m->map_subs, in->id, m->subs.n, &s->name)) {
        free(controls.v);
        return fail(err, IMS_ENOMEM, "out of memory");
    }
    for (int32_t i = 0; i < controls.n; i++) {
        engine_control *c = &m->controls.v[controls.v[i]];
        c->subs.v[c->subs.n++] = m->subs.n;
        c->dirty |= ENGINE_DIRTY_A;
    }
    m->subs.n++;
    return 0;
}

int engine_metric_add(engine_model *m, const engine_metric_input *in, engine_error *err)
{
    int rc = check_id(in->id, err);
    if (rc)
        return rc;
    if (idmap_find(m, &m->map_metrics, in->id) >= 0)
        return fail(err, IMS_EEXISTS, "id: duplicate metric \"%s\"", in->id);
    if (!isfinite(in->target))
        return fail(err, IMS_EINVAL, "target: must be a finite number");
    if (!isfinite(in->threshold) || in->threshold == in->target)
        return fail(err, IMS_EINVAL, "threshold: must differ from target");
    if ((unsigned)in->aggregation > ENGINE_AGG_MAX)
        return fail(err, IMS_EINVAL, "aggregation: unknown aggregation");
    if (in->window < 0 || (in->aggregation != ENGINE_AGG_LAST && in->window <= 0))
        return fail(err, IMS_EINVAL, "window: must be > 0");
    if (in->max_age <= 0)
        return fail(err, IMS_EINVAL, "max_age: must be > 0");
    engine_elist edges = {0};
    for (size_t i = 0; i < in->control_count; i++) {
        const engine_metric_mapping *mp = &in->controls[i];
        int32_t c = mp->control ? idmap_find(m, &m->map_controls, mp->control) : -1;
        if (c < 0)
            rc = fail(err, IMS_ENOTFOUND, "controls[%zu].control: unknown control \"%s\"", i,
                      mp->control ? mp->control : "");
        else if (!isfinite(mp->weight) || mp->weight <= 0)
            rc = fail(err, IMS_EINVAL, "controls[%zu].weight: must be > 0", i);
        for (int32_t k = 0; rc == 0 && k < edges.n; k++)
            if (edges.v[k].to == c)
                rc = fail(err, IMS_EINVAL, "controls[%zu].control: duplicate control \"%s\"", i,
                          mp->control);
        if (rc == 0 && elist_push(&edges, c, mp->weight))
            rc = fail(err, IMS_ENOMEM, "out of memory");
        if (rc) {
            free(edges.v);
            return rc;
        }
    }
    if (VEC_RESERVE(m->metrics, m->metrics.n + 1))
        rc = IMS_ENOMEM;
    for (int32_t i = 0; rc == 0 && i < edges.n; i++) {
        engine_control *c = &m->controls.v[edges.v[i].to];
        if (reserve(&c->metrics.v, &c->metrics.cap, c->metrics.n + 1, sizeof(engine_edge)))
            rc = IMS_ENOMEM;
    }
    engine_metric *x = rc ? NULL : &m->metrics.v[m->metrics.n];
    if (x) {
        memset(x, 0, sizeof *x);
        if (register_id(m, &m->map_metrics, in->id, m->metrics.n, &x->name))
            rc = IMS_ENOMEM;
    }
    if (rc) {
        free(edges.v);
        return fail(err, rc, "out of memory");
    }
    x->target = in->target;
    x->threshold = in->threshold;
    x->aggregation = in->aggregation;
    x->window = in->window;
    x->max_age = in->max_age;
    x->controls = edges;
    x->dirty = true;
    for (int32_t i = 0; i < edges.n; i++) {
        engine_control *c = &m->controls.v[edges.v[i].to];
        c->metrics.v[c->metrics.n].to = m->metrics.n;
        c->metrics.v[c->metrics.n].w = edges.v[i].w;
        c->metrics.n++;
        c->dirty |= ENGINE_DIRTY_Q;
    }
    m->metrics.n++;
    return 0;
}

int engine_sample_add(engine_model *m, const char *metric, int64_t at, double value,
                      engine_error *err)
{
    int32_t mi = metric ? idmap_find(m, &m->map_metrics, metric) : -1;
    if (mi < 0)
        return fail(err, IMS_ENOTFOUND, "metric: unknown metric \"%s\"", metric ? metric : "");
    if (!isfinite(value))
        return fail(err, IMS_EINVAL, "value: must be a finite number");
    engine_metric *x = &m->metrics.v[mi];
    if (reserve(&x->samples, &x->sample_cap, x->sample_n + 1, sizeof *x->samples))
        return fail(err, IMS_ENOMEM, "out of memory");
    /* Upper bound: equal times keep insertion order. */
    int32_t lo = 0, hi = x->sample_n;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (x->samples[mid].at <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(x->samples + lo + 1, x->samples + lo, (size_t)(x->sample_n - lo) * sizeof *x->samples);
    x->samples[lo].at = at;
    x->samples[lo].value = value;
    x->sample_n++;
    x->dirty = true;
    return 0;
}

int engine_threat_add(engine_model *m, const engine_threat_input *in, engine_error *err)
{
    int rc = check_id(in->id, err);
    if (rc)
        return rc;
    if (idmap_find(m, &m->map_threats, in->id) >= 0)
        return fail(err, IMS_EEXISTS, "id: duplicate threat \"%s\"", in->id);
    if (!in_range(in->likelihood, 1, 5))
        return fail(err, IMS_EINVAL, "likelihood: must be in [1, 5]");
    if (in->dimensions == 0 || (in->dimensions & ~7u))
        return fail(err, IMS_EINVAL, "dimensions: must name at least one of C, I, A");
    if (VEC_RESERVE(m->threats, m->threats.n + 1))
        return fail(err, IMS_ENOMEM, "out of memory");
    engine_threat *t = &m->threats.v[m->threats.n];
    memset(t, 0, sizeof *t);
    t->likelihood = in->likelihood;
    t->dims = in->dimensions;
    t->dirty = ENGINE_DIRTY_LAMBDA | ENGINE_DIRTY_RESIDUAL | ENGINE_DIRTY_IMPACT;
    if (register_id(m, &m->map_threats, in->id, m->threats.n, &t->name))
        return fail(err, IMS_ENOMEM, "out of memory");
    m->threats.n++;
    return 0;
}

int engine_asset_type_add(engine_model *m, const engine_asset_type_input *in, engine_error *err)
{
    int rc = check_id(in->id, err);
    if (rc)
        return rc;
    if (idmap_find(m, &m->map_asset_types, in->id) >= 0)
        return fail(err, IMS_EEXISTS, "id: duplicate asset type \"%s\"", in->id);
    engine_asset_type at = {0};
    for (size_t i = 0; rc == 0 && i < in->threat_count; i++) {
        const engine_degradation *d = &in->threats[i];
        int32_t t = d->threat ? idmap_find(m, &m->map_threats, d->threat) : -1;
        if (t < 0)
            rc = fail(err, IMS_ENOTFOUND, "threats[%zu].threat: unknown threat \"%s\"", i,
                      d->threat ? d->threat : "");
        else if (!isfinite(d->degradation) || d->degradation <= 0 || d->degradation > 1)
            rc = fail(err, IMS_EINVAL, "threats[%zu].degradation: must be in (0, 1]", i);
        for (int32_t k = 0; rc == 0 && k < at.rows.n; k++)
            if (at.rows.v[k].to == t)
                rc = fail(err, IMS_EINVAL, "threats[%zu].threat: duplicate threat \"%s\"", i,
                          d->threat);
        if (rc == 0 && elist_push(&at.rows, t, d->degradation))
            rc = fail(err, IMS_ENOMEM, "out of memory");
    }
    if (rc == 0 && m->threats.n > 0) {
        at.by_threat = calloc((size_t)m->threats.n, sizeof(double));
        at.by_threat_n = m->threats.n;
        if (!at.by_threat)
            rc = fail(err, IMS_ENOMEM, "out of memory");
    }
    if (rc == 0 && VEC_RESERVE(m->asset_types, m->asset_types.n + 1))
        rc = fail(err, IMS_ENOMEM, "out of memory");
    if (rc == 0 && register_id(m, &m->map_asset_types, in->id, m->asset_types.n, &at.name))
        rc = fail(err, IMS_ENOMEM, "out of memory");
    if (rc) {
        free(at.rows.v);
        free(at.by_threat);
        return rc;
    }
    for (int32_t k = 0; k < at.rows.n; k++) {
        at.by_threat[at.rows.v[k].to] = at.rows.v[k].w;
        m->threats.v[at.rows.v[k].to].dirty |= ENGINE_DIRTY_IMPACT;
    }
    m->asset_types.v[m->asset_types.n++] = at;
    return 0;
}

int engine_mitigation_add(engine_model *m, const char *threat, const char *control,
                          double effectiveness, engine_error *err)
{
    int32_t t = threat ? idmap_find(m, &m->map_threats, threat) : -1;
    if (t < 0)
        return fail(err, IMS_ENOTFOUND, "threat: unknown threat \"%s\"", threat ? threat : "");
    int32_t c = control ? idmap_find(m, &m->map_controls, control) : -1;
    if (c < 0)
        return fail(err, IMS_ENOTFOUND, "control: unknown control \"%s\"", control ? control : "");
    if (!in_range(effectiveness, 0, 1))
        return fail(err, IMS_EINVAL, "effectiveness: must be in [0, 1]");
    engine_threat *th = &m->threats.v[t];
    engine_control *ct = &m->controls.v[c];
    for (int32_t i = 0; i < th->mitig.n; i++)
        if (th->mitig.v[i].to == c)
            return fail(err, IMS_EEXISTS, "control: duplicate mitigation of \"%s\" by \"%s\"",
                        threat, control);
    if (reserve(&ct->mitig.v, &ct->mitig.cap, ct->mitig.n + 1, sizeof(engine_edge)) ||
        elist_push(&th->mitig, c, effectiveness))
        return fail(err, IMS_ENOMEM, "out of memory");
    ct->mitig.v[ct->mitig.n].to = t;
    ct->mitig.v[ct->mitig.n].w = effectiveness;
    ct->mitig.n++;
    ct->dirty |= ENGINE_DIRTY_P;
    th->dirty |= ENGINE_DIRTY_RESIDUAL;
    return 0;
}

/* ---- assets -------------------------------------------------------------------------- */

static void mark_type_threats(engine_model *m, int32_t type)
{
    const engine_asset_type *at = &m->asset_types.v[type];
    for (int32_t k = 0; k < at->rows.n; k++)
        m->threats.v[at->rows.v[k].to].dirty |= ENGINE_DIRTY_IMPACT;
}

int engine_asset_put(engine_model *m, const engine_asset_input *in, engine_error *err)
{
    int rc = check_id(in->id, err);
    if (rc)
        return rc;
    int32_t type = in->type ? idmap_find(m, &m->map_asset_types, in->type) : -1;
    if (type < 0)
        return fail(err, IMS_ENOTFOUND, "type: unknown asset type \"%s\"",
                    in->type ? in->type : "");
    const int v[3] = {in->confidentiality, in->integrity, in->availability};
    static const char *names[3] = {"C", "I", "A"};
    for (int k = 0; k < 3; k++)
        if (v[k] < 0 || v[k] > 5)
            return fail(err, IMS_EINVAL, "%s: must be in 0..5", names[k]);
    int32_t a = idmap_find(m, &m->map_assets, in->id);
    if (a < 0) {
        if (VEC_RESERVE(m->assets, m->assets.n + 1))
            return fail(err, IMS_ENOMEM, "out of memory");
        a = m->assets.n;
        if (register_id(m, &m->map_assets, in->id, a, &m->assets.v[a].name))
            return fail(err, IMS_ENOMEM, "out of memory");
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
    int32_t a = id ? idmap_find(m, &m->map_assets, id) : -1;
    if (a < 0)
        return fail(err, IMS_ENOTFOUND, "id: unknown asset \"%s\"", id ? id : "");
    mark_type_threats(m, m->assets.v[a].type);
    /* Incidents keep no reference to a removed asset (it feeds no figure). */
    for (int32_t j = 0; j < m->incidents.n; j++)
        ilist_remove(&m->incidents.v[j].assets, m->assets.v[a].name);
    memmove(m->assets.v + a, m->assets.v + a + 1,
            (size_t)(m->assets.n - a - 1) * sizeof *m->assets.v);
    m->assets.n--;
    /* The map shrinks only in use; re-inserting into the same slots cannot fail. */
    idmap_clear(&m->map_assets);
    for (int32_t i = 0; i < m->assets.n; i++)
        idmap_insert_slot(m, &m->map_assets, m->assets.v[i].name, i), m->map_assets.n++;
    return 0;
}

/* ---- processes ----------------------------------------------------------------------- */

static int check_exercise(const engine_exercise *e, const char *prefix, size_t i, engine_error *err)
{
    if (!isfinite(e->recovery_min) || e->recovery_min < 0)
        return fail(err, IMS_EINVAL, "%s%zu].recovery_min: must be >= 0", prefix, i);
    return 0;
}

int engine_process_put(engine_model *m, const engine_process_input *in, engine_error *err)
{
    int rc = check_id(in->id, err);
    if (rc)
        return rc;
    if (in->criticality < 1 || in->criticality > 5)
        return fail(err, IMS_EINVAL, "criticality: must be in 1..5");
    if (!in_range(in->mtpd_min, 0, 1e12))
        return fail(err, IMS_EINVAL, "mtpd_min: must be >= 0");
    if (!in_range(in->rto_min, 0, 1e12))
        return fail(err, IMS_EINVAL, "rto_min: must be >= 0");
    if (in->rto_min > in->mtpd_min)
        return fail(err, IMS_EINVAL, "rto_min: must be <= mtpd_min");
    if (!in_range(in->rpo_min, 0, 1e12))
        return fail(err, IMS_EINVAL, "rpo_min: must be >= 0");
    for (size_t i = 0; i < in->exercise_count; i++)
        if ((rc = check_exercise(&in->exercises[i], "exercises[", i, err)))
            return rc;
    engine_exercise *ex = NULL;
    if (in->exercise_count &&
        copy_block(&ex, in->exercises, in->exercise_count, sizeof *in->exercises))
        return fail(err, IMS_ENOMEM, "out of memory");
    int32_t p = idmap_find(m, &m->map_processes, in->id);
    if (p < 0) {
        if (VEC_RESERVE(m->processes, m->processes.n + 1)) {
            free(ex);
            return fail(err, IMS_ENOMEM, "out of memory");
        }
        p = m->processes.n;
        memset(&m->processes.v[p], 0, sizeof m->processes.v[p]);
        if (register_id(m, &m->map_processes, in->id, p, &m->processes.v[p].name)) {
            free(ex);
            return fail(err, IMS_ENOMEM, "out of memory");
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
    x->dirty = true;
    return 0;
}

int engine_process_set_plan_review(engine_model *m, const char *process, int64_t at,
                                   engine_error *err)
{
    int32_t p = process ? idmap_find(m, &m->map_processes, process) : -1;
    if (p < 0)
        return fail(err, IMS_ENOTFOUND, "process: unknown process \"%s\"", process ? process : "");
    m->processes.v[p].plan_reviewed = true;
    m->processes.v[p].plan_reviewed_at = at;
    m->processes.v[p].dirty = true;
    return 0;
}

int engine_process_add_exercise(engine_model *m, const char *process,
                                const engine_exercise *exercise, engine_error *err)
{
    int32_t p = process ? idmap_find(m, &m->map_processes, process) : -1;
    if (p < 0)
        return fail(err, IMS_ENOTFOUND, "process: unknown process \"%s\"", process ? process : "");
    if (!isfinite(exercise->recovery_min) || exercise->recovery_min < 0)
        return fail(err, IMS_EINVAL, "recovery_min: must be >= 0");
    engine_process *x = &m->processes.v[p];
    if (reserve(&x->exercises, &x->exercise_cap, x->exercise_n + 1, sizeof *x->exercises))
        return fail(err, IMS_ENOMEM, "out of memory");
    x->exercises[x->exercise_n++] = *exercise;
    x->dirty = true;
    return 0;
}

/* ---- incidents ----------------------------------------------------------------------- */

/* Marks everything that depends on incident j dirty. */
static void mark_incident(engine_model *m, const engine_incident *j)
{
    mark_controls(m, &j->controls, ENGINE_DIRTY_P);
    if (j->threat >= 0) {
        engine_threat *t = &m->threats.v[j->threat];
        t->dirty |= ENGINE_DIRTY_LAMBDA;
        for (int32_t k = 0; k < t->mitig.n; k++)
            m->controls.v[t->mitig.v[k].to].dirty |= ENGINE_DIRTY_P;
    }
    for (int32_t k = 0; k < j->processes.n; k++)
        m->processes.v[j->processes.v[k]].dirty = true;
}

/* Adds (add = true) or removes incident idx from the derived indexes. */
static int index_incident(engine_model *m, int32_t idx, bool add)
{
    const engine_incident *j = &m->incidents.v[idx];
    for (int32_t k = 0; k < j->controls.n; k++) {
        engine_ilist *l = &m->controls.v[j->controls.v[k]].incidents;
        if (add) {
            if (ilist_push(l, idx))
                return IMS_ENOMEM;
        } else {
            ilist_remove(l, idx);
        }
    }
    if (j->threat >= 0) {
        engine_ilist *l = &m->threats.v[j->threat].incidents;
        if (add) {
            if (ilist_push(l, idx))
                return IMS_ENOMEM;
        } else {
            ilist_remove(l, idx);
        }
    }
    for (int32_t k = 0; k < j->processes.n; k++) {
        engine_ilist *l = &m->processes.v[j->processes.v[k]].incidents;
        if (add) {
            if (ilist_push(l, idx))
                return IMS_ENOMEM;
        } else {
            ilist_remove(l, idx);
        }
    }
    return 0;
}

static void free_incident_lists(engine_incident *j)
{
    free(j->controls.v);
    free(j->assets.v);
    free(j->processes.v);
}

int engine_incident_put(engine_model *m, const engine_incident_input *in, engine_error *err)
{
    int rc = check_id(in->id, err);
    if (rc)
        return rc;
    if (in->severity < 1 || in->severity > 5)
        return fail(err, IMS_EINVAL, "severity: must be in 1..5");
    if (in->resolved && in->resolved_at < in->opened_at)
        return fail(err, IMS_EINVAL, "resolved_at: must not be before opened_at");
    if (!in_range(in->disruption_minutes, 0, 1e12))
        return fail(err, IMS_EINVAL, "disruption_minutes: must be >= 0");
    engine_incident j = {0};
    j.threat = -1;
    if (in->threat) {
        j.threat = idmap_find(m, &m->map_threats, in->threat);
        if (j.threat < 0)
            return fail(err, IMS_ENOTFOUND, "threat: unknown threat \"%s\"", in->threat);
    }
    rc = resolve_controls(m, in->controls, in->control_count, &j.controls, err);
    for (size_t i = 0; rc == 0 && i < in->asset_count; i++) {
        int32_t a = in->assets[i] ? idmap_find(m, &m->map_assets, in->assets[i]) : -1;
        if (a < 0)
            rc = fail(err, IMS_ENOTFOUND, "assets[%zu]: unknown asset \"%s\"", i,
                      in->assets[i] ? in->assets[i] : "");
        else if (ilist_contains(&j.assets, m->assets.v[a].name))
            rc = fail(err, IMS_EINVAL, "assets[%zu]: duplicate asset \"%s\"", i, in->assets[i]);
        else if (ilist_push(&j.assets, m->assets.v[a].name))
            rc = fail(err, IMS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < in->process_count; i++) {
        int32_t p = in->processes[i] ? idmap_find(m, &m->map_processes, in->processes[i]) : -1;
        if (p < 0)
            rc = fail(err, IMS_ENOTFOUND, "processes[%zu]: unknown process \"%s\"", i,
                      in->processes[i] ? in->processes[i] : "");
        else if (ilist_contains(&j.processes, p))
            rc = fail(err, IMS_EINVAL, "processes[%zu]: duplicate process \"%s\"", i,
                      in->processes[i]);
        else if (ilist_push(&j.processes, p))
            rc = fail(err, IMS_ENOMEM, "out of memory");
    }
    j.severity = in->severity;
    j.opened_at = in->opened_at;
    j.resolved = in->resolved;
    j.resolved_at = in->resolved ? in->resolved_at : 0;
    j.disruption = in->disruption_minutes;
    int32_t idx = idmap_find(m, &m->map_incidents, in->id);
    if (rc == 0 && idx < 0) {
        if (VEC_RESERVE(m->incidents, m->incidents.n + 1) ||
            register_id(m, &m->map_incidents, in->id, m->incidents.n, &j.name))
            rc = fail(err, IMS_ENOMEM, "out of memory");
    }
    if (rc) {
        free_incident_lists(&j);
        return rc;
    }
    if (idx >= 0) {
        engine_incident *old = &m->incidents.v[idx];
        mark_incident(m, old);
        index_incident(m, idx, false);
        j.name = old->name;
        free_incident_lists(old);
        *old = j;
    } else {
        idx = m->incidents.n++;
        m->incidents.v[idx] = j;
    }
    if (index_incident(m, idx, true))
        return fail(err, IMS_ENOMEM, "out of memory"); /* indexes rebuilt by invalidate */
    mark_incident(m, &m->incidents.v[idx]);
    return 0;
}

int engine_incident_resolve(engine_model *m, const char *id, int64_t at, engine_error *err)
{
    int32_t idx = id ? idmap_find(m, &m->map_incidents, id) : -1;
    if (idx < 0)
        return fail(err, IMS_ENOTFOUND, "id: unknown incident \"%s\"", id ? id : "");
    engine_incident *j = &m->incidents.v[idx];
    if (at < j->opened_at)
        return fail(err, IMS_EINVAL, "resolved_at: must not be before opened_at");
    j->resolved = true;
    j->resolved_at = at;
    mark_incident(m, j);
    return 0;
}

/* ---- findings ------------------------------------------------------------------------ */

int engine_finding_put(engine_model *m, const engine_finding_input *in, engine_error *err)
{
    int rc = check_id(in->id, err);
    if (rc)
        return rc;
    if ((unsigned)in->type > ENGINE_FINDING_OPPORTUNITY)
        return fail(err, IMS_EINVAL, "type: unknown finding type");
    engine_ilist controls = {0};
    rc = resolve_controls(m, in->controls, in->control_count, &controls, err);
    int32_t idx = idmap_find(m, &m->map_findings, in->id);
    int32_t name = 0;
    if (rc == 0 && idx < 0 &&
        (VEC_RESERVE(m->findings, m->findings.n + 1) ||
         register_id(m, &m->map_findings, in->id, m->findings.n, &name)))
        rc = fail(err, IMS_ENOMEM, "out of memory");
    if (rc) {
        free(controls.v);
        return rc;
    }
    if (idx >= 0) {
        engine_finding *f = &m->findings.v[idx];
        mark_controls(m, &f->controls, ENGINE_DIRTY_K);
        for (int32_t k = 0; k < f->controls.n; k++)
            ilist_remove(&m->controls.v[f->controls.v[k]].findings, idx);
        free(f->controls.v);
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
        if (ilist_push(&m->controls.v[controls.v[k]].findings, idx))
            return fail(err, IMS_ENOMEM, "out of memory");
    mark_controls(m, &controls, ENGINE_DIRTY_K);
    return 0;
}

int engine_finding_set_open(engine_model *m, const char *id, bool open, engine_error *err)
{
    int32_t idx = id ? idmap_find(m, &m->map_findings, id) : -1;
    if (idx < 0)
        return fail(err, IMS_ENOTFOUND, "id: unknown finding \"%s\"", id ? id : "");
    m->findings.v[idx].open = open;
    mark_controls(m, &m->findings.v[idx].controls, ENGINE_DIRTY_K);
    return 0;
}

/* ---- assessment changes -------------------------------------------------------------- */

int engine_subcontrol_set_answer(engine_model *m, const char *id, enum engine_answer answer,
                                 engine_error *err)
{
    int32_t i = id ? idmap_find(m, &m->map_subs, id) : -1;
    if (i < 0)
        return fail(err, IMS_ENOTFOUND, "id: unknown sub-control \"%s\"", id ? id : "");
    if ((unsigned)answer > ENGINE_ANSWER_NA)
        return fail(err, IMS_EINVAL, "answer: unknown answer");
    m->subs.v[i].answer = answer;
    mark_controls(m, &m->subs.v[i].controls, ENGINE_DIRTY_A);
    return 0;
}

int engine_subcontrol_set_applicable(engine_model *m, const char *id, bool applicable,
                                     engine_error *err)
{
    int32_t i = id ? idmap_find(m, &m->map_subs, id) : -1;
    if (i < 0)
        return fail(err, IMS_ENOTFOUND, "id: unknown sub-control \"%s\"", id ? id : "");
    m->subs.v[i].declared = applicable;
    mark_controls(m, &m->subs.v[i].controls, ENGINE_DIRTY_A);
    return 0;
}

int engine_control_set_applicable(engine_model *m, const char *id, bool applicable,
                                  engine_error *err)
{
    int32_t c = id ? idmap_find(m, &m->map_controls, id) : -1;
    if (c < 0)
        return fail(err, IMS_ENOTFOUND, "id: unknown control \"%s\"", id ? id : "");
    m->controls.v[c].declared = applicable;
    m->controls.v[c].dirty |= ENGINE_DIRTY_A;
    return 0;
}

/* ---- invalidation -------------------------------------------------------------------- */

int engine_model_invalidate(engine_model *m)
{
    for (int32_t c = 0; c < m->controls.n; c++) {
        m->controls.v[c].incidents.n = 0;
        m->controls.v[c].findings.n = 0;
        m->controls.v[c].dirty = ENGINE_DIRTY_A | ENGINE_DIRTY_Q | ENGINE_DIRTY_P | ENGINE_DIRTY_K;
    }
    for (int32_t t = 0; t < m->threats.n; t++) {
        m->threats.v[t].incidents.n = 0;
        m->threats.v[t].dirty = ENGINE_DIRTY_LAMBDA | ENGINE_DIRTY_RESIDUAL | ENGINE_DIRTY_IMPACT;
    }
    for (int32_t p = 0; p < m->processes.n; p++) {
        m->processes.v[p].incidents.n = 0;
        m->processes.v[p].dirty = true;
    }
    for (int32_t i = 0; i < m->metrics.n; i++)
        m->metrics.v[i].dirty = true;
    for (int32_t j = 0; j < m->incidents.n; j++)
        if (index_incident(m, j, true))
            return IMS_ENOMEM;
    for (int32_t f = 0; f < m->findings.n; f++) {
        const engine_finding *x = &m->findings.v[f];
        for (int32_t k = 0; k < x->controls.n; k++)
            if (ilist_push(&m->controls.v[x->controls.v[k]].findings, f))
                return IMS_ENOMEM;
    }
    m->evaluated = false;
    return 0;
}

/* ---- evaluation: items --------------------------------------------------------------- */

static int64_t days_to_seconds(double days)
{
    return (int64_t)llround(days * DAY);
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* The index of the first sample with at > t. */
static int32_t samples_upper(const engine_metric *x, int64_t t)
{
    int32_t lo = 0, hi = x->sample_n;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (x->samples[mid].at <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void recompute_metric(engine_metric *x, int64_t t)
{
    int32_t end = samples_upper(x, t);
    x->dirty = false;
    x->deployed = end > 0;
    x->q = 0;
    if (!x->deployed)
        return;
    const engine_sample *latest = &x->samples[end - 1];
    if (t - latest->at > x->max_age)
        return;
    double v;
    if (x->aggregation == ENGINE_AGG_LAST) {
        v = latest->value;
    } else {
        int32_t begin = samples_upper(x, t - x->window);
        if (begin >= end)
            return;
        v = x->samples[begin].value;
        for (int32_t i = begin + 1; i < end; i++) {
            double s = x->samples[i].value;
            if (x->aggregation == ENGINE_AGG_MEAN)
                v += s;
            else if (x->aggregation == ENGINE_AGG_MIN)
                v = s < v ? s : v;
            else
                v = s > v ? s : v;
        }
        if (x->aggregation == ENGINE_AGG_MEAN)
            v /= (double)(end - begin);
    }
    x->q = clamp01((v - x->threshold) / (x->target - x->threshold));
}

/* The factor (1 - gamma sigma/5 d) of incident j at t, or 1 when not opened yet. */
static double incident_factor(const engine_model *m, const engine_incident *j, int64_t t)
{
    if (j->opened_at > t)
        return 1.0;
    double d = 1.0;
    if (j->resolved && j->resolved_at <= t)
        d = exp2(-(double)(t - j->resolved_at) / (m->params.half_life_days * DAY));
    return 1.0 - m->params.gamma * (j->severity / 5.0) * d;
}

static double finding_cap(const engine_model *m, enum engine_finding_type type)
{
    if (type == ENGINE_FINDING_MAJOR_NC)
        return m->params.cap_major_nc;
    if (type == ENGINE_FINDING_MINOR_NC)
        return m->params.cap_minor_nc;
    return 1.0;
}

static void recompute_control(engine_model *m, int32_t ci, int64_t t)
{
    engine_control *c = &m->controls.v[ci];
    if (c->dirty & ENGINE_DIRTY_A) {
        double sw = 0, sws = 0;
        for (int32_t k = 0; k < c->subs.n; k++) {
            const engine_subcontrol *s = &m->subs.v[c->subs.v[k]];
            if (!engine_sub_base(s))
                continue;
            sw += s->weight;
            sws += s->weight * engine_answer_value(s->answer);
        }
        c->applicable = c->declared && sw > 0;
        c->a = sw > 0 ? sws / sw : 0;
    }
    if (c->dirty & ENGINE_DIRTY_Q) {
        double su = 0, suq = 0;
        for (int32_t k = 0; k < c->metrics.n; k++) {
            const engine_metric *x = &m->metrics.v[c->metrics.v[k].to];
            if (!x->deployed)
                continue;
            su += c->metrics.v[k].w;
            suq += c->metrics.v[k].w * x->q;
        }
        c->has_q = su > 0;
        c->q = su > 0 ? suq / su : 0;
    }
    if (c->dirty & ENGINE_DIRTY_P) {
        double prod = 1.0;
        for (int32_t k = 0; k < c->incidents.n; k++)
            prod *= incident_factor(m, &m->incidents.v[c->incidents.v[k]], t);
        for (int32_t e = 0; e < c->mitig.n; e++) {
            const engine_threat *th = &m->threats.v[c->mitig.v[e].to];
            for (int32_t k = 0; k < th->incidents.n; k++) {
                const engine_incident *j = &m->incidents.v[th->incidents.v[k]];
                if (!ilist_contains(&j->controls, ci))
                    prod *= incident_factor(m, j, t);
            }
        }
        c->p = 1.0 - prod;
    }
    if (c->dirty & ENGINE_DIRTY_K) {
        double k = 1.0;
        for (int32_t i = 0; i < c->findings.n; i++) {
            const engine_finding *f = &m->findings.v[c->findings.v[i]];
            if (f->open) {
                double cap = finding_cap(m, f->type);
                k = cap < k ? cap : k;
            }
        }
        c->k = k;
    }
    c->b = c->has_q ? (1 - m->params.beta) * c->a + m->params.beta * c->q : c->a;
    double v = c->b * (1 - c->p);
    c->e = c->k < v ? c->k : v;
    c->dirty = 0;
    for (int32_t e = 0; e < c->mitig.n; e++)
        m->threats.v[c->mitig.v[e].to].dirty |= ENGINE_DIRTY_RESIDUAL;
}

static double asset_impact(const engine_model *m, const engine_asset *a, const engine_threat *th,
                           double degradation)
{
    int best = 0;
    for (int k = 0; k < 3; k++)
        if ((th->dims & (1u << k)) && a->v[k] > best)
            best = a->v[k];
    return best * degradation;
}

static void recompute_threat(engine_model *m, int32_t ti, int64_t t)
{
    engine_threat *th = &m->threats.v[ti];
    if (th->dirty & ENGINE_DIRTY_LAMBDA) {
        int64_t from = t - days_to_seconds(m->params.likelihood_window_days);
        int n = 0;
        for (int32_t k = 0; k < th->incidents.n; k++) {
            const engine_incident *j = &m->incidents.v[th->incidents.v[k]];
            if (j->opened_at > from && j->opened_at <= t)
                n++;
        }
        double l = th->likelihood + log2(1.0 + n);
        th->lambda = l < 5 ? l : 5;
    }
    if (th->dirty & ENGINE_DIRTY_RESIDUAL) {
        double f = 1.0;
        for (int32_t k = 0; k < th->mitig.n; k++) {
            const engine_control *c = &m->controls.v[th->mitig.v[k].to];
            if (c->applicable)
                f *= 1.0 - th->mitig.v[k].w * c->e;
        }
        th->residual_factor = f;
    }
    if (th->dirty & ENGINE_DIRTY_IMPACT) {
        double s = 0;
        int32_t n = 0;
        for (int32_t a = 0; a < m->assets.n; a++) {
            const engine_asset *x = &m->assets.v[a];
            const engine_asset_type *at = &m->asset_types.v[x->type];
            if (ti < at->by_threat_n && at->by_threat[ti] > 0) {
                s += asset_impact(m, x, th, at->by_threat[ti]);
                n++;
            }
        }
        th->sum_impact = s;
        th->pair_count = n;
    }
    th->dirty = 0;
}

static void recompute_process(engine_model *m, engine_process *p, int64_t t)
{
    int64_t from = t - days_to_seconds(m->params.review_window_days);
    double plan = p->plan_reviewed && p->plan_reviewed_at > from && p->plan_reviewed_at <= t;
    double ex = 0;
    int32_t latest = -1;
    for (int32_t k = 0; k < p->exercise_n; k++) {
        int64_t at = p->exercises[k].at;
        if (at > from && at <= t && (latest < 0 || at >= p->exercises[latest].at))
            latest = k;
    }
    if (latest >= 0) {
        double r = p->exercises[latest].recovery_min;
        if (r <= p->rto)
            ex = 1;
        else if (p->mtpd > p->rto)
            ex = clamp01(1 - (r - p->rto) / (p->mtpd - p->rto));
    }
    double worst = 0;
    for (int32_t k = 0; k < p->incidents.n; k++) {
        const engine_incident *j = &m->incidents.v[p->incidents.v[k]];
        if (j->opened_at <= from || j->opened_at > t)
            continue;
        double d = j->disruption, pen;
        if (d <= p->rto)
            pen = 0;
        else if (d >= p->mtpd)
            pen = 1;
        else
            pen = (d - p->rto) / (p->mtpd - p->rto);
        worst = pen > worst ? pen : worst;
    }
    p->readiness = (plan + ex + (1 - worst)) / 3;
    p->dirty = false;
}

/* ---- evaluation: aggregates ---------------------------------------------------------- */

bool engine_sub_applicable(const engine_model *m, int32_t i)
{
    const engine_subcontrol *s = &m->subs.v[i];
    if (!engine_sub_base(s))
        return false;
    for (int32_t k = 0; k < s->controls.n; k++)
        if (m->controls.v[s->controls.v[k]].applicable)
            return true;
    return false;
}

double engine_sub_capped(const engine_model *m, int32_t i)
{
    const engine_subcontrol *s = &m->subs.v[i];
    double v = engine_answer_value(s->answer);
    for (int32_t k = 0; k < s->controls.n; k++) {
        const engine_control *c = &m->controls.v[s->controls.v[k]];
        if (c->applicable && c->k < v)
            v = c->k;
    }
    return v;
}

static int maturity_of(const double *sum, const double *w, double theta)
{
    int level = 0;
    for (int k = 0; k < 3; k++) {
        if (w[k] > 0 && sum[k] / w[k] + 1e-12 < theta)
            break;
        level = k + 1;
    }
    return level;
}

static int compute_maturity(engine_model *m)
{
    double sum[3] = {0}, w[3] = {0};
    for (int32_t f = 0; f < m->frameworks.n; f++) {
        engine_framework *fw = &m->frameworks.v[f];
        memset(fw->maturity_sum, 0, sizeof fw->maturity_sum);
        memset(fw->maturity_w, 0, sizeof fw->maturity_w);
        fw->seen = -1;
    }
    for (int32_t i = 0; i < m->subs.n; i++) {
        if (!engine_sub_applicable(m, i))
            continue;
        const engine_subcontrol *s = &m->subs.v[i];
        double v = engine_sub_capped(m, i);
        int l = s->level - 1;
        sum[l] += s->weight * v;
        w[l] += s->weight;
        for (int32_t k = 0; k < s->controls.n; k++) {
            const engine_control *c = &m->controls.v[s->controls.v[k]];
            engine_framework *fw = &m->frameworks.v[c->framework];
            if (!c->applicable || fw->seen == i)
                continue;
            fw->seen = i;
            fw->maturity_sum[l] += s->weight * v;
            fw->maturity_w[l] += s->weight;
        }
    }
    for (int32_t f = 0; f < m->frameworks.n; f++) {
        engine_framework *fw = &m->frameworks.v[f];
        fw->maturity = maturity_of(fw->maturity_sum, fw->maturity_w, m->params.theta);
    }
    return maturity_of(sum, w, m->params.theta);
}

static void aggregate(engine_model *m)
{
    engine_summary *o = &m->summary;
    double sys_w[ENGINE_SYSTEM_COUNT] = {0}, sys_we[ENGINE_SYSTEM_COUNT] = {0};
    for (int32_t f = 0; f < m->frameworks.n; f++) {
        engine_framework *fw = &m->frameworks.v[f];
        fw->sum_w = fw->sum_we = fw->sum_wa = 0;
    }
    for (int32_t d = 0; d < m->domains.n; d++)
        m->domains.v[d].sum_w = m->domains.v[d].sum_we = 0;
    for (int32_t ci = 0; ci < m->controls.n; ci++) {
        const engine_control *c = &m->controls.v[ci];
        if (!c->applicable)
            continue;
        engine_framework *fw = &m->frameworks.v[c->framework];
        engine_domain *d = &m->domains.v[c->domain];
        fw->sum_w += c->weight;
        fw->sum_we += c->weight * c->e;
        fw->sum_wa += c->weight * c->a;
        d->sum_w += c->weight;
        d->sum_we += c->weight * c->e;
    }
    for (int32_t f = 0; f < m->frameworks.n; f++) {
        const engine_framework *fw = &m->frameworks.v[f];
        sys_w[fw->system] += fw->sum_w;
        sys_we[fw->system] += fw->sum_we;
    }
    double r0 = 0, r = 0;
    size_t pairs = 0;
    for (int32_t t = 0; t < m->threats.n; t++) {
        const engine_threat *th = &m->threats.v[t];
        if (th->pair_count == 0)
            continue;
        pairs += (size_t)th->pair_count;
        r0 += th->lambda * th->sum_impact;
        r += th->lambda * th->residual_factor * th->sum_impact;
    }
    o->pair_count = pairs;
    o->has_pairs = pairs > 0;
    o->rho = !o->has_pairs ? 0 : r0 > 0 ? 1 - r / r0 : 1;
    double sk = 0, skr = 0;
    for (int32_t p = 0; p < m->processes.n; p++) {
        sk += m->processes.v[p].criticality;
        skr += m->processes.v[p].criticality * m->processes.v[p].readiness;
    }
    o->has_processes = m->processes.n > 0;
    o->readiness = sk > 0 ? skr / sk : 0;

    double sw = 0, sws = 0;
    for (int s = 0; s < ENGINE_SYSTEM_COUNT; s++) {
        bool has_ctrl = sys_w[s] > 0;
        double fscore = has_ctrl ? sys_we[s] / sys_w[s] : 0;
        bool has_extra = false;
        double extra = 0, blend = 0;
        if (s == ENGINE_RMS) {
            has_extra = o->has_pairs;
            extra = o->rho;
            blend = m->params.beta_risk;
        } else if (s == ENGINE_BCMS) {
            has_extra = o->has_processes;
            extra = o->readiness;
            blend = m->params.beta_bcms;
        }
        double score;
        if (has_ctrl && has_extra)
            score = (1 - blend) * fscore + blend * extra;
        else if (has_ctrl)
            score = fscore;
        else
            score = extra;
        o->system_included[s] = (m->systems & (1u << s)) && (has_ctrl || has_extra);
        o->system_score[s] = o->system_included[s] ? score : 0;
        if (o->system_included[s]) {
            sw += m->params.system_weight[s];
            sws += m->params.system_weight[s] * score;
        }
    }
    o->security_level = sw > 0 ? sws / sw : 0;
}

static void refresh(engine_model *m, int64_t t)
{
    if (!m->evaluated || t != m->at) {
        for (int32_t i = 0; i < m->metrics.n; i++)
            m->metrics.v[i].dirty = true;
        for (int32_t c = 0; c < m->controls.n; c++)
            m->controls.v[c].dirty |= ENGINE_DIRTY_Q | ENGINE_DIRTY_P;
        for (int32_t th = 0; th < m->threats.n; th++)
            m->threats.v[th].dirty |= ENGINE_DIRTY_LAMBDA;
        for (int32_t p = 0; p < m->processes.n; p++)
            m->processes.v[p].dirty = true;
        m->evaluated = true;
        m->at = t;
    }
    for (int32_t i = 0; i < m->metrics.n; i++) {
        engine_metric *x = &m->metrics.v[i];
        if (!x->dirty)
            continue;
        recompute_metric(x, t);
        for (int32_t k = 0; k < x->controls.n; k++)
            m->controls.v[x->controls.v[k].to].dirty |= ENGINE_DIRTY_Q;
    }
    for (int32_t c = 0; c < m->controls.n; c++)
        if (m->controls.v[c].dirty)
            recompute_control(m, c, t);
    for (int32_t th = 0; th < m->threats.n; th++)
        if (m->threats.v[th].dirty)
            recompute_threat(m, th, t);
    for (int32_t p = 0; p < m->processes.n; p++)
        if (m->processes.v[p].dirty)
            recompute_process(m, &m->processes.v[p], t);
    aggregate(m);
    m->summary.at = t;
}

void engine_evaluate(engine_model *m, int64_t t, engine_summary *out)
{
    refresh(m, t);
    m->summary.maturity = compute_maturity(m);
    if (out)
        *out = m->summary;
}

int engine_evaluate_full(engine_model *m, int64_t t, engine_summary *out)
{
    int rc = engine_model_invalidate(m);
    if (rc)
        return rc;
    engine_evaluate(m, t, out);
    return 0;
}

double engine_evaluate_level(engine_model *m, int64_t t)
{
    refresh(m, t);
    return m->summary.security_level;
}

int engine_maturity_now(engine_model *m)
{
    return compute_maturity(m);
}

/* ---- next due time ------------------------------------------------------------------- */

static void due_at(int64_t *due, int64_t t, int64_t when)
{
    if (when > t && when < *due)
        *due = when;
}

static bool incident_weighs(const engine_model *m, const engine_incident *j)
{
    for (int32_t k = 0; k < j->controls.n; k++)
        if (m->controls.v[j->controls.v[k]].applicable)
            return true;
    if (j->threat >= 0) {
        const engine_threat *th = &m->threats.v[j->threat];
        for (int32_t k = 0; k < th->mitig.n; k++)
            if (m->controls.v[th->mitig.v[k].to].applicable)
                return true;
    }
    return false;
}

int64_t engine_next_due(engine_model *m, int64_t t, int64_t decay_period, double decay_epsilon)
{
    refresh(m, t); /* applicability must be current */
    int64_t due = INT64_MAX;
    int64_t lw = days_to_seconds(m->params.likelihood_window_days);
    int64_t rw = days_to_seconds(m->params.review_window_days);
    for (int32_t i = 0; i < m->metrics.n; i++) {
        const engine_metric *x = &m->metrics.v[i];
        int32_t end = samples_upper(x, t);
        if (end < x->sample_n)
            due_at(&due, t, x->samples[end].at);
        if (end == 0)
            continue;
        due_at(&due, t, x->samples[end - 1].at + x->max_age + 1);
        if (x->aggregation != ENGINE_AGG_LAST) {
            int32_t begin = samples_upper(x, t - x->window);
            if (begin < end)
                due_at(&due, t, x->samples[begin].at + x->window);
        }
    }
    bool decaying = false;
    for (int32_t k = 0; k < m->incidents.n; k++) {
        const engine_incident *j = &m->incidents.v[k];
        due_at(&due, t, j->opened_at);
        if (j->resolved)
            due_at(&due, t, j->resolved_at);
        if (j->threat >= 0)
            due_at(&due, t, j->opened_at + lw);
        if (j->processes.n)
            due_at(&due, t, j->opened_at + rw);
        if (!decaying && j->resolved && j->resolved_at <= t && j->opened_at <= t &&
            1.0 - incident_factor(m, j, t) >= decay_epsilon && incident_weighs(m, j))
            decaying = true;
    }
    if (decaying && decay_period > 0)
        due_at(&due, t, t + decay_period);
    for (int32_t p = 0; p < m->processes.n; p++) {
        const engine_process *x = &m->processes.v[p];
        if (x->plan_reviewed) {
            due_at(&due, t, x->plan_reviewed_at);
            due_at(&due, t, x->plan_reviewed_at + rw);
        }
        for (int32_t k = 0; k < x->exercise_n; k++) {
            due_at(&due, t, x->exercises[k].at);
            due_at(&due, t, x->exercises[k].at + rw);
        }
    }
    return due;
}

/* ---- accessors ----------------------------------------------------------------------- */

size_t engine_control_count(const engine_model *m)
{
    return (size_t)m->controls.n;
}

const char *engine_control_id(const engine_model *m, size_t i)
{
    return engine_name(m, m->controls.v[i].name);
}

long engine_control_find(const engine_model *m, const char *id)
{
    return idmap_find(m, &m->map_controls, id);
}

void engine_control_get(const engine_model *m, size_t i, engine_control_figures *out)
{
    const engine_control *c = &m->controls.v[i];
    out->applicable = c->applicable;
    out->a = c->a;
    out->has_q = c->has_q;
    out->q = c->q;
    out->b = c->b;
    out->p = c->p;
    out->cap = c->k;
    out->e = c->e;
}

size_t engine_framework_count(const engine_model *m)
{
    return (size_t)m->frameworks.n;
}

const char *engine_framework_id(const engine_model *m, size_t i)
{
    return engine_name(m, m->frameworks.v[i].name);
}

void engine_framework_get(const engine_model *m, size_t i, engine_framework_figures *out)
{
    const engine_framework *f = &m->frameworks.v[i];
    out->system = f->system;
    out->has_score = f->sum_w > 0;
    out->score = out->has_score ? f->sum_we / f->sum_w : 0;
    out->assessed = out->has_score ? f->sum_wa / f->sum_w : 0;
    out->maturity = f->maturity;
}

size_t engine_domain_count(const engine_model *m)
{
    return (size_t)m->domains.n;
}

void engine_domain_get(const engine_model *m, size_t i, engine_domain_figures *out)
{
    const engine_domain *d = &m->domains.v[i];
    out->id = engine_name(m, d->name);
    out->framework = (size_t)d->framework;
    out->has_score = d->sum_w > 0;
    out->score = out->has_score ? d->sum_we / d->sum_w : 0;
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

void engine_pairs_foreach(const engine_model *m,
                          void (*fn)(void *ctx, const engine_pair_figures *pair), void *ctx)
{
    for (int32_t a = 0; a < m->assets.n; a++) {
        const engine_asset *x = &m->assets.v[a];
        const engine_asset_type *at = &m->asset_types.v[x->type];
        for (int32_t k = 0; k < at->rows.n; k++) {
            const engine_threat *th = &m->threats.v[at->rows.v[k].to];
            engine_pair_figures p;
            p.asset = engine_name(m, x->name);
            p.threat = engine_name(m, th->name);
            p.impact = asset_impact(m, x, th, at->rows.v[k].w);
            p.likelihood = th->lambda;
            p.residual_likelihood = th->lambda * th->residual_factor;
            p.inherent = p.impact * p.likelihood;
            p.residual = p.impact * p.residual_likelihood;
            p.level = engine_risk_level(grid_index(p.residual_likelihood), grid_index(p.impact));
            p.within_appetite = p.level <= m->params.appetite;
            fn(ctx, &p);
        }
    }
}

size_t engine_process_count(const engine_model *m)
{
    return (size_t)m->processes.n;
}

const char *engine_process_id(const engine_model *m, size_t i)
{
    return engine_name(m, m->processes.v[i].name);
}

double engine_process_readiness(const engine_model *m, size_t i)
{
    return m->processes.v[i].readiness;
}
