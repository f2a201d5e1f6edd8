/*
 * The server's readers and writers of gRPC header values (server/net/grpc_util.h,
 * grpc_server.h): the input as a grpc-timeout and as a content-type, and as a status
 * message percent-encoded by the server, which the client library's decoder
 * (client/lib/grpc_wire.h) must turn back into the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_server.h"
#include "grpc_util.h"
#include "grpc_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';

    uint64_t ns, ms;
    (void)grpc_parse_timeout_ns(text, &ns);
    (void)grpc_parse_timeout(text, &ms);
    (void)grpc_content_type_is_grpc(text);

    size_t cap = 3 * strlen(text) + 1;
    char *encoded = malloc(cap);
    if (!encoded)
        abort();
    int n = grpc_percent_encode(text, encoded, cap);
    if (n < 0)
        abort();
    char *decoded = ims__percent_decode(encoded, (size_t)n);
    if (!decoded || strcmp(decoded, text) != 0)
        abort();
    free(decoded);
    free(encoded);
    free(text);
    return 0;
}
