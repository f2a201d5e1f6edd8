/* The gRPC server object: configuration, listeners, TLS reload, statistics and shutdown. */
#include "grpc_server.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grpc_server_internal.h"
#include "h2_session.h"
#include "ims/error.h"
#include "listener.h"
#include "tls.h"

static char *copy_optional(const char *text, int *failed)
{
    if (text == NULL)
        return NULL;
    char *copy = strdup(text);
    if (copy == NULL)
        *failed = 1;
    return copy;
}

static void server_free(struct grpc_server *server)
{
    if (server->tls_ctx != NULL)
        SSL_CTX_free(server->tls_ctx);
    free((char *)server->config.tls.cert_file);
    free((char *)server->config.tls.key_file);
    free((char *)server->config.tls.client_ca_file);
    free(server->listeners);
    peer_count_clear(&server->peers);
    free(server->read_buffer);
    h2_spare_writes_free(server);
    free(server);
}

void grpc_server_event(const struct grpc_server *server, const struct net_event *event)
{
    if (server->config.on_event != NULL)
        server->config.on_event(event, server->config.event_arg);
}

/* Builds an SSL_CTX from the configured files, telling the owner why it failed. */
static int server_load_tls(struct grpc_server *server, SSL_CTX **out)
{
    int rc = tls_context_new(&server->config.tls, out);
    if (rc < 0) {
        char reason[256];
        tls_error_text(reason, sizeof reason);
        struct net_event ev = {
            .kind = NET_EVENT_TLS_CONFIG_FAILED, .error = reason, .tls_files = &server->config.tls};
        grpc_server_event(server, &ev);
    }
    return rc == IMS_ENOMEM ? rc : rc < 0 ? IMS_ETLS : 0;
}

int grpc_server_new(uv_loop_t *loop, const struct grpc_server_config *config,
                    const struct grpc_dispatch *dispatch, struct grpc_server **out)
{
    if (loop == NULL || config == NULL || dispatch == NULL || out == NULL ||
        dispatch->on_call_start == NULL || dispatch->on_message == NULL ||
        dispatch->on_call_cancel == NULL || config->max_message_bytes == 0 ||
        config->max_concurrent_streams == 0)
        return IMS_EINVAL;
    if (config->tls.cert_file != NULL && config->tls.key_file == NULL)
        return IMS_EINVAL;
    /* Requiring client certificates without a CA to check them against would accept
     * any certificate: refuse the configuration instead. */
    if (config->tls.require_client_cert && config->tls.client_ca_file == NULL)
        return IMS_EINVAL;
    if (config->tls.min_version != 0 && config->tls.min_version != 12 &&
        config->tls.min_version != 13)
        return IMS_EINVAL;
    struct grpc_server *server = calloc(1, sizeof *server);
    if (server == NULL)
        return IMS_ENOMEM;
    server->read_buffer = malloc(H2_READ_BUFFER_BYTES);
    if (server->read_buffer == NULL) {
        free(server);
        return IMS_ENOMEM;
    }
    /* libuv writes sockets with write(2): a peer that vanished must give EPIPE, not kill
     * the daemon with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    server->loop = loop;
    server->config = *config;
    server->dispatch = *dispatch;
    int failed = 0;
    server->config.tls.cert_file = copy_optional(config->tls.cert_file, &failed);
    server->config.tls.key_file = copy_optional(config->tls.key_file, &failed);
    server->config.tls.client_ca_file = copy_optional(config->tls.client_ca_file, &failed);
    if (failed) {
        server_free(server);
        return IMS_ENOMEM;
    }
    if (server->config.tls.cert_file != NULL) {
        int rc = server_load_tls(server, &server->tls_ctx);
        if (rc < 0) {
            server_free(server);
            return rc;
        }
    }
    *out = server;
    return 0;
}

int grpc_server_listen(struct grpc_server *server, const char *address, int tls)
{
    if (server->shutting_down || address == NULL)
        return IMS_EINVAL;
    if (tls && server->tls_ctx == NULL)
        return IMS_ETLS;
    struct net_listener **grown =
        realloc(server->listeners, (size_t)(server->listener_count + 1) * sizeof *grown);
    if (grown == NULL)
        return IMS_ENOMEM;
    server->listeners = grown;
    struct net_listener *listener;
    int rc = net_listener_open(server, address, tls, &listener);
    if (rc < 0)
        return rc;
    listener->index = server->listener_count;
    server->listeners[server->listener_count++] = listener;
    return 0;
}

int grpc_server_adopt(struct grpc_server *server, int fd)
{
    if (server->shutting_down || fd < 0) {
        if (fd >= 0)
            close(fd);
        return IMS_EINVAL;
    }
    return h2_conn_adopt(server, fd);
}

int grpc_server_bound_port(const struct grpc_server *server, int n)
{
    if (n < 0 || n >= server->listener_count || server->listeners[n] == NULL)
        return -1;
    return server->listeners[n]->port;
}

int grpc_server_reload_tls(struct grpc_server *server)
{
    if (server->config.tls.cert_file == NULL)
        return IMS_ETLS;
    SSL_CTX *fresh;
    int rc = server_load_tls(server, &fresh);
    if (rc < 0)
        return IMS_ETLS;
    /* Each open connection's SSL holds its own reference to the context it began with. */
    SSL_CTX_free(server->tls_ctx);
    server->tls_ctx = fresh;
    struct net_event ev = {.kind = NET_EVENT_TLS_RELOADED, .tls_files = &server->config.tls};
    grpc_server_event(server, &ev);
    return 0;
}

void grpc_server_release(struct grpc_server *server)
{
    if (--server->live > 0 || !server->shutting_down)
        return;
    if (server->done != NULL)
        server->done(server->done_arg);
    server_free(server);
}

static void on_grace_closed(uv_handle_t *handle)
{
    grpc_server_release(container_of(handle, struct grpc_server, grace_timer));
}

static void close_grace_timer(struct grpc_server *server)
{
    if (server->grace_timer_closing)
        return;
    server->grace_timer_closing = 1;
    uv_close((uv_handle_t *)&server->grace_timer, on_grace_closed);
}

void grpc_server_stats(const struct grpc_server *server, struct grpc_server_stats *out)
{
    *out = server->stats;
}

void grpc_server_conn_closed(struct grpc_server *server)
{
    server->stats.connections--;
    if (server->shutting_down && server->conns == NULL)
        close_grace_timer(server);
}

static void on_grace_over(uv_timer_t *timer)
{
    struct grpc_server *server = container_of(timer, struct grpc_server, grace_timer);
    while (server->conns != NULL)
        h2_conn_close(server->conns, "shutdown grace period over");
    /* The last close callback closes the timer. */
}

void grpc_server_shutdown(struct grpc_server *server, void (*done)(void *arg), void *arg)
{
    if (server->shutting_down)
        return;
    server->shutting_down = 1;
    server->done = done;
    server->done_arg = arg;
    struct net_event ev = {.kind = NET_EVENT_SHUTDOWN,
                           .connections = server->conns != NULL,
                           .grace_ms = server->config.shutdown_grace_ms};
    grpc_server_event(server, &ev);
    /* The timer counts as live until closed, so the server outlives this function. */
    uv_timer_init(server->loop, &server->grace_timer);
    server->live++;
    for (int i = 0; i < server->listener_count; i++) {
        if (server->listeners[i] != NULL)
            net_listener_close(server->listeners[i]);
    }
    for (struct h2_conn *conn = server->conns, *next; conn != NULL; conn = next) {
        next = conn->next;
        h2_conn_drain(conn);
    }
    if (server->conns == NULL)
        close_grace_timer(server);
    else
        uv_timer_start(&server->grace_timer, on_grace_over, server->config.shutdown_grace_ms, 0);
}
