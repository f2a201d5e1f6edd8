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
/* Advertised to clients when no limit is configured; a larger request header list
 * resets the stream. */
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
    /* Calls under the server's default deadline, in the order they started: all have the
     * same length, so the first is due first. The connection's timer serves them. */
    struct grpc_call *default_deadlines, *default_deadlines_last;
    struct h2_conn *prev, *next;
    /* The peer's IP (IPv6: its /64 network), counted in server->peers; "" for none. */
    char address[INET6_ADDRSTRLEN + 4];
    /* Timeouts (conn_timer.c): one timer armed for the earliest of them. */
    uv_timer_t timer;
    uint64_t timer_due;      /* uv_now() ms the timer fires at, 0 when stopped */
    uint64_t opened_ms;      /* accept, or the end of the TLS handshake */
    uint64_t last_read_ms;   /* any byte from the peer */
    uint64_t idle_since_ms;  /* the last call left; 0 while calls are open */
    uint64_t headers_since_ms; /* a request header block began; 0 when none is open */
    uint64_t ping_sent_ms;   /* keepalive PING unanswered since, or 0 */
    uint64_t hard_close_ms;  /* a GOAWAY went out for a timeout: close by then anyway */
    int preface_done;        /* the client's SETTINGS arrived */
    /* Flow control (flow.c). */
    size_t buffered;  /* request bytes its calls hold (partial messages, client streams) */
    size_t out_pending;   /* response bytes its calls hold, not yet taken by nghttp2 */
    uint64_t out_since_ms; /* none of them has left since (0: none held) */
    size_t partial;   /* of which partial messages: over the budget, windows wait */
    size_t unacked;   /* bytes received and not yet given back as window */
    int budget_stalled; /* a window waits until bytes are freed (counted in the server) */
    const char *end_reason; /* why a GOAWAY was sent on our own: the close reason */
    size_t block_bytes;     /* the request header block being received, on the wire */
    int32_t refused_block;  /* the stream whose header block was refused (no frame_recv) */
};

/* Accepts a pending connection on listener (dropped and logged when memory is short). */
void h2_conn_accept(struct net_listener *listener);

/* Serves an already connected stream socket (cleartext h2c): grpc_server_adopt(). Returns
 * 0, IMS_ENOMEM, IMS_EIO (the socket is closed then). */
int h2_conn_adopt(struct grpc_server *server, int fd);

/* Writes what nghttp2 has to send, now or when the write in flight completes. */
void h2_conn_flush(struct h2_conn *conn);

/* --- conn_write.c --- */

/* nghttp2 output is gathered into writes of about this size; the next batch is produced
 * only when the previous write completed, so a peer that does not read stops us. */
#define H2_WRITE_BATCH_BYTES 65536

/* One uv_write's bytes. */
struct conn_write {
    uv_write_t req;
    struct h2_conn *conn;
    struct conn_write *next_spare;
    size_t len, cap;
    uint8_t data[];
};

/* A buffer for new output: a spare one kept by the server, or NULL (write_append makes
 * one). */
struct conn_write *write_take(struct grpc_server *server);
/* Appends len bytes, growing (or making) *write. Returns 0 or IMS_ENOMEM. */
int write_append(struct conn_write **write, const uint8_t *data, size_t len);
/* The write completed or never started: the buffer is kept for the next one, or freed. */
void write_give_back(struct grpc_server *server, struct conn_write *write);
/* Frees the buffers the server keeps (at the server's end). */
void h2_spare_writes_free(struct grpc_server *server);

/* Graceful end: GOAWAY, then close when the streams it covers are done. */
void h2_conn_drain(struct h2_conn *conn);

/* Closes at once: open calls are cancelled, the socket is closed. Never call from inside
 * an nghttp2 callback of this connection. */
void h2_conn_close(struct h2_conn *conn, const char *reason);

/* --- conn_timer.c --- */

/* Starts the connection's timer (at accept); it holds a reference on the connection. */
void h2_timer_init(struct h2_conn *conn);
/* Something changed what the connection waits for (handshake done, preface, a header
 * block begun or ended, calls came or went): re-arms the timer when it is due sooner. */
void h2_timer_update(struct h2_conn *conn);
/* Flushes from the loop's next timer pass: output made outside nghttp2 (a window given
 * back) goes out without the caller's stack under it. */
void h2_timer_kick(struct h2_conn *conn);
/* Closes the timer handle (its close callback drops the connection's reference). */
void h2_timer_close(struct h2_conn *conn);

/* --- flow.c --- */

/* A DATA chunk of len bytes arrived for call (before it is deframed). */
struct grpc_call;
void h2_flow_received(struct grpc_call *call, size_t len);
/* The call's deframer now holds this many bytes of a partial message; with what the
 * dispatcher keeps (app_held) they are the call's share of the connection's and server's
 * bytes. */
void h2_flow_hold(struct grpc_call *call, size_t holding);
/* Gives back the window for the call's bytes when its budget and the connection's and
 * the server's allow; flushes the WINDOW_UPDATE when not inside nghttp2. */
void h2_flow_ack(struct grpc_call *call);
/* The call is going: its held bytes are freed and what it did not acknowledge is given
 * back to the connection. */
void h2_flow_call_gone(struct grpc_call *call);
/* Bytes were freed somewhere: acknowledges the stalled calls that now fit. */
void h2_flow_released(struct grpc_server *server);

/* --- out_budget.c --- */

/* IMS_ETOOBIG when more response bytes for call would take its connection over
 * max_conn_buffered_bytes or the server over max_buffered_bytes of responses waiting for
 * their peers (counted apart from request bytes), else 0. */
int h2_out_room(const struct grpc_call *call, size_t more);
/* The call now holds this many response bytes not yet taken by nghttp2. */
void h2_out_pending(struct grpc_call *call, size_t pending);

/* Closes after a timeout: GOAWAY where HTTP/2 is spoken, the socket within a second. */
void h2_conn_timeout(struct h2_conn *conn, const char *reason, int idle);

/* Sends a keepalive PING. */
void h2_conn_ping(struct h2_conn *conn);

void h2_conn_ref(struct h2_conn *conn);
/* Drops a reference; the last one frees the connection. */
void h2_conn_unref(struct h2_conn *conn);

#endif
