/*
 * A batch of samples added at once: grouped by metric, put in time order, and merged into
 * each metric's array in one pass from its end. Adding them one by one puts each sample
 * in place with a move of every later one, which for a batch in descending time order
 * (or older than what is held) moves the whole array once per sample. The result is the
 * same as engine_sample_add in the batch's order: samples sorted by time, equal times
 * in the order they were added (those held first); in a merging model, folded into one
 * entry per second in that order.
 */
#include "eval.h"
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct batch_entry {
    int32_t metric; /* index in the model */
    int32_t order;  /* position in the batch */
    int64_t at;
    double value;
    uint32_t n; /* samples the entry stands for (a merging model folds equal times) */
};

static int entry_cmp(const void *a, const void *b)
{
    const struct batch_entry *x = a, *y = b;
    if (x->metric != y->metric)
        return x->metric < y->metric ? -1 : 1;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* In a merging model: folds each entry into the one held at its time, or into the entry
 * before it at the same time; returns how many entries are left, all at times not held. */
static int32_t fold_batch(engine_metric *x, struct batch_entry *e, int32_t k, int *rc)
{
    int32_t kept = 0;
    for (int32_t j = 0; j < k; j++) {
        int32_t i = engine_samples_upper(x, e[j].at) - 1;
        if (i >= 0 && x->samples[i].at == e[j].at) {
            if (engine_sample_fold(x, i, e[j].value, e[j].n)) {
                *rc = IMS_ENOMEM;
                return 0;
            }
        } else if (kept > 0 && e[kept - 1].at == e[j].at) {
            e[kept - 1].value = engine_fold_value(x->aggregation, e[kept - 1].value, e[j].value);
            e[kept - 1].n += e[j].n;
        } else {
            e[kept++] = e[j];
        }
    }
    return kept;
}

/* Merges k entries of one metric (sorted) into its samples. */
static int merge_metric(engine_metric *x, struct batch_entry *e, int32_t k, bool merging)
{
    int rc = 0;
    if (merging && (k = fold_batch(x, e, k, &rc)) == 0)
        return rc;
    if (engine_metric_reserve(x, x->sample_n + k))
        return IMS_ENOMEM;
    for (int32_t j = 0; j < k && !x->counts; j++)
        if (e[j].n > 1 && engine_metric_counts(x))
            return IMS_ENOMEM;
    int32_t i = x->sample_n - 1, j = k - 1, w = x->sample_n + k - 1;
    while (j >= 0) {
        /* Equal times: the batch's sample goes after the one held. */
        if (i >= 0 && x->samples[i].at > e[j].at) {
            if (x->counts)
                x->counts[w] = x->counts[i];
            x->samples[w--] = x->samples[i--];
        } else {
            x->samples[w].at = e[j].at;
            x->samples[w].value = e[j].value;
            if (x->counts)
                x->counts[w] = e[j].n;
            w--;
            j--;
        }
    }
    x->sample_n += k;
    return 0;
}

/* Puts one metric's entries (in batch order) in time order, equal times in batch order:
 * nothing to do when they come in time order, a reversal when strictly against it. */
static void sort_metric(struct batch_entry *e, size_t k)
{
    int ascending = 1, descending = 1;
    for (size_t i = 1; i < k && (ascending || descending); i++) {
        ascending &= e[i - 1].at <= e[i].at;
        descending &= e[i - 1].at > e[i].at;
    }
    if (ascending)
        return;
    if (descending) {
        for (size_t i = 0, j = k - 1; i < j; i++, j--) {
            struct batch_entry t = e[i];
            e[i] = e[j];
            e[j] = t;
        }
        return;
    }
    qsort(e, k, sizeof *e, entry_cmp);
}

int engine_samples_add(engine_model *m, size_t n, const char *const *metrics, const int64_t *at,
                       const double *values, size_t *bad, engine_error *err)
{
    if (n == 0)
        return 0;
    if (n > INT32_MAX)
        return engine_fail(err, IMS_EINVAL, "too many samples");
    size_t nm = (size_t)m->metrics.n;
    struct batch_entry *e = malloc(n * sizeof *e);
    int32_t *metric = malloc(n * sizeof *metric);
    size_t *start = calloc(nm + 1, sizeof *start);
    int rc = 0;
    if (!e || !metric || !start) {
        rc = engine_fail(err, IMS_ENOMEM, "out of memory");
        *bad = 0;
        goto done;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        metric[i] = metrics[i] ? engine_idmap_find(m, &m->map_metrics, metrics[i]) : -1;
        if (metric[i] < 0)
            rc = engine_fail(err, IMS_ENOTFOUND, "metric: unknown metric \"%s\"",
                             metrics[i] ? metrics[i] : "");
        else if (!isfinite(values[i]))
            rc = engine_fail(err, IMS_EINVAL, "value: must be a finite number");
        else
            start[metric[i] + 1]++;
        if (rc)
            *bad = i;
    }
    if (rc)
        goto done;
    /* Grouped by metric, each group in batch order (a counting sort). */
    for (size_t k = 0; k < nm; k++)
        start[k + 1] += start[k];
    for (size_t i = 0; i < n; i++)
        e[start[metric[i]]++] = (struct batch_entry){
            .metric = metric[i], .order = (int32_t)i, .at = at[i], .value = values[i], .n = 1};
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && e[j].metric == e[i].metric)
            j++;
        sort_metric(e + i, j - i);
        if (merge_metric(&m->metrics.v[e[i].metric], e + i, (int32_t)(j - i), m->merge_samples)) {
            rc = engine_fail(err, IMS_ENOMEM, "out of memory");
            *bad = (size_t)e[i].order;
            goto done;
        }
        engine_mark_metric(m, e[i].metric);
        i = j;
    }
done:
    free(e);
    free(metric);
    free(start);
    return rc;
}
