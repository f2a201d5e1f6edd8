/* The life of a call: methods registered per service, the callbacks net/ calls as a call
 * starts, receives its message and ends, and freeing the call with its arena. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pool.h"
#include "grpc_server.h"
#include "inflight.h"
#include "ims/error.h"
#include "ims/hash.h"
#include "level_cache.h"
#include "log.h"
#include "server.h"
#include "unpack.h"

int rpc_server_new(const struct rpc_server_config *config, struct rpc_server **out)
{
    struct rpc_server *s = calloc(1, sizeof *s);
    if (!s)
        return IMS_ENOMEM;
    s->loop = config->loop;
    s->pool = config->pool;
    s->tenants = config->tenants;
    s->max_message_bytes = config->max_message_bytes ? config->max_message_bytes : 4u << 20;
    s->plan_max_steps = config->plan_max_steps ? config->plan_max_steps : 100;
    s->plan_max_steps_viewer = config->plan_max_steps_viewer ? config->plan_max_steps_viewer : 20;
    s->import_max_snapshot_bytes =
        config->import_max_snapshot_bytes ? config->import_max_snapshot_bytes : 16u << 20;
    s->audit_verify_timeout_ms =
        config->audit_verify_timeout_ms ? config->audit_verify_timeout_ms : 10000;
    s->audit_verify_max_rows =
        config->audit_verify_max_rows ? config->audit_verify_max_rows : 1000000;
    if (rpc_access_init(s, config->token_cache_ttl_ms) != 0) {
        free(s);
        return IMS_ENOMEM;
    }
    if (rpc_inflight_init(s, config->max_calls_per_token, config->max_calls_per_tenant) != 0) {
        rpc_access_free(s);
        free(s);
        return IMS_ENOMEM;
    }
    *out = s;
    return 0;
}

void rpc_server_free(struct rpc_server *server)
{
    if (!server)
        return;
    rpc_access_free(server);
    rpc_inflight_free(server);
    level_cache_free(server->level_cache);
    free(server);
}

uv_loop_t *rpc_server_loop(const struct rpc_server *server)
{
    return server->loop;
}

struct db_pool *rpc_server_pool(const struct rpc_server *server)
{
    return server->pool;
}

struct tenant_registry *rpc_server_tenants(const struct rpc_server *server)
{
    return server->tenants;
}

/* The largest request message a method takes: the configured max_message_bytes for the
 * bulk methods, less for the rest, so that no peer makes a read buffer megabytes. */
#define READ_MESSAGE_MAX (64u * 1024)
#define WRITE_MESSAGE_MAX (1024u * 1024)
#define CLIENT_STREAM_MAX_MESSAGES 16 /* a client stream's bytes: this many largest messages */

static size_t method_message_max(const char *name)
{
    static const char *const bulk[] = {"PushMetrics", "StreamMetrics", "ImportTenant",
                                       "ImportAnswers", "SetAnswers"};
    for (size_t i = 0; i < sizeof bulk / sizeof bulk[0]; i++)
        if (strcmp(name, bulk[i]) == 0)
            return SIZE_MAX;
    static const char *const reads[] = {"Get", "List", "Watch", "Verify", "Export", "Check"};
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        if (strncmp(name, reads[i], strlen(reads[i])) == 0)
            return READ_MESSAGE_MAX;
    return WRITE_MESSAGE_MAX;
}

int rpc_server_register(struct rpc_server *server, const ProtobufCServiceDescriptor *service,
                        const struct rpc_method_entry *entries, size_t count)
{
    if (count != service->n_methods)
        return IMS_EINVAL;
    for (size_t i = 0; i < count; i++) {
        if (server->method_count == RPC_MAX_METHODS)
            return IMS_ENOMEM;
        const ProtobufCMethodDescriptor *m = &service->methods[i];
        if (strcmp(m->name, entries[i].name) != 0)
            return IMS_EINVAL;
        struct rpc_method_slot *slot = &server->methods[server->method_count];
        snprintf(slot->path, sizeof slot->path, "/%s/%s", service->name, m->name);
        slot->permission = auth_permission_for(slot->path);
        if (!slot->permission) {
            log_error("method has no permission entry", "method=%s", slot->path);
            return IMS_EINVAL;
        }
        slot->method = m;
        slot->handler = entries[i].handler;
        slot->client_stream = entries[i].client_stream;
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(m->input, "tenant");
        slot->tenant_field = f && f->type == PROTOBUF_C_TYPE_STRING &&
                                     f->label != PROTOBUF_C_LABEL_REPEATED
                                 ? f
                                 : NULL;
        slot->message_max = method_message_max(m->name);
        /* A watch lasts as long as its client looks, a streamed export or import as long
         * as its history takes: no default deadline (keepalive PINGs still find a peer that
         * is gone). */
        slot->no_default_deadline =
            strncmp(m->name, "Watch", 5) == 0 || strcmp(m->name, "ExportTenantStream") == 0 ||
            strcmp(m->name, "ImportTenantStream") == 0;
        uint32_t b = ims_hash_string(slot->path) % RPC_METHOD_BUCKETS;
        while (server->method_index[b] != 0)
            b = (b + 1) % RPC_METHOD_BUCKETS;
        server->method_index[b] = (uint16_t)(server->method_count + 1);
        server->method_count++;
    }
    return 0;
}

static struct rpc_method_slot *find_method(struct rpc_server *s, const char *path)
{
    for (uint32_t b = ims_hash_string(path) % RPC_METHOD_BUCKETS; s->method_index[b] != 0;
         b = (b + 1) % RPC_METHOD_BUCKETS) {
        struct rpc_method_slot *slot = &s->methods[s->method_index[b] - 1];
        if (strcmp(slot->path, path) == 0)
            return slot;
    }
    return NULL;
}

/* --- ending calls --- */

static void call_free(struct rpc_call *call)
{
    rpc_inflight_leave(call);
    rpc_client_stream_free(call);
    auth_lookup_cancel(&call->auth_wait);
    if (call->state_free && call->state)
        call->state_free(call->state);
    if (call->request && !call->request_in_arena)
        protobuf_c_message_free_unpacked(call->request, NULL);
    auth_principal_free(&call->principal);
    arena_free(&call->arena);
    free(call->raw);
    free(call->local_response);
    if (call->local_handle)
        *call->local_handle = NULL;
    free(call);
}

const double rpc_latency_bounds[RPC_LATENCY_BUCKETS] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

static void count_call(struct rpc_call *call, int status)
{
    struct rpc_method_stats *st = &call->slot->stats;
    double seconds = (double)(uv_hrtime() - call->started_ns) / 1e9;
    st->calls[status >= 0 && status < RPC_STATUS_COUNT ? status : IMS_GRPC_UNKNOWN]++;
    int b = 0;
    while (b < RPC_LATENCY_BUCKETS && seconds > rpc_latency_bounds[b])
        b++;
    st->latency[b]++;
    st->latency_sum += seconds;
}

const char *rpc_call_peer(const struct rpc_call *call)
{
    return call->grpc ? grpc_call_peer(call->grpc) : "local";
}

/* Statuses that say what the client did or asked for, not that the server failed. */
static int client_error(int status)
{
    switch (status) {
    case IMS_GRPC_CANCELLED:
    case IMS_GRPC_INVALID_ARGUMENT:
    case IMS_GRPC_DEADLINE_EXCEEDED:
    case IMS_GRPC_NOT_FOUND:
    case IMS_GRPC_ALREADY_EXISTS:
    case IMS_GRPC_PERMISSION_DENIED:
    case IMS_GRPC_FAILED_PRECONDITION:
    case IMS_GRPC_ABORTED:
    case IMS_GRPC_OUT_OF_RANGE:
    case IMS_GRPC_UNAUTHENTICATED:
        return 1;
    default:
        return 0;
    }
}

void rpc_call_end(struct rpc_call *call, int status, const char *message)
{
    if (call->finished)
        return;
    call->finished = 1;
    uint64_t ms = uv_now(call->server->loop) - call->started_ms;
    count_call(call, status);
    if (status == IMS_GRPC_OK)
        log_debug("rpc", "method=%s peer=%s status=OK ms=%llu", call->path, rpc_call_peer(call),
                  (unsigned long long)ms);
    else if (client_error(status))
        /* The client's doing, counted per status for /metrics: not the operator's concern
         * line by line. */
        log_debug("rpc failed", "method=%s peer=%s status=%s ms=%llu detail=\"%s\"", call->path,
                  rpc_call_peer(call), ims_grpc_status_name(status), (unsigned long long)ms,
                  message ? message : "");
    else
        log_warning("rpc failed", "method=%s peer=%s status=%s ms=%llu detail=\"%s\"", call->path,
                    rpc_call_peer(call), ims_grpc_status_name(status), (unsigned long long)ms,
                    message ? message : "");
    if (call->grpc)
        grpc_call_finish(call->grpc, status, message);
    else
        call->local_done(status, message, status == IMS_GRPC_OK ? call->local_response : NULL,
                         status == IMS_GRPC_OK ? call->local_response_len : 0, call->local_arg);
    call_free(call);
}

/* --- the dispatcher given to net/ --- */

static int on_call_start(struct grpc_call *grpc, void *user_data)
{
    struct rpc_server *s = user_data;
    const char *path = grpc_call_path(grpc);
    struct rpc_method_slot *slot = find_method(s, path);
    if (!slot) {
        s->stats.unknown_method++;
        log_warning("rpc unknown method", "method=%.100s peer=%s", path, grpc_call_peer(grpc));
        return IMS_GRPC_UNIMPLEMENTED;
    }
    struct rpc_call *call = calloc(1, sizeof *call);
    if (!call)
        return IMS_GRPC_RESOURCE_EXHAUSTED;
    call->server = s;
    call->grpc = grpc;
    call->path = slot->path;
    call->method = slot->method;
    call->permission = slot->permission;
    call->handler = slot->handler;
    call->client_stream = slot->client_stream;
    call->slot = slot;
    call->started_ms = uv_now(s->loop);
    call->started_ns = uv_hrtime();
    grpc_call_set_user_data(grpc, call);
    grpc_call_limit_message_bytes(grpc, slot->message_max);
    if (slot->no_default_deadline)
        grpc_call_no_default_deadline(grpc);
    if (slot->permission->scope != SCOPE_NONE) {
        /* The token is resolved now, before any byte of the body is kept. */
        int status = rpc_access_begin(call);
        if (status != 0) {
            count_call(call, status);
            grpc_call_set_user_data(grpc, NULL);
            call_free(call);
            return status;
        }
    }
    return 0;
}

static void on_message(struct grpc_call *grpc, const uint8_t *data, size_t len, void *user_data)
{
    (void)user_data;
    struct rpc_call *call = grpc_call_user_data(grpc);
    if (call->client_stream == RPC_CLIENT_STREAM_EACH) {
        rpc_client_stream_message(call, data, len);
        return;
    }
    if (call->finished || call->busy)
        return;
    if (call->have_message) {
        /* Client streams are read whole and applied as one batch; unary takes one. */
        if (!call->client_stream) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "more than one request message");
            return;
        }
    }
    /* A client stream's messages are kept until it ends: bounded as a whole too. */
    if (call->raw_len + len > (size_t)CLIENT_STREAM_MAX_MESSAGES * call->server->max_message_bytes) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED,
                 "client stream: more than %u messages' worth of bytes (%zu)",
                 CLIENT_STREAM_MAX_MESSAGES,
                 (size_t)CLIENT_STREAM_MAX_MESSAGES * call->server->max_message_bytes);
        return;
    }
    uint8_t *raw = realloc(call->raw, call->raw_len + len + 16);
    if (!raw) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    call->raw = raw;
    /* Concatenated protobuf messages merge: repeated fields append, which is exactly the
     * batch a client stream of PushMetricsRequest means. */
    memcpy(call->raw + call->raw_len, data, len);
    call->raw_len += len;
    call->have_message = 1;
    /* Counted in the transport's byte budgets; a stream that would take them over ends. */
    if (grpc_call_set_held_bytes(grpc, call->raw_len) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED,
                 "client streams hold more request bytes than this connection or the server "
                 "allows (max_conn_buffered_bytes, max_buffered_bytes); retry later");
        return;
    }
}

static void on_half_close(struct grpc_call *grpc, void *user_data)
{
    (void)user_data;
    struct rpc_call *call = grpc_call_user_data(grpc);
    if (call->client_stream == RPC_CLIENT_STREAM_EACH) {
        rpc_client_stream_half_close(call);
        return;
    }
    if (call->finished)
        return;
    if (!call->have_message) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "no request message");
        return;
    }
    call->busy = 1;
    /* A call that needs a token is unpacked once the token is known (rpc_request_unpack
     * from access.c): until then its bytes are only held, counted in the byte budgets. */
    if (call->permission->scope != SCOPE_NONE)
        rpc_access_continue(call);
    else if (rpc_request_unpack(call) == 0)
        call->handler(call);
}

int rpc_request_unpack(struct rpc_call *call)
{
    /* Into the call's arena: a request of thousands of small messages costs a few
     * allocations instead of several per message, and nothing to free one by one. */
    int over_budget = 0;
    call->request = rpc_unpack(call->method->input, &call->arena, call->raw_len, call->raw,
                               &over_budget);
    call->request_in_arena = 1;
    size_t raw_len = call->raw_len;
    free(call->raw);
    call->raw = NULL;
    call->raw_len = 0;
    if (call->grpc && grpc_call_set_held_bytes(call->grpc, 0) != 0) /* fewer: always counted */
        return -1;
    if (!call->request) {
        rpc_unpack_refused(call, raw_len, over_budget);
        return -1;
    }
    return 0;
}

void rpc_unpack_refused(struct rpc_call *call, size_t len, int over_budget)
{
    if (over_budget)
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "a %s message of %zu bytes would take more than %zu bytes unpacked (%d per "
                 "byte received); a message field is repeated too often",
                 call->method->input->name, len, rpc_unpack_budget(len), UNPACK_BYTES_PER_BYTE);
    else
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "request is not a valid %s message",
                 call->method->input->name);
}

const ProtobufCMethodDescriptor *rpc_method_descriptor(struct rpc_server *server,
                                                       const char *path)
{
    struct rpc_method_slot *slot = find_method(server, path);
    return slot ? slot->method : NULL;
}

static int is_server_stream(const struct rpc_method_slot *slot)
{
    return strcmp(slot->method->name, "WatchSecurityLevel") == 0 ||
           strcmp(slot->method->name, "Watch") == 0;
}

static void call_local(struct rpc_server *server, const char *path, const char *token,
                       const ProtobufCMessage *request, int stream, rpc_local_message each,
                       rpc_local_done done, void *arg, struct rpc_call **handle)
{
    struct rpc_method_slot *slot = find_method(server, path);
    if (!slot || slot->client_stream || slot->method == NULL ||
        request->descriptor != slot->method->input || is_server_stream(slot) != stream) {
        done(IMS_GRPC_INTERNAL,
             stream ? "no such server stream for this request"
                    : "no such unary method for this request",
             NULL, 0, arg);
        return;
    }
    struct rpc_call *call = calloc(1, sizeof *call);
    size_t len = protobuf_c_message_get_packed_size(request);
    uint8_t *packed = malloc(len ? len : 1);
    if (call)
        call->request = packed ? (protobuf_c_message_pack(request, packed),
                                  protobuf_c_message_unpack(request->descriptor, NULL, len, packed))
                               : NULL;
    free(packed);
    if (!call || !call->request) {
        free(call);
        done(IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory", NULL, 0, arg);
        return;
    }
    call->server = server;
    call->path = slot->path;
    call->method = slot->method;
    call->permission = slot->permission;
    call->handler = slot->handler;
    call->slot = slot;
    call->started_ms = uv_now(server->loop);
    call->started_ns = uv_hrtime();
    call->local_token = token;
    call->local_done = done;
    call->local_message = each;
    call->local_arg = arg;
    call->local_handle = handle;
    if (handle)
        *handle = call;
    call->have_message = 1;
    call->busy = 1;
    if (call->permission->scope == SCOPE_NONE)
        call->handler(call);
    else
        rpc_access_check(call);
}

void rpc_call_local(struct rpc_server *server, const char *path, const char *token,
                    const ProtobufCMessage *request, rpc_local_done done, void *arg)
{
    call_local(server, path, token, request, 0, NULL, done, arg, NULL);
}

void rpc_call_local_stream(struct rpc_server *server, const char *path, const char *token,
                           const ProtobufCMessage *request, rpc_local_message each,
                           rpc_local_done done, void *arg, struct rpc_call **handle)
{
    *handle = NULL;
    call_local(server, path, token, request, 1, each, done, arg, handle);
}

void rpc_call_local_cancel(struct rpc_call *call)
{
    call->cancelled = 1;
    /* As a peer's cancel: at once unless a step is running; a running step's completion,
     * or the stream's on_cancel, ends it. */
    if (!call->busy || call->auth_wait.flight)
        rpc_call_end(call, IMS_GRPC_CANCELLED, "cancelled");
    else if (call->on_cancel)
        call->on_cancel(call);
}

void rpc_server_stats(const struct rpc_server *server, struct rpc_stats *out)
{
    *out = server->stats;
}

int rpc_server_method_count(const struct rpc_server *server)
{
    return server->method_count;
}

const char *rpc_server_method(const struct rpc_server *server, int i,
                              const struct rpc_method_stats **stats)
{
    *stats = &server->methods[i].stats;
    return server->methods[i].path;
}

void rpc_series_maps_changed(struct rpc_server *server)
{
    server->series_maps_generation++;
}

uint64_t rpc_series_maps_generation(const struct rpc_server *server)
{
    return server->series_maps_generation;
}

void rpc_count_ingest(struct rpc_call *call, size_t samples)
{
    call->server->stats.ingest_batches++;
    call->server->stats.ingest_samples += samples;
}

static void on_call_cancel(struct grpc_call *grpc, void *user_data)
{
    (void)user_data;
    struct rpc_call *call = grpc_call_user_data(grpc);
    call->cancelled = 1;
    /* A call waiting for its token can go at once (the lookup goes on for the others);
     * while another step is running its completion ends the call; otherwise end it now. */
    if (!call->busy || call->auth_wait.flight)
        rpc_call_end(call, IMS_GRPC_CANCELLED, "cancelled");
    else if (call->on_cancel)
        call->on_cancel(call);
    else if (call->pending_txn)
        /* Work still waiting for a connection is dropped (its completion ends the call);
         * a transaction already running finishes. */
        (void)db_txn_cancel(call->pending_txn);
}

void rpc_server_dispatch(struct rpc_server *server, struct grpc_dispatch *out)
{
    out->on_call_start = on_call_start;
    out->on_message = on_message;
    out->on_half_close = on_half_close;
    out->on_call_cancel = on_call_cancel;
    out->user_data = server;
}
