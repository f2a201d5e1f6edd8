/* Unpacking a request with every allocation counted against a budget (unpack.h). */
#include "unpack.h"

#include <stdlib.h>

struct budget {
    struct arena *arena;
    size_t left;
    int over;
};

static void *budget_alloc(void *data, size_t size)
{
    struct budget *b = data;
    if (size > b->left) {
        b->over = 1;
        return NULL;
    }
    b->left -= size;
    return b->arena ? arena_alloc(b->arena, size) : malloc(size);
}

static void budget_free(void *data, void *pointer)
{
    struct budget *b = data;
    if (!b->arena)
        free(pointer); /* what the arena gave goes with it */
}

size_t rpc_unpack_budget(size_t len)
{
    if (len > (SIZE_MAX - UNPACK_BYTES_SLACK) / UNPACK_BYTES_PER_BYTE)
        return SIZE_MAX;
    return len * UNPACK_BYTES_PER_BYTE + UNPACK_BYTES_SLACK;
}

ProtobufCMessage *rpc_unpack(const ProtobufCMessageDescriptor *desc, struct arena *arena,
                             size_t len, const uint8_t *data, int *over_budget)
{
    struct budget b = {.arena = arena, .left = rpc_unpack_budget(len)};
    ProtobufCAllocator allocator = {.alloc = budget_alloc, .free = budget_free,
                                    .allocator_data = &b};
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, &allocator, len,
                                                    data ? data : (const uint8_t *)"");
    *over_budget = m == NULL && b.over;
    return m;
}
