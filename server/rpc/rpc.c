#include "rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pool.h"
#include "grpc_server.h"
#include "ims/error.h"
#include "log.h"
#include "statements.h"

#define TOKEN_CACHE_BUCKETS 256
/* Unknown tokens are cached too (a flood of them must not become a flood of queries), so
 * the cache is bounded: past this many entries it starts again empty. */
#define TOKEN_CACHE_MAX 4096
#define MAX_METHODS 128

struct method_slot {
    char path[128];
    const ProtobufCMethodDescriptor *method;
    const struct auth_permission *permission;
    rpc_handler handler;
    int client_stream;
};

/* A resolved token, trusted for token_cache_ttl_ms without asking the database. */
struct token_entry {
    char hash[65];
    struct auth_principal principal;
    int usable;
    uint64_t fetched_ms;
    uint64_t expires_ms; /* uv_now() time the token expires, or 0 */
    struct token_entry *next;
};

/* Tenant references (id or slug) already resolved: tenants are never deleted and their id
 * and slug never change, so an answer stays true; bounded like the token cache. */
#define TENANT_CACHE_MAX 16384
struct tenant_ref {
    char *ref;
    char id[AUTH_UUID_LEN + 1];
    struct tenant_ref *next;
};

struct rpc_server {
    uv_loop_t *loop;
    struct db_pool *pool;
    struct tenant_registry *tenants;
    unsigned token_ttl_ms;
    struct method_slot methods[MAX_METHODS];
    int method_count;
    struct token_entry *tokens[TOKEN_CACHE_BUCKETS];
    int token_count;
    struct tenant_ref *tenant_refs[TOKEN_CACHE_BUCKETS];
    int tenant_ref_count;
    /* Since start: refused tokens and refused calls, logged with each refusal. */
    uint64_t auth_failures;
    uint64_t denials;
};

static unsigned ref_bucket(const char *ref)
{
    unsigned h = 2166136261u;
    for (; *ref; ref++)
        h = (h ^ (unsigned char)*ref) * 16777619u;
    return h % TOKEN_CACHE_BUCKETS;
}

static const char *tenant_ref_find(const struct rpc_server *s, const char *ref)
{
    for (const struct tenant_ref *t = s->tenant_refs[ref_bucket(ref)]; t; t = t->next)
        if (strcmp(t->ref, ref) == 0)
            return t->id;
    return NULL;
}

static void tenant_refs_clear(struct rpc_server *s)
{
    for (int i = 0; i < TOKEN_CACHE_BUCKETS; i++) {
        struct tenant_ref *t = s->tenant_refs[i];
        while (t) {
            struct tenant_ref *next = t->next;
            free(t->ref);
            free(t);
            t = next;
        }
        s->tenant_refs[i] = NULL;
    }
    s->tenant_ref_count = 0;
}

static void tenant_ref_put(struct rpc_server *s, const char *ref, const char *id)
{
    if (s->tenant_ref_count >= TENANT_CACHE_MAX)
        tenant_refs_clear(s);
    struct tenant_ref *t = calloc(1, sizeof *t);
    if (!t || !(t->ref = strdup(ref))) {
        free(t);
        return; /* only a cache */
    }
    snprintf(t->id, sizeof t->id, "%s", id);
    unsigned b = ref_bucket(ref);
    t->next = s->tenant_refs[b];
    s->tenant_refs[b] = t;
    s->tenant_ref_count++;
}

int rpc_server_new(const struct rpc_server_config *config, struct rpc_server **out)
{
    struct rpc_server *s = calloc(1, sizeof *s);
    if (!s)
        return IMS_ENOMEM;
    s->loop = config->loop;
    s->pool = config->pool;
    s->tenants = config->tenants;
    s->token_ttl_ms = config->token_cache_ttl_ms;
    *out = s;
    return 0;
}

void rpc_server_forget_tokens(struct rpc_server *server)
{
    for (int i = 0; i < TOKEN_CACHE_BUCKETS; i++) {
        struct token_entry *e = server->tokens[i];
        while (e) {
            struct token_entry *next = e->next;
            auth_principal_free(&e->principal);
            free(e);
            e = next;
        }
        server->tokens[i] = NULL;
    }
    server->token_count = 0;
}

void rpc_server_free(struct rpc_server *server)
{
    if (!server)
        return;
    rpc_server_forget_tokens(server);
    tenant_refs_clear(server);
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

int rpc_server_register(struct rpc_server *server, const ProtobufCServiceDescriptor *service,
                        const struct rpc_method_entry *entries, size_t count)
{
    if (count != service->n_methods)
        return IMS_EINVAL;
    for (size_t i = 0; i < count; i++) {
        if (server->method_count == MAX_METHODS)
            return IMS_ENOMEM;
        const ProtobufCMethodDescriptor *m = &service->methods[i];
        if (strcmp(m->name, entries[i].name) != 0)
            return IMS_EINVAL;
        struct method_slot *slot = &server->methods[server->method_count];
        snprintf(slot->path, sizeof slot->path, "/%s/%s", service->name, m->name);
        slot->permission = auth_permission_for(slot->path);
        if (!slot->permission) {
            log_error("method has no permission entry", "method=%s", slot->path);
            return IMS_EINVAL;
        }
        slot->method = m;
        slot->handler = entries[i].handler;
        slot->client_stream = entries[i].client_stream;
        server->method_count++;
    }
    return 0;
}

static const struct method_slot *find_method(const struct rpc_server *s, const char *path)
{
    for (int i = 0; i < s->method_count; i++)
        if (strcmp(s->methods[i].path, path) == 0)
            return &s->methods[i];
    return NULL;
}

/* --- ending calls --- */

static void call_free(struct rpc_call *call)
{
    if (call->state_free && call->state)
        call->state_free(call->state);
    if (call->request)
        protobuf_c_message_free_unpacked(call->request, NULL);
    auth_principal_free(&call->principal);
    free(call->raw);
    free(call);
}

static void call_end(struct rpc_call *call, int status, const char *message)
{
    if (call->finished)
        return;
    call->finished = 1;
    uint64_t ms = uv_now(call->server->loop) - call->started_ms;
    if (status == IMS_GRPC_OK)
        log_debug("rpc", "method=%s peer=%s status=OK ms=%llu", call->path,
                  grpc_call_peer(call->grpc), (unsigned long long)ms);
    else
        log_warning("rpc failed", "method=%s peer=%s status=%s ms=%llu detail=\"%s\"", call->path,
                    grpc_call_peer(call->grpc), ims_grpc_status_name(status),
                    (unsigned long long)ms, message ? message : "");
    grpc_call_finish(call->grpc, status, message);
    call_free(call);
}

static int pack_and_send(struct rpc_call *call, const ProtobufCMessage *msg)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t stack[1024];
    uint8_t *buf = n <= sizeof stack ? stack : malloc(n);
    if (!buf)
        return IMS_ENOMEM;
    protobuf_c_message_pack(msg, buf);
    int rc = grpc_call_send_message(call->grpc, buf, n);
    if (buf != stack)
        free(buf);
    return rc;
}

void rpc_reply_packed(struct rpc_call *call, const uint8_t *data, size_t len)
{
    if (call->cancelled) {
        call_end(call, IMS_GRPC_CANCELLED, "cancelled");
        return;
    }
    int rc = grpc_call_send_message(call->grpc, data, len);
    call_end(call, rc == 0 ? IMS_GRPC_OK : IMS_GRPC_RESOURCE_EXHAUSTED, rc ? "out of memory" : NULL);
}

void rpc_end(struct rpc_call *call)
{
    call_end(call, call->cancelled ? IMS_GRPC_CANCELLED : IMS_GRPC_OK, NULL);
}

void rpc_reply(struct rpc_call *call, const ProtobufCMessage *response)
{
    if (call->cancelled) {
        call_end(call, IMS_GRPC_CANCELLED, "cancelled");
        return;
    }
    int rc = pack_and_send(call, response);
    if (rc == IMS_ENOMEM)
        call_end(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    else
        call_end(call, rc == 0 ? IMS_GRPC_OK : IMS_GRPC_CANCELLED, NULL);
}

int rpc_stream_send(struct rpc_call *call, const ProtobufCMessage *message)
{
    if (call->cancelled)
        return IMS_ECLOSED;
    return pack_and_send(call, message);
}

void rpc_fail(struct rpc_call *call, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    call_end(call, status, msg);
}

void rpc_fail_db(struct rpc_call *call, struct db_txn *txn, int err)
{
    const char *state = txn ? db_txn_sqlstate(txn) : "";
    switch (err) {
    case IMS_EUNAVAILABLE:
        rpc_fail(call, IMS_GRPC_UNAVAILABLE, "database unavailable; retry later");
        return;
    case IMS_ETOOBIG:
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "database queue full; retry later");
        return;
    case IMS_ECLOSED:
        rpc_fail(call, IMS_GRPC_UNAVAILABLE, "server shutting down");
        return;
    case IMS_ENOMEM:
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    default:
        if (!txn) {
            rpc_fail(call, IMS_GRPC_INTERNAL, "internal error (%s)", ims_strerror(err));
            return;
        }
        break;
    }
    if (strcmp(state, "22023") == 0 || strncmp(state, "23", 2) == 0) {
        /* Our functions raise 22023 with the field's name first; constraint names say which
         * rule a value broke. Unique violations mean the object exists. */
        int status = strcmp(state, "23505") == 0 ? IMS_GRPC_ALREADY_EXISTS
                                                  : IMS_GRPC_INVALID_ARGUMENT;
        rpc_fail(call, status, "%s", db_txn_error(txn));
    } else if (strcmp(state, "42501") == 0) {
        rpc_fail(call, IMS_GRPC_PERMISSION_DENIED, "%s", db_txn_error(txn));
    } else if (strcmp(state, "P0002") == 0) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "%s", db_txn_error(txn));
    } else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        rpc_fail(call, IMS_GRPC_ABORTED, "concurrent change; retry");
    } else {
        log_error("database error", "method=%s sqlstate=%s error=\"%s\"", call->path, state,
                  db_txn_error(txn));
        rpc_fail(call, IMS_GRPC_INTERNAL, "internal error (logged)");
    }
}

size_t rpc_call_pending_bytes(const struct rpc_call *call)
{
    return grpc_call_pending_bytes(call->grpc);
}

const char *rpc_call_token_id(const struct rpc_call *call)
{
    return call->authenticated ? call->principal.token_id : NULL;
}

/* --- authentication --- */

static struct token_entry **token_bucket(struct rpc_server *s, const char *hash)
{
    unsigned h = (unsigned)strtoul((char[]){hash[0], hash[1], 0}, NULL, 16);
    return &s->tokens[h % TOKEN_CACHE_BUCKETS];
}

static int principal_copy(struct auth_principal *dst, const struct auth_principal *src)
{
    *dst = *src;
    dst->tenants = NULL;
    if (src->tenant_count > 0) {
        dst->tenants = malloc((size_t)src->tenant_count * sizeof *dst->tenants);
        if (!dst->tenants)
            return IMS_ENOMEM;
        memcpy(dst->tenants, src->tenants, (size_t)src->tenant_count * sizeof *dst->tenants);
    }
    return 0;
}

static int parse_tenant_csv(struct auth_principal *p, const char *csv)
{
    int n = 0;
    for (const char *c = csv; *c; c++)
        n += *c == ',';
    n += *csv != '\0';
    p->tenant_count = 0;
    if (n == 0)
        return 0;
    p->tenants = calloc((size_t)n, sizeof *p->tenants);
    if (!p->tenants)
        return IMS_ENOMEM;
    const char *c = csv;
    while (*c && p->tenant_count < n) {
        const char *end = strchr(c, ',');
        size_t len = end ? (size_t)(end - c) : strlen(c);
        if (len == AUTH_UUID_LEN) {
            memcpy(p->tenants[p->tenant_count], c, len);
            p->tenants[p->tenant_count][len] = '\0';
            p->tenant_count++;
        }
        c = end ? end + 1 : c + len;
    }
    return 0;
}

static void call_authorized(struct rpc_call *call);

static void call_denied_unauthenticated(struct rpc_call *call, const char *why)
{
    /* Counted and logged with the peer, never with the token. */
    call->server->auth_failures++;
    log_warning("authentication failed", "method=%s peer=%s reason=\"%s\" auth_failures=%llu",
                call->path, grpc_call_peer(call->grpc), why,
                (unsigned long long)call->server->auth_failures);
    rpc_fail(call, IMS_GRPC_UNAUTHENTICATED, "%s", why);
}

static void token_touch_done(struct db_txn *txn, int err, void *arg)
{
    (void)err;
    (void)arg;
    db_txn_free(txn);
}

/* Records the token's last use; best effort, the call does not wait for it. */
static void token_touch(struct rpc_server *s, const char *token_id)
{
    struct db_txn *txn = db_txn_new(s->pool, NULL, 0);
    const char *params[1] = {token_id};
    if (!txn || db_txn_add(txn, STMT_TOKEN_TOUCH, 1, params) < 0) {
        db_txn_free(txn);
        return;
    }
    db_txn_exec(txn, token_touch_done, NULL);
}

static void token_lookup_done(struct db_txn *txn, int err, void *arg)
{
    struct rpc_call *call = arg;
    struct rpc_server *s = call->server;
    const char *hash = call->state;
    if (err != 0) {
        call->state = NULL;
        free((void *)hash);
        rpc_fail_db(call, txn, err);
        db_txn_free(txn);
        return;
    }
    PGresult *r = db_txn_result(txn, 0);
    struct token_entry *e = calloc(1, sizeof *e);
    if (!e) {
        db_txn_free(txn);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    snprintf(e->hash, sizeof e->hash, "%s", hash);
    e->fetched_ms = uv_now(s->loop);
    if (r && PQntuples(r) == 1) {
        snprintf(e->principal.token_id, sizeof e->principal.token_id, "%s",
                 PQgetvalue(r, 0, 0));
        e->usable = strcmp(PQgetvalue(r, 0, 2), "t") == 0 &&
                    auth_role_parse(PQgetvalue(r, 0, 1), &e->principal.role) == 0 &&
                    parse_tenant_csv(&e->principal, PQgetvalue(r, 0, 3)) == 0;
        long long left = atoll(PQgetvalue(r, 0, 4));
        if (left >= 0)
            e->expires_ms = e->fetched_ms + (uint64_t)left * 1000;
    }
    db_txn_free(txn);
    call->state = NULL;
    free((void *)hash);
    if (s->token_count >= TOKEN_CACHE_MAX)
        rpc_server_forget_tokens(s);
    struct token_entry **b = token_bucket(s, e->hash);
    e->next = *b;
    *b = e;
    s->token_count++;
    if (!e->usable) {
        call_denied_unauthenticated(call, "invalid, expired or revoked token");
        return;
    }
    if (principal_copy(&call->principal, &e->principal) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    call->authenticated = 1;
    token_touch(s, e->principal.token_id);
    call_authorized(call);
}

/* Resolves the bearer token, from the cache when fresh, else from the database. */
static void call_authenticate(struct rpc_call *call)
{
    struct rpc_server *s = call->server;
    const char *token = auth_bearer_token(grpc_call_header(call->grpc, "authorization"));
    if (!token) {
        call_denied_unauthenticated(call, "missing bearer token (authorization: Bearer <token>)");
        return;
    }
    char hash[65];
    auth_token_hash_hex(token, hash);
    uint64_t now = uv_now(s->loop);
    struct token_entry **pp = token_bucket(s, hash);
    for (struct token_entry *e; (e = *pp) != NULL; pp = &e->next) {
        if (strcmp(e->hash, hash) != 0)
            continue;
        if (now - e->fetched_ms > s->token_ttl_ms) {
            *pp = e->next;
            auth_principal_free(&e->principal);
            free(e);
            s->token_count--;
            break;
        }
        if (e->expires_ms && now >= e->expires_ms)
            e->usable = 0; /* expired while cached */
        if (!e->usable) {
            call_denied_unauthenticated(call, "invalid, expired or revoked token");
            return;
        }
        if (principal_copy(&call->principal, &e->principal) != 0) {
            rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
            return;
        }
        call->authenticated = 1;
        call_authorized(call);
        return;
    }
    struct db_txn *txn = db_txn_new(s->pool, NULL, 0);
    char *copy = strdup(hash);
    const char *params[1] = {hash};
    if (!txn || !copy || db_txn_add(txn, STMT_TOKEN_LOOKUP, 1, params) < 0) {
        free(copy);
        db_txn_free(txn);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    call->state = copy;
    db_txn_exec(txn, token_lookup_done, call);
}

/* --- tenant resolution and authorization --- */

static const char *request_tenant(const struct rpc_call *call)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(call->request->descriptor, "tenant");
    if (!f || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED)
        return NULL;
    const char *const *value = (const char *const *)((const char *)call->request + f->offset);
    return *value;
}

/* The tenant is known; is it the principal's? */
static void call_tenant_known(struct rpc_call *call, int found)
{
    /* Another tenant's existence is not revealed: unknown and out of scope look alike. */
    if (!found || !auth_tenant_in_scope(&call->principal, call->tenant)) {
        call->server->denials++;
        log_warning("rpc denied", "method=%s role=%s token=%s reason=scope denials=%llu",
                    call->path, auth_role_name(call->principal.role), call->principal.token_id,
                    (unsigned long long)call->server->denials);
        rpc_fail(call, IMS_GRPC_PERMISSION_DENIED, "tenant: not found or not in your scope");
        return;
    }
    call->handler(call);
}

static void tenant_resolved(struct db_txn *txn, int err, void *arg)
{
    struct rpc_call *call = arg;
    if (err != 0) {
        rpc_fail_db(call, txn, err);
        db_txn_free(txn);
        return;
    }
    PGresult *r = db_txn_result(txn, 0);
    int found = r && PQntuples(r) == 1;
    if (found) {
        snprintf(call->tenant, sizeof call->tenant, "%s", PQgetvalue(r, 0, 0));
        tenant_ref_put(call->server, request_tenant(call), call->tenant);
    }
    db_txn_free(txn);
    call_tenant_known(call, found);
}


/* Role allowed? Tenant in scope? Only then does the handler run. */
static void call_authorized(struct rpc_call *call)
{
    const struct auth_permission *perm = call->permission;
    if (!auth_role_allowed(&call->principal, perm)) {
        call->server->denials++;
        log_warning("rpc denied", "method=%s role=%s token=%s denials=%llu", call->path,
                    auth_role_name(call->principal.role), call->principal.token_id,
                    (unsigned long long)call->server->denials);
        rpc_fail(call, IMS_GRPC_PERMISSION_DENIED, "role %s may not call %s",
                 auth_role_name(call->principal.role), call->method->name);
        return;
    }
    if (perm->scope != SCOPE_TENANT) {
        call->handler(call);
        return;
    }
    const char *tenant = request_tenant(call);
    if (!tenant || !*tenant) {
        /* WatchSecurityLevel with no tenant means "all": its handler decides. */
        if (strcmp(call->method->name, "WatchSecurityLevel") == 0) {
            call->handler(call);
            return;
        }
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "tenant: required (id or slug)");
        return;
    }
    if (strlen(tenant) > 100) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "tenant: longer than 100 characters");
        return;
    }
    const char *known = tenant_ref_find(call->server, tenant);
    if (known) {
        snprintf(call->tenant, sizeof call->tenant, "%s", known);
        call_tenant_known(call, 1);
        return;
    }
    struct db_txn *txn = db_txn_new(call->server->pool, NULL, 1);
    const char *params[1] = {tenant};
    if (!txn || db_txn_add(txn, STMT_TENANT_RESOLVE, 1, params) < 0) {
        db_txn_free(txn);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    db_txn_exec(txn, tenant_resolved, call);
}

/* --- the dispatcher given to net/ --- */

static int on_call_start(struct grpc_call *grpc, void *user_data)
{
    struct rpc_server *s = user_data;
    const char *path = grpc_call_path(grpc);
    const struct method_slot *slot = find_method(s, path);
    if (!slot) {
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
    call->started_ms = uv_now(s->loop);
    grpc_call_set_user_data(grpc, call);
    return 0;
}

static void on_message(struct grpc_call *grpc, const uint8_t *data, size_t len, void *user_data)
{
    (void)user_data;
    struct rpc_call *call = grpc_call_user_data(grpc);
    if (call->finished || call->busy)
        return;
    if (call->have_message) {
        /* Client streams are read whole and applied as one batch; unary takes one. */
        if (!call->client_stream) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "more than one request message");
            return;
        }
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
}

static void on_half_close(struct grpc_call *grpc, void *user_data)
{
    (void)user_data;
    struct rpc_call *call = grpc_call_user_data(grpc);
    if (call->finished)
        return;
    if (!call->have_message) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "no request message");
        return;
    }
    call->request = protobuf_c_message_unpack(call->method->input, NULL, call->raw_len,
                                              call->raw ? call->raw : (const uint8_t *)"");
    free(call->raw);
    call->raw = NULL;
    if (!call->request) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "request is not a valid %s message",
                 call->method->input->name);
        return;
    }
    call->busy = 1;
    if (call->permission->scope == SCOPE_NONE)
        call->handler(call);
    else
        call_authenticate(call);
}

static void on_call_cancel(struct grpc_call *grpc, void *user_data)
{
    (void)user_data;
    struct rpc_call *call = grpc_call_user_data(grpc);
    call->cancelled = 1;
    /* While a step is running its completion ends the call; otherwise end it now. */
    if (!call->busy)
        call_end(call, IMS_GRPC_CANCELLED, "cancelled");
    else if (call->on_cancel)
        call->on_cancel(call);
}

void rpc_server_dispatch(struct rpc_server *server, struct grpc_dispatch *out)
{
    out->on_call_start = on_call_start;
    out->on_message = on_message;
    out->on_half_close = on_half_close;
    out->on_call_cancel = on_call_cancel;
    out->user_data = server;
}

/* --- transaction helpers --- */

struct db_txn *rpc_txn_new(struct rpc_call *call, const char *tenant, int all)
{
    struct db_txn *txn = db_txn_new(call->server->pool, tenant, all);
    if (!txn)
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    return txn;
}

int rpc_txn_add(struct rpc_call *call, struct db_txn *txn, int statement, int nparams,
                const char *const *values)
{
    int index = db_txn_add(txn, statement, nparams, values);
    if (index < 0) {
        db_txn_free(txn);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    return index;
}

int rpc_txn_audit(struct rpc_call *call, struct db_txn *txn, const char *object_id)
{
    const char *params[4] = {rpc_call_token_id(call), auth_role_name(call->principal.role),
                             call->path, object_id ? object_id : ""};
    return rpc_txn_add(call, txn, STMT_AUDIT_APPEND, 4, params);
}

int rpc_audit_statement(struct rpc_call *call, struct db_txn *txn, const char *object_id)
{
    const char *params[4] = {rpc_call_token_id(call), auth_role_name(call->principal.role),
                             call->path, object_id ? object_id : ""};
    return db_txn_add(txn, STMT_AUDIT_APPEND, 4, params) < 0 ? IMS_ENOMEM : 0;
}

static void txn_finished(struct db_txn *txn, int err, void *arg)
{
    struct rpc_call *call = arg;
    rpc_txn_done done = (rpc_txn_done)call->pending_done;
    call->pending_done = NULL;
    if (err != 0)
        rpc_fail_db(call, txn, err);
    else
        done(call, txn);
    db_txn_free(txn);
}

void rpc_txn_exec(struct rpc_call *call, struct db_txn *txn, rpc_txn_done done)
{
    call->pending_done = (void (*)(void))done;
    db_txn_exec(txn, txn_finished, call);
}
