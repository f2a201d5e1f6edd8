/*
 * Snapshot parsing and writing, and the evaluation JSON. See snapshot.h.
 */
#include "snapshot.h"
#include "model.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- time ---------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t mo, int64_t d)
{
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *mo, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*mo <= 2);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int engine_time_parse(const char *s, int64_t *out)
{
    if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != 'Z')
        return IMS_EINVAL;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
        se > 59)
        return IMS_EINVAL;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] + (mo == 2 && leap))
        return IMS_EINVAL;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

void engine_time_format(int64_t t, char *buf, size_t size)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    int64_t y;
    int mo, d;
    civil_from_days(days, &y, &mo, &d);
    snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, mo, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
}

/* ---- parsing helpers ----------------------------------------------------------------- */

/* dst = the concatenation of the NULL-terminated list of parts, truncated to size. */
static void concat(char *dst, size_t size, ...)
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

typedef struct parser {
    engine_error *err;
    char path[192]; /* the JSON path of the object being read */
} parser;

__attribute__((format(printf, 4, 5))) static int perr(parser *p, int code, const char *key,
                                                      const char *fmt, ...)
{
    if (p->err) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        if (key)
            concat(p->err->msg, sizeof p->err->msg, p->path, ".", key, ": ", msg, (char *)NULL);
        else
            concat(p->err->msg, sizeof p->err->msg, p->path, ": ", msg, (char *)NULL);
    }
    return code;
}

/* Prefixes a model error ("weight: must be > 0") with the item's path. */
static int model_err(parser *p, int code, const engine_error *e)
{
    if (p->err)
        concat(p->err->msg, sizeof p->err->msg, p->path, ".", e->msg, (char *)NULL);
    return code;
}

static int check_keys(parser *p, json_t *obj, const char *const *allowed)
{
    if (!json_is_object(obj))
        return perr(p, IMS_EINVAL, NULL, "must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = true;
        if (!ok)
            return perr(p, IMS_EINVAL, key, "unknown key");
    }
    return 0;
}

static int get_double(parser *p, json_t *obj, const char *key, bool required, double def,
                      double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return perr(p, IMS_EINVAL, key, "missing");
        *out = def;
        return 0;
    }
    if (!json_is_number(v))
        return perr(p, IMS_EINVAL, key, "must be a number");
    *out = json_number_value(v);
    if (!isfinite(*out))
        return perr(p, IMS_EINVAL, key, "must be a finite number");
    return 0;
}

static int get_int(parser *p, json_t *obj, const char *key, bool required, int64_t def, int64_t lo,
                   int64_t hi, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return perr(p, IMS_EINVAL, key, "missing");
        *out = def;
        return 0;
    }
    if (!json_is_integer(v))
        return perr(p, IMS_EINVAL, key, "must be an integer");
    *out = (int64_t)json_integer_value(v);
    if (*out < lo || *out > hi)
        return perr(p, IMS_EINVAL, key, "must be in %lld..%lld", (long long)lo, (long long)hi);
    return 0;
}

static int get_bool(parser *p, json_t *obj, const char *key, bool def, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_boolean(v))
        return perr(p, IMS_EINVAL, key, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

/* A string; *out = NULL when absent or null and allowed. */
static int get_string(parser *p, json_t *obj, const char *key, bool required, bool nullable,
                      const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required && !(v && nullable))
            return perr(p, IMS_EINVAL, key, v ? "must not be null" : "missing");
        return 0;
    }
    if (!json_is_string(v))
        return perr(p, IMS_EINVAL, key, "must be a string");
    *out = json_string_value(v);
    return 0;
}

static int get_time(parser *p, json_t *obj, const char *key, bool required, bool *present,
                    int64_t *out)
{
    const char *s;
    int rc = get_string(p, obj, key, required, !required, &s);
    if (rc)
        return rc;
    *present = s != NULL;
    *out = 0;
    if (s && engine_time_parse(s, out))
        return perr(p, IMS_EINVAL, key, "must be an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)");
    return 0;
}

/* An array of strings into a malloc'ed vector (*out, *n). */
static int get_strings(parser *p, json_t *obj, const char *key, bool required, const char ***out,
                       size_t *n)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    *n = 0;
    if (!v) {
        if (required)
            return perr(p, IMS_EINVAL, key, "missing");
        return 0;
    }
    if (!json_is_array(v))
        return perr(p, IMS_EINVAL, key, "must be an array");
    size_t len = json_array_size(v);
    if (len == 0)
        return 0;
    const char **vec = calloc(len, sizeof *vec);
    if (!vec)
        return perr(p, IMS_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < len; i++) {
        json_t *s = json_array_get(v, i);
        if (!json_is_string(s)) {
            free(vec);
            char indexed[96];
            snprintf(indexed, sizeof indexed, "[%zu]", i);
            char full[128];
            concat(full, sizeof full, key, indexed, (char *)NULL);
            return perr(p, IMS_EINVAL, full, "must be a string");
        }
        vec[i] = json_string_value(s);
    }
    *out = vec;
    *n = len;
    return 0;
}

/* The array under key (or NULL when absent and optional). */
static int get_array(parser *p, json_t *obj, const char *key, bool required, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    *out = v;
    if (!v) {
        if (required)
            return perr(p, IMS_EINVAL, key, "missing");
        return 0;
    }
    if (!json_is_array(v))
        return perr(p, IMS_EINVAL, key, "must be an array");
    return 0;
}

static void item_path(parser *p, const char *base, const char *key, size_t i)
{
    char idx[32];
    snprintf(idx, sizeof idx, "[%zu]", i);
    char tmp[sizeof p->path];
    concat(tmp, sizeof tmp, base, ".", key, idx, (char *)NULL);
    memcpy(p->path, tmp, sizeof tmp);
}

static const char *system_names[ENGINE_SYSTEM_COUNT] = {"ISMS", "BCMS", "RMS"};
static const char *answer_names[] = {NULL, "yes", "partial", "no", "na"};
static const char *aggregation_names[] = {"last", "mean", "min", "max"};
static const char *finding_names[] = {"major_nc", "minor_nc", "observation", "opportunity"};

static int enum_of(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* ---- parsing sections ---------------------------------------------------------------- */

static int parse_params(parser *p, json_t *root, engine_params *params)
{
    engine_params_default(params);
    json_t *o = json_object_get(root, "params");
    if (!o)
        return 0;
    snprintf(p->path, sizeof p->path, "$.params");
    static const char *const keys[] = {"beta",
                                       "gamma",
                                       "half_life_days",
                                       "cap_major_nc",
                                       "cap_minor_nc",
                                       "theta",
                                       "beta_risk",
                                       "beta_bcms",
                                       "likelihood_window_days",
                                       "review_window_days",
                                       "appetite",
                                       "system_weights",
                                       NULL};
    int rc = check_keys(p, o, keys);
    double *fields[] = {&params->beta,
                        &params->gamma,
                        &params->half_life_days,
                        &params->cap_major_nc,
                        &params->cap_minor_nc,
                        &params->theta,
                        &params->beta_risk,
                        &params->beta_bcms,
                        &params->likelihood_window_days,
                        &params->review_window_days};
    for (size_t i = 0; rc == 0 && i < sizeof fields / sizeof fields[0]; i++)
        rc = get_double(p, o, keys[i], false, *fields[i], fields[i]);
    int64_t appetite = 0;
    if (rc == 0)
        rc = get_int(p, o, "appetite", false, params->appetite, 1, 5, &appetite);
    if (rc)
        return rc;
    params->appetite = (int)appetite;
    json_t *sw = json_object_get(o, "system_weights");
    if (sw) {
        snprintf(p->path, sizeof p->path, "$.params.system_weights");
        static const char *const skeys[] = {"ISMS", "BCMS", "RMS", NULL};
        rc = check_keys(p, sw, skeys);
        for (int s = 0; rc == 0 && s < ENGINE_SYSTEM_COUNT; s++)
            rc = get_double(p, sw, skeys[s], false, params->system_weight[s],
                            &params->system_weight[s]);
        if (rc)
            return rc;
    }
    snprintf(p->path, sizeof p->path, "$.params");
    engine_error e;
    rc = engine_params_check(params, &e);
    if (rc)
        return model_err(p, rc, &e);
    return 0;
}

static int parse_systems(parser *p, json_t *root, unsigned *systems)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "systems", true, &a);
    if (rc)
        return rc;
    *systems = 0;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *s = json_array_get(a, i);
        int k = json_is_string(s) ? enum_of(json_string_value(s), system_names, 3) : -1;
        snprintf(p->path, sizeof p->path, "$.systems[%zu]", i);
        if (k < 0)
            return perr(p, IMS_EINVAL, NULL, "must be \"ISMS\", \"BCMS\" or \"RMS\"");
        if (*systems & (1u << k))
            return perr(p, IMS_EINVAL, NULL, "duplicate system");
        *systems |= 1u << k;
    }
    return 0;
}

static int parse_frameworks(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "frameworks", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "frameworks", i);
        static const char *const keys[] = {"id", "system", NULL};
        const char *id, *sys;
        if ((rc = check_keys(p, o, keys)) || (rc = get_string(p, o, "id", true, false, &id)) ||
            (rc = get_string(p, o, "system", true, false, &sys)))
            return rc;
        int s = enum_of(sys, system_names, 3);
        if (s < 0)
            return perr(p, IMS_EINVAL, "system", "must be \"ISMS\", \"BCMS\" or \"RMS\"");
        engine_error e;
        if ((rc = engine_framework_add(m, id, (enum engine_system)s, &e)))
            return model_err(p, rc, &e);
    }
    return rc;
}

static int parse_controls(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "controls", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "controls", i);
        static const char *const keys[] = {"id",     "framework",  "domain",
                                           "weight", "applicable", NULL};
        engine_control_input in = {0};
        if ((rc = check_keys(p, o, keys)) || (rc = get_string(p, o, "id", true, false, &in.id)) ||
            (rc = get_string(p, o, "framework", true, false, &in.framework)) ||
            (rc = get_string(p, o, "domain", false, false, &in.domain)) ||
            (rc = get_double(p, o, "weight", false, 1, &in.weight)) ||
            (rc = get_bool(p, o, "applicable", true, &in.applicable)))
            return rc;
        engine_error e;
        if ((rc = engine_control_add(m, &in, &e)))
            return model_err(p, rc, &e);
    }
    return rc;
}

static int parse_subcontrols(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "subcontrols", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "subcontrols", i);
        static const char *const keys[] = {"id",     "controls", "level",      "weight",
                                           "effort", "answer",   "applicable", NULL};
        engine_subcontrol_input in = {0};
        const char **controls = NULL;
        const char *answer;
        int64_t level = 0;
        if ((rc = check_keys(p, o, keys)) || (rc = get_string(p, o, "id", true, false, &in.id)) ||
            (rc = get_int(p, o, "level", true, 0, 1, 3, &level)) ||
            (rc = get_double(p, o, "weight", false, 1, &in.weight)) ||
            (rc = get_double(p, o, "effort", false, 0, &in.effort)) ||
            (rc = get_string(p, o, "answer", false, true, &answer)) ||
            (rc = get_bool(p, o, "applicable", true, &in.applicable)))
            return rc;
        if (json_object_get(o, "effort") && in.effort <= 0)
            return perr(p, IMS_EINVAL, "effort", "must be > 0");
        in.level = (int)level;
        in.answer = ENGINE_ANSWER_NONE;
        if (answer) {
            int k = enum_of(answer, answer_names, 5);
            if (k < 0)
                return perr(p, IMS_EINVAL, "answer",
                            "must be \"yes\", \"partial\", \"no\", \"na\" or null");
            in.answer = (enum engine_answer)k;
        }
        if ((rc = get_strings(p, o, "controls", true, &controls, &in.control_count)))
            return rc;
        in.controls = controls;
        engine_error e;
        rc = engine_subcontrol_add(m, &in, &e);
        free(controls);
        if (rc)
            return model_err(p, rc, &e);
    }
    return rc;
}

static int parse_metrics(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "metrics", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "metrics", i);
        static const char *const keys[] = {"id",     "target",  "threshold", "aggregation",
                                           "window", "max_age", "controls",  NULL};
        engine_metric_input in = {0};
        const char *agg;
        json_t *maps;
        if ((rc = check_keys(p, o, keys)) || (rc = get_string(p, o, "id", true, false, &in.id)) ||
            (rc = get_double(p, o, "target", true, 0, &in.target)) ||
            (rc = get_double(p, o, "threshold", true, 0, &in.threshold)) ||
            (rc = get_string(p, o, "aggregation", true, false, &agg)) ||
            (rc = get_int(p, o, "window", false, 0, 0, INT64_MAX / 4, &in.window)) ||
            (rc = get_int(p, o, "max_age", true, 0, 1, INT64_MAX / 4, &in.max_age)) ||
            (rc = get_array(p, o, "controls", false, &maps)))
            return rc;
        int k = enum_of(agg, aggregation_names, 4);
        if (k < 0)
            return perr(p, IMS_EINVAL, "aggregation",
                        "must be \"last\", \"mean\", \"min\" or \"max\"");
        in.aggregation = (enum engine_aggregation)k;
        size_t n = json_array_size(maps);
        engine_metric_mapping *mp = n ? calloc(n, sizeof *mp) : NULL;
        if (n && !mp)
            return perr(p, IMS_ENOMEM, NULL, "out of memory");
        char base[192];
        snprintf(base, sizeof base, "%s", p->path);
        for (size_t j = 0; rc == 0 && j < n; j++) {
            json_t *mo = json_array_get(maps, j);
            item_path(p, base, "controls", j);
            static const char *const mkeys[] = {"control", "weight", NULL};
            if ((rc = check_keys(p, mo, mkeys)) ||
                (rc = get_string(p, mo, "control", true, false, &mp[j].control)) ||
                (rc = get_double(p, mo, "weight", false, 1, &mp[j].weight)))
                break;
        }
        snprintf(p->path, sizeof p->path, "%s", base);
        if (rc == 0) {
            in.controls = mp;
            in.control_count = n;
            engine_error e;
            if ((rc = engine_metric_add(m, &in, &e)))
                rc = model_err(p, rc, &e);
        }
        free(mp);
    }
    return rc;
}

static int parse_samples(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "samples", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "samples", i);
        static const char *const keys[] = {"metric", "at", "value", NULL};
        const char *metric;
        int64_t at;
        bool present;
        double value = 0;
        if ((rc = check_keys(p, o, keys)) ||
            (rc = get_string(p, o, "metric", true, false, &metric)) ||
            (rc = get_time(p, o, "at", true, &present, &at)) ||
            (rc = get_double(p, o, "value", true, 0, &value)))
            return rc;
        engine_error e;
        if ((rc = engine_sample_add(m, metric, at, value, &e)))
            return model_err(p, rc, &e);
    }
    return rc;
}

static int parse_threats(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "threats", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "threats", i);
        static const char *const keys[] = {"id", "likelihood", "dimensions", NULL};
        engine_threat_input in = {0};
        const char **dims;
        size_t n;
        if ((rc = check_keys(p, o, keys)) || (rc = get_string(p, o, "id", true, false, &in.id)) ||
            (rc = get_double(p, o, "likelihood", true, 0, &in.likelihood)) ||
            (rc = get_strings(p, o, "dimensions", true, &dims, &n)))
            return rc;
        for (size_t k = 0; rc == 0 && k < n; k++) {
            unsigned bit = strcmp(dims[k], "C") == 0   ? ENGINE_DIM_C
                           : strcmp(dims[k], "I") == 0 ? ENGINE_DIM_I
                           : strcmp(dims[k], "A") == 0 ? ENGINE_DIM_A
                                                       : 0;
            if (!bit || (in.dimensions & bit)) {
                char key[48];
                snprintf(key, sizeof key, "dimensions[%zu]", k);
                rc = perr(p, IMS_EINVAL, key,
                          bit ? "duplicate dimension" : "must be \"C\", \"I\" or \"A\"");
            }
            in.dimensions |= bit;
        }
        free(dims);
        if (rc)
            return rc;
        engine_error e;
        if ((rc = engine_threat_add(m, &in, &e)))
            return model_err(p, rc, &e);
    }
    return rc;
}

static int parse_asset_types(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "asset_types", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "asset_types", i);
        static const char *const keys[] = {"id", "threats", NULL};
        engine_asset_type_input in = {0};
        json_t *rows;
        if ((rc = check_keys(p, o, keys)) || (rc = get_string(p, o, "id", true, false, &in.id)) ||
            (rc = get_array(p, o, "threats", false, &rows)))
            return rc;
        size_t n = json_array_size(rows);
        engine_degradation *d = n ? calloc(n, sizeof *d) : NULL;
        if (n && !d)
            return perr(p, IMS_ENOMEM, NULL, "out of memory");
        char base[192];
        snprintf(base, sizeof base, "%s", p->path);
        for (size_t j = 0; rc == 0 && j < n; j++) {
            json_t *ro = json_array_get(rows, j);
            item_path(p, base, "threats", j);
            static const char *const rkeys[] = {"threat", "degradation", NULL};
            if ((rc = check_keys(p, ro, rkeys)) ||
                (rc = get_string(p, ro, "threat", true, false, &d[j].threat)) ||
                (rc = get_double(p, ro, "degradation", true, 0, &d[j].degradation)))
                break;
        }
        snprintf(p->path, sizeof p->path, "%s", base);
        if (rc == 0) {
            in.threats = d;
            in.threat_count = n;
            engine_error e;
            if ((rc = engine_asset_type_add(m, &in, &e)))
                rc = model_err(p, rc, &e);
        }
        free(d);
    }
    return rc;
}

static int parse_assets(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "assets", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "assets", i);
        static const char *const keys[] = {"id", "type", "C", "I", "A", NULL};
        engine_asset_input in = {0};
        int64_t c = 0, in_ = 0, av = 0;
        if ((rc = check_keys(p, o, keys)) || (rc = get_string(p, o, "id", true, false, &in.id)) ||
            (rc = get_string(p, o, "type", true, false, &in.type)) ||
            (rc = get_int(p, o, "C", true, 0, 0, 5, &c)) ||
            (rc = get_int(p, o, "I", true, 0, 0, 5, &in_)) ||
            (rc = get_int(p, o, "A", true, 0, 0, 5, &av)))
            return rc;
        in.confidentiality = (int)c;
        in.integrity = (int)in_;
        in.availability = (int)av;
        snprintf(p->path, sizeof p->path, "$");
        if (engine_lookup(m, &m->map_assets, in.id, NULL) >= 0) {
            item_path(p, "$", "assets", i);
            return perr(p, IMS_EEXISTS, "id", "duplicate asset \"%s\"", in.id);
        }
        item_path(p, "$", "assets", i);
        engine_error e;
        if ((rc = engine_asset_put(m, &in, &e)))
            return model_err(p, rc, &e);
    }
    return rc;
}

static int parse_mitigations(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "mitigations", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "mitigations", i);
        static const char *const keys[] = {"threat", "control", "effectiveness", NULL};
        const char *threat, *control;
        double eff = 0;
        if ((rc = check_keys(p, o, keys)) ||
            (rc = get_string(p, o, "threat", true, false, &threat)) ||
            (rc = get_string(p, o, "control", true, false, &control)) ||
            (rc = get_double(p, o, "effectiveness", true, 0, &eff)))
            return rc;
        engine_error e;
        if ((rc = engine_mitigation_add(m, threat, control, eff, &e)))
            return model_err(p, rc, &e);
    }
    return rc;
}

static int parse_processes(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "processes", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "processes", i);
        static const char *const keys[] = {"id",      "criticality",      "mtpd_min",  "rto_min",
                                           "rpo_min", "plan_reviewed_at", "exercises", NULL};
        engine_process_input in = {0};
        int64_t crit = 0;
        json_t *ex;
        if ((rc = check_keys(p, o, keys)) || (rc = get_string(p, o, "id", true, false, &in.id)) ||
            (rc = get_int(p, o, "criticality", true, 0, 1, 5, &crit)) ||
            (rc = get_double(p, o, "mtpd_min", true, 0, &in.mtpd_min)) ||
            (rc = get_double(p, o, "rto_min", true, 0, &in.rto_min)) ||
            (rc = get_double(p, o, "rpo_min", false, 0, &in.rpo_min)) ||
            (rc = get_time(p, o, "plan_reviewed_at", false, &in.plan_reviewed,
                           &in.plan_reviewed_at)) ||
            (rc = get_array(p, o, "exercises", false, &ex)))
            return rc;
        in.criticality = (int)crit;
        if (engine_lookup(m, &m->map_processes, in.id, NULL) >= 0)
            return perr(p, IMS_EEXISTS, "id", "duplicate process \"%s\"", in.id);
        size_t n = json_array_size(ex);
        engine_exercise *xs = n ? calloc(n, sizeof *xs) : NULL;
        if (n && !xs)
            return perr(p, IMS_ENOMEM, NULL, "out of memory");
        char base[192];
        snprintf(base, sizeof base, "%s", p->path);
        for (size_t j = 0; rc == 0 && j < n; j++) {
            json_t *eo = json_array_get(ex, j);
            item_path(p, base, "exercises", j);
            static const char *const ekeys[] = {"at", "recovery_min", NULL};
            bool present;
            if ((rc = check_keys(p, eo, ekeys)) ||
                (rc = get_time(p, eo, "at", true, &present, &xs[j].at)) ||
                (rc = get_double(p, eo, "recovery_min", true, 0, &xs[j].recovery_min)))
                break;
        }
        snprintf(p->path, sizeof p->path, "%s", base);
        if (rc == 0) {
            in.exercises = xs;
            in.exercise_count = n;
            engine_error e;
            if ((rc = engine_process_put(m, &in, &e)))
                rc = model_err(p, rc, &e);
        }
        free(xs);
    }
    return rc;
}

static int parse_incidents(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "incidents", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "incidents", i);
        static const char *const keys[] = {
            "id",        "severity",  "threat",      "controls",           "assets",
            "processes", "opened_at", "resolved_at", "disruption_minutes", NULL};
        engine_incident_input in = {0};
        int64_t sev = 0;
        bool present;
        const char **controls = NULL, **assets = NULL, **processes = NULL;
        if ((rc = check_keys(p, o, keys)) || (rc = get_string(p, o, "id", true, false, &in.id)) ||
            (rc = get_int(p, o, "severity", true, 0, 1, 5, &sev)) ||
            (rc = get_string(p, o, "threat", false, true, &in.threat)) ||
            (rc = get_time(p, o, "opened_at", true, &present, &in.opened_at)) ||
            (rc = get_time(p, o, "resolved_at", false, &in.resolved, &in.resolved_at)) ||
            (rc = get_double(p, o, "disruption_minutes", false, 0, &in.disruption_minutes)))
            return rc;
        in.severity = (int)sev;
        if (engine_lookup(m, &m->map_incidents, in.id, NULL) >= 0)
            return perr(p, IMS_EEXISTS, "id", "duplicate incident \"%s\"", in.id);
        if ((rc = get_strings(p, o, "controls", false, &controls, &in.control_count)) ||
            (rc = get_strings(p, o, "assets", false, &assets, &in.asset_count)) ||
            (rc = get_strings(p, o, "processes", false, &processes, &in.process_count))) {
            free(controls);
            free(assets);
            return rc;
        }
        in.controls = controls;
        in.assets = assets;
        in.processes = processes;
        engine_error e;
        rc = engine_incident_put(m, &in, &e);
        free(controls);
        free(assets);
        free(processes);
        if (rc)
            return model_err(p, rc, &e);
    }
    return rc;
}

static int parse_findings(parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = get_array(p, root, "findings", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        item_path(p, "$", "findings", i);
        static const char *const keys[] = {"id", "type", "controls", "open", NULL};
        engine_finding_input in = {0};
        const char *type;
        const char **controls = NULL;
        if ((rc = check_keys(p, o, keys)) || (rc = get_string(p, o, "id", true, false, &in.id)) ||
            (rc = get_string(p, o, "type", true, false, &type)) ||
            (rc = get_bool(p, o, "open", true, &in.open)))
            return rc;
        int k = enum_of(type, finding_names, 4);
        if (k < 0)
            return perr(p, IMS_EINVAL, "type",
                        "must be \"major_nc\", \"minor_nc\", \"observation\" or \"opportunity\"");
        in.type = (enum engine_finding_type)k;
        if (engine_lookup(m, &m->map_findings, in.id, NULL) >= 0)
            return perr(p, IMS_EEXISTS, "id", "duplicate finding \"%s\"", in.id);
        if ((rc = get_strings(p, o, "controls", false, &controls, &in.control_count)))
            return rc;
        in.controls = controls;
        engine_error e;
        rc = engine_finding_put(m, &in, &e);
        free(controls);
        if (rc)
            return model_err(p, rc, &e);
    }
    return rc;
}

int engine_snapshot_parse(const char *text, size_t length, engine_model **out, bool *has_at,
                          int64_t *at, engine_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, length, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (err)
            snprintf(err->msg, sizeof err->msg, "%d:%d: %s", jerr.line, jerr.column, jerr.text);
        return IMS_EPARSE;
    }
    parser p = {.err = err};
    snprintf(p.path, sizeof p.path, "$");
    static const char *const keys[] = {
        "format",      "at",      "params",      "systems",   "frameworks", "controls",
        "subcontrols", "metrics", "samples",     "incidents", "findings",   "threats",
        "asset_types", "assets",  "mitigations", "processes", NULL};
    engine_model *m = NULL;
    engine_params params;
    unsigned systems = 0;
    const char *format;
    int rc = check_keys(&p, root, keys);
    if (rc == 0)
        rc = get_string(&p, root, "format", true, false, &format);
    if (rc == 0 && strcmp(format, "ims-snapshot/1") != 0)
        rc = perr(&p, IMS_EINVAL, "format", "must be \"ims-snapshot/1\"");
    if (rc == 0)
        rc = get_time(&p, root, "at", false, has_at, at);
    if (rc == 0)
        rc = parse_params(&p, root, &params);
    if (rc == 0)
        rc = parse_systems(&p, root, &systems);
    if (rc == 0) {
        engine_error e;
        rc = engine_model_new(&params, systems, &m, &e);
        if (rc)
            rc = perr(&p, rc, NULL, "%s", e.msg);
    }
    int (*sections[])(parser *, json_t *, engine_model *) = {
        parse_frameworks,  parse_controls,  parse_subcontrols, parse_metrics,
        parse_samples,     parse_threats,   parse_asset_types, parse_assets,
        parse_mitigations, parse_processes, parse_incidents,   parse_findings};
    for (size_t i = 0; rc == 0 && i < sizeof sections / sizeof sections[0]; i++)
        rc = sections[i](&p, root, m);
    json_decref(root);
    if (rc) {
        engine_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

/* ---- writing ------------------------------------------------------------------------- */

/* Builders that remember the first allocation failure, so callers check once. */
typedef struct builder {
    bool failed;
} builder;

static json_t *chk(builder *b, json_t *v)
{
    if (!v)
        b->failed = true;
    return v;
}

static void set(builder *b, json_t *obj, const char *key, json_t *v)
{
    if (!v || !obj || json_object_set_new(obj, key, v))
        b->failed = true;
}

static void push(builder *b, json_t *arr, json_t *v)
{
    if (!v || !arr || json_array_append_new(arr, v))
        b->failed = true;
}

static json_t *jtime(builder *b, int64_t t)
{
    char buf[40];
    engine_time_format(t, buf, sizeof buf);
    return chk(b, json_string(buf));
}

static json_t *jreal(builder *b, double x)
{
    return chk(b, json_real(x));
}

static json_t *jstr(builder *b, const char *s)
{
    return chk(b, json_string(s));
}

static json_t *jnames(builder *b, const engine_model *m, const engine_ilist *l,
                      int32_t (*name_of)(const engine_model *, int32_t))
{
    json_t *a = chk(b, json_array());
    for (int32_t i = 0; i < l->n; i++)
        push(b, a, jstr(b, engine_name(m, name_of ? name_of(m, l->v[i]) : l->v[i])));
    return a;
}

static int32_t process_name(const engine_model *m, int32_t i)
{
    return m->processes.v[i].name;
}

static char *dump(json_t *root, builder *b, size_t flags)
{
    char *text = NULL;
    if (!b->failed)
        text = json_dumps(root, flags | JSON_REAL_PRECISION(17) | JSON_INDENT(2));
    json_decref(root);
    return text;
}

int engine_snapshot_write(const engine_model *m, bool has_at, int64_t at, char **out)
{
    builder b = {0};
    json_t *root = chk(&b, json_object());
    set(&b, root, "format", jstr(&b, "ims-snapshot/1"));
    if (has_at)
        set(&b, root, "at", jtime(&b, at));
    const engine_params *pr = &m->params;
    json_t *params = chk(&b, json_object());
    set(&b, params, "beta", jreal(&b, pr->beta));
    set(&b, params, "gamma", jreal(&b, pr->gamma));
    set(&b, params, "half_life_days", jreal(&b, pr->half_life_days));
    set(&b, params, "cap_major_nc", jreal(&b, pr->cap_major_nc));
    set(&b, params, "cap_minor_nc", jreal(&b, pr->cap_minor_nc));
    set(&b, params, "theta", jreal(&b, pr->theta));
    set(&b, params, "beta_risk", jreal(&b, pr->beta_risk));
    set(&b, params, "beta_bcms", jreal(&b, pr->beta_bcms));
    set(&b, params, "likelihood_window_days", jreal(&b, pr->likelihood_window_days));
    set(&b, params, "review_window_days", jreal(&b, pr->review_window_days));
    set(&b, params, "appetite", chk(&b, json_integer(pr->appetite)));
    json_t *sw = chk(&b, json_object());
    for (int s = 0; s < ENGINE_SYSTEM_COUNT; s++)
        set(&b, sw, system_names[s], jreal(&b, pr->system_weight[s]));
    set(&b, params, "system_weights", sw);
    set(&b, root, "params", params);
    json_t *systems = chk(&b, json_array());
    for (int s = 0; s < ENGINE_SYSTEM_COUNT; s++)
        if (m->systems & (1u << s))
            push(&b, systems, jstr(&b, system_names[s]));
    set(&b, root, "systems", systems);

    json_t *a = chk(&b, json_array());
    for (int32_t i = 0; i < m->frameworks.n; i++) {
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, m->frameworks.v[i].name)));
        set(&b, o, "system", jstr(&b, system_names[m->frameworks.v[i].system]));
        push(&b, a, o);
    }
    set(&b, root, "frameworks", a);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->controls.n; i++) {
        const engine_control *c = &m->controls.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, c->name)));
        set(&b, o, "framework", jstr(&b, engine_name(m, m->frameworks.v[c->framework].name)));
        set(&b, o, "domain", jstr(&b, engine_name(m, m->domains.v[c->domain].name)));
        set(&b, o, "weight", jreal(&b, c->weight));
        set(&b, o, "applicable", chk(&b, json_boolean(c->declared)));
        push(&b, a, o);
    }
    set(&b, root, "controls", a);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->subs.n; i++) {
        const engine_subcontrol *s = &m->subs.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, s->name)));
        set(&b, o, "controls", jnames(&b, m, &s->controls, engine_control_name));
        set(&b, o, "level", chk(&b, json_integer(s->level)));
        set(&b, o, "weight", jreal(&b, s->weight));
        set(&b, o, "effort", jreal(&b, s->effort));
        set(&b, o, "answer",
            s->answer == ENGINE_ANSWER_NONE ? chk(&b, json_null())
                                            : jstr(&b, answer_names[s->answer]));
        set(&b, o, "applicable", chk(&b, json_boolean(s->declared)));
        push(&b, a, o);
    }
    set(&b, root, "subcontrols", a);

    a = chk(&b, json_array());
    json_t *samples = chk(&b, json_array());
    for (int32_t i = 0; i < m->metrics.n; i++) {
        const engine_metric *x = &m->metrics.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, x->name)));
        set(&b, o, "target", jreal(&b, x->target));
        set(&b, o, "threshold", jreal(&b, x->threshold));
        set(&b, o, "aggregation", jstr(&b, aggregation_names[x->aggregation]));
        set(&b, o, "window", chk(&b, json_integer(x->window)));
        set(&b, o, "max_age", chk(&b, json_integer(x->max_age)));
        json_t *maps = chk(&b, json_array());
        for (int32_t k = 0; k < x->controls.n; k++) {
            json_t *mo = chk(&b, json_object());
            set(&b, mo, "control",
                jstr(&b, engine_name(m, m->controls.v[x->controls.v[k].to].name)));
            set(&b, mo, "weight", jreal(&b, x->controls.v[k].w));
            push(&b, maps, mo);
        }
        set(&b, o, "controls", maps);
        push(&b, a, o);
        for (int32_t k = 0; k < x->sample_n; k++) {
            json_t *so = chk(&b, json_object());
            set(&b, so, "metric", jstr(&b, engine_name(m, x->name)));
            set(&b, so, "at", jtime(&b, x->samples[k].at));
            set(&b, so, "value", jreal(&b, x->samples[k].value));
            push(&b, samples, so);
        }
    }
    set(&b, root, "metrics", a);
    set(&b, root, "samples", samples);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->incidents.n; i++) {
        const engine_incident *j = &m->incidents.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, j->name)));
        set(&b, o, "severity", chk(&b, json_integer(j->severity)));
        set(&b, o, "threat",
            j->threat < 0 ? chk(&b, json_null())
                          : jstr(&b, engine_name(m, m->threats.v[j->threat].name)));
        set(&b, o, "controls", jnames(&b, m, &j->controls, engine_control_name));
        set(&b, o, "assets", jnames(&b, m, &j->assets, NULL));
        set(&b, o, "processes", jnames(&b, m, &j->processes, process_name));
        set(&b, o, "opened_at", jtime(&b, j->opened_at));
        set(&b, o, "resolved_at", j->resolved ? jtime(&b, j->resolved_at) : chk(&b, json_null()));
        set(&b, o, "disruption_minutes", jreal(&b, j->disruption));
        push(&b, a, o);
    }
    set(&b, root, "incidents", a);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->findings.n; i++) {
        const engine_finding *f = &m->findings.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, f->name)));
        set(&b, o, "type", jstr(&b, finding_names[f->type]));
        set(&b, o, "controls", jnames(&b, m, &f->controls, engine_control_name));
        set(&b, o, "open", chk(&b, json_boolean(f->open)));
        push(&b, a, o);
    }
    set(&b, root, "findings", a);

    a = chk(&b, json_array());
    json_t *mit = chk(&b, json_array());
    for (int32_t i = 0; i < m->threats.n; i++) {
        const engine_threat *th = &m->threats.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, th->name)));
        set(&b, o, "likelihood", jreal(&b, th->likelihood));
        json_t *dims = chk(&b, json_array());
        static const char *dn[3] = {"C", "I", "A"};
        for (int k = 0; k < 3; k++)
            if (th->dims & (1u << k))
                push(&b, dims, jstr(&b, dn[k]));
        set(&b, o, "dimensions", dims);
        push(&b, a, o);
        for (int32_t k = 0; k < th->mitig.n; k++) {
            json_t *mo = chk(&b, json_object());
            set(&b, mo, "threat", jstr(&b, engine_name(m, th->name)));
            set(&b, mo, "control", jstr(&b, engine_name(m, m->controls.v[th->mitig.v[k].to].name)));
            set(&b, mo, "effectiveness", jreal(&b, th->mitig.v[k].w));
            push(&b, mit, mo);
        }
    }
    set(&b, root, "threats", a);
    set(&b, root, "mitigations", mit);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->asset_types.n; i++) {
        const engine_asset_type *at_ = &m->asset_types.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, at_->name)));
        json_t *rows = chk(&b, json_array());
        for (int32_t k = 0; k < at_->rows.n; k++) {
            json_t *ro = chk(&b, json_object());
            set(&b, ro, "threat", jstr(&b, engine_name(m, m->threats.v[at_->rows.v[k].to].name)));
            set(&b, ro, "degradation", jreal(&b, at_->rows.v[k].w));
            push(&b, rows, ro);
        }
        set(&b, o, "threats", rows);
        push(&b, a, o);
    }
    set(&b, root, "asset_types", a);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->assets.n; i++) {
        const engine_asset *x = &m->assets.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, x->name)));
        set(&b, o, "type", jstr(&b, engine_name(m, m->asset_types.v[x->type].name)));
        set(&b, o, "C", chk(&b, json_integer(x->v[0])));
        set(&b, o, "I", chk(&b, json_integer(x->v[1])));
        set(&b, o, "A", chk(&b, json_integer(x->v[2])));
        push(&b, a, o);
    }
    set(&b, root, "assets", a);

    a = chk(&b, json_array());
    for (int32_t i = 0; i < m->processes.n; i++) {
        const engine_process *x = &m->processes.v[i];
        json_t *o = chk(&b, json_object());
        set(&b, o, "id", jstr(&b, engine_name(m, x->name)));
        set(&b, o, "criticality", chk(&b, json_integer(x->criticality)));
        set(&b, o, "mtpd_min", jreal(&b, x->mtpd));
        set(&b, o, "rto_min", jreal(&b, x->rto));
        set(&b, o, "rpo_min", jreal(&b, x->rpo));
        set(&b, o, "plan_reviewed_at",
            x->plan_reviewed ? jtime(&b, x->plan_reviewed_at) : chk(&b, json_null()));
        json_t *ex = chk(&b, json_array());
        for (int32_t k = 0; k < x->exercise_n; k++) {
            json_t *eo = chk(&b, json_object());
            set(&b, eo, "at", jtime(&b, x->exercises[k].at));
            set(&b, eo, "recovery_min", jreal(&b, x->exercises[k].recovery_min));
            push(&b, ex, eo);
        }
        set(&b, o, "exercises", ex);
        push(&b, a, o);
    }
    set(&b, root, "processes", a);

    *out = dump(root, &b, JSON_SORT_KEYS);
    return *out ? 0 : IMS_ENOMEM;
}

/* ---- evaluation JSON ----------------------------------------------------------------- */

typedef struct pair_ctx {
    builder *b;
    json_t *pairs;
} pair_ctx;

static void pair_to_json(void *ctx, const engine_pair_figures *p)
{
    pair_ctx *pc = ctx;
    builder *b = pc->b;
    json_t *o = chk(b, json_object());
    set(b, o, "asset", jstr(b, p->asset));
    set(b, o, "threat", jstr(b, p->threat));
    set(b, o, "impact", jreal(b, p->impact));
    set(b, o, "likelihood", jreal(b, p->likelihood));
    set(b, o, "residual_likelihood", jreal(b, p->residual_likelihood));
    set(b, o, "inherent", jreal(b, p->inherent));
    set(b, o, "residual", jreal(b, p->residual));
    set(b, o, "level", chk(b, json_integer(p->level)));
    set(b, o, "within_appetite", chk(b, json_boolean(p->within_appetite)));
    push(b, pc->pairs, o);
}

int engine_evaluation_write(engine_model *m, int64_t t, char **out)
{
    engine_summary s;
    engine_evaluate(m, t, &s);
    builder b = {0};
    json_t *root = chk(&b, json_object());
    set(&b, root, "at", jtime(&b, t));
    set(&b, root, "security_level", jreal(&b, s.security_level));
    set(&b, root, "maturity", chk(&b, json_integer(s.maturity)));
    json_t *sys = chk(&b, json_object());
    for (int k = 0; k < ENGINE_SYSTEM_COUNT; k++)
        if (s.system_included[k])
            set(&b, sys, system_names[k], jreal(&b, s.system_score[k]));
    set(&b, root, "systems", sys);

    json_t *fws = chk(&b, json_object());
    for (size_t f = 0; f < engine_framework_count(m); f++) {
        engine_framework_figures ff;
        engine_framework_get(m, f, &ff);
        json_t *o = chk(&b, json_object());
        set(&b, o, "system", jstr(&b, system_names[ff.system]));
        set(&b, o, "score", ff.has_score ? jreal(&b, ff.score) : chk(&b, json_null()));
        set(&b, o, "assessed", ff.has_score ? jreal(&b, ff.assessed) : chk(&b, json_null()));
        set(&b, o, "maturity", chk(&b, json_integer(ff.maturity)));
        json_t *doms = chk(&b, json_object());
        for (size_t d = 0; d < engine_domain_count(m); d++) {
            engine_domain_figures df;
            engine_domain_get(m, d, &df);
            if (df.framework == f && df.has_score)
                set(&b, doms, df.id, jreal(&b, df.score));
        }
        set(&b, o, "domains", doms);
        set(&b, fws, engine_framework_id(m, f), o);
    }
    set(&b, root, "frameworks", fws);

    json_t *ctrls = chk(&b, json_object());
    for (size_t c = 0; c < engine_control_count(m); c++) {
        engine_control_figures cf;
        engine_control_get(m, c, &cf);
        if (!cf.applicable)
            continue;
        json_t *o = chk(&b, json_object());
        set(&b, o, "a", jreal(&b, cf.a));
        set(&b, o, "q", cf.has_q ? jreal(&b, cf.q) : chk(&b, json_null()));
        set(&b, o, "b", jreal(&b, cf.b));
        set(&b, o, "p", jreal(&b, cf.p));
        set(&b, o, "cap", jreal(&b, cf.cap));
        set(&b, o, "e", jreal(&b, cf.e));
        set(&b, ctrls, engine_control_id(m, c), o);
    }
    set(&b, root, "controls", ctrls);

    if (m->systems & (1u << ENGINE_RMS)) {
        json_t *risk = chk(&b, json_object());
        set(&b, risk, "rho", s.has_pairs ? jreal(&b, s.rho) : chk(&b, json_null()));
        pair_ctx pc = {&b, chk(&b, json_array())};
        if (pc.pairs)
            engine_pairs_foreach(m, pair_to_json, &pc);
        set(&b, risk, "pairs", pc.pairs);
        set(&b, root, "risk", risk);
    }
    if ((m->systems & (1u << ENGINE_BCMS)) && s.has_processes) {
        json_t *bc = chk(&b, json_object());
        set(&b, bc, "readiness", jreal(&b, s.readiness));
        json_t *procs = chk(&b, json_object());
        for (size_t p = 0; p < engine_process_count(m); p++)
            set(&b, procs, engine_process_id(m, p), jreal(&b, engine_process_readiness(m, p)));
        set(&b, bc, "processes", procs);
        set(&b, root, "bcms", bc);
    }
    *out = dump(root, &b, 0);
    return *out ? 0 : IMS_ENOMEM;
}
