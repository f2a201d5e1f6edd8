/* Schema statistics for the information repository: the answer distribution per
 * sub-control, the most common gaps and the average level by sector and size band across
 * the tenants generated from a schema. Only aggregates, computed by database functions
 * that refuse fewer than five tenants outside the caller's own (0223). */
#include <stdio.h>
#include <stdlib.h>

#include "handlers.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/schemas.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"

#define NIL_TENANT "00000000-0000-0000-0000-000000000000"

#define ROWS(call, n, type) arena_alloc(&(call)->arena, (size_t)((n) + 1) * sizeof(type))

static void stats_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *a = db_txn_result(txn, 0), *g = db_txn_result(txn, 1), *l = db_txn_result(txn, 2);
    Ims__V1__GetSchemaStatsResponse resp = IMS__V1__GET_SCHEMA_STATS_RESPONSE__INIT;
    int na = PQntuples(a), ng = PQntuples(g), nl = PQntuples(l);
    Ims__V1__AnswerStats *as = ROWS(call, na, Ims__V1__AnswerStats);
    Ims__V1__GapStats *gs = ROWS(call, ng, Ims__V1__GapStats);
    Ims__V1__LevelStats *ls = ROWS(call, nl, Ims__V1__LevelStats);
    resp.answers = ROWS(call, na, Ims__V1__AnswerStats *);
    resp.gaps = ROWS(call, ng, Ims__V1__GapStats *);
    resp.levels = ROWS(call, nl, Ims__V1__LevelStats *);
    resp.n_answers = (size_t)na;
    resp.n_gaps = (size_t)ng;
    resp.n_levels = (size_t)nl;
    if (!as || !gs || !ls || !resp.answers || !resp.gaps || !resp.levels) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < na; i++) {
        ims__v1__answer_stats__init(&as[i]);
        as[i].subcontrol = PQgetvalue(a, i, 0);
        as[i].tenants = atoll(PQgetvalue(a, i, 1));
        as[i].yes = atoll(PQgetvalue(a, i, 2));
        as[i].partial = atoll(PQgetvalue(a, i, 3));
        as[i].no = atoll(PQgetvalue(a, i, 4));
        as[i].na = atoll(PQgetvalue(a, i, 5));
        as[i].unanswered = atoll(PQgetvalue(a, i, 6));
        resp.answers[i] = &as[i];
    }
    for (int i = 0; i < ng; i++) {
        ims__v1__gap_stats__init(&gs[i]);
        gs[i].subcontrol = PQgetvalue(g, i, 0);
        gs[i].tenants = atoll(PQgetvalue(g, i, 1));
        gs[i].gap_share = atof(PQgetvalue(g, i, 2));
        resp.gaps[i] = &gs[i];
    }
    for (int i = 0; i < nl; i++) {
        ims__v1__level_stats__init(&ls[i]);
        ls[i].sector = PQgetvalue(l, i, 0);
        ls[i].size_band = PQgetvalue(l, i, 1);
        ls[i].tenants = atoll(PQgetvalue(l, i, 2));
        ls[i].security_level = atof(PQgetvalue(l, i, 3));
        ls[i].maturity = atof(PQgetvalue(l, i, 4));
        resp.levels[i] = &ls[i];
    }
    rpc_reply(call, &resp.base);
}

void rpc_get_schema_stats(struct rpc_call *call)
{
    const Ims__V1__GetSchemaStatsRequest *req = (const void *)call->request;
    if (!validate_slug(call, "id", req->id, 1, 63) ||
        !validate_range(call, "gaps", req->gaps, 0, 1000))
        return;
    char gaps[16];
    snprintf(gaps, sizeof gaps, "%d", req->gaps ? req->gaps : 10);
    /* A scoped token's own tenants are left out of the counts (0223). */
    const char *token = call->principal.role == ROLE_OPERATOR ? NULL : call->principal.token_id;
    const char *two[2] = {req->id, token};
    const char *three[3] = {req->id, token, gaps};
    struct db_txn *txn = rpc_txn_new(call, NIL_TENANT, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_STATS_ANSWERS, 2, two) < 0 ||
        rpc_txn_add(call, txn, STMT_STATS_GAPS, 3, three) < 0 ||
        rpc_txn_add(call, txn, STMT_STATS_LEVELS, 2, two) < 0)
        return;
    rpc_txn_exec(call, txn, stats_done);
}
