/* Business processes (continuity): put with their BIA figures, plans reviewed, exercises
 * recorded, listed, and the BIA with its readiness. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "computed.h"
#include "handlers.h"
#include "sql_values.h"
#include "write.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/continuity.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"

#define MAX_MINUTES 5256000 /* ten years */

static void change_reply(struct rpc_write *cw, struct db_txn *txn, int first,
                         const struct tenant_level *level)
{
    Ims__V1__ContinuityChange resp = IMS__V1__CONTINUITY_CHANGE__INIT;
    resp.security_level = level->security_level;
    resp.maturity = level->maturity;
    resp.revision = level->revision;
    rpc_reply(cw->call, &resp.base);
}

/* --- PutProcess --- */

/* What the database holds for the process that PutProcess must keep in the model. */
struct process_kept {
    bool reviewed;
    int64_t reviewed_at;
    engine_exercise *exercises;
    size_t exercise_count;
};

static int put_apply(engine_model *model, struct rpc_write *cw, engine_error *err)
{
    const Ims__V1__PutProcessRequest *req = (const void *)cw->call->request;
    const Ims__V1__Process *p = req->process;
    const struct process_kept *k = cw->data;
    engine_process_input in = {
        .id = p->id,
        .criticality = p->criticality,
        .mtpd_min = p->mtpd_min,
        .rto_min = p->rto_min,
        .rpo_min = p->rpo_min,
        .plan_reviewed = k->reviewed,
        .plan_reviewed_at = k->reviewed_at,
        .exercises = k->exercises,
        .exercise_count = k->exercise_count,
    };
    return engine_process_put(model, &in, err);
}

static int put_statements(struct db_txn *txn, struct rpc_write *cw)
{
    const Ims__V1__PutProcessRequest *req = (const void *)cw->call->request;
    const Ims__V1__Process *p = req->process;
    char crit[8], mtpd[16], rto[16], rpo[16];
    snprintf(crit, sizeof crit, "%d", p->criticality);
    snprintf(mtpd, sizeof mtpd, "%d", p->mtpd_min);
    snprintf(rto, sizeof rto, "%d", p->rto_min);
    snprintf(rpo, sizeof rpo, "%d", p->rpo_min);
    const char *params[8] = {p->id, p->name, p->owner, crit, mtpd, rto, rpo, p->mbco};
    if (db_txn_add(txn, STMT_PROCESS_PUT, 8, params) < 0 ||
        rpc_audit_statement(cw->call, txn, p->id) != 0 ||
        computed_statement(txn, cw, "{process}") != 0)
        return IMS_ENOMEM;
    return 0;
}

static void put_checked(struct rpc_call *call, struct db_txn *txn)
{
    struct rpc_write *cw = call->state;
    struct process_kept *k = cw->data;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) == 1) {
        const char *reviewed = PQgetvalue(r, 0, 0);
        k->reviewed = *reviewed != '\0';
        k->reviewed_at = atoll(reviewed);
        size_t n = 0;
        char **xs = arena_split(&cw->call->arena, PQgetvalue(r, 0, 1), ',', &n);
        k->exercises = arena_alloc(&cw->call->arena, (n + 1) * sizeof *k->exercises);
        if (!xs || !k->exercises) {
            rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
            return;
        }
        for (size_t i = 0; i < n; i++) {
            char *eq = strchr(xs[i], '=');
            k->exercises[i].at = atoll(xs[i]);
            k->exercises[i].recovery_min = eq ? strtod(eq + 1, NULL) : 0;
        }
        k->exercise_count = n;
    }
    rpc_write_submit(cw, "process");
}

void rpc_put_process(struct rpc_call *call)
{
    const Ims__V1__PutProcessRequest *req = (const void *)call->request;
    const Ims__V1__Process *p = req->process;
    if (!p) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "process: required");
        return;
    }
    if (!validate_ident(call, "process.id", p->id, 128) ||
        !validate_text(call, "process.name", p->name, 1, 200) ||
        !validate_text(call, "process.owner", p->owner, 0, 200) ||
        !validate_range(call, "process.criticality", p->criticality, 1, 5) ||
        !validate_range(call, "process.mtpd_min", p->mtpd_min, 1, MAX_MINUTES) ||
        !validate_range(call, "process.rto_min", p->rto_min, 0, MAX_MINUTES) ||
        !validate_range(call, "process.rpo_min", p->rpo_min, 0, MAX_MINUTES) ||
        !validate_text(call, "process.mbco", p->mbco, 0, 2000))
        return;
    if (p->rto_min > p->mtpd_min) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "process.rto_min, process.mtpd_min: the RTO (%d min) must not exceed the MTPD "
                 "(%d min)",
                 p->rto_min, p->mtpd_min);
        return;
    }
    struct rpc_write *cw = rpc_write_new(call);
    if (!cw)
        return;
    if (!(cw->data = calloc(1, sizeof(struct process_kept)))) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    cw->apply = put_apply;
    cw->statements = put_statements;
    cw->reply = change_reply;
    const char *params[1] = {p->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_PROCESS_STATE, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, put_checked);
}

/* --- ReviewPlan and RecordExercise --- */

/* The time given, or now; 0 after failing the call. */
static int time_or_now(struct rpc_call *call, const char *field, const char *value, int64_t *at,
                       char *text, size_t len)
{
    if (!validate_time(call, field, value, 1, at))
        return 0;
    if (!*value)
        *at = (int64_t)time(NULL);
    validate_format_time(*at, text, len);
    return 1;
}

struct process_event {
    int64_t at;
    char at_text[32];
};

static int review_apply(engine_model *model, struct rpc_write *cw, engine_error *err)
{
    const Ims__V1__ReviewPlanRequest *req = (const void *)cw->call->request;
    const struct process_event *e = cw->data;
    return engine_process_set_plan_review(model, req->process, e->at, err);
}

static int review_statements(struct db_txn *txn, struct rpc_write *cw)
{
    const Ims__V1__ReviewPlanRequest *req = (const void *)cw->call->request;
    const struct process_event *e = cw->data;
    const char *params[2] = {req->process, e->at_text};
    if (db_txn_add(txn, STMT_PLAN_REVIEW, 2, params) < 0 ||
        rpc_audit_statement(cw->call, txn, req->process) != 0 ||
        computed_statement(txn, cw, "{process}") != 0)
        return IMS_ENOMEM;
    return 0;
}

static int exercise_apply(engine_model *model, struct rpc_write *cw, engine_error *err)
{
    const Ims__V1__RecordExerciseRequest *req = (const void *)cw->call->request;
    const struct process_event *e = cw->data;
    engine_exercise x = {e->at, req->recovery_min};
    return engine_process_add_exercise(model, req->process, &x, err);
}

static int exercise_statements(struct db_txn *txn, struct rpc_write *cw)
{
    const Ims__V1__RecordExerciseRequest *req = (const void *)cw->call->request;
    const struct process_event *e = cw->data;
    char minutes[16];
    snprintf(minutes, sizeof minutes, "%d", req->recovery_min);
    const char *params[4] = {req->process, e->at_text, minutes, req->note};
    if (db_txn_add(txn, STMT_EXERCISE_ADD, 4, params) < 0 ||
        rpc_audit_statement(cw->call, txn, req->process) != 0 ||
        computed_statement(txn, cw, "{exercise}") != 0)
        return IMS_ENOMEM;
    return 0;
}

static void event_checked(struct rpc_call *call, struct db_txn *txn)
{
    if (PQntuples(db_txn_result(txn, 0)) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "process: no such process");
        return;
    }
    struct rpc_write *cw = call->state;
    rpc_write_submit(cw, cw->apply == review_apply ? "plan_review" : "exercise");
}

static void process_event(struct rpc_call *call, const char *process, const char *time_field,
                          const char *when,
                          int (*apply)(engine_model *, struct rpc_write *, engine_error *),
                          int (*statements)(struct db_txn *, struct rpc_write *))
{
    if (!validate_ident(call, "process", process, 128))
        return;
    struct rpc_write *cw = rpc_write_new(call);
    if (!cw)
        return;
    struct process_event *e = calloc(1, sizeof *e);
    if (!(cw->data = e)) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    if (!time_or_now(call, time_field, when, &e->at, e->at_text, sizeof e->at_text))
        return;
    cw->apply = apply;
    cw->statements = statements;
    cw->reply = change_reply;
    const char *params[1] = {process};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_PROCESS_STATE, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, event_checked);
}

void rpc_review_plan(struct rpc_call *call)
{
    const Ims__V1__ReviewPlanRequest *req = (const void *)call->request;
    process_event(call, req->process, "reviewed_at", req->reviewed_at, review_apply,
                  review_statements);
}

void rpc_record_exercise(struct rpc_call *call)
{
    const Ims__V1__RecordExerciseRequest *req = (const void *)call->request;
    if (!validate_range(call, "recovery_min", req->recovery_min, 0, MAX_MINUTES) ||
        !validate_text(call, "note", req->note, 0, 2000))
        return;
    process_event(call, req->process, "at", req->at, exercise_apply, exercise_statements);
}

/* --- ListProcesses and GetBia --- */

struct process_list {
    int bia;
    PGresult *rows;
};

static void process_list_free(void *state)
{
    struct process_list *l = state;
    if (l->rows)
        PQclear(l->rows);
    free(l);
}

static void processes_read(struct rpc_call *call, struct tenant_state *state)
{
    struct process_list *l = call->state;
    const engine_eval *eval = tenant_state_eval(state);
    const struct tenant_level *level = tenant_state_level(state);
    PGresult *r = l->rows;
    const char *next;
    int shown = rpc_page_result(call, r, 0, -1, &next);
    struct arena *a = &call->arena;
    Ims__V1__Process *items = arena_alloc(a, ((size_t)shown + 1) * sizeof *items);
    Ims__V1__Process **ptrs = arena_alloc(a, ((size_t)shown + 1) * sizeof *ptrs);
    size_t count = engine_process_count(eval);
    for (int i = 0; items && ptrs && i < shown; i++) {
        Ims__V1__Process *p = ptrs[i] = &items[i];
        ims__v1__process__init(p);
        p->id = PQgetvalue(r, i, 0);
        p->name = PQgetvalue(r, i, 1);
        p->owner = PQgetvalue(r, i, 2);
        p->criticality = sql_int(r, i, 3);
        p->mtpd_min = sql_int(r, i, 4);
        p->rto_min = sql_int(r, i, 5);
        p->rpo_min = sql_int(r, i, 6);
        p->mbco = PQgetvalue(r, i, 7);
        p->plan_reviewed_at = PQgetvalue(r, i, 8);
        p->created_at = PQgetvalue(r, i, 10);
        p->updated_at = PQgetvalue(r, i, 11);
        p->owner_person = PQgetvalue(r, i, 12);
        size_t nx = 0;
        char **xs = arena_split(a, PQgetvalue(r, i, 9), ',', &nx);
        Ims__V1__Exercise **ex = arena_alloc(a, (nx + 1) * sizeof *ex);
        for (size_t j = 0; xs && ex && j < nx; j++) {
            Ims__V1__Exercise *x = ex[j] = arena_alloc(a, sizeof *x);
            if (!x)
                break;
            ims__v1__exercise__init(x);
            char *eq = strchr(xs[j], '=');
            if (eq) {
                *eq = '\0';
                x->recovery_min = atoi(eq + 1);
            }
            x->at = xs[j];
        }
        p->exercises = ex;
        p->n_exercises = ex && xs ? nx : 0;
        for (size_t k = 0; k < count; k++) {
            if (strcmp(engine_process_id(eval, k), p->id) == 0) {
                p->has_readiness = 1;
                p->readiness = engine_process_readiness(eval, k);
                break;
            }
        }
    }
    if (a->failed) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    if (l->bia) {
        char at[32];
        validate_format_time(level->summary.at, at, sizeof at);
        Ims__V1__Bia resp = IMS__V1__BIA__INIT;
        resp.processes = ptrs;
        resp.n_processes = (size_t)shown;
        resp.has_processes = level->summary.has_processes;
        resp.readiness = level->summary.has_processes ? level->summary.readiness : 0;
        resp.at = at;
        rpc_reply(call, &resp.base);
    } else {
        Ims__V1__ListProcessesResponse resp = IMS__V1__LIST_PROCESSES_RESPONSE__INIT;
        resp.processes = ptrs;
        resp.n_processes = (size_t)shown;
        resp.next_page_token = (char *)next;
        rpc_reply(call, &resp.base);
    }
}

static void processes_rows(struct rpc_call *call, struct db_txn *txn)
{
    struct process_list *l = call->state;
    l->rows = PQcopyResult(db_txn_result(txn, 0), PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
    if (!l->rows) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_read(call, processes_read);
}

static void query_processes(struct rpc_call *call, int bia, int32_t page_size, const char *token)
{
    struct process_list *l = calloc(1, sizeof *l);
    if (!l) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    call->state = l;
    call->state_free = process_list_free;
    l->bia = bia;
    if (bia)
        rpc_page_whole(&call->page, 100000);
    else if (!rpc_page_begin(call, page_size, token, RPC_PAGE_KEY_TEXT))
        return;
    const char *params[3] = {token, call->page.fetch, bia ? "bia" : "id"};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_PROCESS_LIST, 3, params) < 0)
        return;
    rpc_txn_exec(call, txn, processes_rows);
}

void rpc_list_processes(struct rpc_call *call)
{
    const Ims__V1__ListProcessesRequest *req = (const void *)call->request;
    query_processes(call, 0, req->page_size, req->page_token);
}

void rpc_get_bia(struct rpc_call *call)
{
    query_processes(call, 1, 0, "");
}
