/* The artefact change a document handler makes within a tenant write: it checks its
 * fields and moves the evidence factor of the controls that require the artefact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "artefacts.h"
#include "ims/error.h"
#include "snapshot.h"

#define T0 INT64_C(1780272000) /* 2026-06-01T00:00:00Z */

static const char doc[] =
    "{\"format\": \"ims-snapshot/2\", \"systems\": [\"ISMS\"],"
    "\"frameworks\": [{\"id\": \"iso27001-2022\", \"system\": \"ISMS\"}],"
    "\"controls\": [{\"id\": \"A.5.1\", \"framework\": \"iso27001-2022\"}],"
    "\"subcontrols\": [{\"id\": \"s\", \"controls\": [\"A.5.1\"], \"level\": 1, \"answer\": "
    "\"yes\"}],"
    "\"artefacts\": [{\"id\": \"ART.security_policy\", \"controls\": [\"A.5.1\"], "
    "\"status\": \"draft\"}]}";

static double level_at(engine_model *m, int64_t t)
{
    engine_eval *ev;
    engine_summary s;
    assert_int_equal(engine_eval_new(&ev), 0);
    assert_int_equal(engine_evaluate(m, t, ev, &s), 0);
    engine_eval_free(ev);
    return s.security_level;
}

static void moves_the_level(void **state)
{
    (void)state;
    engine_model *m = NULL;
    engine_error e = {{0}};
    bool has_at;
    int64_t at;
    assert_int_equal(engine_snapshot_parse(doc, strlen(doc), &m, &has_at, &at, &e), 0);
    assert_true(level_at(m, T0) == 0.8); /* draft: v = 0, e = 1 - 0.2 */
    struct rpc_artefact_change approve = {"ART.security_policy", "approved", 1,
                                          "2026-12-31T00:00:00Z"};
    assert_int_equal(rpc_artefact_change_apply(m, &approve, &e), 0);
    assert_true(level_at(m, T0) == 1.0);
    /* Past its review due time it no longer evidences the control. */
    assert_true(level_at(m, T0 + 86400 * 214) == 0.8);
    struct rpc_artefact_change no_due = {"ART.security_policy", NULL, 1, ""};
    assert_int_equal(rpc_artefact_change_apply(m, &no_due, &e), 0);
    assert_true(level_at(m, T0 + 86400 * 214) == 1.0);
    struct rpc_artefact_change obsolete = {"ART.security_policy", "obsolete", 0, NULL};
    assert_int_equal(rpc_artefact_change_apply(m, &obsolete, &e), 0);
    assert_true(level_at(m, T0) == 0.8);
    engine_model_free(m);
}

static void names_the_field(void **state)
{
    (void)state;
    engine_model *m = NULL;
    engine_error e = {{0}};
    bool has_at;
    int64_t at;
    assert_int_equal(engine_snapshot_parse(doc, strlen(doc), &m, &has_at, &at, &e), 0);
    struct rpc_artefact_change bad_status = {"ART.security_policy", "signed", 0, NULL};
    assert_int_equal(rpc_artefact_change_apply(m, &bad_status, &e), IMS_EINVAL);
    assert_string_equal(e.msg, "status: must be missing, draft, approved or obsolete");
    struct rpc_artefact_change bad_time = {"ART.security_policy", NULL, 1, "next year"};
    assert_int_equal(rpc_artefact_change_apply(m, &bad_time, &e), IMS_EINVAL);
    assert_string_equal(e.msg, "review_due: must be an RFC 3339 UTC time");
    struct rpc_artefact_change unknown = {"ART.nothing", "approved", 0, NULL};
    assert_int_equal(rpc_artefact_change_apply(m, &unknown, &e), IMS_ENOTFOUND);
    assert_string_equal(e.msg, "id: unknown artefact \"ART.nothing\"");
    engine_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(moves_the_level),
        cmocka_unit_test(names_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
