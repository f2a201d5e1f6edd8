/* A tenant's assets: put, listed and deleted; each change moves the level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "sql_values.h"
#include "write.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/risk.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"

static void asset_from_row(Ims__V1__Asset *a, PGresult *r, int row)
{
    ims__v1__asset__init(a);
    a->id = PQgetvalue(r, row, 0);
    a->name = PQgetvalue(r, row, 1);
    a->type = PQgetvalue(r, row, 2);
    a->owner = PQgetvalue(r, row, 3);
    a->confidentiality = sql_int(r, row, 4);
    a->integrity = sql_int(r, row, 5);
    a->availability = sql_int(r, row, 6);
    a->created_at = PQgetvalue(r, row, 7);
    a->updated_at = PQgetvalue(r, row, 8);
    a->owner_person = PQgetvalue(r, row, 9);
}

/* --- PutAsset --- */

static int put_apply(engine_model *model, struct rpc_write *cw, engine_error *err)
{
    const Ims__V1__PutAssetRequest *req = (const void *)cw->call->request;
    const Ims__V1__Asset *a = req->asset;
    engine_asset_input in = {a->id, a->type, a->confidentiality, a->integrity, a->availability};
    return engine_asset_put(model, &in, err);
}

static int put_statements(struct db_txn *txn, struct rpc_write *cw)
{
    const Ims__V1__PutAssetRequest *req = (const void *)cw->call->request;
    const Ims__V1__Asset *a = req->asset;
    char c[8], i[8], v[8];
    snprintf(c, sizeof c, "%d", a->confidentiality);
    snprintf(i, sizeof i, "%d", a->integrity);
    snprintf(v, sizeof v, "%d", a->availability);
    const char *params[7] = {a->id, a->name, a->type, a->owner, c, i, v};
    if (db_txn_add(txn, STMT_ASSET_PUT, 7, params) < 0 ||
        rpc_audit_statement(cw->call, txn, a->id) != 0)
        return IMS_ENOMEM;
    return 0;
}

static void put_reply(struct rpc_write *cw, struct db_txn *txn, int first,
                      const struct tenant_level *level)
{
    Ims__V1__Asset asset;
    asset_from_row(&asset, db_txn_result(txn, first), 0);
    Ims__V1__PutAssetResponse resp = IMS__V1__PUT_ASSET_RESPONSE__INIT;
    resp.asset = &asset;
    resp.security_level = level->security_level;
    resp.revision = level->revision;
    rpc_reply(cw->call, &resp.base);
}

static void put_checked(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__PutAssetRequest *req = (const void *)call->request;
    if (!sql_bool(db_txn_result(txn, 0), 0, 0)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "asset.type: unknown asset type \"%s\" (see ListAssetTypes)", req->asset->type);
        return;
    }
    rpc_write_submit(call->state, "asset");
}

void rpc_put_asset(struct rpc_call *call)
{
    const Ims__V1__PutAssetRequest *req = (const void *)call->request;
    const Ims__V1__Asset *a = req->asset;
    if (!a) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "asset: required");
        return;
    }
    if (!validate_ident(call, "asset.id", a->id, 128) ||
        !validate_text(call, "asset.name", a->name, 1, 200) ||
        !validate_ident(call, "asset.type", a->type, 63) ||
        !validate_text(call, "asset.owner", a->owner, 0, 200) ||
        !validate_range(call, "asset.confidentiality", a->confidentiality, 0, 5) ||
        !validate_range(call, "asset.integrity", a->integrity, 0, 5) ||
        !validate_range(call, "asset.availability", a->availability, 0, 5))
        return;
    struct rpc_write *cw = rpc_write_new(call);
    if (!cw)
        return;
    cw->apply = put_apply;
    cw->statements = put_statements;
    cw->reply = put_reply;
    const char *params[1] = {a->type};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_ASSET_TYPE_KNOWN, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, put_checked);
}

/* --- ListAssets --- */

static void list_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    const char *next;
    int shown = rpc_page_result(call, r, 0, -1, &next);
    struct arena *a = &call->arena;
    Ims__V1__Asset *items = arena_alloc(a, ((size_t)shown + 1) * sizeof *items);
    Ims__V1__Asset **ptrs = arena_alloc(a, ((size_t)shown + 1) * sizeof *ptrs);
    if (!items || !ptrs) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < shown; i++) {
        asset_from_row(&items[i], r, i);
        ptrs[i] = &items[i];
    }
    Ims__V1__ListAssetsResponse resp = IMS__V1__LIST_ASSETS_RESPONSE__INIT;
    resp.assets = ptrs;
    resp.n_assets = (size_t)shown;
    resp.next_page_token = (char *)next;
    rpc_reply(call, &resp.base);
}

void rpc_list_assets(struct rpc_call *call)
{
    const Ims__V1__ListAssetsRequest *req = (const void *)call->request;
    if (!rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_TEXT))
        return;
    const char *params[2] = {req->page_token, call->page.fetch};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_ASSET_LIST, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, list_done);
}

/* --- DeleteAsset --- */

static int delete_apply(engine_model *model, struct rpc_write *cw, engine_error *err)
{
    const Ims__V1__DeleteAssetRequest *req = (const void *)cw->call->request;
    return engine_asset_remove(model, req->id, err);
}

static int delete_statements(struct db_txn *txn, struct rpc_write *cw)
{
    const Ims__V1__DeleteAssetRequest *req = (const void *)cw->call->request;
    const char *params[1] = {req->id};
    if (db_txn_add(txn, STMT_ASSET_DELETE, 1, params) < 0 ||
        rpc_audit_statement(cw->call, txn, req->id) != 0)
        return IMS_ENOMEM;
    return 0;
}

static void delete_reply(struct rpc_write *cw, struct db_txn *txn, int first,
                         const struct tenant_level *level)
{
    Ims__V1__DeleteAssetResponse resp = IMS__V1__DELETE_ASSET_RESPONSE__INIT;
    resp.security_level = level->security_level;
    resp.revision = level->revision;
    rpc_reply(cw->call, &resp.base);
}

static void delete_checked(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__DeleteAssetRequest *req = (const void *)call->request;
    if (!sql_bool(db_txn_result(txn, 0), 0, 0)) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no asset \"%s\"", req->id);
        return;
    }
    rpc_write_submit(call->state, "asset");
}

void rpc_delete_asset(struct rpc_call *call)
{
    const Ims__V1__DeleteAssetRequest *req = (const void *)call->request;
    if (!validate_ident(call, "id", req->id, 128))
        return;
    struct rpc_write *cw = rpc_write_new(call);
    if (!cw)
        return;
    cw->apply = delete_apply;
    cw->statements = delete_statements;
    cw->reply = delete_reply;
    const char *params[1] = {req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_ASSET_EXISTS, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, delete_checked);
}
