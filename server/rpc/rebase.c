/* Tenant rebase: what moving a tenant to a newer version of its schema would change, with
 * the level before and after computed by the engine on copies of the tenant (the database
 * rebases inside a subtransaction it rolls back), and the move itself: one tenant write
 * with cause "schema" whose engine change is the tenant as the database renders it after
 * the move (read first, with the revision it was read at), and whose statements make the
 * move, so that the content, the level, the revision, the history, the event, the audit
 * row and the notification commit together. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "write.h"
#include "db_pool.h"
#include "idempotency.h"
#include "ims/error.h"
#include "ims/v1/schemas.pb-c.h"
#include "rpc.h"
#include "snapshot.h"
#include "statements.h"
#include "tenant.h"
#include "validate.h"

/* The level of a snapshot document evaluated now; 0 or an IMS_E* code. */
static int level_of(const char *doc, engine_summary *out, engine_error *err)
{
    engine_model *model = NULL;
    engine_eval *eval = NULL;
    bool has_at = false;
    int64_t at = 0;
    int rc = engine_snapshot_parse(doc, strlen(doc), &model, &has_at, &at, err);
    if (rc == 0)
        rc = engine_eval_new(&eval);
    if (rc == 0)
        rc = engine_evaluate(model, (int64_t)time(NULL), eval, out);
    engine_eval_free(eval);
    engine_model_free(model);
    return rc;
}

static void preview_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *snap = db_txn_result(txn, 1);
    PGresult *changes = db_txn_result(txn, 2);
    PGresult *from = db_txn_result(txn, 0);
    if (PQntuples(from) != 1 || PQntuples(snap) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "tenant: not found");
        return;
    }
    engine_summary before, after;
    engine_error err = {{0}};
    if (level_of(PQgetvalue(snap, 0, 0), &before, &err) != 0 ||
        level_of(PQgetvalue(snap, 0, 1), &after, &err) != 0) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "snapshot: %s", err.msg[0] ? err.msg : "out of memory");
        return;
    }
    int n = PQntuples(changes);
    Ims__V1__RebaseChange *items = arena_alloc(&call->arena, (size_t)(n + 1) * sizeof *items);
    Ims__V1__RebaseChange **ptrs = arena_alloc(&call->arena, (size_t)(n + 1) * sizeof *ptrs);
    if (!items || !ptrs) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        ims__v1__rebase_change__init(&items[i]);
        items[i].kind = PQgetvalue(changes, i, 0);
        items[i].id = PQgetvalue(changes, i, 1);
        items[i].change = PQgetvalue(changes, i, 2);
        ptrs[i] = &items[i];
    }
    Ims__V1__RebasePreview p = IMS__V1__REBASE_PREVIEW__INIT;
    p.schema_id = PQgetvalue(from, 0, 0);
    p.from_version = atoi(PQgetvalue(from, 0, 1));
    p.to_version = atoi(PQgetvalue(snap, 0, 2));
    p.n_changes = (size_t)n;
    p.changes = ptrs;
    p.level_before = before.security_level;
    p.level_after = after.security_level;
    p.maturity_before = before.maturity;
    p.maturity_after = after.maturity;
    rpc_reply(call, &p.base);
}

void rpc_preview_rebase(struct rpc_call *call)
{
    const Ims__V1__RebaseRequest *req = (const void *)call->request;
    if (!validate_range(call, "version", req->version, 0, 1000000))
        return;
    char v[16];
    snprintf(v, sizeof v, "%d", req->version);
    const char *params[2] = {call->tenant, v};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TENANT_SCHEMA, 1, params) < 0 ||
        rpc_txn_add(call, txn, STMT_REBASE_PREVIEW, 2, params) < 0 ||
        rpc_txn_add(call, txn, STMT_REBASE_CHANGES, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, preview_done);
}

/* --- Rebase --- */

struct rebase {
    char schema[64];
    int from, to;
    char revision[24];
    char *after; /* the tenant after the move, as a snapshot (in the call's arena) */
};

/* The engine's change: the copy of the tenant becomes the tenant after the move. */
static int rebase_apply(engine_model *model, struct rpc_write *w, engine_error *err)
{
    const struct rebase *rb = w->data;
    engine_model *after = NULL;
    bool has_at = false;
    int64_t at = 0;
    int rc = engine_snapshot_parse(rb->after, strlen(rb->after), &after, &has_at, &at, err);
    if (rc != 0)
        return rc == IMS_ENOMEM ? rc : IMS_EINTERNAL;
    rc = engine_model_take(model, after);
    engine_model_free(after);
    return rc;
}

static int rebase_statements(struct db_txn *txn, struct rpc_write *w)
{
    const struct rebase *rb = w->data;
    char v[16];
    snprintf(v, sizeof v, "%d", rb->to);
    const char *guard[2] = {w->call->tenant, rb->revision};
    const char *apply[2] = {w->call->tenant, v};
    if (db_txn_add(txn, STMT_REVISION_GUARD, 2, guard) < 0 ||
        db_txn_add(txn, STMT_REBASE_APPLY, 2, apply) < 0 ||
        rpc_audit_statement(w->call, txn, w->call->tenant) < 0)
        return IMS_ENOMEM;
    Ims__V1__RebaseResponse resp = IMS__V1__REBASE_RESPONSE__INIT;
    resp.schema_id = (char *)rb->schema;
    resp.from_version = rb->from;
    resp.to_version = rb->to;
    resp.security_level = w->next->security_level;
    resp.maturity = w->next->maturity;
    resp.revision = w->next->revision;
    return rpc_idempotency_store(txn, w, &resp.base);
}

static void rebase_reply(struct rpc_write *w, struct db_txn *txn, int first,
                         const struct tenant_level *level)
{
    (void)txn;
    (void)first;
    const struct rebase *rb = w->data;
    Ims__V1__RebaseResponse resp = IMS__V1__REBASE_RESPONSE__INIT;
    resp.schema_id = (char *)rb->schema;
    resp.from_version = rb->from;
    resp.to_version = rb->to;
    resp.security_level = level->security_level;
    resp.maturity = level->maturity;
    resp.revision = level->revision;
    rpc_reply(w->call, &resp.base);
}

/* The tenant after the move is known: the move goes through the tenant's write path. */
static void rebase_prepared(struct rpc_call *call, struct db_txn *txn)
{
    struct rpc_write *w = call->state;
    struct rebase *rb = w->data;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 2)) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "tenant: not found");
        return;
    }
    snprintf(rb->schema, sizeof rb->schema, "%s", PQgetvalue(r, 0, 0));
    rb->from = atoi(PQgetvalue(r, 0, 1));
    rb->to = atoi(PQgetvalue(r, 0, 3));
    snprintf(rb->revision, sizeof rb->revision, "%s", PQgetvalue(r, 0, 4));
    if (!(rb->after = arena_strdup(&call->arena, PQgetvalue(r, 0, 2)))) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    w->apply = rebase_apply;
    w->statements = rebase_statements;
    w->reply = rebase_reply;
    w->write.alone = 1;
    rpc_write_submit(w, "schema");
}

static void rebase_go(struct rpc_call *call)
{
    const Ims__V1__RebaseRequest *req = (const void *)call->request;
    char v[16];
    snprintf(v, sizeof v, "%d", req->version);
    const char *params[2] = {call->tenant, v};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_REBASE_PREPARE, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, rebase_prepared);
}

void rpc_rebase(struct rpc_call *call)
{
    const Ims__V1__RebaseRequest *req = (const void *)call->request;
    if (!validate_range(call, "version", req->version, 0, 1000000) ||
        !validate_text(call, "idempotency_key", req->idempotency_key, 0, 200))
        return;
    struct rpc_write *w = rpc_write_new(call);
    if (!w)
        return;
    if (!(w->data = calloc(1, sizeof(struct rebase)))) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_idempotency_check(w, req->idempotency_key, rebase_go, NULL, IDEMPOTENCY_LOOKUP_FIRST);
}
