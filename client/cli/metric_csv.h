/*
 * Metric sample files for `imsctl metric push --file`: CSV with the columns
 * metric,at,value, an optional header line, RFC 4180 quoting ("a,b", "say
 * ""hi""") and blank lines ignored. Pure: no I/O.
 */
#ifndef IMSCTL_METRIC_CSV_H
#define IMSCTL_METRIC_CSV_H

#include <stddef.h>

typedef struct imsctl_sample {
    char *metric;
    char *at; /* RFC 3339 UTC, or "" for "now" on the server */
    double value;
    size_t line; /* 1-based line where the record starts */
} imsctl_sample;

typedef struct imsctl_samples {
    imsctl_sample *items;
    size_t n, cap;
} imsctl_samples;

/*
 * Parses the whole file content. Times are normalized as imsctl_parse_time
 * does, relative ones against `now` (Unix seconds).
 * Returns 0; IMSCTL_EXIT_INVALID with "line N: reason" in err for the first
 * bad record (nothing is kept); IMSCTL_EXIT_FAILURE when out of memory.
 */
int imsctl_csv_parse(const char *data, size_t len, long long now, imsctl_samples *out, char *err,
                     size_t errlen);

void imsctl_samples_free(imsctl_samples *s);

#endif
