/* Helpers shared by the engine's unit tests. */
#ifndef IMS_TEST_ENGINE_UTIL_H
#define IMS_TEST_ENGINE_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static inline void control(engine_model *m, const char *id, engine_control_figures *f)
{
    long i = engine_control_find(m, id);
    assert_true(i >= 0);
    engine_control_get(m, (size_t)i, f);
}

#endif
