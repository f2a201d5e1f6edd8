/* One ops connection: TLS, HTTP/1.1 parsing with its bounds, timers, writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "container.h"
#include "http_internal.h"
#include "ims/error.h"

void http_request_free(struct ops_http_request *r)
{
    if (r == NULL)
        return;
    for (int i = 0; i < r->header_count; i++) {
        free(r->names[i]);
        free(r->values[i]);
    }
    free(r->target);
    free(r->body);
    free(r->client_subject);
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
    if (c->is_tls)
        tls_session_free(&c->tls);
    free(c->client_subject);
    free(c->leftover);
    free(c);
    http_server_release(s);
}

void http_conn_close(struct ops_conn *c)
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
            http_request_free(r);
        }
    }
    http_event(s, OPS_HTTP_CONNECTION_CLOSED, c->peer, NULL);
    uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
}

/* Answers queued for a peer that does not read them: beyond this no next request is read
 * until they are out (a pipelining peer cannot grow our memory), and they must leave within
 * idle_timeout_ms. */
#define UNWRITTEN_MAX ((size_t)1 << 20)

static void on_write_done(uv_write_t *req, int status)
{
    struct write_req *w = container_of(req, struct write_req, req);
    struct ops_conn *c = w->conn;
    c->unwritten -= w->len;
    free(w);
    if (c->state == CONN_CLOSING)
        return;
    if (status < 0 || (c->close_after_write && c->unwritten == 0)) {
        http_conn_close(c);
        return;
    }
    if (c->draining && c->unwritten <= UNWRITTEN_MAX / 2) {
        c->draining = 0;
        http_conn_next(c);
    }
}

static int socket_write(struct ops_conn *c, const char *data, size_t len)
{
    struct write_req *w = malloc(sizeof *w + len);
    if (w == NULL)
        return IMS_ENOMEM;
    memcpy(w->data, data, len);
    w->conn = c;
    w->len = len;
    uv_buf_t buf = uv_buf_init(w->data, (unsigned)len);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write_done) < 0) {
        free(w);
        return IMS_ECLOSED;
    }
    c->unwritten += len;
    return 0;
}

/* Sends the ciphertext the TLS session has for the peer. */
static int flush_tls(struct ops_conn *c)
{
    while (tls_session_pending_output(&c->tls) > 0) {
        char chunk[16384];
        size_t n = tls_session_take_output(&c->tls, (uint8_t *)chunk, sizeof chunk);
        int rc = socket_write(c, chunk, n);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int send_plain(struct ops_conn *c, const void *data, size_t len)
{
    if (len == 0)
        return 0;
    if (!c->is_tls)
        return socket_write(c, data, len);
    return tls_session_write(&c->tls, data, len);
}

/* Queues bytes (encrypted over TLS); on failure the connection is closed. */
int http_conn_write(struct ops_conn *c, const char *head, size_t head_len, const void *body,
                      size_t body_len, const char *tail, size_t tail_len)
{
    int rc;
    if (!c->is_tls && body_len + tail_len > 0) {
        /* One socket write for the whole answer. */
        size_t len = head_len + body_len + tail_len;
        char *all = malloc(len);
        rc = all ? 0 : IMS_ENOMEM;
        if (all) {
            memcpy(all, head, head_len);
            if (body_len)
                memcpy(all + head_len, body, body_len);
            if (tail_len)
                memcpy(all + head_len + body_len, tail, tail_len);
            rc = socket_write(c, all, len);
            free(all);
        }
    } else {
        rc = send_plain(c, head, head_len);
        if (rc == 0)
            rc = send_plain(c, body, body_len);
        if (rc == 0)
            rc = send_plain(c, tail, tail_len);
        if (rc == 0 && c->is_tls)
            rc = flush_tls(c);
    }
    if (rc < 0)
        http_conn_close(c);
    return rc;
}

static void on_timeout(uv_timer_t *timer)
{
    struct ops_conn *c = container_of(timer, struct ops_conn, timer);
    if (c->state == CONN_READING) {
        static const char answer[] = "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n"
                                     "Connection: close\r\n\r\n";
        http_event(c->server, OPS_HTTP_TIMEOUT, c->peer, "request");
        http_request_free(c->request); /* partly read; the handler never had it */
        c->request = NULL;
        c->state = CONN_HANDLING; /* nothing more is read */
        c->close_after_write = 1;
        uv_read_stop((uv_stream_t *)&c->tcp);
        /* The answer must be read within idle_timeout_ms, or the connection goes anyway. */
        uv_timer_start(timer, on_timeout, c->server->config.idle_timeout_ms, 0);
        http_conn_write(c, answer, sizeof answer - 1, NULL, 0, NULL, 0);
        return;
    }
    http_event(c->server, OPS_HTTP_TIMEOUT, c->peer, "idle");
    http_conn_close(c);
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
    http_event(c->server, e, c->peer, NULL);
    http_request_free(c->request);
    c->request = NULL;
    c->state = CONN_HANDLING; /* nothing more is read */
    c->close_after_write = 1;
    uv_read_stop((uv_stream_t *)&c->tcp);
    /* The refusal must be read within idle_timeout_ms, or the connection goes anyway. */
    arm_timer(c, c->server->config.idle_timeout_ms);
    http_conn_write(c, head, (size_t)n, NULL, 0, NULL, 0);
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
    if (c->client_subject != NULL && (c->request->client_subject = strdup(c->client_subject)) == NULL)
        return -1;
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

static const http_parser_settings parser_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

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
 * that answers at once lets the loop go on with the bytes read after its request, where
 * they are; what follows a request still being answered is kept (keep_leftover). */
static void conn_feed(struct ops_conn *c, const char *data, size_t len)
{
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
        /* Reading goes on while the request is answered, so a peer that leaves is seen. */
        struct ops_http_server *s = c->server;
        s->handlers.on_request(c->request, s->handlers.user_data);
        if (c->state == CONN_CLOSING)
            break;
        data += used;
        len -= used;
        if (c->state == CONN_IDLE && !c->draining && c->leftover == NULL) {
            if (len == 0)
                break;
            continue; /* answered at once and kept alive */
        }
        if (len > 0 && keep_leftover(c, data, len) < 0)
            http_conn_close(c);
        break;
    }
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

/* Plaintext from the peer: parsed now, or kept while a request is being answered. */
static void conn_receive(struct ops_conn *c, const char *data, size_t len)
{
    if (c->state == CONN_HANDLING || c->state == CONN_STREAMING) {
        if (c->request == NULL || keep_leftover(c, data, len) < 0)
            uv_read_stop((uv_stream_t *)&c->tcp); /* refused: nothing more is read */
        return;
    }
    conn_feed(c, data, len);
}

static void tls_failed(struct ops_conn *c)
{
    char reason[256];
    tls_error_text(reason, sizeof reason);
    http_event(c->server, OPS_HTTP_TLS_FAILED, c->peer, reason);
    (void)flush_tls(c); /* the alert, if any */
    http_conn_close(c);
}

static void conn_receive_tls(struct ops_conn *c, const uint8_t *data, size_t len)
{
    if (tls_session_feed(&c->tls, data, len) < 0) {
        http_conn_close(c);
        return;
    }
    if (!c->tls.handshake_done) {
        int rc = tls_session_handshake(&c->tls);
        if (rc < 0) {
            tls_failed(c);
            return;
        }
        if (flush_tls(c) < 0) {
            http_conn_close(c);
            return;
        }
        if (rc == 1)
            return;
        c->client_subject = tls_session_client_subject(&c->tls);
    }
    while (c->state != CONN_CLOSING) {
        static uint8_t plain[16384];
        long n = tls_session_read(&c->tls, plain, sizeof plain);
        if (n == 0)
            break;
        if (n < 0) {
            if (n == IMS_ECLOSED)
                http_conn_close(c);
            else
                tls_failed(c);
            return;
        }
        conn_receive(c, (const char *)plain, (size_t)n);
    }
    if (c->state != CONN_CLOSING && flush_tls(c) < 0)
        http_conn_close(c);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct ops_conn *c = container_of(stream, struct ops_conn, tcp);
    if (nread < 0) {
        http_conn_close(c);
        return;
    }
    if (nread == 0)
        return;
    if (c->is_tls)
        conn_receive_tls(c, (const uint8_t *)buf->base, (size_t)nread);
    else
        conn_receive(c, buf->base, (size_t)nread);
}

/* After an answer: the next request, from what was already read or from the socket. */
void http_conn_next(struct ops_conn *c)
{
    if (!c->keep_alive || c->server->closing) {
        c->close_after_write = 1;
        if (c->unwritten == 0)
            http_conn_close(c);
        else
            arm_timer(c, c->server->config.idle_timeout_ms); /* to write it out */
        return;
    }
    if (c->unwritten > UNWRITTEN_MAX) {
        /* Nothing more is read (on_read stops with no request) until the peer has read. */
        c->state = CONN_HANDLING;
        c->draining = 1;
        arm_timer(c, c->server->config.idle_timeout_ms);
        return;
    }
    c->state = CONN_IDLE;
    http_parser_pause(&c->parser, 0);
    arm_timer(c, c->server->config.idle_timeout_ms);
    uv_read_stop((uv_stream_t *)&c->tcp); /* restarted: it may have paused on a full buffer */
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0) {
        http_conn_close(c);
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

void http_conn_accept(struct ops_http_server *s)
{
    uv_stream_t *listener = (uv_stream_t *)&s->listener;
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
        http_event(s, OPS_HTTP_REFUSED_CONNECTIONS, c->peer, NULL);
        http_conn_close(c);
        return;
    }
    if (s->config.tls != NULL) {
        if (tls_session_init(&c->tls, s->config.tls) < 0) {
            http_conn_close(c);
            return;
        }
        c->is_tls = 1;
    }
    http_event(s, OPS_HTTP_CONNECTION_OPEN, c->peer, NULL);
    uv_tcp_nodelay(&c->tcp, 1);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->state = CONN_IDLE;
    arm_timer(c, s->config.idle_timeout_ms);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
        http_conn_close(c);
}
