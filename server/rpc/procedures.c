/* Procedures (the method's A3.2): the definitions of the tenant's schema, and instances
 * started, advanced along their phases' paths by people whose profiles the phases allow,
 * with register entries attached and every step kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "computed.h"
#include "db_pool.h"
#include "handlers.h"
#include "idempotency.h"
#include "ims/error.h"
#include "ims/v1/procedures.pb-c.h"
#include "rpc.h"
#include "sql_values.h"
#include "statements.h"
#include "validate.h"
#include "write.h"

/* --- ListProcedures --- */

static int phase_from_row(Ims__V1__Phase *ph, struct arena *a, PGresult *r, int row)
{
    ims__v1__phase__init(ph);
    ph->id = PQgetvalue(r, row, 4);
    ph->position = sql_int(r, row, 5);
    ph->type = PQgetvalue(r, row, 6);
    ph->name = PQgetvalue(r, row, 7);
    ph->description = PQgetvalue(r, row, 8);
    ph->due_hours = sql_int(r, row, 9);
    ph->profiles = arena_split(a, PQgetvalue(r, row, 10), ' ', &ph->n_profiles);
    ph->paths = arena_split(a, PQgetvalue(r, row, 11), ' ', &ph->n_paths);
    size_t n = 0;
    char **objects = arena_split(a, PQgetvalue(r, row, 12), ' ', &n);
    ph->objects = arena_alloc(a, (n + 1) * sizeof *ph->objects);
    if (!ph->profiles || !ph->paths || !objects || !ph->objects)
        return IMS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        Ims__V1__PhaseObject *o = ph->objects[i] = arena_alloc(a, sizeof *o);
        if (!o)
            return IMS_ENOMEM;
        ims__v1__phase_object__init(o);
        char *eq = strchr(objects[i], '=');
        if (eq)
            *eq = '\0';
        o->artefact = objects[i];
        o->use = eq ? eq + 1 : "";
    }
    ph->n_objects = n;
    return 0;
}

static void definitions_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    int rows = PQntuples(r);
    struct arena *a = &call->arena;
    Ims__V1__Procedure **procs = arena_alloc(a, ((size_t)rows + 1) * sizeof *procs);
    Ims__V1__Phase **phases = arena_alloc(a, ((size_t)rows + 1) * sizeof *phases);
    size_t np = 0;
    int failed = !procs || !phases;
    for (int i = 0; !failed && i < rows; i++) {
        Ims__V1__Procedure *p = np ? procs[np - 1] : NULL;
        if (!p || strcmp(p->id, PQgetvalue(r, i, 0)) != 0) {
            p = arena_alloc(a, sizeof *p);
            if (!p) {
                failed = 1;
                break;
            }
            ims__v1__procedure__init(p);
            p->id = PQgetvalue(r, i, 0);
            p->name = PQgetvalue(r, i, 1);
            p->description = PQgetvalue(r, i, 2);
            p->links = PQgetvalue(r, i, 3);
            p->phases = &phases[i]; /* the rows of one procedure are consecutive */
            procs[np++] = p;
        }
        phases[i] = arena_alloc(a, sizeof *phases[i]);
        failed = !phases[i] || phase_from_row(phases[i], a, r, i) != 0;
        p->n_phases++;
    }
    if (failed) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    Ims__V1__ListProceduresResponse resp = IMS__V1__LIST_PROCEDURES_RESPONSE__INIT;
    resp.procedures = procs;
    resp.n_procedures = np;
    rpc_reply(call, &resp.base);
}

void rpc_list_procedures(struct rpc_call *call)
{
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_PROCEDURE_DEFINITIONS, 0, NULL) < 0)
        return;
    rpc_txn_exec(call, txn, definitions_done);
}

/* --- instances --- */

static void instance_from_row(Ims__V1__ProcedureInstance *x, PGresult *r, int row)
{
    ims__v1__procedure_instance__init(x);
    x->id = PQgetvalue(r, row, 0);
    x->procedure = PQgetvalue(r, row, 1);
    x->title = PQgetvalue(r, row, 2);
    x->phase = PQgetvalue(r, row, 3);
    x->status = PQgetvalue(r, row, 4);
    x->incident = PQgetvalue(r, row, 5);
    x->started_at = PQgetvalue(r, row, 6);
    x->started_by = PQgetvalue(r, row, 7);
    x->phase_since = PQgetvalue(r, row, 8);
    x->phase_due_at = PQgetvalue(r, row, 9);
    x->completed_at = PQgetvalue(r, row, 10);
    x->late_steps = sql_int(r, row, 11);
    x->phase_owner = PQgetvalue(r, row, 12);
    x->finding = PQgetvalue(r, row, 13);
}

/* Replies with the instance of result `at`, its steps (at + 1) and records (at + 2), and
 * the level a change committed with (or NULL). */
static void reply_instance(struct rpc_call *call, struct db_txn *txn, int at, const char *id,
                           const struct tenant_level *level)
{
    PGresult *r = db_txn_result(txn, at), *s = db_txn_result(txn, at + 1),
             *rec = db_txn_result(txn, at + 2);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "instance: no procedure instance \"%s\"", id);
        return;
    }
    struct arena *a = &call->arena;
    int ns = PQntuples(s), nr = PQntuples(rec);
    Ims__V1__ProcedureInstance x;
    instance_from_row(&x, r, 0);
    Ims__V1__ProcedureStep *steps = arena_alloc(a, ((size_t)ns + 1) * sizeof *steps);
    Ims__V1__ProcedureRecord *records = arena_alloc(a, ((size_t)nr + 1) * sizeof *records);
    x.steps = arena_alloc(a, ((size_t)ns + 1) * sizeof *x.steps);
    x.records = arena_alloc(a, ((size_t)nr + 1) * sizeof *x.records);
    if (!steps || !records || !x.steps || !x.records) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < ns; i++) {
        Ims__V1__ProcedureStep *st = x.steps[i] = &steps[i];
        ims__v1__procedure_step__init(st);
        st->seq = sql_int(s, i, 0);
        st->from_phase = PQgetvalue(s, i, 1);
        st->to_phase = PQgetvalue(s, i, 2);
        st->person = PQgetvalue(s, i, 3);
        st->at = PQgetvalue(s, i, 4);
        st->due_at = PQgetvalue(s, i, 5);
        st->late = sql_bool(s, i, 6);
        st->note = PQgetvalue(s, i, 7);
    }
    for (int i = 0; i < nr; i++) {
        Ims__V1__ProcedureRecord *rc = x.records[i] = &records[i];
        ims__v1__procedure_record__init(rc);
        rc->seq = sql_int(rec, i, 0);
        rc->phase = PQgetvalue(rec, i, 1);
        rc->artefact = PQgetvalue(rec, i, 2);
        rc->reference = PQgetvalue(rec, i, 3);
        rc->note = PQgetvalue(rec, i, 4);
        rc->person = PQgetvalue(rec, i, 5);
        rc->at = PQgetvalue(rec, i, 6);
    }
    x.n_steps = (size_t)ns;
    x.n_records = (size_t)nr;
    if (level) {
        x.security_level = level->security_level;
        x.maturity = level->maturity;
        x.revision = level->revision;
    }
    rpc_reply(call, &x.base);
}

/* Adds the reads of instance id (its row, steps, records); the index of the first, or -1
 * after ending the call. */
static int add_instance_reads(struct rpc_call *call, struct db_txn *txn, const char *id)
{
    const char *p[1] = {id};
    int at = rpc_txn_add(call, txn, STMT_INSTANCE_GET, 1, p);
    if (at < 0 || rpc_txn_add(call, txn, STMT_INSTANCE_STEPS, 1, p) < 0 ||
        rpc_txn_add(call, txn, STMT_INSTANCE_RECORDS, 1, p) < 0)
        return -1;
    return at;
}

/* A change of an instance: one statement, then the instance as it is (results 1..3). */
struct instance_change {
    int statement;
    int nparams;
    const char *params[8];
    const char *assignee; /* start and advance: who answers for the phase entered */
    const char *finding;  /* start: the finding it handles ('' none); NULL otherwise */
    char id[72];
};

/* The change moves procedures_on_time_pct: one tenant write whose transaction holds the
 * change, the instance as it is after it, the computed samples and the audit row. */
static int change_statements(struct db_txn *txn, struct rpc_write *w)
{
    const struct instance_change *c = w->data;
    const char *assign[2] = {c->id, c->assignee};
    const char *get[1] = {c->id};
    const char *link[2] = {c->id, c->finding};
    if (db_txn_add(txn, c->statement, c->nparams, c->params) < 0 ||
        (c->finding && db_txn_add(txn, STMT_PROCEDURE_LINK_FINDING, 2, link) < 0) ||
        (c->assignee && db_txn_add(txn, STMT_PROCEDURE_ASSIGN, 2, assign) < 0) ||
        db_txn_add(txn, STMT_INSTANCE_GET, 1, get) < 0 ||
        db_txn_add(txn, STMT_INSTANCE_STEPS, 1, get) < 0 ||
        db_txn_add(txn, STMT_INSTANCE_RECORDS, 1, get) < 0 ||
        computed_statement(txn, w, "{procedure}") != 0 ||
        rpc_audit_statement(w->call, txn, c->id) != 0)
        return IMS_ENOMEM;
    if (w->idem.key) {
        const char *k[5] = {w->call->tenant, w->idem.key, w->call->path, w->idem.hash, ""};
        if (db_txn_add(txn, STMT_IDEMPOTENCY_PUT, 5, k) < 0)
            return IMS_ENOMEM;
    }
    return 0;
}

static void change_reply(struct rpc_write *w, struct db_txn *txn, int first,
                         const struct tenant_level *level)
{
    const struct instance_change *c = w->data;
    reply_instance(w->call, txn, first + 1 + (c->finding != NULL) + (c->assignee != NULL), c->id,
                   level);
}

static void change_go(struct rpc_call *call)
{
    struct rpc_write *w = call->state;
    w->statements = change_statements;
    w->reply = change_reply;
    rpc_write_submit(w, "procedure");
}

/* A retry of a change that committed: the instance as it is now. */
static void replay_done(struct rpc_call *call, struct db_txn *txn)
{
    struct rpc_write *w = call->state;
    const struct instance_change *c = w->data;
    reply_instance(call, txn, 0, c->id, NULL);
}

static void change_replay(struct rpc_call *call)
{
    struct rpc_write *w = call->state;
    const struct instance_change *c = w->data;
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || add_instance_reads(call, txn, c->id) < 0)
        return;
    rpc_txn_exec(call, txn, replay_done);
}

static void run_change(struct rpc_call *call, const char *id, int statement, int n,
                       const char *const *params, const char *assignee, const char *finding,
                       const char *key)
{
    struct rpc_write *w = rpc_write_new(call);
    if (!w)
        return;
    struct instance_change *c = calloc(1, sizeof *c);
    if (!(w->data = c)) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    c->statement = statement;
    c->nparams = n;
    for (int i = 0; i < n && i < 8; i++)
        c->params[i] = params[i];
    snprintf(c->id, sizeof c->id, "%s", id);
    c->assignee = assignee;
    c->finding = finding;
    rpc_idempotency_check(w, key, change_go, change_replay, IDEMPOTENCY_LOOKUP_FIRST);
}

static const char *token_of(const struct rpc_call *call)
{
    const char *t = rpc_call_token_id(call);
    return t ? t : "";
}

void rpc_start_procedure(struct rpc_call *call)
{
    const Ims__V1__StartProcedureRequest *req = (const void *)call->request;
    if (!validate_ident(call, "instance", req->instance, 64) ||
        !validate_ident(call, "procedure", req->procedure, 64) ||
        !validate_text(call, "title", req->title, 0, 200) ||
        (*req->person && !validate_ident(call, "person", req->person, 64)) ||
        (*req->incident && !validate_ident(call, "incident", req->incident, 128)) ||
        (*req->finding && !validate_ident(call, "finding", req->finding, 128)) ||
        (*req->assignee && !validate_ident(call, "assignee", req->assignee, 64)) ||
        !validate_text(call, "note", req->note, 0, 2000))
        return;
    const char *params[7] = {req->instance, req->procedure, req->title,    req->person,
                             req->incident, req->note,      token_of(call)};
    run_change(call, req->instance, STMT_PROCEDURE_START, 7, params, req->assignee, req->finding,
               req->idempotency_key);
}

void rpc_advance_procedure(struct rpc_call *call)
{
    const Ims__V1__AdvanceProcedureRequest *req = (const void *)call->request;
    if (!validate_ident(call, "instance", req->instance, 64) ||
        !validate_ident(call, "to", req->to, 64) ||
        (*req->assignee && !validate_ident(call, "assignee", req->assignee, 64)) ||
        (*req->person && !validate_ident(call, "person", req->person, 64)) ||
        !validate_text(call, "note", req->note, 0, 2000))
        return;
    const char *params[5] = {req->instance, req->to, req->person, req->note, token_of(call)};
    run_change(call, req->instance, STMT_PROCEDURE_ADVANCE, 5, params, req->assignee, NULL,
               req->idempotency_key);
}

void rpc_attach_record(struct rpc_call *call)
{
    const Ims__V1__AttachRecordRequest *req = (const void *)call->request;
    if (!validate_ident(call, "instance", req->instance, 64) ||
        !validate_ident(call, "artefact", req->artefact, 64) ||
        !validate_text(call, "reference", req->reference, 1, 500) ||
        !validate_text(call, "note", req->note, 0, 2000) ||
        (*req->person && !validate_ident(call, "person", req->person, 64)))
        return;
    const char *params[6] = {req->instance, req->artefact, req->reference,
                             req->note,     req->person,   token_of(call)};
    run_change(call, req->instance, STMT_PROCEDURE_RECORD, 6, params, NULL, NULL,
               req->idempotency_key);
}

static void get_done(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__GetProcedureInstanceRequest *req = (const void *)call->request;
    reply_instance(call, txn, 0, req->instance, NULL);
}

void rpc_get_procedure_instance(struct rpc_call *call)
{
    const Ims__V1__GetProcedureInstanceRequest *req = (const void *)call->request;
    if (!validate_ident(call, "instance", req->instance, 64))
        return;
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || add_instance_reads(call, txn, req->instance) < 0)
        return;
    rpc_txn_exec(call, txn, get_done);
}

static void list_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    const char *next;
    int shown = rpc_page_result(call, r, 0, -1, &next);
    struct arena *a = &call->arena;
    Ims__V1__ProcedureInstance *items = arena_alloc(a, ((size_t)shown + 1) * sizeof *items);
    Ims__V1__ProcedureInstance **ptrs = arena_alloc(a, ((size_t)shown + 1) * sizeof *ptrs);
    if (!items || !ptrs) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < shown; i++) {
        instance_from_row(&items[i], r, i);
        ptrs[i] = &items[i];
    }
    Ims__V1__ListProcedureInstancesResponse resp = IMS__V1__LIST_PROCEDURE_INSTANCES_RESPONSE__INIT;
    resp.instances = ptrs;
    resp.n_instances = (size_t)shown;
    resp.next_page_token = (char *)next;
    rpc_reply(call, &resp.base);
}

void rpc_list_procedure_instances(struct rpc_call *call)
{
    const Ims__V1__ListProcedureInstancesRequest *req = (const void *)call->request;
    if (!rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_IDENT))
        return;
    const char *params[2] = {req->page_token, call->page.fetch};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_INSTANCE_LIST, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, list_done);
}
