/* The one action tracker (ims.v1.Improvement): corrective, preventive and improvement
 * actions whatever raised them — a finding, an incident, a management review, a risk
 * treatment, an improvement-plan step, an objective. Changes move the computed metrics of
 * kind 'action' (overdue actions, risk treatment on time). */
#include <stdio.h>
#include <string.h>

#include "act.h"
#include "handlers.h"
#include "ims/error.h"
#include "ims/v1/improvement.pb-c.h"
#include "statements.h"
#include "validate.h"

static const struct act_answer action_answer = {
    &ims__v1__action__descriptor, &ims__v1__action_result__descriptor, "action",
    STMT_ACTION_ROW, "{action}"};

void rpc_raise_action(struct rpc_call *call)
{
    const Ims__V1__RaiseActionRequest *req = (const Ims__V1__RaiseActionRequest *)call->request;
    const Ims__V1__Action *a = req->action;
    int64_t due;
    if (!a) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "action: required");
        return;
    }
    if (!validate_ident(call, "action.kind", a->kind, 16) ||
        !validate_ident(call, "action.source_kind", a->source_kind, 16) ||
        !validate_text(call, "action.source_id", a->source_id, 0, 200) ||
        !validate_text(call, "action.description", a->description, 1, ACT_MAX_TEXT) ||
        !validate_text(call, "action.owner", a->owner, 1, 200) ||
        !validate_time(call, "action.due", a->due, 0, &due) ||
        !validate_text(call, "action.root_cause", a->root_cause, 0, ACT_MAX_TEXT))
        return;
    struct act_op *op = act_op_new(call, &action_answer, "A", NULL, req->idempotency_key);
    if (!op)
        return;
    const char *p[9] = {call->tenant, act_op_id(op), a->kind,      a->source_kind, a->source_id,
                        a->description, a->owner,    a->due,       a->root_cause};
    act_change(op, STMT_ACTION_RAISE, 9, p);
}

void rpc_progress_action(struct rpc_call *call)
{
    const Ims__V1__ProgressActionRequest *req =
        (const Ims__V1__ProgressActionRequest *)call->request;
    int64_t due;
    if (!validate_ident(call, "id", req->id, 64) ||
        !validate_text(call, "status", req->status, 0, 16) ||
        !validate_text(call, "owner", req->owner, 0, 200) ||
        !validate_time(call, "due", req->due, 1, &due) ||
        !validate_text(call, "root_cause", req->root_cause, 0, ACT_MAX_TEXT) ||
        !validate_text(call, "note", req->note, 0, ACT_MAX_TEXT))
        return;
    if (!*req->status && !*req->owner && !*req->due && !*req->root_cause) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "status: nothing to change (status, owner, due or root_cause)");
        return;
    }
    struct act_op *op = act_op_new(call, &action_answer, "A", req->id, req->idempotency_key);
    if (!op)
        return;
    /* Verification is the check of someone else's work: an auditor's or an operator's. */
    int may_verify = call->principal.role == ROLE_AUDITOR || call->principal.role == ROLE_OPERATOR;
    const char *p[9] = {call->tenant, req->id,   req->status, req->owner,
                        req->due,     req->root_cause, req->note, act_principal(call),
                        may_verify ? "true" : "false"};
    act_change(op, STMT_ACTION_PROGRESS, 9, p);
}

void rpc_list_actions(struct rpc_call *call)
{
    const Ims__V1__ListActionsRequest *req = (const Ims__V1__ListActionsRequest *)call->request;
    if (!validate_text(call, "status", req->status, 0, 16) ||
        !validate_text(call, "source_kind", req->source_kind, 0, 16) ||
        !validate_text(call, "source_id", req->source_id, 0, 200))
        return;
    const char *p[5] = {call->tenant, req->status, req->source_kind, req->source_id,
                        req->overdue ? "true" : "false"};
    act_list(call, &ims__v1__list_actions_response__descriptor, "actions", STMT_ACTION_ROWS, 5,
             p, req->page_size, req->page_token);
}

void rpc_get_action(struct rpc_call *call)
{
    const Ims__V1__GetActionRequest *req = (const Ims__V1__GetActionRequest *)call->request;
    act_get(call, &ims__v1__action__descriptor, STMT_ACTION_ROW, req->id, "action");
}
