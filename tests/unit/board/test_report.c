/* The management report (report/): the document's sections, text escaped, a part that
 * could not be read said so, the risk grid. */
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
    const char *ids[] = {"cover", "level", "systems", "soa", "risks", "bia", "findings", "plan"};
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
        cmocka_unit_test(test_without_the_level_there_is_no_report),
        cmocka_unit_test(test_risk_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
