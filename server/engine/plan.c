/*
 * The improvement plan: the next actions ordered by gain of security level per effort,
 * measured on private copies of the model and its evaluated state. See plan.h.
 */
#include "plan.h"
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Applies or reverts one candidate action on the model's inputs (no evaluation). */
static void set_sub(engine_model *m, int32_t i, enum engine_answer a)
{
    m->subs.v[i].answer = a;
    engine_mark_controls(m, &m->subs.v[i].controls, ENGINE_DIRTY_A);
}

static void set_finding(engine_model *m, int32_t f, bool open)
{
    m->findings.v[f].open = open;
    engine_mark_controls(m, &m->findings.v[f].controls, ENGINE_DIRTY_K);
}

static void set_artefact(engine_model *m, int32_t a, enum engine_artefact_status status,
                         bool has_due, int64_t due)
{
    engine_artefact *x = &m->artefacts.v[a];
    x->status = status;
    x->has_due = has_due;
    x->due = due;
    engine_mark_controls(m, &x->controls, ENGINE_DIRTY_V);
}

/* Whether artefact a is a candidate: not current at t, required by an applicable control. */
static bool artefact_candidate(const engine_model *m, const engine_eval *ev, int32_t a, int64_t t)
{
    const engine_artefact *x = &m->artefacts.v[a];
    if (engine_artefact_current(x, t))
        return false;
    for (int32_t k = 0; k < x->controls.n; k++)
        if (ev->controls.v[x->controls.v[k]].applicable)
            return true;
    return false;
}

/* Whether candidate (ratio, level, id) beats the best so far. */
static bool better(double ratio, int level, const char *id, double best_ratio, int best_level,
                   const char *best_id)
{
    if (!best_id)
        return true;
    double tol = 1e-12 * fmax(1.0, fabs(best_ratio));
    if (ratio > best_ratio + tol)
        return true;
    if (ratio < best_ratio - tol)
        return false;
    if (level != best_level)
        return level < best_level;
    return strcmp(id, best_id) < 0;
}

/* The security level of m (changed by a what-if) at t, brought up to date in ev. */
static int level_of(const engine_model *m, int64_t t, engine_eval *ev, double *out)
{
    int rc = engine_eval_refresh(m, t, ev);
    *out = ev->summary.security_level;
    return rc;
}

int engine_plan(const engine_eval *eval, size_t steps, engine_plan_step *out, size_t *count)
{
    const engine_model *model = eval->model;
    int64_t t = eval->at;
    engine_model *m = NULL;
    engine_eval *ev = NULL;
    *count = 0;
    if (!model)
        return 0;
    if (engine_model_clone(model, &m) || engine_eval_clone(eval, &ev)) {
        engine_model_free(m);
        return IMS_ENOMEM;
    }
    int rc = 0;
    double sl = eval->summary.security_level;
    int maturity = eval->summary.maturity;
    for (size_t step = 0; step < steps; step++) {
        const char *best_id = NULL;
        double best_ratio = 0, best_delta = 0, best_effort = 0;
        int best_level = 0;
        int32_t best_index = -1;
        enum engine_action best_action = ENGINE_ACTION_ANSWER_YES;
        for (int32_t i = 0; i < m->subs.n; i++) {
            engine_subcontrol *s = &m->subs.v[i];
            if (s->answer == ENGINE_ANSWER_YES || !engine_sub_applicable(ev, i))
                continue;
            enum engine_answer old = s->answer;
            set_sub(m, i, ENGINE_ANSWER_YES);
            double level;
            if ((rc = level_of(m, t, ev, &level)))
                goto out;
            double delta = level - sl;
            set_sub(m, i, old); /* recomputed by the next evaluation */
            double ratio = delta / s->effort;
            const char *id = engine_name(m, s->name);
            if (better(ratio, s->level, id, best_ratio, best_level, best_id)) {
                best_id = id;
                best_ratio = ratio;
                best_level = s->level;
                best_delta = delta;
                best_effort = s->effort;
                best_index = i;
                best_action = ENGINE_ACTION_ANSWER_YES;
            }
        }
        for (int32_t f = 0; f < m->findings.n; f++) {
            if (!m->findings.v[f].open)
                continue;
            set_finding(m, f, false);
            double level;
            if ((rc = level_of(m, t, ev, &level)))
                goto out;
            double delta = level - sl;
            set_finding(m, f, true);
            double ratio = delta / 2.0;
            const char *id = engine_name(m, m->findings.v[f].name);
            if (better(ratio, 0, id, best_ratio, best_level, best_id)) {
                best_id = id;
                best_ratio = ratio;
                best_level = 0;
                best_delta = delta;
                best_effort = 2.0;
                best_index = f;
                best_action = ENGINE_ACTION_CLOSE_FINDING;
            }
        }
        for (int32_t a = 0; a < m->artefacts.n; a++) {
            if (!artefact_candidate(m, ev, a, t))
                continue;
            engine_artefact old = m->artefacts.v[a];
            set_artefact(m, a, ENGINE_ARTEFACT_APPROVED, false, 0);
            double level;
            if ((rc = level_of(m, t, ev, &level)))
                goto out;
            double delta = level - sl;
            set_artefact(m, a, old.status, old.has_due, old.due);
            const char *id = engine_name(m, m->artefacts.v[a].name);
            if (better(delta, 0, id, best_ratio, best_level, best_id)) {
                best_id = id;
                best_ratio = delta;
                best_level = 0;
                best_delta = delta;
                best_effort = 1.0;
                best_index = a;
                best_action = ENGINE_ACTION_MAKE_CURRENT;
            }
        }
        if (!best_id)
            break;
        if (best_action == ENGINE_ACTION_ANSWER_YES)
            set_sub(m, best_index, ENGINE_ANSWER_YES);
        else if (best_action == ENGINE_ACTION_CLOSE_FINDING)
            set_finding(m, best_index, false);
        else
            set_artefact(m, best_index, ENGINE_ARTEFACT_APPROVED, false, 0);
        double nsl;
        if ((rc = level_of(m, t, ev, &nsl)))
            goto out;
        int nmat = engine_eval_maturity(ev);
        if (nmat < 0) {
            rc = nmat;
            goto out;
        }
        engine_plan_step *o = &out[step];
        o->action = best_action;
        o->index = (size_t)best_index;
        o->id = engine_name(model, best_action == ENGINE_ACTION_ANSWER_YES
                                       ? model->subs.v[best_index].name
                                   : best_action == ENGINE_ACTION_CLOSE_FINDING
                                       ? model->findings.v[best_index].name
                                       : model->artefacts.v[best_index].name);
        o->level = best_level;
        o->effort = best_effort;
        o->delta = nsl - sl;
        (void)best_delta;
        o->security_level = nsl;
        o->maturity = nmat;
        o->completes_level = nmat > maturity;
        sl = nsl;
        maturity = nmat;
        *count = step + 1;
    }
out:
    engine_eval_free(ev);
    engine_model_free(m);
    return rc;
}
