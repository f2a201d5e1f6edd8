/*
 * Unit tests of the model's second version, each figure computed by hand: the evidence
 * factor v_c, risk treatment (transfer, avoid), the SMS system, the plan's "make current"
 * action, the explanation's evidence drag, the artefact review as a due time, and
 * ims-snapshot/2 (records kept canonically, /1 still read).
 */
#include "test_util.h"

#include "plan.h"
#include "report.h"

#include <math.h>
#include <stdlib.h>

/* C1: a = 1, requires X1 (approved), X2 (draft), X3 (approved, review overdue since
 * T0 - 100 s); C2: a = 1, requires X4 (approved, review due at T0 exactly). */
#define EVIDENCE                                                                                   \
    "{\"format\": \"ims-snapshot/2\", \"systems\": [\"ISMS\"],"                                    \
    "\"frameworks\": [{\"id\": \"iso27001-2022\", \"system\": \"ISMS\"}],"                         \
    "\"controls\": [{\"id\": \"C1\", \"framework\": \"iso27001-2022\"},"                           \
    "{\"id\": \"C2\", \"framework\": \"iso27001-2022\"}],"                                         \
    "\"subcontrols\": [{\"id\": \"s1\", \"controls\": [\"C1\"], \"level\": 1, \"answer\": "        \
    "\"yes\"}, {\"id\": \"s2\", \"controls\": [\"C2\"], \"level\": 1, \"answer\": \"yes\"}],"      \
    "\"artefacts\": [{\"id\": \"X1\", \"controls\": [\"C1\"], \"status\": \"approved\"},"          \
    "{\"id\": \"X2\", \"controls\": [\"C1\"], \"status\": \"draft\"},"                             \
    "{\"id\": \"X3\", \"controls\": [\"C1\"], \"status\": \"approved\", \"review_due\": "          \
    "\"2026-05-31T23:58:20Z\"},"                                                                   \
    "{\"id\": \"X4\", \"controls\": [\"C2\"], \"status\": \"approved\", \"review_due\": "          \
    "\"2026-06-01T00:00:00Z\"}]}"

static void test_evidence_factor(void **state)
{
    (void)state;
    engine_model *m = load(EVIDENCE);
    engine_summary s;
    evaluate(m, T0, &s);
    engine_control_figures f;
    control(m, "C1", &f); /* v = 1/3, e = 1 (1 - 0.2 * 2/3) */
    assert_near(f.v, 1.0 / 3);
    assert_near(f.e, 1 - 0.4 / 3);
    control(m, "C2", &f); /* t <= review_due: current */
    assert_near(f.v, 1);
    assert_near(f.e, 1);
    assert_near(s.security_level, (1 - 0.4 / 3 + 1) / 2);

    /* One second later X4 is overdue: C2 has v = 0, e = 0.8. */
    evaluate(m, T0 + 1, &s);
    control(m, "C2", &f);
    assert_near(f.v, 0);
    assert_near(f.e, 0.8);

    /* Approving X2, then removing X3's review due time, moves C1 incrementally. */
    engine_error e;
    assert_int_equal(engine_artefact_set_status(m, "X2", ENGINE_ARTEFACT_APPROVED, &e), 0);
    evaluate(m, T0, &s);
    control(m, "C1", &f);
    assert_near(f.v, 2.0 / 3);
    assert_near(f.e, 1 - 0.2 / 3);
    assert_int_equal(engine_artefact_set_review_due(m, "X3", false, 0, &e), 0);
    evaluate(m, T0, &s);
    control(m, "C1", &f);
    assert_near(f.v, 1);
    assert_near(s.security_level, 1);
    assert_int_equal(engine_artefact_set_status(m, "X1", ENGINE_ARTEFACT_OBSOLETE, &e), 0);
    evaluate(m, T0, &s);
    control(m, "C1", &f);
    assert_near(f.v, 2.0 / 3);

    /* Replacing an artefact moves it between controls. */
    const char *c2[] = {"C2"};
    engine_artefact_input in = {"X1", c2, 1, ENGINE_ARTEFACT_MISSING, false, 0};
    assert_int_equal(engine_artefact_put(m, &in, &e), 0);
    evaluate(m, T0, &s);
    control(m, "C1", &f);
    assert_near(f.v, 1); /* X2, X3 current */
    control(m, "C2", &f);
    assert_near(f.v, 0.5); /* X4 current at T0, X1 missing */
    assert_near(f.e, 0.9);

    /* Errors name the field. */
    assert_int_equal(engine_artefact_set_status(m, "nope", ENGINE_ARTEFACT_DRAFT, &e),
                     IMS_ENOTFOUND);
    assert_string_equal(e.msg, "id: unknown artefact \"nope\"");
    const char *bad[] = {"C9"};
    engine_artefact_input bin = {"X9", bad, 1, ENGINE_ARTEFACT_DRAFT, false, 0};
    assert_int_equal(engine_artefact_put(m, &bin, &e), IMS_ENOTFOUND);
    assert_string_equal(e.msg, "controls[0]: unknown control \"C9\"");
    model_free(m);
}

static void test_evidence_weight_zero_and_due(void **state)
{
    (void)state;
    engine_model *m = load(EVIDENCE);
    /* The review of X4 falls due: the level moves at T0 + 1, a due time. */
    assert_true(engine_next_due(evaluated(m, T0 - 10), T0 - 10, 3600, 1e-4) == T0 + 1);
    assert_true(engine_next_due(evaluated(m, T0 + 1), T0 + 1, 3600, 1e-4) == INT64_MAX);
    model_free(m);
    /* eta = 0: evidence does not weigh. */
    char doc[4096];
    snprintf(doc, sizeof doc, "%s", EVIDENCE);
    const char *params = "\"params\": {\"evidence_weight\": 0},";
    char *p = strstr(doc, "\"systems\"");
    memmove(p + strlen(params), p, strlen(p) + 1);
    memcpy(p, params, strlen(params));
    m = load(doc);
    engine_summary s;
    evaluate(m, T0, &s);
    assert_near(s.security_level, 1);
    model_free(m);
}

static void test_plan_and_explain_evidence(void **state)
{
    (void)state;
    engine_model *m = load(EVIDENCE);
    const engine_eval *ev = evaluated(m, T0);
    /* C1 loses f (1 - e) with f = 1/2: all of it evidence drag, 0.5 * 0.2 * 2/3. */
    engine_explanation x[2];
    size_t n;
    assert_int_equal(engine_explain(ev, 2, x, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(x[0].id, "C1");
    assert_near(x[0].loss, 0.5 * 0.4 / 3);
    assert_near(x[0].evidence_drag, 0.5 * 0.4 / 3);
    assert_near(x[0].finding_cap, 0);
    assert_near(x[0].assessment_gap + x[0].metric_drag + x[0].incident_penalty +
                    x[0].evidence_drag + x[0].finding_cap,
                x[0].loss);
    assert_near(x[1].loss, 0);
    /* Plan: X2 and X3 each give dSL = 0.5 * 0.2 / 3 for effort 1; tie -> lower id. */
    engine_plan_step st[4];
    assert_int_equal(engine_plan(ev, 4, st, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(st[0].action, ENGINE_ACTION_MAKE_CURRENT);
    assert_string_equal(st[0].id, "X2");
    assert_int_equal(st[0].level, 0);
    assert_near(st[0].effort, 1);
    assert_near(st[0].delta, 0.1 / 3);
    assert_string_equal(st[1].id, "X3");
    assert_near(st[1].security_level, 1);
    char *text = NULL;
    assert_int_equal(engine_plan_write(ev, 1, &text), 0);
    assert_non_null(strstr(text, "\"artefact\": \"X2\""));
    assert_non_null(strstr(text, "\"make_current\""));
    free(text);
    model_free(m);
}

/* RMS only: threat T (likelihood 3, C I A), servers degrade 0.8; srv-1 (max 5): I = 4,
 * srv-2 (max 2): I = 1.6; control R1 (e = 1) mitigates T by 0.6: lambda_r = 1.2. */
#define RISK(treatments)                                                                           \
    "{\"format\": \"ims-snapshot/2\", \"systems\": [\"RMS\"],"                                     \
    "\"frameworks\": [{\"id\": \"iso31000-2018\", \"system\": \"RMS\"}],"                          \
    "\"controls\": [{\"id\": \"R1\", \"framework\": \"iso31000-2018\"}],"                          \
    "\"subcontrols\": [{\"id\": \"r1\", \"controls\": [\"R1\"], \"level\": 1, \"answer\": "        \
    "\"yes\"}],"                                                                                   \
    "\"threats\": [{\"id\": \"T\", \"likelihood\": 3, \"dimensions\": [\"C\", \"I\", \"A\"]}],"    \
    "\"asset_types\": [{\"id\": \"server\", \"threats\": [{\"threat\": \"T\", \"degradation\": "   \
    "0.8}]}],"                                                                                     \
    "\"assets\": [{\"id\": \"srv-1\", \"type\": \"server\", \"C\": 4, \"I\": 3, \"A\": 5},"        \
    "{\"id\": \"srv-2\", \"type\": \"server\", \"C\": 2, \"I\": 2, \"A\": 2}],"                    \
    "\"mitigations\": [{\"threat\": \"T\", \"control\": \"R1\", \"effectiveness\": 0.6}],"         \
    "\"treatments\": [" treatments "]}"

typedef struct pair_list {
    engine_pair_figures v[4];
    int n;
} pair_list;

static void keep_pair(void *ctx, const engine_pair_figures *p)
{
    pair_list *l = ctx;
    if (l->n < 4)
        l->v[l->n++] = *p;
}

static void test_transfer(void **state)
{
    (void)state;
    /* srv-1 transferred with the default share 0.5: I_r = 2, R = 2.4, R0 = 12; srv-2:
     * R = 1.92, R0 = 4.8; rho = 1 - 4.32 / 16.8. */
    engine_model *m = load(RISK("{\"asset\": \"srv-1\", \"threat\": \"T\", \"decision\": "
                                "\"transfer\"}"));
    engine_summary s;
    evaluate(m, T0, &s);
    assert_true(s.has_pairs);
    assert_int_equal(s.pair_count, 2);
    assert_near(s.rho, 1 - 4.32 / 16.8);
    assert_near(s.security_level, 0.5 * 1 + 0.5 * (1 - 4.32 / 16.8));
    pair_list l = {0};
    engine_pairs_foreach(eval_of(m), keep_pair, &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[0].treatment, ENGINE_TREAT_TRANSFER);
    assert_near(l.v[0].impact, 4);
    assert_near(l.v[0].residual_impact, 2);
    assert_near(l.v[0].residual_likelihood, 1.2);
    assert_near(l.v[0].inherent, 12);
    assert_near(l.v[0].residual, 2.4);
    assert_int_equal(l.v[0].level, 2); /* grid at (2, 2) */
    assert_int_equal(l.v[1].treatment, ENGINE_TREAT_NONE);
    assert_near(l.v[1].residual_impact, 1.6);

    /* Transfer all of srv-1 (share 1) incrementally: I_r = 0, level from impact 1. */
    engine_error e;
    assert_int_equal(engine_treatment_set(m, "srv-1", "T", ENGINE_TREAT_TRANSFER, 1, &e), 0);
    evaluate(m, T0, &s);
    assert_near(s.rho, 1 - 1.92 / 16.8);
    assert_int_equal(engine_treatment_set(m, "srv-1", "T", ENGINE_TREAT_TRANSFER, 1.5, &e),
                     IMS_EINVAL);
    assert_string_equal(e.msg, "share: must be in [0, 1]");
    /* Mitigate and accept leave the figures. */
    assert_int_equal(engine_treatment_set(m, "srv-1", "T", ENGINE_TREAT_ACCEPT, 0, &e), 0);
    evaluate(m, T0, &s);
    assert_near(s.rho, 1 - (4.8 + 1.92) / 16.8);
    assert_int_equal(engine_treatment_set(m, "srv-2", "T", ENGINE_TREAT_MITIGATE, 0, &e), 0);
    evaluate(m, T0, &s);
    assert_near(s.rho, 1 - (4.8 + 1.92) / 16.8);
    model_free(m);
}

static void test_avoid(void **state)
{
    (void)state;
    engine_model *m = load(RISK("{\"asset\": \"srv-2\", \"threat\": \"T\", \"decision\": "
                                "\"avoid\"}"));
    engine_summary s;
    evaluate(m, T0, &s);
    /* srv-2 leaves both sums: rho = 1 - 4.8 / 12 = 0.6; it is still reported. */
    assert_int_equal(s.pair_count, 1);
    assert_near(s.rho, 0.6);
    pair_list l = {0};
    engine_pairs_foreach(eval_of(m), keep_pair, &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[1].treatment, ENGINE_TREAT_AVOID);
    assert_near(l.v[1].residual_impact, 1.6);
    assert_near(l.v[1].residual, 1.6 * 1.2);
    /* Both avoided: no pair is left, score(RMS) is the framework's alone. */
    engine_error e;
    assert_int_equal(engine_treatment_set(m, "srv-1", "T", ENGINE_TREAT_AVOID, 0, &e), 0);
    evaluate(m, T0, &s);
    assert_false(s.has_pairs);
    assert_int_equal(s.pair_count, 0);
    assert_near(s.system_score[ENGINE_RMS], 1);
    /* No decision again: back in. Removing the asset drops its treatment. */
    assert_int_equal(engine_treatment_set(m, "srv-1", "T", ENGINE_TREAT_NONE, 0, &e), 0);
    assert_int_equal(engine_asset_remove(m, "srv-2", &e), 0);
    evaluate(m, T0, &s);
    assert_int_equal(s.pair_count, 1);
    assert_near(s.rho, 0.6);
    engine_asset_input a = {"srv-2", "server", 2, 2, 2};
    assert_int_equal(engine_asset_put(m, &a, &e), 0);
    evaluate(m, T0, &s);
    assert_int_equal(s.pair_count, 2); /* the removed asset's avoid decision is gone */
    char *text = NULL;
    assert_int_equal(engine_snapshot_write(m, false, 0, &text), 0);
    assert_non_null(strstr(text, "\"treatments\": []"));
    free(text);
    assert_int_equal(engine_treatment_set(m, "srv-9", "T", ENGINE_TREAT_AVOID, 0, &e),
                     IMS_ENOTFOUND);
    assert_string_equal(e.msg, "asset: unknown asset \"srv-9\"");
    model_free(m);
}

static void test_sms(void **state)
{
    (void)state;
    /* ISMS (a = 1, weight 0.5) and SMS (ISO/IEC 20000-1, a = 0.5, weight 0.25):
     * SL = (0.5 * 1 + 0.25 * 0.5) / 0.75. */
    engine_model *m =
        load("{\"format\": \"ims-snapshot/2\", \"systems\": [\"ISMS\", \"SMS\"],"
             "\"frameworks\": [{\"id\": \"iso27001-2022\", \"system\": \"ISMS\"},"
             "{\"id\": \"iso20000-1-2018\", \"system\": \"SMS\"}],"
             "\"controls\": [{\"id\": \"A.5.1\", \"framework\": \"iso27001-2022\"},"
             "{\"id\": \"8.2\", \"framework\": \"iso20000-1-2018\"}],"
             "\"subcontrols\": [{\"id\": \"i1\", \"controls\": [\"A.5.1\"], \"level\": 1, "
             "\"answer\": \"yes\"}, {\"id\": \"s1\", \"controls\": [\"8.2\"], \"level\": 1, "
             "\"answer\": \"partial\"}]}");
    engine_summary s;
    evaluate(m, T0, &s);
    assert_true(s.system_included[ENGINE_SMS]);
    assert_near(s.system_score[ENGINE_SMS], 0.5);
    assert_near(s.security_level, 0.625 / 0.75);
    /* The explanation gives 8.2 f = 0.25 / 0.75. */
    engine_explanation x[2];
    size_t n;
    assert_int_equal(engine_explain(eval_of(m), 2, x, &n), 0);
    assert_string_equal(x[0].id, "8.2");
    assert_int_equal(x[0].system, ENGINE_SMS);
    assert_near(x[0].loss, 0.25 / 0.75 * 0.5);
    model_free(m);
    /* Not enabled: left out. */
    m = load("{\"format\": \"ims-snapshot/2\", \"systems\": [\"ISMS\"],"
             "\"params\": {\"system_weights\": {\"SMS\": 2}},"
             "\"frameworks\": [{\"id\": \"iso20000-1-2018\", \"system\": \"SMS\"}],"
             "\"controls\": [{\"id\": \"8.2\", \"framework\": \"iso20000-1-2018\"}],"
             "\"subcontrols\": [{\"id\": \"s1\", \"controls\": [\"8.2\"], \"level\": 1, "
             "\"answer\": \"partial\"}]}");
    evaluate(m, T0, &s);
    assert_false(s.system_included[ENGINE_SMS]);
    assert_near(s.security_level, 0);
    model_free(m);
}

static void test_eval_output(void **state)
{
    (void)state;
    engine_model *m = load(RISK("{\"asset\": \"srv-1\", \"threat\": \"T\", \"decision\": "
                                "\"transfer\", \"share\": 0.25}"));
    char *text = NULL;
    assert_int_equal(engine_evaluation_write(evaluated(m, T0), &text), 0);
    assert_non_null(strstr(text, "\"treatment\": \"transfer\""));
    assert_non_null(strstr(text, "\"residual_impact\": 3.0"));
    assert_non_null(strstr(text, "\"treatment\": null"));
    assert_non_null(strstr(text, "\"v\": 1.0"));
    free(text);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evidence_factor),
        cmocka_unit_test(test_evidence_weight_zero_and_due),
        cmocka_unit_test(test_plan_and_explain_evidence),
        cmocka_unit_test(test_transfer),
        cmocka_unit_test(test_avoid),
        cmocka_unit_test(test_sms),
        cmocka_unit_test(test_eval_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
