/*
 * The containers a model is built from: growable arrays and index lists, the string arena
 * holding every id, and the id -> index maps. Internal to the engine.
 */
#ifndef IMS_ENGINE_CONTAINERS_H
#define IMS_ENGINE_CONTAINERS_H

#include <stdlib.h>

#include "engine.h"

typedef struct engine_ilist {
    int32_t *v;
    int32_t n, cap;
} engine_ilist;

typedef struct engine_edge {
    int32_t to;
    double w;
} engine_edge;

typedef struct engine_elist {
    engine_edge *v;
    int32_t n, cap;
} engine_elist;

/* id -> index: open addressing, slots hold (name offset, index) pairs, index -1 is empty. */
typedef struct engine_idmap {
    int32_t *slots;
    int32_t cap, n;
} engine_idmap;

#define ENGINE_VEC(T)                                                                              \
    struct {                                                                                       \
        T *v;                                                                                      \
        int32_t n, cap;                                                                            \
    }

/* Grows *array_ptr (of elements of `size`, capacity *cap) to hold need. 0 or IMS_ENOMEM. A
 * negative *cap marks an array held in a model copy's shared block (-*cap elements there,
 * see lists_block in model.h): it is moved to an allocation of its own first, never
 * reallocated in place. */
int engine_reserve(void *array_ptr, int32_t *cap, int32_t need, size_t size);
/* Frees an array unless it is held in a model copy's block (cap < 0). Inline: a copy's
 * free goes over every list of every entity, most of them in the block or empty. */
static inline void engine_list_free(void *v, int32_t cap)
{
    if (cap >= 0 && v)
        free(v);
}
#define ENGINE_VEC_RESERVE(vec, need) engine_reserve(&(vec).v, &(vec).cap, (need), sizeof(*(vec).v))

int engine_ilist_push(engine_ilist *l, int32_t x);
bool engine_ilist_contains(const engine_ilist *l, int32_t x);
void engine_ilist_remove(engine_ilist *l, int32_t x);
int engine_elist_push(engine_elist *l, int32_t to, double w);

/* *dst_ptr = a malloc'ed copy of n elements of src (NULL when n is 0). 0 or IMS_ENOMEM. */
int engine_copy_block(void *dst_ptr, const void *src, size_t n, size_t size);

/* Copies s into the model's arena; its offset, or IMS_ENOMEM. */
int32_t engine_arena_add(engine_model *m, const char *s);

int32_t engine_idmap_find(const engine_model *m, const engine_idmap *map, const char *id);
void engine_idmap_insert_slot(const engine_model *m, engine_idmap *map, int32_t name, int32_t idx);
int engine_idmap_put(const engine_model *m, engine_idmap *map, int32_t name, int32_t idx);
void engine_idmap_clear(engine_idmap *map);

/* Writes the message into err (when not NULL) and returns code. */
__attribute__((format(printf, 3, 4))) int engine_fail(engine_error *err, int code, const char *fmt,
                                                      ...);
int engine_check_id(const char *id, engine_error *err);
bool engine_in_range(double x, double lo, double hi);

#define ENGINE_DAY 86400.0

#endif
