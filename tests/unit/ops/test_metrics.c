/* The metrics registry: values, limits and the text exposition Prometheus reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ims/error.h"
#include "metrics.h"

static char *render(struct metrics_registry *r)
{
    struct metrics_text t = {0};
    metrics_render(r, &t);
    assert_false(t.failed);
    return t.data;
}

static void test_counter_and_gauge(void **state)
{
    (void)state;
    struct metrics_registry *r;
    assert_int_equal(metrics_registry_new(&r), 0);
    const char *names[] = {"method", "code"};
    struct metrics_family *calls = metrics_family_add(
        r, "ims_rpc_calls_total", "RPC calls.", METRICS_COUNTER, names, 2, NULL, 0, 100);
    struct metrics_family *up = metrics_family_add(r, "ims_up", "Serving.", METRICS_GAUGE,
                                                   NULL, 0, NULL, 0, 1);
    assert_non_null(calls);
    assert_non_null(up);
    const char *a[] = {"Level/Get", "OK"};
    const char *b[] = {"Level/Get", "NOT_FOUND"};
    assert_int_equal(metrics_add(calls, a, 1), 0);
    assert_int_equal(metrics_add(calls, a, 2), 0);
    assert_int_equal(metrics_add(calls, b, 1), 0);
    assert_int_equal(metrics_add(calls, a, -1), IMS_EINVAL);
    assert_true(metrics_value(calls, a) == 3);
    assert_int_equal(metrics_set(up, NULL, 1), 0);
    char *text = render(r);
    assert_non_null(strstr(text, "# HELP ims_rpc_calls_total RPC calls.\n"
                                 "# TYPE ims_rpc_calls_total counter\n"
                                 "ims_rpc_calls_total{method=\"Level/Get\",code=\"OK\"} 3\n"
                                 "ims_rpc_calls_total{method=\"Level/Get\",code=\"NOT_FOUND\"} 1\n"));
    assert_non_null(strstr(text, "# TYPE ims_up gauge\nims_up 1\n"));
    free(text);
    metrics_registry_free(r);
}

static void test_histogram(void **state)
{
    (void)state;
    struct metrics_registry *r;
    assert_int_equal(metrics_registry_new(&r), 0);
    const double buckets[] = {0.001, 0.01, 0.1};
    const char *names[] = {"method"};
    struct metrics_family *h = metrics_family_add(r, "ims_rpc_duration_seconds", "Latency.",
                                                  METRICS_HISTOGRAM, names, 1, buckets, 3, 10);
    assert_non_null(h);
    const char *m[] = {"X"};
    assert_int_equal(metrics_observe(h, m, 0.0005), 0);
    assert_int_equal(metrics_observe(h, m, 0.05), 0);
    assert_int_equal(metrics_observe(h, m, 3), 0);
    assert_int_equal(metrics_add(h, m, 1), IMS_EINVAL);
    char *text = render(r);
    assert_non_null(strstr(text, "ims_rpc_duration_seconds_bucket{method=\"X\",le=\"0.001\"} 1\n"
                                 "ims_rpc_duration_seconds_bucket{method=\"X\",le=\"0.01\"} 1\n"
                                 "ims_rpc_duration_seconds_bucket{method=\"X\",le=\"0.1\"} 2\n"
                                 "ims_rpc_duration_seconds_bucket{method=\"X\",le=\"+Inf\"} 3\n"
                                 "ims_rpc_duration_seconds_sum{method=\"X\"} 3.0505"));
    assert_non_null(strstr(text, "ims_rpc_duration_seconds_count{method=\"X\"} 3\n"));
    free(text);
    metrics_registry_free(r);
}

static void test_series_limit_and_escaping(void **state)
{
    (void)state;
    struct metrics_registry *r;
    assert_int_equal(metrics_registry_new(&r), 0);
    const char *names[] = {"tenant"};
    struct metrics_family *g = metrics_family_add(r, "ims_security_level", "Level.",
                                                  METRICS_GAUGE, names, 1, NULL, 0, 2);
    const char *t1[] = {"a\"b\\c\nd"};
    const char *t2[] = {"two"};
    const char *t3[] = {"three"};
    assert_int_equal(metrics_set(g, t1, 0.5), 0);
    assert_int_equal(metrics_set(g, t2, 0.25), 0);
    assert_int_equal(metrics_set(g, t3, 1), IMS_ETOOBIG);
    assert_int_equal(metrics_set(g, t2, 0.75), 0); /* an existing series still moves */
    char *text = render(r);
    assert_non_null(strstr(text, "ims_security_level{tenant=\"a\\\"b\\\\c\\nd\"} 0.5\n"));
    assert_non_null(strstr(text, "ims_security_level{tenant=\"two\"} 0.75\n"));
    assert_null(strstr(text, "three"));
    assert_non_null(
        strstr(text, "ims_metrics_series_dropped_total{family=\"ims_security_level\"} 1\n"));
    free(text);
    metrics_family_clear(g);
    assert_true(metrics_value(g, t2) == 0);
    metrics_registry_free(r);
}

static void test_bad_families(void **state)
{
    (void)state;
    struct metrics_registry *r;
    assert_int_equal(metrics_registry_new(&r), 0);
    const double down[] = {1, 0.5};
    assert_null(metrics_family_add(r, "9bad", "", METRICS_GAUGE, NULL, 0, NULL, 0, 1));
    assert_null(metrics_family_add(r, "bad-name", "", METRICS_GAUGE, NULL, 0, NULL, 0, 1));
    assert_null(metrics_family_add(r, "h", "", METRICS_HISTOGRAM, NULL, 0, down, 2, 1));
    assert_null(metrics_family_add(r, "h", "", METRICS_HISTOGRAM, NULL, 0, NULL, 0, 1));
    const char *bad[] = {"le-x"};
    assert_null(metrics_family_add(r, "g", "", METRICS_GAUGE, bad, 1, NULL, 0, 1));
    metrics_registry_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_and_gauge),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_series_limit_and_escaping),
        cmocka_unit_test(test_bad_families),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
