/* Tenants: created by operators (anywhere) and consultants (in the sectors granted to their
 * token; the tenant joins their scope), read and listed within the caller's scope, and
 * their audit chain verified. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/tenants.pb-c.h"
#include "rpc.h"
#include "server.h"
#include "statements.h"
#include "validate.h"

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
    /* A consultant's scope grew: its cached principal is read again on its next call. */
    if (call->principal.role != ROLE_OPERATOR)
        rpc_server_forget_token(call->server, call->principal.token_id);
    rpc_reply(call, &t.base);
}

void rpc_create_tenant(struct rpc_call *call)
{
    const Ims__V1__CreateTenantRequest *req = (const Ims__V1__CreateTenantRequest *)call->request;
    if (!validate_new_tenant(call, req->slug, req->display_name, req->sector, req->size_band,
                             req->schema_id, req->schema_version))
        return;
    char id[AUTH_UUID_LEN + 1], version[16];
    if (auth_uuid_generate(id) != 0) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "no randomness available");
        return;
    }
    snprintf(version, sizeof version, "%d", req->schema_version);
    const char *params[8] = {rpc_call_token_id(call), id, req->slug, req->display_name,
                             req->sector, req->size_band, req->schema_id, version};
    int scoped = call->principal.role != ROLE_OPERATOR;
    struct db_txn *txn = rpc_txn_new(call, id, 1);
    if (!txn ||
        (scoped ? rpc_txn_add(call, txn, STMT_TENANT_CREATE_SCOPED, 8, params)
                : rpc_txn_add(call, txn, STMT_TENANT_CREATE, 7, params + 1)) < 0 ||
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

void rpc_get_tenant(struct rpc_call *call)
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

void rpc_list_tenants(struct rpc_call *call)
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

void rpc_verify_audit_log(struct rpc_call *call)
{
    /* The hashing runs in PostgreSQL, bounded in rows and time (docs/security.md). */
    char rows[24], ms[16];
    snprintf(rows, sizeof rows, "%lld", (long long)call->server->audit_verify_max_rows);
    snprintf(ms, sizeof ms, "%u", call->server->audit_verify_timeout_ms);
    const char *params[2] = {rows, ms};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_AUDIT_VERIFY, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, verify_done);
}
