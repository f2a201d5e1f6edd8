/* Series mappings: the matcher syntax, Prometheus's matching rules, first match wins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ims/error.h"
#include "series_map.h"

static void test_parse_and_format(void **state)
{
    (void)state;
    struct series_matcher m;
    char err[160], text[160];
    assert_int_equal(series_matcher_parse("job=\"node\"", &m, err, sizeof err), 0);
    assert_int_equal(m.op, SERIES_MATCH_EQ);
    assert_string_equal(m.value, "node");
    series_matcher_free(&m);
    assert_int_equal(series_matcher_parse("instance=~web-[0-9]+", &m, err, sizeof err), 0);
    assert_int_equal(m.op, SERIES_MATCH_RE);
    assert_int_equal(series_matcher_format(&m, text, sizeof text), 0);
    assert_string_equal(text, "instance=~\"web-[0-9]+\"");
    series_matcher_free(&m);
    assert_int_equal(series_matcher_parse("path!=\"a\\\"b\\\\c\"", &m, err, sizeof err), 0);
    assert_string_equal(m.value, "a\"b\\c");
    assert_int_equal(series_matcher_format(&m, text, sizeof text), 0);
    assert_string_equal(text, "path!=\"a\\\"b\\\\c\"");
    series_matcher_free(&m);

    assert_int_equal(series_matcher_parse("job", &m, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "operator"));
    assert_int_equal(series_matcher_parse("1job=x", &m, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "label name"));
    assert_int_equal(series_matcher_parse("job=~\"(\"", &m, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "regex"));
    assert_int_equal(series_matcher_parse("job=\"x\"y", &m, err, sizeof err), IMS_EINVAL);
    /* A value that would break out of the ^(...)$ anchoring is refused. */
    assert_int_equal(series_matcher_parse("job=~\"a)|(b\"", &m, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "unbalanced"));
    assert_int_equal(series_matcher_parse("job=~\"(a|b)[)(]\\\\(\"", &m, err, sizeof err), 0);
    series_matcher_free(&m);
}

/* regcomp() copies repeated expressions: a short pattern could take gigabytes. */
static void test_costly_regex_refused(void **state)
{
    (void)state;
    struct series_matcher m;
    char err[160];
    assert_int_equal(
        series_matcher_parse("job=~a++++++++++++++++++++++++++++++++++++++++", &m, err, sizeof err),
        IMS_EINVAL);
    assert_non_null(strstr(err, "right after another"));
    assert_int_equal(series_matcher_parse(
                         "job=~\"((((((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+\"",
                         &m, err, sizeof err),
                     IMS_EINVAL);
    assert_non_null(strstr(err, "nested repetitions"));
    assert_int_equal(series_matcher_parse("job=~\"((a{1000}){1000}){1000}\"", &m, err, sizeof err),
                     IMS_EINVAL);
    assert_int_equal(series_matcher_parse("job=~\"(a)\\\\1\"", &m, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "back references"));
    /* What label matchers use stays accepted. */
    assert_int_equal(
        series_matcher_parse("instance=~\"(web|db)-[0-9]{1,3}\\\\.example\\\\.com:[0-9]+\"", &m,
                             err, sizeof err),
        0);
    series_matcher_free(&m);
    assert_int_equal(series_matcher_parse("path=~\"[]a-z[:digit:]]+/.*?\"", &m, err, sizeof err),
                     0);
    series_matcher_free(&m);
}

/* A matcher of n alternatives "host-<i>" (empty: n empty ones), or of n nested groups. */
static char *alternatives(int n, int empty)
{
    char *text = malloc((size_t)n * 16 + 16);
    assert_non_null(text);
    int len = sprintf(text, "i=~\"");
    for (int i = 0; i < n; i++)
        len += empty ? sprintf(text + len, "%s", i ? "|" : "")
                     : sprintf(text + len, "%shost-%d", i ? "|" : "", i);
    strcpy(text + len, "\"");
    return text;
}

static char *nested(int n)
{
    char *text = malloc((size_t)n * 2 + 16);
    assert_non_null(text);
    int len = sprintf(text, "i=~\"");
    for (int i = 0; i < n; i++)
        text[len++] = '(';
    text[len++] = 'a';
    for (int i = 0; i < n; i++)
        text[len++] = ')';
    strcpy(text + len, "\"");
    return text;
}

/* regcomp()'s memory grows with the square of a pattern's alternatives, and it recurses
 * into each group, as the cost estimate does: both are bounded, and the refusal says so. */
static void test_regex_alternatives_and_depth(void **state)
{
    (void)state;
    struct series_matcher m;
    char err[160];
    char *text = alternatives(50, 0);
    struct series_map map = {0};
    const char *matchers[1] = {text};
    assert_int_equal(series_map_add(&map, "m1", "t", "x", matchers, 1, err, sizeof err), 0);
    const struct series_label hit[] = {{"i", "host-49"}}, miss[] = {{"i", "host-50"}};
    assert_non_null(series_map_find(&map, hit, 1));
    assert_null(series_map_find(&map, miss, 1));
    series_map_free(&map);
    free(text);
    text = alternatives(1000, 1);
    assert_int_equal(series_matcher_parse(text, &m, err, sizeof err), 0);
    series_matcher_free(&m);
    free(text);
    text = alternatives(1001, 1);
    assert_int_equal(series_matcher_parse(text, &m, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "more than 1000 alternatives"));
    free(text);
    /* A repeated group's alternatives count once per copy regcomp makes of it. */
    assert_int_equal(series_matcher_parse("i=~\"(||){400}\"", &m, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "alternatives"));
    assert_int_equal(series_matcher_parse("i=~\"(a|b|c){4}\"", &m, err, sizeof err), 0);
    series_matcher_free(&m);
    /* Parts that may match nothing cost regcomp the square of their number. */
    char empty[3000] = "i=~\"";
    for (int i = 0; i < 1200; i++)
        strcat(empty, "()");
    strcat(empty, "\"");
    assert_int_equal(series_matcher_parse(empty, &m, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "repetitions"));
    text = nested(32);
    assert_int_equal(series_matcher_parse(text, &m, err, sizeof err), 0);
    series_matcher_free(&m);
    free(text);
    text = nested(20000); /* deep enough to overflow a recursive parser's stack */
    assert_int_equal(series_matcher_parse(text, &m, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "nested more than 32 deep"));
    free(text);
}

static void test_first_match(void **state)
{
    (void)state;
    struct series_map map = {0};
    char err[160];
    const char *load[] = {"__name__=node_load1", "instance=~\"db-.*\""};
    const char *any_load[] = {"__name__=~node_load.*"};
    const char *no_env[] = {"__name__=up", "env!~.+"};
    assert_int_equal(series_map_add(&map, "m1", "t-db", "load_db", load, 2, err, sizeof err), 0);
    assert_int_equal(series_map_add(&map, "m2", "t-all", "load", any_load, 1, err, sizeof err),
                     0);
    assert_int_equal(series_map_add(&map, "m3", "t-up", "up", no_env, 2, err, sizeof err), 0);
    const char *bad[] = {"ok=1", "=x"};
    assert_int_equal(series_map_add(&map, "m4", "t", "m", bad, 2, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "matchers[1]"));
    assert_int_equal(map.count, 3);

    struct series_label db[] = {{"__name__", "node_load1"}, {"instance", "db-1"}};
    struct series_label web[] = {{"__name__", "node_load1"}, {"instance", "web-1"}};
    struct series_label db_prefix_only[] = {{"__name__", "node_load1"}, {"instance", "xdb-1"}};
    struct series_label up[] = {{"__name__", "up"}};
    struct series_label up_prod[] = {{"__name__", "up"}, {"env", "prod"}};
    struct series_label other[] = {{"__name__", "node_cpu"}};
    assert_string_equal(series_map_find(&map, db, 2)->id, "m1");
    assert_string_equal(series_map_find(&map, web, 2)->id, "m2");
    assert_string_equal(series_map_find(&map, db_prefix_only, 2)->id, "m2"); /* anchored */
    assert_string_equal(series_map_find(&map, up, 1)->id, "m3"); /* absent label is "" */
    assert_null(series_map_find(&map, up_prod, 2));
    assert_null(series_map_find(&map, other, 1));
    series_map_free(&map);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_costly_regex_refused),
        cmocka_unit_test(test_regex_alternatives_and_depth),
        cmocka_unit_test(test_first_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
