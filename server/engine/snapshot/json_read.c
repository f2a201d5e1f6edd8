/*
 * The strict readers of typed snapshot keys. See json_read.h.
 */
#include "json_read.h"
#include "snapshot.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void snapshot_concat(char *dst, size_t size, ...)
{
    va_list ap;
    va_start(ap, size);
    size_t n = 0;
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        for (; *s && n + 1 < size; s++)
            dst[n++] = *s;
    va_end(ap);
    dst[n] = 0;
}

int snapshot_perr(snapshot_parser *p, int code, const char *key, const char *fmt, ...)
{
    if (p->err) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        if (key)
            snapshot_concat(p->err->msg, sizeof p->err->msg, p->path, ".", key, ": ", msg,
                            (char *)NULL);
        else
            snapshot_concat(p->err->msg, sizeof p->err->msg, p->path, ": ", msg, (char *)NULL);
    }
    return code;
}

/* Prefixes a model error ("weight: must be > 0") with the item's path. */
int snapshot_model_err(snapshot_parser *p, int code, const engine_error *e)
{
    if (p->err)
        snapshot_concat(p->err->msg, sizeof p->err->msg, p->path, ".", e->msg, (char *)NULL);
    return code;
}

int snapshot_check_keys(snapshot_parser *p, json_t *obj, const char *const *allowed)
{
    if (!json_is_object(obj))
        return snapshot_perr(p, IMS_EINVAL, NULL, "must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = true;
        if (!ok)
            return snapshot_perr(p, IMS_EINVAL, key, "unknown key");
    }
    return 0;
}

int snapshot_get_double(snapshot_parser *p, json_t *obj, const char *key, bool required, double def,
                        double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return snapshot_perr(p, IMS_EINVAL, key, "missing");
        *out = def;
        return 0;
    }
    if (!json_is_number(v))
        return snapshot_perr(p, IMS_EINVAL, key, "must be a number");
    *out = json_number_value(v);
    if (!isfinite(*out))
        return snapshot_perr(p, IMS_EINVAL, key, "must be a finite number");
    return 0;
}

int snapshot_get_int(snapshot_parser *p, json_t *obj, const char *key, bool required, int64_t def,
                     int64_t lo, int64_t hi, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return snapshot_perr(p, IMS_EINVAL, key, "missing");
        *out = def;
        return 0;
    }
    if (!json_is_integer(v))
        return snapshot_perr(p, IMS_EINVAL, key, "must be an integer");
    *out = (int64_t)json_integer_value(v);
    if (*out < lo || *out > hi)
        return snapshot_perr(p, IMS_EINVAL, key, "must be in %lld..%lld", (long long)lo,
                             (long long)hi);
    return 0;
}

int snapshot_get_bool(snapshot_parser *p, json_t *obj, const char *key, bool def, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_boolean(v))
        return snapshot_perr(p, IMS_EINVAL, key, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

/* A string; *out = NULL when absent or null and allowed. */
int snapshot_get_string(snapshot_parser *p, json_t *obj, const char *key, bool required,
                        bool nullable, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required && !(v && nullable))
            return snapshot_perr(p, IMS_EINVAL, key, v ? "must not be null" : "missing");
        return 0;
    }
    if (!json_is_string(v))
        return snapshot_perr(p, IMS_EINVAL, key, "must be a string");
    *out = json_string_value(v);
    return 0;
}

int snapshot_get_time(snapshot_parser *p, json_t *obj, const char *key, bool required,
                      bool *present, int64_t *out)
{
    const char *s;
    int rc = snapshot_get_string(p, obj, key, required, !required, &s);
    if (rc)
        return rc;
    *present = s != NULL;
    *out = 0;
    if (s && engine_time_parse(s, out))
        return snapshot_perr(p, IMS_EINVAL, key,
                             "must be an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)");
    return 0;
}

/* An array of strings into a malloc'ed vector (*out, *n). */
int snapshot_get_strings(snapshot_parser *p, json_t *obj, const char *key, bool required,
                         const char ***out, size_t *n)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    *n = 0;
    if (!v) {
        if (required)
            return snapshot_perr(p, IMS_EINVAL, key, "missing");
        return 0;
    }
    if (!json_is_array(v))
        return snapshot_perr(p, IMS_EINVAL, key, "must be an array");
    size_t len = json_array_size(v);
    if (len == 0)
        return 0;
    const char **vec = calloc(len, sizeof *vec);
    if (!vec)
        return snapshot_perr(p, IMS_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < len; i++) {
        json_t *s = json_array_get(v, i);
        if (!json_is_string(s)) {
            free(vec);
            char indexed[96];
            snprintf(indexed, sizeof indexed, "[%zu]", i);
            char full[128];
            snapshot_concat(full, sizeof full, key, indexed, (char *)NULL);
            return snapshot_perr(p, IMS_EINVAL, full, "must be a string");
        }
        vec[i] = json_string_value(s);
    }
    *out = vec;
    *n = len;
    return 0;
}

/* The array under key (or NULL when absent and optional). */
int snapshot_get_array(snapshot_parser *p, json_t *obj, const char *key, bool required,
                       json_t **out)
{
    json_t *v = json_object_get(obj, key);
    *out = v;
    if (!v) {
        if (required)
            return snapshot_perr(p, IMS_EINVAL, key, "missing");
        return 0;
    }
    if (!json_is_array(v))
        return snapshot_perr(p, IMS_EINVAL, key, "must be an array");
    return 0;
}

void snapshot_item_path(snapshot_parser *p, const char *base, const char *key, size_t i)
{
    char idx[32];
    snprintf(idx, sizeof idx, "[%zu]", i);
    char tmp[sizeof p->path];
    snapshot_concat(tmp, sizeof tmp, base, ".", key, idx, (char *)NULL);
    memcpy(p->path, tmp, sizeof tmp);
}

int snapshot_enum_of(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* ---- parsing sections ---------------------------------------------------------------- */
