/* remote_write bodies: header checks, snappy, protobuf, limits. */
#include "remote_write.h"

#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ims/error.h"

static int media_type_is(const char *header, const char *type)
{
    size_t n = strlen(type);
    return header != NULL && strncasecmp(header, type, n) == 0 &&
           (header[n] == '\0' || header[n] == ';' || header[n] == ' ');
}

/* ---- counting what an unpack would make, before making it ---------------------------- */

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* Walks the fields of one message: calls back field 1 and 2 lengths-delimited payloads by
 * number; counts[f] gets how many of field f (1 or 2) there were. Returns -1 on a malformed
 * wire. */
static int count_fields(const uint8_t *p, const uint8_t *end, size_t counts[3],
                        int (*each)(void *ctx, int field, const uint8_t *p, size_t len), void *ctx)
{
    while (p < end) {
        uint64_t key, len;
        if (read_varint(&p, end, &key) < 0)
            return -1;
        int field = (int)(key >> 3), type = (int)(key & 7);
        switch (type) {
        case 0:
            if (read_varint(&p, end, &len) < 0)
                return -1;
            break;
        case 1:
            if (end - p < 8)
                return -1;
            p += 8;
            break;
        case 5:
            if (end - p < 4)
                return -1;
            p += 4;
            break;
        case 2:
            if (read_varint(&p, end, &len) < 0 || len > (uint64_t)(end - p))
                return -1;
            if (field == 1 || field == 2) {
                counts[field]++;
                if (each && each(ctx, field, p, (size_t)len) < 0)
                    return -1;
            }
            p += len;
            break;
        default:
            return -1;
        }
    }
    return 0;
}

struct census {
    size_t series, labels, samples;
    size_t max_labels_per_series;
};

static int count_series(void *ctx, int field, const uint8_t *p, size_t len)
{
    struct census *c = ctx;
    if (field != 1)
        return 0;
    size_t counts[3] = {0};
    if (count_fields(p, p + len, counts, NULL, NULL) < 0)
        return -1;
    c->labels += counts[1];
    c->samples += counts[2];
    if (counts[1] > c->max_labels_per_series)
        c->max_labels_per_series = counts[1];
    return 0;
}

int remote_write_decode(const uint8_t *body, size_t len, const char *content_encoding,
                        const char *content_type, const struct remote_write_limits *limits,
                        Prometheus__WriteRequest **out, char *err, size_t err_len)
{
    *out = NULL;
    if (content_encoding == NULL || strcasecmp(content_encoding, "snappy") != 0) {
        snprintf(err, err_len, "Content-Encoding must be snappy");
        return IMS_EINVAL;
    }
    if (!media_type_is(content_type, "application/x-protobuf")) {
        snprintf(err, err_len, "Content-Type must be application/x-protobuf");
        return IMS_EINVAL;
    }
    size_t decoded_len;
    if (snappy_uncompressed_length((const char *)body, len, &decoded_len) != SNAPPY_OK ||
        snappy_validate_compressed_buffer((const char *)body, len) != SNAPPY_OK) {
        snprintf(err, err_len, "body is not snappy block-compressed data");
        return IMS_EINVAL;
    }
    if (decoded_len > limits->max_decoded_bytes) {
        snprintf(err, err_len, "uncompressed body of %zu bytes exceeds the limit of %zu",
                 decoded_len, limits->max_decoded_bytes);
        return IMS_ETOOBIG;
    }
    char *decoded = malloc(decoded_len ? decoded_len : 1);
    if (decoded == NULL) {
        snprintf(err, err_len, "out of memory");
        return IMS_ENOMEM;
    }
    if (snappy_uncompress((const char *)body, len, decoded, &decoded_len) != SNAPPY_OK) {
        free(decoded);
        snprintf(err, err_len, "body is not snappy block-compressed data");
        return IMS_EINVAL;
    }
    /* What the unpack would allocate is bounded before it runs: a few bytes on the wire can
     * stand for a series or a label that takes a hundred in memory. */
    struct census census = {0};
    size_t top[3] = {0};
    const uint8_t *wire = (const uint8_t *)decoded;
    if (count_fields(wire, wire + decoded_len, top, count_series, &census) < 0) {
        free(decoded);
        snprintf(err, err_len, "body is not a protobuf WriteRequest");
        return IMS_EINVAL;
    }
    census.series = top[1];
    struct {
        const char *what;
        size_t count, limit;
    } bounds[] = {
        {"series", census.series, limits->max_samples},
        {"samples", census.samples, limits->max_samples},
        {"labels", census.labels, REMOTE_WRITE_MAX_LABELS},
        {"labels in one series", census.max_labels_per_series, REMOTE_WRITE_MAX_SERIES_LABELS},
    };
    for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
        if (bounds[i].count > bounds[i].limit) {
            free(decoded);
            snprintf(err, err_len, "%zu %s exceed the limit of %zu per request", bounds[i].count,
                     bounds[i].what, bounds[i].limit);
            return IMS_ETOOBIG;
        }
    }
    Prometheus__WriteRequest *request =
        prometheus__write_request__unpack(NULL, decoded_len, (const uint8_t *)decoded);
    free(decoded);
    if (request == NULL) {
        snprintf(err, err_len, "body is not a protobuf WriteRequest");
        return IMS_EINVAL;
    }
    size_t samples = 0;
    for (size_t i = 0; i < request->n_timeseries; i++)
        samples += request->timeseries[i]->n_samples;
    if (samples > limits->max_samples) {
        prometheus__write_request__free_unpacked(request, NULL);
        snprintf(err, err_len, "%zu samples exceed the limit of %zu per request", samples,
                 limits->max_samples);
        return IMS_ETOOBIG;
    }
    *out = request;
    return 0;
}

void remote_write_free(Prometheus__WriteRequest *request)
{
    if (request != NULL)
        prometheus__write_request__free_unpacked(request, NULL);
}
