/*
 * Inside libimsclient: the connection and the call, shared by client.c (connecting and
 * unary calls) and streams.c (server and client streams). Not installed.
 */
#ifndef IMS_CLIENT_INTERNAL_H
#define IMS_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nghttp2/nghttp2.h>

#include "address.h"
#include "grpc_wire.h"
#include "ims/client.h"
#include "transport.h"

typedef struct call {
    ims_client *client;
    int32_t stream_id;
    long long deadline;
    /* Request body not yet handed to nghttp2. */
    uint8_t *out;
    size_t out_len, out_off, out_cap;
    bool out_eof;  /* no more body after what is buffered */
    bool deferred; /* the data source waits for more body */
    /* Response. */
    int http_status;
    bool content_type_grpc;
    bool have_grpc_status;
    int grpc_status;
    char *grpc_message;
    ims__deframer in;
    bool got_frame; /* anything at all arrived for this stream */
    bool fresh;     /* it runs on a connection opened for it */
    bool closed;
    uint32_t close_error;
    int local_error; /* an error raised inside a callback */
} call;

struct ims_client {
    ims__address address;
    char *authorization;
    int timeout_ms;
    SSL_CTX *tls;
    ims__transport transport;
    nghttp2_session *session;
    call *call;
    int grpc_status;
    char error[1024];
};

struct ims_client_stream {
    call *call;
};

struct ims_client_cstream {
    call *call;
};

/* Records a local failure (err, and a message) on the client; returns err. */
int ims__fail(ims_client *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ims__succeed(ims_client *c);
/* Hands nghttp2's output to the transport / reads once, until the deadline. */
int ims__flush(ims_client *c, long long deadline);
int ims__read_once(ims_client *c, long long deadline);

/* One call: begun on a connection, given its request body, started, waited on. */
int ims__call_begin(ims_client *c, const char *path, call **out);
int ims__call_append(call *k, const ProtobufCMessage *msg, const uint8_t *raw, size_t raw_len,
                     bool frame);
int ims__call_half_close(call *k);
int ims__call_start(call *k, const char *path, const char *content_type);
int ims__call_wait(call *k, bool (*until)(const call *));
int ims__call_status(call *k);
void ims__call_free(call *k);
int ims__unpack(ims_client *c, const ProtobufCMessageDescriptor *type, const uint8_t *data,
                size_t len, ProtobufCMessage **msg);

#endif
