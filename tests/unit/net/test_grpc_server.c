/*
 * Behaviour of the transport over real sockets: the echo server runs as a child process
 * and a small nghttp2 client (h2_client.c) talks to it over TCP, a Unix socket and TLS.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "echo_fixture.h"
#include "h2_client.h"


/* --- helpers --- */

static size_t frame(uint8_t *buf, size_t at, uint8_t flag, const uint8_t *data, size_t len)
{
    buf[at] = flag;
    buf[at + 1] = (uint8_t)(len >> 24);
    buf[at + 2] = (uint8_t)(len >> 16);
    buf[at + 3] = (uint8_t)(len >> 8);
    buf[at + 4] = (uint8_t)len;
    memcpy(buf + at + 5, data, len);
    return at + 5 + len;
}

static struct h2c_options plain(void)
{
    return (struct h2c_options){.port = plain_server.ports[0]};
}

static struct h2c_options tls(void)
{
    return (struct h2c_options){.port = plain_server.ports[1], .tls = 1, .ca_file = ca_file};
}

static void call_ok(const struct h2c_options *options, struct h2c_request *request,
                    struct h2c_response *response)
{
    assert_int_equal(h2c_call(options, request, response), 0);
}

/* Unary echo of text over options; checks the answer. */
static void check_unary(const struct h2c_options *options, const char *text)
{
    uint8_t body[256];
    size_t len = frame(body, 0, 0, (const uint8_t *)text, strlen(text));
    struct h2c_request request = {.path = "/test.Echo/Unary", .body = body, .body_len = len};
    struct h2c_response response;
    call_ok(options, &request, &response);
    assert_int_equal(response.http_status, 200);
    assert_int_equal(response.grpc_status, 0);
    assert_false(response.trailers_only);
    const uint8_t *data[4];
    size_t lens[4];
    assert_int_equal(h2c_messages(response.body, response.body_len, data, lens, 4), 1);
    assert_int_equal(lens[0], strlen(text));
    assert_memory_equal(data[0], text, lens[0]);
    free(response.body);
}

/* --- tests --- */

static void unary_echo(void **state)
{
    struct h2c_options o = plain();
    check_unary(&o, "hello, ims");
}

static void empty_message(void **state)
{
    struct h2c_options o = plain();
    check_unary(&o, "");
}

static void several_messages_in_one_frame(void **state)
{
    uint8_t body[64];
    size_t len = frame(body, 0, 0, (const uint8_t *)"first", 5);
    len = frame(body, len, 0, (const uint8_t *)"second", 6);
    struct h2c_request request = {.path = "/test.Echo/Stream",
                                  .body = body,
                                  .body_len = len,
                                  .header_names = {"x-count"},
                                  .header_values = {"1"}};
    struct h2c_response response;
    struct h2c_options o = plain();
    call_ok(&o, &request, &response);
    assert_int_equal(response.grpc_status, 0);
    const uint8_t *data[4];
    size_t lens[4];
    assert_int_equal(h2c_messages(response.body, response.body_len, data, lens, 4), 2);
    assert_memory_equal(data[0], "first", 5);
    assert_memory_equal(data[1], "second", 6);
    free(response.body);
}

static void message_split_across_frames(void **state)
{
    uint8_t message[1000];
    for (size_t i = 0; i < sizeof message; i++)
        message[i] = (uint8_t)(i * 7);
    uint8_t body[1100];
    size_t len = frame(body, 0, 0, message, sizeof message);
    struct h2c_request request = {
        .path = "/test.Echo/Unary", .body = body, .body_len = len, .chunk = 3};
    struct h2c_response response;
    struct h2c_options o = plain();
    call_ok(&o, &request, &response);
    assert_int_equal(response.grpc_status, 0);
    const uint8_t *data[2];
    size_t lens[2];
    assert_int_equal(h2c_messages(response.body, response.body_len, data, lens, 2), 1);
    assert_int_equal(lens[0], sizeof message);
    assert_memory_equal(data[0], message, sizeof message);
    free(response.body);
}

static void server_stream(void **state)
{
    uint8_t body[64];
    size_t len = frame(body, 0, 0, (const uint8_t *)"tick", 4);
    struct h2c_request request = {.path = "/test.Echo/Stream",
                                  .body = body,
                                  .body_len = len,
                                  .header_names = {"x-count"},
                                  .header_values = {"25"}};
    struct h2c_response response;
    struct h2c_options o = plain();
    call_ok(&o, &request, &response);
    assert_int_equal(response.grpc_status, 0);
    const uint8_t *data[32];
    size_t lens[32];
    assert_int_equal(h2c_messages(response.body, response.body_len, data, lens, 32), 25);
    free(response.body);
}

static void large_server_stream(void **state)
{
    /* About 5 MB against the client's 64 KiB windows: flow control must pace it. */
    static uint8_t message[1000];
    static uint8_t body[1005];
    memset(message, 'q', sizeof message);
    size_t len = frame(body, 0, 0, message, sizeof message);
    struct h2c_request request = {.path = "/test.Echo/Stream",
                                  .body = body,
                                  .body_len = len,
                                  .header_names = {"x-count"},
                                  .header_values = {"5000"}};
    struct h2c_response response;
    struct h2c_options o = plain();
    call_ok(&o, &request, &response);
    assert_int_equal(response.grpc_status, 0);
    assert_int_equal(h2c_messages(response.body, response.body_len, NULL, NULL, 0), 5000);
    free(response.body);
    /* The same, walked away from half way: the server must not mind. */
    request.then = H2C_ABANDON;
    call_ok(&o, &request, &response);
    free(response.body);
    check_unary(&o, "after a large stream");
}

static void answer_from_outside_a_callback(void **state)
{
    /* The status goes out from a timer, after the half-close: the stream closes during
     * the dispatcher's grpc_call_finish(), which must not count as a cancel. */
    struct h2c_request request = {
        .path = "/test.Echo/Delay", .header_names = {"x-delay"}, .header_values = {"20"}};
    struct h2c_response response;
    struct h2c_options o = plain();
    for (int i = 0; i < 3; i++) {
        call_ok(&o, &request, &response);
        assert_int_equal(response.grpc_status, 0);
        assert_int_equal(h2c_messages(response.body, response.body_len, NULL, NULL, 0), 1);
        free(response.body);
    }
}

static void wrong_content_type(void **state)
{
    uint8_t body[16];
    size_t len = frame(body, 0, 0, (const uint8_t *)"x", 1);
    const char *types[] = {"application/json", "application/grpcx", ""};
    for (int i = 0; i < 3; i++) {
        struct h2c_request request = {
            .path = "/test.Echo/Unary", .body = body, .body_len = len, .content_type = types[i]};
        struct h2c_response response;
        struct h2c_options o = plain();
        call_ok(&o, &request, &response);
        assert_int_equal(response.http_status, 415);
        assert_int_equal(response.grpc_status, -1);
        free(response.body);
    }
}

static void content_type_variants(void **state)
{
    uint8_t body[16];
    size_t len = frame(body, 0, 0, (const uint8_t *)"x", 1);
    const char *types[] = {"application/grpc+proto", "application/grpc;charset=utf-8"};
    for (int i = 0; i < 2; i++) {
        struct h2c_request request = {
            .path = "/test.Echo/Unary", .body = body, .body_len = len, .content_type = types[i]};
        struct h2c_response response;
        struct h2c_options o = plain();
        call_ok(&o, &request, &response);
        assert_int_equal(response.http_status, 200);
        assert_int_equal(response.grpc_status, 0);
        free(response.body);
    }
}

static void not_post(void **state)
{
    struct h2c_request request = {.method = "GET", .path = "/test.Echo/Unary"};
    struct h2c_response response;
    struct h2c_options o = plain();
    call_ok(&o, &request, &response);
    assert_int_equal(response.http_status, 405);
    free(response.body);
}

static void unimplemented(void **state)
{
    uint8_t body[16];
    size_t len = frame(body, 0, 0, (const uint8_t *)"x", 1);
    struct h2c_request request = {.path = "/test.Echo/Missing", .body = body, .body_len = len};
    struct h2c_response response;
    struct h2c_options o = plain();
    call_ok(&o, &request, &response);
    assert_int_equal(response.http_status, 200);
    assert_int_equal(response.grpc_status, 12);
    assert_true(response.trailers_only);
    assert_non_null(strstr(response.grpc_message, "/test.Echo/Missing"));
    free(response.body);
}

static void oversized_message(void **state)
{
    static uint8_t message[3 * MAX_MESSAGE];
    static uint8_t body[3 * MAX_MESSAGE + 5];
    size_t len = frame(body, 0, 0, message, sizeof message);
    struct h2c_request request = {.path = "/test.Echo/Unary", .body = body, .body_len = len};
    struct h2c_response response;
    struct h2c_options o = plain();
    call_ok(&o, &request, &response);
    assert_int_equal(response.grpc_status, 8);
    assert_non_null(strstr(response.grpc_message, "1024"));
    free(response.body);
    /* The same connection handling keeps working. */
    check_unary(&o, "after oversize");
}

static void compressed_message(void **state)
{
    uint8_t body[16];
    size_t len = frame(body, 0, 1, (const uint8_t *)"zz", 2);
    struct h2c_request request = {.path = "/test.Echo/Unary", .body = body, .body_len = len};
    struct h2c_response response;
    struct h2c_options o = plain();
    call_ok(&o, &request, &response);
    assert_int_equal(response.grpc_status, 12);
    assert_non_null(strstr(response.grpc_message, "compression"));
    free(response.body);
}

static void truncated_message(void **state)
{
    uint8_t body[32];
    size_t len = frame(body, 0, 0, (const uint8_t *)"truncated", 9);
    struct h2c_request request = {.path = "/test.Echo/Unary", .body = body, .body_len = len - 4};
    struct h2c_response response;
    struct h2c_options o = plain();
    call_ok(&o, &request, &response);
    assert_int_equal(response.grpc_status, 13);
    free(response.body);
}

static void deadline_already_past(void **state)
{
    uint8_t body[16];
    size_t len = frame(body, 0, 0, (const uint8_t *)"x", 1);
    struct h2c_request request = {.path = "/test.Echo/Unary",
                                  .body = body,
                                  .body_len = len,
                                  .header_names = {"grpc-timeout"},
                                  .header_values = {"1n"}};
    struct h2c_response response;
    struct h2c_options o = plain();
    call_ok(&o, &request, &response);
    assert_int_equal(response.grpc_status, 4);
    free(response.body);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void deadline_on_slow_method(void **state)
{
    uint8_t body[16];
    size_t len = frame(body, 0, 0, (const uint8_t *)"x", 1);
    struct h2c_request request = {.path = "/test.Echo/Slow",
                                  .body = body,
                                  .body_len = len,
                                  .header_names = {"grpc-timeout"},
                                  .header_values = {"200m"}};
    struct h2c_response response;
    struct h2c_options o = plain();
    double start = now_ms();
    call_ok(&o, &request, &response);
    double took = now_ms() - start;
    assert_int_equal(response.grpc_status, 4);
    assert_true(took >= 190.0);
    assert_true(took < 5000.0);
    free(response.body);
}

static void malformed_timeout(void **state)
{
    uint8_t body[16];
    size_t len = frame(body, 0, 0, (const uint8_t *)"x", 1);
    struct h2c_request request = {.path = "/test.Echo/Unary",
                                  .body = body,
                                  .body_len = len,
                                  .header_names = {"grpc-timeout"},
                                  .header_values = {"soon"}};
    struct h2c_response response;
    struct h2c_options o = plain();
    call_ok(&o, &request, &response);
    assert_int_equal(response.grpc_status, 3);
    free(response.body);
}

static void garbage_instead_of_preface(void **state)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)plain_server.ports[0])};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    const char garbage[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n\x01\x02\x03\xff\xfe garbage";
    assert_true(send(fd, garbage, sizeof garbage, MSG_NOSIGNAL) > 0);
    /* The server answers (SETTINGS, GOAWAY) and closes: read until end of file. */
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        ;
    assert_int_equal(n, 0);
    close(fd);
    struct h2c_options o = plain();
    check_unary(&o, "still serving");
}

/* Sends bytes on a fresh connection and reads until the server closes or goes quiet. */
static void send_raw(const uint8_t *data, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)plain_server.ports[0])};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    (void)send(fd, data, len, MSG_NOSIGNAL);
    struct timeval tv = {.tv_usec = 50000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    while (recv(fd, buf, sizeof buf, 0) > 0)
        ;
    close(fd);
}

static size_t raw_frame(uint8_t *buf, uint8_t type, uint8_t flags, uint32_t stream,
                        const uint8_t *payload, size_t len)
{
    buf[0] = (uint8_t)(len >> 16);
    buf[1] = (uint8_t)(len >> 8);
    buf[2] = (uint8_t)len;
    buf[3] = type;
    buf[4] = flags;
    buf[5] = (uint8_t)(stream >> 24);
    buf[6] = (uint8_t)(stream >> 16);
    buf[7] = (uint8_t)(stream >> 8);
    buf[8] = (uint8_t)stream;
    if (len > 0)
        memcpy(buf + 9, payload, len);
    return 9 + len;
}

static void random_frames(void **state)
{
    /* After a valid preface: frames of random type, flags, stream and payload. */
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    unsigned seed = 12345;
    static uint8_t buf[65536];
    for (int round = 0; round < 60; round++) {
        size_t len = sizeof preface - 1;
        memcpy(buf, preface, len);
        len += raw_frame(buf + len, 4, 0, 0, NULL, 0);
        int frames = 1 + rand_r(&seed) % 12;
        for (int i = 0; i < frames; i++) {
            uint8_t payload[300];
            size_t n = (size_t)(rand_r(&seed) % (int)sizeof payload);
            for (size_t j = 0; j < n; j++)
                payload[j] = (uint8_t)rand_r(&seed);
            len += raw_frame(buf + len, (uint8_t)(rand_r(&seed) % 10), (uint8_t)rand_r(&seed),
                             (uint32_t)(rand_r(&seed) % 6), payload, n);
        }
        send_raw(buf, len);
    }
    struct h2c_options o = plain();
    check_unary(&o, "after random frames");
}

static void client_reset_and_disconnect(void **state)
{
    uint8_t body[16];
    size_t len = frame(body, 0, 0, (const uint8_t *)"x", 1);
    struct h2c_options o = plain();
    struct h2c_response response;
    struct h2c_request request = {
        .path = "/test.Echo/Slow", .body = body, .body_len = len, .then = H2C_RESET};
    call_ok(&o, &request, &response);
    free(response.body);
    request.then = H2C_ABANDON;
    call_ok(&o, &request, &response);
    free(response.body);
    check_unary(&o, "after reset");
}

static void unix_socket(void **state)
{
    struct h2c_options o = {.unix_path = unix_sock};
    check_unary(&o, "over a unix socket");
}

static void peer_text(const struct h2c_options *options, char *out, size_t len)
{
    struct h2c_request request = {.path = "/test.Echo/Peer", .body = NULL, .body_len = 0};
    struct h2c_response response;
    call_ok(options, &request, &response);
    assert_int_equal(response.grpc_status, 0);
    const uint8_t *data[2];
    size_t lens[2];
    assert_int_equal(h2c_messages(response.body, response.body_len, data, lens, 2), 1);
    snprintf(out, len, "%.*s", (int)lens[0], (const char *)data[0]);
    free(response.body);
}

static void tls_unary(void **state)
{
    struct h2c_options o = tls();
    check_unary(&o, "over tls");
    char peer[256];
    peer_text(&o, peer, sizeof peer);
    assert_string_equal(peer, "1|-|1");
}

static void tls_refuses_without_h2(void **state)
{
    struct h2c_options o = tls();
    o.alpn = "\x08http/1.1";
    struct h2c_request request = {.path = "/test.Echo/Unary"};
    struct h2c_response response;
    assert_int_equal(h2c_call(&o, &request, &response), -1);
    free(response.body);
    o = tls();
    check_unary(&o, "after refusal");
}

static void mtls_requires_certificate(void **state)
{
    struct h2c_options o = {.port = mtls_server.ports[0], .tls = 1, .ca_file = ca_file};
    struct h2c_request request = {.path = "/test.Echo/Peer"};
    struct h2c_response response;
    assert_int_equal(h2c_call(&o, &request, &response), -1);
    free(response.body);
    o.cert_file = client_cert;
    o.key_file = client_key;
    char peer[256];
    peer_text(&o, peer, sizeof peer);
    assert_non_null(strstr(peer, "CN=test-client"));
    assert_int_equal(strncmp(peer, "1|", 2), 0);
}

static void plain_on_tls_port(void **state)
{
    struct h2c_options o = {.port = plain_server.ports[1]};
    struct h2c_request request = {.path = "/test.Echo/Unary"};
    struct h2c_response response;
    assert_int_equal(h2c_call(&o, &request, &response), -1);
    free(response.body);
}

/* TLS unary with ca; returns 0 or -1 (handshake or call failed). */
static int try_tls(const char *ca)
{
    uint8_t body[16];
    size_t len = frame(body, 0, 0, (const uint8_t *)"r", 1);
    struct h2c_options o = {.port = plain_server.ports[1], .tls = 1, .ca_file = ca};
    struct h2c_request request = {.path = "/test.Echo/Unary", .body = body, .body_len = len};
    struct h2c_response response;
    int rc = h2c_call(&o, &request, &response);
    free(response.body);
    return rc == 0 && response.grpc_status == 0 ? 0 : -1;
}

static void tls_reload(void **state)
{
    /* A broken key: the reload fails and the old context stays in use. */
    assert_int_equal(run("cp server.key server.key.good && echo broken > server.key"), 0);
    kill(plain_server.pid, SIGHUP);
    usleep(200000);
    assert_int_equal(try_tls(ca_file), 0);
    /* A certificate from another CA: new connections get it. */
    assert_int_equal(
        run("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca2.key -out ca2.pem -days 2 "
            "-subj /CN=ims-test-ca2 && "
            "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server2.csr "
            "-subj /CN=localhost && "
            "openssl x509 -req -in server2.csr -CA ca2.pem -CAkey ca2.key -CAcreateserial "
            "-out server.pem -days 2 -extfile server.ext"),
        0);
    kill(plain_server.pid, SIGHUP);
    int switched = 0;
    for (int i = 0; i < 100 && !switched; i++) {
        switched = try_tls(in_dir(6, "ca2.pem")) == 0;
        if (!switched)
            usleep(20000);
    }
    assert_true(switched);
    assert_int_equal(try_tls(ca_file), -1);
}

static void graceful_shutdown(void **state)
{
    struct child server;
    const char *args[] = {"--listen", "127.0.0.1:0", NULL};
    assert_int_equal(start_server(&server, args), 0);
    /* A slow call is in flight at SIGTERM: it is cancelled after the 2 s grace. */
    pid_t client = fork();
    assert_true(client >= 0);
    if (client == 0) {
        uint8_t body[16];
        size_t len = frame(body, 0, 0, (const uint8_t *)"x", 1);
        struct h2c_options o = {.port = server.ports[0]};
        struct h2c_request request = {.path = "/test.Echo/Slow", .body = body, .body_len = len};
        struct h2c_response response;
        int rc = h2c_call(&o, &request, &response);
        _exit(rc == 0 || rc == -1 ? 0 : 1);
    }
    usleep(300000);
    double start = now_ms();
    assert_int_equal(stop_server(&server, 10000), 0);
    double took = now_ms() - start;
    assert_true(took >= 1500.0);
    int status;
    assert_int_equal(waitpid(client, &status, 0), client);
}

static void shutdown_lets_calls_finish(void **state)
{
    struct child server;
    const char *args[] = {"--listen", "127.0.0.1:0", NULL};
    assert_int_equal(start_server(&server, args), 0);
    /* The call answers 500 ms after it began, well inside the 2 s grace. */
    pid_t client = fork();
    assert_true(client >= 0);
    if (client == 0) {
        struct h2c_options o = {.port = server.ports[0]};
        struct h2c_request request = {
            .path = "/test.Echo/Delay", .header_names = {"x-delay"}, .header_values = {"500"}};
        struct h2c_response response;
        int rc = h2c_call(&o, &request, &response);
        const uint8_t *data[2];
        size_t lens[2];
        int ok = rc == 0 && response.grpc_status == 0 &&
                 h2c_messages(response.body, response.body_len, data, lens, 2) == 1 &&
                 lens[0] == 4 && memcmp(data[0], "done", 4) == 0;
        free(response.body);
        _exit(ok ? 0 : 1);
    }
    usleep(200000);
    double start = now_ms();
    assert_int_equal(stop_server(&server, 10000), 0);
    double took = now_ms() - start;
    assert_true(took < 1500.0);
    int status;
    assert_int_equal(waitpid(client, &status, 0), client);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* The listener is gone: new connections are refused. */
    struct h2c_options o = {.port = server.ports[0]};
    struct h2c_request request = {.path = "/test.Echo/Unary"};
    struct h2c_response response;
    assert_int_equal(h2c_call(&o, &request, &response), -1);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unary_echo),
        cmocka_unit_test(empty_message),
        cmocka_unit_test(several_messages_in_one_frame),
        cmocka_unit_test(message_split_across_frames),
        cmocka_unit_test(server_stream),
        cmocka_unit_test(large_server_stream),
        cmocka_unit_test(answer_from_outside_a_callback),
        cmocka_unit_test(wrong_content_type),
        cmocka_unit_test(content_type_variants),
        cmocka_unit_test(not_post),
        cmocka_unit_test(unimplemented),
        cmocka_unit_test(oversized_message),
        cmocka_unit_test(compressed_message),
        cmocka_unit_test(truncated_message),
        cmocka_unit_test(deadline_already_past),
        cmocka_unit_test(deadline_on_slow_method),
        cmocka_unit_test(malformed_timeout),
        cmocka_unit_test(garbage_instead_of_preface),
        cmocka_unit_test(random_frames),
        cmocka_unit_test(client_reset_and_disconnect),
        cmocka_unit_test(unix_socket),
        cmocka_unit_test(tls_unary),
        cmocka_unit_test(tls_refuses_without_h2),
        cmocka_unit_test(mtls_requires_certificate),
        cmocka_unit_test(plain_on_tls_port),
        cmocka_unit_test(tls_reload),
        cmocka_unit_test(graceful_shutdown),
        cmocka_unit_test(shutdown_lets_calls_finish),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
