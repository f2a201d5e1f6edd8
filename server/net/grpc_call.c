/* One gRPC call on an HTTP/2 stream: request headers checked, messages deframed,
 * deadline, response and trailers. */
#include "grpc_call_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grpc_server.h"
#include "grpc_server_internal.h"
#include "grpc_util.h"
#include "h2_session.h"
#include "ims/error.h"

/* Longer status messages are cut: trailers must stay small. */
#define MAX_STATUS_MESSAGE_BYTES 1024

static void call_set_state(struct grpc_call *call, enum grpc_call_state next)
{
    switch (next) {
    case GRPC_CALL_HEADERS:
        assert(0 && "a call never returns to its headers");
        break;
    case GRPC_CALL_RECEIVING:
        assert(call->state == GRPC_CALL_HEADERS);
        break;
    case GRPC_CALL_HALF_CLOSED:
        assert(call->state == GRPC_CALL_RECEIVING);
        break;
    case GRPC_CALL_RESPONDED:
        assert(call->state == GRPC_CALL_HEADERS || call->state == GRPC_CALL_RECEIVING ||
               call->state == GRPC_CALL_HALF_CLOSED);
        break;
    case GRPC_CALL_CANCELLED:
        assert(call->state == GRPC_CALL_HEADERS || call->state == GRPC_CALL_RECEIVING ||
               call->state == GRPC_CALL_HALF_CLOSED);
        break;
    }
    call->state = next;
}

static int call_is_live(const struct grpc_call *call)
{
    return call->state == GRPC_CALL_RECEIVING || call->state == GRPC_CALL_HALF_CLOSED;
}

static struct grpc_server *call_server(const struct grpc_call *call)
{
    return call->conn->server;
}

/* --- lifetime --- */

static void call_free(struct grpc_call *call)
{
    struct h2_conn *conn = call->conn;
    conn->server->stats.calls--;
    free(call);
    h2_conn_unref(conn);
}

static void on_timer_closed(uv_handle_t *handle)
{
    call_free(container_of(handle, struct grpc_call, timer));
}

/* Off the connection's default-deadline list, if on it. */
static void call_unlist_deadline(struct grpc_call *call)
{
    if (!call->default_deadline)
        return;
    call->default_deadline = 0;
    struct h2_conn *conn = call->conn;
    if (call->dl_prev != NULL)
        call->dl_prev->dl_next = call->dl_next;
    else
        conn->default_deadlines = call->dl_next;
    if (call->dl_next != NULL)
        call->dl_next->dl_prev = call->dl_prev;
    else
        conn->default_deadlines_last = call->dl_prev;
    call->dl_prev = call->dl_next = NULL;
}

static void call_release(struct grpc_call *call)
{
    if (call->stream_ref || call->dispatcher_ref)
        return;
    call_unlist_deadline(call);
    free(call->headers);
    free(call->header_text);
    grpc_deframer_free(&call->deframer);
    call->app_held = 0;
    h2_flow_hold(call, 0);
    h2_out_pending(call, 0);
    free(call->out);
    free(call->status_message);
    if (call->timer_open)
        uv_close((uv_handle_t *)&call->timer, on_timer_closed);
    else
        call_free(call);
}

struct grpc_call *grpc_call_new(struct h2_conn *conn, int32_t stream_id)
{
    struct grpc_call *call = calloc(1, sizeof *call);
    if (call == NULL)
        return NULL;
    call->conn = conn;
    call->stream_id = stream_id;
    call->state = GRPC_CALL_HEADERS;
    call->stream_ref = 1;
    conn->server->stats.calls++;
    conn->server->stats.calls_total++;
    grpc_deframer_init(&call->deframer, conn->server->config.max_message_bytes);
    h2_conn_ref(conn);
    call->next = conn->calls;
    if (conn->calls != NULL)
        conn->calls->prev = call;
    conn->calls = call;
    return call;
}

static void call_stop_timer(struct grpc_call *call)
{
    if (call->timer_open)
        uv_timer_stop(&call->timer);
    call_unlist_deadline(call);
}

static void call_deliver_cancel(struct grpc_call *call)
{
    if (!call->dispatcher_ref || call->cancel_delivered)
        return;
    call->cancel_delivered = 1;
    struct grpc_dispatch *dispatch = &call_server(call)->dispatch;
    dispatch->on_call_cancel(call, dispatch->user_data);
}

void grpc_call_stream_closed(struct grpc_call *call)
{
    struct h2_conn *conn = call->conn;
    if (call->prev != NULL)
        call->prev->next = call->next;
    else
        conn->calls = call->next;
    if (call->next != NULL)
        call->next->prev = call->prev;
    call->prev = call->next = NULL;
    h2_flow_call_gone(call);
    call->stream_id = 0;
    if (conn->calls == NULL && conn->state < H2_CONN_CLOSING) {
        conn->idle_since_ms = uv_now(conn->server->loop);
        h2_timer_update(conn);
    }
    if (call->state == GRPC_CALL_HEADERS || call_is_live(call)) {
        call_set_state(call, GRPC_CALL_CANCELLED);
        call_stop_timer(call);
        call_deliver_cancel(call);
    }
    call->stream_ref = 0;
    call_release(call);
}

/* --- headers --- */

static const char *find_header(const struct grpc_call *call, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < call->header_count; i++) {
        const struct grpc_call_header *h = &call->headers[i];
        if (h->name_len == len && memcmp(call->header_text + h->name, name, len) == 0)
            return call->header_text + h->value;
    }
    return NULL;
}

/* Appends data and a NUL to the call's header text; its offset, or -1 when memory is
 * short. */
static long append_text(struct grpc_call *call, const uint8_t *data, size_t len)
{
    size_t need = call->header_text_len + len + 1;
    if (need > call->header_text_cap) {
        size_t cap = call->header_text_cap ? call->header_text_cap : 512;
        while (cap < need)
            cap *= 2;
        char *grown = realloc(call->header_text, cap);
        if (grown == NULL)
            return -1;
        call->header_text = grown;
        call->header_text_cap = cap;
    }
    size_t at = call->header_text_len;
    if (len > 0)
        memcpy(call->header_text + at, data, len);
    call->header_text[at + len] = '\0';
    call->header_text_len = need;
    return (long)at;
}

int grpc_call_add_header(struct grpc_call *call, const uint8_t *name, size_t name_len,
                         const uint8_t *value, size_t value_len)
{
    uint32_t limit = call_server(call)->config.max_header_list_bytes;
    call->header_bytes += name_len + value_len + 32;
    if (call->header_bytes > (limit ? limit : H2_MAX_HEADER_LIST_BYTES))
        return IMS_ETOOBIG;
    if (call->header_count == call->header_cap) {
        size_t cap = call->header_cap ? call->header_cap * 2 : 16;
        struct grpc_call_header *grown = realloc(call->headers, cap * sizeof *grown);
        if (grown == NULL)
            return IMS_ENOMEM;
        call->headers = grown;
        call->header_cap = cap;
    }
    /* Both or neither: a failed value leaves the name's bytes unused, never indexed. */
    size_t mark = call->header_text_len;
    long name_at = append_text(call, name, name_len);
    long value_at = name_at < 0 ? -1 : append_text(call, value, value_len);
    if (value_at < 0) {
        call->header_text_len = mark;
        return IMS_ENOMEM;
    }
    call->headers[call->header_count].name = (uint32_t)name_at;
    call->headers[call->header_count].value = (uint32_t)value_at;
    call->headers[call->header_count].name_len = (uint32_t)name_len;
    call->header_count++;
    return 0;
}

/* --- sending --- */

static void call_flush(struct grpc_call *call)
{
    h2_conn_flush(call->conn);
}

/* A response that is only HEADERS (:status, no body): HTTP errors and Trailers-Only. */
static void submit_headers_only(struct grpc_call *call, const nghttp2_nv *nva, size_t count)
{
    if (call->stream_id == 0 || call->conn->session == NULL)
        return;
    if (nghttp2_submit_response(call->conn->session, call->stream_id, nva, count, NULL) != 0)
        nghttp2_submit_rst_stream(call->conn->session, NGHTTP2_FLAG_NONE, call->stream_id,
                                  NGHTTP2_INTERNAL_ERROR);
}

#define NV(name, value, value_len)                                                                 \
    {                                                                                              \
        (uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1, (value_len), NGHTTP2_NV_FLAG_NONE \
    }

/* Percent-encodes message for grpc-message; NULL for none or when memory is short. */
static char *encode_message(const char *message)
{
    if (message == NULL || message[0] == '\0')
        return NULL;
    char cut[MAX_STATUS_MESSAGE_BYTES + 1];
    snprintf(cut, sizeof cut, "%s", message);
    size_t cap = strlen(cut) * 3 + 1;
    char *encoded = malloc(cap);
    if (encoded != NULL && grpc_percent_encode(cut, encoded, cap) < 0) {
        free(encoded);
        encoded = NULL;
    }
    return encoded;
}

static void send_http_error(struct grpc_call *call, const char *status)
{
    nghttp2_nv nva[] = {NV(":status", status, strlen(status))};
    submit_headers_only(call, nva, 1);
}

/* A grpc-status value as text (out: at least 12 bytes). */
static void status_text(int status, char *out)
{
    if (status >= 0 && status < 10) {
        out[0] = (char)('0' + status);
        out[1] = '\0';
    } else if (status >= 10 && status < 100) {
        out[0] = (char)('0' + status / 10);
        out[1] = (char)('0' + status % 10);
        out[2] = '\0';
    } else {
        snprintf(out, 12, "%d", status);
    }
}

static int submit_trailers(struct grpc_call *call)
{
    char status[16];
    status_text(call->status, status);
    nghttp2_nv nva[] = {
        NV("grpc-status", status, strlen(status)),
        NV("grpc-message", call->status_message,
           call->status_message ? strlen(call->status_message) : 0),
    };
    return nghttp2_submit_trailer(call->conn->session, call->stream_id, nva,
                                  call->status_message ? 2 : 1);
}

static int start_response(struct grpc_call *call)
{
    if (call->response_started)
        return 0;
    static const char content_type[] = "application/grpc";
    static const char identity[] = "identity";
    nghttp2_nv nva[] = {
        NV(":status", "200", 3),
        NV("content-type", content_type, sizeof content_type - 1),
        NV("grpc-accept-encoding", identity, sizeof identity - 1),
    };
    nghttp2_data_provider provider = {.source.ptr = call, .read_callback = grpc_call_read_response};
    if (nghttp2_submit_response(call->conn->session, call->stream_id, nva, 3, &provider) != 0)
        return IMS_ENOMEM;
    call->response_started = 1;
    return 0;
}

static void resume_response(struct grpc_call *call)
{
    if (call->data_deferred) {
        call->data_deferred = 0;
        nghttp2_session_resume_data(call->conn->session, call->stream_id);
    }
}

/* Queues the status: Trailers-Only when nothing was sent, trailers after the queued
 * messages otherwise. The state change is the caller's. */
static void call_respond(struct grpc_call *call, int status, const char *message)
{
    call_stop_timer(call);
    if (call->stream_id == 0 || call->conn->session == NULL)
        return;
    char *encoded = encode_message(message);
    if (!call->response_started) {
        static const char content_type[] = "application/grpc";
        char status_value[16];
        status_text(status, status_value);
        nghttp2_nv nva[] = {
            NV(":status", "200", 3),
            NV("content-type", content_type, sizeof content_type - 1),
            NV("grpc-status", status_value, strlen(status_value)),
            NV("grpc-message", encoded, encoded ? strlen(encoded) : 0),
        };
        submit_headers_only(call, nva, encoded ? 4 : 3);
        free(encoded);
    } else {
        call->status = status;
        free(call->status_message);
        call->status_message = encoded;
        call->trailers_queued = 1;
        resume_response(call);
    }
    call_flush(call);
}

/* The server ends a call on its own (bad request body, deadline): the client gets the
 * status, the dispatcher, if it had the call, gets on_call_cancel. */
static void call_fail(struct grpc_call *call, int status, const char *message)
{
    /* State first: the send may close the stream at once (see grpc_call_finish). */
    call_set_state(call, GRPC_CALL_CANCELLED);
    call_respond(call, status, message);
    call_deliver_cancel(call);
}

/* Refuses a call before the dispatcher saw it. */
static void call_refuse(struct grpc_call *call, int status, const char *message)
{
    call_set_state(call, GRPC_CALL_RESPONDED);
    call_respond(call, status, message);
}

ssize_t grpc_call_read_response(nghttp2_session *session, int32_t stream_id, uint8_t *buf,
                                size_t length, uint32_t *data_flags, nghttp2_data_source *source,
                                void *user_data)
{
    struct grpc_call *call = source->ptr;
    size_t avail = call->out_len - call->out_pos;
    size_t n = avail < length ? avail : length;
    memcpy(buf, call->out + call->out_pos, n);
    call->out_pos += n;
    if (call->out_pos == call->out_len)
        call->out_pos = call->out_len = 0;
    h2_out_pending(call, call->out_len - call->out_pos);
    if (call->out_len == 0 && call->trailers_queued) {
        call->trailers_queued = 0;
        *data_flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
        if (submit_trailers(call) != 0)
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        return (ssize_t)n;
    }
    if (n == 0) {
        call->data_deferred = 1;
        return NGHTTP2_ERR_DEFERRED;
    }
    return (ssize_t)n;
}

void grpc_call_limit_message_bytes(struct grpc_call *call, size_t max)
{
    if (max < call->deframer.max_message_bytes)
        call->deframer.max_message_bytes = max;
}

int grpc_call_set_held_bytes(struct grpc_call *call, size_t bytes)
{
    const struct grpc_server_config *c = &call_server(call)->config;
    if (bytes > call->app_held) {
        size_t more = bytes - call->app_held;
        if ((c->max_conn_buffered_bytes != 0 &&
             call->conn->buffered + more > c->max_conn_buffered_bytes) ||
            (c->max_buffered_bytes != 0 &&
             call_server(call)->buffered + more > c->max_buffered_bytes))
            return IMS_ETOOBIG;
    }
    call->app_held = bytes;
    h2_flow_hold(call, call->deframer.body != NULL ? call->deframer.body_have : 0);
    return 0;
}

void grpc_call_no_default_deadline(struct grpc_call *call)
{
    call->no_default_deadline = 1;
}

void grpc_call_pause_input(struct grpc_call *call)
{
    call->input_paused = 1;
}

void grpc_call_resume_input(struct grpc_call *call)
{
    if (!call->input_paused)
        return;
    call->input_paused = 0;
    h2_flow_ack(call);
}

void grpc_call_set_refusal(struct grpc_call *call, const char *message)
{
    snprintf(call->refusal, sizeof call->refusal, "%s", message);
}

/* --- receiving --- */

static int deliver_message(void *arg, const uint8_t *data, size_t len)
{
    struct grpc_call *call = arg;
    if (call->state != GRPC_CALL_RECEIVING)
        return 1;
    struct grpc_dispatch *dispatch = &call_server(call)->dispatch;
    dispatch->on_message(call, data, len, dispatch->user_data);
    return call->state == GRPC_CALL_RECEIVING ? 0 : 1;
}

static void report_bad_request(const struct grpc_call *call, const char *reason)
{
    struct net_event ev = {.kind = NET_EVENT_BAD_REQUEST,
                           .conn = call->conn->id,
                           .peer = call->conn->peer,
                           .stream = call->stream_id,
                           .reason = reason};
    grpc_server_event(call->conn->server, &ev);
}

void grpc_call_receive_data(struct grpc_call *call, const uint8_t *data, size_t len)
{
    if (call->state != GRPC_CALL_RECEIVING)
        return;
    int rc = grpc_deframer_feed(&call->deframer, data, len, deliver_message, call);
    h2_flow_hold(call, call->deframer.body != NULL ? call->deframer.body_have : 0);
    if (rc >= 0)
        return;
    char message[128];
    int status;
    switch (rc) {
    case IMS_ETOOBIG:
        call->conn->server->stats.messages_too_large++;
        snprintf(message, sizeof message,
                 "request message of %" PRIu32 " bytes exceeds the limit of %zu bytes",
                 call->deframer.bad_length, call->deframer.max_message_bytes);
        status = IMS_GRPC_RESOURCE_EXHAUSTED;
        break;
    case IMS_EPROTO:
        snprintf(message, sizeof message, "compression not supported");
        status = IMS_GRPC_UNIMPLEMENTED;
        break;
    case IMS_ENOMEM:
        snprintf(message, sizeof message, "out of memory");
        status = IMS_GRPC_RESOURCE_EXHAUSTED;
        break;
    default:
        snprintf(message, sizeof message, "malformed message prefix");
        status = IMS_GRPC_INTERNAL;
        break;
    }
    report_bad_request(call, message);
    call_fail(call, status, message);
}

void grpc_call_receive_end(struct grpc_call *call)
{
    call->client_done = 1;
    if (call->state != GRPC_CALL_RECEIVING)
        return;
    if (grpc_deframer_finish(&call->deframer) < 0) {
        static const char message[] = "request ended inside a message";
        report_bad_request(call, message);
        call_fail(call, IMS_GRPC_INTERNAL, message);
        return;
    }
    call_set_state(call, GRPC_CALL_HALF_CLOSED);
    struct grpc_dispatch *dispatch = &call_server(call)->dispatch;
    if (dispatch->on_half_close != NULL)
        dispatch->on_half_close(call, dispatch->user_data);
}

int grpc_call_needs_reset(const struct grpc_call *call)
{
    return !call->client_done;
}

static void on_deadline(uv_timer_t *timer)
{
    struct grpc_call *call = container_of(timer, struct grpc_call, timer);
    if (!call_is_live(call))
        return;
    call_fail(call, IMS_GRPC_DEADLINE_EXCEEDED, "deadline exceeded");
}

void grpc_call_expire_default_deadlines(struct h2_conn *conn, uint64_t now)
{
    struct grpc_call *call;
    while (conn->state < H2_CONN_CLOSING && (call = conn->default_deadlines) != NULL &&
           call->deadline <= now) {
        call_unlist_deadline(call);
        if (!call_is_live(call))
            continue;
        char message[160];
        call_server(call)->stats.calls_default_deadline++;
        snprintf(message, sizeof message,
                 "deadline exceeded (the server's default of %" PRIu32
                 " ms for calls without grpc-timeout)",
                 call_server(call)->config.default_deadline_ms);
        call_fail(call, IMS_GRPC_DEADLINE_EXCEEDED, message);
    }
}

/* After on_call_start: a call that came without grpc-timeout gets the server's default,
 * unless the dispatcher exempted it. Every such deadline has the same length, so the
 * connection keeps them in a list in start order and its one timer serves them. */
static void arm_default_deadline(struct grpc_call *call)
{
    uint32_t ms = call_server(call)->config.default_deadline_ms;
    if (call->timer_open || call->default_deadline || call->no_default_deadline || ms == 0 ||
        !call_is_live(call))
        return;
    struct h2_conn *conn = call->conn;
    call->default_deadline = 1;
    call->deadline = uv_now(call_server(call)->loop) + ms;
    call->dl_next = NULL;
    call->dl_prev = conn->default_deadlines_last;
    if (conn->default_deadlines_last != NULL)
        conn->default_deadlines_last->dl_next = call;
    else
        conn->default_deadlines = call;
    conn->default_deadlines_last = call;
    h2_timer_update(conn);
}

/* Returns 0 when the call may start, or refuses it. */
static int check_deadline(struct grpc_call *call)
{
    const char *text = find_header(call, "grpc-timeout");
    if (text == NULL)
        return 0;
    uint64_t ms, ns;
    if (grpc_parse_timeout(text, &ms) < 0 || grpc_parse_timeout_ns(text, &ns) < 0) {
        report_bad_request(call, "malformed grpc-timeout");
        call_refuse(call, IMS_GRPC_INVALID_ARGUMENT, "malformed grpc-timeout");
        return -1;
    }
    /* Less than the timer's millisecond is spent by the time the headers are decoded. */
    if (ns < 1000000u) {
        call_refuse(call, IMS_GRPC_DEADLINE_EXCEEDED, "deadline exceeded");
        return -1;
    }
    uv_loop_t *loop = call_server(call)->loop;
    if (uv_timer_init(loop, &call->timer) < 0) {
        call_refuse(call, IMS_GRPC_INTERNAL, "cannot arm the deadline timer");
        return -1;
    }
    call->timer_open = 1;
    call->deadline = uv_now(loop) + ms;
    uv_timer_start(&call->timer, on_deadline, ms, 0);
    return 0;
}

void grpc_call_headers_done(struct grpc_call *call)
{
    if (call->state != GRPC_CALL_HEADERS)
        return;
    const char *method = find_header(call, ":method");
    if (method == NULL || strcmp(method, "POST") != 0) {
        report_bad_request(call, "method is not POST");
        send_http_error(call, "405");
        call_set_state(call, GRPC_CALL_RESPONDED);
        call_flush(call);
        return;
    }
    if (!grpc_content_type_is_grpc(find_header(call, "content-type"))) {
        report_bad_request(call, "content-type is not application/grpc");
        send_http_error(call, "415");
        call_set_state(call, GRPC_CALL_RESPONDED);
        call_flush(call);
        return;
    }
    const char *path = find_header(call, ":path");
    if (path == NULL || path[0] != '/' || strchr(path + 1, '/') == NULL) {
        report_bad_request(call, "malformed :path");
        call_refuse(call, IMS_GRPC_UNIMPLEMENTED, "malformed method path");
        return;
    }
    const char *encoding = find_header(call, "grpc-encoding");
    if (encoding != NULL && strcasecmp(encoding, "identity") != 0) {
        call_refuse(call, IMS_GRPC_UNIMPLEMENTED, "compression not supported");
        return;
    }
    if (check_deadline(call) < 0)
        return;
    call_set_state(call, GRPC_CALL_RECEIVING);
    call->dispatcher_ref = 1;
    struct grpc_dispatch *dispatch = &call_server(call)->dispatch;
    int status = dispatch->on_call_start(call, dispatch->user_data);
    if (status == 0) {
        arm_default_deadline(call);
        return;
    }
    /* Refused: the dispatcher gave its reference back by saying no. */
    call->dispatcher_ref = 0;
    if (call_is_live(call)) {
        char message[200];
        if (call->refusal[0])
            snprintf(message, sizeof message, "%s", call->refusal);
        else if (status == IMS_GRPC_UNIMPLEMENTED)
            snprintf(message, sizeof message, "unknown method %.120s", path);
        else
            snprintf(message, sizeof message, "%s", ims_grpc_status_name(status));
        call_set_state(call, GRPC_CALL_RESPONDED);
        call_respond(call, status, message);
    }
}

/* --- the dispatcher's side --- */

const char *grpc_call_path(const struct grpc_call *call)
{
    return find_header(call, ":path");
}

const char *grpc_call_header(const struct grpc_call *call, const char *name)
{
    return name[0] == ':' ? NULL : find_header(call, name);
}

const char *grpc_call_peer(const struct grpc_call *call)
{
    return call->conn->peer;
}

int grpc_call_is_tls(const struct grpc_call *call)
{
    return call->conn->is_tls;
}

const char *grpc_call_client_subject(const struct grpc_call *call)
{
    return call->conn->client_subject;
}

int grpc_call_is_local(const struct grpc_call *call)
{
    return call->conn->is_local;
}

uint64_t grpc_call_deadline(const struct grpc_call *call)
{
    return call->deadline;
}

int grpc_call_is_cancelled(const struct grpc_call *call)
{
    return call->cancel_delivered;
}

void grpc_call_set_user_data(struct grpc_call *call, void *data)
{
    call->user_data = data;
}

void *grpc_call_user_data(const struct grpc_call *call)
{
    return call->user_data;
}

size_t grpc_call_pending_bytes(const struct grpc_call *call)
{
    return call->out_len - call->out_pos;
}

int grpc_call_send_message(struct grpc_call *call, const uint8_t *data, size_t len)
{
    int rc = grpc_call_queue_message(call, data, len);
    if (rc == 0)
        call_flush(call);
    return rc;
}

int grpc_call_queue_message(struct grpc_call *call, const uint8_t *data, size_t len)
{
    assert(call->dispatcher_ref);
    if (!call_is_live(call) || call->stream_id == 0)
        return IMS_ECLOSED;
    if (len > UINT32_MAX)
        return IMS_ETOOBIG;
    size_t need = GRPC_FRAME_PREFIX_BYTES + len;
    if (h2_out_room(call, need) != 0)
        return IMS_ETOOBIG;
    if (call->out_pos > 0) {
        memmove(call->out, call->out + call->out_pos, call->out_len - call->out_pos);
        call->out_len -= call->out_pos;
        call->out_pos = 0;
    }
    if (call->out_len + need > call->out_cap) {
        size_t cap = call->out_cap ? call->out_cap : 256;
        while (cap < call->out_len + need)
            cap *= 2;
        uint8_t *grown = realloc(call->out, cap);
        if (grown == NULL)
            return IMS_ENOMEM;
        call->out = grown;
        call->out_cap = cap;
    }
    if (start_response(call) < 0)
        return IMS_ENOMEM;
    uint8_t *p = call->out + call->out_len;
    p[0] = 0;
    p[1] = (uint8_t)(len >> 24);
    p[2] = (uint8_t)(len >> 16);
    p[3] = (uint8_t)(len >> 8);
    p[4] = (uint8_t)len;
    if (len > 0)
        memcpy(p + GRPC_FRAME_PREFIX_BYTES, data, len);
    call->out_len += need;
    h2_out_pending(call, call->out_len - call->out_pos);
    resume_response(call);
    return 0;
}

void grpc_call_finish(struct grpc_call *call, int status, const char *message)
{
    assert(call->dispatcher_ref);
    call->input_paused = 0; /* what still arrives is dropped and given back */
    if (call_is_live(call)) {
        /* Responded before sending: outside nghttp2's callbacks the send can close the
         * stream at once, and a closed live call would count as cancelled. */
        call_set_state(call, GRPC_CALL_RESPONDED);
        call_respond(call, status, message);
    }
    call->dispatcher_ref = 0;
    call_release(call);
}
