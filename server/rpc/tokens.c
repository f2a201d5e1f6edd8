/* API tokens: created (the secret shown once), listed and revoked, within the caller's
 * scope; a revocation takes effect at once on this daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/tenants.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"


#define NIL_TENANT "00000000-0000-0000-0000-000000000000"

static void token_from_row(Ims__V1__Token *t, PGresult *r, int row, char **tenants_out,
                           size_t *n_out, char *csv_buf)
{
    t->id = PQgetvalue(r, row, 0);
    t->role = PQgetvalue(r, row, 1);
    t->label = PQgetvalue(r, row, 2);
    t->created_at = PQgetvalue(r, row, 3);
    t->expires_at = PQgetvalue(r, row, 4);
    t->last_used_at = PQgetvalue(r, row, 5);
    t->revoked_at = PQgetvalue(r, row, 6);
    /* Split the tenant csv in place (csv_buf is a copy the caller owns). */
    strcpy(csv_buf, PQgetvalue(r, row, 7));
    size_t n = 0;
    for (char *c = csv_buf; *c;) {
        tenants_out[n++] = c;
        char *comma = strchr(c, ',');
        if (!comma)
            break;
        *comma = '\0';
        c = comma + 1;
    }
    t->tenants = tenants_out;
    t->n_tenants = n;
}

struct token_rows {
    char **tenant_ptrs;
    char *csv;
};

static int token_rows_alloc(struct token_rows *tr, PGresult *r, int row)
{
    size_t len = strlen(PQgetvalue(r, row, 7));
    tr->csv = malloc(len + 1);
    tr->tenant_ptrs = calloc(len / AUTH_UUID_LEN + 2, sizeof *tr->tenant_ptrs);
    return tr->csv && tr->tenant_ptrs ? 0 : IMS_ENOMEM;
}

static void token_rows_free(struct token_rows *tr)
{
    free(tr->csv);
    free(tr->tenant_ptrs);
}

struct create_token_state {
    char secret[AUTH_TOKEN_LEN + 1];
    int get_index;
};

/* Replies with one token row of result r. */
static void reply_token(struct rpc_call *call, PGresult *r, const char *secret)
{
    Ims__V1__Token tok = IMS__V1__TOKEN__INIT;
    struct token_rows tr;
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no such token");
        return;
    }
    if (token_rows_alloc(&tr, r, 0) != 0) {
        token_rows_free(&tr);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    token_from_row(&tok, r, 0, tr.tenant_ptrs, &tok.n_tenants, tr.csv);
    if (secret) {
        Ims__V1__CreateTokenResponse resp = IMS__V1__CREATE_TOKEN_RESPONSE__INIT;
        resp.token = &tok;
        resp.secret = (char *)secret;
        rpc_reply(call, &resp.base);
    } else {
        Ims__V1__RevokeTokenResponse resp = IMS__V1__REVOKE_TOKEN_RESPONSE__INIT;
        resp.token = &tok;
        rpc_reply(call, &resp.base);
    }
    token_rows_free(&tr);
}

static void create_token_done(struct rpc_call *call, struct db_txn *txn)
{
    struct create_token_state *st = call->state;
    reply_token(call, db_txn_result(txn, st->get_index), st->secret);
}

void rpc_create_token(struct rpc_call *call)
{
    const Ims__V1__CreateTokenRequest *req = (const Ims__V1__CreateTokenRequest *)call->request;
    enum auth_role role;
    if (auth_role_parse(req->role, &role) != 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "role: must be operator, consultant, auditor, tenant_admin, agent or viewer");
        return;
    }
    if (!validate_text(call, "label", req->label, 0, 200))
        return;
    int64_t expires = 0;
    if (!validate_time(call, "expires_at", req->expires_at, 1, &expires))
        return;
    size_t n = req->n_tenants;
    int single = role == ROLE_TENANT_ADMIN || role == ROLE_AGENT || role == ROLE_VIEWER;
    if (role == ROLE_OPERATOR && n != 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "tenants: an operator token spans all tenants");
        return;
    }
    if (single && n != 1) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "tenants: a %s token needs exactly one tenant",
                 req->role);
        return;
    }
    size_t n_sectors = req->n_sectors;
    if (n_sectors && role != ROLE_CONSULTANT) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "sectors: only a consultant token has sectors");
        return;
    }
    if (n_sectors && call->principal.role != ROLE_OPERATOR) {
        rpc_fail(call, IMS_GRPC_PERMISSION_DENIED, "sectors: only an operator grants sectors");
        return;
    }
    if (n_sectors > 100) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "sectors: at most 100");
        return;
    }
    for (size_t i = 0; i < n_sectors; i++)
        if (!validate_slug(call, "sectors", req->sectors[i], 1, 63))
            return;
    /* A consultant with sectors may start with no tenant: it creates its clients. */
    if (role == ROLE_CONSULTANT && n_sectors && n > 1000) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "tenants: a consultant token holds at most 1000");
        return;
    }
    if ((role == ROLE_AUDITOR || (role == ROLE_CONSULTANT && !n_sectors)) && (n < 1 || n > 1000)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "tenants: a %s token needs 1 to 1000 tenants",
                 req->role);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (!validate_text(call, "tenants", req->tenants[i], 1, 100))
            return;
    const char *allowed = NULL;
    if (call->principal.role == ROLE_TENANT_ADMIN) {
        if (role != ROLE_AGENT && role != ROLE_VIEWER) {
            rpc_fail(call, IMS_GRPC_PERMISSION_DENIED,
                     "role: a tenant_admin may create agent and viewer tokens only");
            return;
        }
        allowed = call->principal.tenants[0];
    }
    struct create_token_state *st = arena_alloc(&call->arena, sizeof *st);
    if (!st) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    call->state = st;
    char id[AUTH_UUID_LEN + 1], hash[65];
    if (auth_token_generate(st->secret) != 0 || auth_uuid_generate(id) != 0) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "no randomness available");
        return;
    }
    auth_token_hash_hex(st->secret, hash);
    const char *params[6] = {id,         hash, req->role, req->label,
                             *req->expires_at ? req->expires_at : NULL, rpc_call_token_id(call)};
    struct db_txn *txn = rpc_txn_new(call, NIL_TENANT, 1);
    if (!txn || rpc_txn_add(call, txn, STMT_TOKEN_INSERT, 6, params) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        const char *scope[3] = {id, req->tenants[i], allowed};
        if (rpc_txn_add(call, txn, STMT_TOKEN_ADD_TENANT, 3, scope) < 0)
            return;
    }
    for (size_t i = 0; i < n_sectors; i++) {
        const char *sector[2] = {id, req->sectors[i]};
        if (rpc_txn_add(call, txn, STMT_TOKEN_ADD_SECTOR, 2, sector) < 0)
            return;
    }
    const char *get[1] = {id};
    if ((st->get_index = rpc_txn_add(call, txn, STMT_TOKEN_GET, 1, get)) < 0 ||
        rpc_txn_audit(call, txn, id) < 0)
        return;
    rpc_txn_exec(call, txn, create_token_done);
}

static void list_tokens_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    const char *next;
    int shown = rpc_page_result(call, r, 0, -1, &next);
    Ims__V1__ListTokensResponse resp = IMS__V1__LIST_TOKENS_RESPONSE__INIT;
    Ims__V1__Token *items = calloc((size_t)shown + 1, sizeof *items);
    Ims__V1__Token **ptrs = calloc((size_t)shown + 1, sizeof *ptrs);
    struct token_rows *rows = calloc((size_t)shown + 1, sizeof *rows);
    int ok = items && ptrs && rows;
    for (int i = 0; ok && i < shown; i++) {
        ims__v1__token__init(&items[i]);
        ok = token_rows_alloc(&rows[i], r, i) == 0;
        if (ok)
            token_from_row(&items[i], r, i, rows[i].tenant_ptrs, &items[i].n_tenants,
                           rows[i].csv);
        ptrs[i] = &items[i];
    }
    if (ok) {
        resp.n_tokens = (size_t)shown;
        resp.tokens = ptrs;
        resp.next_page_token = (char *)next;
        rpc_reply(call, &resp.base);
    } else {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    }
    for (int i = 0; rows && i < shown; i++)
        token_rows_free(&rows[i]);
    free(rows);
    free(items);
    free(ptrs);
}

void rpc_list_tokens(struct rpc_call *call)
{
    const Ims__V1__ListTokensRequest *req = (const Ims__V1__ListTokensRequest *)call->request;
    if (!rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_UUID))
        return;
    if (*req->tenant && !auth_is_uuid(req->tenant)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "tenant: must be a tenant id (UUID)");
        return;
    }
    const char *tenant = *req->tenant ? req->tenant : NULL;
    /* A tenant_admin sees the tokens of its own tenant only. */
    if (call->principal.role == ROLE_TENANT_ADMIN) {
        if (tenant && !auth_tenant_in_scope(&call->principal, tenant)) {
            rpc_fail(call, IMS_GRPC_PERMISSION_DENIED, "tenant: not found or not in your scope");
            return;
        }
        tenant = call->principal.tenants[0];
    }
    const char *params[3] = {tenant, *req->page_token ? req->page_token : NULL,
                             call->page.fetch};
    struct db_txn *txn = rpc_txn_new(call, NULL, 1);
    if (!txn || rpc_txn_add(call, txn, STMT_TOKEN_LIST, 3, params) < 0)
        return;
    rpc_txn_exec(call, txn, list_tokens_done);
}

static void revoke_token_checked(struct rpc_call *call, struct db_txn *txn);

static void revoke_token_done(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__RevokeTokenRequest *req = (const Ims__V1__RevokeTokenRequest *)call->request;
    rpc_server_forget_token(call->server, req->id);
    reply_token(call, db_txn_result(txn, 0), NULL);
}

void rpc_revoke_token(struct rpc_call *call)
{
    const Ims__V1__RevokeTokenRequest *req = (const Ims__V1__RevokeTokenRequest *)call->request;
    if (!auth_is_uuid(req->id)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "id: must be a token id (UUID)");
        return;
    }
    const char *params[1] = {req->id};
    struct db_txn *txn = rpc_txn_new(call, NULL, 1);
    if (!txn || rpc_txn_add(call, txn, STMT_TOKEN_GET, 1, params) < 0)
        return;
    /* A tenant_admin may revoke only tokens scoped to exactly its own tenant: look first. */
    rpc_txn_exec(call, txn, revoke_token_checked);
}

static void revoke_token_checked(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__RevokeTokenRequest *req = (const Ims__V1__RevokeTokenRequest *)call->request;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no such token");
        return;
    }
    if (call->principal.role == ROLE_TENANT_ADMIN &&
        (strcmp(PQgetvalue(r, 0, 7), call->principal.tenants[0]) != 0 ||
         strcmp(PQgetvalue(r, 0, 1), "operator") == 0)) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no such token");
        return;
    }
    const char *params[1] = {req->id};
    struct db_txn *next = rpc_txn_new(call, NIL_TENANT, 1);
    if (!next || rpc_txn_add(call, next, STMT_TOKEN_REVOKE, 1, params) < 0 ||
        rpc_txn_audit(call, next, req->id) < 0)
        return;
    rpc_txn_exec(call, next, revoke_token_done);
}
