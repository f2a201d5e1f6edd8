/*
 * Property test: on random tenants, long random sequences of single changes evaluated
 * incrementally give the same figures (1e-9) as a full recomputation after every step.
 * The seed is printed; ENGINE_PROPERTY_SEED=<n> replays one run.
 */
#include "test_util.h"

#include "plan.h"

#include <math.h>
#include <stdlib.h>

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    r->s += 0x9e3779b97f4a7c15ull;
    uint64_t z = r->s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int uni(rng *r, int n)
{
    return (int)(next(r) % (uint64_t)n);
}

static double unit(rng *r)
{
    return (double)(next(r) >> 11) / 9007199254740992.0;
}

typedef struct tenant {
    int controls, subs, metrics, threats, types, assets, processes, incidents, findings;
    int artefacts;
    bool asset_alive[64];
} tenant;

#define ID(buf, fmt, n) snprintf(buf, sizeof buf, fmt, n)

static void ok(int rc, const engine_error *e)
{
    if (rc) {
        print_error("engine: %d %s\n", rc, e->msg);
        fail();
    }
}

static void random_incident(rng *r, engine_model *m, tenant *tn, int64_t t, int index)
{
    char id[16], th[16], c[3][16], a[2][16], p[2][16];
    const char *cs[3], *as[2], *ps[2];
    ID(id, "I%d", index);
    engine_incident_input in = {.id = id, .severity = 1 + uni(r, 5)};
    if (uni(r, 2)) {
        ID(th, "T%d", uni(r, tn->threats));
        in.threat = th;
    }
    int nc = uni(r, 3);
    for (int k = 0; k < nc; k++) {
        ID(c[k], "C%d", (index * 7 + k * 13) % tn->controls);
        if (k == 1 && strcmp(c[0], c[1]) == 0)
            break;
        cs[in.control_count++] = c[k];
    }
    for (int k = 0; k < 2 && tn->assets; k++) {
        int x = (index + k * 5) % tn->assets;
        if (tn->asset_alive[x] && !(k == 1 && in.asset_count == 1 && x == (index % tn->assets))) {
            ID(a[k], "a%d", x);
            as[in.asset_count++] = a[k];
        }
    }
    int np = uni(r, 3);
    for (int k = 0; k < np && k < tn->processes; k++) {
        ID(p[k], "P%d", (index + k) % tn->processes);
        ps[in.process_count++] = p[k];
    }
    if (in.process_count == 2 && strcmp(ps[0], ps[1]) == 0)
        in.process_count = 1;
    in.controls = cs;
    in.assets = as;
    in.processes = ps;
    in.opened_at = t - DAYS(uni(r, 400)) + uni(r, 86400 * 3);
    if (uni(r, 2)) {
        in.resolved = true;
        in.resolved_at = in.opened_at + uni(r, 86400 * 60);
    }
    in.disruption_minutes = uni(r, 2000);
    engine_error e;
    ok(engine_incident_put(m, &in, &e), &e);
}

static void random_process(rng *r, engine_model *m, int64_t t, int index)
{
    char id[16];
    ID(id, "P%d", index);
    engine_exercise ex[3];
    int n = uni(r, 4);
    double rto = uni(r, 500);
    double mtpd = uni(r, 4) == 0 ? rto : rto + uni(r, 2000);
    for (int k = 0; k < n; k++) {
        ex[k].at = t - DAYS(uni(r, 500)) + uni(r, 86400 * 3);
        ex[k].recovery_min = uni(r, 3000);
    }
    engine_process_input in = {.id = id,
                               .criticality = 1 + uni(r, 5),
                               .mtpd_min = mtpd,
                               .rto_min = rto,
                               .rpo_min = uni(r, 100),
                               .plan_reviewed = uni(r, 2),
                               .plan_reviewed_at = t - DAYS(uni(r, 500)),
                               .exercises = ex,
                               .exercise_count = (size_t)n};
    engine_error e;
    ok(engine_process_put(m, &in, &e), &e);
}

static void random_finding(rng *r, engine_model *m, tenant *tn, int index)
{
    char id[16], c[2][16];
    const char *cs[2];
    ID(id, "F%d", index);
    engine_finding_input in = {.id = id,
                               .type = (enum engine_finding_type)uni(r, 4),
                               .open = uni(r, 3) != 0,
                               .controls = cs};
    int nc = 1 + uni(r, 2);
    for (int k = 0; k < nc; k++) {
        ID(c[k], "C%d", (index * 3 + k * 11) % tn->controls);
        if (k == 1 && strcmp(c[0], c[1]) == 0)
            break;
        cs[in.control_count++] = c[k];
    }
    engine_error e;
    ok(engine_finding_put(m, &in, &e), &e);
}

static void random_asset(rng *r, engine_model *m, tenant *tn, int index)
{
    char id[16], type[16];
    ID(id, "a%d", index);
    ID(type, "type%d", uni(r, tn->types));
    engine_asset_input in = {id, type, uni(r, 6), uni(r, 6), uni(r, 6)};
    engine_error e;
    ok(engine_asset_put(m, &in, &e), &e);
    tn->asset_alive[index] = true;
}

static void random_artefact(rng *r, engine_model *m, tenant *tn, int64_t t, int index)
{
    char id[16], c[3][16];
    const char *cs[3];
    ID(id, "X%d", index);
    size_t n = 0;
    for (int k = uni(r, 4); k > 0; k--) {
        ID(c[n], "C%d", uni(r, tn->controls));
        bool dup = false;
        for (size_t j = 0; j < n; j++)
            dup = dup || strcmp(c[j], c[n]) == 0;
        if (!dup) {
            cs[n] = c[n];
            n++;
        }
    }
    engine_artefact_input in = {id,
                                cs,
                                n,
                                (enum engine_artefact_status)uni(r, 4),
                                uni(r, 2) != 0,
                                t - 86400 * 3 + uni(r, 86400 * 6)};
    engine_error e;
    ok(engine_artefact_put(m, &in, &e), &e);
}

static void random_treatment(rng *r, engine_model *m, tenant *tn)
{
    if (!tn->assets)
        return;
    int a = uni(r, tn->assets);
    if (!tn->asset_alive[a])
        return;
    char id[16], th[16];
    ID(id, "a%d", a);
    ID(th, "T%d", uni(r, tn->threats));
    engine_error e;
    ok(engine_treatment_set(m, id, th, (enum engine_treatment)uni(r, 5), unit(r), &e), &e);
}

static engine_model *random_tenant(rng *r, tenant *tn, int64_t t)
{
    engine_params p;
    engine_params_default(&p);
    p.beta = unit(r);
    p.gamma = unit(r);
    p.half_life_days = 1 + uni(r, 60);
    p.beta_risk = unit(r);
    p.beta_bcms = unit(r);
    p.evidence_weight = unit(r);
    engine_model *m;
    engine_error e;
    ok(engine_model_new(&p, 1u + (unsigned)uni(r, 15), &m, &e), &e);
    memset(tn, 0, sizeof *tn);
    const char *fw[] = {"isms", "bcms", "rms", "iso20000-1-2018"};
    for (int s = 0; s < 4; s++)
        ok(engine_framework_add(m, fw[s], (enum engine_system)s, &e), &e);
    char id[16], dom[16], c[3][16];
    tn->controls = 5 + uni(r, 20);
    for (int i = 0; i < tn->controls; i++) {
        ID(id, "C%d", i);
        ID(dom, "d%d", uni(r, 3));
        engine_control_input in = {id, fw[uni(r, 4)], dom, 0.5 + uni(r, 4), uni(r, 8) != 0};
        ok(engine_control_add(m, &in, &e), &e);
    }
    tn->subs = tn->controls + uni(r, 3 * tn->controls);
    for (int i = 0; i < tn->subs; i++) {
        const char *cs[3];
        int nc = 1 + (uni(r, 4) == 0);
        int first = i < tn->controls ? i : uni(r, tn->controls);
        ID(c[0], "C%d", first);
        cs[0] = c[0];
        if (nc == 2) {
            ID(c[1], "C%d", (first + 1 + uni(r, tn->controls - 1)) % tn->controls);
            cs[1] = c[1];
        }
        ID(id, "S%03d", i);
        engine_subcontrol_input in = {id,
                                      cs,
                                      (size_t)nc,
                                      1 + uni(r, 3),
                                      0.5 + uni(r, 3),
                                      uni(r, 3),
                                      (enum engine_answer)uni(r, 5),
                                      uni(r, 10) != 0};
        ok(engine_subcontrol_add(m, &in, &e), &e);
    }
    tn->metrics = 1 + uni(r, 5);
    for (int i = 0; i < tn->metrics; i++) {
        ID(id, "M%d", i);
        engine_metric_mapping maps[2];
        ID(c[0], "C%d", uni(r, tn->controls));
        ID(c[1], "C%d", uni(r, tn->controls));
        maps[0] = (engine_metric_mapping){c[0], 1 + uni(r, 3)};
        maps[1] = (engine_metric_mapping){c[1], 1};
        size_t nm = strcmp(c[0], c[1]) ? 2 : 1;
        double target = uni(r, 100),
               threshold = uni(r, 2) ? target + 1 + uni(r, 50) : target - 1 - uni(r, 50);
        engine_metric_input in = {id,
                                  target,
                                  threshold,
                                  (enum engine_aggregation)uni(r, 4),
                                  3600 * (1 + uni(r, 48)),
                                  3600 * (1 + uni(r, 72)),
                                  maps,
                                  nm,
                                  uni(r, 4) == 0};
        ok(engine_metric_add(m, &in, &e), &e);
        for (int k = uni(r, 6); k > 0; k--)
            ok(engine_sample_add(m, id, t - uni(r, 86400 * 4), uni(r, 150), &e), &e);
    }
    tn->threats = 1 + uni(r, 5);
    for (int i = 0; i < tn->threats; i++) {
        ID(id, "T%d", i);
        engine_threat_input in = {id, 1 + 4 * unit(r), 1u + (unsigned)uni(r, 7)};
        ok(engine_threat_add(m, &in, &e), &e);
        for (int k = uni(r, 4); k > 0; k--) {
            ID(c[0], "C%d", uni(r, tn->controls));
            int rc = engine_mitigation_add(m, id, c[0], unit(r), &e);
            if (rc != IMS_EEXISTS)
                ok(rc, &e);
        }
    }
    tn->types = 1 + uni(r, 3);
    for (int i = 0; i < tn->types; i++) {
        ID(id, "type%d", i);
        engine_degradation d[8];
        char tn_ids[8][16];
        size_t n = 0;
        for (int k = 0; k < tn->threats; k++)
            if (uni(r, 2)) {
                ID(tn_ids[n], "T%d", k);
                d[n] = (engine_degradation){tn_ids[n], 0.1 + 0.9 * unit(r)};
                n++;
            }
        engine_asset_type_input in = {id, d, n};
        ok(engine_asset_type_add(m, &in, &e), &e);
    }
    tn->assets = uni(r, 8);
    for (int i = 0; i < tn->assets; i++)
        random_asset(r, m, tn, i);
    tn->processes = uni(r, 4);
    for (int i = 0; i < tn->processes; i++)
        random_process(r, m, t, i);
    tn->incidents = uni(r, 10);
    for (int i = 0; i < tn->incidents; i++)
        random_incident(r, m, tn, t, i);
    tn->findings = uni(r, 5);
    for (int i = 0; i < tn->findings; i++)
        random_finding(r, m, tn, i);
    tn->artefacts = uni(r, 6);
    for (int i = 0; i < tn->artefacts; i++)
        random_artefact(r, m, tn, t, i);
    for (int k = uni(r, 6); k > 0; k--)
        random_treatment(r, m, tn);
    return m;
}

static void random_change(rng *r, engine_model *m, tenant *tn, int64_t *t)
{
    engine_error e;
    char id[16];
    switch (uni(r, 19)) {
    case 0:
        ID(id, "S%03d", uni(r, tn->subs));
        ok(engine_subcontrol_set_answer(m, id, (enum engine_answer)uni(r, 5), &e), &e);
        break;
    case 1:
        ID(id, "S%03d", uni(r, tn->subs));
        ok(engine_subcontrol_set_applicable(m, id, uni(r, 4) != 0, &e), &e);
        break;
    case 2:
        ID(id, "C%d", uni(r, tn->controls));
        ok(engine_control_set_applicable(m, id, uni(r, 4) != 0, &e), &e);
        break;
    case 3:
        ID(id, "M%d", uni(r, tn->metrics));
        ok(engine_sample_add(m, id, *t - uni(r, 86400 * 2) + uni(r, 3600), uni(r, 150), &e), &e);
        break;
    case 4:
        random_incident(r, m, tn, *t, tn->incidents++);
        break;
    case 5:
        if (tn->incidents)
            random_incident(r, m, tn, *t, uni(r, tn->incidents));
        break;
    case 6:
        if (tn->incidents) {
            ID(id, "I%d", uni(r, tn->incidents));
            int rc = engine_incident_resolve(m, id, *t - uni(r, 86400 * 5), &e);
            if (rc != IMS_EINVAL)
                ok(rc, &e);
        }
        break;
    case 7:
        random_finding(r, m, tn,
                       uni(r, 2) || !tn->findings ? tn->findings++ : uni(r, tn->findings));
        break;
    case 8:
        if (tn->findings) {
            ID(id, "F%d", uni(r, tn->findings));
            ok(engine_finding_set_open(m, id, uni(r, 2), &e), &e);
        }
        break;
    case 9:
        if (tn->assets < 64)
            random_asset(r, m, tn, uni(r, 2) || !tn->assets ? tn->assets++ : uni(r, tn->assets));
        break;
    case 10:
        if (tn->assets) {
            int a = uni(r, tn->assets);
            if (tn->asset_alive[a]) {
                ID(id, "a%d", a);
                ok(engine_asset_remove(m, id, &e), &e);
                tn->asset_alive[a] = false;
            }
        }
        break;
    case 11:
        random_process(r, m, *t,
                       uni(r, 2) || !tn->processes ? tn->processes++ : uni(r, tn->processes));
        break;
    case 12:
        if (tn->processes) {
            ID(id, "P%d", uni(r, tn->processes));
            ok(engine_process_set_plan_review(m, id, *t - uni(r, 86400 * 400), &e), &e);
        }
        break;
    case 13:
        if (tn->processes) {
            ID(id, "P%d", uni(r, tn->processes));
            engine_exercise ex = {*t - uni(r, 86400 * 400), uni(r, 3000)};
            ok(engine_process_add_exercise(m, id, &ex, &e), &e);
        }
        break;
    case 14:
        random_artefact(r, m, tn, *t,
                        uni(r, 2) || !tn->artefacts ? tn->artefacts++ : uni(r, tn->artefacts));
        break;
    case 15:
        if (tn->artefacts) {
            ID(id, "X%d", uni(r, tn->artefacts));
            ok(engine_artefact_set_status(m, id, (enum engine_artefact_status)uni(r, 4), &e), &e);
        }
        break;
    case 16:
        if (tn->artefacts) {
            ID(id, "X%d", uni(r, tn->artefacts));
            ok(engine_artefact_set_review_due(m, id, uni(r, 3) != 0,
                                              *t - 86400 * 2 + uni(r, 86400 * 4), &e),
               &e);
        }
        break;
    case 17:
        random_treatment(r, m, tn);
        break;
    default:
        *t += uni(r, 86400 * 3) - 86400 / 2;
        break;
    }
}

typedef struct pairs {
    double v[4096];
    int n;
} pairs;

static void collect(void *ctx, const engine_pair_figures *p)
{
    pairs *ps = ctx;
    if (ps->n + 8 > 4096)
        return;
    ps->v[ps->n++] = p->impact;
    ps->v[ps->n++] = p->residual_impact;
    ps->v[ps->n++] = p->treatment;
    ps->v[ps->n++] = p->residual_likelihood;
    ps->v[ps->n++] = p->likelihood;
    ps->v[ps->n++] = p->residual;
    ps->v[ps->n++] = p->level;
}

/* How far apart two figures may be: incremental against full 1e-9; pruned against
 * unpruned 0 (bit for bit). */
static double tolerance = 1e-9;

static void close_enough(double a, double b, const char *what)
{
    if (!(fabs(a - b) <= tolerance)) {
        print_error("%s: %.17g against %.17g\n", what, a, b);
        fail();
    }
}

/* Every figure of two evaluated states, within the tolerance. */
static void same_figures(const engine_eval *x, const engine_eval *y)
{
    const engine_summary *si = engine_eval_summary(x), *sf = engine_eval_summary(y);
    assert_int_equal(si->at, sf->at);
    close_enough(si->security_level, sf->security_level, "security_level");
    assert_int_equal(si->maturity, sf->maturity);
    for (int s = 0; s < ENGINE_SYSTEM_COUNT; s++) {
        assert_int_equal(si->system_included[s], sf->system_included[s]);
        close_enough(si->system_score[s], sf->system_score[s], "system");
    }
    assert_int_equal(si->has_pairs, sf->has_pairs);
    assert_int_equal(si->pair_count, sf->pair_count);
    close_enough(si->rho, sf->rho, "rho");
    close_enough(si->readiness, sf->readiness, "readiness");
    assert_int_equal(engine_control_count(x), engine_control_count(y));
    for (size_t c = 0; c < engine_control_count(x); c++) {
        engine_control_figures a, b;
        engine_control_get(x, c, &a);
        engine_control_get(y, c, &b);
        assert_int_equal(a.applicable, b.applicable);
        assert_int_equal(a.has_q, b.has_q);
        close_enough(a.a, b.a, "a");
        close_enough(a.q, b.q, "q");
        close_enough(a.p, b.p, "p");
        close_enough(a.cap, b.cap, "cap");
        close_enough(a.e, b.e, "e");
        close_enough(a.v, b.v, "v");
    }
    for (size_t f = 0; f < engine_framework_count(x); f++) {
        engine_framework_figures a, b;
        engine_framework_get(x, f, &a);
        engine_framework_get(y, f, &b);
        close_enough(a.score, b.score, "framework score");
        assert_int_equal(a.maturity, b.maturity);
    }
    for (size_t p = 0; p < engine_process_count(x); p++)
        close_enough(engine_process_readiness(x, p), engine_process_readiness(y, p), "process");
    static pairs pa, pb;
    pa.n = pb.n = 0;
    engine_pairs_foreach(x, collect, &pa);
    engine_pairs_foreach(y, collect, &pb);
    assert_int_equal(pa.n, pb.n);
    for (int i = 0; i < pa.n; i++)
        close_enough(pa.v[i], pb.v[i], "pair");
}

/* A clone of the model, indexes rebuilt, evaluated in full at t into a new state. */
static engine_model *full_at(const engine_model *m, int64_t t)
{
    engine_model *full;
    assert_int_equal(engine_model_clone(m, &full), 0);
    assert_int_equal(engine_model_invalidate(full), 0);
    evaluate(full, t, NULL);
    return full;
}

static void compare(engine_model *inc, int64_t t)
{
    evaluate(inc, t, NULL);
    engine_model *full = full_at(inc, t);
    same_figures(eval_of(inc), eval_of(full));
    model_free(full);
}

static void snapshot_round_trip(engine_model *m, int64_t t)
{
    char *w1 = NULL, *w2 = NULL;
    assert_int_equal(engine_snapshot_write(m, true, t, &w1), 0);
    engine_model *m2 = load(w1);
    assert_int_equal(engine_snapshot_write(m2, true, t, &w2), 0);
    assert_string_equal(w1, w2);
    engine_summary a, b;
    evaluate(m, t, &a);
    evaluate(m2, t, &b);
    close_enough(a.security_level, b.security_level, "round trip");
    free(w1);
    free(w2);
    model_free(m2);
}

static void test_incremental_equals_full(void **state)
{
    (void)state;
    uint64_t seed = 20260601;
    const char *env = getenv("ENGINE_PROPERTY_SEED");
    if (env)
        seed = strtoull(env, NULL, 10);
    printf("engine property test seed %llu (ENGINE_PROPERTY_SEED to replay)\n",
           (unsigned long long)seed);
    rng r = {seed};
    for (int tenant_no = 0; tenant_no < 40; tenant_no++) {
        tenant tn;
        int64_t t = T0 + uni(&r, 86400 * 30);
        engine_model *m = random_tenant(&r, &tn, t);
        compare(m, t);
        for (int step = 0; step < 200; step++) {
            if (step % 2) {
                /* As the daemon writes: change a clone of the model, evaluate it into a clone
                 * of the current state, and let the pair replace the current one. */
                engine_model *next;
                engine_eval *next_eval;
                assert_int_equal(engine_model_clone(m, &next), 0);
                assert_int_equal(engine_eval_clone(eval_of(m), &next_eval), 0);
                random_change(&r, next, &tn, &t);
                adopt(next, next_eval);
                model_free(m);
                m = next;
            } else {
                random_change(&r, m, &tn, &t);
            }
            compare(m, t);
            if (step % 50 == 49) {
                snapshot_round_trip(m, t);
                int64_t due = engine_next_due(evaluated(m, t), t, 3600, 1e-4);
                assert_true(due > t);
            }
        }
        engine_plan_step st[3];
        size_t n;
        assert_int_equal(engine_plan(evaluated(m, t), 3, st, &n), 0);
        model_free(m);
    }
}

/*
 * Pruning: the same random changes go to a model pruned at the evaluation time after every
 * step (evaluated incrementally) and to one never pruned; time only moves forward. At the
 * pruning time and later, every figure and the next due time are the same bit for bit, and
 * the pruned model's incremental evaluation still equals a full one.
 */
static void test_pruning_keeps_figures(void **state)
{
    (void)state;
    uint64_t seed = 20261201;
    const char *env = getenv("ENGINE_PROPERTY_SEED");
    if (env)
        seed = strtoull(env, NULL, 10) + 1;
    rng r = {seed};
    size_t dropped = 0;
    for (int tenant_no = 0; tenant_no < 20; tenant_no++) {
        tenant tn;
        int64_t t = T0 + uni(&r, 86400 * 30);
        engine_model *m = random_tenant(&r, &tn, t);
        engine_model *ref;
        assert_int_equal(engine_model_clone(m, &ref), 0);
        for (int step = 0; step < 200; step++) {
            rng r2 = r;
            tenant tn2 = tn;
            int64_t before = t, t2 = t;
            random_change(&r, m, &tn, &t);
            random_change(&r2, ref, &tn2, &t2);
            if (t < before)
                t = before;
            dropped += engine_samples_prune(m, t);
            tolerance = 1e-9;
            compare(m, t);
            tolerance = 0;
            static const int64_t later[] = {0, 1, 3600, DAYS(2), DAYS(40)};
            for (size_t k = 0; k < sizeof later / sizeof later[0]; k++) {
                engine_model *a = full_at(m, t + later[k]), *b = full_at(ref, t + later[k]);
                same_figures(eval_of(a), eval_of(b));
                assert_int_equal(engine_next_due(eval_of(a), t + later[k], 3600, 1e-4),
                                 engine_next_due(eval_of(b), t + later[k], 3600, 1e-4));
                model_free(a);
                model_free(b);
            }
        }
        model_free(m);
        model_free(ref);
    }
    tolerance = 1e-9;
    assert_true(dropped > 0);
}

/*
 * A batch of samples added at once (engine_samples_add) gives the same model as the same
 * samples added one by one in the batch's order: the written snapshots are the same text
 * (samples in the same order, equal times included) and the figures are the same; a batch
 * with an unknown metric changes nothing and names that sample.
 */
static void test_sample_batch_equals_one_by_one(void **state)
{
    (void)state;
    rng r = {20261202};
    for (int tenant_no = 0; tenant_no < 6; tenant_no++) {
        tenant tn;
        int64_t t = T0 + uni(&r, 86400 * 30);
        engine_model *m = random_tenant(&r, &tn, t);
        engine_model *ref;
        assert_int_equal(engine_model_clone(m, &ref), 0);
        evaluate(m, t, NULL);
        evaluate(ref, t, NULL);
        for (int step = 0; step < 8; step++) {
            enum { MAX = 200 };
            static char ids[MAX][16];
            const char *metrics[MAX];
            int64_t at[MAX];
            double values[MAX];
            size_t n = 1 + (size_t)uni(&r, MAX);
            int order = uni(&r, 3); /* descending, ascending, or at random (many ties) */
            for (size_t i = 0; i < n; i++) {
                ID(ids[i], "M%d", uni(&r, tn.metrics));
                metrics[i] = ids[i];
                at[i] = order == 0   ? t - (int64_t)i * 7
                        : order == 1 ? t - (int64_t)(n - i) * 7
                                     : t - uni(&r, 20) * 600;
                values[i] = uni(&r, 150);
            }
            engine_error e;
            size_t bad = 0;
            ok(engine_samples_add(m, n, metrics, at, values, &bad, &e), &e);
            for (size_t i = 0; i < n; i++)
                ok(engine_sample_add(ref, metrics[i], at[i], values[i], &e), &e);
            char *a = NULL, *b = NULL;
            assert_int_equal(engine_snapshot_write(m, true, t, &a), 0);
            assert_int_equal(engine_snapshot_write(ref, true, t, &b), 0);
            assert_string_equal(a, b);
            free(b);
            compare(m, t);
            engine_model *fa = full_at(m, t), *fb = full_at(ref, t);
            same_figures(eval_of(fa), eval_of(fb));
            model_free(fa);
            model_free(fb);
            /* Refused: nothing added, the sample named. */
            metrics[n / 2] = "no-such-metric";
            assert_int_equal(engine_samples_add(m, n, metrics, at, values, &bad, &e),
                             IMS_ENOTFOUND);
            assert_int_equal(bad, n / 2);
            assert_int_equal(engine_snapshot_write(m, true, t, &b), 0);
            assert_string_equal(a, b);
            free(a);
            free(b);
        }
        model_free(m);
        model_free(ref);
    }
}

/*
 * Merging (engine_samples_merge, the daemon's tenant state): the same random changes, and
 * batches of samples with many equal times, go to a merging model (batches added to a
 * clone evaluated from a clone of the state, as the daemon writes; pruned after each step)
 * and to a model that keeps every sample apart. At the time and later every figure agrees
 * within 1e-9 (a mean's sum taken second by second may differ in its last bits) and the
 * next due time is the same; the merging model's incremental evaluation equals a full one;
 * it takes fewer bytes, and it is refused as a snapshot document.
 */
static void test_merging_keeps_figures(void **state)
{
    (void)state;
    rng r = {20261203};
    for (int tenant_no = 0; tenant_no < 12; tenant_no++) {
        tenant tn;
        int64_t t = T0 + uni(&r, 86400 * 30);
        engine_model *ref = random_tenant(&r, &tn, t);
        engine_model *m;
        assert_int_equal(engine_model_clone(ref, &m), 0);
        assert_int_equal(engine_samples_merge(m), 0);
        evaluate(m, t, NULL);
        for (int step = 0; step < 90; step++) {
            if (step % 3 == 0) {
                enum { MAX = 300 };
                static char ids[MAX][16];
                const char *metrics[MAX];
                int64_t at[MAX];
                double values[MAX];
                size_t n = 1 + (size_t)uni(&r, MAX), bad = 0;
                for (size_t i = 0; i < n; i++) {
                    ID(ids[i], "M%d", uni(&r, tn.metrics));
                    metrics[i] = ids[i];
                    at[i] = t - uni(&r, 12) * 300 - uni(&r, 2); /* 24 seconds at most */
                    values[i] = uni(&r, 150);
                }
                engine_error e;
                engine_model *next;
                engine_eval *next_eval;
                assert_int_equal(engine_model_clone(m, &next), 0);
                assert_int_equal(engine_eval_clone(eval_of(m), &next_eval), 0);
                ok(engine_samples_add(next, n, metrics, at, values, &bad, &e), &e);
                adopt(next, next_eval);
                model_free(m);
                m = next;
                for (size_t i = 0; i < n; i++)
                    ok(engine_sample_add(ref, metrics[i], at[i], values[i], &e), &e);
            } else {
                rng r2 = r;
                tenant tn2 = tn;
                int64_t before = t, t2 = t;
                random_change(&r, m, &tn, &t);
                random_change(&r2, ref, &tn2, &t2);
                if (t < before)
                    t = before;
            }
            engine_samples_prune(m, t);
            engine_samples_prune(ref, t);
            compare(m, t);
            static const int64_t later[] = {0, 1, 3600, DAYS(2)};
            for (size_t k = 0; k < sizeof later / sizeof later[0]; k++) {
                engine_model *a = full_at(m, t + later[k]), *b = full_at(ref, t + later[k]);
                same_figures(eval_of(a), eval_of(b));
                assert_int_equal(engine_next_due(eval_of(a), t + later[k], 3600, 1e-4),
                                 engine_next_due(eval_of(b), t + later[k], 3600, 1e-4));
                model_free(a);
                model_free(b);
            }
        }
        assert_true(engine_model_bytes(m) < engine_model_bytes(ref));
        char *doc = NULL;
        assert_int_equal(engine_snapshot_write(m, true, t, &doc), IMS_EINVAL);
        assert_null(doc);
        model_free(m);
        model_free(ref);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incremental_equals_full),
        cmocka_unit_test(test_pruning_keeps_figures),
        cmocka_unit_test(test_sample_batch_equals_one_by_one),
        cmocka_unit_test(test_merging_keeps_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
