/*
 * One integrated system over four standards, computed by hand: a harmonized item (internal
 * audit) held by ISO/IEC 27001, ISO 22301 and ISO/IEC 20000-1, and a shared risk process
 * item held by 27001 6.1.2, 22301 8.2.3 and ISO 31000 6.4.2, each answered once and moving
 * every system that holds it (ISMS, BCMS, RMS, SMS with their default weights).
 */
#include "test_util.h"

#include <stdlib.h>

#define FOUR_SYSTEMS                                                                               \
    "{\"format\": \"ims-snapshot/2\", \"systems\": [\"ISMS\", \"BCMS\", \"RMS\", \"SMS\"],"        \
    "\"frameworks\": [{\"id\": \"iso27001-2022\", \"system\": \"ISMS\"},"                          \
    "{\"id\": \"iso22301-2019\", \"system\": \"BCMS\"},"                                           \
    "{\"id\": \"iso31000-2018\", \"system\": \"RMS\"},"                                            \
    "{\"id\": \"iso20000-1-2018\", \"system\": \"SMS\"}],"                                         \
    "\"controls\": [{\"id\": \"27001-9.2\", \"framework\": \"iso27001-2022\"},"                    \
    "{\"id\": \"27001-6.1.2\", \"framework\": \"iso27001-2022\"},"                                 \
    "{\"id\": \"22301-9.2\", \"framework\": \"iso22301-2019\"},"                                   \
    "{\"id\": \"22301-8.2.3\", \"framework\": \"iso22301-2019\"},"                                 \
    "{\"id\": \"31000-6.4.2\", \"framework\": \"iso31000-2018\"},"                                 \
    "{\"id\": \"20000-9.2\", \"framework\": \"iso20000-1-2018\"},"                                 \
    "{\"id\": \"20000-8.5.1\", \"framework\": \"iso20000-1-2018\"}],"                              \
    "\"subcontrols\": ["                                                                           \
    "{\"id\": \"HS.9.2-1\", \"controls\": [\"27001-9.2\", \"22301-9.2\", \"20000-9.2\"],"         \
    " \"level\": 1, \"weight\": 2, \"answer\": \"yes\"},"                                          \
    "{\"id\": \"RK.6.4.2-1\", \"controls\": [\"27001-6.1.2\", \"22301-8.2.3\", \"31000-6.4.2\"]," \
    " \"level\": 1, \"weight\": 2, \"answer\": \"partial\"},"                                      \
    "{\"id\": \"27001-6.1.2-1\", \"controls\": [\"27001-6.1.2\"], \"level\": 1, \"weight\": 2,"    \
    " \"answer\": \"no\"},"                                                                        \
    "{\"id\": \"31000-6.4.2-2\", \"controls\": [\"31000-6.4.2\"], \"level\": 2, \"weight\": 1,"    \
    " \"answer\": \"yes\"},"                                                                       \
    "{\"id\": \"20000-8.5.1-1\", \"controls\": [\"20000-8.5.1\"], \"level\": 1, \"weight\": 2,"    \
    " \"answer\": \"yes\"}]}"

static void test_shared_items_move_every_system(void **state)
{
    (void)state;
    engine_model *m = load(FOUR_SYSTEMS);
    engine_summary s;
    evaluate(m, T0, &s);
    /* ISMS: 9.2 a = 1, 6.1.2 a = (2 * 0.5 + 2 * 0) / 4 = 0.25 -> 0.625.
     * BCMS: 9.2 a = 1, 8.2.3 a = 0.5 -> 0.75 (no process).
     * RMS: 6.4.2 a = (2 * 0.5 + 1) / 3 = 2/3 (no pair).  SMS: 1 and 1 -> 1.
     * SL = (0.5 * 0.625 + 0.25 * 0.75 + 0.25 * 2/3 + 0.25 * 1) / 1.25. */
    assert_near(s.system_score[ENGINE_ISMS], 0.625);
    assert_near(s.system_score[ENGINE_BCMS], 0.75);
    assert_near(s.system_score[ENGINE_RMS], 2.0 / 3);
    assert_near(s.system_score[ENGINE_SMS], 1);
    assert_near(s.security_level, (0.3125 + 0.1875 + 0.25 * 2.0 / 3 + 0.25) / 1.25);

    /* The shared risk item answered yes once: 27001 6.1.2 -> 0.5, 22301 8.2.3 -> 1,
     * 31000 6.4.2 -> 1; SL = (0.5 * 0.75 + 0.25 + 0.25 + 0.25) / 1.25 = 0.9. */
    engine_error e = {{0}};
    assert_int_equal(engine_subcontrol_set_answer(m, "RK.6.4.2-1", ENGINE_ANSWER_YES, &e), 0);
    evaluate(m, T0, &s);
    assert_near(s.system_score[ENGINE_ISMS], 0.75);
    assert_near(s.system_score[ENGINE_BCMS], 1);
    assert_near(s.system_score[ENGINE_RMS], 1);
    assert_near(s.system_score[ENGINE_SMS], 1);
    assert_near(s.security_level, 0.9);

    /* The harmonized audit item answered no: every system holding it drops. */
    assert_int_equal(engine_subcontrol_set_answer(m, "HS.9.2-1", ENGINE_ANSWER_NO, &e), 0);
    evaluate(m, T0, &s);
    assert_near(s.system_score[ENGINE_ISMS], 0.25);
    assert_near(s.system_score[ENGINE_BCMS], 0.5);
    assert_near(s.system_score[ENGINE_RMS], 1);
    assert_near(s.system_score[ENGINE_SMS], 0.5);
    assert_near(s.security_level, (0.125 + 0.125 + 0.25 + 0.125) / 1.25);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_items_move_every_system),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
