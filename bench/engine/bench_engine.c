/*
 * Engine micro-benchmark on a large synthetic tenant: 250 controls, 1,200 sub-controls,
 * 120 assets x 30 threats, 60 metrics, 500 incidents (or as many as asked), 100 findings,
 * 40 processes. Measures a full evaluation, one incremental update (median, p99), a 10-step
 * plan, a clone, a copy's clone-and-free, a run of writes' copies (each cloned from the
 * one before, which is then freed, as imsd's writes go) and the memory of one tenant.
 * Usage: bench_engine [incremental-iterations [incidents]].
 */
#include "engine.h"
#include "ims/malloc_tune.h"
#include "plan.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T0 INT64_C(1780272000)

static uint64_t state = 42;
static int incidents = 500;

static int uni(int n)
{
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (int)((state >> 33) % (uint64_t)n);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void check(int rc, const engine_error *e)
{
    if (rc) {
        fprintf(stderr, "bench_engine: %d %s\n", rc, e->msg);
        exit(1);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static engine_model *build(void)
{
    engine_model *m;
    engine_error e;
    check(engine_model_new(NULL, 7, &m, &e), &e);
    check(engine_framework_add(m, "iso27001", ENGINE_ISMS, &e), &e);
    check(engine_framework_add(m, "iso22301", ENGINE_BCMS, &e), &e);
    check(engine_framework_add(m, "iso31000", ENGINE_RMS, &e), &e);
    char id[32], c1[32], c2[32], dom[16];
    for (int i = 0; i < 250; i++) {
        snprintf(id, sizeof id, "C%03d", i);
        snprintf(dom, sizeof dom, "d%d", i % 8);
        const char *fw = i < 150 ? "iso27001" : i < 200 ? "iso22301" : "iso31000";
        engine_control_input in = {id, fw, dom, 1 + i % 3, true};
        check(engine_control_add(m, &in, &e), &e);
    }
    for (int i = 0; i < 1200; i++) {
        snprintf(id, sizeof id, "S%04d", i);
        snprintf(c1, sizeof c1, "C%03d", i % 250);
        snprintf(c2, sizeof c2, "C%03d", (i * 7 + 3) % 250);
        const char *cs[2] = {c1, c2};
        size_t n = (i % 10 == 0 && strcmp(c1, c2)) ? 2 : 1;
        engine_subcontrol_input in = {id, cs, n, 1 + i % 3, 1, 0, (enum engine_answer)uni(4), true};
        check(engine_subcontrol_add(m, &in, &e), &e);
    }
    for (int i = 0; i < 60; i++) {
        snprintf(id, sizeof id, "M%02d", i);
        snprintf(c1, sizeof c1, "C%03d", (i * 4) % 250);
        snprintf(c2, sizeof c2, "C%03d", (i * 4 + 1) % 250);
        engine_metric_mapping maps[2] = {{c1, 1}, {c2, 2}};
        engine_metric_input in = {id,
                                  i % 2 ? 7 : 99,
                                  i % 2 ? 30 : 90,
                                  (enum engine_aggregation)(i % 4),
                                  86400,
                                  172800,
                                  maps,
                                  2,
                                  false};
        check(engine_metric_add(m, &in, &e), &e);
        for (int k = 0; k < 48; k++)
            check(engine_sample_add(m, id, T0 - k * 3600, uni(100), &e), &e);
    }
    for (int i = 0; i < 30; i++) {
        snprintf(id, sizeof id, "T%02d", i);
        engine_threat_input in = {id, 1 + uni(5), 1u + (unsigned)uni(7)};
        check(engine_threat_add(m, &in, &e), &e);
        for (int k = 0; k < 10; k++) {
            snprintf(c1, sizeof c1, "C%03d", (i * 10 + k * 17) % 250);
            int rc = engine_mitigation_add(m, id, c1, 0.1 * (1 + uni(9)), &e);
            if (rc != IMS_EEXISTS)
                check(rc, &e);
        }
    }
    for (int i = 0; i < 4; i++) {
        engine_degradation d[30];
        char names[30][8];
        for (int k = 0; k < 30; k++) {
            snprintf(names[k], sizeof names[k], "T%02d", k);
            d[k] = (engine_degradation){names[k], 0.2 + 0.2 * (k % 5)};
        }
        snprintf(id, sizeof id, "type%d", i);
        engine_asset_type_input in = {id, d, 30};
        check(engine_asset_type_add(m, &in, &e), &e);
    }
    for (int i = 0; i < 120; i++) {
        snprintf(id, sizeof id, "A%03d", i);
        snprintf(c1, sizeof c1, "type%d", i % 4);
        engine_asset_input in = {id, c1, uni(6), uni(6), uni(6)};
        check(engine_asset_put(m, &in, &e), &e);
    }
    for (int i = 0; i < 40; i++) {
        snprintf(id, sizeof id, "P%02d", i);
        engine_exercise ex[2] = {{T0 - 86400 * (int64_t)uni(400), uni(600)},
                                 {T0 - 86400 * (int64_t)uni(400), uni(600)}};
        engine_process_input in = {
            id, 1 + uni(5), 1440, 240, 60, true, T0 - 86400 * (int64_t)uni(400), ex, 2};
        check(engine_process_put(m, &in, &e), &e);
    }
    for (int i = 0; i < incidents; i++) {
        snprintf(id, sizeof id, "I%03d", i);
        snprintf(c1, sizeof c1, "C%03d", uni(250));
        snprintf(c2, sizeof c2, "T%02d", uni(30));
        char p[8];
        snprintf(p, sizeof p, "P%02d", uni(40));
        const char *cs[1] = {c1}, *ps[1] = {p};
        engine_incident_input in = {.id = id,
                                    .severity = 1 + uni(5),
                                    .threat = uni(2) ? c2 : NULL,
                                    .controls = cs,
                                    .control_count = 1,
                                    .processes = ps,
                                    .process_count = (size_t)(i % 5 == 0),
                                    .opened_at = T0 - 86400 * (int64_t)uni(400),
                                    .disruption_minutes = uni(2000)};
        in.resolved = uni(4) != 0;
        in.resolved_at = in.opened_at + 86400 * (int64_t)uni(10);
        check(engine_incident_put(m, &in, &e), &e);
    }
    for (int i = 0; i < 100; i++) {
        snprintf(id, sizeof id, "F%03d", i);
        snprintf(c1, sizeof c1, "C%03d", uni(250));
        const char *cs[1] = {c1};
        engine_finding_input in = {id, (enum engine_finding_type)uni(4), cs, 1, uni(3) != 0};
        check(engine_finding_put(m, &in, &e), &e);
    }
    return m;
}

static const char *const change_names[6] = {"answer",           "sample",   "incident resolved",
                                            "finding open/close", "asset put", "plan review"};

/* One random change; returns its kind (index in change_names). */
static int change(engine_model *m)
{
    engine_error e;
    char id[32];
    int kind = uni(6);
    switch (kind) {
    case 0:
        snprintf(id, sizeof id, "S%04d", uni(1200));
        check(engine_subcontrol_set_answer(m, id, (enum engine_answer)uni(4), &e), &e);
        break;
    case 1:
        snprintf(id, sizeof id, "M%02d", uni(60));
        check(engine_sample_add(m, id, T0 - uni(3600), uni(100), &e), &e);
        break;
    case 2: {
        snprintf(id, sizeof id, "I%03d", uni(incidents));
        int rc = engine_incident_resolve(m, id, T0 - uni(86400), &e);
        if (rc != IMS_EINVAL)
            check(rc, &e);
        break;
    }
    case 3:
        snprintf(id, sizeof id, "F%03d", uni(100));
        check(engine_finding_set_open(m, id, uni(2), &e), &e);
        break;
    case 4: {
        char type[8];
        snprintf(id, sizeof id, "A%03d", uni(120));
        snprintf(type, sizeof type, "type%d", uni(4));
        engine_asset_input in = {id, type, uni(6), uni(6), uni(6)};
        check(engine_asset_put(m, &in, &e), &e);
        break;
    }
    default:
        snprintf(id, sizeof id, "P%02d", uni(40));
        check(engine_process_set_plan_review(m, id, T0 - 86400 * (int64_t)uni(400), &e), &e);
        break;
    }
    return kind;
}

int main(int argc, char **argv)
{
    ims_malloc_tune(); /* as imsd */
    int iterations = argc > 1 ? atoi(argv[1]) : 20000;
    if (iterations < 100)
        iterations = 100;
    if (argc > 2 && atoi(argv[2]) > 0)
        incidents = atoi(argv[2]);
    size_t before = mallinfo2().uordblks;
    engine_model *m = build();
    engine_eval *ev = NULL;
    engine_summary s;
    if (engine_eval_new(&ev) || engine_evaluate(m, T0, ev, &s)) {
        fprintf(stderr, "bench_engine: out of memory\n");
        return 1;
    }
    size_t memory = mallinfo2().uordblks - before;

    enum { FULL = 200 };
    double full[FULL];
    for (int i = 0; i < FULL; i++) {
        double t0 = now_us();
        engine_eval_reset(ev);
        if (engine_model_invalidate(m) || engine_evaluate(m, T0, ev, &s)) {
            fprintf(stderr, "bench_engine: out of memory\n");
            return 1;
        }
        full[i] = now_us() - t0;
    }
    qsort(full, FULL, sizeof *full, cmp_double);

    double *inc = malloc((size_t)iterations * sizeof *inc);
    double *by_kind[6];
    int kind_n[6] = {0};
    if (!inc)
        return 1;
    for (int k = 0; k < 6; k++)
        if (!(by_kind[k] = malloc((size_t)iterations * sizeof *inc)))
            return 1;
    for (int i = 0; i < iterations; i++) {
        double t0 = now_us();
        int kind = change(m);
        if (engine_evaluate(m, T0, ev, &s))
            return 1;
        inc[i] = now_us() - t0;
        by_kind[kind][kind_n[kind]++] = inc[i];
    }
    qsort(inc, (size_t)iterations, sizeof *inc, cmp_double);
    for (int k = 0; k < 6; k++)
        qsort(by_kind[k], (size_t)kind_n[k], sizeof *inc, cmp_double);

    enum { PLANS = 5 };
    double plan[PLANS];
    engine_plan_step steps[10];
    size_t n = 0;
    for (int i = 0; i < PLANS; i++) {
        double t0 = now_us();
        if (engine_plan(ev, 10, steps, &n))
            return 1;
        plan[i] = now_us() - t0;
    }
    qsort(plan, PLANS, sizeof *plan, cmp_double);

    enum { CLONES = 200 };
    double clone[CLONES];
    for (int i = 0; i < CLONES; i++) {
        engine_model *c;
        engine_eval *ce;
        double t0 = now_us();
        if (engine_model_clone(m, &c))
            return 1;
        if (engine_eval_clone(ev, &ce))
            return 1;
        clone[i] = now_us() - t0;
        engine_eval_free(ce);
        engine_model_free(c);
    }
    qsort(clone, CLONES, sizeof *clone, cmp_double);
    /* A write's copy from start to end: cloned from a copy (as the current pair is after
     * the first write), then freed. */
    double life[CLONES];
    engine_model *cur;
    if (engine_model_clone(m, &cur))
        return 1;
    for (int i = 0; i < CLONES; i++) {
        engine_model *c;
        double t0 = now_us();
        if (engine_model_clone(cur, &c))
            return 1;
        engine_model_free(c);
        life[i] = now_us() - t0;
    }
    qsort(life, CLONES, sizeof *life, cmp_double);
    /* Writes one after another: each copy cloned from the one before, which then goes. */
    double run[CLONES];
    for (int i = 0; i < CLONES; i++) {
        engine_model *c;
        double t0 = now_us();
        if (engine_model_clone(cur, &c))
            return 1;
        engine_model_free(cur);
        cur = c;
        run[i] = now_us() - t0;
    }
    engine_model_free(cur);
    qsort(run, CLONES, sizeof *run, cmp_double);

    printf("tenant: 250 controls, 1200 sub-controls, 120 assets x 30 threats (%zu pairs), "
           "60 metrics (2880 samples), %d incidents, 100 findings, 40 processes\n",
           s.pair_count, incidents);
    printf("security level %.6f, maturity %d\n", s.security_level, s.maturity);
    printf("full evaluation:     median %8.1f us   p99 %8.1f us\n", full[FULL / 2],
           full[FULL * 99 / 100]);
    printf("incremental update:  median %8.2f us   p99 %8.2f us   (%d random changes)\n",
           inc[iterations / 2], inc[(size_t)iterations * 99 / 100], iterations);
    for (int k = 0; k < 6; k++) {
        printf("  %-19s median %8.2f us   p99 %8.2f us   (%d)\n", change_names[k],
               by_kind[k][kind_n[k] / 2], by_kind[k][(size_t)kind_n[k] * 99 / 100], kind_n[k]);
        free(by_kind[k]);
    }
    printf("plan (10 steps):     median %8.2f ms   (%zu steps)\n", plan[PLANS / 2] / 1000, n);
    printf("clone (model+state): median %8.1f us\n", clone[CLONES / 2]);
    printf("model copy of a copy, cloned and freed: median %8.1f us\n", life[CLONES / 2]);
    printf("writes' copies in a row (clone, free the one before): median %8.1f us   p90 %8.1f us\n",
           run[CLONES / 2], run[CLONES * 9 / 10]);
    printf("memory per tenant:   %zu bytes (%.1f KiB); engine_model_bytes + engine_eval_bytes "
           "after the run: %.1f KiB\n",
           memory, memory / 1024.0, (engine_model_bytes(m) + engine_eval_bytes(ev)) / 1024.0);
    free(inc);
    engine_eval_free(ev);
    engine_model_free(m);
    return 0;
}
