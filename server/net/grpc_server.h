/*
 * gRPC over HTTP/2 server transport on libuv: listeners (TCP, Unix socket, TLS),
 * nghttp2 sessions, gRPC message framing, deadlines and trailers.
 *
 * net/ knows nothing of tenants, protobuf messages or the database: it hands a call's
 * method path, metadata and raw message bytes to the dispatcher and sends back what the
 * dispatcher gives it.
 *
 * Lifetime of a call: the server creates it when request headers that pass the HTTP and
 * gRPC checks arrive and calls on_call_start. From then on the dispatcher holds one
 * reference, which it gives up with exactly one grpc_call_finish(). If the peer resets the
 * stream, the connection drops or the deadline passes, on_call_cancel is called once; the
 * dispatcher must still call grpc_call_finish() (which then sends nothing). Every other
 * grpc_call_* function may be called until grpc_call_finish() and never after it.
 * Callbacks run on the loop thread; no grpc_call_* function may be called from another
 * thread.
 */
#ifndef IMS_NET_GRPC_SERVER_H
#define IMS_NET_GRPC_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "net_event.h"

struct grpc_server;
struct grpc_call;

struct grpc_dispatch {
    /* Headers are complete. Returning nonzero refuses the call with that gRPC status
     * (e.g. IMS_GRPC_UNIMPLEMENTED for an unknown method) in a Trailers-Only response;
     * the call is then already finished and the dispatcher holds no reference. */
    int (*on_call_start)(struct grpc_call *call, void *user_data);
    /* One complete request message (already stripped of its 5-byte prefix). The bytes are
     * valid only during the callback. */
    void (*on_message)(struct grpc_call *call, const uint8_t *data, size_t len,
                       void *user_data);
    /* The client half-closed: no more messages will come. */
    void (*on_half_close)(struct grpc_call *call, void *user_data);
    /* Reset, connection loss or deadline: stop working on the call, then finish it. */
    void (*on_call_cancel)(struct grpc_call *call, void *user_data);
    void *user_data;
};

struct grpc_tls_config {
    const char *cert_file;      /* PEM chain; NULL: no TLS */
    const char *key_file;       /* PEM private key */
    const char *client_ca_file; /* NULL: no client certificates asked */
    int require_client_cert;    /* refuse handshakes without a verified client certificate */
    int min_version;            /* 12: TLS 1.2 also accepted; 0 or 13: TLS 1.3 only */
};

struct grpc_server_config {
    size_t max_message_bytes;        /* larger request messages: RESOURCE_EXHAUSTED */
    uint32_t max_concurrent_streams; /* per connection */
    uint32_t shutdown_grace_ms;      /* in-flight calls get this long at shutdown */
    /* Limits on what a peer may hold. 0 leaves a limit off (and the header list at
     * 64 KiB); imsd's configuration always sets them. See docs/security.md. */
    uint32_t max_connections;             /* open at once; more are closed as accepted */
    uint32_t max_connections_per_address; /* from one client IP; Unix sockets exempt */
    uint32_t handshake_timeout_ms;        /* the TLS handshake */
    uint32_t preface_timeout_ms;          /* accept (or handshake) to the client's preface */
    uint32_t idle_timeout_ms;             /* no open stream: GOAWAY and close */
    uint32_t keepalive_ms;      /* open streams, nothing read: PING; no answer: close */
    uint32_t headers_timeout_ms; /* a request header block begun and not ended */
    uint32_t default_deadline_ms; /* calls without grpc-timeout, unless the dispatcher
                                   * exempts them (grpc_call_no_default_deadline) */
    uint32_t max_header_list_bytes; /* per stream; advertised in SETTINGS */
    size_t max_conn_buffered_bytes; /* request bytes held per connection before its flow
                                     * control window stops being reopened */
    size_t max_buffered_bytes;      /* the same over all connections */
    struct grpc_tls_config tls;
    net_event_cb on_event; /* may be NULL: events are dropped */
    void *event_arg;
};

/* Creates a server on loop. Returns 0, IMS_ENOMEM, IMS_EINVAL or IMS_ETLS (bad cert/key;
 * the reason goes to on_event as NET_EVENT_TLS_CONFIG_FAILED).
 * Sets SIGPIPE to be ignored for the process: a vanished peer must not kill the daemon. */
int grpc_server_new(uv_loop_t *loop, const struct grpc_server_config *config,
                    const struct grpc_dispatch *dispatch, struct grpc_server **out)
    __attribute__((warn_unused_result));

/* Listens on "host:port" (IPv4, IPv6 in brackets, or a name), or "unix:/path".
 * tls: 1 to serve TLS on this listener (needs the TLS config), 0 for cleartext h2c
 * with prior knowledge. Port 0 picks a free port; grpc_server_bound_port() tells which.
 * Returns 0, IMS_EINVAL (bad address), IMS_EIO (bind/listen failed; the step and libuv's
 * error go to on_event as NET_EVENT_LISTEN_FAILED), IMS_ETLS (tls asked without
 * certificate). */
int grpc_server_listen(struct grpc_server *server, const char *address, int tls)
    __attribute__((warn_unused_result));

struct grpc_server_stats {
    uint64_t bytes_in, bytes_out; /* on the sockets, TLS records included */
    uint64_t connections_total, calls_total;
    uint64_t messages_too_large; /* calls refused for max_message_bytes */
    uint64_t connections_refused; /* over max_connections or max_connections_per_address */
    uint64_t connections_timed_out; /* handshake, preface, headers, keepalive */
    uint64_t connections_idle_closed;
    uint64_t calls_default_deadline; /* calls ended by default_deadline_ms */
    uint64_t buffered_bytes;         /* request bytes held now */
    uint64_t input_stalls;           /* times a window was left shut for a byte budget */
    uint32_t connections, calls;  /* open now */
};

/* Counts since the server was made, for /metrics. */
void grpc_server_stats(const struct grpc_server *server, struct grpc_server_stats *out);

/* Serves a connected stream socket given by its descriptor (a Unix socketpair's end) as
 * cleartext h2c, as if accepted on a Unix listener: the transport seam through which
 * tests and the whole-connection fuzz target feed bytes. The server owns fd from here on
 * (closed on failure too). Returns 0, IMS_ENOMEM, IMS_EIO, IMS_EINVAL (shutting down). */
int grpc_server_adopt(struct grpc_server *server, int fd) __attribute__((warn_unused_result));

/* The TCP port of the n-th listener (0-based), or -1. */
int grpc_server_bound_port(const struct grpc_server *server, int n);

/* Reloads certificate, key and client CA from the configured files; existing
 * connections keep their session. Returns 0 or IMS_ETLS (the old ones stay in use). */
int grpc_server_reload_tls(struct grpc_server *server) __attribute__((warn_unused_result));

/* Stops accepting, lets in-flight calls finish within shutdown_grace_ms (then cancels
 * them), closes every connection and handle, and calls done (may be NULL) once
 * everything is closed. The server is freed after done returns. */
void grpc_server_shutdown(struct grpc_server *server, void (*done)(void *arg), void *arg);

/* --- the call --- */

/* ":path", e.g. "/ims.v1.Tenants/CreateTenant". */
const char *grpc_call_path(const struct grpc_call *call);
/* A request header (lower-case name), or NULL. Valid for the life of the call. */
const char *grpc_call_header(const struct grpc_call *call, const char *name);
/* Peer address "ip:port", "unix" for a Unix socket. */
const char *grpc_call_peer(const struct grpc_call *call);
/* 1 when the call came over TLS; the verified client certificate's subject or NULL. */
int grpc_call_is_tls(const struct grpc_call *call);
const char *grpc_call_client_subject(const struct grpc_call *call);
/* 1 when the connection is loopback or a Unix socket. */
int grpc_call_is_local(const struct grpc_call *call);
/* Absolute deadline in uv_now() milliseconds (the client's grpc-timeout, or the server's
 * default_deadline_ms once on_call_start returned), or 0 when there is none. */
uint64_t grpc_call_deadline(const struct grpc_call *call);
/* 1 once on_call_cancel has been delivered. */
int grpc_call_is_cancelled(const struct grpc_call *call);

/* Inside on_call_start: a lower limit than max_message_bytes for this call's request
 * messages (a method that never needs large ones). */
void grpc_call_limit_message_bytes(struct grpc_call *call, size_t max);

/* Inside on_call_start: this call (a server stream that lives as long as its client
 * watches) gets no default deadline; the connection's keepalive still applies. */
void grpc_call_no_default_deadline(struct grpc_call *call);

/* Flow control: while paused, the bytes this call receives are not acknowledged to the
 * peer (no WINDOW_UPDATE), so it can send at most one stream window more. Resume
 * acknowledges what arrived meanwhile. For a call waiting for its token. */
void grpc_call_pause_input(struct grpc_call *call);
void grpc_call_resume_input(struct grpc_call *call);

/* Bytes of this call's request the dispatcher keeps (a client stream's messages until it
 * ends; 0 once it let them go), counted with the partial messages of the connection and
 * of the server. Returns 0, or IMS_ETOOBIG (nothing counted) when more bytes would take the
 * connection over max_conn_buffered_bytes or the server over max_buffered_bytes: the
 * dispatcher then ends the call (waiting could deadlock streams that all wait for room). */
int grpc_call_set_held_bytes(struct grpc_call *call, size_t bytes)
    __attribute__((warn_unused_result));

/* Inside on_call_start, before it refuses the call: the message the refusal carries
 * (truncated to 199 bytes). */
void grpc_call_set_refusal(struct grpc_call *call, const char *message);

void grpc_call_set_user_data(struct grpc_call *call, void *data);
void *grpc_call_user_data(const struct grpc_call *call);

/* Queues one response message (the 5-byte prefix is added here; bytes are copied).
 * Response headers go out before the first message. Returns 0, IMS_ENOMEM, or
 * IMS_ECLOSED when the call was cancelled. For server streams, call it repeatedly. */
int grpc_call_send_message(struct grpc_call *call, const uint8_t *data, size_t len);
/* The same, but the message waits for the connection's next flush: a unary answer queued
 * this way leaves with its trailers (grpc_call_finish) in one socket write. */
int grpc_call_queue_message(struct grpc_call *call, const uint8_t *data, size_t len);

/* Bytes queued on this call's stream and not yet written to the socket: a server
 * stream that is far behind can stop producing. */
size_t grpc_call_pending_bytes(const struct grpc_call *call);

/* Ends the call with a status (IMS_GRPC_*) and message (UTF-8, percent-encoded on the
 * wire here; may be NULL). Sends Trailers-Only when nothing was sent yet. Gives up the
 * dispatcher's reference: the call must not be touched afterwards. */
void grpc_call_finish(struct grpc_call *call, int status, const char *message);

/* --- pure helpers, unit-tested --- */

/* Parses a grpc-timeout value ("100m", "5S", "1H"; 1..8 digits and a unit of
 * H M S m u n). Returns 0 and the timeout in milliseconds (rounded up), or IMS_EINVAL. */
int grpc_parse_timeout(const char *text, uint64_t *out_ms);

/* Percent-encodes a grpc-message per the gRPC spec into out (NUL-terminated).
 * Returns the length written, or IMS_ETOOBIG when out is too small. */
int grpc_percent_encode(const char *message, char *out, size_t out_len);

#endif
