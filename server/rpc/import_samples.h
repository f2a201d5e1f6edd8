/*
 * The samples of a streamed import (import_stream.c), between the document's splitter and
 * the database: each element checked as the whole document's parse would, kept in the
 * page being filled while the previous page is written, the first faulty sample and the
 * distinct metric ids remembered so that, once the head is known, the import fails with
 * the message a unary import of the same document gives.
 */
#ifndef IMS_RPC_IMPORT_SAMPLES_H
#define IMS_RPC_IMPORT_SAMPLES_H

#include <stddef.h>

#define IMPORT_SAMPLES_PAGE 5000     /* samples written per round trip */
#define IMPORT_SAMPLES_METRICS 4096  /* distinct metric ids a document's samples may use */
#define IMPORT_SAMPLES_METRIC_ID_MAX 64 /* bytes of one (the catalog's ids are shorter) */

struct import_page {
    char *text[3]; /* array literals being built: metric ids, times, values */
    size_t len[3], cap[3];
    size_t n;
};

struct import_samples {
    struct import_page page[2]; /* [0] being filled, [1] being written */
    char after[64];             /* the last page's last arrival time ("" before any) */
    int bad;                    /* a sample failed its checks: nothing more is kept */
    size_t bad_index;
    char bad_msg[256];
    struct import_metric *metrics; /* distinct ids in samples, sorted, with first index */
    size_t n_metrics;
};

/* 0 or IMS_ENOMEM; free in any case. */
int import_samples_init(struct import_samples *s) __attribute__((warn_unused_result));
void import_samples_free(struct import_samples *s);

/* One element of "samples" (text, n) at index, whose first byte is at line:column of the
 * document. A sample that fails its checks is remembered (the first one only) and 0
 * returned; IMS_EPARSE (JSON syntax; why: "<line>:<column>: ..." in the document),
 * IMS_EINVAL (more than IMPORT_SAMPLES_METRICS distinct metrics; why names the limit) or
 * IMS_ENOMEM otherwise. */
int import_samples_add(struct import_samples *s, const char *text, size_t n, size_t index,
                       long line, long column, char *why, size_t why_size)
    __attribute__((warn_unused_result));

/* Bytes held in pages. */
size_t import_samples_bytes(const struct import_samples *s);
/* The page being filled is full (the stream should pause until it can be written). */
int import_samples_full(const struct import_samples *s);
/* A page should be written now: a full one, or the rest once the input is done (never
 * after a faulty sample: the import fails anyway). */
int import_samples_ready(const struct import_samples *s, int input_done);
/* Hands the filled page over for writing: params[5] of TENANT_IMPORT_SAMPLES for tenant,
 * valid until import_samples_written. */
void import_samples_params(struct import_samples *s, const char *tenant, const char *params[5]);
/* The page was written; last is its last arrival time. */
void import_samples_written(struct import_samples *s, const char *last);

/* Once the head is parsed: 1 and why ("$.samples[i]...") when a sample is wrong: the
 * first faulty one, or the first whose metric is not among ids (sorted; NULL: the head
 * did not parse, only the faulty one counts), whichever comes first; else 0. */
int import_samples_first_error(const struct import_samples *s, char *const *ids, size_t n_ids,
                               char *why, size_t why_size);
/* The head's parse error names a section the whole document's parse reads after
 * "samples" (a faulty sample is named first then). */
int import_samples_after_samples(const char *msg);
/* The metric ids of a canonical document (malloc'ed, unsorted). 0 or IMS_ENOMEM. */
int import_samples_metric_ids(const char *doc, char ***ids, size_t *n)
    __attribute__((warn_unused_result));

#endif
