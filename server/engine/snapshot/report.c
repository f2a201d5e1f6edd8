/*
 * The answers of `imsctl eval` as JSON: the evaluation of section 11 (unrounded, 0..1
 * scale), the improvement plan and the explanation, each read from an evaluated state.
 * See report.h.
 */
#include "report.h"
#include "json_write.h"
#include "names.h"
#include "plan.h"

#include <stdlib.h>

typedef struct pair_ctx {
    builder *b;
    json_t *pairs;
} pair_ctx;

static void pair_to_json(void *ctx, const engine_pair_figures *p)
{
    pair_ctx *pc = ctx;
    builder *b = pc->b;
    json_t *o = chk(b, json_object());
    set(b, o, "asset", jstr(b, p->asset));
    set(b, o, "threat", jstr(b, p->threat));
    set(b, o, "impact", jreal(b, p->impact));
    set(b, o, "likelihood", jreal(b, p->likelihood));
    set(b, o, "residual_likelihood", jreal(b, p->residual_likelihood));
    set(b, o, "inherent", jreal(b, p->inherent));
    set(b, o, "residual", jreal(b, p->residual));
    set(b, o, "residual_impact", jreal(b, p->residual_impact));
    set(b, o, "treatment",
        p->treatment == ENGINE_TREAT_NONE ? chk(b, json_null())
                                          : jstr(b, treatment_names[p->treatment]));
    if (p->treatment == ENGINE_TREAT_TRANSFER)
        set(b, o, "share", jreal(b, p->share));
    set(b, o, "level", chk(b, json_integer(p->level)));
    set(b, o, "within_appetite", chk(b, json_boolean(p->within_appetite)));
    push(b, pc->pairs, o);
}

int engine_evaluation_write(const engine_eval *ev, char **out)
{
    const engine_model *m = engine_eval_model(ev);
    const engine_summary s = *engine_eval_summary(ev);
    int64_t t = s.at;
    *out = NULL;
    if (!m)
        return IMS_EINVAL;
    builder b = {0};
    json_t *root = chk(&b, json_object());
    set(&b, root, "at", jtime(&b, t));
    set(&b, root, "security_level", jreal(&b, s.security_level));
    set(&b, root, "maturity", chk(&b, json_integer(s.maturity)));
    json_t *sys = chk(&b, json_object());
    for (int k = 0; k < ENGINE_SYSTEM_COUNT; k++)
        if (s.system_included[k])
            set(&b, sys, system_names[k], jreal(&b, s.system_score[k]));
    set(&b, root, "systems", sys);

    json_t *fws = chk(&b, json_object());
    for (size_t f = 0; f < engine_framework_count(ev); f++) {
        engine_framework_figures ff;
        engine_framework_get(ev, f, &ff);
        json_t *o = chk(&b, json_object());
        set(&b, o, "system", jstr(&b, system_names[ff.system]));
        set(&b, o, "score", ff.has_score ? jreal(&b, ff.score) : chk(&b, json_null()));
        set(&b, o, "assessed", ff.has_score ? jreal(&b, ff.assessed) : chk(&b, json_null()));
        set(&b, o, "maturity", chk(&b, json_integer(ff.maturity)));
        json_t *doms = chk(&b, json_object());
        for (size_t d = 0; d < engine_domain_count(ev); d++) {
            engine_domain_figures df;
            engine_domain_get(ev, d, &df);
            if (df.framework == f && df.has_score)
                set(&b, doms, df.id, jreal(&b, df.score));
        }
        set(&b, o, "domains", doms);
        set(&b, fws, engine_framework_id(ev, f), o);
    }
    set(&b, root, "frameworks", fws);

    json_t *ctrls = chk(&b, json_object());
    for (size_t c = 0; c < engine_control_count(ev); c++) {
        engine_control_figures cf;
        engine_control_get(ev, c, &cf);
        if (!cf.applicable)
            continue;
        json_t *o = chk(&b, json_object());
        set(&b, o, "a", jreal(&b, cf.a));
        set(&b, o, "q", cf.has_q ? jreal(&b, cf.q) : chk(&b, json_null()));
        set(&b, o, "b", jreal(&b, cf.b));
        set(&b, o, "p", jreal(&b, cf.p));
        set(&b, o, "cap", jreal(&b, cf.cap));
        set(&b, o, "e", jreal(&b, cf.e));
        set(&b, o, "v", jreal(&b, cf.v));
        set(&b, ctrls, engine_control_id(ev, c), o);
    }
    set(&b, root, "controls", ctrls);

    if (engine_model_systems(m) & (1u << ENGINE_RMS)) {
        json_t *risk = chk(&b, json_object());
        set(&b, risk, "rho", s.has_pairs ? jreal(&b, s.rho) : chk(&b, json_null()));
        pair_ctx pc = {&b, chk(&b, json_array())};
        if (pc.pairs)
            engine_pairs_foreach(ev, pair_to_json, &pc);
        set(&b, risk, "pairs", pc.pairs);
        set(&b, root, "risk", risk);
    }
    if ((engine_model_systems(m) & (1u << ENGINE_BCMS)) && s.has_processes) {
        json_t *bc = chk(&b, json_object());
        set(&b, bc, "readiness", jreal(&b, s.readiness));
        json_t *procs = chk(&b, json_object());
        for (size_t p = 0; p < engine_process_count(ev); p++)
            set(&b, procs, engine_process_id(ev, p), jreal(&b, engine_process_readiness(ev, p)));
        set(&b, bc, "processes", procs);
        set(&b, root, "bcms", bc);
    }
    *out = dump(root, &b, 0);
    return *out ? 0 : IMS_ENOMEM;
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

static json_t *header(const engine_eval *ev, bool *ok)
{
    const engine_summary s = *engine_eval_summary(ev);
    char buf[40];
    engine_time_format(s.at, buf, sizeof buf);
    json_t *root = json_object();
    *ok = root && put(root, "at", json_string(buf)) &&
          put(root, "security_level", json_real(s.security_level)) &&
          put(root, "maturity", json_integer(s.maturity));
    return root;
}

int engine_plan_write(const engine_eval *ev, size_t steps, char **out)
{
    *out = NULL;
    engine_plan_step *st = calloc(steps ? steps : 1, sizeof *st);
    if (!st)
        return IMS_ENOMEM;
    size_t n = 0;
    bool ok;
    json_t *root = header(ev, &ok);
    json_t *arr = json_array();
    ok = ok && arr && engine_plan(ev, steps, st, &n) == 0;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *o = json_object();
        static const char *const actions[] = {"answer_yes", "close_finding", "make_current"};
        static const char *const keys[] = {"subcontrol", "finding", "artefact"};
        ok = o && put(o, "step", json_integer((json_int_t)i + 1)) &&
             put(o, "action", json_string(actions[st[i].action])) &&
             put(o, keys[st[i].action], json_string(st[i].id)) &&
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
    return *out ? 0 : IMS_ENOMEM;
}

int engine_explain_write(const engine_eval *ev, size_t k, char **out)
{
    *out = NULL;
    engine_explanation *x = calloc(k ? k : 1, sizeof *x);
    if (!x)
        return IMS_ENOMEM;
    size_t n = 0;
    bool ok;
    json_t *root = header(ev, &ok);
    json_t *arr = json_array();
    ok = ok && arr && engine_explain(ev, k, x, &n) == 0;
    for (size_t i = 0; ok && i < n; i++) {
        engine_control_figures cf;
        engine_control_get(ev, x[i].control, &cf);
        json_t *o = json_object();
        ok = o && put(o, "control", json_string(x[i].id)) &&
             put(o, "system", json_string(system_names[x[i].system])) &&
             put(o, "loss", json_real(x[i].loss)) &&
             put(o, "assessment_gap", json_real(x[i].assessment_gap)) &&
             put(o, "metric_drag", json_real(x[i].metric_drag)) &&
             put(o, "incident_penalty", json_real(x[i].incident_penalty)) &&
             put(o, "evidence_drag", json_real(x[i].evidence_drag)) &&
             put(o, "v", json_real(cf.v)) && put(o, "finding_cap", json_real(x[i].finding_cap)) &&
             put(o, "a", json_real(cf.a)) && put(o, "b", json_real(cf.b)) &&
             put(o, "p", json_real(cf.p)) && put(o, "cap", json_real(cf.cap)) &&
             put(o, "e", json_real(cf.e));
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
