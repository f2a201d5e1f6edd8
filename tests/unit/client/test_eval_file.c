/* Unit tests of `imsctl eval FILE`: options, exit codes, and the answers on the worked
 * example of SECURITY-LEVEL.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eval_file.h"

#define WORKED ENGINE_TEST_DATA "/worked-example.json"

static int run_cli(int argc, char **argv, char **out_text, char **err_text)
{
    size_t on, en;
    FILE *out = open_memstream(out_text, &on), *err = open_memstream(err_text, &en);
    assert_non_null(out);
    assert_non_null(err);
    int rc = imsctl_eval_file(argc, argv, out, err);
    fclose(out);
    fclose(err);
    return rc;
}

static void test_cli(void **state)
{
    (void)state;
    char *o, *e;
    char *a1[] = {"eval", WORKED};
    assert_int_equal(run_cli(2, a1, &o, &e), 0);
    assert_non_null(strstr(o, "\"security_level\": 0.4891304347826"));
    assert_non_null(strstr(o, "\"maturity\": 1"));
    assert_non_null(strstr(o, "\"cap\": 0.75"));
    free(o);
    free(e);
    char *a2[] = {"eval", WORKED, "--plan", "3", "--at", "2026-06-01T00:00:00Z"};
    assert_int_equal(run_cli(6, a2, &o, &e), 0);
    assert_non_null(strstr(o, "\"subcontrol\": \"A.8.13-1\""));
    assert_non_null(strstr(o, "\"step\": 3"));
    free(o);
    free(e);
    char *a3[] = {"eval", WORKED, "--explain", "1", "--at", "1780272000"};
    assert_int_equal(run_cli(6, a3, &o, &e), 0);
    assert_non_null(strstr(o, "\"control\": \"A.8.8\""));
    assert_non_null(strstr(o, "\"incident_penalty\""));
    free(o);
    free(e);
    char *a4[] = {"eval"};
    assert_int_equal(run_cli(1, a4, &o, &e), 2);
    free(o);
    free(e);
    char *a5[] = {"eval", WORKED, "--at", "yesterday"};
    assert_int_equal(run_cli(4, a5, &o, &e), 2);
    free(o);
    free(e);
    char *a6[] = {"eval", ENGINE_TEST_DATA "/does-not-exist.json"};
    assert_int_equal(run_cli(2, a6, &o, &e), 3);
    free(o);
    free(e);
    char path[] = "/tmp/engine-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char bad[] = "{\"format\": \"ims-snapshot/1\", \"systems\": [\"ISMS\"], "
                       "\"controls\": [{\"id\": \"C\", \"framework\": \"F\"}]}";
    assert_true(write(fd, bad, sizeof bad - 1) == (ssize_t)(sizeof bad - 1));
    close(fd);
    char *a7[] = {"eval", path};
    assert_int_equal(run_cli(2, a7, &o, &e), 3);
    assert_non_null(strstr(e, "$.controls[0].framework: unknown framework \"F\""));
    unlink(path);
    free(o);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
