/* Objectives (clause 6.2) and the balanced scorecard (ims.v1.Improvement): an objective
 * has an owner, a tier, a target share of its linked metrics' indicator and a due date;
 * its actual and status are computed from the metrics' latest samples (docs/act.md). */
#include <string.h>

#include "act.h"
#include "db_pool.h"
#include "handlers.h"
#include "ims/error.h"
#include "ims/v1/improvement.pb-c.h"
#include "rowmsg.h"
#include "statements.h"
#include "validate.h"

static const struct act_answer objective_answer = {&ims__v1__objective__descriptor, NULL, NULL,
                                                   STMT_OBJECTIVE_ROW, "{objective}"};

void rpc_put_objective(struct rpc_call *call)
{
    const Ims__V1__PutObjectiveRequest *req = (const Ims__V1__PutObjectiveRequest *)call->request;
    const Ims__V1__Objective *o = req->objective;
    int64_t due;
    if (!o) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "objective: required");
        return;
    }
    if (!validate_ident(call, "objective.id", o->id, 64) ||
        !validate_text(call, "objective.title", o->title, 1, 200) ||
        !validate_text(call, "objective.owner", o->owner, 1, 200) ||
        !validate_ident(call, "objective.tier", o->tier, 16) ||
        !validate_time(call, "objective.due", o->due, 0, &due))
        return;
    if (!(o->target > 0 && o->target <= 1)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "objective.target: a share in (0, 1]");
        return;
    }
    const char *metrics = act_refs(call, "objective.metrics", o->metrics, o->n_metrics);
    if (!metrics)
        return;
    struct act_op *op = act_op_new(call, &objective_answer, "O", o->id, req->idempotency_key);
    if (!op)
        return;
    char target[40];
    snprintf(target, sizeof target, "%.17g", o->target);
    const char *p[8] = {call->tenant, o->id, o->title, o->owner, o->tier, target, o->due, metrics};
    act_change(op, STMT_OBJECTIVE_PUT, 8, p);
}

void rpc_list_objectives(struct rpc_call *call)
{
    const Ims__V1__ListObjectivesRequest *req =
        (const Ims__V1__ListObjectivesRequest *)call->request;
    if (!validate_text(call, "tier", req->tier, 0, 16))
        return;
    const char *p[2] = {call->tenant, req->tier};
    act_list(call, &ims__v1__list_objectives_response__descriptor, "objectives",
             STMT_OBJECTIVE_ROWS, 2, p, req->page_size, req->page_token);
}

static const char *const tiers[] = {"strategic", "functional", "operational"};

static void scorecard_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    int rows = PQntuples(r), col = PQfnumber(r, "tier"), st = PQfnumber(r, "status");
    Ims__V1__Scorecard *card = arena_alloc(&call->arena, sizeof *card);
    Ims__V1__ScorecardTier *t = arena_alloc(&call->arena, 3 * sizeof *t);
    Ims__V1__ScorecardTier **tp = arena_alloc(&call->arena, 3 * sizeof *tp);
    if (!card || !t || !tp) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    ims__v1__scorecard__init(card);
    int from = 0;
    for (int k = 0; k < 3; k++) {
        ims__v1__scorecard_tier__init(&t[k]);
        t[k].tier = (char *)tiers[k];
        int to = from;
        while (to < rows && strcmp(PQgetvalue(r, to, col), tiers[k]) == 0) {
            t[k].met += strcmp(PQgetvalue(r, to, st), "met") == 0;
            to++;
        }
        t[k].total = to - from;
        if (rowmsg_set_rows(&call->arena, &t[k].base, "objectives", r, from, to) != 0) {
            rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
            return;
        }
        tp[k] = &t[k];
        from = to;
    }
    card->tiers = tp;
    card->n_tiers = 3;
    rpc_reply(call, &card->base);
}

void rpc_get_scorecard(struct rpc_call *call)
{
    const char *p[1] = {call->tenant};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_SCORECARD, 1, p) < 0)
        return;
    rpc_txn_exec(call, txn, scorecard_done);
}
