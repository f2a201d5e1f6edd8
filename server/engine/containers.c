/*
 * The containers a model is built from: growable arrays and index lists, the string arena
 * holding every id, the id -> index maps, and the error message helper of mutations.
 */
#include "model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims/hash.h"

/* ---- small containers ---------------------------------------------------------------- */

int engine_reserve(void *array_ptr, int32_t *cap, int32_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    int32_t held = *cap < 0 ? -*cap : 0; /* in a copy's block: copied out, never realloc'd */
    int64_t grown = *cap > 0 ? *cap : held > 4 ? held : 4;
    while (grown < need)
        grown *= 2;
    int32_t ncap = grown > INT32_MAX ? INT32_MAX : (int32_t)grown;
    void *old;
    memcpy(&old, array_ptr, sizeof old);
    void *nv;
    if (*cap < 0) {
        nv = malloc((size_t)ncap * size);
        if (nv && held)
            memcpy(nv, old, (size_t)held * size);
    } else {
        nv = realloc(old, (size_t)ncap * size);
    }
    if (!nv)
        return IMS_ENOMEM;
    memcpy(array_ptr, &nv, sizeof nv);
    *cap = ncap;
    return 0;
}

int engine_ilist_push(engine_ilist *l, int32_t x)
{
    if (engine_reserve(&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return IMS_ENOMEM;
    l->v[l->n++] = x;
    return 0;
}

bool engine_ilist_contains(const engine_ilist *l, int32_t x)
{
    for (int32_t i = 0; i < l->n; i++)
        if (l->v[i] == x)
            return true;
    return false;
}

void engine_ilist_remove(engine_ilist *l, int32_t x)
{
    for (int32_t i = 0; i < l->n; i++) {
        if (l->v[i] == x) {
            memmove(l->v + i, l->v + i + 1, (size_t)(l->n - i - 1) * sizeof *l->v);
            l->n--;
            return;
        }
    }
}

int engine_elist_push(engine_elist *l, int32_t to, double w)
{
    if (engine_reserve(&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return IMS_ENOMEM;
    l->v[l->n].to = to;
    l->v[l->n].w = w;
    l->n++;
    return 0;
}

int engine_copy_block(void *dst_ptr, const void *src, size_t n, size_t size)
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

int32_t engine_arena_add(engine_model *m, const char *s)
{
    size_t len = strlen(s) + 1;
    if (len > (size_t)(INT32_MAX / 2) || m->arena_n > INT32_MAX / 2)
        return IMS_ENOMEM;
    if (engine_reserve(&m->arena, &m->arena_cap, m->arena_n + (int32_t)len, 1))
        return IMS_ENOMEM;
    int32_t off = m->arena_n;
    memcpy(m->arena + off, s, len);
    m->arena_n += (int32_t)len;
    return off;
}

/* ---- id maps ------------------------------------------------------------------------- */

/* Slots hold (name offset, index) packed as two int32: slots[2k] = name, slots[2k+1] = idx. */
int32_t engine_idmap_find(const engine_model *m, const engine_idmap *map, const char *id)
{
    if (!map->cap)
        return -1;
    uint32_t mask = (uint32_t)map->cap - 1;
    for (uint32_t h = ims_hash_string(id) & mask;; h = (h + 1) & mask) {
        int32_t idx = map->slots[2 * h + 1];
        if (idx < 0)
            return -1;
        if (strcmp(m->arena + map->slots[2 * h], id) == 0)
            return idx;
    }
}

void engine_idmap_insert_slot(const engine_model *m, engine_idmap *map, int32_t name, int32_t idx)
{
    uint32_t mask = (uint32_t)map->cap - 1;
    uint32_t h = ims_hash_string(m->arena + name) & mask;
    while (map->slots[2 * h + 1] >= 0)
        h = (h + 1) & mask;
    map->slots[2 * h] = name;
    map->slots[2 * h + 1] = idx;
}

int engine_idmap_put(const engine_model *m, engine_idmap *map, int32_t name, int32_t idx)
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
                engine_idmap_insert_slot(m, map, old[2 * i], old[2 * i + 1]);
        free(old);
    }
    engine_idmap_insert_slot(m, map, name, idx);
    map->n++;
    return 0;
}

void engine_idmap_clear(engine_idmap *map)
{
    for (int32_t i = 0; i < map->cap; i++)
        map->slots[2 * i + 1] = -1;
    map->n = 0;
}

/* ---- errors -------------------------------------------------------------------------- */

int engine_fail(engine_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int engine_check_id(const char *id, engine_error *err)
{
    if (!id || !*id)
        return engine_fail(err, IMS_EINVAL, "id: must not be empty");
    return 0;
}

bool engine_in_range(double x, double lo, double hi)
{
    return isfinite(x) && x >= lo && x <= hi;
}
