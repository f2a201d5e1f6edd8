/* Warnings rate-limited per message: so many a second, then a count of the dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "log_limit.h"

static void limit_per_second_then_count(void **state)
{
    (void)state;
    uint64_t suppressed = 99;
    for (int i = 0; i < LOG_LIMIT_PER_SECOND; i++) {
        assert_int_equal(log_limit_admit("stream reset", 1000, &suppressed), 1);
        assert_int_equal(suppressed, 0);
    }
    for (int i = 0; i < 500; i++)
        assert_int_equal(log_limit_admit("stream reset", 1000, &suppressed), 0);
    /* Another message is not held back by this one. */
    assert_int_equal(log_limit_admit("tls error", 1000, &suppressed), 1);
    /* The next second: the first line tells what was dropped, once. */
    assert_int_equal(log_limit_admit("stream reset", 1001, &suppressed), 1);
    assert_int_equal(suppressed, 500);
    assert_int_equal(log_limit_admit("stream reset", 1001, &suppressed), 1);
    assert_int_equal(suppressed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(limit_per_second_then_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
