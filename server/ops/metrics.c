/* The metrics registry and its Prometheus text exposition. */
#include "metrics.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims/error.h"

struct series {
    char *labels[METRICS_MAX_LABELS];
    double value; /* counter, gauge; a histogram's sum */
    uint64_t count;
    uint64_t buckets[METRICS_MAX_BUCKETS];
};

struct metrics_family {
    struct metrics_family *next;
    char *name, *help;
    enum metrics_type type;
    char *label_names[METRICS_MAX_LABELS];
    int label_count;
    double bounds[METRICS_MAX_BUCKETS];
    int bucket_count;
    size_t max_series;
    struct series *series;
    size_t series_count, series_cap;
    uint64_t dropped;
};

struct metrics_registry {
    struct metrics_family *first, *last;
};

void metrics_text_printf(struct metrics_text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = t->cap - t->len;
        int n = vsnprintf(t->data ? t->data + t->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + (size_t)n + 1)
            cap *= 2;
        char *grown = realloc(t->data, cap);
        if (grown == NULL) {
            t->failed = 1;
            return;
        }
        t->data = grown;
        t->cap = cap;
    }
}

void metrics_text_free(struct metrics_text *t)
{
    free(t->data);
    *t = (struct metrics_text){0};
}

int metrics_registry_new(struct metrics_registry **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : IMS_ENOMEM;
}

static void series_free_labels(struct series *s, int n)
{
    for (int i = 0; i < n; i++)
        free(s->labels[i]);
}

void metrics_family_clear(struct metrics_family *f)
{
    for (size_t i = 0; i < f->series_count; i++)
        series_free_labels(&f->series[i], f->label_count);
    f->series_count = 0;
}

void metrics_registry_free(struct metrics_registry *r)
{
    if (r == NULL)
        return;
    struct metrics_family *f = r->first;
    while (f) {
        struct metrics_family *next = f->next;
        metrics_family_clear(f);
        free(f->series);
        for (int i = 0; i < f->label_count; i++)
            free(f->label_names[i]);
        free(f->name);
        free(f->help);
        free(f);
        f = next;
    }
    free(r);
}

static int valid_name(const char *s)
{
    if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':'))
            return 0;
    }
    return 1;
}

struct metrics_family *metrics_family_add(struct metrics_registry *r, const char *name,
                                          const char *help, enum metrics_type type,
                                          const char *const *label_names, int label_count,
                                          const double *buckets, int bucket_count,
                                          size_t max_series)
{
    if (!valid_name(name) || label_count < 0 || label_count > METRICS_MAX_LABELS ||
        bucket_count < 0 || bucket_count > METRICS_MAX_BUCKETS || max_series == 0 ||
        (type == METRICS_HISTOGRAM) != (bucket_count > 0))
        return NULL;
    for (int i = 1; i < bucket_count; i++)
        if (!(buckets[i] > buckets[i - 1]))
            return NULL;
    struct metrics_family *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    f->type = type;
    f->max_series = max_series;
    int ok = f->name && f->help;
    for (int i = 0; i < label_count; i++) {
        if (!valid_name(label_names[i]))
            ok = 0;
        f->label_names[i] = strdup(label_names[i]);
        ok = ok && f->label_names[i];
    }
    f->label_count = label_count;
    for (int i = 0; i < bucket_count; i++)
        f->bounds[i] = buckets[i];
    f->bucket_count = bucket_count;
    if (!ok) {
        for (int i = 0; i < label_count; i++)
            free(f->label_names[i]);
        free(f->name);
        free(f->help);
        free(f);
        return NULL;
    }
    if (r->last)
        r->last->next = f;
    else
        r->first = f;
    r->last = f;
    return f;
}

static struct series *find(const struct metrics_family *f, const char *const *labels)
{
    for (size_t i = 0; i < f->series_count; i++) {
        struct series *s = &f->series[i];
        int same = 1;
        for (int k = 0; k < f->label_count && same; k++)
            same = strcmp(s->labels[k], labels[k] ? labels[k] : "") == 0;
        if (same)
            return s;
    }
    return NULL;
}

/* The series for these labels, made when new; NULL with *rc set when it cannot be. */
static struct series *series_for(struct metrics_family *f, const char *const *labels, int *rc)
{
    struct series *s = find(f, labels);
    if (s != NULL)
        return s;
    if (f->series_count == f->max_series) {
        f->dropped++;
        *rc = IMS_ETOOBIG;
        return NULL;
    }
    if (f->series_count == f->series_cap) {
        size_t cap = f->series_cap ? f->series_cap * 2 : 8;
        struct series *grown = realloc(f->series, cap * sizeof *grown);
        if (grown == NULL) {
            *rc = IMS_ENOMEM;
            return NULL;
        }
        f->series = grown;
        f->series_cap = cap;
    }
    s = &f->series[f->series_count];
    memset(s, 0, sizeof *s);
    for (int k = 0; k < f->label_count; k++) {
        s->labels[k] = strdup(labels[k] ? labels[k] : "");
        if (s->labels[k] == NULL) {
            series_free_labels(s, k);
            *rc = IMS_ENOMEM;
            return NULL;
        }
    }
    f->series_count++;
    return s;
}

int metrics_add(struct metrics_family *f, const char *const *labels, double v)
{
    if (f->type == METRICS_HISTOGRAM || (f->type == METRICS_COUNTER && !(v >= 0)))
        return IMS_EINVAL;
    int rc = 0;
    struct series *s = series_for(f, labels, &rc);
    if (s != NULL)
        s->value += v;
    return rc;
}

int metrics_set(struct metrics_family *f, const char *const *labels, double v)
{
    if (f->type == METRICS_HISTOGRAM)
        return IMS_EINVAL;
    int rc = 0;
    struct series *s = series_for(f, labels, &rc);
    if (s != NULL)
        s->value = v;
    return rc;
}

int metrics_observe(struct metrics_family *f, const char *const *labels, double v)
{
    if (f->type != METRICS_HISTOGRAM)
        return IMS_EINVAL;
    int rc = 0;
    struct series *s = series_for(f, labels, &rc);
    if (s == NULL)
        return rc;
    s->count++;
    s->value += v;
    for (int i = 0; i < f->bucket_count; i++)
        if (v <= f->bounds[i])
            s->buckets[i]++;
    return 0;
}

int metrics_histogram_set(struct metrics_family *f, const char *const *labels,
                          const uint64_t *per_bucket, double sum)
{
    if (f->type != METRICS_HISTOGRAM)
        return IMS_EINVAL;
    int rc = 0;
    struct series *s = series_for(f, labels, &rc);
    if (s == NULL)
        return rc;
    uint64_t running = 0;
    for (int i = 0; i < f->bucket_count; i++) {
        running += per_bucket[i];
        s->buckets[i] = running;
    }
    s->count = running + per_bucket[f->bucket_count];
    s->value = sum;
    return 0;
}

double metrics_value(const struct metrics_family *f, const char *const *labels)
{
    const struct series *s = find(f, labels);
    if (s == NULL)
        return 0;
    return f->type == METRICS_HISTOGRAM ? (double)s->count : s->value;
}

/* ---- exposition ------------------------------------------------------------------------ */

static void put_escaped(struct metrics_text *t, const char *s, int in_label)
{
    for (; *s; s++) {
        if (*s == '\\')
            metrics_text_printf(t, "\\\\");
        else if (*s == '\n')
            metrics_text_printf(t, "\\n");
        else if (*s == '"' && in_label)
            metrics_text_printf(t, "\\\"");
        else
            metrics_text_printf(t, "%c", *s);
    }
}

static void put_number(struct metrics_text *t, double v)
{
    if (isnan(v))
        metrics_text_printf(t, "NaN");
    else if (isinf(v))
        metrics_text_printf(t, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 1e15)
        metrics_text_printf(t, "%.0f", v);
    else
        metrics_text_printf(t, "%.17g", v);
}

/* name{a="x",b="y"[,le="..."]} */
static void put_series_name(struct metrics_text *t, const struct metrics_family *f,
                            const struct series *s, const char *suffix, const char *le)
{
    metrics_text_printf(t, "%s%s", f->name, suffix);
    if (f->label_count == 0 && le == NULL)
        return;
    metrics_text_printf(t, "{");
    for (int k = 0; k < f->label_count; k++) {
        metrics_text_printf(t, "%s%s=\"", k ? "," : "", f->label_names[k]);
        put_escaped(t, s->labels[k], 1);
        metrics_text_printf(t, "\"");
    }
    if (le != NULL)
        metrics_text_printf(t, "%sle=\"%s\"", f->label_count ? "," : "", le);
    metrics_text_printf(t, "}");
}

static void render_family(const struct metrics_family *f, struct metrics_text *t)
{
    static const char *const types[] = {"counter", "gauge", "histogram"};
    metrics_text_printf(t, "# HELP %s ", f->name);
    put_escaped(t, f->help, 0);
    metrics_text_printf(t, "\n# TYPE %s %s\n", f->name, types[f->type]);
    for (size_t i = 0; i < f->series_count; i++) {
        const struct series *s = &f->series[i];
        if (f->type != METRICS_HISTOGRAM) {
            put_series_name(t, f, s, "", NULL);
            metrics_text_printf(t, " ");
            put_number(t, s->value);
            metrics_text_printf(t, "\n");
            continue;
        }
        for (int b = 0; b < f->bucket_count; b++) {
            char le[32];
            snprintf(le, sizeof le, "%g", f->bounds[b]);
            put_series_name(t, f, s, "_bucket", le);
            metrics_text_printf(t, " %llu\n", (unsigned long long)s->buckets[b]);
        }
        put_series_name(t, f, s, "_bucket", "+Inf");
        metrics_text_printf(t, " %llu\n", (unsigned long long)s->count);
        put_series_name(t, f, s, "_sum", NULL);
        metrics_text_printf(t, " ");
        put_number(t, s->value);
        metrics_text_printf(t, "\n");
        put_series_name(t, f, s, "_count", NULL);
        metrics_text_printf(t, " %llu\n", (unsigned long long)s->count);
    }
}

void metrics_render(const struct metrics_registry *r, struct metrics_text *t)
{
    uint64_t dropped_any = 0;
    for (const struct metrics_family *f = r->first; f; f = f->next) {
        render_family(f, t);
        dropped_any += f->dropped;
    }
    metrics_text_printf(t,
                        "# HELP ims_metrics_series_dropped_total Label sets not recorded because "
                        "their family had reached its series limit.\n"
                        "# TYPE ims_metrics_series_dropped_total counter\n");
    for (const struct metrics_family *f = r->first; f; f = f->next)
        if (f->dropped)
            metrics_text_printf(t, "ims_metrics_series_dropped_total{family=\"%s\"} %llu\n",
                                f->name, (unsigned long long)f->dropped);
    if (dropped_any == 0)
        metrics_text_printf(t, "ims_metrics_series_dropped_total{family=\"\"} 0\n");
}
