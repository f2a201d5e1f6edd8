/* The pure parts of gRPC on the client side: framing, grpc-message, grpc-timeout, status
 * mapping. */
#include "grpc_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims/error.h"

/* What a peer may make us hold: the next message's announced length is checked as soon as
 * its prefix is in, and messages not yet taken are bounded too (a few of the largest). */
static int deframer_bounded(const ims__deframer *d)
{
    if (!d->max_message)
        return 0;
    size_t avail = d->len - d->off;
    if (avail >= IMS__GRPC_PREFIX) {
        const uint8_t *p = d->buf + d->off;
        uint32_t n = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
        if (p[0] != 0)
            return IMS_EPROTO;
        if (n > d->max_message)
            return IMS_ETOOBIG;
    }
    return avail > IMS__DEFRAMER_HELD * (d->max_message + IMS__GRPC_PREFIX) ? IMS_ETOOBIG : 0;
}

int ims__deframer_feed(ims__deframer *d, const uint8_t *data, size_t len)
{
    if (len == 0)
        return 0;
    if (d->off > 0 && d->off == d->len) {
        d->off = d->len = 0;
    } else if (d->off > 0 && d->len + len > d->cap) {
        /* Reclaim the space of messages already handed out before growing. */
        memmove(d->buf, d->buf + d->off, d->len - d->off);
        d->len -= d->off;
        d->off = 0;
    }
    if (d->len + len > d->cap) {
        size_t cap = d->cap ? d->cap : 4096;
        while (cap < d->len + len) {
            if (cap > SIZE_MAX / 2)
                return IMS_ENOMEM;
            cap *= 2;
        }
        uint8_t *p = realloc(d->buf, cap);
        if (p == NULL)
            return IMS_ENOMEM;
        d->buf = p;
        d->cap = cap;
    }
    memcpy(d->buf + d->len, data, len);
    d->len += len;
    return deframer_bounded(d);
}

int ims__deframer_next(ims__deframer *d, const uint8_t **msg, size_t *len)
{
    size_t avail = d->len - d->off;
    if (avail < IMS__GRPC_PREFIX)
        return 0;
    const uint8_t *p = d->buf + d->off;
    if (p[0] != 0)
        return IMS_EPROTO;
    uint32_t n = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
    if (d->max_message && n > d->max_message)
        return IMS_ETOOBIG;
    if (avail - IMS__GRPC_PREFIX < n)
        return 0;
    *msg = p + IMS__GRPC_PREFIX;
    *len = n;
    d->off += IMS__GRPC_PREFIX + n;
    return 1;
}

size_t ims__deframer_pending(const ims__deframer *d)
{
    return d->len - d->off;
}

void ims__deframer_free(ims__deframer *d)
{
    free(d->buf);
    memset(d, 0, sizeof(*d));
}

void ims__grpc_prefix(uint8_t out[IMS__GRPC_PREFIX], uint32_t len)
{
    out[0] = 0;
    out[1] = (uint8_t)(len >> 24);
    out[2] = (uint8_t)(len >> 16);
    out[3] = (uint8_t)(len >> 8);
    out[4] = (uint8_t)len;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *ims__percent_decode(const char *in, size_t len)
{
    char *out = malloc(len + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (in[i] == '%' && i + 2 < len && (hi = hex_value(in[i + 1])) >= 0 &&
            (lo = hex_value(in[i + 2])) >= 0) {
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    out[o] = '\0';
    return out;
}

void ims__grpc_timeout(char *out, size_t outlen, long long ms)
{
    /* The value has at most 8 digits; switch to coarser units when needed. */
    if (ms < 0)
        ms = 0;
    if (ms <= 99999999LL)
        snprintf(out, outlen, "%lldm", ms);
    else if (ms / 1000 <= 99999999LL)
        snprintf(out, outlen, "%lldS", ms / 1000);
    else
        snprintf(out, outlen, "%lldM", ms / 60000 > 99999999LL ? 99999999LL : ms / 60000);
}

int ims__grpc_status_from_http(int http_status)
{
    switch (http_status) {
    case 200:
        return IMS_GRPC_OK;
    case 400:
        return IMS_GRPC_INTERNAL;
    case 401:
        return IMS_GRPC_UNAUTHENTICATED;
    case 403:
        return IMS_GRPC_PERMISSION_DENIED;
    case 404:
        return IMS_GRPC_UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
        return IMS_GRPC_UNAVAILABLE;
    default:
        return IMS_GRPC_UNKNOWN;
    }
}

int ims__grpc_status_from_h2_error(uint32_t h2_error)
{
    switch (h2_error) {
    case 0x7: /* REFUSED_STREAM: not processed, safe to retry */
        return IMS_GRPC_UNAVAILABLE;
    case 0x8: /* CANCEL */
        return IMS_GRPC_CANCELLED;
    case 0xb: /* ENHANCE_YOUR_CALM */
        return IMS_GRPC_RESOURCE_EXHAUSTED;
    case 0xc: /* INADEQUATE_SECURITY */
        return IMS_GRPC_PERMISSION_DENIED;
    default:
        return IMS_GRPC_INTERNAL;
    }
}
