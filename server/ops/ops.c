/* The ops listener's routes: health, readiness, metrics, and the table others add to. */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

#include "grpc_server.h"
#include "ims/error.h"
#include "tls.h"

#define MAX_ROUTES 32

struct route {
    char method[8];
    char *path;
    size_t path_len;
    int prefix;
    ops_handler handler;
    void *arg;
};

struct ops {
    struct ops_http_server *http;
    struct ops_sources sources;
    struct metrics_registry *registry;
    struct metrics_family *connections, *events;
    struct route routes[MAX_ROUTES];
    int route_count;
    int collecting; /* requests waiting for a verdict or figures: ops is freed after them */
    int closed;
    void (*done)(void *arg);
    void *done_arg;
};

static const char *const event_names[] = {
    [OPS_HTTP_CONNECTION_OPEN] = "connection_open",
    [OPS_HTTP_CONNECTION_CLOSED] = "connection_closed",
    [OPS_HTTP_REFUSED_CONNECTIONS] = "max_connections",
    [OPS_HTTP_BAD_REQUEST] = "bad_request",
    [OPS_HTTP_HEADERS_TOO_LARGE] = "header_bytes",
    [OPS_HTTP_BODY_TOO_LARGE] = "body_bytes",
    [OPS_HTTP_TIMEOUT] = "timeout",
    [OPS_HTTP_TLS_FAILED] = "tls",
};

static void on_event(enum ops_http_event e, const char *peer, const char *detail, void *arg)
{
    struct ops *ops = arg;
    (void)peer;
    if (e == OPS_HTTP_CONNECTION_OPEN || e == OPS_HTTP_CONNECTION_CLOSED)
        return;
    const char *labels[] = {event_names[e]};
    (void)detail;
    (void)metrics_add(ops->events, labels, 1);
}

/* The listener's own answers carry what keeps a browser from reading them as anything but
 * text or framing them (the board's answers carry its fuller set, board.c). */
static void answer_text(struct ops_http_request *r, int status, const char *text)
{
    (void)ops_http_respond(r, status, "text/plain; charset=utf-8",
                           "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                           "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
                           "X-Frame-Options: DENY\r\n",
                           text, strlen(text));
}

static void serve_healthz(struct ops_http_request *r, void *arg)
{
    (void)arg;
    answer_text(r, 200, "ok\n");
}

static void serve_metrics_now(struct ops_http_request *r, struct ops *ops);
static void ops_finish(struct ops *ops);

static void serve_readyz_now(struct ops_http_request *r, struct ops *ops)
{
    char why[200] = "";
    if (ops->sources.ready && ops->sources.ready(ops->sources.arg, why, sizeof why - 2) != 0) {
        strcat(why, "\n");
        answer_text(r, 503, why);
        return;
    }
    answer_text(r, 200, "ready\n");
}

/* /readyz and /metrics go through the owner's authorize, when it has one. */
static void after_authorize(struct ops_http_request *r, int verdict)
{
    struct ops *ops = ops_http_user_data(r);
    ops->collecting--;
    if (ops->closed) {
        (void)ops_http_respond(r, 503, NULL, NULL, NULL, 0); /* only frees it */
        if (ops->collecting == 0)
            ops_finish(ops);
        return;
    }
    if (verdict == OPS_ALLOWED) {
        if (strcmp(ops_http_path(r), "/metrics") == 0)
            serve_metrics_now(r, ops);
        else
            serve_readyz_now(r, ops);
        return;
    }
    if (verdict == OPS_NO_CREDENTIALS)
        (void)ops_http_respond(r, 401, "text/plain; charset=utf-8",
                               "WWW-Authenticate: Bearer\r\n", "credentials required\n", 21);
    else
        answer_text(r, 403, "forbidden\n");
}

static void guarded(struct ops_http_request *r, struct ops *ops)
{
    ops_http_set_user_data(r, ops);
    ops->collecting++; /* ops stays until the verdict */
    if (ops->sources.authorize)
        ops->sources.authorize(r, ops->sources.arg, after_authorize);
    else
        after_authorize(r, OPS_ALLOWED);
}

static void serve_readyz(struct ops_http_request *r, void *arg)
{
    guarded(r, arg);
}

static void render_metrics(void *ctx);
static void ops_finish(struct ops *ops);

static void serve_metrics(struct ops_http_request *r, void *arg)
{
    guarded(r, arg);
}

static void serve_metrics_now(struct ops_http_request *r, struct ops *ops)
{
    ops_http_set_user_data(r, ops);
    ops->collecting++;
    if (ops->sources.collect)
        ops->sources.collect(ops->registry, ops->sources.arg, render_metrics, r);
    else
        render_metrics(r);
}

static void render_metrics(void *ctx)
{
    struct ops_http_request *r = ctx;
    struct ops *ops = ops_http_user_data(r);
    ops->collecting--;
    if (ops_http_is_gone(r) || ops->closed) {
        (void)ops_http_respond(r, 500, NULL, NULL, NULL, 0); /* only frees it */
        if (ops->closed && ops->collecting == 0)
            ops_finish(ops);
        return;
    }
    (void)metrics_set(ops->connections, NULL, (double)ops_http_server_connections(ops->http));
    struct metrics_text text = {0};
    metrics_render(ops->registry, &text);
    if (text.failed) {
        metrics_text_free(&text);
        answer_text(r, 500, "out of memory\n");
        return;
    }
    (void)ops_http_respond(r, 200, "text/plain; version=0.0.4; charset=utf-8",
                           "Cache-Control: no-store\r\n", text.data, text.len);
    metrics_text_free(&text);
}

static void on_request(struct ops_http_request *r, void *arg)
{
    struct ops *ops = arg;
    const char *path = ops_http_path(r);
    const char *method = ops_http_method(r);
    int path_known = 0;
    for (int i = 0; i < ops->route_count; i++) {
        struct route *rt = &ops->routes[i];
        int match = rt->prefix ? strncmp(path, rt->path, rt->path_len) == 0
                               : strcmp(path, rt->path) == 0;
        if (!match)
            continue;
        path_known = 1;
        if (strcmp(method, rt->method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
            rt->handler(r, rt->arg);
            return;
        }
    }
    if (path_known)
        answer_text(r, 405, "method not allowed\n");
    else
        answer_text(r, 404, "not found\n");
}

int ops_route_add(struct ops *ops, const char *method, const char *path, ops_handler handler,
                  void *arg)
{
    if (ops->route_count == MAX_ROUTES || strlen(method) >= sizeof ops->routes[0].method)
        return IMS_EINVAL;
    struct route *rt = &ops->routes[ops->route_count];
    rt->path = strdup(path);
    if (rt->path == NULL)
        return IMS_ENOMEM;
    strcpy(rt->method, method);
    rt->path_len = strlen(path);
    rt->prefix = rt->path_len > 1 && path[rt->path_len - 1] == '/';
    rt->handler = handler;
    rt->arg = arg;
    ops->route_count++;
    return 0;
}

static const unsigned char alpn_http1[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

static int select_http1(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                        const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    unsigned char *selected;
    if (SSL_select_next_proto(&selected, outlen, alpn_http1, sizeof alpn_http1, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

int ops_tls_context_new(const struct grpc_tls_config *config, SSL_CTX **out)
{
    int rc = tls_context_new(config, out);
    if (rc == 0)
        SSL_CTX_set_alpn_select_cb(*out, select_http1, NULL);
    return rc;
}

static void ops_free(struct ops *ops)
{
    for (int i = 0; i < ops->route_count; i++)
        free(ops->routes[i].path);
    free(ops);
}

int ops_start(uv_loop_t *loop, const char *address, const struct ops_http_config *limits,
              const struct ops_sources *sources, struct metrics_registry *registry,
              struct ops **out, char *detail, size_t detail_len)
{
    struct ops *ops = calloc(1, sizeof *ops);
    if (ops == NULL)
        return IMS_ENOMEM;
    ops->sources = *sources;
    ops->registry = registry;
    static const char *const kind[] = {"kind"};
    ops->connections = metrics_family_add(registry, "ims_ops_connections",
                                          "Open connections to the ops listener.",
                                          METRICS_GAUGE, NULL, 0, NULL, 0, 1);
    ops->events = metrics_family_add(registry, "ims_ops_limits_hit_total",
                                     "Ops listener requests or connections refused, by limit.",
                                     METRICS_COUNTER, kind, 1, NULL, 0, 16);
    if (ops->connections == NULL || ops->events == NULL ||
        ops_route_add(ops, "GET", "/healthz", serve_healthz, ops) != 0 ||
        ops_route_add(ops, "GET", "/readyz", serve_readyz, ops) != 0 ||
        ops_route_add(ops, "GET", "/metrics", serve_metrics, ops) != 0) {
        ops_free(ops);
        return IMS_ENOMEM;
    }
    struct ops_http_handlers handlers = {.on_request = on_request, .on_event = on_event,
                                         .user_data = ops};
    int rc = ops_http_server_new(loop, limits, &handlers, &ops->http);
    if (rc == 0) {
        rc = ops_http_server_listen(ops->http, address, detail, detail_len);
        if (rc != 0) {
            ops_http_server_close(ops->http, NULL, NULL);
            ops->http = NULL;
        }
    }
    if (rc != 0) {
        ops_free(ops);
        return rc;
    }
    *out = ops;
    return 0;
}

int ops_port(const struct ops *ops)
{
    return ops_http_server_port(ops->http);
}

static void ops_finish(struct ops *ops)
{
    void (*done)(void *) = ops->done;
    void *done_arg = ops->done_arg;
    ops_free(ops);
    if (done)
        done(done_arg);
}

static void on_closed(void *arg)
{
    struct ops *ops = arg;
    ops->closed = 1;
    if (ops->collecting == 0)
        ops_finish(ops);
}

void ops_stop(struct ops *ops, void (*done)(void *arg), void *arg)
{
    ops->done = done;
    ops->done_arg = arg;
    ops_http_server_close(ops->http, on_closed, ops);
}
