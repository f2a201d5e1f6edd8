/*
 * The window's samples of a tenant's load, which come beside its document rather than in
 * it: the metric ids as a JSON array, how many samples each has, and every sample's time
 * (seconds since 1970) and value, grouped by metric in that order, each list in
 * PostgreSQL's text form of an array ({1,2,3}). They are added to the model in one call,
 * as the document's samples array was, one metric after another.
 */
#include "load_samples.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims/error.h"

static int fail(engine_error *err, int rc, const char *what)
{
    if (err)
        snprintf(err->msg, sizeof err->msg, "window samples: %s", what);
    return rc;
}

/* Elements of a numeric array's text ({} or {a,b,...}): commas plus one. */
static size_t array_count(const char *s)
{
    if (s[0] != '{' || s[1] == '}')
        return 0;
    size_t n = 1;
    for (const char *p = s + 1; *p; p++)
        n += *p == ',';
    return n;
}

/* The next element of a numeric array's text: *p at its first character on entry, past
 * its separator (',' or the closing '}') on return. */
static int next_i64(const char **p, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(*p, &end, 10);
    if (end == *p || errno || (*end != ',' && *end != '}'))
        return -1;
    *out = v;
    *p = end + 1;
    return 0;
}

static int next_f64(const char **p, double *out)
{
    char *end;
    double v = strtod(*p, &end);
    if (end == *p || (*end != ',' && *end != '}'))
        return -1;
    *out = v;
    *p = end + 1;
    return 0;
}

int tenant_load_samples(engine_model *model, const char *metrics, const char *counts,
                        const char *ats, const char *vals, engine_error *err)
{
    json_error_t jerr;
    json_t *ids = json_loads(metrics, 0, &jerr);
    if (!ids || !json_is_array(ids)) {
        json_decref(ids);
        return fail(err, IMS_EPARSE, "metric ids are not a JSON array");
    }
    size_t nm = json_array_size(ids), total = array_count(ats);
    if (array_count(counts) != nm || array_count(vals) != total) {
        json_decref(ids);
        return fail(err, IMS_EPARSE, "the lists' lengths differ");
    }
    if (total == 0) {
        json_decref(ids);
        return 0;
    }
    const char **names = malloc(total * sizeof *names);
    int64_t *at = malloc(total * sizeof *at);
    double *value = malloc(total * sizeof *value);
    int rc = names && at && value ? 0 : fail(err, IMS_ENOMEM, "out of memory");
    const char *pc = counts + 1, *pa = ats + 1, *pv = vals + 1;
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < nm; i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        int64_t c;
        if (!id || next_i64(&pc, &c) != 0 || c < 0 || (uint64_t)c > total - k) {
            rc = fail(err, IMS_EPARSE, "a metric id or count is malformed");
            break;
        }
        for (int64_t j = 0; j < c; j++, k++) {
            names[k] = id;
            if (next_i64(&pa, &at[k]) != 0 || next_f64(&pv, &value[k]) != 0) {
                rc = fail(err, IMS_EPARSE, "a sample's time or value is malformed");
                break;
            }
        }
    }
    if (rc == 0 && k != total)
        rc = fail(err, IMS_EPARSE, "the counts do not add up to the samples");
    size_t bad = 0;
    if (rc == 0 && (rc = engine_samples_add(model, total, names, at, value, &bad, err)) != 0 &&
        err) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        snprintf(err->msg, sizeof err->msg, "window samples[%zu]: %.200s", bad, msg);
    }
    free(names);
    free(at);
    free(value);
    json_decref(ids);
    return rc;
}
