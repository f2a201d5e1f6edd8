/* Unit tests of snapshot parsing and writing. */
#include "test_util.h"

#include <stdlib.h>

#define WORKED ENGINE_TEST_DATA "/worked-example.json"

static void test_worked_example_file(void **state)
{
    (void)state;
    char *text = test_slurp(WORKED);
    engine_model *m = load(text);
    free(text);
    engine_summary s;
    evaluate(m, T0, &s);
    assert_near(s.security_level, 45.0 / 92.0);
    assert_int_equal(s.maturity, 1);
    engine_control_figures f;
    control(m, "A.8.8", &f);
    assert_near(f.q, 16.0 / 23.0);
    assert_near(f.p, 0.2);
    assert_near(f.e, (0.25 + 0.5 * 16.0 / 23.0) * 0.8);
    model_free(m);
}

static void expect_error(const char *json, int code, const char *msg)
{
    engine_model *m = NULL;
    engine_error e = {{0}};
    bool has_at;
    int64_t at;
    int rc = engine_snapshot_parse(json, strlen(json), &m, &has_at, &at, &e);
    if (rc != code || strcmp(e.msg, msg) != 0) {
        print_error("got %d \"%s\", want %d \"%s\"\n", rc, e.msg, code, msg);
        model_free(m);
        fail();
    }
    assert_null(m);
}

#define DOC(rest)                                                                                  \
    "{\"format\": \"ims-snapshot/1\", \"systems\": [\"ISMS\", \"BCMS\"], "                         \
    "\"frameworks\": [{\"id\": \"F\", \"system\": \"ISMS\"}], "                                    \
    "\"controls\": [{\"id\": \"C\", \"framework\": \"F\"}, {\"id\": \"D\", \"framework\": "        \
    "\"F\"}]" rest "}"

static void test_errors_name_paths(void **state)
{
    (void)state;
    expect_error("{\"format\": \"ims-snapshot/1\",\n \"systems\": [}", IMS_EPARSE,
                 "2:14: unexpected token near '}'");
    expect_error("{\"systems\": []}", IMS_EINVAL, "$.format: missing");
    expect_error(DOC(", \"colour\": 1"), IMS_EINVAL, "$.colour: unknown key");
    expect_error("{\"format\": \"ims-snapshot/1\", \"systems\": [\"ISMS\"], "
                 "\"frameworks\": [{\"id\": \"F\", \"system\": \"ISMS\"}], "
                 "\"controls\": [{\"id\": \"C\", \"framework\": \"F\"}, "
                 "{\"id\": \"D\", \"framework\": \"F\"}, {\"id\": \"E\", \"framework\": \"F\"}, "
                 "{\"id\": \"G\", \"framework\": \"F\", \"weight\": 0}]}",
                 IMS_EINVAL, "$.controls[3].weight: must be > 0");
    expect_error(DOC(", \"params\": {\"beta\": 2}"), IMS_EINVAL,
                 "$.params.beta: must be in [0, 1]");
    expect_error(DOC(", \"params\": {\"system_weights\": {\"XMS\": 1}}"), IMS_EINVAL,
                 "$.params.system_weights.XMS: unknown key");
    expect_error(DOC(", \"subcontrols\": [{\"id\": \"s\", \"controls\": [\"C\", \"X\"], "
                     "\"level\": 1}]"),
                 IMS_ENOTFOUND, "$.subcontrols[0].controls[1]: unknown control \"X\"");
    expect_error(DOC(", \"subcontrols\": [{\"id\": \"s\", \"controls\": [\"C\", 3], "
                     "\"level\": 1}]"),
                 IMS_EINVAL, "$.subcontrols[0].controls[1]: must be a string");
    expect_error(DOC(", \"subcontrols\": [{\"id\": \"s\", \"controls\": [\"C\"], "
                     "\"level\": 4}]"),
                 IMS_EINVAL, "$.subcontrols[0].level: must be in 1..3");
    expect_error(DOC(", \"subcontrols\": [{\"id\": \"s\", \"controls\": [\"C\"], "
                     "\"level\": 1, \"answer\": \"maybe\"}]"),
                 IMS_EINVAL,
                 "$.subcontrols[0].answer: must be \"yes\", \"partial\", \"no\", \"na\" or null");
    expect_error(DOC(", \"samples\": [{\"metric\": \"m\", \"at\": \"2026-01-01T00:00:00Z\", "
                     "\"value\": 1}]"),
                 IMS_ENOTFOUND, "$.samples[0].metric: unknown metric \"m\"");
    expect_error(DOC(", \"metrics\": [{\"id\": \"m\", \"target\": 1, \"threshold\": 0, "
                     "\"aggregation\": \"last\", \"max_age\": 10, "
                     "\"controls\": [{\"control\": \"C\", \"weight\": \"1\"}]}]"),
                 IMS_EINVAL, "$.metrics[0].controls[0].weight: must be a number");
    expect_error(DOC(", \"metrics\": [{\"id\": \"m\", \"target\": 1, \"threshold\": 1, "
                     "\"aggregation\": \"last\", \"max_age\": 10}]"),
                 IMS_EINVAL, "$.metrics[0].threshold: must differ from target");
    expect_error(DOC(", \"samples\": [{\"metric\": \"m\", \"at\": \"2026-01-01 00:00\", "
                     "\"value\": 1}]"),
                 IMS_EINVAL,
                 "$.samples[0].at: must be an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)");
    expect_error("{\"format\": \"ims-snapshot/1\", \"systems\": [\"ISMS\"], "
                 "\"frameworks\": [{\"id\": \"F\", \"system\": \"ISMS\"}], "
                 "\"controls\": [{\"id\": \"C\", \"framework\": \"F\"}, "
                 "{\"id\": \"C\", \"framework\": \"F\"}]}",
                 IMS_EEXISTS, "$.controls[1].id: duplicate control \"C\"");
    expect_error(DOC(", \"processes\": [{\"id\": \"p\", \"criticality\": 2, \"mtpd_min\": 60, "
                     "\"rto_min\": 120}]"),
                 IMS_EINVAL, "$.processes[0].rto_min: must be <= mtpd_min");
    expect_error(DOC(", \"processes\": [{\"id\": \"p\", \"criticality\": 2, \"mtpd_min\": 60, "
                     "\"rto_min\": 60, \"exercises\": [{\"at\": \"2026-01-01T00:00:00Z\", "
                     "\"recovery_min\": -1}]}]"),
                 IMS_EINVAL, "$.processes[0].exercises[0].recovery_min: must be >= 0");
    expect_error(DOC(", \"findings\": [{\"id\": \"f\", \"type\": \"major_nc\", "
                     "\"controls\": [\"C\", \"C\"]}]"),
                 IMS_EINVAL, "$.findings[0].controls[1]: duplicate control \"C\"");
    expect_error(DOC(", \"threats\": [{\"id\": \"T\", \"likelihood\": 6, \"dimensions\": "
                     "[\"C\"]}]"),
                 IMS_EINVAL, "$.threats[0].likelihood: must be in [1, 5]");
    expect_error(DOC(", \"threats\": [{\"id\": \"T\", \"likelihood\": 2, \"dimensions\": "
                     "[\"X\"]}]"),
                 IMS_EINVAL, "$.threats[0].dimensions[0]: must be \"C\", \"I\" or \"A\"");
    expect_error(DOC(", \"asset_types\": [{\"id\": \"t\", \"threats\": [{\"threat\": \"T\", "
                     "\"degradation\": 0.5}]}]"),
                 IMS_ENOTFOUND, "$.asset_types[0].threats[0].threat: unknown threat \"T\"");
    expect_error(DOC(", \"incidents\": [{\"id\": \"i\", \"severity\": 3, \"opened_at\": "
                     "\"2026-01-02T00:00:00Z\", \"resolved_at\": \"2026-01-01T00:00:00Z\"}]"),
                 IMS_EINVAL, "$.incidents[0].resolved_at: must not be before opened_at");
    expect_error(DOC(", \"mitigations\": [{\"threat\": \"T\", \"control\": \"C\", "
                     "\"effectiveness\": 0.5}]"),
                 IMS_ENOTFOUND, "$.mitigations[0].threat: unknown threat \"T\"");
}

static char *write_snapshot(engine_model *m, bool has_at, int64_t at)
{
    char *out = NULL;
    assert_int_equal(engine_snapshot_write(m, has_at, at, &out), 0);
    return out;
}

static void round_trip(const char *text)
{
    engine_model *m = load(text);
    char *w1 = write_snapshot(m, true, T0);
    engine_model *m2 = load(w1);
    char *w2 = write_snapshot(m2, true, T0);
    assert_string_equal(w1, w2);
    engine_summary s1, s2;
    evaluate(m, T0, &s1);
    evaluate(m2, T0, &s2);
    assert_true(s1.security_level == s2.security_level);
    free(w1);
    free(w2);
    model_free(m);
    model_free(m2);
}

static void test_round_trip(void **state)
{
    (void)state;
    char *text = test_slurp(WORKED);
    round_trip(text);
    free(text);
    round_trip(
        "{\"format\": \"ims-snapshot/1\", \"at\": \"2026-06-01T00:00:00Z\","
        "\"params\": {\"beta\": 0.1, \"half_life_days\": 12.5, \"appetite\": 3},"
        "\"systems\": [\"ISMS\", \"BCMS\", \"RMS\"],"
        "\"frameworks\": [{\"id\": \"iso27001-2022\", \"system\": \"ISMS\"},"
        "{\"id\": \"iso22301\", \"system\": \"BCMS\"}, {\"id\": \"iso31000\", \"system\": "
        "\"RMS\"}],"
        "\"controls\": [{\"id\": \"A.8.7\", \"framework\": \"iso27001-2022\", \"domain\": \"8\"},"
        "{\"id\": \"9.2\", \"framework\": \"iso22301\", \"weight\": 0.3, \"applicable\": false},"
        "{\"id\": \"6.4\", \"framework\": \"iso31000\"}],"
        "\"subcontrols\": [{\"id\": \"audit\", \"controls\": [\"A.8.7\", \"9.2\", \"6.4\"], "
        "\"level\": 2, \"weight\": 0.1, \"effort\": 3, \"answer\": \"partial\"},"
        "{\"id\": \"x\", \"controls\": [\"A.8.7\"], \"level\": 1, \"answer\": null}],"
        "\"metrics\": [{\"id\": \"m\", \"target\": 0.1, \"threshold\": 0.7, \"aggregation\": "
        "\"max\", \"window\": 3600, \"max_age\": 7200, \"controls\": [{\"control\": \"A.8.7\", "
        "\"weight\": 0.3}]}],"
        "\"samples\": [{\"metric\": \"m\", \"at\": \"2026-05-31T23:30:00Z\", \"value\": 0.3},"
        "{\"metric\": \"m\", \"at\": \"2026-05-31T23:00:00Z\", \"value\": 0.2}],"
        "\"threats\": [{\"id\": \"T\", \"likelihood\": 2.5, \"dimensions\": [\"A\", \"C\"]}],"
        "\"asset_types\": [{\"id\": \"srv\", \"threats\": [{\"threat\": \"T\", \"degradation\": "
        "0.7}]}],"
        "\"assets\": [{\"id\": \"a1\", \"type\": \"srv\", \"C\": 1, \"I\": 2, \"A\": 3}],"
        "\"mitigations\": [{\"threat\": \"T\", \"control\": \"A.8.7\", \"effectiveness\": 0.35}],"
        "\"processes\": [{\"id\": \"billing\", \"criticality\": 4, \"mtpd_min\": 1440, "
        "\"rto_min\": 240, \"rpo_min\": 60, \"plan_reviewed_at\": \"2026-01-10T00:00:00Z\","
        "\"exercises\": [{\"at\": \"2026-03-01T00:00:00Z\", \"recovery_min\": 200}]}],"
        "\"incidents\": [{\"id\": \"I\", \"severity\": 2, \"threat\": \"T\", \"controls\": "
        "[\"6.4\"],"
        "\"assets\": [\"a1\"], \"processes\": [\"billing\"], \"opened_at\": "
        "\"2026-05-20T00:00:00Z\","
        "\"resolved_at\": null, \"disruption_minutes\": 300.5}],"
        "\"findings\": [{\"id\": \"F\", \"type\": \"opportunity\", \"controls\": [\"A.8.7\"], "
        "\"open\": false}]}");
}

/* ims-snapshot/2: artefacts, treatments, a computed metric and records survive
 * parse -> write -> parse -> write byte for byte; records come out canonical. */
#define V2                                                                                         \
    "{\"format\": \"ims-snapshot/2\", \"at\": \"2026-06-01T00:00:00Z\","                           \
    "\"params\": {\"evidence_weight\": 0.3, \"system_weights\": {\"SMS\": 0.4}},"                  \
    "\"systems\": [\"ISMS\", \"RMS\", \"SMS\"],"                                                   \
    "\"frameworks\": [{\"id\": \"iso27001-2022\", \"system\": \"ISMS\"},"                          \
    "{\"id\": \"iso20000-1-2018\", \"system\": \"SMS\"}],"                                         \
    "\"controls\": [{\"id\": \"A.8.7\", \"framework\": \"iso27001-2022\"},"                        \
    "{\"id\": \"8.2\", \"framework\": \"iso20000-1-2018\"}],"                                      \
    "\"subcontrols\": [{\"id\": \"x\", \"controls\": [\"A.8.7\", \"8.2\"], \"level\": 1, "         \
    "\"answer\": \"partial\"}],"                                                                   \
    "\"metrics\": [{\"id\": \"overdue\", \"target\": 0, \"threshold\": 5, \"aggregation\": "       \
    "\"last\", \"max_age\": 7200, \"source\": \"computed\"}, {\"id\": \"p\", \"target\": 1, "      \
    "\"threshold\": 0, \"aggregation\": \"last\", \"max_age\": 60, \"source\": \"pushed\"}],"      \
    "\"threats\": [{\"id\": \"T\", \"likelihood\": 2.5, \"dimensions\": [\"A\"]}],"                \
    "\"asset_types\": [{\"id\": \"srv\", \"threats\": [{\"threat\": \"T\", \"degradation\": "      \
    "0.7}]}],"                                                                                     \
    "\"assets\": [{\"id\": \"a1\", \"type\": \"srv\", \"C\": 1, \"I\": 2, \"A\": 3},"              \
    "{\"id\": \"a2\", \"type\": \"srv\", \"C\": 1, \"I\": 2, \"A\": 3}],"                          \
    "\"artefacts\": [{\"id\": \"ART.policy\", \"controls\": [\"A.8.7\", \"8.2\"], \"status\": "    \
    "\"approved\", \"review_due\": \"2027-01-10T00:00:00Z\"}, {\"id\": \"ART.plan\", \"status\": " \
    "\"missing\"}],"                                                                               \
    "\"treatments\": [{\"asset\": \"a1\", \"threat\": \"T\", \"decision\": \"transfer\", "         \
    "\"share\": 0.1}, {\"asset\": \"a2\", \"threat\": \"T\", \"decision\": \"avoid\"}],"           \
    "\"records\": {\"zeta\": [{\"id\": \"b\", \"n\": 0.1, \"k\": 3}], \"alpha\": "                 \
    "[{\"note\": \"caf\\u00e9\", \"x\": null, \"ok\": true, \"big\": 12345678901234}]}}"

static void test_v2_round_trip(void **state)
{
    (void)state;
    engine_model *m = NULL;
    engine_error e = {{0}};
    bool has_at;
    int64_t at;
    char *rec = NULL;
    assert_int_equal(engine_snapshot_parse_records(V2, strlen(V2), &m, &has_at, &at, &rec, &e), 0);
    assert_non_null(rec);
    assert_string_equal(rec, "{\"alpha\":[{\"big\":12345678901234,\"note\":\"caf\xc3\xa9\","
                             "\"ok\":true,\"x\":null}],\"zeta\":[{\"id\":\"b\",\"k\":3,"
                             "\"n\":0.10000000000000001}]}");
    char *w1 = NULL, *w2 = NULL, *rec2 = NULL;
    assert_int_equal(engine_snapshot_write_records(m, has_at, at, rec, &w1), 0);
    assert_non_null(strstr(w1, "\"format\": \"ims-snapshot/2\""));
    assert_non_null(strstr(w1, "\"source\": \"computed\""));
    assert_null(strstr(w1, "\"pushed\""));
    assert_non_null(strstr(w1, "\"evidence_weight\": 0.29999999999999999"));
    engine_model *m2 = NULL;
    assert_int_equal(engine_snapshot_parse_records(w1, strlen(w1), &m2, &has_at, &at, &rec2, &e),
                     0);
    assert_string_equal(rec, rec2);
    assert_int_equal(engine_snapshot_write_records(m2, has_at, at, rec2, &w2), 0);
    assert_string_equal(w1, w2);
    engine_summary s1, s2;
    evaluate(m, T0, &s1);
    evaluate(m2, T0, &s2);
    assert_true(s1.security_level == s2.security_level);
    assert_true(s1.rho == s2.rho);
    free(w1);
    free(w2);
    free(rec);
    free(rec2);
    model_free(m);
    model_free(m2);
    /* Without records the writer gives an empty object; /1 is still read. */
    m = load(DOC(""));
    w1 = write_snapshot(m, false, 0);
    assert_non_null(strstr(w1, "\"records\": {}"));
    assert_non_null(strstr(w1, "\"artefacts\": []"));
    free(w1);
    model_free(m);
}

static void test_v2_errors(void **state)
{
    (void)state;
    expect_error(DOC(", \"artefacts\": [{\"id\": \"X\", \"status\": \"approved\", \"owner\": 1}]"),
                 IMS_EINVAL, "$.artefacts[0].owner: unknown key");
    expect_error(DOC(", \"artefacts\": [{\"id\": \"X\", \"status\": \"done\"}]"), IMS_EINVAL,
                 "$.artefacts[0].status: must be \"missing\", \"draft\", \"approved\" or "
                 "\"obsolete\"");
    expect_error(DOC(", \"artefacts\": [{\"id\": \"X\", \"status\": \"draft\", \"controls\": "
                     "[\"Z\"]}]"),
                 IMS_ENOTFOUND, "$.artefacts[0].controls[0]: unknown control \"Z\"");
    expect_error(DOC(", \"artefacts\": [{\"id\": \"X\", \"status\": \"draft\"}, {\"id\": \"X\", "
                     "\"status\": \"draft\"}]"),
                 IMS_EEXISTS, "$.artefacts[1].id: duplicate artefact \"X\"");
    expect_error(DOC(", \"records\": []"), IMS_EINVAL, "$.records: must be an object");
    expect_error(DOC(", \"treatments\": [{\"asset\": \"a\", \"threat\": \"T\", \"decision\": "
                     "\"avoid\"}]"),
                 IMS_ENOTFOUND, "$.treatments[0].asset: unknown asset \"a\"");
    expect_error(DOC(", \"metrics\": [{\"id\": \"m\", \"target\": 1, \"threshold\": 0, "
                     "\"aggregation\": \"last\", \"max_age\": 5, \"source\": \"agent\"}]"),
                 IMS_EINVAL, "$.metrics[0].source: must be \"pushed\" or \"computed\"");
    expect_error("{\"format\": \"ims-snapshot/3\", \"systems\": []}", IMS_EINVAL,
                 "$.format: must be \"ims-snapshot/1\" or \"ims-snapshot/2\"");
    expect_error(DOC(", \"params\": {\"evidence_weight\": 1.5}"), IMS_EINVAL,
                 "$.params.evidence_weight: must be in [0, 1]");
}

static void test_time(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(engine_time_parse("2026-06-01T00:00:00Z", &t), 0);
    assert_true(t == T0);
    assert_int_equal(engine_time_parse("1970-01-01T00:00:00Z", &t), 0);
    assert_true(t == 0);
    assert_int_equal(engine_time_parse("2024-02-29T23:59:59Z", &t), 0);
    char buf[40];
    engine_time_format(t, buf, sizeof buf);
    assert_string_equal(buf, "2024-02-29T23:59:59Z");
    engine_time_format(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    assert_int_equal(engine_time_parse("2025-02-29T00:00:00Z", &t), IMS_EINVAL);
    assert_int_equal(engine_time_parse("2026-06-01T00:00:00+00:00", &t), IMS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example_file), cmocka_unit_test(test_errors_name_paths),
        cmocka_unit_test(test_round_trip),          cmocka_unit_test(test_time),
        cmocka_unit_test(test_v2_round_trip),       cmocka_unit_test(test_v2_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
