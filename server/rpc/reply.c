/* Ending a call: a reply, a stored reply, a stream's messages and end, or a failure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_server.h"
#include "ims/error.h"
#include "server.h"

/* A call made inside the daemon keeps its one answer for its done callback. */
static int keep_local(struct rpc_call *call, const uint8_t *data, size_t len)
{
    free(call->local_response);
    call->local_response = malloc(len ? len : 1);
    if (!call->local_response)
        return IMS_ENOMEM;
    memcpy(call->local_response, data, len);
    call->local_response_len = len;
    return 0;
}

/* last: the call's one answer, ended right after, so the message waits for the end's flush
 * and leaves with the trailers in one write. */
static int send_message(struct rpc_call *call, const uint8_t *data, size_t len, int last)
{
    if (call->grpc)
        return last && !call->finished ? grpc_call_queue_message(call->grpc, data, len)
                                       : grpc_call_send_message(call->grpc, data, len);
    if (call->local_message) {
        call->local_message(data, len, call->local_arg);
        return 0;
    }
    return keep_local(call, data, len);
}

static int pack_and_send(struct rpc_call *call, const ProtobufCMessage *msg, int last)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t stack[1024];
    uint8_t *buf = n <= sizeof stack ? stack : malloc(n);
    if (!buf)
        return IMS_ENOMEM;
    protobuf_c_message_pack(msg, buf);
    int rc = send_message(call, buf, n, last);
    if (buf != stack)
        free(buf);
    return rc;
}

/* The answer is queued (rc 0), or could not be: the call ends either way. */
static void reply_sent(struct rpc_call *call, int rc)
{
    if (rc == IMS_ENOMEM)
        rpc_call_end(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    else if (rc == IMS_ETOOBIG)
        rpc_call_end(call, IMS_GRPC_RESOURCE_EXHAUSTED,
                     "responses waiting for this peer (or all peers) exceed "
                     "max_conn_buffered_bytes (max_buffered_bytes); read them, retry later");
    else
        rpc_call_end(call, rc == 0 ? IMS_GRPC_OK : IMS_GRPC_CANCELLED, NULL);
}

void rpc_reply_packed(struct rpc_call *call, const uint8_t *data, size_t len)
{
    if (call->cancelled) {
        rpc_call_end(call, IMS_GRPC_CANCELLED, "cancelled");
        return;
    }
    reply_sent(call, send_message(call, data, len, 1));
}

void rpc_end(struct rpc_call *call)
{
    rpc_call_end(call, call->cancelled ? IMS_GRPC_CANCELLED : IMS_GRPC_OK, NULL);
}

void rpc_reply(struct rpc_call *call, const ProtobufCMessage *response)
{
    if (call->cancelled) {
        rpc_call_end(call, IMS_GRPC_CANCELLED, "cancelled");
        return;
    }
    reply_sent(call, pack_and_send(call, response, 1));
}

int rpc_stream_send(struct rpc_call *call, const ProtobufCMessage *message)
{
    if (call->cancelled)
        return IMS_ECLOSED;
    return pack_and_send(call, message, 0);
}

void rpc_fail(struct rpc_call *call, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rpc_call_end(call, status, msg);
}

size_t rpc_call_pending_bytes(const struct rpc_call *call)
{
    return call->grpc ? grpc_call_pending_bytes(call->grpc) : 0;
}

const char *rpc_call_token_id(const struct rpc_call *call)
{
    return call->authenticated ? call->principal.token_id : NULL;
}
