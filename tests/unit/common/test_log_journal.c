/* journald fields of a log line: each key=value of the tail is one IMS_* field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log_journal.h"

static void test_fields(void **state)
{
    (void)state;
    char fields[LOG_JOURNAL_MAX_FIELDS][LOG_JOURNAL_FIELD_BYTES];
    int n = log_journal_fields("method=/ims.v1.Events/PushMetrics peer=127.0.0.1:4 status=OK "
                               "ms=3 detail=\"tenant \\\"a\\\" unknown\" tenant-id=x",
                               fields, LOG_JOURNAL_MAX_FIELDS);
    assert_int_equal(n, 6);
    assert_string_equal(fields[0], "IMS_METHOD=/ims.v1.Events/PushMetrics");
    assert_string_equal(fields[1], "IMS_PEER=127.0.0.1:4");
    assert_string_equal(fields[2], "IMS_STATUS=OK");
    assert_string_equal(fields[3], "IMS_MS=3");
    assert_string_equal(fields[4], "IMS_DETAIL=tenant \"a\" unknown");
    assert_string_equal(fields[5], "IMS_TENANT_ID=x");
}

static void test_stops_at_text_that_is_no_pair(void **state)
{
    (void)state;
    char fields[LOG_JOURNAL_MAX_FIELDS][LOG_JOURNAL_FIELD_BYTES];
    assert_int_equal(log_journal_fields("", fields, LOG_JOURNAL_MAX_FIELDS), 0);
    assert_int_equal(log_journal_fields("a=1 free text b=2", fields, LOG_JOURNAL_MAX_FIELDS), 1);
    assert_int_equal(log_journal_fields("=x", fields, LOG_JOURNAL_MAX_FIELDS), 0);
    assert_int_equal(log_journal_fields("a=1 b=2 c=3", fields, 2), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_stops_at_text_that_is_no_pair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
