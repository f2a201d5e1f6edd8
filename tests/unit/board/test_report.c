/* The management report (report/): the document's sections, text escaped, a part that
 * could not be read said so, the risk grid; the Check and Act sections; documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "report_internal.h"

static void test_sections_and_escaping(void **state)
{
    (void)state;
    Ims__V1__Tenant t = IMS__V1__TENANT__INIT;
    t.display_name = "Smith & <Sons>";
    t.slug = "smith";
    t.sector = "retail";
    Ims__V1__SecurityLevel l = IMS__V1__SECURITY_LEVEL__INIT;
    l.security_level = 0.625;
    l.maturity = 1;
    l.cause = "incident";
    const ProtobufCMessage *parts[REPORT_PART_COUNT] = {0};
    parts[REPORT_TENANT] = &t.base;
    parts[REPORT_LEVEL] = &l.base;
    struct report_text out = {0};
    assert_int_equal(report_render(parts, "2026-12-01T00:00:00Z", &out), 0);
    const char *ids[] = {"cover",  "level",  "systems",    "soa",       "risks", "bia",
                         "findings", "audits", "awards", "objectives", "documents", "plan"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "id=\"%s\"", ids[i]);
        assert_non_null(strstr(out.data, want));
    }
    assert_non_null(strstr(out.data, "Smith &amp; &lt;Sons&gt;"));
    assert_null(strstr(out.data, "<Sons>"));
    /* In the page header (CSS), the name's angle brackets are escapes too. */
    assert_non_null(strstr(out.data, "Smith & \\3c Sons\\3e "));
    assert_non_null(strstr(out.data, "62.5 %"));
    assert_non_null(strstr(out.data, "could not be read"));
    assert_null(strstr(out.data, "<script"));
    report_text_free(&out);
}

/* An open finding's actions from the tracker, with owner, due, status and the overdue flag;
 * other open actions apart; the audit programme, awards, the latest review, objectives. */
static void test_check_and_act_sections(void **state)
{
    (void)state;
    Ims__V1__Tenant t = IMS__V1__TENANT__INIT;
    Ims__V1__SecurityLevel l = IMS__V1__SECURITY_LEVEL__INIT;
    Ims__V1__Finding f = IMS__V1__FINDING__INIT;
    f.id = "F-7";
    f.status = "open";
    f.type = "minor_nc";
    Ims__V1__Finding *fs[] = {&f};
    Ims__V1__ListFindingsResponse findings = IMS__V1__LIST_FINDINGS_RESPONSE__INIT;
    findings.findings = fs;
    findings.n_findings = 1;
    Ims__V1__Action a1 = IMS__V1__ACTION__INIT, a2 = IMS__V1__ACTION__INIT;
    a1.id = "CA-1";
    a1.kind = "corrective";
    a1.source_kind = "finding";
    a1.source_id = "F-7";
    a1.owner = "IT <lead>";
    a1.due = "2026-01-15T00:00:00Z";
    a1.status = "open";
    a1.overdue = 1;
    a2.id = "A-2";
    a2.kind = "improvement";
    a2.source_kind = "review";
    a2.source_id = "MR-1";
    a2.status = "open";
    Ims__V1__Action *as[] = {&a1, &a2};
    Ims__V1__ListActionsResponse actions = IMS__V1__LIST_ACTIONS_RESPONSE__INIT;
    actions.actions = as;
    actions.n_actions = 2;
    Ims__V1__Audit au = IMS__V1__AUDIT__INIT;
    au.id = "AU-1";
    au.status = "planned";
    au.overdue = 1;
    Ims__V1__Audit *aus[] = {&au};
    Ims__V1__ListAuditsResponse audits = IMS__V1__LIST_AUDITS_RESPONSE__INIT;
    audits.audits = aus;
    audits.n_audits = 1;
    Ims__V1__Award w = IMS__V1__AWARD__INIT;
    w.id = "AW-1";
    w.level = 1;
    w.status = "active";
    w.expires_at = "2025-01-01T00:00:00Z";
    Ims__V1__Award *ws[] = {&w};
    Ims__V1__ListAwardsResponse awards = IMS__V1__LIST_AWARDS_RESPONSE__INIT;
    awards.awards = ws;
    awards.n_awards = 1;
    Ims__V1__Review r1 = IMS__V1__REVIEW__INIT, r2 = IMS__V1__REVIEW__INIT;
    r1.id = "MR-1";
    r1.held_at = "2026-06-01T00:00:00Z";
    r1.decisions = "older decision";
    r2.id = "MR-2";
    r2.held_at = "2026-11-01T00:00:00Z";
    r2.decisions = "newest decision";
    Ims__V1__Review *rs[] = {&r2, &r1};
    Ims__V1__ListReviewsResponse reviews = IMS__V1__LIST_REVIEWS_RESPONSE__INIT;
    reviews.reviews = rs;
    reviews.n_reviews = 2;
    Ims__V1__Objective o = IMS__V1__OBJECTIVE__INIT;
    o.id = "backups";
    o.target = 0.9;
    o.actual = 0.5;
    o.status = "at_risk";
    Ims__V1__Objective *os[] = {&o};
    Ims__V1__ScorecardTier tier = IMS__V1__SCORECARD_TIER__INIT;
    tier.tier = "functional";
    tier.objectives = os;
    tier.n_objectives = 1;
    tier.total = 1;
    Ims__V1__ScorecardTier *tiers[] = {&tier};
    Ims__V1__Scorecard sc = IMS__V1__SCORECARD__INIT;
    sc.tiers = tiers;
    sc.n_tiers = 1;
    const ProtobufCMessage *parts[REPORT_PART_COUNT] = {0};
    parts[REPORT_TENANT] = &t.base;
    parts[REPORT_LEVEL] = &l.base;
    parts[REPORT_FINDINGS] = &findings.base;
    parts[REPORT_ACTIONS] = &actions.base;
    parts[REPORT_AUDITS] = &audits.base;
    parts[REPORT_AWARDS] = &awards.base;
    parts[REPORT_REVIEWS] = &reviews.base;
    parts[REPORT_SCORECARD] = &sc.base;
    struct report_text out = {0};
    assert_int_equal(report_render(parts, "2026-12-01T00:00:00Z", &out), 0);
    const char *s = out.data;
    assert_non_null(strstr(s, "2 open actions in the tracker, <strong>1 overdue</strong>"));
    assert_non_null(strstr(s, "<td class=\"n\">1 (1 overdue)</td>"));
    const char *mine = strstr(s, "Corrective actions of the open findings");
    const char *others = strstr(s, "Other open actions");
    assert_non_null(mine);
    assert_non_null(others);
    const char *ca = strstr(mine, "CA-1");
    assert_true(ca && ca < others);
    assert_non_null(
        strstr(ca, "IT &lt;lead&gt;</td><td class=\"d\">2026-01-15</td><td>open</td><td><strong>"
                   "overdue</strong>"));
    assert_true(strstr(others, "A-2") != NULL);
    assert_non_null(strstr(s, "1 planned (<strong>1 overdue</strong>)"));
    assert_non_null(strstr(s, "<td>AW-1</td><td class=\"n\">1</td><td>the whole tenant</td>"
                              "<td>expired</td>"));
    assert_non_null(strstr(s, "newest decision"));
    assert_null(strstr(s, "older decision"));
    assert_non_null(strstr(s, "functional: 0 of 1 met"));
    assert_non_null(strstr(s, "<td class=\"n\">50.0 %</td>"));
    report_text_free(&out);
}

static void test_documents_section(void **state)
{
    (void)state;
    Ims__V1__Tenant t = IMS__V1__TENANT__INIT;
    t.display_name = "D";
    Ims__V1__SecurityLevel l = IMS__V1__SECURITY_LEVEL__INIT;
    Ims__V1__Document policy = IMS__V1__DOCUMENT__INIT, plan = IMS__V1__DOCUMENT__INIT,
                      backup = IMS__V1__DOCUMENT__INIT;
    char *controls[] = {"A.5.1"};
    policy.artefact = "security_policy";
    policy.title = "Information security policy";
    policy.kind = "policy";
    policy.required = 1;
    policy.status = "approved";
    policy.current = 0; /* approved, review date passed */
    policy.version = 3;
    policy.owner = "ann";
    policy.owner_person = "ann";
    policy.approver = "bob";
    policy.approved_at = "2025-01-10T09:00:00Z";
    policy.review_due = "2026-01-10T09:00:00Z";
    policy.classification = "internal";
    policy.controls = controls;
    policy.n_controls = 1;
    plan.artefact = "bc_plan";
    plan.title = "Continuity <plan>";
    plan.kind = "procedure";
    plan.required = 1;
    plan.status = "missing";
    backup.artefact = "backup_procedure";
    backup.title = "Backups";
    backup.kind = "procedure";
    backup.status = "approved";
    backup.current = 1;
    backup.version = 1;
    Ims__V1__Document *ds[] = {&policy, &plan, &backup};
    Ims__V1__ListDocumentsResponse docs = IMS__V1__LIST_DOCUMENTS_RESPONSE__INIT;
    docs.documents = ds;
    docs.n_documents = 3;
    const ProtobufCMessage *parts[REPORT_PART_COUNT] = {0};
    parts[REPORT_TENANT] = &t.base;
    parts[REPORT_LEVEL] = &l.base;
    parts[REPORT_DOCUMENTS] = &docs.base;
    struct report_text out = {0};
    assert_int_equal(report_render(parts, "2026-12-01T00:00:00Z", &out), 0);
    const char *s = strstr(out.data, "id=\"documents\"");
    assert_non_null(s);
    assert_non_null(strstr(s, "3 documents kept (2 required by the schema): 1 approved and "
                              "current, 0 in draft, 1 not written yet, <strong>1 past their "
                              "review date</strong>"));
    assert_non_null(strstr(s, "<td>security_policy</td><td>Information security policy</td>"
                              "<td>policy</td><td><strong>review overdue</strong></td>"
                              "<td class=\"n\">3</td><td>ann</td><td>bob</td>"
                              "<td class=\"d\">2025-01-10</td><td class=\"d\">2026-01-10</td>"));
    assert_non_null(strstr(s, "Continuity &lt;plan&gt;</td><td>procedure</td>"
                              "<td><strong>missing</strong></td>"));
    assert_non_null(strstr(s, "<td>backup_procedure</td><td>Backups</td><td>procedure</td>"
                              "<td>approved</td>"));
    report_text_free(&out);
}

static void test_without_the_level_there_is_no_report(void **state)
{
    (void)state;
    Ims__V1__Tenant t = IMS__V1__TENANT__INIT;
    const ProtobufCMessage *parts[REPORT_PART_COUNT] = {0};
    parts[REPORT_TENANT] = &t.base;
    struct report_text out = {0};
    assert_int_equal(report_render(parts, "2026-12-01T00:00:00Z", &out), -1);
    report_text_free(&out);
}

static void test_risk_cells(void **state)
{
    (void)state;
    Ims__V1__RiskPair p = IMS__V1__RISK_PAIR__INIT;
    p.impact = 4;
    p.likelihood = 3.2;
    p.residual_likelihood = 1.5;
    p.residual = 3; /* transferred: residual impact 2 */
    p.residual_impact = 2;
    int l, i;
    report_risk_cell(&p, 0, &l, &i);
    assert_int_equal(l, 4);
    assert_int_equal(i, 4);
    report_risk_cell(&p, 1, &l, &i);
    assert_int_equal(l, 2);
    assert_int_equal(i, 2);
    p.residual_impact = 0; /* an answer without it: through R = I_r * lambda_r */
    report_risk_cell(&p, 1, &l, &i);
    assert_int_equal(i, 2);
    assert_int_equal(report_risk_level(5, 5), 5);
    assert_int_equal(report_risk_level(1, 1), 1);
    assert_int_equal(report_risk_level(3, 4), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_and_escaping),
        cmocka_unit_test(test_check_and_act_sections),
        cmocka_unit_test(test_documents_section),
        cmocka_unit_test(test_without_the_level_there_is_no_report),
        cmocka_unit_test(test_risk_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
