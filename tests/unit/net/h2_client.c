#include "h2_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct client {
    int fd;
    SSL *ssl;
    const struct h2c_request *request;
    struct h2c_response *response;
    size_t sent;
    size_t body_cap;
    int header_blocks;
    int done;
    int failed;
};

static ssize_t send_bytes(nghttp2_session *session, const uint8_t *data, size_t len, int flags,
                          void *arg)
{
    struct client *c = arg;
    size_t off = 0;
    while (off < len) {
        ssize_t n = c->ssl ? SSL_write(c->ssl, data + off, (int)(len - off))
                           : send(c->fd, data + off, len - off, MSG_NOSIGNAL);
        if (n <= 0) {
            c->failed = 1;
            return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
        off += (size_t)n;
    }
    return (ssize_t)len;
}

static ssize_t read_body(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                         uint32_t *flags, nghttp2_data_source *source, void *arg)
{
    struct client *c = arg;
    size_t left = c->request->body_len - c->sent;
    size_t n = left < length ? left : length;
    if (c->request->chunk != 0 && n > c->request->chunk)
        n = c->request->chunk;
    if (n > 0)
        memcpy(buf, c->request->body + c->sent, n);
    c->sent += n;
    if (c->sent == c->request->body_len)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

static int on_begin_headers(nghttp2_session *session, const nghttp2_frame *frame, void *arg)
{
    struct client *c = arg;
    if (frame->hd.type == NGHTTP2_HEADERS)
        c->header_blocks++;
    return 0;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                     size_t name_len, const uint8_t *value, size_t value_len, uint8_t flags,
                     void *arg)
{
    struct client *c = arg;
    char v[512];
    snprintf(v, sizeof v, "%.*s", (int)value_len, (const char *)value);
    if (name_len == 7 && memcmp(name, ":status", 7) == 0)
        c->response->http_status = atoi(v);
    else if (name_len == 11 && memcmp(name, "grpc-status", 11) == 0) {
        c->response->grpc_status = atoi(v);
        c->response->trailers_only = c->header_blocks == 1;
    } else if (name_len == 12 && memcmp(name, "grpc-message", 12) == 0)
        snprintf(c->response->grpc_message, sizeof c->response->grpc_message, "%s", v);
    return 0;
}

static int on_data(nghttp2_session *session, uint8_t flags, int32_t stream_id, const uint8_t *data,
                   size_t len, void *arg)
{
    struct client *c = arg;
    if (c->response->body_len + len > c->body_cap) {
        size_t cap = c->body_cap ? c->body_cap : 4096;
        while (cap < c->response->body_len + len)
            cap *= 2;
        uint8_t *grown = realloc(c->response->body, cap);
        if (grown == NULL)
            return NGHTTP2_ERR_CALLBACK_FAILURE;
        c->response->body = grown;
        c->body_cap = cap;
    }
    memcpy(c->response->body + c->response->body_len, data, len);
    c->response->body_len += len;
    return 0;
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *arg)
{
    struct client *c = arg;
    if (frame->hd.type == NGHTTP2_RST_STREAM && frame->hd.stream_id == 1) {
        c->response->reset = 1;
        c->response->reset_code = frame->rst_stream.error_code;
    }
    return 0;
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
                           void *arg)
{
    struct client *c = arg;
    if (stream_id == 1)
        c->done = 1;
    return 0;
}

static int connect_socket(const struct h2c_options *options)
{
    int fd;
    if (options->unix_path != NULL) {
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        snprintf(addr.sun_path, sizeof addr.sun_path, "%s", options->unix_path);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
            goto fail;
    } else {
        struct sockaddr_in addr = {.sin_family = AF_INET,
                                   .sin_port = htons((uint16_t)options->port)};
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
            goto fail;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
fail:
    if (fd >= 0)
        close(fd);
    return -1;
}

static SSL *start_tls(const struct h2c_options *options, int fd, SSL_CTX **ctx_out)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    *ctx_out = ctx;
    if (ctx == NULL)
        return NULL;
    static const unsigned char h2[] = {2, 'h', '2'};
    if (options->alpn != NULL)
        SSL_CTX_set_alpn_protos(ctx, (const unsigned char *)options->alpn,
                                (unsigned)strlen(options->alpn));
    else
        SSL_CTX_set_alpn_protos(ctx, h2, sizeof h2);
    if (options->ca_file != NULL) {
        SSL_CTX_load_verify_locations(ctx, options->ca_file, NULL);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
    if (options->cert_file != NULL &&
        (SSL_CTX_use_certificate_chain_file(ctx, options->cert_file) != 1 ||
         SSL_CTX_use_PrivateKey_file(ctx, options->key_file, SSL_FILETYPE_PEM) != 1))
        return NULL;
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL)
        return NULL;
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (SSL_connect(ssl) != 1) {
        SSL_free(ssl);
        return NULL;
    }
    const unsigned char *proto;
    unsigned len;
    SSL_get0_alpn_selected(ssl, &proto, &len);
    if (len != 2 || memcmp(proto, "h2", 2) != 0) {
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

int h2c_call(const struct h2c_options *options, const struct h2c_request *request,
             struct h2c_response *response)
{
    memset(response, 0, sizeof *response);
    response->grpc_status = -1;
    struct client c = {.request = request, .response = response};
    SSL_CTX *ctx = NULL;
    nghttp2_session *session = NULL;
    int result = -1;
    c.fd = connect_socket(options);
    if (c.fd < 0)
        return -1;
    if (options->tls) {
        c.ssl = start_tls(options, c.fd, &ctx);
        if (c.ssl == NULL)
            goto out;
    }
    nghttp2_session_callbacks *cb;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_send_callback(cb, send_bytes);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_session_client_new(&session, cb, &c);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, NULL, 0);

    nghttp2_nv nva[10];
    size_t n = 0;
#define ADD(name, value)                                                                           \
    nva[n++] = (nghttp2_nv){(uint8_t *)(name), (uint8_t *)(value), strlen(name), strlen(value),    \
                            NGHTTP2_NV_FLAG_NONE}
    ADD(":method", request->method ? request->method : "POST");
    ADD(":scheme", options->tls ? "https" : "http");
    ADD(":authority", "localhost");
    ADD(":path", request->path);
    const char *ct = request->content_type ? request->content_type : "application/grpc";
    if (ct[0] != '\0')
        ADD("content-type", ct);
    ADD("te", "trailers");
    for (int i = 0; i < 4 && request->header_names[i] != NULL; i++)
        ADD(request->header_names[i], request->header_values[i]);
#undef ADD
    nghttp2_data_provider provider = {.read_callback = read_body};
    if (nghttp2_submit_request(session, NULL, nva, n, &provider, NULL) != 1)
        goto out;
    int round = 0;
    while (!c.done) {
        if (nghttp2_session_send(session) != 0 || c.failed)
            goto out;
        if (round++ == 0 && request->then == H2C_ABANDON) {
            result = 0;
            goto out;
        }
        if (round == 1 && request->then == H2C_RESET) {
            nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, 1, NGHTTP2_CANCEL);
            continue;
        }
        uint8_t buf[16384];
        ssize_t got = c.ssl ? SSL_read(c.ssl, buf, sizeof buf) : recv(c.fd, buf, sizeof buf, 0);
        if (got <= 0)
            goto out;
        if (nghttp2_session_mem_recv(session, buf, (size_t)got) < 0)
            goto out;
    }
    result = 0;
out:
    if (session != NULL)
        nghttp2_session_del(session);
    if (c.ssl != NULL) {
        SSL_shutdown(c.ssl);
        SSL_free(c.ssl);
    }
    SSL_CTX_free(ctx);
    close(c.fd);
    ERR_clear_error();
    return result;
}

int h2c_messages(const uint8_t *body, size_t len, const uint8_t **data, size_t *lens, int max)
{
    int count = 0;
    size_t at = 0;
    while (at < len) {
        if (len - at < 5 || body[at] != 0)
            return -1;
        size_t n = (size_t)body[at + 1] << 24 | (size_t)body[at + 2] << 16 |
                   (size_t)body[at + 3] << 8 | body[at + 4];
        if (len - at - 5 < n)
            return -1;
        if (count < max) {
            data[count] = body + at + 5;
            lens[count] = n;
        }
        count++;
        at += 5 + n;
    }
    return count;
}
