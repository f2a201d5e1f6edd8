/* Audit findings and their corrective actions. A finding moves the level (a tenant
 * write); an action is a plain transaction answered with its finding and the level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "computed.h"
#include "db_pool.h"
#include "events.h"
#include "idempotency.h"
#include "ims/error.h"
#include "ims/v1/events.pb-c.h"
#include "sql_values.h"
#include "statements.h"
#include "validate.h"

static const char *const finding_types[] = {"major_nc", "minor_nc", "observation", "opportunity"};

static int finding_type(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, finding_types[i]) == 0)
            return i;
    return -1;
}

/* A finding message from a FINDING_COLUMNS row, with the actions of an ACTION_COLUMNS
 * result (may be NULL). */
struct finding_msg {
    Ims__V1__Finding finding;
    char *buf;
    char **controls;
    Ims__V1__CorrectiveAction *actions;
    Ims__V1__CorrectiveAction **action_ptrs;
};

static int finding_msg_init(struct finding_msg *f, PGresult *r, int row, PGresult *actions,
                            const char *tenant)
{
    memset(f, 0, sizeof *f);
    ims__v1__finding__init(&f->finding);
    f->finding.tenant = (char *)tenant;
    f->finding.id = PQgetvalue(r, row, 0);
    f->finding.type = PQgetvalue(r, row, 1);
    f->buf = strdup(PQgetvalue(r, row, 2));
    f->controls = calloc(MAX_REFS + 1, sizeof(char *));
    int na = actions ? PQntuples(actions) : 0;
    f->actions = calloc((size_t)na + 1, sizeof *f->actions);
    f->action_ptrs = calloc((size_t)na + 1, sizeof *f->action_ptrs);
    if (!f->buf || !f->controls || !f->actions || !f->action_ptrs)
        return IMS_ENOMEM;
    f->finding.n_controls = sql_split_list(f->buf, f->controls, MAX_REFS);
    f->finding.controls = f->controls;
    f->finding.audit = PQgetvalue(r, row, 3);
    f->finding.description = PQgetvalue(r, row, 4);
    f->finding.status = PQgetvalue(r, row, 5);
    f->finding.opened_at = PQgetvalue(r, row, 6);
    f->finding.closed_at = PQgetvalue(r, row, 7);
    int audit_col = PQfnumber(r, "audit_id"), incident_col = PQfnumber(r, "incident");
    if (audit_col >= 0)
        f->finding.audit_id = PQgetvalue(r, row, audit_col);
    if (incident_col >= 0)
        f->finding.incident = PQgetvalue(r, row, incident_col);
    for (int i = 0; i < na; i++) {
        Ims__V1__CorrectiveAction *a = &f->actions[i];
        ims__v1__corrective_action__init(a);
        a->id = PQgetvalue(actions, i, 0);
        a->finding = PQgetvalue(actions, i, 1);
        a->description = PQgetvalue(actions, i, 2);
        a->owner = PQgetvalue(actions, i, 3);
        a->due = PQgetvalue(actions, i, 4);
        a->status = PQgetvalue(actions, i, 5);
        a->updated_at = PQgetvalue(actions, i, 6);
        f->action_ptrs[i] = a;
    }
    f->finding.actions = f->action_ptrs;
    f->finding.n_actions = (size_t)na;
    return 0;
}

static void finding_msg_free(struct finding_msg *f)
{
    free(f->buf);
    free(f->controls);
    free(f->actions);
    free(f->action_ptrs);
}

static void reply_finding(struct rpc_call *call, PGresult *finding, PGresult *actions,
                          double level, int64_t revision)
{
    if (!finding || PQntuples(finding) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "finding: not found");
        return;
    }
    struct finding_msg f;
    if (finding_msg_init(&f, finding, 0, actions, call->tenant) != 0) {
        finding_msg_free(&f);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    Ims__V1__FindingResult res = IMS__V1__FINDING_RESULT__INIT;
    res.finding = &f.finding;
    res.security_level = level;
    res.revision = revision;
    rpc_reply(call, &res.base);
    finding_msg_free(&f);
}

static int finding_apply(engine_model *model, struct rpc_write *w, engine_error *err)
{
    struct event_op *op = w->data;
    engine_finding_input in = {
        .id = op->id,
        .type = (enum engine_finding_type)finding_type(op->type),
        .controls = (const char *const *)op->controls,
        .control_count = op->n_controls,
        .open = op->open,
    };
    return engine_finding_put(model, &in, err);
}

static int finding_insert_statements(struct db_txn *txn, struct rpc_write *w);

/* The stored idempotent answer of a finding change: the finding as it will be. */
static int finding_idempotency(struct db_txn *txn, struct rpc_write *w)
{
    struct event_op *op = w->data;
    const struct tenant_level *next = w->next;
    if (!w->idem.key)
        return 0;
    Ims__V1__Finding f = IMS__V1__FINDING__INIT;
    f.tenant = op->call->tenant;
    f.id = op->id;
    f.type = op->type;
    f.controls = op->controls;
    f.n_controls = op->n_controls;
    f.description = op->description;
    f.status = op->open ? "open" : "closed";
    if (w->statements == finding_insert_statements) {
        const Ims__V1__SubmitFindingRequest *req =
            (const Ims__V1__SubmitFindingRequest *)op->call->request;
        f.audit_id = req->finding->audit_id;
        f.incident = req->finding->incident;
    }
    Ims__V1__FindingResult res = IMS__V1__FINDING_RESULT__INIT;
    res.finding = &f;
    res.security_level = next->security_level;
    res.revision = next->revision;
    return rpc_idempotency_store(txn, w, &res.base);
}

static int finding_insert_statements(struct db_txn *txn, struct rpc_write *w)
{
    struct event_op *op = w->data;
    const Ims__V1__SubmitFindingRequest *req =
        (const Ims__V1__SubmitFindingRequest *)op->call->request;
    char *lit = sql_array_literal(op->controls, op->n_controls);
    if (!lit)
        return IMS_ENOMEM;
    const char *p[8] = {op->call->tenant, op->id,           op->type,
                        lit,              req->finding->audit, op->description,
                        req->finding->audit_id, req->finding->incident};
    const char *tenant[1] = {op->call->tenant};
    int rc = db_txn_add(txn, STMT_FINDING_INSERT, 8, p) < 0 ? IMS_ENOMEM : 0;
    /* A major nonconformity suspends the awards whose scope holds it, with the change. */
    if (rc == 0 && strcmp(op->type, "major_nc") == 0 &&
        db_txn_add(txn, STMT_AWARDS_NC_CHECK, 1, tenant) < 0)
        rc = IMS_ENOMEM;
    free(lit);
    if (rc == 0)
        rc = rpc_audit_statement(op->call, txn, op->id);
    if (rc == 0)
        rc = finding_idempotency(txn, w);
    return rc;
}

static int finding_update_statements(struct db_txn *txn, struct rpc_write *w)
{
    struct event_op *op = w->data;
    const char *p[5] = {op->call->tenant, op->id, op->type, op->description,
                        op->closing ? "true" : "false"};
    const char *a[2] = {op->call->tenant, op->id};
    const char *tenant[1] = {op->call->tenant};
    int rc = db_txn_add(txn, STMT_FINDING_UPDATE, 5, p) < 0 ||
                     db_txn_add(txn, STMT_ACTION_LIST, 2, a) < 0
                 ? IMS_ENOMEM
                 : 0;
    if (rc == 0 && op->open && strcmp(op->type, "major_nc") == 0 &&
        db_txn_add(txn, STMT_AWARDS_NC_CHECK, 1, tenant) < 0)
        rc = IMS_ENOMEM;
    /* Closing moves computed metrics (closure time): their samples go with the change. */
    if (rc == 0 && op->closing)
        rc = computed_statement(txn, w, "{finding}");
    if (rc == 0)
        rc = rpc_audit_statement(op->call, txn, op->id);
    /* The stored answer carries the level committed: with computed samples, it is known
     * once they are applied (second round). */
    w->final_statements = w->write.settle ? finding_idempotency : NULL;
    if (rc == 0 && !w->write.settle)
        rc = finding_idempotency(txn, w);
    return rc;
}

static void finding_reply(struct rpc_write *w, struct db_txn *txn, int first,
                          const struct tenant_level *level)
{
    struct event_op *op = w->data;
    PGresult *actions = w->statements == finding_update_statements
                            ? db_txn_result(txn, first + 1)
                            : NULL;
    reply_finding(op->call, db_txn_result(txn, first), actions, level->security_level,
                  level->revision);
}

static void submit_finding_go(struct rpc_call *call)
{
    struct rpc_write *w = call->state;
    w->apply = finding_apply;
    w->statements = finding_insert_statements;
    w->reply = finding_reply;
    rpc_write_submit(w, "finding");
}

void rpc_submit_finding(struct rpc_call *call)
{
    const Ims__V1__SubmitFindingRequest *req = (const Ims__V1__SubmitFindingRequest *)call->request;
    const Ims__V1__Finding *in = req->finding;
    if (!in) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "finding: required");
        return;
    }
    if (finding_type(in->type) < 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "finding.type: must be major_nc, minor_nc, observation or opportunity");
        return;
    }
    if (!event_validate_refs(call, "finding.controls", in->controls, in->n_controls, 1) ||
        !validate_text(call, "finding.audit", in->audit, 0, 200) ||
        (*in->audit_id && !validate_ident(call, "finding.audit_id", in->audit_id, 64)) ||
        (*in->incident && !validate_ident(call, "finding.incident", in->incident, 64)) ||
        !validate_text(call, "finding.description", in->description, 0, MAX_TEXT))
        return;
    struct event_op *op = event_op_new(call);
    if (!op)
        return;
    if (event_random_id("F", op->id, sizeof op->id) != 0 ||
        event_copy_refs(op, &op->controls, &op->n_controls, in->controls, in->n_controls)) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    snprintf(op->type, sizeof op->type, "%s", in->type);
    snprintf(op->description, sizeof op->description, "%s", in->description);
    op->open = 1;
    rpc_idempotency_check(call->state, req->idempotency_key, submit_finding_go, NULL, IDEMPOTENCY_LOOKUP_NONE);
}

static void update_finding_loaded(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__UpdateFindingRequest *req = (const Ims__V1__UpdateFindingRequest *)call->request;
    struct event_op *op = event_op_of(call);
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no finding %s", req->id);
        return;
    }
    snprintf(op->id, sizeof op->id, "%s", PQgetvalue(r, 0, 0));
    snprintf(op->type, sizeof op->type, "%s", *req->type ? req->type : PQgetvalue(r, 0, 1));
    snprintf(op->description, sizeof op->description, "%s",
             *req->description ? req->description : PQgetvalue(r, 0, 4));
    int was_open = strcmp(PQgetvalue(r, 0, 5), "open") == 0;
    long actions = atol(PQgetvalue(r, 0, 8));
    long unverified = atol(PQgetvalue(r, 0, 9));
    if (!was_open && (req->close || *req->type)) {
        rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION, "id: finding %s is closed", op->id);
        return;
    }
    if (req->close) {
        int nonconformity = strcmp(op->type, "major_nc") == 0 || strcmp(op->type, "minor_nc") == 0;
        if (unverified > 0 || (nonconformity && actions == 0)) {
            rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION,
                     "close: a nonconformity closes when it has corrective actions and all are "
                     "verified (%ld of %ld not verified)",
                     unverified, actions);
            return;
        }
    }
    op->closing = req->close;
    op->open = was_open && !req->close;
    op->refs_buf[0] = arena_strdup(&call->arena, PQgetvalue(r, 0, 2));
    op->controls = arena_alloc(&call->arena, (MAX_REFS + 1) * sizeof(char *));
    if (!op->refs_buf[0] || !op->controls) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    op->n_controls = sql_split_list(op->refs_buf[0], op->controls, MAX_REFS);
    struct rpc_write *w = call->state;
    w->apply = finding_apply;
    w->statements = finding_update_statements;
    w->reply = finding_reply;
    rpc_write_submit(w, "finding");
}

static void update_finding_go(struct rpc_call *call)
{
    const Ims__V1__UpdateFindingRequest *req = (const Ims__V1__UpdateFindingRequest *)call->request;
    const char *params[2] = {call->tenant, req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_FINDING_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, update_finding_loaded);
}

void rpc_update_finding(struct rpc_call *call)
{
    const Ims__V1__UpdateFindingRequest *req = (const Ims__V1__UpdateFindingRequest *)call->request;
    if (!validate_ident(call, "id", req->id, 32) ||
        !validate_text(call, "description", req->description, 0, MAX_TEXT))
        return;
    if (*req->type && finding_type(req->type) < 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "type: must be major_nc, minor_nc, observation or opportunity");
        return;
    }
    struct event_op *op = event_op_new(call);
    if (op)
        rpc_idempotency_check(call->state, req->idempotency_key, update_finding_go, NULL, IDEMPOTENCY_LOOKUP_FIRST);
}

static void list_findings_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    const char *next;
    int shown = rpc_page_result(call, r, 0, -1, &next);
    struct finding_msg *fs = calloc((size_t)shown + 1, sizeof *fs);
    Ims__V1__Finding **ptrs = calloc((size_t)shown + 1, sizeof *ptrs);
    int ok = fs && ptrs;
    for (int i = 0; ok && i < shown; i++) {
        ok = finding_msg_init(&fs[i], r, i, NULL, call->tenant) == 0;
        ptrs[i] = &fs[i].finding;
    }
    if (ok) {
        Ims__V1__ListFindingsResponse resp = IMS__V1__LIST_FINDINGS_RESPONSE__INIT;
        resp.findings = ptrs;
        resp.n_findings = (size_t)shown;
        resp.next_page_token = (char *)next;
        rpc_reply(call, &resp.base);
    } else {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    }
    for (int i = 0; fs && i < shown; i++)
        finding_msg_free(&fs[i]);
    free(fs);
    free(ptrs);
}

void rpc_list_findings(struct rpc_call *call)
{
    const Ims__V1__ListFindingsRequest *req = (const Ims__V1__ListFindingsRequest *)call->request;
    event_list_start(call, req->page_size, req->page_token, req->status, STMT_FINDING_LIST,
               list_findings_done);
}

/* Corrective actions do not move the level: plain transactions, answered with the finding
 * and all its actions, and the tenant's current level. */
struct action_reply {
    struct rpc_call *call;
    PGresult *finding, *actions;
};

static void action_level_read(int err, const char *msg, struct tenant_state *state, void *arg)
{
    struct action_reply *ar = arg;
    (void)msg;
    const struct tenant_level *lv = err ? NULL : tenant_state_level(state);
    reply_finding(ar->call, ar->finding, ar->actions, lv ? lv->security_level : 0,
                  lv ? lv->revision : 0);
    PQclear(ar->finding);
    PQclear(ar->actions);
    free(ar);
}

/* Takes the finding (index fi) and actions (ai) results out of txn and replies. */
static void reply_with_level(struct rpc_call *call, struct db_txn *txn, int fi, int ai)
{
    struct action_reply *ar = calloc(1, sizeof *ar);
    if (!ar) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    ar->call = call;
    /* Results belong to txn, freed after this returns: keep copies. */
    ar->finding = PQcopyResult(db_txn_result(txn, fi), PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
    ar->actions = PQcopyResult(db_txn_result(txn, ai), PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
    tenant_read(rpc_server_tenants(call->server), call->tenant, action_level_read, ar);
}

static void add_action_checked(struct rpc_call *call, struct db_txn *txn);

static void finding_state_done(struct rpc_call *call, struct db_txn *txn)
{
    reply_with_level(call, txn, 0, 1);
}

/* Answers with the finding and its actions as they are now. */
static void reply_finding_state(struct rpc_call *call, const char *finding)
{
    const char *get[2] = {call->tenant, finding};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_FINDING_GET, 2, get) < 0 ||
        rpc_txn_add(call, txn, STMT_ACTION_LIST, 2, get) < 0)
        return;
    rpc_txn_exec(call, txn, finding_state_done);
}

static void add_action_replay(struct rpc_call *call)
{
    const Ims__V1__AddActionRequest *req = (const Ims__V1__AddActionRequest *)call->request;
    reply_finding_state(call, req->finding);
}

static void update_action_replay_loaded(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no such corrective action");
        return;
    }
    char finding[64];
    snprintf(finding, sizeof finding, "%s", PQgetvalue(r, 0, 1));
    reply_finding_state(call, finding);
}

static void update_action_replay(struct rpc_call *call)
{
    const Ims__V1__UpdateActionRequest *req = (const Ims__V1__UpdateActionRequest *)call->request;
    const char *params[2] = {call->tenant, req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_ACTION_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, update_action_replay_loaded);
}

/* A corrective action's change as a tenant write: its statement (first), the finding and
 * its actions as they are then (first+1, first+2), the samples of the computed metrics
 * it moves (overdue actions…, applied to the model before the level is taken), the audit
 * row and the idempotency mark. params: the arena copies the handler made. */
struct action_change {
    int statement, nparams;
    const char *params[6];
    const char *finding;
    const char *id;
};

static int action_statements(struct db_txn *txn, struct rpc_write *w)
{
    const struct action_change *ac = ((struct event_op *)w->data)->action;
    const char *get[2] = {w->call->tenant, ac->finding};
    if (db_txn_add(txn, ac->statement, ac->nparams, ac->params) < 0 ||
        db_txn_add(txn, STMT_FINDING_GET, 2, get) < 0 ||
        db_txn_add(txn, STMT_ACTION_LIST, 2, get) < 0 ||
        computed_statement(txn, w, "{action}") != 0 ||
        rpc_audit_statement(w->call, txn, ac->id) != 0 || rpc_idempotency_mark(w, txn) < 0)
        return IMS_ENOMEM;
    return 0;
}

static void action_reply(struct rpc_write *w, struct db_txn *txn, int first,
                         const struct tenant_level *level)
{
    (void)level; /* read back with the finding: the model holds this change now */
    reply_with_level(w->call, txn, first + 1, first + 2);
}

/* Copies params into the call's arena and submits the change; ends the call on failure. */
static void action_submit(struct rpc_call *call, int statement, int nparams,
                          const char *const *params, const char *finding, const char *id)
{
    struct rpc_write *w = call->state;
    struct event_op *op = w->data;
    struct action_change *ac = arena_alloc(&call->arena, sizeof *ac);
    int ok = ac != NULL;
    if (ok) {
        memset(ac, 0, sizeof *ac);
        ac->statement = statement;
        ac->nparams = nparams;
        ac->finding = arena_strdup(&call->arena, finding);
        ac->id = arena_strdup(&call->arena, id);
        ok = ac->finding && ac->id;
        for (int i = 0; ok && i < nparams; i++)
            ok = !params[i] || (ac->params[i] = arena_strdup(&call->arena, params[i]));
    }
    if (!ok) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    op->action = ac;
    w->apply = NULL;
    w->statements = action_statements;
    w->reply = action_reply;
    rpc_write_submit(w, "action");
}

static void add_action_go(struct rpc_call *call)
{
    const Ims__V1__AddActionRequest *req = (const Ims__V1__AddActionRequest *)call->request;
    const char *params[2] = {call->tenant, req->finding};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_FINDING_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, add_action_checked);
}

static void add_action_checked(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__AddActionRequest *req = (const Ims__V1__AddActionRequest *)call->request;
    struct event_op *op = event_op_of(call);
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "finding: no finding %s", req->finding);
        return;
    }
    if (strcmp(PQgetvalue(r, 0, 5), "open") != 0) {
        rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION, "finding: %s is closed", req->finding);
        return;
    }
    if (event_random_id("CA", op->id, sizeof op->id) != 0) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "no randomness available");
        return;
    }
    const char *ins[6] = {call->tenant, op->id, req->finding, req->description, req->owner,
                          req->due};
    action_submit(call, STMT_ACTION_INSERT, 6, ins, req->finding, op->id);
}

void rpc_add_action(struct rpc_call *call)
{
    const Ims__V1__AddActionRequest *req = (const Ims__V1__AddActionRequest *)call->request;
    int64_t due;
    if (!validate_ident(call, "finding", req->finding, 32) ||
        !validate_text(call, "description", req->description, 1, MAX_TEXT) ||
        !validate_text(call, "owner", req->owner, 1, 200) ||
        !validate_time(call, "due", req->due, 0, &due))
        return;
    struct event_op *op = event_op_new(call);
    if (op)
        rpc_idempotency_check(call->state, req->idempotency_key, add_action_go, add_action_replay,
                         IDEMPOTENCY_LOOKUP_FIRST);
}

static void update_action_loaded(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__UpdateActionRequest *req = (const Ims__V1__UpdateActionRequest *)call->request;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no corrective action %s", req->id);
        return;
    }
    const char *status = *req->status ? req->status : PQgetvalue(r, 0, 5);
    if (strcmp(status, "open") && strcmp(status, "done") && strcmp(status, "verified")) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "status: must be open, done or verified");
        return;
    }
    /* Verification is the auditor's check of someone else's work. */
    if (strcmp(status, "verified") == 0 && strcmp(PQgetvalue(r, 0, 5), "verified") != 0 &&
        call->principal.role != ROLE_AUDITOR && call->principal.role != ROLE_OPERATOR) {
        rpc_fail(call, IMS_GRPC_PERMISSION_DENIED,
                 "status: only an auditor or an operator verifies a corrective action");
        return;
    }
    if (strcmp(status, "verified") == 0 && strcmp(PQgetvalue(r, 0, 5), "open") == 0) {
        rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION, "status: an open action is done before it is verified");
        return;
    }
    char finding[64];
    snprintf(finding, sizeof finding, "%s", PQgetvalue(r, 0, 1));
    const char *upd[5] = {call->tenant, req->id, status,
                          *req->owner ? req->owner : PQgetvalue(r, 0, 3),
                          *req->due ? req->due : PQgetvalue(r, 0, 4)};
    action_submit(call, STMT_ACTION_UPDATE, 5, upd, finding, req->id);
}

static void update_action_go(struct rpc_call *call)
{
    const Ims__V1__UpdateActionRequest *req = (const Ims__V1__UpdateActionRequest *)call->request;
    const char *params[2] = {call->tenant, req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_ACTION_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, update_action_loaded);
}

void rpc_update_action(struct rpc_call *call)
{
    const Ims__V1__UpdateActionRequest *req = (const Ims__V1__UpdateActionRequest *)call->request;
    int64_t due;
    if (!validate_ident(call, "id", req->id, 32) ||
        !validate_text(call, "owner", req->owner, 0, 200) ||
        !validate_time(call, "due", req->due, 1, &due))
        return;
    struct event_op *op = event_op_new(call);
    if (op)
        rpc_idempotency_check(call->state, req->idempotency_key, update_action_go, update_action_replay,
                         IDEMPOTENCY_LOOKUP_FIRST);
}

