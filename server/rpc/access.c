/* Who is calling and may they: the bearer token resolved to a principal (auth/tokens.h,
 * asking PostgreSQL on a miss), the role checked against the permission table, and the
 * request's tenant resolved and checked against the principal's scope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pool.h"
#include "grpc_server.h"
#include "inflight.h"
#include "ims/error.h"
#include "log.h"
#include "server.h"
#include "statements.h"

/* Resolved tokens kept; unusable ones are kept apart in a smaller cache so a flood of bad
 * tokens cannot push out the good ones. */
#define TOKEN_CACHE_MAX 4096
#define TOKEN_NEGATIVE_CACHE_MAX 1024

/* Tenant references (id or slug) already resolved: tenants are never deleted and their id
 * and slug never change, so an answer stays true; bounded: past this many it starts again
 * empty. */
#define TENANT_CACHE_MAX 16384

struct rpc_tenant_ref {
    char *ref;
    char id[AUTH_UUID_LEN + 1];
    struct rpc_tenant_ref *next;
};

static unsigned ref_bucket(const char *ref)
{
    unsigned h = 2166136261u;
    for (; *ref; ref++)
        h = (h ^ (unsigned char)*ref) * 16777619u;
    return h % RPC_TENANT_REF_BUCKETS;
}

static const char *tenant_ref_find(const struct rpc_server *s, const char *ref)
{
    for (const struct rpc_tenant_ref *t = s->tenant_refs[ref_bucket(ref)]; t; t = t->next)
        if (strcmp(t->ref, ref) == 0)
            return t->id;
    return NULL;
}

static void tenant_refs_clear(struct rpc_server *s)
{
    for (int i = 0; i < RPC_TENANT_REF_BUCKETS; i++) {
        struct rpc_tenant_ref *t = s->tenant_refs[i];
        while (t) {
            struct rpc_tenant_ref *next = t->next;
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
    struct rpc_tenant_ref *t = calloc(1, sizeof *t);
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

/* --- the token store: PostgreSQL --- */

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

struct token_fetch {
    struct rpc_server *server;
    struct auth_flight *flight;
};

static void token_fetched(struct db_txn *txn, int err, void *arg)
{
    struct token_fetch f = *(struct token_fetch *)arg;
    free(arg);
    if (err != 0) {
        auth_tokens_fetched(f.flight, err, NULL);
        db_txn_free(txn);
        return;
    }
    PGresult *r = db_txn_result(txn, 0);
    struct auth_token_record rec = {0};
    if (r && PQntuples(r) == 1) {
        rec.found = 1;
        rec.token_id = PQgetvalue(r, 0, 0);
        rec.role = PQgetvalue(r, 0, 1);
        rec.active = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
        rec.tenants_csv = PQgetvalue(r, 0, 3);
        rec.seconds_left = atoll(PQgetvalue(r, 0, 4));
        if (rec.active)
            token_touch(f.server, rec.token_id);
    }
    auth_tokens_fetched(f.flight, 0, &rec);
    db_txn_free(txn);
}

static int token_fetch(void *ctx, const char *hash, struct auth_flight *flight)
{
    struct rpc_server *s = ctx;
    struct token_fetch *f = malloc(sizeof *f);
    struct db_txn *txn = db_txn_new(s->pool, NULL, 0);
    const char *params[1] = {hash};
    if (!f || !txn || db_txn_add(txn, STMT_TOKEN_LOOKUP, 1, params) < 0) {
        free(f);
        db_txn_free(txn);
        return IMS_ENOMEM;
    }
    f->server = s;
    f->flight = flight;
    db_txn_set_urgent(txn); /* every call waits for it: ahead of bulk writes */
    db_txn_exec(txn, token_fetched, f);
    return 0;
}

static uint64_t loop_now(void *ctx)
{
    return uv_now(((struct rpc_server *)ctx)->loop);
}

int rpc_access_init(struct rpc_server *server, unsigned token_ttl_ms)
{
    struct auth_tokens_config config = {
        .capacity = TOKEN_CACHE_MAX,
        .negative_capacity = TOKEN_NEGATIVE_CACHE_MAX,
        .ttl_ms = token_ttl_ms,
        .negative_ttl_ms = token_ttl_ms,
        .fetch = token_fetch,
        .now = loop_now,
        .ctx = server,
    };
    return auth_tokens_new(&config, &server->tokens) == 0 ? 0 : IMS_ENOMEM;
}

void rpc_access_free(struct rpc_server *server)
{
    auth_tokens_free(server->tokens);
    server->tokens = NULL;
    tenant_refs_clear(server);
}

void rpc_server_authenticate(struct rpc_server *server, const char *token, struct auth_wait *wait,
                             auth_lookup_cb cb, void *arg)
{
    auth_lookup(server->tokens, token, wait, cb, arg);
}

void rpc_server_forget_token(struct rpc_server *server, const char *token_id)
{
    auth_tokens_forget(server->tokens, token_id);
}

/* --- authentication --- */

static void call_authorized(struct rpc_call *call);

/* Counted and logged with the peer, never with the token. */
static void count_auth_failure(struct rpc_call *call, enum rpc_auth_failure reason,
                               const char *why)
{
    call->server->stats.auth_failures[reason]++;
    uint64_t total = 0;
    for (int i = 0; i < RPC_AUTH_FAILURE_COUNT; i++)
        total += call->server->stats.auth_failures[i];
    log_warning("authentication failed", "method=%s peer=%s reason=\"%s\" auth_failures=%llu",
                call->path, rpc_call_peer(call), why, (unsigned long long)total);
}

static void call_denied_unauthenticated(struct rpc_call *call, enum rpc_auth_failure reason,
                                        const char *why)
{
    count_auth_failure(call, reason, why);
    rpc_fail(call, IMS_GRPC_UNAUTHENTICATED, "%s", why);
}

enum { TOKEN_UNKNOWN, TOKEN_WAITING, TOKEN_OK, TOKEN_REFUSED };

static const char invalid_token[] = "invalid, expired or revoked token";
static const char missing_token[] = "missing bearer token (authorization: Bearer <token>)";
static const char malformed_token[] = "malformed bearer token";

static void token_resolved(int result, const struct auth_principal *principal, void *arg)
{
    struct rpc_call *call = arg;
    if (result == IMS_ENOTFOUND) {
        call_denied_unauthenticated(call, RPC_AUTH_INVALID, invalid_token);
        return;
    }
    if (result != 0) {
        rpc_fail_db(call, NULL, result);
        return;
    }
    if (auth_principal_copy(&call->principal, principal) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    call->authenticated = 1;
    call_authorized(call);
}

/* The lookup started as the headers ended has its answer. */
static void token_early(int result, const struct auth_principal *principal, void *arg)
{
    struct rpc_call *call = arg;
    if (result == 0 && auth_principal_copy(&call->principal, principal) == 0) {
        call->authenticated = 1;
        call->token_state = TOKEN_OK;
        if (call->grpc && !call->starting)
            grpc_call_resume_input(call->grpc);
        if (call->request_ready)
            call_authorized(call);
        return;
    }
    call->token_state = TOKEN_REFUSED;
    call->token_result = result == 0 ? IMS_ENOMEM : result;
    if (call->starting)
        return; /* rpc_access_begin refuses the call */
    if (call->token_result == IMS_ENOTFOUND)
        call_denied_unauthenticated(call, RPC_AUTH_INVALID, invalid_token);
    else if (call->token_result == IMS_ENOMEM)
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    else
        rpc_fail_db(call, NULL, call->token_result);
}

int rpc_access_begin(struct rpc_call *call)
{
    const char *token = auth_bearer_token(grpc_call_header(call->grpc, "authorization"));
    if (!token || !auth_token_well_formed(token)) {
        const char *why = token ? malformed_token : missing_token;
        count_auth_failure(call, token ? RPC_AUTH_MALFORMED : RPC_AUTH_MISSING, why);
        grpc_call_set_refusal(call->grpc, why);
        return IMS_GRPC_UNAUTHENTICATED;
    }
    call->token_state = TOKEN_WAITING;
    call->starting = 1;
    auth_lookup(call->server->tokens, token, &call->auth_wait, token_early, call);
    call->starting = 0;
    /* Until the token is known its body is not acknowledged: a peer with a made-up token
     * can send one stream window, held as bytes (counted in the byte budgets) and not
     * unpacked until the token is known. */
    if (call->token_state == TOKEN_WAITING)
        grpc_call_pause_input(call->grpc);
    if (call->token_state != TOKEN_REFUSED)
        return 0;
    if (call->token_result == IMS_ENOTFOUND) {
        count_auth_failure(call, RPC_AUTH_INVALID, invalid_token);
        grpc_call_set_refusal(call->grpc, invalid_token);
        return IMS_GRPC_UNAUTHENTICATED;
    }
    grpc_call_set_refusal(call->grpc, "cannot check the token now; retry later");
    return call->token_result == IMS_ENOMEM ? IMS_GRPC_RESOURCE_EXHAUSTED : IMS_GRPC_UNAVAILABLE;
}

void rpc_access_continue(struct rpc_call *call)
{
    call->request_ready = 1;
    if (call->token_state == TOKEN_OK)
        call_authorized(call);
    /* TOKEN_WAITING: token_early goes on when the lookup ends. */
}

void rpc_access_check(struct rpc_call *call)
{
    const char *token = call->grpc
                            ? auth_bearer_token(grpc_call_header(call->grpc, "authorization"))
                            : call->local_token;
    if (!token || !auth_token_well_formed(token)) {
        call_denied_unauthenticated(call, token ? RPC_AUTH_MALFORMED : RPC_AUTH_MISSING,
                                    token ? malformed_token : missing_token);
        return;
    }
    auth_lookup(call->server->tokens, token, &call->auth_wait, token_resolved, call);
}

/* --- tenant resolution and authorization --- */

static const char *request_tenant(const struct rpc_call *call)
{
    /* The request is always of the method's input type (dispatch.c checks it). */
    const ProtobufCFieldDescriptor *f = call->slot->tenant_field;
    if (!f)
        return NULL;
    const char *const *value = (const char *const *)((const char *)call->request + f->offset);
    return *value;
}

/* The tenant is known; is it the principal's? */
static void call_tenant_known(struct rpc_call *call, int found)
{
    /* Another tenant's existence is not revealed: unknown and out of scope look alike. */
    if (!found || !auth_tenant_in_scope(&call->principal, call->tenant)) {
        call->server->stats.denials++;
        log_warning("rpc denied", "method=%s role=%s token=%s reason=scope denials=%llu",
                    call->path, auth_role_name(call->principal.role), call->principal.token_id,
                    (unsigned long long)call->server->stats.denials);
        rpc_fail(call, IMS_GRPC_PERMISSION_DENIED, "tenant: not found or not in your scope");
        return;
    }
    unsigned limit = rpc_inflight_enter_tenant(call);
    if (limit) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED,
                 "this tenant has %u calls in flight, the most one tenant may have; retry later",
                 limit);
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
    if (!call->request && rpc_request_unpack(call) != 0)
        return;
    const struct auth_permission *perm = call->permission;
    if (!auth_role_allowed(&call->principal, perm)) {
        call->server->stats.denials++;
        log_warning("rpc denied", "method=%s role=%s token=%s denials=%llu", call->path,
                    auth_role_name(call->principal.role), call->principal.token_id,
                    (unsigned long long)call->server->stats.denials);
        rpc_fail(call, IMS_GRPC_PERMISSION_DENIED, "role %s may not call %s",
                 auth_role_name(call->principal.role), call->method->name);
        return;
    }
    unsigned limit = rpc_inflight_enter(call);
    if (limit) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED,
                 "this token has %u calls in flight, the most one token may have; retry later",
                 limit);
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
        size_t len = strlen(known); /* an id this cache made: a UUID's text */
        memcpy(call->tenant, known, len < sizeof call->tenant ? len + 1 : sizeof call->tenant);
        call->tenant[sizeof call->tenant - 1] = '\0';
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
