/*
 * The whole server connection: the input is every byte a client sends (the preface,
 * SETTINGS, HEADERS and CONTINUATION with HPACK, DATA carrying gRPC messages, PING,
 * WINDOW_UPDATE, RST_STREAM, GOAWAY, or anything else), fed through the transport seam
 * of net/ (grpc_server_adopt on one end of a Unix socketpair) to a real server on a real
 * libuv loop. The dispatcher echoes each message and ends calls at half-close; a path
 * ending in /Refuse is refused at its headers and one ending in /Pause keeps its input
 * paused, so that refusals and flow control are reached. The client half closes after its
 * bytes; every call and the connection must then end, and nothing may leak.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uv.h>

#include "grpc_server.h"
#include "ims/error.h"

static uv_loop_t loop;
static struct grpc_server *server;

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

static int on_call_start(struct grpc_call *call, void *arg)
{
    (void)arg;
    const char *path = grpc_call_path(call);
    if (ends_with(path, "/Refuse")) {
        grpc_call_set_refusal(call, "refused");
        return IMS_GRPC_UNAUTHENTICATED;
    }
    if (ends_with(path, "/Pause"))
        grpc_call_pause_input(call);
    if (ends_with(path, "/Watch"))
        grpc_call_no_default_deadline(call);
    grpc_call_limit_message_bytes(call, 4096);
    (void)grpc_call_header(call, "authorization");
    (void)grpc_call_deadline(call);
    return 0;
}

static void on_message(struct grpc_call *call, const uint8_t *data, size_t len, void *arg)
{
    (void)arg;
    (void)grpc_call_send_message(call, data, len);
}

static void on_half_close(struct grpc_call *call, void *arg)
{
    (void)arg;
    grpc_call_resume_input(call);
    grpc_call_finish(call, IMS_GRPC_OK, NULL);
}

static void on_call_cancel(struct grpc_call *call, void *arg)
{
    (void)arg;
    grpc_call_finish(call, IMS_GRPC_CANCELLED, "cancelled");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    uv_loop_init(&loop);
    struct grpc_server_config config = {
        .max_message_bytes = 65536,
        .max_concurrent_streams = 16,
        .shutdown_grace_ms = 100,
        .max_connections = 4,
        .max_connections_per_address = 4,
        .preface_timeout_ms = 2000,
        .headers_timeout_ms = 2000,
        .idle_timeout_ms = 2000,
        .keepalive_ms = 2000,
        .default_deadline_ms = 2000,
        .max_header_list_bytes = 4096,
        .max_conn_buffered_bytes = 65536,
        .max_buffered_bytes = 131072,
    };
    struct grpc_dispatch dispatch = {on_call_start, on_message, on_half_close, on_call_cancel,
                                     NULL};
    if (grpc_server_new(&loop, &config, &dispatch, &server) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    if (grpc_server_adopt(server, sv[1]) != 0)
        abort();
    size_t sent = 0;
    int half_closed = 0;
    uint8_t sink[65536];
    for (int round = 0;; round++) {
        if (sent < size) {
            ssize_t n = write(sv[0], data + sent, size - sent);
            if (n > 0)
                sent += (size_t)n;
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                sent = size; /* the server closed: the rest is not read */
        }
        if (sent == size && !half_closed) {
            shutdown(sv[0], SHUT_WR);
            half_closed = 1;
        }
        uv_run(&loop, UV_RUN_NOWAIT);
        while (read(sv[0], sink, sizeof sink) > 0)
            ;
        struct grpc_server_stats st;
        grpc_server_stats(server, &st);
        if (half_closed && st.connections == 0 && st.calls == 0)
            break;
        if (round > 1000000)
            abort(); /* a connection that never ends: libFuzzer's -timeout says so first */
    }
    close(sv[0]);
    return 0;
}
