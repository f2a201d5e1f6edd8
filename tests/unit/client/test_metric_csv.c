/* Metric CSV files for `imsctl metric push --file`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metric_csv.h"
#include "options.h"

static const long long now = 1780000000;

static imsctl_samples parse_ok(const char *text)
{
    imsctl_samples s;
    char err[256] = "";
    int rc = imsctl_csv_parse(text, strlen(text), now, &s, err, sizeof(err));
    if (rc != 0)
        fail_msg("rejected: %s", err);
    return s;
}

static void parse_bad(const char *text, const char *want_err)
{
    imsctl_samples s;
    char err[256] = "";
    int rc = imsctl_csv_parse(text, strlen(text), now, &s, err, sizeof(err));
    assert_int_equal(rc, IMSCTL_EXIT_INVALID);
    if (strstr(err, want_err) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", err, want_err);
    assert_int_equal(s.n, 0);
    assert_null(s.items);
}

static void header_and_rows(void **state)
{
    (void)state;
    imsctl_samples s = parse_ok("metric,at,value\n"
                                "cpu,2026-06-01T10:00:00Z,0.5\r\n"
                                "\n"
                                "  disk , 2026-06-01 , -3e2 \n"
                                "mem,,42");
    assert_int_equal(s.n, 3);
    assert_string_equal(s.items[0].metric, "cpu");
    assert_string_equal(s.items[0].at, "2026-06-01T10:00:00Z");
    assert_true(s.items[0].value == 0.5);
    assert_int_equal(s.items[0].line, 2);
    assert_string_equal(s.items[1].metric, "disk");
    assert_string_equal(s.items[1].at, "2026-06-01T00:00:00Z");
    assert_true(s.items[1].value == -300.0);
    assert_int_equal(s.items[1].line, 4);
    assert_string_equal(s.items[2].at, "");
    assert_int_equal(s.items[2].line, 5);
    imsctl_samples_free(&s);
}

static void without_header(void **state)
{
    (void)state;
    imsctl_samples s = parse_ok("cpu,now,1\n");
    assert_int_equal(s.n, 1);
    assert_string_equal(s.items[0].at, "2026-05-28T20:26:40Z");
    imsctl_samples_free(&s);
    s = parse_ok("");
    assert_int_equal(s.n, 0);
    imsctl_samples_free(&s);
}

static void quoted_fields(void **state)
{
    (void)state;
    imsctl_samples s = parse_ok("\"disk,used\",\"2026-06-01T10:00:00Z\",\"7\"\n"
                                "\"say \"\"hi\"\"\",,1\n"
                                "\"two\nlines\",,2\n"
                                "after,,3\n");
    assert_int_equal(s.n, 4);
    assert_string_equal(s.items[0].metric, "disk,used");
    assert_true(s.items[0].value == 7.0);
    assert_string_equal(s.items[1].metric, "say \"hi\"");
    assert_string_equal(s.items[2].metric, "two\nlines");
    assert_int_equal(s.items[2].line, 3);
    assert_int_equal(s.items[3].line, 5);
    imsctl_samples_free(&s);
}

static void bad_lines_are_named(void **state)
{
    (void)state;
    parse_bad("metric,at,value\ncpu,,1\ncpu,,x\n", "line 3: value \"x\" is not a number");
    parse_bad("cpu,,1\ncpu,1\n", "line 2: expected 3 fields");
    parse_bad("cpu,,1,4\n", "line 1: expected 3 fields");
    parse_bad("cpu,,1\n,,1\n", "line 2: empty metric name");
    parse_bad("cpu,yesterday,1\n", "line 1: bad time");
    parse_bad("cpu,,1\n\"open,,1\n", "line 2: unterminated");
    parse_bad("\"a\"b,,1\n", "line 1:");
    parse_bad("cpu,,\n", "line 1: value \"\" is not a number");
    parse_bad("cpu,,inf\n", "line 1:");
    /* A header anywhere but first is a bad line. */
    parse_bad("cpu,,1\nmetric,at,value\n", "line 2:");
}

static void many_rows(void **state)
{
    (void)state;
    size_t n = 5000;
    char *buf = malloc(n * 40 + 32);
    assert_non_null(buf);
    size_t len = (size_t)sprintf(buf, "metric,at,value\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(buf + len, "m%zu,2026-01-01T00:00:00Z,%zu\n", i % 7, i);
    imsctl_samples s;
    char err[256];
    assert_int_equal(imsctl_csv_parse(buf, len, now, &s, err, sizeof(err)), 0);
    assert_int_equal(s.n, n);
    assert_true(s.items[n - 1].value == (double)(n - 1));
    assert_int_equal(s.items[n - 1].line, n + 1);
    imsctl_samples_free(&s);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_and_rows), cmocka_unit_test(without_header),
        cmocka_unit_test(quoted_fields),   cmocka_unit_test(bad_lines_are_named),
        cmocka_unit_test(many_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
