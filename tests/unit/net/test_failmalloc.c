/* net/ under allocation failures: every malloc, calloc and realloc of net/'s own code fails
 * once, in turn, while a server is made, adopts a connection, serves two calls (one message
 * split across DATA frames) and shuts down; and while the deframer copies a split message
 * and the per-address table counts. Nothing may crash or leak (ASan), and every run must
 * end with the connection closed and the server freed. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "../failmalloc.h"
#include "grpc_frame.h"
#include "grpc_server.h"
#include "ims/error.h"
#include "peer_count.h"

static int on_call_start(struct grpc_call *call, void *arg)
{
    (void)arg;
    return strstr(grpc_call_path(call), "Refuse") ? IMS_GRPC_UNAUTHENTICATED : 0;
}

static void on_message(struct grpc_call *call, const uint8_t *data, size_t len, void *arg)
{
    (void)arg;
    (void)grpc_call_send_message(call, data, len);
}

static void on_half_close(struct grpc_call *call, void *arg)
{
    (void)arg;
    grpc_call_finish(call, IMS_GRPC_OK, NULL);
}

static void on_call_cancel(struct grpc_call *call, void *arg)
{
    (void)arg;
    grpc_call_finish(call, IMS_GRPC_CANCELLED, NULL);
}

static void put_frame(uint8_t **p, int type, int flags, int stream, const void *payload,
                      size_t len)
{
    uint8_t *q = *p;
    q[0] = (uint8_t)(len >> 16);
    q[1] = (uint8_t)(len >> 8);
    q[2] = (uint8_t)len;
    q[3] = (uint8_t)type;
    q[4] = (uint8_t)flags;
    q[5] = (uint8_t)(stream >> 24);
    q[6] = (uint8_t)(stream >> 16);
    q[7] = (uint8_t)(stream >> 8);
    q[8] = (uint8_t)stream;
    memcpy(q + 9, payload, len);
    *p = q + 9 + len;
}

static size_t literal(uint8_t *out, const char *name, const char *value)
{
    size_t n = strlen(name), v = strlen(value), k = 0;
    out[k++] = 0;
    out[k++] = (uint8_t)n;
    memcpy(out + k, name, n);
    k += n;
    out[k++] = (uint8_t)v;
    memcpy(out + k, value, v);
    return k + v;
}

/* A client's bytes: preface, SETTINGS, a call whose message comes in two DATA frames, and
 * a refused call. */
static size_t client_bytes(uint8_t *buf)
{
    uint8_t *p = buf;
    memcpy(p, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
    p += 24;
    put_frame(&p, 4, 0, 0, "", 0);
    const char *paths[2] = {"/t.S/Echo", "/t.S/Refuse"};
    for (int s = 0; s < 2; s++) {
        uint8_t block[256];
        size_t k = 0;
        k += literal(block + k, ":method", "POST");
        k += literal(block + k, ":scheme", "http");
        k += literal(block + k, ":path", paths[s]);
        k += literal(block + k, ":authority", "t");
        k += literal(block + k, "content-type", "application/grpc");
        put_frame(&p, 1, 4, 1 + 2 * s, block, k);
    }
    uint8_t msg[5 + 40] = {0, 0, 0, 0, 40};
    memset(msg + 5, 'm', 40);
    put_frame(&p, 0, 0, 1, msg, 12);
    put_frame(&p, 0, 1, 1, msg + 12, sizeof msg - 12);
    put_frame(&p, 0, 1, 3, msg, sizeof msg);
    return (size_t)(p - buf);
}

static size_t bytes_read; /* what the client got in the last run */

static void on_done(void *arg)
{
    *(int *)arg = 1;
}

static void serve_once(void)
{
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct grpc_server_config config = {
        .max_message_bytes = 1024,
        .max_concurrent_streams = 8,
        .shutdown_grace_ms = 10,
        .max_connections = 4,
        .max_connections_per_address = 4,
        .idle_timeout_ms = 1000,
        .default_deadline_ms = 1000,
        .max_conn_buffered_bytes = 4096,
        .max_buffered_bytes = 8192,
    };
    struct grpc_dispatch dispatch = {on_call_start, on_message, on_half_close, on_call_cancel,
                                     NULL};
    struct grpc_server *server;
    if (grpc_server_new(&loop, &config, &dispatch, &server) != 0) {
        assert_true(failmalloc_injected);
        assert_int_equal(uv_loop_close(&loop), 0);
        return;
    }
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    if (grpc_server_adopt(server, sv[1]) == 0) {
        uint8_t buf[1024];
        size_t n = client_bytes(buf);
        /* Under a failure the server may have closed its end already (EPIPE). */
        ssize_t w = write(sv[0], buf, n);
        assert_true(w == (ssize_t)n || failmalloc_injected);
        shutdown(sv[0], SHUT_WR);
        for (int round = 0; round < 100000; round++) {
            uv_run(&loop, UV_RUN_NOWAIT);
            uint8_t sink[4096];
            ssize_t got;
            while ((got = read(sv[0], sink, sizeof sink)) > 0)
                bytes_read += (size_t)got;
            struct grpc_server_stats st;
            grpc_server_stats(server, &st);
            if (st.connections == 0 && st.calls == 0)
                break;
        }
    }
    close(sv[0]);
    int done = 0;
    grpc_server_shutdown(server, on_done, &done);
    while (!done)
        uv_run(&loop, UV_RUN_ONCE);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void server_under_failures(void **state)
{
    (void)state;
    long n = 1;
    for (;; n++) {
        failmalloc_arm(n);
        bytes_read = 0;
        serve_once();
        int injected = failmalloc_injected;
        failmalloc_disarm();
        if (!injected)
            break;
    }
    assert_true(n > 10); /* the scenario allocates: the loop really went through them */
    /* Without a failure the calls were answered: SETTINGS, HEADERS, DATA, trailers. */
    assert_true(bytes_read > 100);
}

static int count_message(void *arg, const uint8_t *data, size_t len)
{
    (void)data;
    (void)len;
    (*(int *)arg)++;
    return 0;
}

static void deframer_and_peer_table_under_failures(void **state)
{
    (void)state;
    for (long n = 1;; n++) {
        failmalloc_arm(n);
        struct grpc_deframer d;
        grpc_deframer_init(&d, 1024);
        uint8_t msg[5 + 100] = {0, 0, 0, 0, 100};
        int got = 0;
        int rc = grpc_deframer_feed(&d, msg, 10, count_message, &got);
        if (rc == 0)
            rc = grpc_deframer_feed(&d, msg + 10, sizeof msg - 10, count_message, &got);
        assert_true(rc == 0 || rc == IMS_ENOMEM);
        if (rc == 0)
            assert_int_equal(got, 1);
        grpc_deframer_free(&d);
        static struct peer_count table;
        rc = peer_count_acquire(&table, "192.0.2.1", 2);
        assert_true(rc == 0 || rc == IMS_ENOMEM);
        if (rc == 0)
            peer_count_release(&table, "192.0.2.1");
        peer_count_clear(&table);
        int injected = failmalloc_injected;
        failmalloc_disarm();
        if (!injected)
            break;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deframer_and_peer_table_under_failures),
        cmocka_unit_test(server_under_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
