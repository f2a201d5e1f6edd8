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
