/* Unit tests of the model's formulas (SECURITY-LEVEL.md sections 3-10). */
#include "test_util.h"

#include "plan.h"
#include "snapshot.h"

#include <math.h>
#include <stdlib.h>

/* The worked example, built through the public API as the daemon does. */
static engine_model *worked_example(void)
{
    engine_params p;
    engine_params_default(&p);
    p.system_weight[ENGINE_ISMS] = 1;
    engine_model *m;
    engine_error e;
    assert_int_equal(engine_model_new(&p, 1u << ENGINE_ISMS, &m, &e), 0);
    assert_int_equal(engine_framework_add(m, "iso27001-2022", ENGINE_ISMS, &e), 0);
    const struct {
        const char *id, *domain;
        double w;
    } cs[] = {{"A.5.1", "5", 1}, {"A.8.8", "8", 2}, {"A.8.13", "8", 1}};
    for (int i = 0; i < 3; i++) {
        engine_control_input c = {cs[i].id, "iso27001-2022", cs[i].domain, cs[i].w, true};
        assert_int_equal(engine_control_add(m, &c, &e), 0);
    }
    const struct {
        const char *id, *control;
        int level;
        double w;
        enum engine_answer a;
    } ss[] = {{"A.5.1-1", "A.5.1", 1, 1, ENGINE_ANSWER_YES},
              {"A.5.1-2", "A.5.1", 2, 1, ENGINE_ANSWER_PARTIAL},
              {"A.8.8-1", "A.8.8", 1, 1, ENGINE_ANSWER_YES},
              {"A.8.8-2", "A.8.8", 1, 1, ENGINE_ANSWER_YES},
              {"A.8.8-3", "A.8.8", 2, 2, ENGINE_ANSWER_NO},
              {"A.8.13-1", "A.8.13", 1, 1, ENGINE_ANSWER_PARTIAL},
              {"A.8.13-2", "A.8.13", 3, 1, ENGINE_ANSWER_NO}};
    for (int i = 0; i < 7; i++) {
        const char *ctl[] = {ss[i].control};
        engine_subcontrol_input s = {ss[i].id, ctl, 1, ss[i].level, ss[i].w, 0, ss[i].a, true};
        assert_int_equal(engine_subcontrol_add(m, &s, &e), 0);
    }
    engine_metric_mapping map = {"A.8.8", 1};
    engine_metric_input mi = {
        "patch_latency_days", 7, 30, ENGINE_AGG_LAST, 86400, 172800, &map, 1, false};
    assert_int_equal(engine_metric_add(m, &mi, &e), 0);
    assert_int_equal(engine_sample_add(m, "patch_latency_days", T0 - 43200, 14, &e), 0);
    const char *ictl[] = {"A.8.8"};
    engine_incident_input inc = {.id = "INC-1",
                                 .severity = 4,
                                 .controls = ictl,
                                 .control_count = 1,
                                 .opened_at = T0 - DAYS(42),
                                 .resolved = true,
                                 .resolved_at = T0 - DAYS(30)};
    assert_int_equal(engine_incident_put(m, &inc, &e), 0);
    const char *fctl[] = {"A.8.13"};
    engine_finding_input f = {"F-1", ENGINE_FINDING_MINOR_NC, fctl, 1, true};
    assert_int_equal(engine_finding_put(m, &f, &e), 0);
    return m;
}

static void test_worked_example(void **state)
{
    (void)state;
    engine_model *m = worked_example();
    engine_summary s;
    evaluate(m, T0, &s);
    assert_near(s.security_level, 0.489130434782608 + 0.0000000000000007);
    assert_true(fabs(s.security_level - 45.0 / 92.0) < 1e-15);
    assert_int_equal(s.maturity, 1);
    engine_control_figures f;
    control(m, "A.5.1", &f);
    assert_near(f.a, 0.75);
    assert_false(f.has_q);
    assert_near(f.p, 0);
    assert_near(f.e, 0.75);
    control(m, "A.8.8", &f);
    assert_near(f.a, 0.5);
    assert_true(f.has_q);
    assert_near(f.q, 16.0 / 23.0);
    assert_near(f.b, 0.25 + 0.5 * 16.0 / 23.0);
    assert_near(f.p, 0.2);
    assert_near(f.cap, 1);
    assert_near(f.e, (0.25 + 0.5 * 16.0 / 23.0) * 0.8);
    control(m, "A.8.13", &f);
    assert_near(f.a, 0.25);
    assert_near(f.cap, 0.75);
    assert_near(f.e, 0.25);
    engine_framework_figures ff;
    engine_framework_get(eval_of(m), 0, &ff);
    assert_near(ff.score, 45.0 / 92.0);
    assert_near(ff.assessed, 0.5);
    assert_int_equal(ff.maturity, 1);
    model_free(m);
}

/* A snapshot head: one ISMS framework. */
#define HEAD                                                                                       \
    "{\"format\": \"ims-snapshot/1\", \"systems\": [\"ISMS\"], "                                   \
    "\"frameworks\": [{\"id\": \"F\", \"system\": \"ISMS\"}], "

static void test_no_subcontrols_and_all_excluded(void **state)
{
    (void)state;
    engine_model *m = load(
        HEAD "\"controls\": [{\"id\": \"C1\", \"framework\": \"F\"},"
             "{\"id\": \"C2\", \"framework\": \"F\"},"
             "{\"id\": \"C3\", \"framework\": \"F\"}],"
             "\"subcontrols\": ["
             "{\"id\": \"s1\", \"controls\": [\"C2\"], \"level\": 1, \"answer\": \"na\"},"
             "{\"id\": \"s2\", \"controls\": [\"C2\"], \"level\": 1, \"applicable\": false},"
             "{\"id\": \"s3\", \"controls\": [\"C3\"], \"level\": 1, \"answer\": \"partial\"}]}");
    engine_summary s;
    evaluate(m, T0, &s);
    engine_control_figures f;
    control(m, "C1", &f); /* no sub-control: excluded */
    assert_false(f.applicable);
    control(m, "C2", &f); /* all excluded */
    assert_false(f.applicable);
    control(m, "C3", &f);
    assert_true(f.applicable);
    assert_near(s.security_level, 0.5);
    /* Excluding the last control leaves nothing to score: SL = 0, ISMS left out. */
    engine_error e;
    assert_int_equal(engine_control_set_applicable(m, "C3", false, &e), 0);
    evaluate(m, T0, &s);
    assert_false(s.system_included[ENGINE_ISMS]);
    assert_near(s.security_level, 0);
    assert_int_equal(s.maturity, 3); /* no level has a sub-control: all met */
    model_free(m);
}

static const char *metric_doc(const char *metric, const char *sample_at, double value)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             HEAD "\"controls\": [{\"id\": \"C\", \"framework\": \"F\"}],"
                  "\"subcontrols\": [{\"id\": \"s\", \"controls\": [\"C\"], \"level\": 1, "
                  "\"answer\": \"yes\"}], \"metrics\": [%s],"
                  "\"samples\": [{\"metric\": \"m\", \"at\": \"%s\", \"value\": %.17g}]}",
             metric, sample_at, value);
    return buf;
}

static void test_metric_states(void **state)
{
    (void)state;
    const char *lower = "{\"id\": \"m\", \"target\": 7, \"threshold\": 30, \"aggregation\": "
                        "\"last\", \"max_age\": 172800, \"controls\": [{\"control\": \"C\"}]}";
    /* Not deployed: the only sample is after t. */
    engine_model *m = load(metric_doc(lower, "2026-06-02T00:00:00Z", 14));
    engine_summary s;
    evaluate(m, T0, &s);
    engine_control_figures f;
    control(m, "C", &f);
    assert_false(f.has_q);
    assert_near(f.b, 1);
    model_free(m);
    /* Stale: older than max_age, q = 0 and it drags. */
    m = load(metric_doc(lower, "2026-05-29T23:59:59Z", 14));
    evaluate(m, T0, &s);
    control(m, "C", &f);
    assert_true(f.has_q);
    assert_near(f.q, 0);
    assert_near(f.b, 0.5);
    /* Exactly max_age old is not stale. */
    evaluate(m, T0 - 1, &s);
    control(m, "C", &f);
    assert_near(f.q, 16.0 / 23.0);
    model_free(m);
    /* T > K (higher is better), clamped at both ends. */
    const char *higher = "{\"id\": \"m\", \"target\": 99, \"threshold\": 90, \"aggregation\": "
                         "\"mean\", \"window\": 86400, \"max_age\": 86400, "
                         "\"controls\": [{\"control\": \"C\"}]}";
    m = load(metric_doc(higher, "2026-05-31T12:00:00Z", 96));
    evaluate(m, T0, &s);
    control(m, "C", &f);
    assert_near(f.q, 6.0 / 9.0);
    engine_error e;
    assert_int_equal(engine_sample_add(m, "m", T0 - 10, 100, &e), 0);
    evaluate(m, T0, &s);
    control(m, "C", &f);
    assert_near(f.q, 8.0 / 9.0); /* mean 98 */
    assert_int_equal(engine_sample_add(m, "m", T0 - 5, 0, &e), 0);
    evaluate(m, T0, &s);
    control(m, "C", &f);
    assert_near(f.q, 0); /* mean 65.33 < K */
    /* A sample exactly `window` old has left the window: mean of 100 and 0 is 50. */
    assert_int_equal(engine_sample_add(m, "m", T0 - 4, 96, &e), 0);
    evaluate(m, T0 - 43200 + 86400, &s);
    control(m, "C", &f);
    assert_near(f.q, 0); /* mean(100, 0, 96) = 65.3 < K */
    model_free(m);
}

/* A merging model keeps a second's samples as one entry: the later value for last, the
 * smaller and larger for min and max, the sum and count for mean; hand-computed q. */
static void test_merged_seconds(void **state)
{
    (void)state;
    static const char *agg[] = {"last", "mean", "min", "max"};
    /* 80 at T0-5 (in the document), then 100 at T0-5, then a batch: 70 at T0-2, 60 at
     * T0-5, 90 at T0-2. */
    static const double want[] = {
        (90 - 50) / 50.0,                  /* last: 90 */
        ((80 + 100 + 60 + 70 + 90) / 5.0 - 50) / 50.0, /* mean: 80 */
        (60 - 50) / 50.0,                  /* min: 60 */
        (100 - 50) / 50.0,                 /* max: 100 */
    };
    for (size_t k = 0; k < 4; k++) {
        char def[256];
        snprintf(def, sizeof def,
                 "{\"id\": \"m\", \"target\": 100, \"threshold\": 50, \"aggregation\": "
                 "\"%s\", \"window\": 3600, \"max_age\": 86400, "
                 "\"controls\": [{\"control\": \"C\"}]}",
                 agg[k]);
        engine_model *m = load(metric_doc(def, "2026-05-31T23:59:55Z", 80));
        assert_int_equal(engine_samples_merge(m), 0);
        engine_error e;
        assert_int_equal(engine_sample_add(m, "m", T0 - 5, 100, &e), 0);
        const char *names[3] = {"m", "m", "m"};
        const int64_t at[3] = {T0 - 2, T0 - 5, T0 - 2};
        const double v[3] = {70, 60, 90};
        size_t bad;
        assert_int_equal(engine_samples_add(m, 3, names, at, v, &bad, &e), 0);
        engine_summary s;
        engine_control_figures f;
        evaluate(m, T0, &s);
        control(m, "C", &f);
        assert_near(f.q, want[k]);
        /* Before T0-2 only the first second counts. */
        evaluate(m, T0 - 3, &s);
        control(m, "C", &f);
        double first[] = {(60 - 50) / 50.0, ((80 + 100 + 60) / 3.0 - 50) / 50.0, (60 - 50) / 50.0,
                          (100 - 50) / 50.0};
        assert_near(f.q, first[k]);
        /* Two seconds held: more samples in them do not grow the model. */
        size_t bytes = engine_model_bytes(m);
        for (int i = 0; i < 1000; i++)
            assert_int_equal(engine_sample_add(m, "m", T0 - 2 - 3 * (i % 2), i % 97, &e), 0);
        assert_int_equal(engine_model_bytes(m), bytes);
        model_free(m);
    }
}

static void test_incidents(void **state)
{
    (void)state;
    engine_model *m =
        load(HEAD "\"controls\": [{\"id\": \"C\", \"framework\": \"F\"}],"
                  "\"subcontrols\": [{\"id\": \"s\", \"controls\": [\"C\"], \"level\": 1, "
                  "\"answer\": \"yes\"}],"
                  "\"incidents\": [{\"id\": \"I1\", \"severity\": 5, \"controls\": [\"C\"],"
                  "\"opened_at\": \"2026-05-01T00:00:00Z\"}]}");
    engine_summary s;
    engine_control_figures f;
    evaluate(m, T0, &s);
    control(m, "C", &f);
    assert_near(f.p, 0.5);          /* unresolved: gamma * 5/5 */
    evaluate(m, T0 - DAYS(40), &s); /* before it opened */
    control(m, "C", &f);
    assert_near(f.p, 0);
    engine_error e;
    assert_int_equal(engine_incident_resolve(m, "I1", T0 - DAYS(60), &e), IMS_EINVAL);
    assert_int_equal(engine_incident_resolve(m, "I1", T0 - DAYS(30), &e), 0);
    evaluate(m, T0, &s);
    control(m, "C", &f);
    assert_near(f.p, 0.25); /* one half-life */
    evaluate(m, T0 + DAYS(30), &s);
    control(m, "C", &f);
    assert_near(f.p, 0.125);
    evaluate(m, T0 - DAYS(31), &s); /* resolved after t: still unresolved */
    control(m, "C", &f);
    assert_near(f.p, 0.5);
    /* A second incident via a threat mitigated by C; naming C as well counts once. */
    model_free(m);
    m = load("{\"format\": \"ims-snapshot/1\", \"systems\": [\"ISMS\"],"
             "\"frameworks\": [{\"id\": \"F\", \"system\": \"ISMS\"}],"
             "\"controls\": [{\"id\": \"C\", \"framework\": \"F\"}],"
             "\"subcontrols\": [{\"id\": \"s\", \"controls\": [\"C\"], \"level\": 1, \"answer\": "
             "\"yes\"}],"
             "\"threats\": [{\"id\": \"T\", \"likelihood\": 2, \"dimensions\": [\"A\"]}],"
             "\"mitigations\": [{\"threat\": \"T\", \"control\": \"C\", \"effectiveness\": 0.5}],"
             "\"incidents\": [{\"id\": \"I1\", \"severity\": 5, \"threat\": \"T\", \"controls\": "
             "[\"C\"],"
             "\"opened_at\": \"2026-05-01T00:00:00Z\"},"
             "{\"id\": \"I2\", \"severity\": 5, \"threat\": \"T\","
             "\"opened_at\": \"2026-05-01T00:00:00Z\"}]}");
    evaluate(m, T0, &s);
    control(m, "C", &f);
    assert_near(f.p, 0.75);
    model_free(m);
}

static void test_findings(void **state)
{
    (void)state;
    engine_model *m =
        load(HEAD "\"controls\": [{\"id\": \"C\", \"framework\": \"F\"}],"
                  "\"subcontrols\": [{\"id\": \"s\", \"controls\": [\"C\"], \"level\": 1, "
                  "\"answer\": \"yes\"}],"
                  "\"findings\": ["
                  "{\"id\": \"F1\", \"type\": \"minor_nc\", \"controls\": [\"C\"]},"
                  "{\"id\": \"F2\", \"type\": \"major_nc\", \"controls\": [\"C\"]},"
                  "{\"id\": \"F3\", \"type\": \"observation\", \"controls\": [\"C\"]}]}");
    engine_summary s;
    engine_control_figures f;
    evaluate(m, T0, &s);
    control(m, "C", &f);
    assert_near(f.cap, 0.25);
    assert_near(f.e, 0.25);
    assert_int_equal(s.maturity, 0); /* s' = 0.25 < theta */
    engine_error e;
    assert_int_equal(engine_finding_set_open(m, "F2", false, &e), 0);
    evaluate(m, T0, &s);
    control(m, "C", &f);
    assert_near(f.cap, 0.75);
    assert_int_equal(s.maturity, 0);
    assert_int_equal(engine_finding_set_open(m, "F1", false, &e), 0);
    evaluate(m, T0, &s);
    control(m, "C", &f);
    assert_near(f.cap, 1);
    assert_int_equal(s.maturity, 3);
    model_free(m);
}

#define BCMS_HEAD "{\"format\": \"ims-snapshot/1\", \"systems\": [\"BCMS\"], \"frameworks\": [], "

static void test_bcms(void **state)
{
    (void)state;
    engine_model *m = load(
        BCMS_HEAD
        "\"processes\": [{\"id\": \"billing\", \"criticality\": 4, \"mtpd_min\": 1440,"
        "\"rto_min\": 240, \"rpo_min\": 60, \"plan_reviewed_at\": \"2026-01-10T00:00:00Z\","
        "\"exercises\": [{\"at\": \"2026-03-01T00:00:00Z\", \"recovery_min\": 840}]},"
        "{\"id\": \"equal\", \"criticality\": 1, \"mtpd_min\": 60, \"rto_min\": 60,"
        "\"exercises\": [{\"at\": \"2026-03-01T00:00:00Z\", \"recovery_min\": 61}]}],"
        "\"incidents\": [{\"id\": \"I\", \"severity\": 1, \"processes\": [\"billing\", \"equal\"],"
        "\"opened_at\": \"2026-05-01T00:00:00Z\", \"disruption_minutes\": 540}]}");
    engine_summary s;
    evaluate(m, T0, &s);
    /* billing: plan 1, exercise 1 - 600/1200 = 0.5, disruption 1 - 300/1200 = 0.75. */
    assert_near(engine_process_readiness(eval_of(m), 0), (1 + 0.5 + 0.75) / 3);
    /* MTPD = RTO: exercise over RTO gives 0, disruption over RTO gives penalty 1. */
    assert_near(engine_process_readiness(eval_of(m), 1), 0);
    assert_near(s.readiness, (4 * 0.75 + 0) / 5);
    assert_true(s.system_included[ENGINE_BCMS]);
    assert_near(s.security_level, 0.6);
    /* A year later nothing is in the window. */
    evaluate(m, T0 + DAYS(365), &s);
    assert_near(engine_process_readiness(eval_of(m), 0), 1.0 / 3);
    engine_error e;
    engine_exercise ex = {T0 + DAYS(300), 60};
    assert_int_equal(engine_process_add_exercise(m, "equal", &ex, &e), 0);
    evaluate(m, T0 + DAYS(365), &s);
    assert_near(engine_process_readiness(eval_of(m), 1), 2.0 / 3);
    model_free(m);
}

#define RISK_DOC                                                                                   \
    "{\"format\": \"ims-snapshot/1\", \"systems\": [\"RMS\"],"                                     \
    "\"frameworks\": [{\"id\": \"iso31000\", \"system\": \"RMS\"}],"                               \
    "\"controls\": [{\"id\": \"A.8.7\", \"framework\": \"iso31000\"}],"                            \
    "\"subcontrols\": [{\"id\": \"s\", \"controls\": [\"A.8.7\"], \"level\": 1, \"answer\": "      \
    "\"yes\"}],"                                                                                   \
    "\"threats\": [{\"id\": \"T.malware\", \"likelihood\": 3, \"dimensions\": [\"C\", \"I\", "     \
    "\"A\"]}],"                                                                                    \
    "\"asset_types\": [{\"id\": \"server\", \"threats\": [{\"threat\": \"T.malware\", "            \
    "\"degradation\": 0.8}]}],"                                                                    \
    "\"assets\": [{\"id\": \"srv-1\", \"type\": \"server\", \"C\": 4, \"I\": 3, \"A\": 5}],"       \
    "\"mitigations\": [{\"threat\": \"T.malware\", \"control\": \"A.8.7\", \"effectiveness\": "    \
    "0.6}]}"

typedef struct pair_seen {
    int n;
    engine_pair_figures last;
} pair_seen;

static void on_pair(void *ctx, const engine_pair_figures *p)
{
    pair_seen *ps = ctx;
    ps->n++;
    ps->last = *p;
}

static void test_risk(void **state)
{
    (void)state;
    engine_model *m = load(RISK_DOC);
    engine_summary s;
    evaluate(m, T0, &s);
    pair_seen ps = {0};
    engine_pairs_foreach(eval_of(m), on_pair, &ps);
    assert_int_equal(ps.n, 1);
    assert_near(ps.last.impact, 4.0);
    assert_near(ps.last.likelihood, 3);
    assert_near(ps.last.residual_likelihood, 1.2);
    assert_near(ps.last.inherent, 12);
    assert_near(ps.last.residual, 4.8);
    assert_int_equal(ps.last.level, engine_risk_level(2, 4));
    assert_int_equal(ps.last.level, 3);
    assert_near(s.rho, 0.6);
    assert_near(s.security_level, 0.5 * 1 + 0.5 * 0.6);
    /* Three incidents with the threat: lambda' = min(5, 3 + 2) = 5. */
    engine_error e;
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "I%d", i);
        engine_incident_input in = {
            .id = id, .severity = 1, .threat = "T.malware", .opened_at = T0 - DAYS(10)};
        assert_int_equal(engine_incident_put(m, &in, &e), 0);
    }
    evaluate(m, T0, &s);
    engine_pairs_foreach(eval_of(m), on_pair, &ps);
    assert_near(ps.last.likelihood, 5);
    /* Removing the only asset leaves no pair: RMS is the 31000 score alone. */
    assert_int_equal(engine_asset_remove(m, "srv-1", &e), 0);
    evaluate(m, T0, &s);
    assert_false(s.has_pairs);
    engine_control_figures f;
    control(m, "A.8.7", &f);
    assert_near(s.security_level, f.e);
    model_free(m);
    /* Empty risk: RMS enabled, no control and no pair: nothing to score. */
    m = load("{\"format\": \"ims-snapshot/1\", \"systems\": [\"RMS\"]}");
    evaluate(m, T0, &s);
    assert_false(s.system_included[ENGINE_RMS]);
    assert_false(s.has_pairs);
    assert_near(s.security_level, 0);
    model_free(m);
    assert_int_equal(engine_risk_level(1, 1), 1);
    assert_int_equal(engine_risk_level(5, 5), 5);
    assert_int_equal(engine_risk_level(4, 2), 3);
}

static void test_levels_without_subcontrols(void **state)
{
    (void)state;
    engine_model *m =
        load(HEAD "\"controls\": [{\"id\": \"C\", \"framework\": \"F\"}],"
                  "\"subcontrols\": ["
                  "{\"id\": \"a\", \"controls\": [\"C\"], \"level\": 1, \"answer\": \"yes\"},"
                  "{\"id\": \"b\", \"controls\": [\"C\"], \"level\": 3, \"answer\": \"no\"}]}");
    engine_summary s;
    evaluate(m, T0, &s);
    assert_int_equal(s.maturity, 2); /* level 2 empty: met; level 3 short */
    engine_error e;
    assert_int_equal(engine_subcontrol_set_answer(m, "b", ENGINE_ANSWER_YES, &e), 0);
    evaluate(m, T0, &s);
    assert_int_equal(s.maturity, 3);
    assert_int_equal(engine_subcontrol_set_answer(m, "a", ENGINE_ANSWER_PARTIAL, &e), 0);
    evaluate(m, T0, &s);
    assert_int_equal(s.maturity, 0); /* cumulative: level 1 short blocks all */
    model_free(m);
}

static void test_plan_ties(void **state)
{
    (void)state;
    /* Four equal sub-controls: same dSL per effort; lower level first, then lower id. */
    engine_model *m = load(
        HEAD
        "\"controls\": [{\"id\": \"C\", \"framework\": \"F\"}],"
        "\"subcontrols\": ["
        "{\"id\": \"z\", \"controls\": [\"C\"], \"level\": 2, \"effort\": 1, \"answer\": \"no\"},"
        "{\"id\": \"y\", \"controls\": [\"C\"], \"level\": 1, \"effort\": 1, \"answer\": \"no\"},"
        "{\"id\": \"x\", \"controls\": [\"C\"], \"level\": 1, \"effort\": 1, \"answer\": \"no\"},"
        "{\"id\": \"w\", \"controls\": [\"C\"], \"level\": 1, \"effort\": 2, \"answer\": "
        "\"no\"}]}");
    engine_plan_step st[8];
    size_t n;
    assert_int_equal(engine_plan(evaluated(m, T0), 8, st, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(st[0].id, "x");
    assert_string_equal(st[1].id, "y");
    assert_string_equal(st[2].id, "z");
    assert_string_equal(st[3].id, "w");
    assert_near(st[0].delta, 0.25);
    assert_near(st[3].security_level, 1);
    assert_false(st[0].completes_level);
    assert_true(st[3].completes_level); /* level 1 needs w too (0.8 threshold) */
    engine_summary s;
    evaluate(m, T0, &s); /* the model itself is untouched */
    assert_near(s.security_level, 0);
    model_free(m);
}

static void test_plan_and_explain_worked_example(void **state)
{
    (void)state;
    engine_model *m = worked_example();
    engine_plan_step st[10];
    size_t n;
    assert_int_equal(engine_plan(evaluated(m, T0), 10, st, &n), 0);
    assert_int_equal(n, 5); /* four sub-controls below yes, one open finding */
    /* Step 1: A.8.13-1 partial -> yes lifts e of A.8.13 from 0.25 to 0.5 (under its cap):
     * dSL / effort = 0.25 / 4 / 1 beats A.8.8-3's 2 * 0.25 * 0.8 / 4 / 2 = 0.05. */
    assert_string_equal(st[0].id, "A.8.13-1");
    assert_near(st[0].delta, 0.0625);
    assert_string_equal(st[1].id, "A.8.8-3");
    assert_near(st[1].delta, 0.1);
    double sl = 45.0 / 92.0;
    for (size_t i = 0; i < n; i++) {
        assert_near(st[i].security_level, sl + st[i].delta);
        sl = st[i].security_level;
    }
    engine_explanation x[3];
    assert_int_equal(engine_explain(evaluated(m, T0), 3, x, &n), 0);
    assert_int_equal(n, 3);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        assert_near(x[i].loss, x[i].assessment_gap + x[i].metric_drag + x[i].incident_penalty +
                                   x[i].finding_cap);
        total += x[i].loss;
    }
    assert_near(total, 1 - 45.0 / 92.0);
    assert_string_equal(x[0].id, "A.8.8");
    assert_near(x[0].incident_penalty, 0.5 * (0.25 + 0.5 * 16.0 / 23.0) * 0.2);
    assert_near(x[2].finding_cap, 0); /* A.8.13's cap 0.75 does not bind e = 0.25 */
    model_free(m);
}

static void test_next_due(void **state)
{
    (void)state;
    engine_model *m = worked_example();
    /* The sample at T0 - 12 h goes stale at +2 d + 1 s; the decaying incident asks hourly. */
    assert_true(engine_next_due(evaluated(m, T0), T0, 3600, 1e-4) == T0 + 3600);
    assert_true(engine_next_due(evaluated(m, T0), T0, 0, 1e-4) == T0 - 43200 + 172800 + 1);
    /* Far in the future the penalty is negligible and nothing is due any more. */
    assert_true(engine_next_due(evaluated(m, T0 + DAYS(3000)), T0 + DAYS(3000), 3600, 1e-4) ==
                INT64_MAX);
    model_free(m);
}

static void test_clone_is_independent(void **state)
{
    (void)state;
    engine_model *m = worked_example(), *c;
    engine_summary s1, s2;
    evaluate(m, T0, &s1);
    assert_int_equal(engine_model_clone(m, &c), 0);
    engine_error e;
    assert_int_equal(engine_subcontrol_set_answer(c, "A.8.8-3", ENGINE_ANSWER_YES, &e), 0);
    evaluate(c, T0, &s2);
    assert_true(s2.security_level > s1.security_level);
    evaluate(m, T0, &s2);
    assert_near(s2.security_level, s1.security_level);
    model_free(c);
    model_free(m);
}

/* A clone holds its incidents' lists in one block: replacing an incident's lists, adding
 * incidents, cloning the clone and freeing in any order keep every model whole (ASan). */
static void test_clone_incident_lists(void **state)
{
    (void)state;
    engine_model *m = worked_example(), *c, *cc, *c3;
    engine_error e;
    const char *two[] = {"A.5.1", "A.8.13"};
    engine_incident_input inc = {.id = "INC-2", .severity = 3, .controls = two,
                                 .control_count = 2, .opened_at = T0 - DAYS(3)};
    assert_int_equal(engine_incident_put(m, &inc, &e), 0);
    engine_summary s_m, s_c, s_cc;
    evaluate(m, T0, &s_m);
    assert_int_equal(engine_model_clone(m, &c), 0);
    assert_int_equal(engine_model_clone(c, &cc), 0);
    /* In the clone: INC-1 gets other controls (its block lists are let go), INC-3 is new. */
    const char *one[] = {"A.5.1"};
    engine_incident_input upd = {.id = "INC-1", .severity = 5, .controls = one,
                                 .control_count = 1, .opened_at = T0 - DAYS(2)};
    assert_int_equal(engine_incident_put(c, &upd, &e), 0);
    engine_incident_input add = {.id = "INC-3", .severity = 2, .controls = two,
                                 .control_count = 2, .opened_at = T0 - DAYS(1)};
    assert_int_equal(engine_incident_put(c, &add, &e), 0);
    evaluate(c, T0, &s_c);
    assert_true(s_c.security_level < s_m.security_level);
    /* A clone of the changed clone (block and separately allocated lists mixed). */
    assert_int_equal(engine_model_clone(c, &c3), 0);
    engine_summary s_c3;
    evaluate(c3, T0, &s_c3);
    assert_near(s_c3.security_level, s_c.security_level);
    model_free(c);
    evaluate(cc, T0, &s_cc);
    assert_near(s_cc.security_level, s_m.security_level);
    evaluate(m, T0, &s_cc);
    assert_near(s_cc.security_level, s_m.security_level);
    model_free(m);
    model_free(c3);
    model_free(cc);
}

/* The same changes made to a model and to a clone of it (whose lists of controls,
 * sub-controls, findings and artefacts sit in the clone's one block: replaced, grown and
 * freed here) give the same level; the model the clone came from is untouched (ASan). */
static void apply_list_changes(engine_model *m)
{
    engine_error e;
    const char *c1[] = {"A.5.1", "A.8.8"};
    const char *c2[] = {"A.8.13"};
    engine_finding_input f = {.id = "F-1", .type = ENGINE_FINDING_MAJOR_NC, .controls = c1,
                              .control_count = 2, .open = true};
    assert_int_equal(engine_finding_put(m, &f, &e), 0); /* replaces F-1's list */
    engine_finding_input f2 = {.id = "F-2", .type = ENGINE_FINDING_MINOR_NC, .controls = c2,
                               .control_count = 1, .open = true};
    assert_int_equal(engine_finding_put(m, &f2, &e), 0); /* grows A.8.13's findings */
    engine_artefact_input a = {.id = "DOC-1", .controls = c1, .control_count = 2,
                               .status = ENGINE_ARTEFACT_APPROVED};
    assert_int_equal(engine_artefact_put(m, &a, &e), 0);
    engine_artefact_input a2 = {.id = "DOC-1", .controls = c2, .control_count = 1,
                                .status = ENGINE_ARTEFACT_DRAFT};
    assert_int_equal(engine_artefact_put(m, &a2, &e), 0); /* replaces DOC-1's list */
    engine_subcontrol_input sc = {.id = "A.5.1-9", .controls = c1, .control_count = 2,
                                  .level = 1, .weight = 1, .answer = ENGINE_ANSWER_YES,
                                  .applicable = true};
    assert_int_equal(engine_subcontrol_add(m, &sc, &e), 0); /* grows two controls' subs */
}

static void test_clone_shared_lists(void **state)
{
    (void)state;
    engine_model *m = worked_example(), *c, *cc;
    engine_summary before, direct, cloned, again;
    evaluate(m, T0, &before);
    assert_int_equal(engine_model_clone(m, &c), 0);
    apply_list_changes(c);
    evaluate(c, T0, &cloned);
    assert_int_equal(engine_model_clone(c, &cc), 0); /* a clone of a changed clone */
    evaluate(m, T0, &again);
    assert_near(again.security_level, before.security_level);
    model_free(c);
    evaluate(cc, T0, &again);
    assert_near(again.security_level, cloned.security_level);
    apply_list_changes(m);
    evaluate(m, T0, &direct);
    assert_near(direct.security_level, cloned.security_level);
    assert_int_equal(direct.maturity, cloned.maturity);
    assert_true(engine_model_bytes(cc) > 0);
    model_free(cc);
    model_free(m);
}

/* A compacted model is the same model in less memory: the same snapshot and figures, its
 * lists changed afterwards as any copy's are, and a state evaluated from the model it
 * replaced evaluated whole, not from changes it cannot know about. */
static void test_compact(void **state)
{
    (void)state;
    engine_model *m = worked_example(), *direct = worked_example();
    engine_eval *ev;
    engine_summary s, want;
    char *before, *after;
    assert_int_equal(engine_snapshot_write(m, false, 0, &before), 0);
    assert_int_equal(engine_eval_new(&ev), 0);
    assert_int_equal(engine_evaluate(m, T0, ev, &s), 0);
    size_t bytes = engine_model_bytes(m);
    engine_model *kept = m;
    assert_int_equal(engine_model_compact(&m), 0);
    assert_ptr_not_equal(m, kept);
    assert_true(engine_model_bytes(m) < bytes);
    assert_int_equal(engine_snapshot_write(m, false, 0, &after), 0);
    assert_string_equal(after, before);
    free(after);
    free(before);
    apply_list_changes(m);
    apply_list_changes(direct);
    evaluate(direct, T0, &want);
    assert_int_equal(engine_evaluate(m, T0, ev, &s), 0);
    assert_near(s.security_level, want.security_level);
    assert_int_equal(s.maturity, want.maturity);
    assert_int_equal(engine_model_compact(&m), 0); /* lists moved out of a chunk, in again */
    evaluate(m, T0, &s);
    assert_near(s.security_level, want.security_level);
    engine_eval_free(ev);
    model_free(direct);
    model_free(m);
}

/* One state fed to two models that diverged after a clone is evaluated whole, never from
 * changes it cannot know about. */
static void test_state_given_another_model(void **state)
{
    (void)state;
    engine_model *a = worked_example(), *b, *fresh;
    engine_eval *ev;
    engine_summary s, full;
    engine_error e;
    assert_int_equal(engine_eval_new(&ev), 0);
    assert_int_equal(engine_evaluate(a, T0, ev, &s), 0);
    assert_int_equal(engine_model_clone(a, &b), 0);
    assert_int_equal(engine_subcontrol_set_answer(a, "A.8.8-3", ENGINE_ANSWER_YES, &e), 0);
    assert_int_equal(engine_evaluate(a, T0, ev, &s), 0);
    assert_int_equal(engine_subcontrol_set_answer(b, "A.5.1-2", ENGINE_ANSWER_NO, &e), 0);
    assert_int_equal(engine_evaluate(b, T0, ev, &s), 0);
    assert_int_equal(engine_model_clone(b, &fresh), 0);
    evaluate(fresh, T0, &full);
    assert_near(s.security_level, full.security_level);
    assert_int_equal(s.maturity, full.maturity);
    engine_eval_free(ev);
    model_free(fresh);
    model_free(b);
    model_free(a);
}

/* A clone whose content is replaced as a whole (engine_model_take: a rebase, a tuning),
 * evaluated with a clone of the state of the model it was cloned from, gives what the new
 * content gives evaluated fresh; and the taken-over content is freed without harm. */
static void test_take_replaces_content(void **state)
{
    (void)state;
    engine_model *cur = worked_example(), *copy, *next = worked_example(), *fresh;
    engine_eval *ev, *copy_ev;
    engine_summary s, want;
    engine_error e;
    assert_int_equal(engine_eval_new(&ev), 0);
    assert_int_equal(engine_evaluate(cur, T0, ev, &s), 0);
    assert_int_equal(engine_subcontrol_set_answer(next, "A.8.8-3", ENGINE_ANSWER_YES, &e), 0);
    assert_int_equal(engine_subcontrol_set_answer(next, "A.8.13-2", ENGINE_ANSWER_YES, &e), 0);
    assert_int_equal(engine_model_clone(next, &fresh), 0);
    evaluate(fresh, T0, &want);
    assert_true(want.security_level > s.security_level);
    assert_int_equal(engine_model_clone(cur, &copy), 0);
    assert_int_equal(engine_eval_clone(ev, &copy_ev), 0);
    assert_int_equal(engine_model_take(copy, next), 0);
    model_free(next); /* the copy's former content */
    assert_int_equal(engine_evaluate(copy, T0, copy_ev, &s), 0);
    assert_near(s.security_level, want.security_level);
    assert_int_equal(s.maturity, want.maturity);
    /* The copy goes on incrementally after that. */
    assert_int_equal(engine_subcontrol_set_answer(copy, "A.8.8-3", ENGINE_ANSWER_NO, &e), 0);
    assert_int_equal(engine_evaluate(copy, T0, copy_ev, &s), 0);
    assert_true(s.security_level < want.security_level);
    engine_eval_free(copy_ev);
    engine_eval_free(ev);
    model_free(fresh);
    model_free(copy);
    model_free(cur);
}

static void test_api_errors(void **state)
{
    (void)state;
    engine_model *m = worked_example();
    engine_error e;
    engine_control_input c = {"X", "nope", "1", 1, true};
    assert_int_equal(engine_control_add(m, &c, &e), IMS_ENOTFOUND);
    assert_string_equal(e.msg, "framework: unknown framework \"nope\"");
    c.framework = "iso27001-2022";
    c.weight = 0;
    assert_int_equal(engine_control_add(m, &c, &e), IMS_EINVAL);
    assert_string_equal(e.msg, "weight: must be > 0");
    engine_process_input p = {.id = "p", .criticality = 3, .mtpd_min = 10, .rto_min = 20};
    assert_int_equal(engine_process_put(m, &p, &e), IMS_EINVAL);
    assert_string_equal(e.msg, "rto_min: must be <= mtpd_min");
    p.rto_min = 10; /* MTPD = RTO is allowed */
    assert_int_equal(engine_process_put(m, &p, &e), 0);
    assert_int_equal(engine_sample_add(m, "nope", T0, 1, &e), IMS_ENOTFOUND);
    assert_int_equal(engine_subcontrol_set_answer(m, "nope", ENGINE_ANSWER_YES, &e), IMS_ENOTFOUND);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_take_replaces_content),
        cmocka_unit_test(test_no_subcontrols_and_all_excluded),
        cmocka_unit_test(test_metric_states),
        cmocka_unit_test(test_merged_seconds),
        cmocka_unit_test(test_incidents),
        cmocka_unit_test(test_findings),
        cmocka_unit_test(test_bcms),
        cmocka_unit_test(test_risk),
        cmocka_unit_test(test_levels_without_subcontrols),
        cmocka_unit_test(test_plan_ties),
        cmocka_unit_test(test_plan_and_explain_worked_example),
        cmocka_unit_test(test_next_due),
        cmocka_unit_test(test_clone_is_independent),
        cmocka_unit_test(test_clone_incident_lists),
        cmocka_unit_test(test_clone_shared_lists),
        cmocka_unit_test(test_compact),
        cmocka_unit_test(test_state_given_another_model),
        cmocka_unit_test(test_api_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
