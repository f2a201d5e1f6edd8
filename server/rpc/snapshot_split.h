/*
 * Splitting a snapshot document read in pieces: the elements of its top-level "samples"
 * array are handed out one by one, everything else (the "head", with `"samples": []`) is
 * handed out as bytes to keep. The splitter checks only what it must to find the array's
 * elements (strings, nesting, the commas between elements); the head and each element are
 * then parsed by jansson, which checks the rest. Memory: the state below and one element
 * (at most SNAPSHOT_SPLIT_MAX_ELEMENT bytes), whatever the length of the document.
 */
#ifndef IMS_RPC_SNAPSHOT_SPLIT_H
#define IMS_RPC_SNAPSHOT_SPLIT_H

#include <stddef.h>

#define SNAPSHOT_SPLIT_MAX_ELEMENT 16384 /* bytes of one element of "samples" */
/* Nesting of arrays and objects: jansson's own bound (JSON_PARSER_DEFAULT_MAX_DEPTH), so that
 * a document ImportTenant parses is one ImportTenantStream takes too. */
#define SNAPSHOT_SPLIT_MAX_DEPTH 2048

/* Bytes of the head (0 or a negative code, which stops the split and is returned). */
typedef int (*snapshot_split_head_fn)(void *arg, const char *p, size_t n);
/* One element of "samples" (index from 0), with the line and column (from 1) of its first
 * byte in the document; 0 or a negative code as above. */
typedef int (*snapshot_split_sample_fn)(void *arg, const char *p, size_t n, size_t index,
                                        long line, long column);

struct snapshot_split {
    snapshot_split_head_fn head;
    snapshot_split_sample_fn sample;
    void *arg;
    /* What went wrong, as "<line>:<column>: <reason>" (the failing code's message). */
    char error[160];
    /* Private. */
    long line, column;
    int depth, root_object, in_string, escape;
    int mode;            /* where in the document the next byte is (snapshot_split.c) */
    int key_state;       /* the top-level key being read and what may follow it */
    char key[72];
    size_t key_len;
    int key_is_samples;
    size_t samples;      /* elements handed out so far */
    char element[SNAPSHOT_SPLIT_MAX_ELEMENT];
    size_t element_len;
    int element_depth, element_scalar;
    long element_line, element_column;
};

/* Starts a split with the two callbacks. */
void snapshot_split_init(struct snapshot_split *s, snapshot_split_head_fn head,
                         snapshot_split_sample_fn sample, void *arg);

/* Feeds the next n bytes. Returns 0, IMS_EPARSE (error says where and why; the split is
 * over) or a callback's code. */
int snapshot_split_feed(struct snapshot_split *s, const char *p, size_t n)
    __attribute__((warn_unused_result));

/* The document ended: 0, or IMS_EPARSE when it ended inside the "samples" array (the
 * head's parse names any other truncation). */
int snapshot_split_end(struct snapshot_split *s) __attribute__((warn_unused_result));

#endif
