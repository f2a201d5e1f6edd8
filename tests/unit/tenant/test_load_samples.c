/* Unit tests of the window's samples a load reads beside its document: added as number
 * lists grouped by metric, a model holds exactly what the same samples listed in the
 * document give (its written snapshot is the same, sample for sample); malformed lists and
 * unknown metrics are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ims/error.h"
#include "load_samples.h"
#include "snapshot.h"

/* Two metrics, no samples; "%s" is where the samples array goes. */
static const char doc[] =
    "{\"format\": \"ims-snapshot/1\", \"at\": \"2026-06-01T00:00:00Z\","
    " \"systems\": [\"ISMS\"], \"frameworks\": [{\"id\": \"f\", \"system\": \"ISMS\"}],"
    " \"controls\": [{\"id\": \"A.8.8\", \"framework\": \"f\", \"domain\": \"8\", \"weight\": 1,"
    " \"applicable\": true}],"
    " \"metrics\": [{\"id\": \"backup\", \"target\": 100, \"threshold\": 90, \"aggregation\":"
    " \"mean\", \"window\": 604800, \"max_age\": 172800, \"controls\": [{\"control\": \"A.8.8\","
    " \"weight\": 1}]}, {\"id\": \"patch\", \"target\": 7, \"threshold\": 30, \"aggregation\":"
    " \"last\", \"window\": 86400, \"max_age\": 172800, \"controls\": [{\"control\": \"A.8.8\","
    " \"weight\": 1}]}],"
    " \"samples\": [%s]}";

static engine_model *parse(const char *samples)
{
    char text[4096];
    snprintf(text, sizeof text, doc, samples);
    engine_model *m = NULL;
    bool has_at;
    int64_t at;
    engine_error e = {{0}};
    assert_int_equal(engine_snapshot_parse(text, strlen(text), &m, &has_at, &at, &e), 0);
    return m;
}

static char *written(const engine_model *m)
{
    char *out = NULL;
    assert_int_equal(engine_snapshot_write(m, false, 0, &out), 0);
    return out;
}

static void test_lists_give_the_documents_samples(void **state)
{
    (void)state;
    /* In the document: interleaved by time, two of "patch" at one second (the later one
     * counts), "backup" out of time order, a value needing every digit. */
    engine_model *listed = parse(
        "{\"metric\": \"patch\", \"at\": \"2026-05-31T10:00:00Z\", \"value\": 25},"
        "{\"metric\": \"backup\", \"at\": \"2026-05-31T10:00:00Z\", \"value\": 92.5},"
        "{\"metric\": \"patch\", \"at\": \"2026-05-31T10:00:00Z\", \"value\": 9},"
        "{\"metric\": \"backup\", \"at\": \"2026-05-30T10:00:00Z\", \"value\": 0.1},"
        "{\"metric\": \"backup\", \"at\": \"2026-05-31T11:00:00Z\", \"value\": 97.125}");
    /* The same as lists: each metric's samples in the document's order, metrics by id. */
    engine_model *apart = parse("");
    engine_error e = {{0}};
    assert_int_equal(tenant_load_samples(apart, "[\"backup\", \"patch\"]", "{3,2}",
                                         "{1780221600,1780135200,1780225200,1780221600,1780221600}",
                                         "{92.5,0.1,97.125,25,9}", &e),
                     0);
    char *a = written(listed), *b = written(apart);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "97.125"));
    free(a);
    free(b);
    engine_model_free(listed);
    engine_model_free(apart);
}

static void test_empty_lists_add_nothing(void **state)
{
    (void)state;
    engine_model *m = parse(""), *ref = parse("");
    engine_error e = {{0}};
    assert_int_equal(tenant_load_samples(m, "[]", "{}", "{}", "{}", &e), 0);
    char *a = written(m), *b = written(ref);
    assert_string_equal(a, b);
    free(a);
    free(b);
    engine_model_free(m);
    engine_model_free(ref);
}

static void refused(const char *metrics, const char *counts, const char *ats, const char *vals,
                    int want)
{
    engine_model *m = parse("");
    engine_error e = {{0}};
    assert_int_equal(tenant_load_samples(m, metrics, counts, ats, vals, &e), want);
    assert_non_null(strstr(e.msg, "window samples"));
    engine_model_free(m);
}

static void test_malformed_lists_are_refused(void **state)
{
    (void)state;
    refused("[\"patch\"", "{1}", "{1780221600}", "{9}", IMS_EPARSE);          /* not JSON */
    refused("{\"patch\": 1}", "{1}", "{1780221600}", "{9}", IMS_EPARSE);      /* not an array */
    refused("[\"patch\"]", "{1,1}", "{1780221600}", "{9}", IMS_EPARSE);       /* counts */
    refused("[\"patch\"]", "{2}", "{1780221600}", "{9}", IMS_EPARSE);         /* sum */
    refused("[\"patch\"]", "{1}", "{1780221600}", "{9,10}", IMS_EPARSE);      /* values */
    refused("[\"patch\"]", "{1}", "{17802x1600}", "{9}", IMS_EPARSE);         /* a time */
    refused("[\"patch\"]", "{1}", "{1780221600}", "{nine}", IMS_EPARSE);      /* a value */
    refused("[\"patch\"]", "{-1}", "{1780221600}", "{9}", IMS_EPARSE);        /* negative */
    refused("[7]", "{1}", "{1780221600}", "{9}", IMS_EPARSE);                 /* an id */
    refused("[\"nope\"]", "{1}", "{1780221600}", "{9}", IMS_ENOTFOUND);       /* unknown */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists_give_the_documents_samples),
        cmocka_unit_test(test_empty_lists_add_nothing),
        cmocka_unit_test(test_malformed_lists_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
