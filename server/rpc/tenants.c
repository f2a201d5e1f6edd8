/* ims.v1.Tenants: tenants, tokens, schemas and the audit chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/tenants.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"

#define NIL_TENANT "00000000-0000-0000-0000-000000000000"

/* Row of TENANT_COLUMNS -> message (strings point into the result). */
static void tenant_from_row(Ims__V1__Tenant *t, PGresult *r, int row)
{
    t->id = PQgetvalue(r, row, 0);
    t->slug = PQgetvalue(r, row, 1);
    t->display_name = PQgetvalue(r, row, 2);
    t->sector = PQgetvalue(r, row, 3);
    t->size_band = PQgetvalue(r, row, 4);
    t->schema_id = PQgetvalue(r, row, 5);
    t->schema_version = atoi(PQgetvalue(r, row, 6));
    t->created_at = PQgetvalue(r, row, 7);
    t->revision = atoll(PQgetvalue(r, row, 8));
}

/* --- tenants --- */

static void create_tenant_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    Ims__V1__Tenant t = IMS__V1__TENANT__INIT;
    tenant_from_row(&t, r, 0);
    rpc_reply(call, &t.base);
}

static void create_tenant(struct rpc_call *call)
{
    const Ims__V1__CreateTenantRequest *req = (const Ims__V1__CreateTenantRequest *)call->request;
    if (!validate_slug(call, "slug", req->slug, 2, 63) ||
        !validate_text(call, "display_name", req->display_name, 1, 200) ||
        !validate_slug(call, "sector", req->sector, 1, 63) ||
        !validate_slug(call, "size_band", req->size_band, 1, 20))
        return;
    if (*req->schema_id && !validate_slug(call, "schema_id", req->schema_id, 1, 63))
        return;
    if (!validate_range(call, "schema_version", req->schema_version, 0, 1000000))
        return;
    char id[AUTH_UUID_LEN + 1], version[16];
    if (auth_uuid_generate(id) != 0) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "no randomness available");
        return;
    }
    snprintf(version, sizeof version, "%d", req->schema_version);
    const char *params[7] = {id,         req->slug,      req->display_name, req->sector,
                             req->size_band, req->schema_id, version};
    struct db_txn *txn = rpc_txn_new(call, id, 1);
    if (!txn || rpc_txn_add(call, txn, STMT_TENANT_CREATE, 7, params) < 0 ||
        rpc_txn_audit(call, txn, id) < 0)
        return;
    rpc_txn_exec(call, txn, create_tenant_done);
}

static void get_tenant_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "tenant: not found");
        return;
    }
    Ims__V1__Tenant t = IMS__V1__TENANT__INIT;
    tenant_from_row(&t, r, 0);
    rpc_reply(call, &t.base);
}

static void get_tenant(struct rpc_call *call)
{
    const char *params[1] = {call->tenant};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TENANT_GET, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, get_tenant_done);
}

static void list_tenants_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    const char *next;
    int shown = rpc_page_result(call, r, 1, -1, &next);
    Ims__V1__ListTenantsResponse resp = IMS__V1__LIST_TENANTS_RESPONSE__INIT;
    Ims__V1__Tenant *items = calloc((size_t)shown + 1, sizeof *items);
    Ims__V1__Tenant **ptrs = calloc((size_t)shown + 1, sizeof *ptrs);
    if (!items || !ptrs) {
        free(items);
        free(ptrs);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < shown; i++) {
        ims__v1__tenant__init(&items[i]);
        tenant_from_row(&items[i], r, i);
        ptrs[i] = &items[i];
    }
    resp.n_tenants = (size_t)shown;
    resp.tenants = ptrs;
    resp.next_page_token = (char *)next;
    rpc_reply(call, &resp.base);
    free(items);
    free(ptrs);
}

/* Joins the principal's tenant ids with commas ("" when it has none). */
static char *scope_csv(const struct auth_principal *p)
{
    char *csv = malloc((size_t)p->tenant_count * (AUTH_UUID_LEN + 1) + 1);
    if (!csv)
        return NULL;
    csv[0] = '\0';
    for (int i = 0; i < p->tenant_count; i++) {
        if (i)
            strcat(csv, ",");
        strcat(csv, p->tenants[i]);
    }
    return csv;
}

static void list_tenants(struct rpc_call *call)
{
    const Ims__V1__ListTenantsRequest *req = (const Ims__V1__ListTenantsRequest *)call->request;
    if (!rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_TEXT))
        return;
    char *csv = NULL;
    if (call->principal.role != ROLE_OPERATOR && !(csv = scope_csv(&call->principal))) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    const char *params[3] = {call->principal.role == ROLE_OPERATOR ? NULL : csv, req->page_token,
                             call->page.fetch};
    struct db_txn *txn = rpc_txn_new(call, NULL, 1);
    int ok = txn && rpc_txn_add(call, txn, STMT_TENANT_LIST, 3, params) >= 0;
    free(csv);
    if (ok)
        rpc_txn_exec(call, txn, list_tenants_done);
}

/* --- tokens --- */

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

static void create_token(struct rpc_call *call)
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
    if ((role == ROLE_CONSULTANT || role == ROLE_AUDITOR) && (n < 1 || n > 1000)) {
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
    struct create_token_state *st = calloc(1, sizeof *st);
    if (!st) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    call->state = st;
    call->state_free = free;
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

static void list_tokens(struct rpc_call *call)
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

static void revoke_token(struct rpc_call *call)
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

/* --- schemas --- */

static void schema_from_row(Ims__V1__Schema *s, PGresult *r, int row, char **systems,
                            char *systems_buf)
{
    s->id = PQgetvalue(r, row, 0);
    s->version = atoi(PQgetvalue(r, row, 1));
    s->name = PQgetvalue(r, row, 2);
    s->description = PQgetvalue(r, row, 3);
    s->sector = PQgetvalue(r, row, 4);
    s->size_band = PQgetvalue(r, row, 5);
    s->parent_id = PQgetvalue(r, row, 6);
    s->parent_version = atoi(PQgetvalue(r, row, 7));
    strcpy(systems_buf, PQgetvalue(r, row, 8));
    size_t n = 0;
    for (char *c = systems_buf; *c && n < 3;) {
        systems[n++] = c;
        char *comma = strchr(c, ',');
        if (!comma)
            break;
        *comma = '\0';
        c = comma + 1;
    }
    s->systems = systems;
    s->n_systems = n;
    s->applicable_controls = atoi(PQgetvalue(r, row, 9));
    s->applicable_subcontrols = atoi(PQgetvalue(r, row, 10));
    s->created_at = PQgetvalue(r, row, 11);
}

struct schema_query {
    int want_one; /* GetSchema / CloneSchema: reply with the last row alone */
    int index;
};

static void schemas_done(struct rpc_call *call, struct db_txn *txn)
{
    struct schema_query *q = call->state;
    PGresult *r = db_txn_result(txn, q->index);
    int n = PQntuples(r);
    if (q->want_one) {
        if (n == 0) {
            rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no such schema or version");
            return;
        }
        Ims__V1__Schema s = IMS__V1__SCHEMA__INIT;
        char *systems[3];
        char buf[32];
        schema_from_row(&s, r, n - 1, systems, buf);
        rpc_reply(call, &s.base);
        return;
    }
    int shown = rpc_page_rows(&call->page, n);
    Ims__V1__Schema *items = calloc((size_t)shown + 1, sizeof *items);
    Ims__V1__Schema **ptrs = calloc((size_t)shown + 1, sizeof *ptrs);
    char(*systems)[3] = NULL;
    char *bufs = calloc((size_t)shown + 1, 32);
    char **sys = calloc((size_t)shown * 3 + 1, sizeof *sys);
    (void)systems;
    if (!items || !ptrs || !bufs || !sys) {
        free(items);
        free(ptrs);
        free(bufs);
        free(sys);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < shown; i++) {
        ims__v1__schema__init(&items[i]);
        schema_from_row(&items[i], r, i, sys + 3 * i, bufs + 32 * i);
        ptrs[i] = &items[i];
    }
    const char *token;
    rpc_page_result(call, r, 0, 1, &token);
    Ims__V1__ListSchemasResponse resp = IMS__V1__LIST_SCHEMAS_RESPONSE__INIT;
    resp.n_schemas = (size_t)shown;
    resp.schemas = ptrs;
    resp.next_page_token = (char *)token;
    rpc_reply(call, &resp.base);
    free(items);
    free(ptrs);
    free(bufs);
    free(sys);
}

static struct schema_query *schema_query_new(struct rpc_call *call)
{
    struct schema_query *q = calloc(1, sizeof *q);
    if (!q) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    call->state = q;
    call->state_free = free;
    return q;
}

static void list_schemas(struct rpc_call *call)
{
    const Ims__V1__ListSchemasRequest *req = (const Ims__V1__ListSchemasRequest *)call->request;
    struct schema_query *q = schema_query_new(call);
    if (!q || !rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_PAIR))
        return;
    const char *params[5] = {NULL, "0", call->page.after_key, call->page.after_number,
                             call->page.fetch};
    struct db_txn *txn = rpc_txn_new(call, NULL, 0);
    if (!txn || (q->index = rpc_txn_add(call, txn, STMT_SCHEMA_LIST, 5, params)) < 0)
        return;
    rpc_txn_exec(call, txn, schemas_done);
}

static void get_schema(struct rpc_call *call)
{
    const Ims__V1__GetSchemaRequest *req = (const Ims__V1__GetSchemaRequest *)call->request;
    struct schema_query *q = schema_query_new(call);
    if (!q || !validate_slug(call, "id", req->id, 1, 63) ||
        !validate_range(call, "version", req->version, 0, 1000000))
        return;
    q->want_one = 1;
    char version[16];
    snprintf(version, sizeof version, "%d", req->version);
    const char *params[5] = {req->id, version, "", "0", "1000"};
    struct db_txn *txn = rpc_txn_new(call, NULL, 0);
    if (!txn || (q->index = rpc_txn_add(call, txn, STMT_SCHEMA_LIST, 5, params)) < 0)
        return;
    rpc_txn_exec(call, txn, schemas_done);
}

static void clone_schema(struct rpc_call *call)
{
    const Ims__V1__CloneSchemaRequest *req = (const Ims__V1__CloneSchemaRequest *)call->request;
    struct schema_query *q = schema_query_new(call);
    if (!q || !validate_slug(call, "source_id", req->source_id, 1, 63) ||
        !validate_range(call, "source_version", req->source_version, 0, 1000000) ||
        !validate_slug(call, "new_id", req->new_id, 1, 63) ||
        !validate_text(call, "name", req->name, 1, 200))
        return;
    if (req->new_id[0] < 'a' || req->new_id[0] > 'z') {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "new_id: must start with a letter");
        return;
    }
    q->want_one = 1;
    char version[16];
    snprintf(version, sizeof version, "%d", req->source_version);
    /* Version 0 means the latest: resolved in SQL by a sub-select on the source. */
    const char *clone[4] = {req->source_id, version, req->new_id, req->name};
    const char *get[5] = {req->new_id, "1", "", "0", "1"};
    struct db_txn *txn = rpc_txn_new(call, NIL_TENANT, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_SCHEMA_CLONE, 4, clone) < 0 ||
        (q->index = rpc_txn_add(call, txn, STMT_SCHEMA_LIST, 5, get)) < 0 ||
        rpc_txn_audit(call, txn, req->new_id) < 0)
        return;
    rpc_txn_exec(call, txn, schemas_done);
}

/* --- audit --- */

static void verify_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    Ims__V1__AuditVerifyResponse resp = IMS__V1__AUDIT_VERIFY_RESPONSE__INIT;
    resp.first_bad_seq = atoll(PQgetvalue(r, 0, 0));
    resp.rows = atoll(PQgetvalue(r, 0, 1));
    resp.ok = resp.first_bad_seq == 0;
    char detail[128];
    if (resp.ok)
        snprintf(detail, sizeof detail, "%lld rows, chain intact", (long long)resp.rows);
    else
        snprintf(detail, sizeof detail, "row %lld does not match the chain",
                 (long long)resp.first_bad_seq);
    resp.detail = detail;
    rpc_reply(call, &resp.base);
}

static void verify_audit_log(struct rpc_call *call)
{
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_AUDIT_VERIFY, 0, NULL) < 0)
        return;
    rpc_txn_exec(call, txn, verify_done);
}

int rpc_register_tenants(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"CreateTenant", create_tenant, 0}, {"GetTenant", get_tenant, 0},
        {"ListTenants", list_tenants, 0},   {"CreateToken", create_token, 0},
        {"ListTokens", list_tokens, 0},     {"RevokeToken", revoke_token, 0},
        {"ListSchemas", list_schemas, 0},   {"GetSchema", get_schema, 0},
        {"CloneSchema", clone_schema, 0},   {"VerifyAuditLog", verify_audit_log, 0},
        {"ExportTenant", rpc_export_tenant, 0}, {"ImportTenant", rpc_import_tenant, 0},
    };
    return rpc_server_register(server, &ims__v1__tenants__descriptor, entries,
                               sizeof entries / sizeof entries[0]);
}
