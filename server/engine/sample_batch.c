/*
 * A batch of samples added at once: grouped by metric, sorted by time, and merged into
 * each metric's array in one pass from its end. Adding them one by one puts each sample
 * in place with a move of every later one, which for a batch in descending time order
 * (or older than what is held) moves the whole array once per sample. The result is the
 * same as engine_sample_add in the batch's order: samples sorted by time, equal times
 * in the order they were added (those held first).
 */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct batch_entry {
    int32_t metric; /* index in the model */
    int32_t order;  /* position in the batch */
    int64_t at;
    double value;
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

/* Merges k entries of one metric (sorted) into its samples. */
static int merge_metric(engine_metric *x, const struct batch_entry *e, int32_t k)
{
    if (engine_reserve(&x->samples, &x->sample_cap, x->sample_n + k, sizeof *x->samples))
        return IMS_ENOMEM;
    int32_t i = x->sample_n - 1, j = k - 1, w = x->sample_n + k - 1;
    while (j >= 0) {
        /* Equal times: the batch's sample goes after the one held. */
        if (i >= 0 && x->samples[i].at > e[j].at) {
            x->samples[w--] = x->samples[i--];
        } else {
            x->samples[w].at = e[j].at;
            x->samples[w].value = e[j].value;
            w--;
            j--;
        }
    }
    x->sample_n += k;
    return 0;
}

int engine_samples_add(engine_model *m, size_t n, const char *const *metrics, const int64_t *at,
                       const double *values, size_t *bad, engine_error *err)
{
    if (n == 0)
        return 0;
    if (n > INT32_MAX)
        return engine_fail(err, IMS_EINVAL, "too many samples");
    struct batch_entry *e = malloc(n * sizeof *e);
    if (!e)
        return engine_fail(err, IMS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int32_t mi = metrics[i] ? engine_idmap_find(m, &m->map_metrics, metrics[i]) : -1;
        int rc = 0;
        if (mi < 0)
            rc = engine_fail(err, IMS_ENOTFOUND, "metric: unknown metric \"%s\"",
                             metrics[i] ? metrics[i] : "");
        else if (!isfinite(values[i]))
            rc = engine_fail(err, IMS_EINVAL, "value: must be a finite number");
        if (rc) {
            free(e);
            *bad = i;
            return rc;
        }
        e[i] = (struct batch_entry){.metric = mi, .order = (int32_t)i, .at = at[i], .value = values[i]};
    }
    qsort(e, n, sizeof *e, entry_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && e[j].metric == e[i].metric)
            j++;
        if (merge_metric(&m->metrics.v[e[i].metric], e + i, (int32_t)(j - i))) {
            free(e);
            *bad = i;
            return engine_fail(err, IMS_ENOMEM, "out of memory");
        }
        engine_mark_metric(m, e[i].metric);
        i = j;
    }
    free(e);
    return 0;
}
