/* Helpers shared by the engine's unit tests. */
#ifndef IMS_TEST_ENGINE_UTIL_H
#define IMS_TEST_ENGINE_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "snapshot.h"

/* 2026-06-01T00:00:00Z, the worked example's t. */
#define T0 INT64_C(1780272000)
#define DAYS(n) ((int64_t)(n)*86400)

static inline void assert_near(double a, double b)
{
    if (!(a - b < 1e-12 && b - a < 1e-12)) {
        print_error("%.17g != %.17g\n", a, b);
        fail();
    }
}

/* A whole file (at most 1 MiB), NUL-terminated; free() it. */
static inline char *test_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static inline engine_model *load(const char *json)
{
    engine_model *m = NULL;
    engine_error e = {{0}};
    bool has_at;
    int64_t at;
    int rc = engine_snapshot_parse(json, strlen(json), &m, &has_at, &at, &e);
    if (rc) {
        print_error("parse: %s\n", e.msg);
        fail();
    }
    return m;
}

/* Each model a test builds is evaluated into, and read through, an evaluated state of its
 * own, kept here until model_free(). */
static struct {
    const engine_model *model;
    engine_eval *eval;
} test_evals[32];

static inline engine_eval *eval_of(const engine_model *m)
{
    size_t free_slot = sizeof test_evals / sizeof test_evals[0];
    for (size_t i = 0; i < sizeof test_evals / sizeof test_evals[0]; i++) {
        if (test_evals[i].model == m)
            return test_evals[i].eval;
        if (!test_evals[i].model && free_slot == sizeof test_evals / sizeof test_evals[0])
            free_slot = i;
    }
    assert_true(free_slot < sizeof test_evals / sizeof test_evals[0]);
    test_evals[free_slot].model = m;
    assert_int_equal(engine_eval_new(&test_evals[free_slot].eval), 0);
    return test_evals[free_slot].eval;
}

/* Makes ev the state the model is evaluated into from now on. */
static inline void adopt(const engine_model *m, engine_eval *ev)
{
    for (size_t i = 0; i < sizeof test_evals / sizeof test_evals[0]; i++) {
        if (!test_evals[i].model) {
            test_evals[i].model = m;
            test_evals[i].eval = ev;
            return;
        }
    }
    fail();
}

/* Brings the model's state up to date at t. */
static inline void evaluate(const engine_model *m, int64_t t, engine_summary *s)
{
    assert_int_equal(engine_evaluate(m, t, eval_of(m), s), 0);
}

/* The model's state, evaluated at t. */
static inline const engine_eval *evaluated(const engine_model *m, int64_t t)
{
    evaluate(m, t, NULL);
    return eval_of(m);
}

static inline void model_free(engine_model *m)
{
    for (size_t i = 0; i < sizeof test_evals / sizeof test_evals[0]; i++) {
        if (m && test_evals[i].model == m) {
            engine_eval_free(test_evals[i].eval);
            test_evals[i].model = NULL;
            test_evals[i].eval = NULL;
        }
    }
    engine_model_free(m);
}

static inline void control(engine_model *m, const char *id, engine_control_figures *f)
{
    long i = engine_control_find(eval_of(m), id);
    assert_true(i >= 0);
    engine_control_get(eval_of(m), (size_t)i, f);
}

#endif
