/*
 * The ops listener over real loopback sockets: routes, keep-alive and pipelining, the
 * limits (header bytes, body bytes, connections, timeouts), answers given later, and a
 * peer that leaves before its answer.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "ops.h"

#define MAX_CONNECTIONS 4

static uv_loop_t loop;
static uv_async_t stop_async;
static pthread_t loop_thread;
static struct ops *ops;
static struct metrics_registry *registry;
static struct metrics_family *collected;
static int port;
static atomic_int ready_flag;
static atomic_int gone_count;
static struct ops_http_request *later_request;
static uv_timer_t later_timer;

static int ready(void *arg, char *why, size_t len)
{
    (void)arg;
    if (atomic_load(&ready_flag))
        return 0;
    snprintf(why, len, "database unreachable");
    return 1;
}

static void collect(struct metrics_registry *r, void *arg, void (*done)(void *ctx), void *ctx)
{
    (void)r;
    (void)arg;
    (void)metrics_set(collected, NULL, 42);
    done(ctx);
}

static void echo_body(struct ops_http_request *r, void *arg)
{
    (void)arg;
    size_t len;
    const uint8_t *body = ops_http_body(r, &len);
    (void)ops_http_respond(r, 200, "application/octet-stream", NULL, body, len);
}

static void on_later(uv_timer_t *t)
{
    (void)t;
    (void)ops_http_respond(later_request, 200, "text/plain", NULL, "later\n", 6);
    later_request = NULL;
}

static void on_gone(struct ops_http_request *r, void *data)
{
    (void)r;
    (void)data;
    atomic_fetch_add(&gone_count, 1);
}

/* Answers 200 ms later, from a timer. */
static void answer_later(struct ops_http_request *r, void *arg)
{
    (void)arg;
    later_request = r;
    ops_http_on_gone(r, on_gone);
    uv_timer_start(&later_timer, on_later, 200, 0);
}

static void on_stop(uv_async_t *a)
{
    (void)a;
    ops_stop(ops, NULL, NULL);
    uv_close((uv_handle_t *)&stop_async, NULL);
    uv_close((uv_handle_t *)&later_timer, NULL);
}

static void *run_loop(void *arg)
{
    (void)arg;
    uv_run(&loop, UV_RUN_DEFAULT);
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    uv_loop_init(&loop);
    uv_async_init(&loop, &stop_async, on_stop);
    uv_timer_init(&loop, &later_timer);
    assert_int_equal(metrics_registry_new(&registry), 0);
    collected = metrics_family_add(registry, "ims_test_collected", "Set at each scrape.",
                                   METRICS_GAUGE, NULL, 0, NULL, 0, 1);
    struct ops_http_config limits = {.max_connections = MAX_CONNECTIONS,
                                     .max_header_bytes = 2048,
                                     .max_body_bytes = 1000,
                                     .request_timeout_ms = 300,
                                     .idle_timeout_ms = 600};
    struct ops_sources sources = {.ready = ready, .collect = collect};
    char detail[128];
    assert_int_equal(ops_start(&loop, "127.0.0.1:0", &limits, &sources, registry, &ops, detail,
                               sizeof detail),
                     0);
    assert_int_equal(ops_route_add(ops, "POST", "/echo", echo_body, NULL), 0);
    assert_int_equal(ops_route_add(ops, "GET", "/later", answer_later, NULL), 0);
    port = ops_port(ops);
    assert_true(port > 0);
    pthread_create(&loop_thread, NULL, run_loop, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    uv_async_send(&stop_async);
    pthread_join(loop_thread, NULL);
    assert_int_equal(uv_loop_close(&loop), 0);
    metrics_registry_free(registry);
    return 0;
}

static int connect_local(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void send_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        assert_true(n > 0);
        data += n;
        len -= (size_t)n;
    }
}

/* Reads until the peer closes or `until` appears `times` times; returns what came. */
static char *read_until(int fd, const char *until, int times)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = calloc(1, cap + 1);
    for (;;) {
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        int seen = 0;
        for (const char *p = buf; until && (p = strstr(p, until)) != NULL; p++)
            seen++;
        if (until && seen >= times)
            break;
    }
    return buf;
}

static int peer_closed(int fd)
{
    char c;
    return recv(fd, &c, 1, 0) == 0;
}

static void test_health_ready_metrics(void **state)
{
    (void)state;
    int fd = connect_local();
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    send_all(fd, req, strlen(req));
    char *answer = read_until(fd, "ok\n", 1);
    assert_non_null(strstr(answer, "HTTP/1.1 200 OK\r\n"));
    free(answer);

    atomic_store(&ready_flag, 0);
    req = "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n";
    send_all(fd, req, strlen(req));
    answer = read_until(fd, "unreachable\n", 1);
    assert_non_null(strstr(answer, "HTTP/1.1 503 Service Unavailable\r\n"));
    free(answer);
    atomic_store(&ready_flag, 1);
    send_all(fd, req, strlen(req));
    answer = read_until(fd, "ready\n", 1);
    assert_non_null(strstr(answer, "HTTP/1.1 200 OK\r\n"));
    free(answer);

    req = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    send_all(fd, req, strlen(req));
    answer = read_until(fd, "ims_metrics_series_dropped_total{", 1);
    assert_non_null(strstr(answer, "Content-Type: text/plain; version=0.0.4"));
    assert_non_null(strstr(answer, "\nims_test_collected 42\n"));
    assert_non_null(strstr(answer, "\nims_ops_connections 1\n"));
    free(answer);
    close(fd);
}

static void test_routes_and_pipelining(void **state)
{
    (void)state;
    int fd = connect_local();
    const char *reqs = "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
                       "DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                       "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                       "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    send_all(fd, reqs, strlen(reqs));
    char *answer = read_until(fd, "HTTP/1.1 ", 4);
    free(answer);
    answer = read_until(fd, "abcde", 1); /* the rest, if the first read stopped early */
    free(answer);
    close(fd);

    /* The same, one answer at a time, checked in order. */
    fd = connect_local();
    send_all(fd, reqs, strlen(reqs));
    char all[8192] = "";
    size_t len = 0;
    while (strstr(all, "abcde") == NULL) {
        ssize_t n = recv(fd, all + len, sizeof all - 1 - len, 0);
        assert_true(n > 0);
        len += (size_t)n;
        all[len] = '\0';
    }
    const char *a = strstr(all, "404 Not Found");
    const char *b = strstr(all, "405 Method Not Allowed");
    const char *c = strstr(all, "\r\n\r\nhello");
    const char *d = strstr(all, "\r\n\r\nabcde");
    assert_true(a && b && c && d && a < b && b < c && c < d);
    close(fd);
}

static void test_limits(void **state)
{
    (void)state;
    /* Header bytes. */
    int fd = connect_local();
    char big[4096];
    int n = snprintf(big, sizeof big, "GET /healthz HTTP/1.1\r\nX-Fill: %03000d\r\n\r\n", 0);
    send_all(fd, big, (size_t)n);
    char *answer = read_until(fd, NULL, 0);
    assert_non_null(strstr(answer, "HTTP/1.1 431 "));
    free(answer);
    close(fd);

    /* Body bytes, announced and streamed. */
    fd = connect_local();
    const char *req = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n";
    send_all(fd, req, strlen(req));
    answer = read_until(fd, NULL, 0);
    assert_non_null(strstr(answer, "HTTP/1.1 413 "));
    free(answer);
    close(fd);
    fd = connect_local();
    req = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    send_all(fd, req, strlen(req));
    char chunk[700];
    memset(chunk, 'z', sizeof chunk);
    for (int i = 0; i < 2; i++) {
        send(fd, "2bc\r\n", 5, MSG_NOSIGNAL);
        send(fd, chunk, sizeof chunk, MSG_NOSIGNAL);
        send(fd, "\r\n", 2, MSG_NOSIGNAL);
    }
    answer = read_until(fd, NULL, 0);
    assert_non_null(strstr(answer, "HTTP/1.1 413 "));
    free(answer);
    close(fd);

    /* Garbage. */
    fd = connect_local();
    send_all(fd, "\x01\x02 nonsense\r\n\r\n", 15);
    answer = read_until(fd, NULL, 0);
    assert_non_null(strstr(answer, "HTTP/1.1 400 "));
    free(answer);
    close(fd);
}

static void test_timeouts_and_connections(void **state)
{
    (void)state;
    /* A request that never ends: 408, then closed. */
    int fd = connect_local();
    send_all(fd, "GET /healthz HTTP/1.1\r\nHost:", 28);
    char *answer = read_until(fd, NULL, 0);
    assert_non_null(strstr(answer, "HTTP/1.1 408 "));
    free(answer);
    close(fd);

    /* An idle connection is closed. */
    fd = connect_local();
    assert_true(peer_closed(fd));
    close(fd);

    /* Beyond max_connections the newest is closed; the others still work. */
    int fds[MAX_CONNECTIONS + 1];
    for (int i = 0; i <= MAX_CONNECTIONS; i++)
        fds[i] = connect_local();
    assert_true(peer_closed(fds[MAX_CONNECTIONS]));
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    send_all(fds[0], req, strlen(req));
    answer = read_until(fds[0], "ok\n", 1);
    assert_non_null(strstr(answer, "200 OK"));
    free(answer);
    for (int i = 0; i <= MAX_CONNECTIONS; i++)
        close(fds[i]);
    usleep(100 * 1000); /* let the server see the closes before the next test connects */
}

static void test_answer_later_and_peer_gone(void **state)
{
    (void)state;
    int fd = connect_local();
    const char *req = "GET /later HTTP/1.1\r\nHost: x\r\n\r\n";
    send_all(fd, req, strlen(req));
    char *answer = read_until(fd, "later\n", 1);
    assert_non_null(strstr(answer, "HTTP/1.1 200 OK"));
    free(answer);
    close(fd);

    /* The peer leaves before the answer: the late answer is dropped, nothing breaks. */
    fd = connect_local();
    send_all(fd, req, strlen(req));
    close(fd);
    usleep(400 * 1000);
    assert_int_equal(atomic_load(&gone_count), 1);
    fd = connect_local();
    req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    send_all(fd, req, strlen(req));
    answer = read_until(fd, NULL, 0);
    assert_non_null(strstr(answer, "Connection: close"));
    assert_non_null(strstr(answer, "ok\n"));
    free(answer);
    close(fd);
}

/* HEAD gets GET's headers and no body: the next answer on the connection starts right after. */
static void test_head_has_no_body(void **state)
{
    (void)state;
    int fd = connect_local();
    const char *reqs = "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                       "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    send_all(fd, reqs, strlen(reqs));
    char *answer = read_until(fd, NULL, 0);
    const char *second = strstr(answer, "\r\n\r\n");
    assert_non_null(second);
    assert_non_null(strstr(answer, "Content-Length: 3\r\n"));
    assert_true(strncmp(second + 4, "HTTP/1.1 200 OK\r\n", 17) == 0);
    free(answer);
    close(fd);
}

/* A peer that pipelines requests and never reads the answers is not answered without end:
 * reading stops once a megabyte waits, and the connection goes after the idle timeout. */
static void test_peer_that_never_reads(void **state)
{
    (void)state;
    int fd = connect_local();
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    char burst[64 * 1024];
    const char *one = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    size_t n = strlen(one), len = 0;
    while (len + n < sizeof burst) {
        memcpy(burst + len, one, n);
        len += n;
    }
    /* Keep sending for 1.5 s: a server that answered everything would keep this connection
     * busy and open; one that stops reading closes it after its send timeout. */
    size_t sent = 0;
    struct timeval start, now;
    gettimeofday(&start, NULL);
    do {
        /* The stream stays whole requests: a partial send goes on where it stopped. */
        size_t at = sent % len;
        ssize_t k = send(fd, burst + at, len - at, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (k > 0)
            sent += (size_t)k;
        usleep(1000);
        gettimeofday(&now, NULL);
    } while ((now.tv_sec - start.tv_sec) * 1000000L + (now.tv_usec - start.tv_usec) < 1500000L);
    assert_true(sent > 0);
    int probe = connect_local();
    const char *req = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    send_all(probe, req, strlen(req));
    char *answer = read_until(probe, NULL, 0);
    assert_non_null(strstr(answer, "\nims_ops_connections 1\n"));
    free(answer);
    close(probe);
    close(fd);
    usleep(100 * 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_has_no_body),
        cmocka_unit_test(test_peer_that_never_reads),
        cmocka_unit_test(test_health_ready_metrics),
        cmocka_unit_test(test_routes_and_pipelining),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_timeouts_and_connections),
        cmocka_unit_test(test_answer_later_and_peer_gone),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
