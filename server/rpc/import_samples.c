/* The samples of a streamed import: checked, paged as array literals, and the first
 * faulty one found the way the whole document's parse finds it (see import_samples.h). */
#include "import_samples.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "ims/error.h"
#include "snapshot.h"

struct import_metric {
    char *id;
    size_t first; /* the first sample that uses it */
};

int import_samples_init(struct import_samples *s)
{
    memset(s, 0, sizeof *s);
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < 3; k++) {
            if (!(s->page[p].text[k] = malloc(4096)))
                return IMS_ENOMEM;
            s->page[p].cap[k] = 4096;
            s->page[p].text[k][0] = '{';
            s->page[p].len[k] = 1;
        }
    return 0;
}

void import_samples_free(struct import_samples *s)
{
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < 3; k++)
            free(s->page[p].text[k]);
    for (size_t i = 0; i < s->n_metrics; i++)
        free(s->metrics[i].id);
    free(s->metrics);
    memset(s, 0, sizeof *s);
}

static int put(struct import_page *pg, int k, const char *p, size_t n)
{
    if (pg->len[k] + n + 2 > pg->cap[k]) {
        size_t cap = pg->cap[k];
        while (cap < pg->len[k] + n + 2)
            cap *= 2;
        char *t = realloc(pg->text[k], cap);
        if (!t)
            return IMS_ENOMEM;
        pg->text[k] = t;
        pg->cap[k] = cap;
    }
    memcpy(pg->text[k] + pg->len[k], p, n);
    pg->len[k] += n;
    return 0;
}

/* The metric id as an element of a text[] literal: quoted, '"' and '\' escaped. */
static int put_quoted(struct import_page *pg, const char *id)
{
    int rc = put(pg, 0, "\"", 1);
    for (const char *c = id; rc == 0 && *c; c++)
        if ((*c == '"' || *c == '\\') && (rc = put(pg, 0, "\\", 1)) != 0)
            break;
        else
            rc = put(pg, 0, c, 1);
    return rc ? rc : put(pg, 0, "\"", 1);
}

/* Remembers id's first use; IMS_EINVAL past IMPORT_SAMPLES_METRICS ids. */
static int seen(struct import_samples *s, const char *id, size_t index)
{
    size_t lo = 0, hi = s->n_metrics;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->metrics[mid].id, id);
        if (c == 0)
            return 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (s->n_metrics == IMPORT_SAMPLES_METRICS)
        return IMS_EINVAL;
    if ((s->n_metrics & (s->n_metrics - 1)) == 0 || s->n_metrics == 0) {
        size_t cap = s->n_metrics ? s->n_metrics * 2 : 8;
        struct import_metric *m = realloc(s->metrics, cap * sizeof *m);
        if (!m)
            return IMS_ENOMEM;
        s->metrics = m;
    }
    char *copy = strdup(id);
    if (!copy)
        return IMS_ENOMEM;
    memmove(s->metrics + lo + 1, s->metrics + lo, (s->n_metrics - lo) * sizeof *s->metrics);
    s->metrics[lo] = (struct import_metric){copy, index};
    s->n_metrics++;
    return 0;
}

/* The document's first problem among its samples, kept for the end of the import. */
__attribute__((format(printf, 3, 4))) static int refuse(struct import_samples *s, size_t index,
                                                       const char *fmt, ...)
{
    s->bad = 1;
    s->bad_index = index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->bad_msg, sizeof s->bad_msg, fmt, ap);
    va_end(ap);
    return 0;
}

int import_samples_add(struct import_samples *s, const char *text, size_t n, size_t index,
                       long line, long column, char *why, size_t why_size)
{
    if (s->bad)
        return 0; /* the import fails with that one or an earlier problem of the head */
    char *metric = NULL;
    int64_t at;
    double value;
    engine_error err;
    int rc = engine_snapshot_parse_sample(text, n, index, &metric, &at, &value, &err);
    if (rc == IMS_EPARSE) {
        /* jansson's position within the element, made the document's. */
        long l = 1, c = 1;
        const char *rest = err.msg;
        if (sscanf(err.msg, "%ld:%ld:", &l, &c) == 2 && (rest = strstr(err.msg, ": ")))
            rest += 2;
        else
            rest = err.msg;
        snprintf(why, why_size, "%ld:%ld: %s", line + l - 1, l == 1 ? column + c - 1 : c, rest);
        return IMS_EPARSE;
    }
    if (rc == IMS_ENOMEM)
        return rc;
    if (rc != 0) {
        return refuse(s, index, "%s", err.msg);
    }
    if (at > (int64_t)time(NULL) + FUTURE_SLACK_S) {
        /* As PushMetrics: a sample further ahead would sit in the default partition. */
        free(metric);
        return refuse(s, index, "$.samples[%zu].at: more than %d s in the future", index,
                      FUTURE_SLACK_S);
    }
    if (strlen(metric) > IMPORT_SAMPLES_METRIC_ID_MAX) {
        /* Ids are kept until the document's metrics are known: they are bounded. */
        free(metric);
        return refuse(s, index, "$.samples[%zu].metric: longer than %d bytes (no metric id is)",
                      index, IMPORT_SAMPLES_METRIC_ID_MAX);
    }
    rc = seen(s, metric, index);
    if (rc == IMS_EINVAL)
        snprintf(why, why_size, "$.samples[%zu].metric: more than %d distinct metrics", index,
                 IMPORT_SAMPLES_METRICS);
    struct import_page *pg = &s->page[0];
    char when[40], num[40];
    engine_time_format(at, when, sizeof when);
    /* -0 is stored as 0, as the unary import's path through jsonb numeric does. */
    snprintf(num, sizeof num, "%.17g", value == 0 ? 0.0 : value);
    const char *sep = pg->n ? "," : "";
    if (rc == 0 && (rc = put(pg, 0, sep, strlen(sep))) == 0)
        rc = put_quoted(pg, metric);
    if (rc == 0 && (rc = put(pg, 1, sep, strlen(sep))) == 0)
        rc = put(pg, 1, when, strlen(when));
    if (rc == 0 && (rc = put(pg, 2, sep, strlen(sep))) == 0)
        rc = put(pg, 2, num, strlen(num));
    free(metric);
    if (rc == 0)
        pg->n++;
    return rc;
}

size_t import_samples_bytes(const struct import_samples *s)
{
    size_t n = 0;
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < 3; k++)
            n += s->page[p].cap[k];
    return n;
}

int import_samples_full(const struct import_samples *s)
{
    return !s->bad && s->page[0].n >= IMPORT_SAMPLES_PAGE;
}

int import_samples_ready(const struct import_samples *s, int input_done)
{
    return !s->bad && s->page[1].n == 0 &&
           (s->page[0].n >= IMPORT_SAMPLES_PAGE || (input_done && s->page[0].n > 0));
}

void import_samples_params(struct import_samples *s, const char *tenant, const char *params[5])
{
    struct import_page t = s->page[1];
    s->page[1] = s->page[0];
    s->page[0] = t;
    struct import_page *pg = &s->page[1];
    for (int k = 0; k < 3; k++) {
        pg->text[k][pg->len[k]] = '}';
        pg->text[k][pg->len[k] + 1] = '\0';
    }
    params[0] = tenant;
    params[1] = s->after[0] ? s->after : NULL;
    params[2] = pg->text[0];
    params[3] = pg->text[1];
    params[4] = pg->text[2];
}

void import_samples_written(struct import_samples *s, const char *last)
{
    snprintf(s->after, sizeof s->after, "%s", last);
    struct import_page *pg = &s->page[1];
    for (int k = 0; k < 3; k++)
        pg->len[k] = 1;
    pg->n = 0;
}

static int find_id(char *const *ids, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ids[mid], id);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int import_samples_first_error(const struct import_samples *s, char *const *ids, size_t n_ids,
                               char *why, size_t why_size)
{
    size_t first = s->bad ? s->bad_index : SIZE_MAX;
    const char *unknown = NULL;
    for (size_t i = 0; ids && i < s->n_metrics; i++)
        if (s->metrics[i].first < first && !find_id(ids, n_ids, s->metrics[i].id)) {
            first = s->metrics[i].first;
            unknown = s->metrics[i].id;
        }
    if (first == SIZE_MAX)
        return 0;
    if (!unknown) {
        snprintf(why, why_size, "%s", s->bad_msg);
        return 1;
    }
    /* As engine_sample_add's message under the sample's path, both cut as the engine's. */
    engine_error inner, out;
    snprintf(inner.msg, sizeof inner.msg, "metric: unknown metric \"%s\"", unknown);
    int n = snprintf(out.msg, sizeof out.msg, "$.samples[%zu].", first);
    size_t used = (size_t)n, take = strlen(inner.msg);
    if (take > sizeof out.msg - 1 - used)
        take = sizeof out.msg - 1 - used;
    memcpy(out.msg + used, inner.msg, take);
    out.msg[used + take] = '\0';
    snprintf(why, why_size, "%s", out.msg);
    return 1;
}

int import_samples_after_samples(const char *msg)
{
    static const char *const later[] = {"threats",    "asset_types", "assets",   "mitigations",
                                        "processes",  "incidents",   "findings", "artefacts",
                                        "treatments", "records"};
    if (strncmp(msg, "$.", 2) != 0)
        return 0;
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
        size_t n = strlen(later[i]);
        if (strncmp(msg + 2, later[i], n) == 0 && strchr(".[:", msg[2 + n]) && msg[2 + n])
            return 1;
    }
    return 0;
}

int import_samples_metric_ids(const char *doc, char ***ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    json_t *root = json_loads(doc, 0, NULL);
    json_t *metrics = json_object_get(root, "metrics");
    size_t count = json_array_size(metrics);
    char **v = calloc(count ? count : 1, sizeof *v);
    int rc = v ? 0 : IMS_ENOMEM;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const char *id = json_string_value(json_object_get(json_array_get(metrics, i), "id"));
        if (id && !(v[(*n)++] = strdup(id)))
            rc = IMS_ENOMEM;
    }
    json_decref(root);
    *ids = v;
    return rc;
}
