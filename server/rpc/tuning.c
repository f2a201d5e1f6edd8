/* Tenant tuning: the model's parameters and the metric targets and thresholds a tenant sets
 * within the bounds of its schema version. A change is stored in one transaction, then the
 * tenant's model is read again and a write with cause "tuning" records the new level. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "write.h"
#include "db_pool.h"
#include "idempotency.h"
#include "ims/error.h"
#include "ims/v1/schemas.pb-c.h"
#include "rpc.h"
#include "sql_values.h"
#include "statements.h"
#include "tenant.h"
#include "validate.h"

static void tuning_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    int n = PQntuples(r);
    Ims__V1__Tunable *items = arena_alloc(&call->arena, (size_t)(n + 1) * sizeof *items);
    Ims__V1__Tunable **ptrs = arena_alloc(&call->arena, (size_t)(n + 1) * sizeof *ptrs);
    if (!items || !ptrs) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        ims__v1__tunable__init(&items[i]);
        items[i].name = PQgetvalue(r, i, 0);
        items[i].lo = atof(PQgetvalue(r, i, 1));
        items[i].hi = atof(PQgetvalue(r, i, 2));
        items[i].schema_value = atof(PQgetvalue(r, i, 3));
        items[i].value = atof(PQgetvalue(r, i, 4));
        items[i].tuned = sql_bool(r, i, 5);
        items[i].set_by = PQgetvalue(r, i, 6);
        items[i].set_at = PQgetvalue(r, i, 7);
        ptrs[i] = &items[i];
    }
    Ims__V1__GetTuningResponse resp = IMS__V1__GET_TUNING_RESPONSE__INIT;
    resp.n_tunables = (size_t)n;
    resp.tunables = ptrs;
    rpc_reply(call, &resp.base);
}

void rpc_get_tuning(struct rpc_call *call)
{
    const char *params[1] = {call->tenant};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TUNING_LIST, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, tuning_done);
}

static int tune_statements(struct db_txn *txn, struct rpc_write *w)
{
    Ims__V1__SetTuningResponse resp = IMS__V1__SET_TUNING_RESPONSE__INIT;
    resp.security_level = w->next->security_level;
    resp.maturity = w->next->maturity;
    resp.revision = w->next->revision;
    return rpc_idempotency_store(txn, w, &resp.base);
}

static void tune_reply(struct rpc_write *w, struct db_txn *txn, int first,
                       const struct tenant_level *level)
{
    (void)txn;
    (void)first;
    Ims__V1__SetTuningResponse resp = IMS__V1__SET_TUNING_RESPONSE__INIT;
    resp.security_level = level->security_level;
    resp.maturity = level->maturity;
    resp.revision = level->revision;
    rpc_reply(w->call, &resp.base);
}

static void tune_stored(struct rpc_call *call, struct db_txn *txn)
{
    (void)txn;
    struct rpc_write *w = call->state;
    tenant_invalidate(rpc_server_tenants(call->server), call->tenant, 0);
    w->statements = tune_statements;
    w->reply = tune_reply;
    rpc_write_submit(w, "tuning");
}

static void tune_go(struct rpc_call *call)
{
    const Ims__V1__SetTuningRequest *req = (const void *)call->request;
    char value[64];
    snprintf(value, sizeof value, "%.17g", req->value);
    char by[160];
    snprintf(by, sizeof by, "%s %s", auth_role_name(call->principal.role),
             call->principal.token_id);
    const char *params[4] = {call->tenant, req->name, req->reset ? NULL : value, by};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TUNING_SET, 4, params) < 0 ||
        rpc_txn_audit(call, txn, req->name) < 0)
        return;
    rpc_txn_exec(call, txn, tune_stored);
}

void rpc_set_tuning(struct rpc_call *call)
{
    const Ims__V1__SetTuningRequest *req = (const void *)call->request;
    if (!validate_text(call, "name", req->name, 1, 100) ||
        !validate_text(call, "idempotency_key", req->idempotency_key, 0, 200))
        return;
    if (!req->reset && !isfinite(req->value)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "value: must be a finite number");
        return;
    }
    struct rpc_write *w = rpc_write_new(call);
    if (w)
        rpc_idempotency_check(w, req->idempotency_key, tune_go, NULL, IDEMPOTENCY_LOOKUP_FIRST);
}
