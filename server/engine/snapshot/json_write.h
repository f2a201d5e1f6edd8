/*
 * Writing JSON with jansson: builders that remember the first allocation failure, so that
 * a writer checks once at the end. Internal to the snapshot writers.
 */
#ifndef IMS_ENGINE_SNAPSHOT_JSON_WRITE_H
#define IMS_ENGINE_SNAPSHOT_JSON_WRITE_H

#include <jansson.h>

#include "snapshot.h"

/* Builders that remember the first allocation failure, so callers check once. */
typedef struct builder {
    bool failed;
} builder;

static inline json_t *chk(builder *b, json_t *v)
{
    if (!v)
        b->failed = true;
    return v;
}

static inline void set(builder *b, json_t *obj, const char *key, json_t *v)
{
    if (!v || !obj || json_object_set_new(obj, key, v))
        b->failed = true;
}

static inline void push(builder *b, json_t *arr, json_t *v)
{
    if (!v || !arr || json_array_append_new(arr, v))
        b->failed = true;
}

static inline json_t *jtime(builder *b, int64_t t)
{
    char buf[40];
    engine_time_format(t, buf, sizeof buf);
    return chk(b, json_string(buf));
}

static inline json_t *jreal(builder *b, double x)
{
    return chk(b, json_real(x));
}

static inline json_t *jstr(builder *b, const char *s)
{
    return chk(b, json_string(s));
}

static inline char *dump(json_t *root, builder *b, size_t flags)
{
    char *text = NULL;
    if (!b->failed)
        text = json_dumps(root, flags | JSON_REAL_PRECISION(17) | JSON_INDENT(2));
    json_decref(root);
    return text;
}

#endif
