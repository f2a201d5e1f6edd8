/*
 * The board's JSON requests (server/board/pbjson.c): the first byte of the input picks a
 * method of the ims.v1 services, the rest is parsed as the board parses a request body
 * (jansson, duplicate keys refused) and turned into the method's input message, which is
 * then written back as JSON the way the board answers, and freed.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ims/v1/assessments.pb-c.h"
#include "ims/v1/catalog.pb-c.h"
#include "ims/v1/continuity.pb-c.h"
#include "ims/v1/events.pb-c.h"
#include "ims/v1/level.pb-c.h"
#include "ims/v1/portfolio.pb-c.h"
#include "ims/v1/risk.pb-c.h"
#include "ims/v1/tenants.pb-c.h"
#include "pbjson.h"

static const ProtobufCServiceDescriptor *const services[] = {
    &ims__v1__assessments__descriptor, &ims__v1__catalog__descriptor,
    &ims__v1__continuity__descriptor,  &ims__v1__events__descriptor,
    &ims__v1__level__descriptor,       &ims__v1__risk__descriptor,
    &ims__v1__tenants__descriptor,     &ims__v1__portfolio__descriptor,
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
    json_error_t e;
    json_t *j = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &e);
    if (!j)
        return 0;
    ProtobufCMessage *m = NULL;
    char err[300];
    if (pbjson_to_message(input_of(data[0]), j, &m, err, sizeof err) == 0) {
        json_t *back = pbjson_from_message(m);
        if (!back)
            abort();
        char *text = json_dumps(back, JSON_COMPACT);
        free(text);
        json_decref(back);
        protobuf_c_message_free_unpacked(m, NULL);
    } else if (m) {
        abort(); /* a refusal leaves nothing behind */
    }
    json_decref(j);
    return 0;
}
