/* Tenant tuning: the model's parameters and the metric targets and thresholds a tenant sets
 * within the bounds of its schema version. A change is one tenant write with cause
 * "tuning": the tenant as the database renders it after the change is read first (with the
 * revision it was read at) and is the engine's change; the write's statements store the
 * change, so that it commits with the level, the revision, the history, the event, the
 * audit row and the notification. */
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
#include "snapshot.h"
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

struct tune {
    char revision[24];
    char by[160];
    char value[64];
    int reset;
    char *after; /* the tenant after the change, as a snapshot (in the call's arena) */
};

/* The engine's change: the copy of the tenant becomes the tenant after the change. */
static int tune_apply(engine_model *model, struct rpc_write *w, engine_error *err)
{
    const struct tune *t = w->data;
    engine_model *after = NULL;
    bool has_at = false;
    int64_t at = 0;
    int rc = engine_snapshot_parse(t->after, strlen(t->after), &after, &has_at, &at, err);
    if (rc != 0)
        return rc == IMS_ENOMEM ? rc : IMS_EINTERNAL;
    rc = engine_model_take(model, after);
    engine_model_free(after);
    return rc;
}

static int tune_statements(struct db_txn *txn, struct rpc_write *w)
{
    const struct tune *t = w->data;
    const Ims__V1__SetTuningRequest *req = (const void *)w->call->request;
    const char *guard[2] = {w->call->tenant, t->revision};
    const char *set[4] = {w->call->tenant, req->name, t->reset ? NULL : t->value, t->by};
    if (db_txn_add(txn, STMT_REVISION_GUARD, 2, guard) < 0 ||
        db_txn_add(txn, STMT_TUNING_SET, 4, set) < 0 ||
        rpc_audit_statement(w->call, txn, req->name) < 0)
        return IMS_ENOMEM;
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

/* The tenant after the change is known: the change goes through the tenant's write path. */
static void tune_prepared(struct rpc_call *call, struct db_txn *txn)
{
    struct rpc_write *w = call->state;
    struct tune *t = w->data;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "tenant: not found");
        return;
    }
    snprintf(t->revision, sizeof t->revision, "%s", PQgetvalue(r, 0, 1));
    if (!(t->after = arena_strdup(&call->arena, PQgetvalue(r, 0, 0)))) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    w->apply = tune_apply;
    w->statements = tune_statements;
    w->reply = tune_reply;
    w->write.alone = 1;
    rpc_write_submit(w, "tuning");
}

static void tune_go(struct rpc_call *call)
{
    const Ims__V1__SetTuningRequest *req = (const void *)call->request;
    struct rpc_write *w = call->state;
    struct tune *t = w->data;
    snprintf(t->value, sizeof t->value, "%.17g", req->value);
    snprintf(t->by, sizeof t->by, "%s %s", auth_role_name(call->principal.role),
             call->principal.token_id);
    t->reset = req->reset;
    const char *params[4] = {call->tenant, req->name, t->reset ? NULL : t->value, t->by};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TUNING_PREPARE, 4, params) < 0)
        return;
    rpc_txn_exec(call, txn, tune_prepared);
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
    if (!w)
        return;
    if (!(w->data = calloc(1, sizeof(struct tune)))) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_idempotency_check(w, req->idempotency_key, tune_go, NULL, IDEMPOTENCY_LOOKUP_FIRST);
}
