/* The ops listener's HTTP/1.1 transport: accept, parse (http-parser), bound, answer. */
#include "http_server.h"

#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "container.h"
#include "ims/error.h"
#include "listener.h"

#define LISTEN_BACKLOG 128
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
    int feeding; /* inside conn_feed: the next request is parsed when it returns */
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

static http_parser_settings parser_settings;

static void event(struct ops_http_server *s, enum ops_http_event e, const char *peer,
                  const char *detail)
{
    if (s->handlers.on_event)
        s->handlers.on_event(e, peer, detail, s->handlers.user_data);
}

static void server_release(struct ops_http_server *s)
{
    if (--s->live == 0 && s->closing) {
        void (*done)(void *) = s->done;
        void *arg = s->done_arg;
        free(s);
        if (done)
            done(arg);
    }
}

/* ---- requests ---------------------------------------------------------------------- */

static void request_free(struct ops_http_request *r)
{
    if (r == NULL)
        return;
    for (int i = 0; i < r->header_count; i++) {
        free(r->names[i]);
        free(r->values[i]);
    }
    free(r->target);
    free(r->body);
    free(r);
}

static int append(char **buf, size_t *len, const char *at, size_t n)
{
    char *grown = realloc(*buf, *len + n + 1);
    if (grown == NULL)
        return -1;
    memcpy(grown + *len, at, n);
    *len += n;
    grown[*len] = '\0';
    *buf = grown;
    return 0;
}

/* ---- connection lifetime ------------------------------------------------------------ */

static void on_conn_handle_closed(uv_handle_t *handle)
{
    struct ops_conn *c = handle->data;
    if (--c->handles_open > 0)
        return;
    struct ops_http_server *s = c->server;
    free(c->leftover);
    free(c);
    server_release(s);
}

static void conn_close(struct ops_conn *c)
{
    if (c->state == CONN_CLOSING)
        return;
    struct ops_http_server *s = c->server;
    enum conn_state was = c->state;
    c->state = CONN_CLOSING;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->conn_count--;
    struct ops_http_request *r = c->request;
    c->request = NULL;
    if (r != NULL) {
        if (was == CONN_HANDLING || was == CONN_STREAMING) {
            /* The handler still holds it: it learns the peer is gone and ends it later. */
            r->conn = NULL;
            if (r->gone)
                r->gone(r, r->user_data);
        } else {
            request_free(r);
        }
    }
    event(s, OPS_HTTP_CONNECTION_CLOSED, c->peer, NULL);
    uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
}

static void on_write_done(uv_write_t *req, int status)
{
    struct write_req *w = container_of(req, struct write_req, req);
    struct ops_conn *c = w->conn;
    c->unwritten -= w->len;
    free(w);
    if (c->state == CONN_CLOSING)
        return;
    if (status < 0 || (c->close_after_write && c->unwritten == 0))
        conn_close(c);
}

/* Queues bytes; on failure the connection is closed. */
static int conn_write(struct ops_conn *c, const char *head, size_t head_len, const void *body,
                      size_t body_len, const char *tail, size_t tail_len)
{
    size_t len = head_len + body_len + tail_len;
    struct write_req *w = malloc(sizeof *w + len);
    if (w == NULL) {
        conn_close(c);
        return IMS_ENOMEM;
    }
    memcpy(w->data, head, head_len);
    if (body_len)
        memcpy(w->data + head_len, body, body_len);
    if (tail_len)
        memcpy(w->data + head_len + body_len, tail, tail_len);
    w->conn = c;
    w->len = len;
    uv_buf_t buf = uv_buf_init(w->data, (unsigned)len);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write_done) < 0) {
        free(w);
        conn_close(c);
        return IMS_ECLOSED;
    }
    c->unwritten += len;
    return 0;
}

static void on_timeout(uv_timer_t *timer)
{
    struct ops_conn *c = container_of(timer, struct ops_conn, timer);
    if (c->state == CONN_READING) {
        static const char answer[] = "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n"
                                     "Connection: close\r\n\r\n";
        event(c->server, OPS_HTTP_TIMEOUT, c->peer, "request");
        c->close_after_write = 1;
        uv_read_stop((uv_stream_t *)&c->tcp);
        conn_write(c, answer, sizeof answer - 1, NULL, 0, NULL, 0);
        return;
    }
    event(c->server, OPS_HTTP_TIMEOUT, c->peer, "idle");
    conn_close(c);
}

static void arm_timer(struct ops_conn *c, uint32_t ms)
{
    uv_timer_start(&c->timer, on_timeout, ms, 0);
}

/* Answers with an error status and closes the connection once it is written. */
static void conn_refuse(struct ops_conn *c, int status, enum ops_http_event e)
{
    char head[160];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status,
                     ops_http_reason(status));
    event(c->server, e, c->peer, NULL);
    request_free(c->request);
    c->request = NULL;
    c->state = CONN_HANDLING; /* nothing more is read */
    c->close_after_write = 1;
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_timer_stop(&c->timer);
    conn_write(c, head, (size_t)n, NULL, 0, NULL, 0);
}

/* ---- parsing --------------------------------------------------------------------------- */

static struct ops_conn *parser_conn(http_parser *p)
{
    return p->data;
}

static int count_header_bytes(struct ops_conn *c, size_t n)
{
    c->header_bytes += n;
    if (c->header_bytes > c->server->config.max_header_bytes) {
        conn_refuse(c, 431, OPS_HTTP_HEADERS_TOO_LARGE);
        return -1;
    }
    return 0;
}

static int on_message_begin(http_parser *p)
{
    struct ops_conn *c = parser_conn(p);
    c->request = calloc(1, sizeof *c->request);
    if (c->request == NULL)
        return -1;
    c->request->conn = c;
    memcpy(c->request->peer, c->peer, sizeof c->peer);
    c->request->local = c->local;
    c->header_bytes = 0;
    if (c->state == CONN_IDLE) {
        c->state = CONN_READING;
        arm_timer(c, c->server->config.request_timeout_ms);
    }
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    struct ops_conn *c = parser_conn(p);
    if (count_header_bytes(c, n) < 0)
        return -1;
    return append(&c->request->target, &c->request->target_len, at, n);
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    struct ops_conn *c = parser_conn(p);
    struct ops_http_request *r = c->request;
    if (count_header_bytes(c, n) < 0)
        return -1;
    if (r->header_count == 0 || r->last_was_value) {
        if (r->header_count == MAX_HEADERS) {
            conn_refuse(c, 431, OPS_HTTP_HEADERS_TOO_LARGE);
            return -1;
        }
        r->header_count++;
        r->last_was_value = 0;
    }
    int i = r->header_count - 1;
    return append(&r->names[i], &r->name_len[i], at, n);
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
    struct ops_conn *c = parser_conn(p);
    struct ops_http_request *r = c->request;
    if (count_header_bytes(c, n) < 0)
        return -1;
    r->last_was_value = 1;
    int i = r->header_count - 1;
    return append(&r->values[i], &r->value_len[i], at, n);
}

static int on_headers_complete(http_parser *p)
{
    struct ops_conn *c = parser_conn(p);
    struct ops_http_request *r = c->request;
    for (int i = 0; i < r->header_count; i++) {
        for (char *q = r->names[i]; q && *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q - 'A' + 'a');
        if (r->values[i] == NULL && append(&r->values[i], &r->value_len[i], "", 0) < 0)
            return -1;
    }
    snprintf(r->method, sizeof r->method, "%s", http_method_str((enum http_method)p->method));
    if (r->target == NULL && append(&r->target, &r->target_len, "/", 1) < 0)
        return -1;
    char *q = strchr(r->target, '?');
    if (q != NULL) {
        *q = '\0';
        r->query = q + 1;
    } else {
        r->query = "";
    }
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > c->server->config.max_body_bytes) {
        conn_refuse(c, 413, OPS_HTTP_BODY_TOO_LARGE);
        return -1;
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    struct ops_conn *c = parser_conn(p);
    struct ops_http_request *r = c->request;
    if (r->body_len + n > c->server->config.max_body_bytes) {
        conn_refuse(c, 413, OPS_HTTP_BODY_TOO_LARGE);
        return -1;
    }
    if (r->body_len + n > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 4096;
        while (cap < r->body_len + n)
            cap *= 2;
        if (cap > c->server->config.max_body_bytes)
            cap = c->server->config.max_body_bytes;
        uint8_t *grown = realloc(r->body, cap);
        if (grown == NULL)
            return -1;
        r->body = grown;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, at, n);
    r->body_len += n;
    return 0;
}

static int on_message_complete(http_parser *p)
{
    struct ops_conn *c = parser_conn(p);
    c->keep_alive = http_should_keep_alive(p);
    c->state = CONN_HANDLING;
    uv_timer_stop(&c->timer);
    http_parser_pause(p, 1);
    return 0;
}

/* Keeps bytes that arrive while a request is being answered (a pipelined request), up to
 * one request's worth; past that, reading pauses until the answer is out. */
static int keep_leftover(struct ops_conn *c, const char *data, size_t len)
{
    const struct ops_http_config *cfg = &c->server->config;
    uint8_t *grown = realloc(c->leftover, c->leftover_len + len);
    if (grown == NULL)
        return -1;
    memcpy(grown + c->leftover_len, data, len);
    c->leftover = grown;
    c->leftover_len += len;
    if (c->leftover_len > cfg->max_header_bytes + cfg->max_body_bytes)
        uv_read_stop((uv_stream_t *)&c->tcp);
    return 0;
}

/* Feeds bytes to the parser and hands each complete request to the handler. A handler
 * that answers at once lets the loop go on with the bytes read after its request. */
static void conn_feed(struct ops_conn *c, const char *data, size_t len)
{
    uint8_t *owned = NULL;
    c->feeding = 1;
    for (;;) {
        size_t used = http_parser_execute(&c->parser, &parser_settings, data, len);
        if (c->state == CONN_CLOSING)
            break;
        enum http_errno err = HTTP_PARSER_ERRNO(&c->parser);
        if (c->state == CONN_HANDLING && c->request == NULL)
            break; /* refused inside a callback: the answer is on its way */
        if (err != HPE_OK && err != HPE_PAUSED) {
            conn_refuse(c, 400, OPS_HTTP_BAD_REQUEST);
            break;
        }
        if (c->state != CONN_HANDLING)
            break;
        if (used < len && keep_leftover(c, data + used, len - used) < 0) {
            conn_close(c);
            break;
        }
        /* Reading goes on while the request is answered, so a peer that leaves is seen. */
        struct ops_http_server *s = c->server;
        s->handlers.on_request(c->request, s->handlers.user_data);
        /* Answered at once and kept alive: go on with what was read after it. */
        if (c->state != CONN_IDLE || c->leftover == NULL)
            break;
        free(owned);
        owned = c->leftover;
        data = (const char *)owned;
        len = c->leftover_len;
        c->leftover = NULL;
        c->leftover_len = 0;
    }
    free(owned);
    if (c->state != CONN_CLOSING)
        c->feeding = 0;
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)handle;
    (void)suggested;
    static char slab[16384]; /* one loop thread: one buffer, parsed before the next read */
    *buf = uv_buf_init(slab, sizeof slab);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct ops_conn *c = container_of(stream, struct ops_conn, tcp);
    if (nread < 0) {
        conn_close(c);
        return;
    }
    if (nread == 0)
        return;
    if (c->state == CONN_HANDLING || c->state == CONN_STREAMING) {
        if (c->request == NULL || keep_leftover(c, buf->base, (size_t)nread) < 0)
            uv_read_stop(stream); /* refused: nothing more is read */
        return;
    }
    conn_feed(c, buf->base, (size_t)nread);
}

/* After an answer: the next request, from what was already read or from the socket. */
static void conn_next(struct ops_conn *c)
{
    if (!c->keep_alive || c->server->closing) {
        c->close_after_write = 1;
        if (c->unwritten == 0)
            conn_close(c);
        return;
    }
    c->state = CONN_IDLE;
    http_parser_pause(&c->parser, 0);
    arm_timer(c, c->server->config.idle_timeout_ms);
    uv_read_stop((uv_stream_t *)&c->tcp); /* restarted: it may have paused on a full buffer */
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0) {
        conn_close(c);
        return;
    }
    if (c->leftover != NULL && !c->feeding) {
        uint8_t *data = c->leftover;
        size_t len = c->leftover_len;
        c->leftover = NULL;
        c->leftover_len = 0;
        conn_feed(c, (const char *)data, len);
        free(data);
    }
}

/* ---- accepting ------------------------------------------------------------------------ */

static void peer_name(struct ops_conn *c)
{
    struct sockaddr_storage addr;
    int len = sizeof addr;
    snprintf(c->peer, sizeof c->peer, "unknown");
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&addr, &len) < 0)
        return;
    char ip[48] = "";
    int port = 0;
    if (addr.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&addr;
        uv_ip4_name(a, ip, sizeof ip);
        port = ntohs(a->sin_port);
        c->local = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
        snprintf(c->peer, sizeof c->peer, "%s:%d", ip, port);
    } else if (addr.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&addr;
        uv_ip6_name(a, ip, sizeof ip);
        port = ntohs(a->sin6_port);
        c->local = strcmp(ip, "::1") == 0 || strncmp(ip, "::ffff:127.", 11) == 0;
        snprintf(c->peer, sizeof c->peer, "[%s]:%d", ip, port);
    }
}

static void on_connection(uv_stream_t *listener, int status)
{
    struct ops_http_server *s = container_of(listener, struct ops_http_server, listener);
    if (status < 0 || s->closing)
        return;
    struct ops_conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return;
    c->server = s;
    if (uv_tcp_init(s->loop, &c->tcp) < 0) {
        free(c);
        return;
    }
    c->tcp.data = c;
    c->timer.data = c;
    c->handles_open = 1;
    s->live++;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0 || uv_timer_init(s->loop, &c->timer) < 0) {
        c->state = CONN_CLOSING;
        uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
        return;
    }
    c->handles_open = 2;
    peer_name(c);
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->conn_count++;
    if (s->conn_count > s->config.max_connections) {
        event(s, OPS_HTTP_REFUSED_CONNECTIONS, c->peer, NULL);
        conn_close(c);
        return;
    }
    event(s, OPS_HTTP_CONNECTION_OPEN, c->peer, NULL);
    uv_tcp_nodelay(&c->tcp, 1);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->state = CONN_IDLE;
    arm_timer(c, s->config.idle_timeout_ms);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
        conn_close(c);
}

int ops_http_server_new(uv_loop_t *loop, const struct ops_http_config *config,
                        const struct ops_http_handlers *handlers, struct ops_http_server **out)
{
    if (config->max_connections == 0 || config->max_header_bytes == 0 ||
        config->request_timeout_ms == 0 || config->idle_timeout_ms == 0 ||
        handlers->on_request == NULL)
        return IMS_EINVAL;
    struct ops_http_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return IMS_ENOMEM;
    parser_settings = (http_parser_settings){
        .on_message_begin = on_message_begin,
        .on_url = on_url,
        .on_header_field = on_header_field,
        .on_header_value = on_header_value,
        .on_headers_complete = on_headers_complete,
        .on_body = on_body,
        .on_message_complete = on_message_complete,
    };
    s->loop = loop;
    s->config = *config;
    s->handlers = *handlers;
    s->port = -1;
    *out = s;
    return 0;
}

static void on_listener_closed(uv_handle_t *handle)
{
    struct ops_http_server *s = container_of((uv_tcp_t *)handle, struct ops_http_server, listener);
    server_release(s);
}

int ops_http_server_listen(struct ops_http_server *s, const char *address, char *detail,
                           size_t detail_len)
{
    char host[256];
    int port;
    struct sockaddr_storage addr;
    if (net_address_split(address, host, sizeof host, &port) < 0 ||
        (uv_ip4_addr(host, port, (struct sockaddr_in *)&addr) < 0 &&
         uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr) < 0)) {
        snprintf(detail, detail_len, "not a numeric host:port");
        return IMS_EINVAL;
    }
    int rc = uv_tcp_init(s->loop, &s->listener);
    const char *step = "init";
    if (rc == 0) {
        s->live++;
        s->listening = 1;
        step = "bind";
        rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0);
        if (rc == 0) {
            step = "listen";
            rc = uv_listen((uv_stream_t *)&s->listener, LISTEN_BACKLOG, on_connection);
        }
    }
    if (rc < 0) {
        snprintf(detail, detail_len, "%s: %s", step, uv_strerror(rc));
        return IMS_EIO;
    }
    struct sockaddr_storage bound;
    int len = sizeof bound;
    if (uv_tcp_getsockname(&s->listener, (struct sockaddr *)&bound, &len) == 0)
        s->port = bound.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&bound)->sin_port)
                                             : ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    return 0;
}

int ops_http_server_port(const struct ops_http_server *s)
{
    return s->port;
}

uint32_t ops_http_server_connections(const struct ops_http_server *s)
{
    return s->conn_count;
}

void ops_http_server_close(struct ops_http_server *s, void (*done)(void *arg), void *arg)
{
    s->closing = 1;
    s->done = done;
    s->done_arg = arg;
    s->live++; /* held until every connection is on its way out */
    while (s->conns)
        conn_close(s->conns);
    if (s->listening)
        uv_close((uv_handle_t *)&s->listener, on_listener_closed);
    server_release(s);
}

/* ---- the request's accessors and answers ----------------------------------------------- */

const char *ops_http_method(const struct ops_http_request *r)
{
    return r->method;
}

const char *ops_http_path(const struct ops_http_request *r)
{
    return r->target;
}

const char *ops_http_query(const struct ops_http_request *r)
{
    return r->query;
}

const char *ops_http_header(const struct ops_http_request *r, const char *name)
{
    for (int i = 0; i < r->header_count; i++)
        if (r->names[i] && strcmp(r->names[i], name) == 0)
            return r->values[i];
    return NULL;
}

const uint8_t *ops_http_body(const struct ops_http_request *r, size_t *len)
{
    *len = r->body_len;
    return r->body;
}

const char *ops_http_peer(const struct ops_http_request *r)
{
    return r->peer;
}

int ops_http_is_local(const struct ops_http_request *r)
{
    return r->local;
}

void ops_http_set_user_data(struct ops_http_request *r, void *data)
{
    r->user_data = data;
}

void *ops_http_user_data(const struct ops_http_request *r)
{
    return r->user_data;
}

void ops_http_on_gone(struct ops_http_request *r,
                      void (*gone)(struct ops_http_request *request, void *user_data))
{
    r->gone = gone;
}

int ops_http_is_gone(const struct ops_http_request *r)
{
    return r->conn == NULL;
}

static int format_head(const struct ops_conn *c, char *head, size_t cap, int status,
                       const char *content_type, const char *extra, const char *length)
{
    int n = snprintf(head, cap, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%s%sConnection: %s\r\n\r\n",
                     status, ops_http_reason(status), content_type ? content_type : "text/plain",
                     length, extra ? extra : "", c->keep_alive ? "keep-alive" : "close");
    return n > 0 && (size_t)n < cap ? n : -1;
}

int ops_http_respond(struct ops_http_request *r, int status, const char *content_type,
                     const char *extra_headers, const void *body, size_t len)
{
    struct ops_conn *c = r->conn;
    if (c == NULL) {
        request_free(r);
        return 0;
    }
    char length[48];
    snprintf(length, sizeof length, "Content-Length: %zu\r\n", len);
    char head[1024];
    int n = format_head(c, head, sizeof head, status, content_type, extra_headers, length);
    c->request = NULL;
    int rc = n < 0 ? IMS_EINVAL : conn_write(c, head, (size_t)n, body, len, NULL, 0);
    /* The answer is copied: the request (which body may point into) can go now. */
    request_free(r);
    if (c->state == CONN_CLOSING)
        return rc;
    if (rc < 0) {
        conn_close(c);
        return rc;
    }
    conn_next(c);
    return 0;
}

int ops_http_stream_start(struct ops_http_request *r, int status, const char *content_type,
                          const char *extra_headers)
{
    struct ops_conn *c = r->conn;
    if (c == NULL)
        return IMS_ECLOSED;
    char head[1024];
    int n = format_head(c, head, sizeof head, status, content_type, extra_headers,
                        "Transfer-Encoding: chunked\r\n");
    if (n < 0)
        return IMS_EINVAL;
    c->state = CONN_STREAMING;
    return conn_write(c, head, (size_t)n, NULL, 0, NULL, 0);
}

int ops_http_stream_send(struct ops_http_request *r, const void *data, size_t len)
{
    struct ops_conn *c = r->conn;
    if (c == NULL)
        return IMS_ECLOSED;
    if (len == 0)
        return 0;
    char size[24];
    int n = snprintf(size, sizeof size, "%zx\r\n", len);
    return conn_write(c, size, (size_t)n, data, len, "\r\n", 2);
}

size_t ops_http_stream_pending(const struct ops_http_request *r)
{
    return r->conn ? r->conn->unwritten : 0;
}

void ops_http_stream_end(struct ops_http_request *r)
{
    struct ops_conn *c = r->conn;
    request_free(r);
    if (c == NULL)
        return;
    c->request = NULL;
    if (conn_write(c, "0\r\n\r\n", 5, NULL, 0, NULL, 0) == 0)
        conn_next(c);
}

const char *ops_http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "";
    }
}
