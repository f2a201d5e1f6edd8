/* Server streams (a request, many answers) and client streams (many requests, one
 * answer) over the client's one call at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

/* ---- server streams */

int ims_client_stream_open(ims_client *c, const char *path, const ProtobufCMessage *request,
                           ims_client_stream **out)
{
    *out = NULL;
    ims_client_stream *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return ims__fail(c, IMS_ENOMEM, "out of memory");
    int rc = ims__call_begin(c, path, &s->call);
    if (rc == 0)
        rc = ims__call_append(s->call, request, NULL, 0, true);
    if (rc == 0)
        rc = ims__call_half_close(s->call);
    if (rc == 0)
        rc = ims__call_start(s->call, path, "application/grpc");
    if (rc != 0) {
        ims__call_free(s->call);
        free(s);
        return rc;
    }
    ims__succeed(c);
    *out = s;
    return 0;
}

static bool has_message_or_failed(const call *k)
{
    if (k->http_status != 0 && k->http_status != 200)
        return false; /* wait for the end to report the status */
    size_t avail = ims__deframer_pending(&k->in);
    if (avail < IMS__GRPC_PREFIX)
        return false;
    const uint8_t *p = k->in.buf + k->in.off;
    uint32_t n = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
    return p[0] != 0 || n > k->in.max_message || avail - IMS__GRPC_PREFIX >= n;
}

int ims_client_stream_next(ims_client_stream *s, const ProtobufCMessageDescriptor *type,
                           ProtobufCMessage **msg)
{
    *msg = NULL;
    call *k = s->call;
    ims_client *c = k->client;
    if (c->call != k)
        return ims__fail(c, IMS_ECLOSED, "the stream has ended");
    int rc = ims__call_wait(k, has_message_or_failed);
    if (rc != 0)
        return rc;
    if (k->http_status == 200 || k->http_status == 0) {
        const uint8_t *data;
        size_t len;
        rc = ims__deframer_next(&k->in, &data, &len);
        if (rc == 1) {
            rc = ims__unpack(c, type, data, len, msg);
            if (rc == 0)
                ims__succeed(c);
            return rc;
        }
        if (rc == IMS_ETOOBIG)
            return ims__fail(c, rc, "response message larger than %u bytes", IMS_CLIENT_MAX_MESSAGE);
        if (rc < 0)
            return ims__fail(c, rc, "malformed response framing");
    }
    /* Closed and drained. */
    rc = ims__call_status(k);
    if (rc == 0 && ims__deframer_pending(&k->in) != 0)
        rc = ims__fail(c, IMS_EPROTO, "the stream ended inside a message");
    if (rc != 0)
        return rc;
    return 1;
}

void ims_client_stream_close(ims_client_stream *s)
{
    if (s == NULL)
        return;
    ims__call_free(s->call);
    free(s);
}

/* ---- client streams */

int ims_client_cstream_open(ims_client *c, const char *path, ims_client_cstream **out)
{
    *out = NULL;
    ims_client_cstream *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return ims__fail(c, IMS_ENOMEM, "out of memory");
    int rc = ims__call_begin(c, path, &s->call);
    if (rc == 0)
        rc = ims__call_start(s->call, path, "application/grpc");
    if (rc != 0) {
        ims__call_free(s->call);
        free(s);
        return rc;
    }
    ims__succeed(c);
    *out = s;
    return 0;
}

/* Buffered body beyond which send waits for the server to take some. */
#define CSTREAM_BACKLOG (4u << 20)

static bool backlog_small(const call *k)
{
    return k->out_len - k->out_off < CSTREAM_BACKLOG;
}

int ims_client_cstream_send(ims_client_cstream *s, const ProtobufCMessage *msg)
{
    call *k = s->call;
    ims_client *c = k->client;
    if (c->call != k || k->out_eof)
        return ims__fail(c, IMS_EINVAL, "the stream is finished");
    if (k->closed)
        return ims__call_status(k) != 0 ? IMS_ERPC : ims__fail(c, IMS_ECLOSED, "the call has ended");
    int rc = ims__call_append(k, msg, NULL, 0, true);
    if (rc == 0)
        rc = ims__flush(c, k->deadline);
    /* Take in an early answer (an error status) without waiting (a bounded number of reads:
     * a server that keeps sending cannot hold the sender here). */
    for (int reads = 0;
         reads < IMS__IDLE_READS && rc == 0 && c->session && nghttp2_session_want_read(c->session);
         reads++) {
        rc = ims__read_once(c, IMS__DEADLINE_NOW);
        if (rc == IMS_ETIMEDOUT) {
            rc = 0;
            break;
        }
    }
    if (rc == 0 && !backlog_small(k))
        rc = ims__call_wait(k, backlog_small);
    if (rc != 0)
        return rc;
    if (k->closed && ims__call_status(k) != 0)
        return IMS_ERPC;
    ims__succeed(c);
    return 0;
}

int ims_client_cstream_finish(ims_client_cstream *s, const ProtobufCMessageDescriptor *type,
                              ProtobufCMessage **response)
{
    *response = NULL;
    call *k = s->call;
    ims_client *c = k->client;
    if (c->call != k)
        return ims__fail(c, IMS_EINVAL, "the stream is finished");
    int rc = ims__call_half_close(k);
    if (rc == 0)
        rc = ims__flush(c, k->deadline);
    if (rc == 0)
        rc = ims__call_wait(k, NULL);
    if (rc == 0)
        rc = ims__call_status(k);
    if (rc != 0)
        return rc;
    const uint8_t *msg;
    size_t len;
    rc = ims__deframer_next(&k->in, &msg, &len);
    if (rc != 1 || ims__deframer_pending(&k->in) != 0)
        return ims__fail(c, rc == IMS_ETOOBIG ? IMS_ETOOBIG : IMS_EPROTO,
                    rc == 0 ? "no message in the response" : "malformed response framing");
    rc = ims__unpack(c, type, msg, len, response);
    if (rc == 0)
        ims__succeed(c);
    return rc;
}

void ims_client_cstream_close(ims_client_cstream *s)
{
    if (s == NULL)
        return;
    ims__call_free(s->call);
    free(s);
}
