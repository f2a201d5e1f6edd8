/*
 * The ops listener's transport: HTTP/1.1 on libuv, requests parsed by http-parser.
 *
 * Operators' tools (Prometheus, load balancers' health checks, a browser) speak plain
 * HTTP/1.1; this serves them on the daemon's loop beside gRPC. Every resource a peer can
 * make it hold is bounded: connections, header bytes, body bytes, the time to send the
 * headers and the body, and the time a kept-alive connection may sit idle. One request
 * is handled at a time per connection; the next one is read after the answer is queued.
 *
 * Like net/, this library never logs: what happens to a peer is reported through
 * on_event for the caller to count and log.
 *
 * A request lives from on_request until the handler ends it with ops_http_respond() (or
 * ops_http_stream_end() for a streamed answer); the handler may answer later, from
 * another callback on the loop. When the peer goes away first, the request stays valid
 * until then and the answer is dropped (see ops_http_on_gone).
 */
#ifndef IMS_OPS_HTTP_SERVER_H
#define IMS_OPS_HTTP_SERVER_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct ops_http_server;
struct ops_http_request;

enum ops_http_event {
    OPS_HTTP_CONNECTION_OPEN,
    OPS_HTTP_CONNECTION_CLOSED,
    OPS_HTTP_REFUSED_CONNECTIONS, /* max_connections reached: the connection was closed */
    OPS_HTTP_BAD_REQUEST,         /* unparsable request: 400 sent, connection closed */
    OPS_HTTP_HEADERS_TOO_LARGE,   /* 431 sent */
    OPS_HTTP_BODY_TOO_LARGE,      /* 413 sent */
    OPS_HTTP_TIMEOUT,             /* headers, body or idle time ran out */
    OPS_HTTP_TLS_FAILED,          /* handshake or record error: closed; detail says why */
};

struct ops_http_config {
    uint32_t max_connections;   /* open connections; more are closed at accept */
    size_t max_header_bytes;    /* request line and headers */
    size_t max_body_bytes;      /* request body */
    uint32_t request_timeout_ms; /* from a request's first byte to its last */
    uint32_t idle_timeout_ms;   /* a kept-alive connection without a request */
    SSL_CTX *tls;               /* NULL: cleartext; else every connection speaks TLS (the
                                 * context stays the caller's and must outlive the server) */
};

struct ops_http_handlers {
    /* A complete request (headers and body). Must end it once, now or later. */
    void (*on_request)(struct ops_http_request *request, void *user_data);
    /* Something worth counting happened; peer is "ip:port"; detail may be NULL. */
    void (*on_event)(enum ops_http_event event, const char *peer, const char *detail,
                     void *user_data);
    void *user_data;
};

/* Creates a server on loop. Returns 0, IMS_EINVAL (a zero limit) or IMS_ENOMEM. */
int ops_http_server_new(uv_loop_t *loop, const struct ops_http_config *config,
                        const struct ops_http_handlers *handlers, struct ops_http_server **out)
    __attribute__((warn_unused_result));

/* Listens on "host:port" ("[v6]:port"; port 0 picks one). Returns 0, IMS_EINVAL (bad
 * address), IMS_EIO (bind or listen failed; detail names the step and the error). */
int ops_http_server_listen(struct ops_http_server *server, const char *address, char *detail,
                           size_t detail_len) __attribute__((warn_unused_result));

/* The bound TCP port, or -1 before listening. */
int ops_http_server_port(const struct ops_http_server *server);

/* Open connections (for /metrics). */
uint32_t ops_http_server_connections(const struct ops_http_server *server);

/* Stops accepting, closes every connection (requests being answered are dropped after
 * on_request_gone), and calls done once every handle is closed; frees the server. */
void ops_http_server_close(struct ops_http_server *server, void (*done)(void *arg), void *arg);

/* --- the request --- */

const char *ops_http_method(const struct ops_http_request *request); /* "GET", "POST", ... */
const char *ops_http_path(const struct ops_http_request *request);   /* without the query */
const char *ops_http_query(const struct ops_http_request *request);  /* "" when none */
/* A header by lower-case name (the first of repeated ones), or NULL. */
const char *ops_http_header(const struct ops_http_request *request, const char *name);
const uint8_t *ops_http_body(const struct ops_http_request *request, size_t *len);
const char *ops_http_peer(const struct ops_http_request *request);
/* 1 when the peer is on a loopback address. */
int ops_http_is_local(const struct ops_http_request *request);
/* The verified client certificate's subject (RFC 2253) over TLS, or NULL. */
const char *ops_http_client_subject(const struct ops_http_request *request);
void ops_http_set_user_data(struct ops_http_request *request, void *data);
void *ops_http_user_data(const struct ops_http_request *request);
/* Asks to be told (once, on the loop) when the peer goes away before the request is
 * ended; the request must still be ended, and what is then sent is dropped. */
void ops_http_on_gone(struct ops_http_request *request,
                      void (*gone)(struct ops_http_request *request, void *user_data));
/* 1 once the peer has gone. */
int ops_http_is_gone(const struct ops_http_request *request);

/* Ends the request with a whole answer. extra_headers is "Name: value\r\n"... or NULL.
 * Returns 0, or IMS_ENOMEM (the connection is then closed). The request must not be
 * touched afterwards. */
int ops_http_respond(struct ops_http_request *request, int status, const char *content_type,
                     const char *extra_headers, const void *body, size_t len);

/* A streamed answer (chunked transfer coding, e.g. server-sent events): start it, send
 * pieces, end it. stream_send returns IMS_ECLOSED once the peer is gone. */
int ops_http_stream_start(struct ops_http_request *request, int status, const char *content_type,
                          const char *extra_headers) __attribute__((warn_unused_result));
int ops_http_stream_send(struct ops_http_request *request, const void *data, size_t len)
    __attribute__((warn_unused_result));
/* Bytes queued and not yet written, so a slow reader can be dropped. */
size_t ops_http_stream_pending(const struct ops_http_request *request);
void ops_http_stream_end(struct ops_http_request *request);

/* "Not Found" etc. for a status code ("" for an unknown one). */
const char *ops_http_reason(int status);

#endif
