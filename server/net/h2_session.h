/*
 * One accepted connection: the libuv stream, optional TLS, and the nghttp2 server
 * session that turns bytes into streams. Calls (grpc_call.c) live on its streams.
 */
#ifndef IMS_NET_H2_SESSION_H
#define IMS_NET_H2_SESSION_H

#include <netinet/in.h>
#include <nghttp2/nghttp2.h>
#include <uv.h>

#include "tls.h"

struct net_listener;
struct grpc_server;
struct grpc_call;

#define H2_READ_BUFFER_BYTES 32768
/* Advertised to clients; a larger request header list resets the stream. */
#define H2_MAX_HEADER_LIST_BYTES 65536

enum h2_conn_state {
    H2_CONN_HANDSHAKE, /* TLS handshake in progress; no HTTP/2 yet */
    H2_CONN_OPEN,      /* serving streams */
    H2_CONN_DRAINING,  /* GOAWAY sent: finishing the streams it covers */
    H2_CONN_CLOSING,   /* uv_close called, waiting for the close callback */
    H2_CONN_CLOSED,    /* socket closed; the struct stays while calls refer to it */
};

struct h2_conn {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    struct grpc_server *server;
    enum h2_conn_state state;
    unsigned refs;            /* the socket, plus one per call object */
    unsigned long long id;    /* log prefix conn=<id> */
    nghttp2_session *session; /* NULL once closing */
    int is_tls;
    struct tls_session tls;
    char *client_subject; /* verified client certificate subject, or NULL */
    char peer[INET6_ADDRSTRLEN + 8];
    int is_local;
    int in_session;    /* inside nghttp2: output waits until it returns */
    int write_pending; /* one uv_write in flight at a time */
    int reading;
    int input_done;           /* never read again (protocol error or failure) */
    const char *close_reason; /* set: stop reading, close once output is written */
    struct grpc_call *calls;  /* calls on open streams */
    struct h2_conn *prev, *next;
    char read_buffer[H2_READ_BUFFER_BYTES];
};

/* Accepts a pending connection on listener (dropped and logged when memory is short). */
void h2_conn_accept(struct net_listener *listener);

/* Writes what nghttp2 has to send, now or when the write in flight completes. */
void h2_conn_flush(struct h2_conn *conn);

/* Graceful end: GOAWAY, then close when the streams it covers are done. */
void h2_conn_drain(struct h2_conn *conn);

/* Closes at once: open calls are cancelled, the socket is closed. Never call from inside
 * an nghttp2 callback of this connection. */
void h2_conn_close(struct h2_conn *conn, const char *reason);

void h2_conn_ref(struct h2_conn *conn);
/* Drops a reference; the last one frees the connection. */
void h2_conn_unref(struct h2_conn *conn);

#endif
