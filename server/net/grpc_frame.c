/* The gRPC message deframer: request bodies in arbitrary chunks become whole messages. */
#include "grpc_frame.h"

#include <stdlib.h>
#include <string.h>

#include "ims/error.h"

void grpc_deframer_init(struct grpc_deframer *deframer, size_t max_message_bytes)
{
    memset(deframer, 0, sizeof *deframer);
    deframer->max_message_bytes = max_message_bytes;
}

void grpc_deframer_free(struct grpc_deframer *deframer)
{
    free(deframer->body);
    deframer->body = NULL;
    deframer->body_have = 0;
    deframer->body_cap = 0;
}

/* Checks a complete prefix; on success the deframer expects the body. */
static int start_body(struct grpc_deframer *d)
{
    uint8_t flag = d->prefix[0];
    uint32_t len = (uint32_t)d->prefix[1] << 24 | (uint32_t)d->prefix[2] << 16 |
                   (uint32_t)d->prefix[3] << 8 | (uint32_t)d->prefix[4];
    if (flag == 1)
        return IMS_EPROTO;
    if (flag != 0)
        return IMS_EPARSE;
    if (len > d->max_message_bytes) {
        d->bad_length = len;
        return IMS_ETOOBIG;
    }
    d->body_len = len;
    d->in_body = 1;
    d->prefix_have = 0;
    return 0;
}

static int feed(struct grpc_deframer *d, const uint8_t *data, size_t len,
                grpc_deframer_message_fn on_message, void *arg)
{
    while (len > 0 || (d->in_body && d->body_len == 0)) {
        if (!d->in_body) {
            size_t take = GRPC_FRAME_PREFIX_BYTES - d->prefix_have;
            if (take > len)
                take = len;
            memcpy(d->prefix + d->prefix_have, data, take);
            d->prefix_have += take;
            data += take;
            len -= take;
            if (d->prefix_have < GRPC_FRAME_PREFIX_BYTES)
                return 0;
            int rc = start_body(d);
            if (rc != 0)
                return rc;
            continue;
        }
        size_t missing = d->body_len - d->body_have;
        if (d->body == NULL && len >= missing) {
            /* The whole message is in this chunk: no copy. */
            d->in_body = 0;
            int rc = on_message(arg, data, missing);
            data += missing;
            len -= missing;
            if (rc != 0)
                return rc;
            continue;
        }
        size_t take = missing < len ? missing : len;
        if (d->body_have + take > d->body_cap) {
            /* Grown as the bytes come, not to the announced length at once: a prefix
             * costs nothing until its bytes arrive (which the byte budgets count). */
            size_t cap = d->body_cap ? d->body_cap * 2 : 16384;
            while (cap < d->body_have + take)
                cap *= 2;
            if (cap > d->body_len)
                cap = d->body_len;
            uint8_t *grown = realloc(d->body, cap);
            if (grown == NULL)
                return IMS_ENOMEM;
            d->body = grown;
            d->body_cap = cap;
        }
        memcpy(d->body + d->body_have, data, take);
        d->body_have += take;
        data += take;
        len -= take;
        if (d->body_have < d->body_len)
            return 0;
        d->in_body = 0;
        uint8_t *body = d->body;
        d->body = NULL;
        d->body_have = 0;
        d->body_cap = 0;
        int rc = on_message(arg, body, d->body_len);
        free(body);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int grpc_deframer_feed(struct grpc_deframer *deframer, const uint8_t *data, size_t len,
                       grpc_deframer_message_fn on_message, void *arg)
{
    if (deframer->failed)
        return IMS_EPARSE;
    int rc = feed(deframer, data, len, on_message, arg);
    if (rc < 0) {
        deframer->failed = 1;
        grpc_deframer_free(deframer);
    }
    return rc;
}

int grpc_deframer_finish(const struct grpc_deframer *deframer)
{
    if (deframer->failed || deframer->in_body || deframer->prefix_have > 0)
        return IMS_EPARSE;
    return 0;
}
