/*
 * The remote_write body decoder (server/ops/remote_write.h): snappy, then protobuf. Half
 * of the inputs are snappy-compressed here first, so that the protobuf decoder sees
 * bodies the snappy check would otherwise turn away.
 */
#include <snappy-c.h>
#include <stdint.h>
#include <stdlib.h>

#include "remote_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int compress = data[0] & 1;
    data++;
    size--;

    const uint8_t *body = data;
    size_t body_len = size;
    char *packed = NULL;
    if (compress) {
        size_t cap = snappy_max_compressed_length(size);
        packed = malloc(cap ? cap : 1);
        if (!packed || snappy_compress((const char *)data, size, packed, &cap) != SNAPPY_OK)
            abort();
        body = (const uint8_t *)packed;
        body_len = cap;
    }

    struct remote_write_limits limits = {.max_decoded_bytes = 1 << 20, .max_samples = 10000};
    Prometheus__WriteRequest *request = NULL;
    char err[256];
    if (remote_write_decode(body, body_len, "snappy", "application/x-protobuf", &limits, &request,
                            err, sizeof err) == 0)
        remote_write_free(request);
    free(packed);
    return 0;
}
