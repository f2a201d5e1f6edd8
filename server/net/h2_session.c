/* One accepted connection: the libuv stream, optional TLS and its nghttp2 server
 * session. */
#include "h2_session.h"

#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grpc_call_internal.h"
#include "grpc_server_internal.h"
#include "ims/error.h"
#include "listener.h"

/* A bigger stream window than HTTP/2's 64 KiB keeps large messages from stalling. */
#define STREAM_WINDOW_BYTES (1 << 20)
#define CONNECTION_WINDOW_BYTES (4 << 20)

/* Tells the owner something about this connection. */
static void conn_event(const struct h2_conn *conn, enum net_event_kind kind, const char *reason,
                       const char *error)
{
    struct net_event ev = {
        .kind = kind, .conn = conn->id, .peer = conn->peer, .reason = reason, .error = error};
    grpc_server_event(conn->server, &ev);
}

static void conn_set_state(struct h2_conn *conn, enum h2_conn_state next)
{
    switch (next) {
    case H2_CONN_HANDSHAKE:
        assert(0 && "a connection never returns to the handshake");
        break;
    case H2_CONN_OPEN:
        assert(conn->state == H2_CONN_HANDSHAKE);
        break;
    case H2_CONN_DRAINING:
        assert(conn->state == H2_CONN_OPEN || conn->state == H2_CONN_HANDSHAKE);
        break;
    case H2_CONN_CLOSING:
        assert(conn->state < H2_CONN_CLOSING);
        break;
    case H2_CONN_CLOSED:
        assert(conn->state == H2_CONN_CLOSING);
        break;
    }
    conn->state = next;
}

void h2_conn_ref(struct h2_conn *conn)
{
    conn->refs++;
}

void h2_conn_unref(struct h2_conn *conn)
{
    assert(conn->refs > 0);
    if (--conn->refs > 0)
        return;
    struct grpc_server *server = conn->server;
    free(conn->client_subject);
    free(conn);
    grpc_server_release(server);
}

static void on_conn_closed(uv_handle_t *handle)
{
    struct h2_conn *conn = container_of(handle, struct h2_conn, h.handle);
    conn_set_state(conn, H2_CONN_CLOSED);
    /* Before the unref: the last reference may free the server. */
    grpc_server_conn_closed(conn->server);
    h2_conn_unref(conn);
}

void h2_conn_close(struct h2_conn *conn, const char *reason)
{
    if (conn->state >= H2_CONN_CLOSING)
        return;
    assert(!conn->in_session);
    conn_set_state(conn, H2_CONN_CLOSING);
    conn_event(conn, NET_EVENT_CONN_CLOSED, reason, NULL);
    while (conn->calls != NULL)
        grpc_call_stream_closed(conn->calls);
    if (conn->session != NULL)
        nghttp2_session_del(conn->session);
    conn->session = NULL;
    if (conn->is_tls)
        tls_session_free(&conn->tls);
    struct grpc_server *server = conn->server;
    if (conn->budget_stalled) {
        conn->budget_stalled = 0;
        server->stalled_conns--;
    }
    if (conn->address[0] != '\0')
        peer_count_release(&server->peers, conn->address);
    h2_timer_close(conn);
    if (conn->prev != NULL)
        conn->prev->next = conn->next;
    else
        server->conns = conn->next;
    if (conn->next != NULL)
        conn->next->prev = conn->prev;
    conn->prev = conn->next = NULL;
    uv_close(&conn->h.handle, on_conn_closed);
}

/* Stops producing and closes once what is queued has been written. */
static void conn_fail(struct h2_conn *conn, const char *reason)
{
    if (conn->close_reason == NULL)
        conn->close_reason = reason;
    conn->input_done = 1;
    if (conn->reading) {
        uv_read_stop(&conn->h.stream);
        conn->reading = 0;
    }
}

static void conn_maybe_close(struct h2_conn *conn)
{
    if (conn->write_pending || conn->state >= H2_CONN_CLOSING)
        return;
    if (conn->close_reason != NULL) {
        h2_conn_close(conn, conn->close_reason);
        return;
    }
    if (conn->state == H2_CONN_HANDSHAKE)
        return;
    if (!nghttp2_session_want_read(conn->session) && !nghttp2_session_want_write(conn->session))
        h2_conn_close(conn, conn->end_reason != NULL       ? conn->end_reason
                            : conn->state == H2_CONN_DRAINING ? "drained"
                                                              : "session ended");
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    /* One buffer for every connection: each read is handled before the next one. */
    struct h2_conn *conn = container_of(handle, struct h2_conn, h.handle);
    (void)suggested;
    buf->base = conn->server->read_buffer;
    buf->len = H2_READ_BUFFER_BYTES;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

static void conn_update_reading(struct h2_conn *conn)
{
    /* Back-pressure: while the kernel has not taken our last write, the peer is not
     * reading, so we stop reading it (and stop producing answers for it). */
    int want = conn->state < H2_CONN_CLOSING && !conn->input_done &&
               !(conn->write_pending && uv_stream_get_write_queue_size(&conn->h.stream) > 0);
    if (want && !conn->reading) {
        int rc = uv_read_start(&conn->h.stream, on_alloc, on_read);
        if (rc < 0) {
            conn_fail(conn, uv_strerror(rc));
            return;
        }
        conn->reading = 1;
    } else if (!want && conn->reading) {
        uv_read_stop(&conn->h.stream);
        conn->reading = 0;
    }
}

static void on_write(uv_write_t *req, int status)
{
    struct conn_write *write = container_of(req, struct conn_write, req);
    struct h2_conn *conn = write->conn;
    write_give_back(conn->server, write);
    conn->write_pending = 0;
    if (conn->state >= H2_CONN_CLOSING)
        return;
    if (status < 0) {
        h2_conn_close(conn, uv_strerror(status));
        return;
    }
    conn_update_reading(conn);
    h2_conn_flush(conn);
}

/* Moves nghttp2's output (through TLS when on) into one write buffer. */
static int conn_collect_output(struct h2_conn *conn, struct conn_write **write)
{
    if (conn->close_reason != NULL && !conn->is_tls)
        return 0;
    if (conn->state != H2_CONN_HANDSHAKE && conn->close_reason == NULL) {
        size_t total = 0;
        conn->in_session++;
        while (total < H2_WRITE_BATCH_BYTES) {
            const uint8_t *data;
            ssize_t n = nghttp2_session_mem_send(conn->session, &data);
            if (n < 0) {
                conn->in_session--;
                conn_event(conn, NET_EVENT_HTTP2_SEND_FAILED, NULL, nghttp2_strerror((int)n));
                conn_fail(conn, "http2 send failed");
                return IMS_EPROTO;
            }
            if (n == 0)
                break;
            int rc = conn->is_tls ? tls_session_write(&conn->tls, data, (size_t)n)
                                  : write_append(write, data, (size_t)n);
            if (rc < 0) {
                conn->in_session--;
                conn_fail(conn, "output failed");
                return rc;
            }
            total += (size_t)n;
        }
        conn->in_session--;
    }
    if (conn->is_tls) {
        size_t pending = tls_session_pending_output(&conn->tls);
        while (pending > 0) {
            uint8_t chunk[16384];
            size_t n = tls_session_take_output(&conn->tls, chunk, sizeof chunk);
            if (n == 0)
                break;
            if (write_append(write, chunk, n) < 0) {
                conn_fail(conn, "out of memory");
                return IMS_ENOMEM;
            }
            pending -= n < pending ? n : pending;
        }
    }
    return 0;
}

void h2_conn_flush(struct h2_conn *conn)
{
    if (conn->state >= H2_CONN_CLOSING || conn->write_pending || conn->in_session)
        return;
    struct conn_write *write = write_take(conn->server);
    int rc = conn_collect_output(conn, &write);
    (void)rc; /* on failure close_reason is set: what was gathered still goes out */
    if (write == NULL || write->len == 0) {
        write_give_back(conn->server, write);
        conn_maybe_close(conn);
        return;
    }
    write->conn = conn;
    uv_buf_t buf = uv_buf_init((char *)write->data, (unsigned)write->len);
    rc = uv_write(&write->req, &conn->h.stream, &buf, 1, on_write);
    if (rc < 0) {
        write_give_back(conn->server, write);
        h2_conn_close(conn, uv_strerror(rc));
        return;
    }
    conn->write_pending = 1;
    conn->server->stats.bytes_out += write->len;
    conn_update_reading(conn);
}

void h2_conn_drain(struct h2_conn *conn)
{
    if (conn->state == H2_CONN_HANDSHAKE) {
        h2_conn_close(conn, "shutdown");
        return;
    }
    if (conn->state != H2_CONN_OPEN)
        return;
    int last = nghttp2_session_get_last_proc_stream_id(conn->session);
    if (nghttp2_submit_goaway(conn->session, NGHTTP2_FLAG_NONE, last, NGHTTP2_NO_ERROR, NULL, 0) !=
        0) {
        conn_fail(conn, "goaway failed");
    }
    conn_set_state(conn, H2_CONN_DRAINING);
    h2_conn_flush(conn);
}

/* --- nghttp2 callbacks --- */

static struct grpc_call *stream_call(nghttp2_session *session, int32_t stream_id)
{
    return nghttp2_session_get_stream_user_data(session, stream_id);
}

static int on_begin_headers(nghttp2_session *session, const nghttp2_frame *frame, void *arg)
{
    struct h2_conn *conn = arg;
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    if (conn->headers_since_ms == 0)
        conn->headers_since_ms = uv_now(conn->server->loop);
    struct grpc_call *call = grpc_call_new(conn, frame->hd.stream_id);
    conn->idle_since_ms = 0;
    h2_timer_update(conn);
    if (call == NULL) {
        conn_event(conn, NET_EVENT_STREAM_REFUSED, "out of memory", NULL);
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    if (nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, call) != 0) {
        grpc_call_stream_closed(call);
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    return 0;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
                     size_t name_len, const uint8_t *value, size_t value_len, uint8_t flags,
                     void *arg)
{
    struct h2_conn *conn = arg;
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0; /* request trailers carry nothing gRPC uses */
    struct grpc_call *call = stream_call(session, frame->hd.stream_id);
    if (call == NULL)
        return 0;
    int rc = grpc_call_add_header(call, name, name_len, value, value_len);
    if (rc < 0) {
        struct net_event ev = {.kind = NET_EVENT_STREAM_RESET,
                               .conn = conn->id,
                               .peer = conn->peer,
                               .stream = frame->hd.stream_id,
                               .reason =
                                   rc == IMS_ETOOBIG ? "header list too large" : "out of memory"};
        grpc_server_event(conn->server, &ev);
        /* nghttp2 resets the stream and reports no frame for this block: its timer stops
         * when the stream closes (on_stream_close). */
        conn->refused_block = frame->hd.stream_id;
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    return 0;
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *arg)
{
    struct h2_conn *conn = arg;
    struct grpc_call *call;
    switch (frame->hd.type) {
    case NGHTTP2_SETTINGS:
        if (!(frame->hd.flags & NGHTTP2_FLAG_ACK))
            conn->preface_done = 1;
        return 0;
    case NGHTTP2_HEADERS:
        conn->headers_since_ms = 0;
        conn->block_bytes = 0;
        call = stream_call(session, frame->hd.stream_id);
        if (call == NULL)
            return 0;
        if (frame->headers.cat == NGHTTP2_HCAT_REQUEST)
            grpc_call_headers_done(call);
        if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
            grpc_call_receive_end(call);
        return 0;
    case NGHTTP2_DATA:
        if (!(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
            return 0;
        call = stream_call(session, frame->hd.stream_id);
        if (call != NULL)
            grpc_call_receive_end(call);
        return 0;
    default:
        return 0;
    }
}

static int on_data_chunk_recv(nghttp2_session *session, uint8_t flags, int32_t stream_id,
                              const uint8_t *data, size_t len, void *arg)
{
    struct grpc_call *call = stream_call(session, stream_id);
    if (call == NULL) {
        (void)nghttp2_session_consume(session, stream_id, len);
        return 0;
    }
    /* The window is given back once the bytes are handled (flow.c). */
    h2_flow_received(call, len);
    grpc_call_receive_data(call, data, len);
    h2_flow_ack(call);
    return 0;
}

/* A request header block (HEADERS and its CONTINUATION frames) is bounded on the wire
 * too: decoded headers are capped per stream, but a block could go on without end. */
static int on_begin_frame(nghttp2_session *session, const nghttp2_frame_hd *hd, void *arg)
{
    struct h2_conn *conn = arg;
    (void)session;
    if (hd->type == NGHTTP2_HEADERS)
        conn->block_bytes = hd->length;
    else if (hd->type == NGHTTP2_CONTINUATION)
        conn->block_bytes += hd->length;
    else
        return 0;
    size_t limit = conn->server->config.max_header_list_bytes ? conn->server->config.max_header_list_bytes
                                                           : H2_MAX_HEADER_LIST_BYTES;
    if (conn->block_bytes > 2 * limit + 16384) {
        conn_event(conn, NET_EVENT_HTTP2_PROTOCOL_ERROR, "header block too large", NULL);
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
}

static int on_frame_send(nghttp2_session *session, const nghttp2_frame *frame, void *arg)
{
    if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) ||
        !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
        return 0;
    /* The response is complete while the client still sends: tell it to stop. */
    struct grpc_call *call = stream_call(session, frame->hd.stream_id);
    if (call != NULL && grpc_call_needs_reset(call))
        nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                  NGHTTP2_NO_ERROR);
    return 0;
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
                           void *arg)
{
    struct h2_conn *conn = arg;
    if (stream_id == conn->refused_block) {
        conn->refused_block = 0;
        conn->headers_since_ms = 0;
    }
    struct grpc_call *call = stream_call(session, stream_id);
    if (call != NULL)
        grpc_call_stream_closed(call);
    return 0;
}

static int on_error(nghttp2_session *session, int lib_error_code, const char *msg, size_t len,
                    void *arg)
{
    struct h2_conn *conn = arg;
    char detail[256];
    snprintf(detail, sizeof detail, "%.*s", (int)(len < sizeof detail ? len : sizeof detail - 1),
             msg);
    struct net_event ev = {.kind = NET_EVENT_HTTP2_PROTOCOL_ERROR,
                           .conn = conn->id,
                           .peer = conn->peer,
                           .detail = detail};
    grpc_server_event(conn->server, &ev);
    return 0;
}

static int conn_session_new(struct h2_conn *conn)
{
    nghttp2_session_callbacks *callbacks;
    if (nghttp2_session_callbacks_new(&callbacks) != 0)
        return IMS_ENOMEM;
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_chunk_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, on_frame_send);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
    nghttp2_session_callbacks_set_error_callback2(callbacks, on_error);
    nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks, on_begin_frame);
    nghttp2_option *option;
    if (nghttp2_option_new(&option) != 0) {
        nghttp2_session_callbacks_del(callbacks);
        return IMS_ENOMEM;
    }
    /* Windows are given back by flow.c as bytes are handled, not as they arrive. */
    nghttp2_option_set_no_auto_window_update(option, 1);
    /* gRPC has no use for RFC 7540 priorities: closed streams are not kept for a
     * dependency tree (see also the setting below). */
    nghttp2_option_set_no_closed_streams(option, 1);
    int rc = nghttp2_session_server_new2(&conn->session, callbacks, conn, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);
    if (rc != 0)
        return IMS_ENOMEM;
    const struct grpc_server_config *c = &conn->server->config;
    nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, c->max_concurrent_streams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW_BYTES},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
         c->max_header_list_bytes ? c->max_header_list_bytes : H2_MAX_HEADER_LIST_BYTES},
        {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
    };
    if (nghttp2_submit_settings(conn->session, NGHTTP2_FLAG_NONE, settings,
                                sizeof settings / sizeof settings[0]) != 0 ||
        nghttp2_session_set_local_window_size(conn->session, NGHTTP2_FLAG_NONE, 0,
                                              CONNECTION_WINDOW_BYTES) != 0)
        return IMS_ENOMEM;
    return 0;
}

/* --- input --- */

/* Returns 0, or -1 when the connection failed. */
static int conn_feed_session(struct h2_conn *conn, const uint8_t *data, size_t len)
{
    conn->in_session++;
    ssize_t rc = nghttp2_session_mem_recv(conn->session, data, len);
    conn->in_session--;
    if (rc >= 0)
        return 0;
    conn_event(conn, NET_EVENT_HTTP2_PROTOCOL_ERROR, NULL, nghttp2_strerror((int)rc));
    /* GOAWAY where the session can still say it, then close. */
    nghttp2_session_terminate_session(conn->session, NGHTTP2_PROTOCOL_ERROR);
    /* Nothing more is read; once the GOAWAY is out nghttp2 wants neither to read nor to
     * write, and conn_maybe_close() ends the connection. */
    conn->input_done = 1;
    conn_update_reading(conn);
    return -1;
}

static void conn_handshake_done(struct h2_conn *conn)
{
    if (!tls_session_alpn_is_h2(&conn->tls)) {
        conn_event(conn, NET_EVENT_TLS_REFUSED, "client did not offer h2", NULL);
        conn_fail(conn, "no h2 in ALPN");
        return;
    }
    conn->client_subject = tls_session_client_subject(&conn->tls);
    conn_set_state(conn, H2_CONN_OPEN);
    conn->opened_ms = uv_now(conn->server->loop);
    h2_timer_update(conn);
    struct net_event ev = {.kind = NET_EVENT_TLS_ESTABLISHED,
                           .conn = conn->id,
                           .peer = conn->peer,
                           .client_cert = conn->client_subject != NULL};
    grpc_server_event(conn->server, &ev);
}

static void conn_receive_tls(struct h2_conn *conn, const uint8_t *data, size_t len)
{
    if (tls_session_feed(&conn->tls, data, len) < 0) {
        conn_fail(conn, "out of memory");
        return;
    }
    if (conn->state == H2_CONN_HANDSHAKE) {
        int rc = tls_session_handshake(&conn->tls);
        if (rc == 1)
            return;
        if (rc < 0) {
            char reason[256];
            tls_error_text(reason, sizeof reason);
            conn_event(conn, NET_EVENT_TLS_HANDSHAKE_FAILED, NULL, reason);
            conn_fail(conn, "tls handshake failed");
            return;
        }
        conn_handshake_done(conn);
        if (conn->close_reason != NULL)
            return;
    }
    for (;;) {
        uint8_t plain[16384];
        long n = tls_session_read(&conn->tls, plain, sizeof plain);
        if (n == 0)
            return;
        if (n == IMS_ECLOSED) {
            conn_fail(conn, "peer sent close_notify");
            return;
        }
        if (n < 0) {
            char reason[256];
            tls_error_text(reason, sizeof reason);
            conn_event(conn, NET_EVENT_TLS_ERROR, NULL, reason);
            conn_fail(conn, "tls error");
            return;
        }
        if (conn_feed_session(conn, plain, (size_t)n) < 0)
            return;
    }
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct h2_conn *conn = container_of(stream, struct h2_conn, h.stream);
    if (nread == 0)
        return;
    if (nread > 0) {
        conn->server->stats.bytes_in += (uint64_t)nread;
        conn->last_read_ms = uv_now(conn->server->loop);
        conn->ping_sent_ms = 0;
    }
    if (nread < 0) {
        h2_conn_close(conn, nread == UV_EOF ? "peer closed" : uv_strerror((int)nread));
        return;
    }
    if (conn->state >= H2_CONN_CLOSING || !conn->reading)
        return;
    if (conn->is_tls)
        conn_receive_tls(conn, (const uint8_t *)buf->base, (size_t)nread);
    else
        (void)conn_feed_session(conn, (const uint8_t *)buf->base, (size_t)nread);
    h2_conn_flush(conn);
}

/* --- accept --- */

static void conn_describe_peer(struct h2_conn *conn)
{
    if (conn->h.handle.type == UV_NAMED_PIPE) {
        snprintf(conn->peer, sizeof conn->peer, "unix");
        conn->is_local = 1;
        return;
    }
    struct sockaddr_storage addr;
    int len = sizeof addr;
    snprintf(conn->peer, sizeof conn->peer, "unknown");
    if (uv_tcp_getpeername(&conn->h.tcp, (struct sockaddr *)&addr, &len) < 0)
        return;
    char ip[INET6_ADDRSTRLEN];
    if (addr.ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&addr;
        uv_ip4_name(in, ip, sizeof ip);
        snprintf(conn->peer, sizeof conn->peer, "%s:%u", ip, ntohs(in->sin_port));
        snprintf(conn->address, sizeof conn->address, "%s", ip);
        conn->is_local = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&addr;
        uv_ip6_name(in6, ip, sizeof ip);
        snprintf(conn->peer, sizeof conn->peer, "[%s]:%u", ip, ntohs(in6->sin6_port));
        /* Counted by /64, the least a site is given: one peer holds many addresses. An
         * IPv4 address mapped into IPv6 is counted as that IPv4 address. */
        const uint8_t *b = in6->sin6_addr.s6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            snprintf(conn->address, sizeof conn->address, "%u.%u.%u.%u", b[12], b[13], b[14],
                     b[15]);
        } else {
            struct in6_addr net = in6->sin6_addr;
            memset(net.s6_addr + 8, 0, 8);
            char prefix[INET6_ADDRSTRLEN];
            if (inet_ntop(AF_INET6, &net, prefix, sizeof prefix) != NULL)
                snprintf(conn->address, sizeof conn->address, "%s/64", prefix);
        }
        conn->is_local =
            IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
            (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127);
    }
}

/* A connection object for a socket about to be accepted or adopted, counted in the
 * server; NULL (told to the owner) when it cannot be made. */
static struct h2_conn *conn_new(struct grpc_server *server, int is_pipe, int tls)
{
    struct h2_conn *conn = calloc(1, sizeof *conn);
    if (conn == NULL) {
        struct net_event ev = {.kind = NET_EVENT_CONN_DROPPED, .reason = "out of memory"};
        grpc_server_event(server, &ev);
        return NULL;
    }
    conn->server = server;
    conn->refs = 1;
    conn->id = ++server->next_conn_id;
    int rc = is_pipe ? uv_pipe_init(server->loop, &conn->h.pipe, 0)
                     : uv_tcp_init(server->loop, &conn->h.tcp);
    if (rc < 0) {
        free(conn);
        struct net_event ev = {.kind = NET_EVENT_CONN_DROPPED, .error = uv_strerror(rc)};
        grpc_server_event(server, &ev);
        return NULL;
    }
    server->live++;
    h2_timer_init(conn); /* the timer holds a reference until its handle is closed */
    conn->next = server->conns;
    if (server->conns != NULL)
        server->conns->prev = conn;
    server->conns = conn;
    server->stats.connections++;
    server->stats.connections_total++;
    conn->state = tls ? H2_CONN_HANDSHAKE : H2_CONN_OPEN;
    return conn;
}

/* The socket is connected: limits, then the session (and TLS), then reading. */
static void conn_begin(struct h2_conn *conn, int tls, int is_tcp)
{
    struct grpc_server *server = conn->server;
    conn_describe_peer(conn);
    /* Over a limit the connection is accepted (so the backlog drains) and closed at once. */
    if (server->config.max_connections != 0 &&
        server->stats.connections > server->config.max_connections) {
        server->stats.connections_refused++;
        h2_conn_close(conn, "too many connections");
        return;
    }
    if (conn->address[0] != '\0') {
        int rc = peer_count_acquire(&server->peers, conn->address,
                                    server->config.max_connections_per_address);
        if (rc < 0) {
            conn->address[0] = '\0'; /* not counted */
            server->stats.connections_refused++;
            h2_conn_close(conn, rc == IMS_EUNAVAILABLE ? "too many connections from this address"
                                                       : "out of memory");
            return;
        }
    }
    if (is_tcp)
        (void)uv_tcp_nodelay(&conn->h.tcp, 1);
    struct net_event ev = {
        .kind = NET_EVENT_CONN_OPEN, .conn = conn->id, .peer = conn->peer, .tls = tls};
    grpc_server_event(server, &ev);
    if (conn_session_new(conn) < 0) {
        h2_conn_close(conn, "out of memory");
        return;
    }
    if (tls) {
        if (tls_session_init(&conn->tls, server->tls_ctx) < 0) {
            h2_conn_close(conn, "out of memory");
            return;
        }
        conn->is_tls = 1;
    }
    conn_update_reading(conn);
    h2_conn_flush(conn);
    h2_timer_update(conn);
}

void h2_conn_accept(struct net_listener *listener)
{
    struct h2_conn *conn = conn_new(listener->server, listener->port < 0, listener->tls);
    if (conn == NULL)
        return;
    int rc = uv_accept(&listener->h.stream, &conn->h.stream);
    if (rc < 0) {
        snprintf(conn->peer, sizeof conn->peer, "unknown");
        h2_conn_close(conn, uv_strerror(rc));
        return;
    }
    conn_begin(conn, listener->tls, listener->port >= 0);
}

int h2_conn_adopt(struct grpc_server *server, int fd)
{
    struct h2_conn *conn = conn_new(server, 1, 0);
    if (conn == NULL) {
        close(fd);
        return IMS_ENOMEM;
    }
    int rc = uv_pipe_open(&conn->h.pipe, fd);
    if (rc < 0) {
        snprintf(conn->peer, sizeof conn->peer, "unknown");
        h2_conn_close(conn, uv_strerror(rc));
        return IMS_EIO;
    }
    conn_begin(conn, 0, 0);
    return 0;
}

void h2_conn_timeout(struct h2_conn *conn, const char *reason, int idle)
{
    if (conn->state >= H2_CONN_CLOSING)
        return;
    struct net_event ev = {
        .kind = NET_EVENT_CONN_TIMEOUT, .conn = conn->id, .peer = conn->peer, .reason = reason};
    grpc_server_event(conn->server, &ev);
    if (conn->session == NULL || conn->state == H2_CONN_HANDSHAKE || conn->close_reason != NULL) {
        h2_conn_close(conn, reason);
        return;
    }
    /* GOAWAY says why; the socket closes once it is written, or within a second. Streams
     * still open end with the connection. */
    conn->end_reason = reason;
    conn->hard_close_ms = uv_now(conn->server->loop) + 1000;
    conn->input_done = 1;
    conn_update_reading(conn);
    (void)nghttp2_session_terminate_session2(
        conn->session, nghttp2_session_get_last_proc_stream_id(conn->session),
        idle ? NGHTTP2_NO_ERROR : NGHTTP2_ENHANCE_YOUR_CALM);
    h2_conn_flush(conn);
}

void h2_conn_ping(struct h2_conn *conn)
{
    if (conn->session == NULL || conn->state != H2_CONN_OPEN)
        return;
    if (nghttp2_submit_ping(conn->session, NGHTTP2_FLAG_NONE, NULL) == 0)
        h2_conn_flush(conn);
}
