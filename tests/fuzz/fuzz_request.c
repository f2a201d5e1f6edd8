/*
 * Every request message the daemon unpacks: the first byte of the input picks a method of
 * the ims.v1 services and grpc.health.v1.Health, the rest is unpacked as its input type
 * the way the dispatcher does (server/rpc/dispatch.c: into an arena, within the unpack
 * budget), packed again and freed. Validation happens in each handler on a live call and
 * is not reached here.
 */
#include <stdint.h>
#include <stdlib.h>

#include "grpc/health/v1/health.pb-c.h"
#include "ims/v1/assessments.pb-c.h"
#include "ims/v1/catalog.pb-c.h"
#include "ims/v1/completion.pb-c.h"
#include "ims/v1/continuity.pb-c.h"
#include "ims/v1/culture.pb-c.h"
#include "ims/v1/documents.pb-c.h"
#include "ims/v1/events.pb-c.h"
#include "ims/v1/improvement.pb-c.h"
#include "ims/v1/level.pb-c.h"
#include "ims/v1/portfolio.pb-c.h"
#include "ims/v1/people.pb-c.h"
#include "ims/v1/procedures.pb-c.h"
#include "ims/v1/risk.pb-c.h"
#include "ims/v1/schemas.pb-c.h"
#include "ims/v1/tenants.pb-c.h"
#include "unpack.h"

static const ProtobufCServiceDescriptor *const services[] = {
    &ims__v1__assessments__descriptor, &ims__v1__catalog__descriptor,
    &ims__v1__continuity__descriptor,  &ims__v1__events__descriptor,
    &ims__v1__level__descriptor,       &ims__v1__risk__descriptor,
    &ims__v1__tenants__descriptor,     &grpc__health__v1__health__descriptor,
    &ims__v1__improvement__descriptor,
    &ims__v1__schemas__descriptor,     &ims__v1__completion__descriptor,
    &ims__v1__portfolio__descriptor,
    &ims__v1__people__descriptor,      &ims__v1__culture__descriptor,
    &ims__v1__procedures__descriptor,  &ims__v1__documents__descriptor,
};

static const ProtobufCMessageDescriptor *input_of(unsigned pick)
{
    size_t total = 0;
    for (size_t s = 0; s < sizeof services / sizeof services[0]; s++)
        total += services[s]->n_methods;
    size_t i = pick % total;
    for (size_t s = 0;; s++) {
        if (i < services[s]->n_methods)
            return services[s]->methods[i].input;
        i -= services[s]->n_methods;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const ProtobufCMessageDescriptor *input = input_of(data[0]);
    struct arena arena = {0};
    int over_budget = 0;
    ProtobufCMessage *request = rpc_unpack(input, &arena, size - 1, data + 1, &over_budget);
    if (!request) {
        arena_free(&arena);
        return 0;
    }
    size_t packed_size = protobuf_c_message_get_packed_size(request);
    uint8_t *packed = malloc(packed_size ? packed_size : 1);
    if (!packed)
        abort();
    if (protobuf_c_message_pack(request, packed) != packed_size)
        abort();
    free(packed);
    arena_free(&arena);
    return 0;
}
