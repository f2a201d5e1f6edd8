/*
 * A metric's samples: one array sorted by time, equal times in the order they came. In a
 * model that merges (the daemon's tenant state, engine_samples_merge) a second holds one
 * entry: a sample at a time already held is folded into that entry, so that a metric holds
 * at most one entry per second of its window however fast samples come. A mean's entry
 * keeps the sum of its samples and their count beside it (counts, allocated only once a
 * mean's entry holds two). Also here: forgetting what no later evaluation can use.
 */
#include "eval.h"
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int engine_metric_reserve(engine_metric *x, int32_t need)
{
    if (need <= x->sample_cap)
        return 0;
    int32_t cap = x->sample_cap;
    if (engine_reserve(&x->samples, &cap, need, sizeof *x->samples))
        return IMS_ENOMEM;
    if (x->counts) {
        /* On failure sample_cap stays the smaller of the two sizes: still true of both. */
        uint32_t *c = realloc(x->counts, (size_t)cap * sizeof *c);
        if (!c)
            return IMS_ENOMEM;
        x->counts = c;
    }
    x->sample_cap = cap;
    return 0;
}

int engine_metric_counts(engine_metric *x)
{
    if (x->counts)
        return 0;
    size_t cap = x->sample_cap > 0 ? (size_t)x->sample_cap : 1;
    x->counts = malloc(cap * sizeof *x->counts);
    if (!x->counts)
        return IMS_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        x->counts[i] = 1;
    return 0;
}

int engine_sample_fold(engine_metric *x, int32_t i, double v, uint32_t n)
{
    if (x->aggregation == ENGINE_AGG_MEAN) {
        if (engine_metric_counts(x))
            return IMS_ENOMEM;
        x->counts[i] += n;
    }
    x->samples[i].value = engine_fold_value(x->aggregation, x->samples[i].value, v);
    return 0;
}

int engine_sample_add(engine_model *m, const char *metric, int64_t at, double value,
                      engine_error *err)
{
    int32_t mi = metric ? engine_idmap_find(m, &m->map_metrics, metric) : -1;
    if (mi < 0)
        return engine_fail(err, IMS_ENOTFOUND, "metric: unknown metric \"%s\"",
                           metric ? metric : "");
    if (!isfinite(value))
        return engine_fail(err, IMS_EINVAL, "value: must be a finite number");
    engine_metric *x = &m->metrics.v[mi];
    /* Upper bound: equal times keep insertion order. */
    int32_t lo = engine_samples_upper(x, at);
    if (m->merge_samples && lo > 0 && x->samples[lo - 1].at == at) {
        if (engine_sample_fold(x, lo - 1, value, 1))
            return engine_fail(err, IMS_ENOMEM, "out of memory");
        engine_mark_metric(m, mi);
        return 0;
    }
    if (engine_metric_reserve(x, x->sample_n + 1))
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    size_t later = (size_t)(x->sample_n - lo);
    memmove(x->samples + lo + 1, x->samples + lo, later * sizeof *x->samples);
    x->samples[lo].at = at;
    x->samples[lo].value = value;
    if (x->counts) {
        memmove(x->counts + lo + 1, x->counts + lo, later * sizeof *x->counts);
        x->counts[lo] = 1;
    }
    x->sample_n++;
    engine_mark_metric(m, mi);
    return 0;
}

int engine_samples_merge(engine_model *m)
{
    m->merge_samples = true;
    for (int32_t i = 0; i < m->metrics.n; i++) {
        engine_metric *x = &m->metrics.v[i];
        int32_t w = 0;
        for (int32_t r = 0; r < x->sample_n; r++) {
            if (w > 0 && x->samples[w - 1].at == x->samples[r].at) {
                if (engine_sample_fold(x, w - 1, x->samples[r].value, engine_sample_count(x, r)) == 0)
                    continue;
                /* Entries before w and from r on are whole: close the gap between them. */
                size_t rest = (size_t)(x->sample_n - r);
                memmove(x->samples + w, x->samples + r, rest * sizeof *x->samples);
                x->sample_n = w + (int32_t)rest;
                engine_mark_metric(m, i);
                return IMS_ENOMEM;
            }
            x->samples[w] = x->samples[r];
            if (x->counts)
                x->counts[w] = x->counts[r];
            w++;
        }
        if (w < x->sample_n) {
            x->sample_n = w;
            engine_mark_metric(m, i);
        }
    }
    return 0;
}

/* Gives back the spare room of a metric's arrays once it exceeds half. */
static void samples_shrink(engine_metric *x)
{
    if (x->sample_cap <= 2 * x->sample_n + 16)
        return;
    int32_t cap = x->sample_n + 8;
    engine_sample *v = realloc(x->samples, (size_t)cap * sizeof *v);
    if (!v)
        return;
    x->samples = v;
    x->sample_cap = cap;
    if (x->counts) {
        uint32_t *c = realloc(x->counts, (size_t)cap * sizeof *c);
        if (c) /* else the counts keep more room than needed */
            x->counts = c;
    }
}

size_t engine_samples_prune(engine_model *m, int64_t now)
{
    size_t dropped = 0;
    for (int32_t i = 0; i < m->metrics.n; i++) {
        engine_metric *x = &m->metrics.v[i];
        int32_t end = engine_samples_upper(x, now);
        if (end <= 1)
            continue;
        int32_t keep = end - 1; /* the latest sample at or before now */
        if (x->aggregation != ENGINE_AGG_LAST) {
            int32_t begin = engine_samples_upper(x, now - x->window);
            if (begin < keep)
                keep = begin;
        }
        if (keep == 0 || (int64_t)keep * 3 < x->sample_n)
            continue;
        size_t left = (size_t)(x->sample_n - keep);
        memmove(x->samples, x->samples + keep, left * sizeof *x->samples);
        if (x->counts)
            memmove(x->counts, x->counts + keep, left * sizeof *x->counts);
        x->sample_n -= keep;
        dropped += (size_t)keep;
        samples_shrink(x);
    }
    return dropped;
}
