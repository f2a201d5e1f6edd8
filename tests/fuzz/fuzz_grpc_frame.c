/*
 * The server's gRPC deframer (server/net/grpc_frame.h). The first byte of the input picks
 * the chunk size the rest is fed in (1..32 bytes, or 0: all at once); the limit is small so
 * that both the too-big path and split messages are reached.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "grpc_frame.h"

struct seen {
    size_t messages;
    size_t bytes;
};

static int on_message(void *arg, const uint8_t *data, size_t len)
{
    struct seen *seen = arg;
    /* Touch every byte so that ASan sees a message handed over past its end. */
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + data[i]);
    seen->messages++;
    seen->bytes += len + sum % 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = data[0] % 33;
    data++;
    size--;
    if (chunk == 0)
        chunk = size ? size : 1;

    struct grpc_deframer deframer;
    grpc_deframer_init(&deframer, 4096);
    struct seen seen = {0};
    int rc = 0;
    for (size_t off = 0; off < size && rc == 0; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        rc = grpc_deframer_feed(&deframer, data + off, n, on_message, &seen);
    }
    if (rc == 0)
        (void)grpc_deframer_finish(&deframer);
    grpc_deframer_free(&deframer);
    return 0;
}
