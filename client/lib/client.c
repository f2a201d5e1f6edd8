/*
 * The client connection and the gRPC call machinery for unary calls: an nghttp2 client
 * session fed by hand (mem_send / mem_recv) over a transport that waits with
 * poll(). Exactly one call is in flight at a time, so the session's callbacks
 * always work on c->call.
 */
#include "ims/client.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nghttp2/nghttp2.h>

#include "client_internal.h"

/* The status a gRPC client reports for a local failure. */
static int status_for_local(int err)
{
    switch (err) {
    case IMS_ETIMEDOUT:
        return IMS_GRPC_DEADLINE_EXCEEDED;
    case IMS_ECONNREFUSED:
    case IMS_ECLOSED:
    case IMS_EIO:
    case IMS_ETLS:
    case IMS_EUNAVAILABLE:
        return IMS_GRPC_UNAVAILABLE;
    case IMS_ETOOBIG:
    case IMS_ENOMEM:
        return IMS_GRPC_RESOURCE_EXHAUSTED;
    case IMS_EINVAL:
        return IMS_GRPC_INVALID_ARGUMENT;
    case IMS_EINTR:
        return IMS_GRPC_CANCELLED;
    default:
        return IMS_GRPC_INTERNAL;
    }
}

__attribute__((format(printf, 3, 4))) int ims__fail(ims_client *c, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof(c->error), fmt, ap);
    va_end(ap);
    c->grpc_status = status_for_local(err);
    return err;
}

void ims__succeed(ims_client *c)
{
    c->error[0] = '\0';
    c->grpc_status = IMS_GRPC_OK;
}

const char *ims_client_error(const ims_client *c)
{
    return c->error;
}

int ims_client_grpc_status(const ims_client *c)
{
    return c->grpc_status;
}

int ims_client_cleartext_remote(const ims_client *c)
{
    const ims__address *a = &c->address;
    if (a->kind != IMS__ADDRESS_TCP || a->tls)
        return 0;
    return strcasecmp(a->host, "localhost") != 0 && strncmp(a->host, "127.", 4) != 0 &&
           strcmp(a->host, "::1") != 0;
}

int ims_client_new(const ims_client_options *o, ims_client **out, char *err, size_t errlen)
{
    char scratch[8];
    if (err == NULL || errlen == 0) {
        err = scratch;
        errlen = sizeof(scratch);
    }
    err[0] = '\0';
    if (o->timeout_ms < 0) {
        snprintf(err, errlen, "timeout must not be negative");
        return IMS_EINVAL;
    }
    ims_client *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return IMS_ENOMEM;
    c->transport.fd = -1;
    c->timeout_ms = o->timeout_ms;
    int rc = ims__address_parse(o->server, &c->address, err, errlen);
    if (rc != 0)
        goto fail;
    if (o->token && o->token[0]) {
        size_t n = strlen(o->token) + sizeof("Bearer ");
        c->authorization = malloc(n);
        if (c->authorization == NULL) {
            rc = IMS_ENOMEM;
            goto fail;
        }
        snprintf(c->authorization, n, "Bearer %s", o->token);
    }
    if (c->address.tls) {
        rc = ims__tls_context_new(o->ca_file, o->cert_file, o->key_file, &c->tls, err, errlen);
        if (rc != 0)
            goto fail;
    } else if ((o->cert_file && o->cert_file[0]) || (o->key_file && o->key_file[0])) {
        snprintf(err, errlen, "a client certificate needs an https:// server address");
        rc = IMS_EINVAL;
        goto fail;
    }
    *out = c;
    return 0;
fail:
    ims_client_free(c);
    return rc;
}

static void disconnect(ims_client *c)
{
    if (c->session) {
        nghttp2_session_del(c->session);
        c->session = NULL;
    }
    ims__transport_close(&c->transport);
}

void ims_client_free(ims_client *c)
{
    if (c == NULL)
        return;
    disconnect(c);
    SSL_CTX_free(c->tls);
    if (c->authorization) {
        memset(c->authorization, 0, strlen(c->authorization));
        free(c->authorization);
    }
    free(c);
}

int ims_client_set_timeout(ims_client *c, int timeout_ms)
{
    if (timeout_ms < 0)
        return ims__fail(c, IMS_EINVAL, "timeout must not be negative");
    c->timeout_ms = timeout_ms;
    return 0;
}

/* ---- nghttp2 callbacks: they only record what arrived in the current call. */

static call *call_of(ims_client *c, int32_t stream_id)
{
    return c->call && c->call->stream_id == stream_id ? c->call : NULL;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *user)
{
    ims_client *c = user;
    call *k = call_of(c, frame->hd.stream_id);
    if (k == NULL || frame->hd.type != NGHTTP2_HEADERS)
        return 0;
    k->got_frame = true;
    if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
        int st = 0;
        for (size_t i = 0; i < valuelen && i < 3; i++)
            st = st * 10 + (value[i] - '0');
        k->http_status = st;
    } else if (namelen == 12 && memcmp(name, "content-type", 12) == 0) {
        k->content_type_grpc = valuelen >= 16 && memcmp(value, "application/grpc", 16) == 0 &&
                               (valuelen == 16 || value[16] == '+' || value[16] == ';');
    } else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
        int st = 0;
        bool ok = valuelen > 0 && valuelen < 4;
        for (size_t i = 0; ok && i < valuelen; i++) {
            if (value[i] < '0' || value[i] > '9')
                ok = false;
            else
                st = st * 10 + (value[i] - '0');
        }
        k->have_grpc_status = true;
        k->grpc_status = ok ? st : IMS_GRPC_UNKNOWN;
    } else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0) {
        free(k->grpc_message);
        k->grpc_message = ims__percent_decode((const char *)value, valuelen);
        if (k->grpc_message == NULL) {
            k->local_error = IMS_ENOMEM;
            return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
    }
    return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data,
                         size_t len, void *user)
{
    ims_client *c = user;
    call *k = call_of(c, stream_id);
    if (k == NULL)
        return 0;
    k->got_frame = true;
    int rc = ims__deframer_feed(&k->in, data, len);
    if (rc != 0) {
        k->local_error = rc; /* the stream ends now, not after whatever else is sent */
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *user)
{
    ims_client *c = user;
    call *k = call_of(c, stream_id);
    if (k != NULL) {
        k->closed = true;
        k->close_error = error_code;
    }
    return 0;
}

static ssize_t read_body(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length,
                         uint32_t *data_flags, nghttp2_data_source *source, void *user)
{
    call *k = source->ptr;
    size_t avail = k->out_len - k->out_off;
    if (avail == 0 && !k->out_eof) {
        k->deferred = true;
        return NGHTTP2_ERR_DEFERRED;
    }
    size_t n = avail < length ? avail : length;
    memcpy(buf, k->out + k->out_off, n);
    k->out_off += n;
    /* The buffer is compacted by out_reserve(), not here: a retry on a new
       connection rewinds out_off to send the same body again. */
    if (k->out_off == k->out_len && k->out_eof)
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

/* ---- the connection */

int ims__flush(ims_client *c, long long deadline)
{
    for (;;) {
        const uint8_t *data;
        ssize_t n = nghttp2_session_mem_send(c->session, &data);
        if (n < 0)
            return ims__fail(c, IMS_EPROTO, "HTTP/2: %s", nghttp2_strerror((int)n));
        if (n == 0)
            return 0;
        int rc = ims__transport_write(&c->transport, data, (size_t)n, deadline, c->error,
                                      sizeof(c->error));
        if (rc != 0) {
            c->grpc_status = status_for_local(rc);
            return rc;
        }
    }
}

/* Reads once (waiting up to the deadline), feeds nghttp2 and sends what it answers. */
int ims__read_once(ims_client *c, long long deadline)
{
    uint8_t buf[16384];
    size_t n = 0;
    /* A server that never stops sending does not hold a call past its deadline. */
    if (deadline > 0 && ims__now_ms() >= deadline) {
        snprintf(c->error, sizeof(c->error), "deadline exceeded");
        c->grpc_status = status_for_local(IMS_ETIMEDOUT);
        return IMS_ETIMEDOUT;
    }
    int rc = ims__transport_read(&c->transport, buf, sizeof(buf), &n, deadline, c->error,
                                 sizeof(c->error));
    if (rc != 0) {
        if (rc == IMS_ETIMEDOUT && deadline != IMS__DEADLINE_NOW)
            snprintf(c->error, sizeof(c->error), "deadline exceeded");
        c->grpc_status = status_for_local(rc);
        return rc;
    }
    ssize_t r = nghttp2_session_mem_recv(c->session, buf, n);
    if (r < 0) {
        if (r == NGHTTP2_ERR_CALLBACK_FAILURE && c->call && c->call->local_error == IMS_ETOOBIG)
            return ims__fail(c, IMS_ETOOBIG,
                             "response message larger than %u bytes, or too many held",
                             IMS_CLIENT_MAX_MESSAGE);
        if (r == NGHTTP2_ERR_CALLBACK_FAILURE && c->call && c->call->local_error)
            return ims__fail(c, c->call->local_error, "%s", ims_strerror(c->call->local_error));
        return ims__fail(c, IMS_EPROTO, "HTTP/2: %s", nghttp2_strerror((int)r));
    }
    return ims__flush(c, deadline);
}

static int session_open(ims_client *c, long long deadline)
{
    int rc = ims__transport_connect(&c->transport, &c->address, c->tls, deadline, c->error,
                                    sizeof(c->error));
    if (rc != 0) {
        c->grpc_status = status_for_local(rc);
        return rc;
    }
    nghttp2_session_callbacks *cb;
    if (nghttp2_session_callbacks_new(&cb) != 0) {
        disconnect(c);
        return ims__fail(c, IMS_ENOMEM, "out of memory");
    }
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    int r = nghttp2_session_client_new(&c->session, cb, c);
    nghttp2_session_callbacks_del(cb);
    if (r != 0) {
        c->session = NULL;
        disconnect(c);
        return ims__fail(c, IMS_ENOMEM, "out of memory");
    }
    /* Large windows: responses such as level history come in one go. */
    nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20},
    };
    if (nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings, 2) != 0 ||
        nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, 4 << 20) != 0) {
        disconnect(c);
        return ims__fail(c, IMS_ENOMEM, "out of memory");
    }
    rc = ims__flush(c, deadline);
    if (rc != 0)
        disconnect(c);
    return rc;
}

/* True when the connection can take a new stream; drops it when it cannot. */
static bool session_usable(ims_client *c)
{
    if (c->session == NULL)
        return false;
    /* Take in whatever arrived while idle: a GOAWAY, or the end of the stream (a bounded
     * number of reads: a server that keeps sending cannot hold us here). */
    for (int reads = 0; reads < IMS__IDLE_READS && nghttp2_session_want_read(c->session);
         reads++) {
        int rc = ims__read_once(c, IMS__DEADLINE_NOW);
        if (rc == IMS_ETIMEDOUT)
            break;
        if (rc != 0) {
            disconnect(c);
            return false;
        }
    }
    if (!nghttp2_session_check_request_allowed(c->session) ||
        (!nghttp2_session_want_read(c->session) && !nghttp2_session_want_write(c->session))) {
        disconnect(c);
        return false;
    }
    return true;
}

int ims_client_connect(ims_client *c)
{
    if (session_usable(c)) {
        ims__succeed(c);
        return 0;
    }
    long long deadline = c->timeout_ms > 0 ? ims__now_ms() + c->timeout_ms : 0;
    int rc = session_open(c, deadline);
    if (rc == 0)
        ims__succeed(c);
    return rc;
}

/* ---- calls */

void ims__call_free(call *k)
{
    if (k == NULL)
        return;
    ims_client *c = k->client;
    if (c->call == k) {
        if (c->session && !k->closed && k->stream_id > 0) {
            /* Abandoned mid-way: tell the server, keep the connection, and keep
               the error of the call for the caller to read. */
            int status = c->grpc_status;
            char saved[sizeof(c->error)];
            memcpy(saved, c->error, sizeof(saved));
            if (nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, k->stream_id,
                                          NGHTTP2_CANCEL) != 0 ||
                ims__flush(c, ims__now_ms() + 1000) != 0)
                disconnect(c);
            memcpy(c->error, saved, sizeof(saved));
            c->grpc_status = status;
        }
        c->call = NULL;
    }
    free(k->out);
    free(k->grpc_message);
    ims__deframer_free(&k->in);
    free(k);
}

static int out_reserve(call *k, size_t more)
{
    if (k->out_len + more <= k->out_cap)
        return 0;
    if (k->out_off > 0) {
        memmove(k->out, k->out + k->out_off, k->out_len - k->out_off);
        k->out_len -= k->out_off;
        k->out_off = 0;
        if (k->out_len + more <= k->out_cap)
            return 0;
    }
    size_t cap = k->out_cap ? k->out_cap : 1024;
    while (cap < k->out_len + more) {
        if (cap > SIZE_MAX / 2)
            return IMS_ENOMEM;
        cap *= 2;
    }
    uint8_t *p = realloc(k->out, cap);
    if (p == NULL)
        return IMS_ENOMEM;
    k->out = p;
    k->out_cap = cap;
    return 0;
}

/* Appends one framed message (or raw bytes when `frame` is false) to the request body. */
int ims__call_append(call *k, const ProtobufCMessage *msg, const uint8_t *raw, size_t raw_len,
                     bool frame)
{
    ims_client *c = k->client;
    size_t len = msg ? protobuf_c_message_get_packed_size(msg) : raw_len;
    if (frame && len > UINT32_MAX)
        return ims__fail(c, IMS_ETOOBIG, "request message too large");
    if (out_reserve(k, len + (frame ? IMS__GRPC_PREFIX : 0)) != 0)
        return ims__fail(c, IMS_ENOMEM, "out of memory");
    if (frame) {
        ims__grpc_prefix(k->out + k->out_len, (uint32_t)len);
        k->out_len += IMS__GRPC_PREFIX;
    }
    if (msg)
        protobuf_c_message_pack(msg, k->out + k->out_len);
    else if (len > 0)
        memcpy(k->out + k->out_len, raw, len);
    k->out_len += len;
    if (k->deferred && c->session) {
        k->deferred = false;
        if (nghttp2_session_resume_data(c->session, k->stream_id) != 0)
            return ims__fail(c, IMS_EPROTO, "cannot resume the request body");
    }
    return 0;
}

int ims__call_half_close(call *k)
{
    k->out_eof = true;
    if (k->deferred && k->client->session) {
        k->deferred = false;
        if (nghttp2_session_resume_data(k->client->session, k->stream_id) != 0)
            return ims__fail(k->client, IMS_EPROTO, "cannot resume the request body");
    }
    return 0;
}

#define NV(n, v, vlen)                                                                             \
    {                                                                                              \
        (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, (vlen), NGHTTP2_NV_FLAG_NONE                \
    }

/* Submits the HEADERS of a new call on a live session. */
static int call_submit(call *k, const char *path, const char *content_type)
{
    ims_client *c = k->client;
    char timeout[24] = "";
    nghttp2_nv nva[10] = {
        NV(":method", "POST", 4),
        NV(":scheme", c->address.tls ? "https" : "http", c->address.tls ? 5u : 4u),
        NV(":authority", c->address.authority, strlen(c->address.authority)),
        NV(":path", path, strlen(path)),
        NV("content-type", content_type, strlen(content_type)),
        NV("te", "trailers", 8),
        NV("user-agent", "imsclient/0.1", 13),
    };
    size_t n = 7;
    if (c->timeout_ms > 0) {
        ims__grpc_timeout(timeout, sizeof(timeout), c->timeout_ms);
        nghttp2_nv t = NV("grpc-timeout", timeout, strlen(timeout));
        nva[n++] = t;
    }
    if (c->authorization) {
        /* Never indexed: a proxy's HPACK table must not keep the token. */
        nghttp2_nv a = {(uint8_t *)"authorization", (uint8_t *)c->authorization, 13,
                        strlen(c->authorization), NGHTTP2_NV_FLAG_NO_INDEX};
        nva[n++] = a;
    }
    nghttp2_data_provider body = {.source = {.ptr = k}, .read_callback = read_body};
    int32_t id = nghttp2_submit_request(c->session, NULL, nva, n, &body, NULL);
    if (id < 0)
        return ims__fail(c, id == NGHTTP2_ERR_NOMEM ? IMS_ENOMEM : IMS_EPROTO, "HTTP/2: %s",
                    nghttp2_strerror(id));
    k->stream_id = id;
    return 0;
}

static bool valid_path(const char *path)
{
    if (path == NULL || path[0] != '/' || strchr(path + 1, '/') == NULL)
        return false;
    for (const char *p = path; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
            return false;
    return true;
}

/* Prepares a call; nothing is sent until ims__call_start(). */
int ims__call_begin(ims_client *c, const char *path, call **out)
{
    *out = NULL;
    if (c->call != NULL)
        return ims__fail(c, IMS_EINVAL, "another call is in flight on this client");
    if (!valid_path(path))
        return ims__fail(c, IMS_EINVAL, "bad method path \"%s\"", path ? path : "");
    call *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return ims__fail(c, IMS_ENOMEM, "out of memory");
    k->client = c;
    k->in.max_message = IMS_CLIENT_MAX_MESSAGE;
    k->deadline = c->timeout_ms > 0 ? ims__now_ms() + c->timeout_ms : 0;
    *out = k;
    return 0;
}

/*
 * Puts the prepared call on the wire. A connection that served earlier calls
 * may have been closed by the server meanwhile; then it is reopened once.
 */
int ims__call_start(call *k, const char *path, const char *content_type)
{
    ims_client *c = k->client;
    for (int attempt = 0;; attempt++) {
        bool fresh = false;
        if (!session_usable(c)) {
            int rc = session_open(c, k->deadline);
            if (rc != 0)
                return rc;
            fresh = true;
        }
        k->fresh = fresh;
        c->call = k;
        size_t saved_off = k->out_off;
        int rc = call_submit(k, path, content_type);
        if (rc == 0)
            rc = ims__flush(c, k->deadline);
        if (rc == 0)
            return 0;
        c->call = NULL;
        bool retry = !fresh && attempt == 0 && !k->got_frame &&
                     (rc == IMS_ECLOSED || rc == IMS_EIO || rc == IMS_EPROTO);
        disconnect(c);
        if (!retry)
            return rc;
        /* Nothing of it reached the server in a usable way: start over. */
        k->out_off = saved_off;
        k->stream_id = 0;
        k->deferred = false;
    }
}

/* Waits until the stream closes or `until` holds. */
int ims__call_wait(call *k, bool (*until)(const call *))
{
    ims_client *c = k->client;
    while (!k->closed && !(until && until(k))) {
        if (c->session == NULL ||
            (!nghttp2_session_want_read(c->session) && !nghttp2_session_want_write(c->session)))
            return ims__fail(c, IMS_ECLOSED, "the server closed the connection");
        int rc = ims__read_once(c, k->deadline);
        if (rc != 0) {
            if (rc != IMS_EINTR && rc != IMS_ETIMEDOUT)
                disconnect(c);
            return rc;
        }
    }
    return 0;
}

/* The outcome of a closed call: 0 for OK, else IMS_ERPC or another code, with the message. */
int ims__call_status(call *k)
{
    ims_client *c = k->client;
    if (k->have_grpc_status) {
        c->grpc_status = k->grpc_status;
        snprintf(c->error, sizeof(c->error), "%s", k->grpc_message ? k->grpc_message : "");
        if (k->grpc_status != IMS_GRPC_OK) {
            if (c->error[0] == '\0')
                snprintf(c->error, sizeof(c->error), "%s", ims_grpc_status_name(k->grpc_status));
            return IMS_ERPC;
        }
        if (k->http_status != 200) {
            c->grpc_status = ims__grpc_status_from_http(k->http_status);
            snprintf(c->error, sizeof(c->error), "HTTP status %d", k->http_status);
            return IMS_ERPC;
        }
        if (!k->content_type_grpc) {
            c->grpc_status = IMS_GRPC_UNKNOWN;
            snprintf(c->error, sizeof(c->error), "response content-type is not application/grpc");
            return IMS_ERPC;
        }
        return 0;
    }
    if (k->http_status != 0 && k->http_status != 200) {
        c->grpc_status = ims__grpc_status_from_http(k->http_status);
        snprintf(c->error, sizeof(c->error), "HTTP status %d%s", k->http_status,
                 k->content_type_grpc ? "" : " (not a gRPC response)");
        return IMS_ERPC;
    }
    if (k->close_error != 0) {
        c->grpc_status = ims__grpc_status_from_h2_error(k->close_error);
        snprintf(c->error, sizeof(c->error), "stream reset by the server (HTTP/2 error %u: %s)",
                 k->close_error, nghttp2_http2_strerror(k->close_error));
        return IMS_ERPC;
    }
    c->grpc_status = IMS_GRPC_INTERNAL;
    snprintf(c->error, sizeof(c->error), "the response ended without grpc-status");
    return IMS_ERPC;
}

int ims__unpack(ims_client *c, const ProtobufCMessageDescriptor *type, const uint8_t *data,
                size_t len, ProtobufCMessage **msg)
{
    *msg = protobuf_c_message_unpack(type, NULL, len, data);
    if (*msg == NULL)
        return ims__fail(c, IMS_EPROTO, "cannot decode the %s response", type->name);
    return 0;
}

/* A method that only reads (its name says so): sending it twice changes nothing. */
static bool method_reads(const char *path)
{
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    static const char *const reads[] = {"Get", "List", "Check", "Verify", "Export", "Watch"};
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        if (strncmp(name, reads[i], strlen(reads[i])) == 0)
            return true;
    return false;
}

/*
 * True when a unary call on a reused connection may be sent again, once, on a new one: the
 * server refused the stream (REFUSED_STREAM, also what a GOAWAY does to streams it will not
 * serve), so it never handled it; or the connection was found closed before any answer and
 * the call only reads. A write whose connection broke may have been committed: it is not
 * sent again (its caller retries with its idempotency key).
 */
static bool call_retriable(const call *k, int rc, const char *path)
{
    if (k->fresh || k->got_frame)
        return false;
    if (rc == IMS_ECLOSED)
        return method_reads(path);
    return rc == 0 && k->closed && k->close_error == NGHTTP2_REFUSED_STREAM;
}

static void call_rewind(call *k)
{
    k->out_off = 0;
    k->deferred = false;
    k->stream_id = 0;
    k->closed = false;
    k->close_error = 0;
    k->in.len = k->in.off = 0;
}

/* Runs a whole unary call whose body is already in k; on success *msg and *len point into k. */
static int run_unary(call *k, const char *path, const char *content_type, const uint8_t **msg,
                     size_t *len)
{
    ims_client *c = k->client;
    int rc = ims__call_half_close(k);
    for (int attempt = 0; rc == 0; attempt++) {
        rc = ims__call_start(k, path, content_type);
        if (rc == 0)
            rc = ims__call_wait(k, NULL);
        if (attempt > 0 || !call_retriable(k, rc, path))
            break;
        if (c->call == k)
            c->call = NULL;
        disconnect(c);
        call_rewind(k);
        rc = 0;
    }
    if (rc != 0)
        return rc;
    rc = ims__call_status(k);
    if (rc != 0)
        return rc;
    rc = ims__deframer_next(&k->in, msg, len);
    if (rc == 1 && ims__deframer_pending(&k->in) == 0)
        return 0;
    if (rc == IMS_ETOOBIG)
        return ims__fail(c, rc, "response message larger than %u bytes", IMS_CLIENT_MAX_MESSAGE);
    if (rc == 1)
        return ims__fail(c, IMS_EPROTO, "more than one message in a unary response");
    return ims__fail(c, IMS_EPROTO,
                rc == 0 && ims__deframer_pending(&k->in) == 0 ? "no message in the response"
                                                              : "malformed response framing");
}

int ims_client_call(ims_client *c, const char *path, const ProtobufCMessage *request,
                    const ProtobufCMessageDescriptor *response_type, ProtobufCMessage **response)
{
    *response = NULL;
    call *k;
    int rc = ims__call_begin(c, path, &k);
    if (rc == 0)
        rc = ims__call_append(k, request, NULL, 0, true);
    const uint8_t *msg;
    size_t len;
    if (rc == 0)
        rc = run_unary(k, path, "application/grpc", &msg, &len);
    if (rc == 0)
        rc = ims__unpack(c, response_type, msg, len, response);
    if (rc == 0)
        ims__succeed(c);
    ims__call_free(k);
    return rc;
}

int ims_client_call_raw(ims_client *c, const char *path, const char *content_type,
                        const uint8_t *body, size_t body_len, uint8_t **response,
                        size_t *response_len)
{
    *response = NULL;
    *response_len = 0;
    const char *ct = content_type ? content_type : "application/grpc";
    call *k;
    int rc = ims__call_begin(c, path, &k);
    if (rc == 0)
        rc = ims__call_append(k, NULL, body, body_len, false);
    const uint8_t *msg;
    size_t len;
    if (rc == 0)
        rc = run_unary(k, path, ct, &msg, &len);
    if (rc == 0 && len > 0) {
        *response = malloc(len);
        if (*response == NULL)
            rc = ims__fail(c, IMS_ENOMEM, "out of memory");
        else {
            memcpy(*response, msg, len);
            *response_len = len;
        }
    }
    if (rc == 0)
        ims__succeed(c);
    ims__call_free(k);
    return rc;
}
