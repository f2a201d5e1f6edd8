/* Identifiers of an earlier edition (ISO/IEC 27001:2013) translated into the 2022 controls
 * that replace them and the tenant's applicable sub-controls of those, through the
 * catalog's control_predecessors: how answers and findings keyed by 2013 ids come in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/schemas.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"

#define MAX_IDS 1000
#define MAX_ID 32

static void translate_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    int n = PQntuples(r);
    struct arena *a = &call->arena;
    Ims__V1__ControlTranslation *items = arena_alloc(a, (size_t)(n + 1) * sizeof *items);
    Ims__V1__ControlTranslation **ptrs = arena_alloc(a, (size_t)(n + 1) * sizeof *ptrs);
    for (int i = 0; items && ptrs && i < n; i++) {
        ims__v1__control_translation__init(&items[i]);
        items[i].id = PQgetvalue(r, i, 1);
        items[i].controls = arena_split(a, PQgetvalue(r, i, 2), ',', &items[i].n_controls);
        items[i].subcontrols = arena_split(a, PQgetvalue(r, i, 3), ',', &items[i].n_subcontrols);
        ptrs[i] = &items[i];
    }
    if (!items || !ptrs || a->failed) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    Ims__V1__TranslateControlsResponse resp = IMS__V1__TRANSLATE_CONTROLS_RESPONSE__INIT;
    resp.n_translations = (size_t)n;
    resp.translations = ptrs;
    rpc_reply(call, &resp.base);
}

void rpc_translate_controls(struct rpc_call *call)
{
    const Ims__V1__TranslateControlsRequest *req = (const void *)call->request;
    if (!validate_slug(call, "edition", req->edition, 1, 16))
        return;
    if (req->n_ids < 1 || req->n_ids > MAX_IDS) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "ids: 1 to %d", MAX_IDS);
        return;
    }
    /* The ids go into an array literal: letters, digits and dots only. */
    char *list = arena_alloc(&call->arena, req->n_ids * (MAX_ID + 1) + 3);
    if (!list) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    strcpy(list, "{");
    for (size_t i = 0; i < req->n_ids; i++) {
        const char *id = req->ids[i];
        size_t len = strlen(id);
        if (len == 0 || len > MAX_ID ||
            strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.") != len) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                     "ids[%zu]: 1 to %d letters, digits and dots", i, MAX_ID);
            return;
        }
        if (i)
            strcat(list, ",");
        strcat(list, id);
    }
    strcat(list, "}");
    const char *params[2] = {req->edition, list};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TRANSLATE_CONTROLS, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, translate_done);
}
