/* The ops listener's HTTP/1.1 transport: listening, accepting, closing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "http_internal.h"
#include "ims/error.h"
#include "listener.h"

#define LISTEN_BACKLOG 128

void http_event(struct ops_http_server *s, enum ops_http_event e, const char *peer,
                  const char *detail)
{
    if (s->handlers.on_event)
        s->handlers.on_event(e, peer, detail, s->handlers.user_data);
}

void http_server_release(struct ops_http_server *s)
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

static void on_connection(uv_stream_t *listener, int status)
{
    struct ops_http_server *s = container_of(listener, struct ops_http_server, listener);
    if (status < 0 || s->closing)
        return;
    http_conn_accept(s);
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
    http_server_release(s);
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
        http_conn_close(s->conns);
    if (s->listening)
        uv_close((uv_handle_t *)&s->listener, on_listener_closed);
    http_server_release(s);
}

/* ---- the request's accessors and answers ----------------------------------------------- */
