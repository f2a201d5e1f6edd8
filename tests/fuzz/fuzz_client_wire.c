/*
 * The client library's pure gRPC helpers (client/lib/grpc_wire.h): the deframer fed in
 * chunks of the size the first byte picks, grpc-message percent-decoding of the whole
 * input, and the status mappings of numbers taken from it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *decoded = ims__percent_decode((const char *)data, size);
    free(decoded);

    if (size >= 4) {
        uint32_t n;
        memcpy(&n, data, sizeof n);
        (void)ims__grpc_status_from_http((int)n);
        (void)ims__grpc_status_from_h2_error(n);
        char timeout[32];
        ims__grpc_timeout(timeout, sizeof timeout, (long long)(int32_t)n * 1000LL);
    }

    size_t chunk = data[0] % 33;
    data++;
    size--;
    if (chunk == 0)
        chunk = size ? size : 1;
    ims__deframer deframer = {.max_message = 4096};
    for (size_t off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (ims__deframer_feed(&deframer, data + off, n) != 0)
            break;
        const uint8_t *msg;
        size_t len;
        int rc;
        while ((rc = ims__deframer_next(&deframer, &msg, &len)) == 1) {
            uint8_t sum = 0;
            for (size_t i = 0; i < len; i++)
                sum = (uint8_t)(sum + msg[i]);
            (void)sum;
        }
        if (rc < 0)
            break;
    }
    (void)ims__deframer_pending(&deframer);
    ims__deframer_free(&deframer);
    return 0;
}
