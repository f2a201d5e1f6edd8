/*
 * A test server on ims_net. Methods:
 *   /test.Echo/Unary   answers with the request message
 *   /test.Echo/Stream  answers with x-count (default 3) copies of each request message
 *   /test.Echo/Slow    never answers (deadline tests)
 *   /test.Echo/Delay   answers "done" x-delay milliseconds after the half-close
 *   /test.Echo/Peer    answers "<tls>|<subject or ->|<local>"
 *   anything else      UNIMPLEMENTED
 * Usage: echo_server [--listen ADDR]... [--tls-listen ADDR]... [--cert F --key F]
 *                    [--client-ca F] [--require-client-cert] [--max-message N]
 * Prints "port <n>" for every TCP listener, then "ready". SIGHUP reloads the TLS files;
 * SIGTERM shuts down gracefully and exits 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "grpc_server.h"
#include "ims/error.h"
#include "log.h"

struct echo_call {
    uint8_t *data;
    size_t len;
    int count;
    int got_message;
    int timer_open;
    uv_timer_t timer; /* /test.Echo/Delay */
    struct grpc_call *call;
};

static struct grpc_server *server;
static uv_signal_t sigterm;
static uv_signal_t sigint;
static uv_signal_t sighup;

/* The transport's events on stderr: failures at warning level, the rest at debug. */
static void on_net_event(const struct net_event *ev, void *arg)
{
    (void)arg;
    int failure = ev->kind != NET_EVENT_LISTENING && ev->kind != NET_EVENT_CONN_OPEN &&
                  ev->kind != NET_EVENT_CONN_CLOSED && ev->kind != NET_EVENT_TLS_ESTABLISHED &&
                  ev->kind != NET_EVENT_TLS_RELOADED && ev->kind != NET_EVENT_SHUTDOWN;
    log_emit(failure ? LOG_WARNING : LOG_DEBUG, "net event",
             "kind=%d conn=%llu peer=%s stream=%d reason=\"%s\" error=\"%s\" detail=\"%s\"",
             (int)ev->kind, ev->conn, ev->peer ? ev->peer : "-", (int)ev->stream,
             ev->reason ? ev->reason : "", ev->error ? ev->error : "",
             ev->detail ? ev->detail : "");
}

static int on_call_start(struct grpc_call *call, void *user_data)
{
    const char *path = grpc_call_path(call);
    if (strcmp(path, "/test.Echo/Unary") != 0 && strcmp(path, "/test.Echo/Stream") != 0 &&
        strcmp(path, "/test.Echo/Slow") != 0 && strcmp(path, "/test.Echo/Peer") != 0 &&
        strcmp(path, "/test.Echo/Delay") != 0)
        return IMS_GRPC_UNIMPLEMENTED;
    struct echo_call *echo = calloc(1, sizeof *echo);
    if (echo == NULL)
        return IMS_GRPC_RESOURCE_EXHAUSTED;
    const char *count = grpc_call_header(call, "x-count");
    echo->count = count ? atoi(count) : 3;
    echo->call = call;
    grpc_call_set_user_data(call, echo);
    return 0;
}

static void on_echo_timer_closed(uv_handle_t *handle)
{
    struct echo_call *echo = handle->data;
    free(echo->data);
    free(echo);
}

static void finish(struct grpc_call *call, int status, const char *message)
{
    struct echo_call *echo = grpc_call_user_data(call);
    if (echo->timer_open) {
        echo->timer.data = echo;
        uv_close((uv_handle_t *)&echo->timer, on_echo_timer_closed);
    } else {
        free(echo->data);
        free(echo);
    }
    grpc_call_finish(call, status, message);
}

static void on_delay(uv_timer_t *timer)
{
    struct echo_call *echo = timer->data;
    struct grpc_call *call = echo->call;
    if (grpc_call_send_message(call, (const uint8_t *)"done", 4) < 0) {
        finish(call, IMS_GRPC_INTERNAL, "send failed");
        return;
    }
    finish(call, IMS_GRPC_OK, NULL);
}

static void on_message(struct grpc_call *call, const uint8_t *data, size_t len, void *user_data)
{
    struct echo_call *echo = grpc_call_user_data(call);
    const char *path = grpc_call_path(call);
    if (strcmp(path, "/test.Echo/Stream") == 0) {
        for (int i = 0; i < echo->count; i++) {
            if (grpc_call_send_message(call, data, len) < 0)
                return;
        }
        echo->got_message = 1;
        return;
    }
    if (strcmp(path, "/test.Echo/Unary") != 0)
        return;
    if (echo->got_message) {
        finish(call, IMS_GRPC_INVALID_ARGUMENT, "unary call with two messages");
        return;
    }
    echo->got_message = 1;
    echo->data = malloc(len ? len : 1);
    if (echo->data == NULL) {
        finish(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    memcpy(echo->data, data, len);
    echo->len = len;
}

static void on_half_close(struct grpc_call *call, void *user_data)
{
    struct echo_call *echo = grpc_call_user_data(call);
    const char *path = grpc_call_path(call);
    if (strcmp(path, "/test.Echo/Slow") == 0)
        return;
    if (strcmp(path, "/test.Echo/Delay") == 0) {
        const char *delay = grpc_call_header(call, "x-delay");
        uv_timer_init(uv_default_loop(), &echo->timer);
        echo->timer_open = 1;
        echo->timer.data = echo;
        uv_timer_start(&echo->timer, on_delay, delay ? strtoull(delay, NULL, 10) : 100, 0);
        return;
    }
    if (strcmp(path, "/test.Echo/Peer") == 0) {
        char text[512];
        const char *subject = grpc_call_client_subject(call);
        snprintf(text, sizeof text, "%d|%s|%d", grpc_call_is_tls(call), subject ? subject : "-",
                 grpc_call_is_local(call));
        if (grpc_call_send_message(call, (const uint8_t *)text, strlen(text)) < 0) {
            finish(call, IMS_GRPC_INTERNAL, "send failed");
            return;
        }
        finish(call, IMS_GRPC_OK, NULL);
        return;
    }
    if (strcmp(path, "/test.Echo/Unary") == 0) {
        if (!echo->got_message) {
            finish(call, IMS_GRPC_INVALID_ARGUMENT, "unary call without a message");
            return;
        }
        if (grpc_call_send_message(call, echo->data, echo->len) < 0) {
            finish(call, IMS_GRPC_INTERNAL, "send failed");
            return;
        }
    }
    finish(call, IMS_GRPC_OK, NULL);
}

static void on_call_cancel(struct grpc_call *call, void *user_data)
{
    finish(call, IMS_GRPC_CANCELLED, NULL);
}

static void on_shutdown_done(void *arg)
{
    uv_close((uv_handle_t *)&sigterm, NULL);
    uv_close((uv_handle_t *)&sigint, NULL);
    uv_close((uv_handle_t *)&sighup, NULL);
}

static void on_reload(uv_signal_t *handle, int signum)
{
    int rc = grpc_server_reload_tls(server);
    fprintf(stderr, "reload: %s\n", ims_strerror(rc));
}

static void on_signal(uv_signal_t *handle, int signum)
{
    uv_signal_stop(&sigterm);
    uv_signal_stop(&sigint);
    uv_signal_stop(&sighup);
    grpc_server_shutdown(server, on_shutdown_done, NULL);
}

int main(int argc, char **argv)
{
    struct grpc_server_config config = {
        .max_message_bytes = 4u << 20,
        .max_concurrent_streams = 100,
        .shutdown_grace_ms = 2000,
        .on_event = on_net_event,
    };
    const char *plain[8], *tls[8];
    int n_plain = 0, n_tls = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--require-client-cert") == 0) {
            config.tls.require_client_cert = 1;
            continue;
        }
        if (value == NULL) {
            fprintf(stderr, "%s needs a value\n", arg);
            return 2;
        }
        i++;
        if (strcmp(arg, "--listen") == 0 && n_plain < 8)
            plain[n_plain++] = value;
        else if (strcmp(arg, "--tls-listen") == 0 && n_tls < 8)
            tls[n_tls++] = value;
        else if (strcmp(arg, "--cert") == 0)
            config.tls.cert_file = value;
        else if (strcmp(arg, "--key") == 0)
            config.tls.key_file = value;
        else if (strcmp(arg, "--client-ca") == 0)
            config.tls.client_ca_file = value;
        else if (strcmp(arg, "--max-message") == 0)
            config.max_message_bytes = strtoul(value, NULL, 10);
        else {
            fprintf(stderr, "unknown option %s\n", arg);
            return 2;
        }
    }
    if (n_plain + n_tls == 0)
        plain[n_plain++] = "127.0.0.1:0";
    log_set_level(getenv("ECHO_DEBUG") ? LOG_DEBUG : LOG_WARNING);

    uv_loop_t *loop = uv_default_loop();
    struct grpc_dispatch dispatch = {
        .on_call_start = on_call_start,
        .on_message = on_message,
        .on_half_close = on_half_close,
        .on_call_cancel = on_call_cancel,
    };
    int rc = grpc_server_new(loop, &config, &dispatch, &server);
    if (rc < 0) {
        fprintf(stderr, "grpc_server_new: %s\n", ims_strerror(rc));
        return 1;
    }
    int listeners = 0;
    for (int i = 0; i < n_plain + n_tls; i++) {
        int is_tls = i >= n_plain;
        rc = grpc_server_listen(server, is_tls ? tls[i - n_plain] : plain[i], is_tls);
        if (rc < 0) {
            fprintf(stderr, "grpc_server_listen: %s\n", ims_strerror(rc));
            grpc_server_shutdown(server, NULL, NULL);
            uv_run(loop, UV_RUN_DEFAULT);
            return 1;
        }
        int port = grpc_server_bound_port(server, listeners++);
        if (port >= 0)
            printf("port %d\n", port);
    }
    uv_signal_init(loop, &sigterm);
    uv_signal_init(loop, &sigint);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_signal_init(loop, &sighup);
    uv_signal_start(&sighup, on_reload, SIGHUP);
    printf("ready\n");
    fflush(stdout);
    uv_run(loop, UV_RUN_DEFAULT);
    rc = uv_loop_close(loop);
    return rc == 0 ? 0 : 3;
}
