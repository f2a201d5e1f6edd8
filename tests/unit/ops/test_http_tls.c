/*
 * The ops listener over TLS: a real handshake over loopback with a certificate made for
 * the test, HTTP/1.1 inside it (ALPN http/1.1 or none), the client certificate's subject
 * handed to the handler, and a client that speaks no TLS is closed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
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

#include "grpc_server.h"
#include "ops.h"
#include "tls.h"

static uv_loop_t loop;
static uv_async_t stop_async;
static pthread_t loop_thread;
static struct ops *ops;
static struct metrics_registry *registry;
static SSL_CTX *server_ctx;
static char dir[] = "/tmp/ims-ops-tls-XXXXXX";
static char cert[128], key[128], client_cert[128], client_key[128];
static int port;

/* Answers with the client certificate's subject, or "none". */
static void whoami(struct ops_http_request *r, void *arg)
{
    (void)arg;
    const char *who = ops_http_client_subject(r);
    (void)ops_http_respond(r, 200, "text/plain", NULL, who ? who : "none", strlen(who ? who : "none"));
}

static void on_stop(uv_async_t *a)
{
    (void)a;
    ops_stop(ops, NULL, NULL);
    uv_close((uv_handle_t *)&stop_async, NULL);
}

static void *run_loop(void *arg)
{
    (void)arg;
    uv_run(&loop, UV_RUN_DEFAULT);
    return NULL;
}

static int run(const char *command)
{
    char line[1024];
    snprintf(line, sizeof line, "cd %s && (%s) >/dev/null 2>&1", dir, command);
    return system(line);
}

static int setup(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    /* A self-signed server certificate for 127.0.0.1 that also signs the client's. */
    assert_int_equal(run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                         "-addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem"),
                     0);
    assert_int_equal(run("openssl req -newkey rsa:2048 -nodes -subj /CN=prometheus "
                         "-keyout client.key -out client.csr && openssl x509 -req -in client.csr "
                         "-CA cert.pem -CAkey key.pem -CAcreateserial -days 1 -out client.pem"),
                     0);
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(client_cert, sizeof client_cert, "%s/client.pem", dir);
    snprintf(client_key, sizeof client_key, "%s/client.key", dir);
    struct grpc_tls_config tls = {.cert_file = cert, .key_file = key, .client_ca_file = cert};
    assert_int_equal(ops_tls_context_new(&tls, &server_ctx), 0);

    uv_loop_init(&loop);
    uv_async_init(&loop, &stop_async, on_stop);
    assert_int_equal(metrics_registry_new(&registry), 0);
    struct ops_http_config limits = {.max_connections = 8,
                                     .max_header_bytes = 4096,
                                     .max_body_bytes = 1000,
                                     .request_timeout_ms = 2000,
                                     .idle_timeout_ms = 2000,
                                     .tls = server_ctx};
    struct ops_sources sources = {0};
    char detail[128];
    assert_int_equal(ops_start(&loop, "127.0.0.1:0", &limits, &sources, registry, &ops, detail,
                               sizeof detail),
                     0);
    assert_int_equal(ops_route_add(ops, "GET", "/whoami", whoami, NULL), 0);
    port = ops_port(ops);
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
    SSL_CTX_free(server_ctx);
    run("rm -f cert.pem key.pem client.key client.csr client.pem cert.srl");
    rmdir(dir);
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

/* GET /whoami over TLS; returns the answer (malloc'ed) or NULL when TLS failed. */
static char *get_over_tls(const char *alpn, size_t alpn_len, int with_client_cert)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, cert, NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (with_client_cert) {
        SSL_CTX_use_certificate_file(ctx, client_cert, SSL_FILETYPE_PEM);
        SSL_CTX_use_PrivateKey_file(ctx, client_key, SSL_FILETYPE_PEM);
    }
    if (alpn)
        SSL_CTX_set_alpn_protos(ctx, (const unsigned char *)alpn, (unsigned)alpn_len);
    int fd = connect_local();
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    char *answer = NULL;
    if (SSL_connect(ssl) == 1) {
        const char *req = "GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        SSL_write(ssl, req, (int)strlen(req));
        answer = calloc(1, 8192);
        int len = 0, n;
        while ((n = SSL_read(ssl, answer + len, 8191 - len)) > 0)
            len += n;
    }
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return answer;
}

static void test_http_over_tls(void **state)
{
    (void)state;
    char *answer = get_over_tls(NULL, 0, 0);
    assert_non_null(answer);
    assert_non_null(strstr(answer, "HTTP/1.1 200 OK"));
    assert_non_null(strstr(answer, "\r\n\r\nnone"));
    free(answer);

    static const char both[] = "\x02h2\x08http/1.1";
    answer = get_over_tls(both, sizeof both - 1, 1);
    assert_non_null(answer);
    assert_non_null(strstr(answer, "CN=prometheus"));
    free(answer);

    /* Only h2 offered: this listener speaks HTTP/1.1, so the handshake is refused. */
    assert_null(get_over_tls("\x02h2", 3, 0));
}

static void test_cleartext_client_is_closed(void **state)
{
    (void)state;
    int fd = connect_local();
    const char *req = "GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n";
    send(fd, req, strlen(req), MSG_NOSIGNAL);
    char buf[512];
    ssize_t n;
    size_t total = 0;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        total += (size_t)n;
    assert_true(n == 0 || n < 0);
    assert_null(memmem(buf, total < sizeof buf ? total : sizeof buf, "HTTP/1.1 200", 12));
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_over_tls),
        cmocka_unit_test(test_cleartext_client_is_closed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
