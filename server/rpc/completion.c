/* The completion matrix of a tenant's implementation: where it stands against its target
 * level, and the consultant recording each activity's level and the target. A plain,
 * audited transaction: nothing here moves the security level. */
#include <stdio.h>
#include <stdlib.h>

#include "handlers.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/completion.pb-c.h"
#include "rpc.h"
#include "sql_values.h"
#include "statements.h"
#include "validate.h"

#define MAX_NOTE 2000

struct completion_query {
    int index; /* the summary; the activities follow it */
};

static void completion_done(struct rpc_call *call, struct db_txn *txn)
{
    struct completion_query *q = call->state;
    PGresult *s = db_txn_result(txn, q->index), *r = db_txn_result(txn, q->index + 1);
    int n = PQntuples(r);
    struct arena *a = &call->arena;
    Ims__V1__CompletionActivity *items = arena_alloc(a, (size_t)(n + 1) * sizeof *items);
    Ims__V1__CompletionActivity **ptrs = arena_alloc(a, (size_t)(n + 1) * sizeof *ptrs);
    if (!items || !ptrs || PQntuples(s) != 1) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        Ims__V1__CompletionActivity *x = &items[i];
        ims__v1__completion_activity__init(x);
        x->id = PQgetvalue(r, i, 0);
        x->name = PQgetvalue(r, i, 1);
        x->outputs = PQgetvalue(r, i, 2);
        x->from_level = sql_int(r, i, 3);
        x->level = sql_int(r, i, 4);
        x->required = sql_bool(r, i, 5);
        x->met = sql_bool(r, i, 6);
        x->note = PQgetvalue(r, i, 7);
        x->recorded_by = PQgetvalue(r, i, 8);
        x->recorded_at = PQgetvalue(r, i, 9);
        ptrs[i] = x;
    }
    Ims__V1__CompletionMatrix c = IMS__V1__COMPLETION_MATRIX__INIT;
    c.target = sql_int(s, 0, 0);
    c.stands = sql_int(s, 0, 1);
    c.required = sql_int(s, 0, 2);
    c.met = sql_int(s, 0, 3);
    c.n_activities = (size_t)n;
    c.activities = ptrs;
    rpc_reply(call, &c.base);
}

/* Adds the reads of the matrix to txn and runs it (after the change, if any). */
static void completion_read(struct rpc_call *call, struct db_txn *txn)
{
    struct completion_query *q = arena_alloc(&call->arena, sizeof *q);
    if (!q) {
        db_txn_free(txn);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    call->state = q;
    const char *params[1] = {call->tenant};
    if ((q->index = rpc_txn_add(call, txn, STMT_COMPLETION_SUMMARY, 1, params)) < 0 ||
        rpc_txn_add(call, txn, STMT_COMPLETION_ACTIVITIES, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, completion_done);
}

void rpc_get_completion(struct rpc_call *call)
{
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (txn)
        completion_read(call, txn);
}

/* Who records: role and token id. */
static void recorder(struct rpc_call *call, char *out, size_t len)
{
    snprintf(out, len, "%s %s", auth_role_name(call->principal.role), call->principal.token_id);
}

void rpc_set_completion(struct rpc_call *call)
{
    const Ims__V1__SetCompletionRequest *req = (const void *)call->request;
    if (!validate_ident(call, "activity", req->activity, 16) ||
        !validate_range(call, "level", req->level, 0, 5) ||
        !validate_text(call, "note", req->note, 0, MAX_NOTE))
        return;
    char level[8], by[160];
    snprintf(level, sizeof level, "%d", req->level);
    recorder(call, by, sizeof by);
    const char *params[5] = {call->tenant, req->activity, level, req->note, by};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_COMPLETION_SET, 5, params) < 0 ||
        rpc_txn_audit(call, txn, req->activity) < 0)
        return;
    completion_read(call, txn);
}

void rpc_set_completion_target(struct rpc_call *call)
{
    const Ims__V1__SetCompletionTargetRequest *req = (const void *)call->request;
    if (!validate_range(call, "target", req->target, 1, 5))
        return;
    char target[8], by[160];
    snprintf(target, sizeof target, "%d", req->target);
    recorder(call, by, sizeof by);
    const char *params[3] = {call->tenant, target, by};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_COMPLETION_TARGET, 3, params) < 0 ||
        rpc_txn_audit(call, txn, "completion-target") < 0)
        return;
    completion_read(call, txn);
}
