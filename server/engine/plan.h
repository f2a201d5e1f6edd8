/*
 * What to do next and why: the ordered improvement plan (SECURITY-LEVEL.md section 9,
 * plan.c) and the explanation of the security level (section 10, explain.c).
 *
 * Plan: candidate actions are raising one applicable sub-control with s < 1 to yes
 * (effort: the sub-control's effort), closing one open finding (effort 2) and making one
 * artefact that is not current at t, and that some applicable control requires, current
 * (effort 1): in the what-if it is approved with no review due time. Each step
 * takes the action with the largest dSL / effort, where dSL is measured by applying the
 * action to a private copy of the model and re-evaluating it incrementally. Ties (ratios
 * within 1e-12 relative) go to the lower maturity level, then the lower id (strcmp); a
 * finding or an artefact counts as level 0 for this, because an open non-conformity blocks
 * every level. Ids of different kinds are compared as byte strings like any other.
 * Actions with dSL = 0 still make steps when nothing better remains.
 *
 * Explanation: control c of system S loses f_c (1 - e_c) of the security level, with
 * f_c = omega_S / sum(omega) * share_S * W_c / sum(W over S's applicable controls), where
 * share_S is the weight of the framework score inside score(S) (1, or 1 - beta_B,
 * 1 - beta_R when readiness / rho is blended in). This is the text's
 * omega_S W_c (1 - e_c) / (sum omega sum W) when score(S) is the framework score alone, and
 * in general the exact amount by which c lowers the SL. The loss splits exactly into
 *   assessment gap   f (1 - a)
 *   metric drag      f (a - b)          (negative when the metrics beat the checklist)
 *   incident penalty f b p
 *   evidence drag    f b (1 - p) eta (1 - v)
 *   finding cap      f (b (1 - p) (1 - eta (1 - v)) - e)  (the part the cap k takes away)
 * which sum to f (1 - e) because e = min(k, b (1 - p) (1 - eta (1 - v))).
 */
#ifndef IMS_ENGINE_PLAN_H
#define IMS_ENGINE_PLAN_H

#include "engine.h"

enum engine_action {
    ENGINE_ACTION_ANSWER_YES = 0,
    ENGINE_ACTION_CLOSE_FINDING = 1,
    ENGINE_ACTION_MAKE_CURRENT = 2 /* approve or review an artefact */
};

typedef struct engine_plan_step {
    enum engine_action action;
    size_t index;   /* sub-control, finding or artefact index in the model */
    const char *id; /* points into the model of the state given to engine_plan */
    int level;      /* the sub-control's level, 0 for a finding or an artefact */
    double effort;
    double delta;          /* dSL */
    double security_level; /* after the step */
    int maturity;          /* after the step */
    bool completes_level;  /* the step raised the maturity level */
} engine_plan_step;

/*
 * Computes up to `steps` steps for the evaluated state's model at the state's time into
 * out[] (room for `steps`), *count the number made (fewer when no candidate remains).
 * Neither the state nor its model is changed: the what-ifs are evaluated on private
 * clones of both. Returns 0 or IMS_ENOMEM.
 */
int engine_plan(const engine_eval *eval, size_t steps, engine_plan_step *out,
                size_t *count) ENGINE_WARN_UNUSED;

typedef struct engine_explanation {
    size_t control; /* index in the model */
    const char *id;
    enum engine_system system;
    double loss; /* share of the SL lost, = the sum of the five parts */
    double assessment_gap, metric_drag, incident_penalty, evidence_drag, finding_cap;
} engine_explanation;

/*
 * The top `k` controls by loss in the evaluated state (ties: lower id) into out[] (room
 * for k), *count the number written. Reads the state only. Returns 0 or IMS_ENOMEM.
 */
int engine_explain(const engine_eval *eval, size_t k, engine_explanation *out,
                   size_t *count) ENGINE_WARN_UNUSED;

#endif
