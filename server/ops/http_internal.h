/*
 * Inside the ops listener's HTTP/1.1 transport: the server, its connections and their
 * requests, shared by http_server.c (listening), http_conn.c (one connection: parse,
 * bound, encrypt, write) and http_request.c (what a handler sees and answers).
 */
#ifndef IMS_OPS_HTTP_INTERNAL_H
#define IMS_OPS_HTTP_INTERNAL_H

#include <http_parser.h>

#include "http_server.h"
#include "tls.h"

#define MAX_HEADERS 64

enum conn_state {
    CONN_IDLE,      /* waiting for a request's first byte */
    CONN_READING,   /* a request is arriving */
    CONN_HANDLING,  /* the handler has it */
    CONN_STREAMING, /* a streamed answer is open */
    CONN_CLOSING,
};

struct ops_http_request {
    struct ops_conn *conn; /* NULL once the peer has gone */
    char method[16];
    char *target; /* path and query as sent */
    size_t target_len;
    const char *query;
    char *names[MAX_HEADERS], *values[MAX_HEADERS];
    size_t name_len[MAX_HEADERS], value_len[MAX_HEADERS];
    int header_count;
    int last_was_value;
    uint8_t *body;
    size_t body_len, body_cap;
    char peer[64];
    int local;
    char *client_subject;
    void *user_data;
    void (*gone)(struct ops_http_request *request, void *user_data);
};

struct ops_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    int handles_open;
    struct ops_http_server *server;
    struct ops_conn *prev, *next;
    http_parser parser;
    enum conn_state state;
    struct ops_http_request *request;
    size_t header_bytes;
    int keep_alive;
    int close_after_write;
    size_t unwritten;
    uint8_t *leftover; /* bytes read after a complete request, parsed after its answer */
    size_t leftover_len;
    char peer[64];
    int local;
    int feeding;  /* inside conn_feed: the next request is parsed when it returns */
    int draining; /* too much unwritten: the next request waits for the peer to read */
    int is_tls;
    struct tls_session tls;
    char *client_subject; /* verified client certificate, or NULL */
};

struct ops_http_server {
    uv_loop_t *loop;
    uv_tcp_t listener;
    int listening;
    int port;
    struct ops_http_config config;
    struct ops_http_handlers handlers;
    struct ops_conn *conns;
    uint32_t conn_count;
    int live; /* open handles */
    int closing;
    void (*done)(void *arg);
    void *done_arg;
};

struct write_req {
    uv_write_t req;
    struct ops_conn *conn;
    size_t len;
    char data[];
};

/* Reports an event to the server's owner. */
void http_event(struct ops_http_server *server, enum ops_http_event event, const char *peer,
                const char *detail);
/* Drops one reference of the server's handles; the last one after close frees it. */
void http_server_release(struct ops_http_server *server);

/* Accepts a connection from the listener. */
void http_conn_accept(struct ops_http_server *server);
void http_conn_close(struct ops_conn *conn);
/* Queues head, body and tail as one answer (encrypted over TLS). On failure the
 * connection is closed and a negative IMS_E* code returned. */
int http_conn_write(struct ops_conn *conn, const char *head, size_t head_len, const void *body,
                    size_t body_len, const char *tail, size_t tail_len);
/* After an answer: reads the next request, or closes when not kept alive. */
void http_conn_next(struct ops_conn *conn);
void http_request_free(struct ops_http_request *request);

#endif
