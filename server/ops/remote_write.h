/*
 * Decoding a Prometheus remote_write request (protocol 1.0): the body is a snappy-
 * compressed (block format) protobuf WriteRequest, POSTed with Content-Encoding: snappy
 * and Content-Type: application/x-protobuf.
 *
 * Pure: no I/O. The caller maps each series (series_map.h) and takes the samples down
 * the durable ingest path.
 */
#ifndef IMS_OPS_REMOTE_WRITE_H
#define IMS_OPS_REMOTE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "prometheus/remote.pb-c.h"

#define REMOTE_WRITE_MAX_LABELS 1000000   /* over every series of one request */
#define REMOTE_WRITE_MAX_SERIES_LABELS 64 /* of one series */

struct remote_write_limits {
    size_t max_decoded_bytes; /* the uncompressed protobuf */
    size_t max_samples;       /* over every series; also the most series */
};

/* Checks the headers (content_encoding and content_type may be NULL: then refused),
 * uncompresses and unpacks. Returns 0 with *out (free with remote_write_free), or
 * IMS_EINVAL (bad header, bad snappy, bad protobuf, a sample that is not finite is kept:
 * the caller decides) or IMS_ETOOBIG (a limit), with a message for the 400 answer. */
int remote_write_decode(const uint8_t *body, size_t len, const char *content_encoding,
                        const char *content_type, const struct remote_write_limits *limits,
                        Prometheus__WriteRequest **out, char *err, size_t err_len)
    __attribute__((warn_unused_result));
void remote_write_free(Prometheus__WriteRequest *request);

#endif
