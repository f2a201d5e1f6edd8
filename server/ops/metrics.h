/*
 * A registry of metrics in the Prometheus data model, rendered in the text exposition
 * format (version 0.0.4) for /metrics.
 *
 * A family has a name, a help text, a type (counter, gauge, histogram) and up to
 * METRICS_MAX_LABELS label names fixed when it is made; its series are keyed by label
 * values. Every family holds at most max_series series: a new label set beyond that is
 * not recorded and counted in the family's dropped figure (rendered as the counter
 * ims_metrics_series_dropped_total), so no peer can grow /metrics without bound.
 *
 * Pure: no I/O, no clock. One thread (the loop) uses a registry.
 */
#ifndef IMS_OPS_METRICS_H
#define IMS_OPS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_LABELS 3
#define METRICS_MAX_BUCKETS 16

enum metrics_type { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM };

struct metrics_registry;
struct metrics_family;

/* A growable text buffer. */
struct metrics_text {
    char *data;
    size_t len, cap;
    int failed; /* an allocation failed: the text is incomplete */
};

void metrics_text_printf(struct metrics_text *text, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void metrics_text_free(struct metrics_text *text);

int metrics_registry_new(struct metrics_registry **out) __attribute__((warn_unused_result));
void metrics_registry_free(struct metrics_registry *registry);

/*
 * Adds a family. label_names: label_count names (NULL when 0). buckets: the upper bounds
 * of a histogram's buckets, increasing (+Inf is implied), NULL otherwise. Returns the
 * family, or NULL on ENOMEM or a bad argument (a name not [a-zA-Z_:][a-zA-Z0-9_:]*, too
 * many labels or buckets). Families render in the order they were added.
 */
struct metrics_family *metrics_family_add(struct metrics_registry *registry, const char *name,
                                          const char *help, enum metrics_type type,
                                          const char *const *label_names, int label_count,
                                          const double *buckets, int bucket_count,
                                          size_t max_series);

/* Counters: adds v (>= 0). Gauges, and counters kept elsewhere and copied in at a scrape:
 * metrics_set. Histograms: metrics_observe. Label values
 * are given in the family's label order. Return 0, or IMS_ETOOBIG (series limit: not
 * recorded), IMS_ENOMEM, IMS_EINVAL (wrong type or a negative counter increment). */
int metrics_add(struct metrics_family *family, const char *const *labels, double v);
int metrics_set(struct metrics_family *family, const char *const *labels, double v);
int metrics_observe(struct metrics_family *family, const char *const *labels, double v);

/* Sets a histogram series kept elsewhere: per_bucket[i] observations in bucket i (not
 * cumulative; bucket_count + 1 values, the last one +Inf) and their sum. Returns as
 * metrics_add. */
int metrics_histogram_set(struct metrics_family *family, const char *const *labels,
                          const uint64_t *per_bucket, double sum);

/* Forgets every series of a family (a gauge set afresh at each scrape). */
void metrics_family_clear(struct metrics_family *family);

/* The value of a counter's or gauge's series, or of a histogram's count; 0 when absent. */
double metrics_value(const struct metrics_family *family, const char *const *labels);

/* Appends the whole registry in the text exposition format. */
void metrics_render(const struct metrics_registry *registry, struct metrics_text *out);

#endif
