/* Certification by levels (ims.v1.Improvement): an auditor awards a maturity level the
 * computed maturity of the tenant (or of one framework) has reached, recording the tenant
 * revision it read (the evidence snapshot). An award is suspended when a major
 * nonconformity opens in its scope (findings.c) or, by the sweep (sweep.c), while one is
 * open or the maturity stays below its level for its grace period; an auditor reinstates
 * or withdraws it. */
#include <stdio.h>
#include <string.h>

#include "act.h"
#include "db_pool.h"
#include "handlers.h"
#include "ims/error.h"
#include "ims/v1/improvement.pb-c.h"
#include "statements.h"
#include "tenant.h"
#include "validate.h"
#include "write.h"

static const struct act_answer award_answer = {&ims__v1__award__descriptor, NULL, NULL,
                                               STMT_AWARD_ROW, "{award}"};

/* The computed maturity of framework ("" the tenant) in state; -1 for an unknown one. */
static int scope_maturity(struct tenant_state *state, const char *framework)
{
    const engine_eval *ev = tenant_state_eval(state);
    if (!*framework)
        return tenant_state_level(state)->maturity;
    for (size_t i = 0; i < engine_framework_count(ev); i++) {
        if (strcmp(engine_framework_id(ev, i), framework) == 0) {
            engine_framework_figures f;
            engine_framework_get(ev, i, &f);
            return f.maturity;
        }
    }
    return -1;
}

static struct act_op *award_op(struct rpc_call *call)
{
    return ((struct rpc_write *)call->state)->data;
}

static void award_level_read(struct rpc_call *call, struct tenant_state *state)
{
    const Ims__V1__AwardLevelRequest *req = (const Ims__V1__AwardLevelRequest *)call->request;
    int m = scope_maturity(state, req->framework);
    if (m < 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "framework: not a framework of the tenant: %s",
                 req->framework);
        return;
    }
    char level[16], grace[16], maturity[16], revision[32];
    snprintf(level, sizeof level, "%d", req->level);
    snprintf(grace, sizeof grace, "%d", req->has_grace_days ? req->grace_days : 30);
    snprintf(maturity, sizeof maturity, "%d", m);
    snprintf(revision, sizeof revision, "%lld", (long long)tenant_state_level(state)->revision);
    struct act_op *op = award_op(call);
    const char *p[9] = {call->tenant, act_op_id(op), level, req->framework, req->expires_at,
                        grace, *req->auditor ? req->auditor : act_principal(call), maturity,
                        revision};
    act_change(op, STMT_AWARD_LEVEL, 9, p);
}

void rpc_award_level(struct rpc_call *call)
{
    const Ims__V1__AwardLevelRequest *req = (const Ims__V1__AwardLevelRequest *)call->request;
    int64_t expires;
    if (!validate_range(call, "level", req->level, 1, 3) ||
        !validate_text(call, "framework", req->framework, 0, 64) ||
        !validate_time(call, "expires_at", req->expires_at, 1, &expires) ||
        !validate_range(call, "grace_days", req->grace_days, 0, 3650) ||
        !validate_text(call, "auditor", req->auditor, 0, 200))
        return;
    if (act_op_new(call, &award_answer, "AW", NULL, req->idempotency_key))
        rpc_read(call, award_level_read);
}

static void award_update_read(struct rpc_call *call, struct tenant_state *state)
{
    const Ims__V1__UpdateAwardRequest *req = (const Ims__V1__UpdateAwardRequest *)call->request;
    const char *framework = act_op_scratch(award_op(call)); /* the award's scope */
    char maturity[16];
    snprintf(maturity, sizeof maturity, "%d", scope_maturity(state, framework));
    const char *p[5] = {call->tenant, req->id, req->status, req->reason, maturity};
    act_change(award_op(call), STMT_AWARD_UPDATE, 5, p);
}

static void award_scope_done(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__UpdateAwardRequest *req = (const Ims__V1__UpdateAwardRequest *)call->request;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no award %s", req->id);
        return;
    }
    snprintf(act_op_scratch(award_op(call)), ACT_SCRATCH, "%s", PQgetvalue(r, 0, 0));
    rpc_read(call, award_update_read);
}

void rpc_update_award(struct rpc_call *call)
{
    const Ims__V1__UpdateAwardRequest *req = (const Ims__V1__UpdateAwardRequest *)call->request;
    if (!validate_ident(call, "id", req->id, 64) ||
        !validate_text(call, "status", req->status, 1, 16) ||
        !validate_text(call, "reason", req->reason, 0, ACT_MAX_TEXT))
        return;
    if (!act_op_new(call, &award_answer, "AW", req->id, req->idempotency_key))
        return;
    const char *p[2] = {call->tenant, req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_AWARD_SCOPE, 2, p) < 0)
        return;
    rpc_txn_exec(call, txn, award_scope_done);
}

void rpc_list_awards(struct rpc_call *call)
{
    const Ims__V1__ListAwardsRequest *req = (const Ims__V1__ListAwardsRequest *)call->request;
    const char *p[1] = {call->tenant};
    act_list(call, &ims__v1__list_awards_response__descriptor, "awards", STMT_AWARD_ROWS, 1, p,
             req->page_size, req->page_token);
}

void rpc_get_award(struct rpc_call *call)
{
    const Ims__V1__GetAwardRequest *req = (const Ims__V1__GetAwardRequest *)call->request;
    act_get(call, &ims__v1__award__descriptor, STMT_AWARD_ROW, req->id, "award");
}
