/* Management reviews (clause 9.3; the integrated committee): HoldReview freezes the
 * review's inputs as they are when it is held — what the evaluated state says (level,
 * maturity, system and framework scores, risks above appetite) read here, the records
 * (open findings and incidents, objectives, audits since the last review, actions, awards)
 * read by the database — with the decisions taken and the actions it raises. Moves the
 * computed metrics of kinds 'review' and 'action'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "act.h"
#include "handlers.h"
#include "ims/error.h"
#include "ims/v1/improvement.pb-c.h"
#include "statements.h"
#include "tenant.h"
#include "validate.h"
#include "write.h"

#define MAX_REVIEW_ACTIONS 32

static const struct act_answer review_answer = {
    &ims__v1__review__descriptor, &ims__v1__review_result__descriptor, "review",
    STMT_REVIEW_ROW, "{review,action}"};

static const char *const system_names[] = {"ISMS", "BCMS", "RMS", "SMS"};

static void count_above(void *ctx, const engine_pair_figures *pair)
{
    if (!pair->within_appetite)
        (*(int *)ctx)++;
}

/* The scores of the evaluated state as a JSON object (malloc'ed), NULL when out of memory. */
static char *scores_json(struct tenant_state *state)
{
    const struct tenant_level *lv = tenant_state_level(state);
    const engine_eval *ev = tenant_state_eval(state);
    json_t *o = json_object(), *systems = json_object(), *frameworks = json_object();
    int above = 0;
    engine_pairs_foreach(ev, count_above, &above);
    json_object_set_new(o, "revision", json_integer(lv->revision));
    json_object_set_new(o, "security_level", json_real(lv->security_level));
    json_object_set_new(o, "maturity", json_integer(lv->maturity));
    for (int s = 0; s < ENGINE_SYSTEM_COUNT && s < 4; s++)
        if (lv->summary.system_included[s])
            json_object_set_new(systems, system_names[s], json_real(lv->summary.system_score[s]));
    for (size_t i = 0; i < engine_framework_count(ev); i++) {
        engine_framework_figures f;
        engine_framework_get(ev, i, &f);
        json_object_set_new(frameworks, engine_framework_id(ev, i),
                            json_pack("{s:o, s:i}", "score",
                                      f.has_score ? json_real(f.score) : json_null(), "maturity",
                                      f.maturity));
    }
    json_object_set_new(o, "systems", systems);
    json_object_set_new(o, "frameworks", frameworks);
    json_object_set_new(o, "risks_above_appetite", json_integer(above));
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

static void hold_read(struct rpc_call *call, struct tenant_state *state)
{
    const Ims__V1__HoldReviewRequest *req = (const Ims__V1__HoldReviewRequest *)call->request;
    struct act_op *op = ((struct rpc_write *)call->state)->data;
    char *scores = scores_json(state);
    json_t *actions = json_array();
    const char *attendees = act_refs(call, "attendees", req->attendees, req->n_attendees);
    if (!attendees) {
        free(scores);
        json_decref(actions);
        return;
    }
    for (size_t i = 0; i < req->n_actions; i++) {
        const Ims__V1__ReviewAction *a = req->actions[i];
        char id[96];
        snprintf(id, sizeof id, "%s-%zu", act_op_id(op), i + 1);
        json_array_append_new(actions, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "kind",
                                                 a->kind, "description", a->description, "owner",
                                                 a->owner, "due", a->due));
    }
    char *actions_text = json_dumps(actions, JSON_COMPACT);
    json_decref(actions);
    if (!scores || !actions_text) {
        free(scores);
        free(actions_text);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    const char *p[8] = {call->tenant, act_op_id(op),      req->chair,  attendees,
                        req->decisions, scores, act_principal(call), actions_text};
    act_change(op, STMT_REVIEW_HOLD, 8, p); /* copies its parameters */
    free(scores);
    free(actions_text);
}

void rpc_hold_review(struct rpc_call *call)
{
    const Ims__V1__HoldReviewRequest *req = (const Ims__V1__HoldReviewRequest *)call->request;
    if (!validate_text(call, "chair", req->chair, 1, 200) ||
        !validate_text(call, "decisions", req->decisions, 0, 20000))
        return;
    if (req->n_actions > MAX_REVIEW_ACTIONS) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "actions: at most %d", MAX_REVIEW_ACTIONS);
        return;
    }
    for (size_t i = 0; i < req->n_actions; i++) {
        const Ims__V1__ReviewAction *a = req->actions[i];
        char field[64];
        int64_t due;
        snprintf(field, sizeof field, "actions[%zu].description", i);
        if (!validate_text(call, field, a->description, 1, ACT_MAX_TEXT))
            return;
        snprintf(field, sizeof field, "actions[%zu].owner", i);
        if (!validate_text(call, field, a->owner, 1, 200))
            return;
        snprintf(field, sizeof field, "actions[%zu].kind", i);
        if (!validate_ident(call, field, a->kind, 16))
            return;
        snprintf(field, sizeof field, "actions[%zu].due", i);
        if (!validate_time(call, field, a->due, 0, &due))
            return;
    }
    if (act_op_new(call, &review_answer, "MR", NULL, req->idempotency_key))
        rpc_read(call, hold_read);
}

void rpc_list_reviews(struct rpc_call *call)
{
    const Ims__V1__ListReviewsRequest *req = (const Ims__V1__ListReviewsRequest *)call->request;
    const char *p[1] = {call->tenant};
    act_list(call, &ims__v1__list_reviews_response__descriptor, "reviews", STMT_REVIEW_ROWS, 1,
             p, req->page_size, req->page_token);
}

void rpc_get_review(struct rpc_call *call)
{
    const Ims__V1__GetReviewRequest *req = (const Ims__V1__GetReviewRequest *)call->request;
    act_get(call, &ims__v1__review__descriptor, STMT_REVIEW_ROW, req->id, "review");
}
