/*
 * The improvement plan and the explanation. See plan.h.
 */
#include "plan.h"
#include "model.h"
#include "snapshot.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Applies or reverts one candidate action on the model's inputs (no evaluation). */
static void set_sub(engine_model *m, int32_t i, enum engine_answer a)
{
    m->subs.v[i].answer = a;
    for (int32_t k = 0; k < m->subs.v[i].controls.n; k++)
        m->controls.v[m->subs.v[i].controls.v[k]].dirty |= ENGINE_DIRTY_A;
}

static void set_finding(engine_model *m, int32_t f, bool open)
{
    m->findings.v[f].open = open;
    for (int32_t k = 0; k < m->findings.v[f].controls.n; k++)
        m->controls.v[m->findings.v[f].controls.v[k]].dirty |= ENGINE_DIRTY_K;
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

int engine_plan(const engine_model *model, int64_t t, size_t steps, engine_plan_step *out,
                size_t *count)
{
    engine_model *m;
    *count = 0;
    if (engine_model_clone(model, &m))
        return IMS_ENOMEM;
    double sl = engine_evaluate_level(m, t);
    int maturity = engine_maturity_now(m);
    for (size_t step = 0; step < steps; step++) {
        const char *best_id = NULL;
        double best_ratio = 0, best_delta = 0, best_effort = 0;
        int best_level = 0;
        int32_t best_index = -1;
        enum engine_action best_action = ENGINE_ACTION_ANSWER_YES;
        for (int32_t i = 0; i < m->subs.n; i++) {
            engine_subcontrol *s = &m->subs.v[i];
            if (s->answer == ENGINE_ANSWER_YES || !engine_sub_applicable(m, i))
                continue;
            enum engine_answer old = s->answer;
            set_sub(m, i, ENGINE_ANSWER_YES);
            double delta = engine_evaluate_level(m, t) - sl;
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
            double delta = engine_evaluate_level(m, t) - sl;
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
        if (!best_id)
            break;
        if (best_action == ENGINE_ACTION_ANSWER_YES)
            set_sub(m, best_index, ENGINE_ANSWER_YES);
        else
            set_finding(m, best_index, false);
        double nsl = engine_evaluate_level(m, t);
        int nmat = engine_maturity_now(m);
        engine_plan_step *o = &out[step];
        o->action = best_action;
        o->index = (size_t)best_index;
        o->id = engine_name(model, best_action == ENGINE_ACTION_ANSWER_YES
                                       ? model->subs.v[best_index].name
                                       : model->findings.v[best_index].name);
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
    engine_model_free(m);
    return 0;
}

static int by_loss(const void *pa, const void *pb)
{
    const engine_explanation *a = pa, *b = pb;
    if (a->loss != b->loss)
        return a->loss > b->loss ? -1 : 1;
    return strcmp(a->id, b->id);
}

int engine_explain(engine_model *m, int64_t t, size_t k, engine_explanation *out, size_t *count)
{
    engine_summary s;
    engine_evaluate(m, t, &s);
    *count = 0;
    double sys_w[ENGINE_SYSTEM_COUNT] = {0}, omega = 0;
    for (int32_t c = 0; c < m->controls.n; c++)
        if (m->controls.v[c].applicable)
            sys_w[m->frameworks.v[m->controls.v[c].framework].system] += m->controls.v[c].weight;
    for (int sy = 0; sy < ENGINE_SYSTEM_COUNT; sy++)
        if (s.system_included[sy])
            omega += m->params.system_weight[sy];
    engine_explanation *all = calloc((size_t)m->controls.n + 1, sizeof *all);
    if (!all)
        return IMS_ENOMEM;
    size_t n = 0;
    for (int32_t ci = 0; ci < m->controls.n; ci++) {
        const engine_control *c = &m->controls.v[ci];
        enum engine_system sy = m->frameworks.v[c->framework].system;
        if (!c->applicable || !s.system_included[sy] || omega <= 0)
            continue;
        double share = 1.0;
        if (sy == ENGINE_BCMS && s.has_processes)
            share = 1 - m->params.beta_bcms;
        if (sy == ENGINE_RMS && s.has_pairs)
            share = 1 - m->params.beta_risk;
        double f = m->params.system_weight[sy] / omega * share * c->weight / sys_w[sy];
        engine_explanation *x = &all[n++];
        x->control = (size_t)ci;
        x->id = engine_name(m, c->name);
        x->system = sy;
        x->assessment_gap = f * (1 - c->a);
        x->metric_drag = f * (c->a - c->b);
        x->incident_penalty = f * c->b * c->p;
        x->finding_cap = f * (c->b * (1 - c->p) - c->e);
        x->loss = f * (1 - c->e);
    }
    qsort(all, n, sizeof *all, by_loss);
    for (size_t i = 0; i < n && i < k; i++)
        out[(*count)++] = all[i];
    free(all);
    return 0;
}

static const char *system_name(enum engine_system s)
{
    return s == ENGINE_ISMS ? "ISMS" : s == ENGINE_BCMS ? "BCMS" : "RMS";
}

/* Sets key to v in obj; returns false (and drops v) on failure. */
static bool put(json_t *obj, const char *key, json_t *v)
{
    return v && json_object_set_new(obj, key, v) == 0;
}

static char *finish(json_t *root, bool ok)
{
    char *text = ok ? json_dumps(root, JSON_REAL_PRECISION(17) | JSON_INDENT(2)) : NULL;
    json_decref(root);
    return text;
}

static json_t *header(engine_model *m, int64_t t, bool *ok)
{
    engine_summary s;
    engine_evaluate(m, t, &s);
    char buf[40];
    engine_time_format(t, buf, sizeof buf);
    json_t *root = json_object();
    *ok = root && put(root, "at", json_string(buf)) &&
          put(root, "security_level", json_real(s.security_level)) &&
          put(root, "maturity", json_integer(s.maturity));
    return root;
}

int engine_plan_write(const engine_model *model, int64_t t, size_t steps, char **out)
{
    *out = NULL;
    engine_plan_step *st = calloc(steps ? steps : 1, sizeof *st);
    engine_model *m = NULL;
    if (!st || engine_model_clone(model, &m)) {
        free(st);
        return IMS_ENOMEM;
    }
    size_t n = 0;
    bool ok;
    json_t *root = header(m, t, &ok);
    json_t *arr = json_array();
    ok = ok && arr && engine_plan(model, t, steps, st, &n) == 0;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *o = json_object();
        bool sub = st[i].action == ENGINE_ACTION_ANSWER_YES;
        ok = o && put(o, "step", json_integer((json_int_t)i + 1)) &&
             put(o, "action", json_string(sub ? "answer_yes" : "close_finding")) &&
             put(o, sub ? "subcontrol" : "finding", json_string(st[i].id)) &&
             put(o, "level", json_integer(st[i].level)) &&
             put(o, "effort", json_real(st[i].effort)) && put(o, "delta", json_real(st[i].delta)) &&
             put(o, "security_level", json_real(st[i].security_level)) &&
             put(o, "maturity", json_integer(st[i].maturity)) &&
             put(o, "completes_level", json_boolean(st[i].completes_level));
        ok = ok && json_array_append_new(arr, o) == 0;
        if (!ok)
            json_decref(o);
    }
    if (root && arr)
        ok = put(root, "steps", arr) && ok;
    else
        json_decref(arr);
    *out = root ? finish(root, ok) : NULL;
    free(st);
    engine_model_free(m);
    return *out ? 0 : IMS_ENOMEM;
}

int engine_explain_write(engine_model *m, int64_t t, size_t k, char **out)
{
    *out = NULL;
    engine_explanation *x = calloc(k ? k : 1, sizeof *x);
    if (!x)
        return IMS_ENOMEM;
    size_t n = 0;
    bool ok;
    json_t *root = header(m, t, &ok);
    json_t *arr = json_array();
    ok = ok && arr && engine_explain(m, t, k, x, &n) == 0;
    for (size_t i = 0; ok && i < n; i++) {
        engine_control_figures cf;
        engine_control_get(m, x[i].control, &cf);
        json_t *o = json_object();
        ok = o && put(o, "control", json_string(x[i].id)) &&
             put(o, "system", json_string(system_name(x[i].system))) &&
             put(o, "loss", json_real(x[i].loss)) &&
             put(o, "assessment_gap", json_real(x[i].assessment_gap)) &&
             put(o, "metric_drag", json_real(x[i].metric_drag)) &&
             put(o, "incident_penalty", json_real(x[i].incident_penalty)) &&
             put(o, "finding_cap", json_real(x[i].finding_cap)) && put(o, "a", json_real(cf.a)) &&
             put(o, "b", json_real(cf.b)) && put(o, "p", json_real(cf.p)) &&
             put(o, "cap", json_real(cf.cap)) && put(o, "e", json_real(cf.e));
        ok = ok && json_array_append_new(arr, o) == 0;
        if (!ok)
            json_decref(o);
    }
    if (root && arr)
        ok = put(root, "controls", arr) && ok;
    else
        json_decref(arr);
    *out = root ? finish(root, ok) : NULL;
    free(x);
    return *out ? 0 : IMS_ENOMEM;
}
