/* Incidents: submitted, updated through open → contained → resolved → closed, listed and
 * read; each change moves the level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "db_pool.h"
#include "events.h"
#include "idempotency.h"
#include "ims/error.h"
#include "ims/v1/events.pb-c.h"
#include "snapshot.h"
#include "sql_values.h"
#include "statements.h"
#include "validate.h"

static const char *const statuses[] = {"open", "contained", "resolved", "closed"};

static int status_rank(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, statuses[i]) == 0)
            return i;
    return -1;
}

static void incident_from_row(Ims__V1__Incident *m, PGresult *r, int row, const char *tenant,
                              char *bufs[3], char **items[3])
{
    ims__v1__incident__init(m);
    m->tenant = (char *)tenant;
    m->id = PQgetvalue(r, row, 0);
    m->status = PQgetvalue(r, row, 1);
    m->severity = atoi(PQgetvalue(r, row, 2));
    m->threat = PQgetvalue(r, row, 3);
    size_t *counts[3] = {&m->n_controls, &m->n_assets, &m->n_processes};
    char ***fields[3] = {&m->controls, &m->assets, &m->processes};
    for (int k = 0; k < 3; k++) {
        bufs[k] = strdup(PQgetvalue(r, row, 4 + k));
        items[k] = calloc(MAX_REFS + 1, sizeof(char *));
        if (bufs[k] && items[k]) {
            *counts[k] = sql_split_list(bufs[k], items[k], MAX_REFS);
            *fields[k] = items[k];
        }
    }
    m->detected_at = PQgetvalue(r, row, 7);
    m->resolved_at = PQgetvalue(r, row, 8);
    m->disruption_minutes = atoll(PQgetvalue(r, row, 9));
    m->description = PQgetvalue(r, row, 10);
    m->created_at = PQgetvalue(r, row, 11);
    m->updated_at = PQgetvalue(r, row, 12);
}

static void free_row_bufs(char *bufs[3], char **items[3])
{
    for (int k = 0; k < 3; k++) {
        free(bufs[k]);
        free(items[k]);
    }
}

static int incident_apply(engine_model *model, struct rpc_write *w, engine_error *err)
{
    struct event_op *op = w->data;
    engine_incident_input in = {
        .id = op->id,
        .severity = op->severity,
        .threat = op->threat[0] ? op->threat : NULL,
        .controls = (const char *const *)op->controls,
        .control_count = op->n_controls,
        .assets = (const char *const *)op->assets,
        .asset_count = op->n_assets,
        .processes = (const char *const *)op->processes,
        .process_count = op->n_processes,
        .opened_at = op->detected_at,
        .resolved = op->resolved,
        .resolved_at = op->resolved_at,
        .disruption_minutes = (double)op->disruption,
    };
    return engine_incident_put(model, &in, err);
}

/* The answer as it will be once the transaction commits: built before, so it can be stored
 * with the idempotency key in the same transaction. */
static void incident_result(struct event_op *op, const struct tenant_level *level,
                            Ims__V1__Incident *inc, Ims__V1__IncidentResult *res, char *detected,
                            char *resolved)
{
    ims__v1__incident__init(inc);
    inc->tenant = op->call->tenant;
    inc->id = op->id;
    inc->status = op->status;
    inc->severity = op->severity;
    inc->threat = op->threat;
    inc->controls = op->controls;
    inc->n_controls = op->n_controls;
    inc->assets = op->assets;
    inc->n_assets = op->n_assets;
    inc->processes = op->processes;
    inc->n_processes = op->n_processes;
    engine_time_format(op->detected_at, detected, 32);
    inc->detected_at = detected;
    resolved[0] = '\0';
    if (op->resolved)
        engine_time_format(op->resolved_at, resolved, 32);
    inc->resolved_at = resolved;
    inc->disruption_minutes = op->disruption;
    inc->description = op->description;
    ims__v1__incident_result__init(res);
    res->incident = inc;
    res->security_level = level->security_level;
    res->revision = level->revision;
}

static int incident_statements(struct db_txn *txn, struct rpc_write *w, int insert)
{
    struct event_op *op = w->data;
    const struct tenant_level *next = w->next;
    struct rpc_call *call = op->call;
    char severity[8], detected[32], resolved[32], disruption[24];
    snprintf(severity, sizeof severity, "%d", op->severity);
    snprintf(disruption, sizeof disruption, "%lld", (long long)op->disruption);
    char *lits[3] = {sql_array_literal(op->controls, op->n_controls),
                     sql_array_literal(op->assets, op->n_assets),
                     sql_array_literal(op->processes, op->n_processes)};
    int rc = IMS_ENOMEM;
    Ims__V1__Incident inc;
    Ims__V1__IncidentResult res;
    incident_result(op, next, &inc, &res, detected, resolved);
    if (lits[0] && lits[1] && lits[2]) {
        if (insert) {
            const char *p[10] = {call->tenant, op->id,   severity,  op->threat[0] ? op->threat : NULL,
                                 lits[0],      lits[1],  lits[2],   detected,
                                 disruption,   op->description};
            rc = db_txn_add(txn, STMT_INCIDENT_INSERT, 10, p) < 0 ? IMS_ENOMEM : 0;
        } else {
            const char *p[7] = {call->tenant,   op->id,     op->status,     severity,
                                op->resolved ? resolved : NULL, disruption, op->description};
            rc = db_txn_add(txn, STMT_INCIDENT_UPDATE, 7, p) < 0 ? IMS_ENOMEM : 0;
        }
    }
    if (rc == 0)
        rc = rpc_audit_statement(call, txn, op->id);
    if (rc == 0)
        rc = rpc_idempotency_store(txn, w, &res.base);
    for (int k = 0; k < 3; k++)
        free(lits[k]);
    return rc;
}

static int incident_insert_statements(struct db_txn *txn, struct rpc_write *w)
{
    return incident_statements(txn, w, 1);
}

static int incident_update_statements(struct db_txn *txn, struct rpc_write *w)
{
    return incident_statements(txn, w, 0);
}

static void incident_reply(struct rpc_write *w, struct db_txn *txn, int first,
                           const struct tenant_level *level)
{
    struct rpc_call *call = w->call;
    PGresult *r = db_txn_result(txn, first);
    char *bufs[3] = {0};
    char **items[3] = {0};
    Ims__V1__Incident inc;
    incident_from_row(&inc, r, 0, call->tenant, bufs, items);
    Ims__V1__IncidentResult res = IMS__V1__INCIDENT_RESULT__INIT;
    res.incident = &inc;
    res.security_level = level->security_level;
    res.revision = level->revision;
    rpc_reply(call, &res.base);
    free_row_bufs(bufs, items);
}

static void submit_incident_go(struct rpc_call *call)
{
    struct rpc_write *w = call->state;
    w->apply = incident_apply;
    w->statements = incident_insert_statements;
    w->reply = incident_reply;
    rpc_write_submit(w, "incident");
}

void rpc_submit_incident(struct rpc_call *call)
{
    const Ims__V1__SubmitIncidentRequest *req = (const Ims__V1__SubmitIncidentRequest *)call->request;
    const Ims__V1__Incident *in = req->incident;
    if (!in) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "incident: required");
        return;
    }
    int64_t now = event_now_s(), detected = now;
    if (!validate_range(call, "incident.severity", in->severity, 1, 5) ||
        (*in->threat && !validate_ident(call, "incident.threat", in->threat, 128)) ||
        !event_validate_refs(call, "incident.controls", in->controls, in->n_controls, 0) ||
        !event_validate_refs(call, "incident.assets", in->assets, in->n_assets, 0) ||
        !event_validate_refs(call, "incident.processes", in->processes, in->n_processes, 0) ||
        !validate_time(call, "incident.detected_at", in->detected_at, 1, &detected) ||
        !validate_range(call, "incident.disruption_minutes", in->disruption_minutes, 0,
                        100LL * 366 * 24 * 60) ||
        !validate_text(call, "incident.description", in->description, 0, MAX_TEXT))
        return;
    if (!*in->detected_at)
        detected = now;
    if (detected > now + FUTURE_SLACK_S) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "incident.detected_at: in the future");
        return;
    }
    if (*in->status && strcmp(in->status, "open") != 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "incident.status: a new incident is open (UpdateIncident changes it)");
        return;
    }
    struct event_op *op = event_op_new(call);
    if (!op)
        return;
    if (event_random_id("INC", op->id, sizeof op->id) != 0 ||
        event_copy_refs(op, &op->controls, &op->n_controls, in->controls, in->n_controls) ||
        event_copy_refs(op, &op->assets, &op->n_assets, in->assets, in->n_assets) ||
        event_copy_refs(op, &op->processes, &op->n_processes, in->processes, in->n_processes)) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    op->severity = in->severity;
    snprintf(op->threat, sizeof op->threat, "%s", in->threat);
    op->detected_at = detected;
    op->disruption = in->disruption_minutes;
    snprintf(op->status, sizeof op->status, "open");
    snprintf(op->description, sizeof op->description, "%s", in->description);
    rpc_idempotency_check(call->state, req->idempotency_key, submit_incident_go, NULL, IDEMPOTENCY_LOOKUP_NONE);
}

static void update_incident_loaded(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__UpdateIncidentRequest *req = (const Ims__V1__UpdateIncidentRequest *)call->request;
    struct event_op *op = event_op_of(call);
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no incident %s", req->id);
        return;
    }
    snprintf(op->id, sizeof op->id, "%s", PQgetvalue(r, 0, 0));
    const char *current = PQgetvalue(r, 0, 1);
    snprintf(op->status, sizeof op->status, "%s", *req->status ? req->status : current);
    if (status_rank(op->status) < 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "status: must be open, contained, resolved or closed");
        return;
    }
    if (status_rank(op->status) < status_rank(current)) {
        rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION, "status: an incident %s cannot become %s",
                 current, op->status);
        return;
    }
    op->severity = req->severity ? req->severity : atoi(PQgetvalue(r, 0, 2));
    snprintf(op->threat, sizeof op->threat, "%s", PQgetvalue(r, 0, 3));
    for (int k = 0; k < 3; k++)
        op->refs_buf[k] = arena_strdup(&call->arena, PQgetvalue(r, 0, 4 + k));
    op->controls = arena_alloc(&call->arena, (MAX_REFS + 1) * sizeof(char *));
    op->assets = arena_alloc(&call->arena, (MAX_REFS + 1) * sizeof(char *));
    op->processes = arena_alloc(&call->arena, (MAX_REFS + 1) * sizeof(char *));
    if (!op->refs_buf[0] || !op->refs_buf[1] || !op->refs_buf[2] || !op->controls ||
        !op->assets || !op->processes) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    op->n_controls = sql_split_list(op->refs_buf[0], op->controls, MAX_REFS);
    op->n_assets = sql_split_list(op->refs_buf[1], op->assets, MAX_REFS);
    op->n_processes = sql_split_list(op->refs_buf[2], op->processes, MAX_REFS);
    if (validate_parse_time(PQgetvalue(r, 0, 7), &op->detected_at) != 0) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "stored detection time unreadable");
        return;
    }
    const char *stored_resolved = PQgetvalue(r, 0, 8);
    op->resolved = *stored_resolved != '\0';
    if (op->resolved)
        (void)!validate_parse_time(stored_resolved, &op->resolved_at);
    int becomes_resolved = status_rank(op->status) >= 2;
    if (becomes_resolved && (!op->resolved || *req->resolved_at)) {
        int64_t at = event_now_s();
        if (!validate_time(call, "resolved_at", req->resolved_at, 1, &at))
            return;
        if (!*req->resolved_at)
            at = op->resolved ? op->resolved_at : event_now_s();
        if (at < op->detected_at) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "resolved_at: before detected_at");
            return;
        }
        if (at > event_now_s() + FUTURE_SLACK_S) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "resolved_at: in the future");
            return;
        }
        op->resolved = 1;
        op->resolved_at = at;
    } else if (!becomes_resolved && *req->resolved_at) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "resolved_at: only with status resolved or closed");
        return;
    }
    op->disruption = req->has_disruption ? req->disruption_minutes : atoll(PQgetvalue(r, 0, 9));
    snprintf(op->description, sizeof op->description, "%s",
             *req->description ? req->description : PQgetvalue(r, 0, 10));
    struct rpc_write *w = call->state;
    w->apply = incident_apply;
    w->statements = incident_update_statements;
    w->reply = incident_reply;
    rpc_write_submit(w, "incident");
}

static void update_incident_go(struct rpc_call *call)
{
    const Ims__V1__UpdateIncidentRequest *req = (const Ims__V1__UpdateIncidentRequest *)call->request;
    const char *params[2] = {call->tenant, req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_INCIDENT_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, update_incident_loaded);
}

void rpc_update_incident(struct rpc_call *call)
{
    const Ims__V1__UpdateIncidentRequest *req = (const Ims__V1__UpdateIncidentRequest *)call->request;
    if (!validate_ident(call, "id", req->id, 32) ||
        (req->severity && !validate_range(call, "severity", req->severity, 1, 5)) ||
        (req->has_disruption && !validate_range(call, "disruption_minutes", req->disruption_minutes,
                                                0, 100LL * 366 * 24 * 60)) ||
        !validate_text(call, "description", req->description, 0, MAX_TEXT))
        return;
    struct event_op *op = event_op_new(call);
    if (op)
        rpc_idempotency_check(call->state, req->idempotency_key, update_incident_go, NULL, IDEMPOTENCY_LOOKUP_FIRST);
}

static void list_incidents_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    const char *next;
    int shown = rpc_page_result(call, r, 0, -1, &next);
    Ims__V1__Incident *items = calloc((size_t)shown + 1, sizeof *items);
    Ims__V1__Incident **ptrs = calloc((size_t)shown + 1, sizeof *ptrs);
    char *(*bufs)[3] = calloc((size_t)shown + 1, sizeof *bufs);
    char **(*arrs)[3] = calloc((size_t)shown + 1, sizeof *arrs);
    if (items && ptrs && bufs && arrs) {
        for (int i = 0; i < shown; i++) {
            incident_from_row(&items[i], r, i, call->tenant, bufs[i], arrs[i]);
            ptrs[i] = &items[i];
        }
        Ims__V1__ListIncidentsResponse resp = IMS__V1__LIST_INCIDENTS_RESPONSE__INIT;
        resp.incidents = ptrs;
        resp.n_incidents = (size_t)shown;
        resp.next_page_token = (char *)next;
        rpc_reply(call, &resp.base);
        for (int i = 0; i < shown; i++)
            free_row_bufs(bufs[i], arrs[i]);
    } else {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    }
    free(items);
    free(ptrs);
    free(bufs);
    free(arrs);
}

void rpc_list_incidents(struct rpc_call *call)
{
    const Ims__V1__ListIncidentsRequest *req = (const Ims__V1__ListIncidentsRequest *)call->request;
    event_list_start(call, req->page_size, req->page_token, req->status, STMT_INCIDENT_LIST,
               list_incidents_done);
}

static void get_incident_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no such incident");
        return;
    }
    char *bufs[3] = {0};
    char **items[3] = {0};
    Ims__V1__Incident inc;
    incident_from_row(&inc, r, 0, call->tenant, bufs, items);
    rpc_reply(call, &inc.base);
    free_row_bufs(bufs, items);
}

void rpc_get_incident(struct rpc_call *call)
{
    const Ims__V1__GetIncidentRequest *req = (const Ims__V1__GetIncidentRequest *)call->request;
    if (!validate_ident(call, "id", req->id, 32))
        return;
    const char *params[2] = {call->tenant, req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_INCIDENT_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, get_incident_done);
}

