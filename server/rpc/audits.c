/* The audit programme (ims.v1.Improvement): internal, external, certification,
 * maturity-level and supplier audits with their scope, planned and held dates, auditor,
 * report and evidence; planned -> in_progress -> reported -> closed. A planned audit past
 * its date is overdue. Changes move the computed metrics of kind 'audit'. */
#include "act.h"
#include "handlers.h"
#include "ims/error.h"
#include "ims/v1/improvement.pb-c.h"
#include "statements.h"
#include "validate.h"

static const struct act_answer audit_answer = {
    &ims__v1__audit__descriptor, &ims__v1__audit_result__descriptor, "audit", STMT_AUDIT_ROW,
    "{audit}"};

void rpc_plan_audit(struct rpc_call *call)
{
    const Ims__V1__PlanAuditRequest *req = (const Ims__V1__PlanAuditRequest *)call->request;
    const Ims__V1__Audit *a = req->audit;
    int64_t planned;
    if (!a) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "audit: required");
        return;
    }
    if (!validate_ident(call, "audit.kind", a->kind, 16) ||
        !validate_text(call, "audit.title", a->title, 1, 200) ||
        !validate_time(call, "audit.planned_at", a->planned_at, 0, &planned) ||
        !validate_text(call, "audit.auditor", a->auditor, 0, 200))
        return;
    const char *fw = act_refs(call, "audit.frameworks", a->frameworks, a->n_frameworks);
    const char *ctl = fw ? act_refs(call, "audit.controls", a->controls, a->n_controls) : NULL;
    const char *prc = ctl ? act_refs(call, "audit.processes", a->processes, a->n_processes) : NULL;
    if (!prc)
        return;
    struct act_op *op = act_op_new(call, &audit_answer, "AU", NULL, req->idempotency_key);
    if (!op)
        return;
    const char *p[9] = {call->tenant, act_op_id(op), a->kind, a->title,     fw,
                        ctl,          prc,           a->planned_at, a->auditor};
    act_change(op, STMT_AUDIT_PLAN, 9, p);
}

void rpc_update_audit(struct rpc_call *call)
{
    const Ims__V1__UpdateAuditRequest *req = (const Ims__V1__UpdateAuditRequest *)call->request;
    int64_t planned;
    if (!validate_ident(call, "id", req->id, 64) ||
        !validate_text(call, "status", req->status, 0, 16) ||
        !validate_time(call, "planned_at", req->planned_at, 1, &planned) ||
        !validate_text(call, "auditor", req->auditor, 0, 200) ||
        !validate_text(call, "report", req->report, 0, 20000))
        return;
    const char *ev = act_refs(call, "evidence", req->evidence, req->n_evidence);
    if (!ev)
        return;
    struct act_op *op = act_op_new(call, &audit_answer, "AU", req->id, req->idempotency_key);
    if (!op)
        return;
    const char *p[8] = {call->tenant, req->id,    req->status, req->planned_at,
                        req->auditor, req->report, ev,         act_principal(call)};
    act_change(op, STMT_AUDIT_UPDATE, 8, p);
}

void rpc_list_audits(struct rpc_call *call)
{
    const Ims__V1__ListAuditsRequest *req = (const Ims__V1__ListAuditsRequest *)call->request;
    if (!validate_text(call, "status", req->status, 0, 16))
        return;
    const char *p[2] = {call->tenant, req->status};
    act_list(call, &ims__v1__list_audits_response__descriptor, "audits", STMT_AUDIT_ROWS, 2, p,
             req->page_size, req->page_token);
}

void rpc_get_audit(struct rpc_call *call)
{
    const Ims__V1__GetAuditRequest *req = (const Ims__V1__GetAuditRequest *)call->request;
    act_get(call, &ims__v1__audit__descriptor, STMT_AUDIT_ROW, req->id, "audit");
}
