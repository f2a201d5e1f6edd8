/* imsctl option parsing, value parsers and exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "ims/error.h"
#include "options.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof(a[0])) - 1)

static void global_options(void **state)
{
    (void)state;
    char *argv[] = {"imsctl",      "--server", "https://h:1", "--token-file=/t", "--ca",
                    "/ca",         "--cert",   "/c",          "--key",           "/k",
                    "--timeout",   "250",      "--json",      "tenant",          "list",
                    "--page-size", "5",        NULL};
    imsctl_global_options o;
    int next;
    char err[128];
    assert_int_equal(imsctl_parse_global(ARGC(argv), argv, &o, &next, err, sizeof(err)), 0);
    assert_string_equal(o.server, "https://h:1");
    assert_string_equal(o.token_file, "/t");
    assert_string_equal(o.ca_file, "/ca");
    assert_string_equal(o.cert_file, "/c");
    assert_string_equal(o.key_file, "/k");
    assert_int_equal(o.timeout_ms, 250);
    assert_true(o.json);
    assert_int_equal(next, 13);
    assert_string_equal(argv[next], "tenant");
}

static void global_defaults_and_errors(void **state)
{
    (void)state;
    imsctl_global_options o;
    int next;
    char err[128];
    char *plain[] = {"imsctl", "health", NULL};
    assert_int_equal(imsctl_parse_global(ARGC(plain), plain, &o, &next, err, sizeof(err)), 0);
    assert_null(o.server);
    assert_int_equal(o.timeout_ms, -1);
    assert_false(o.json);
    assert_int_equal(next, 1);

    char *unknown[] = {"imsctl", "--nope", "health", NULL};
    assert_int_equal(imsctl_parse_global(ARGC(unknown), unknown, &o, &next, err, sizeof(err)),
                     IMSCTL_EXIT_USAGE);
    assert_non_null(strstr(err, "--nope"));

    char *novalue[] = {"imsctl", "--server", NULL};
    assert_int_equal(imsctl_parse_global(ARGC(novalue), novalue, &o, &next, err, sizeof(err)),
                     IMSCTL_EXIT_USAGE);

    char *badtimeout[] = {"imsctl", "--timeout", "soon", "health", NULL};
    assert_int_equal(imsctl_parse_global(ARGC(badtimeout), badtimeout, &o, &next, err, sizeof(err)),
                     IMSCTL_EXIT_USAGE);

    char *certonly[] = {"imsctl", "--cert", "/c", "health", NULL};
    assert_int_equal(imsctl_parse_global(ARGC(certonly), certonly, &o, &next, err, sizeof(err)),
                     IMSCTL_EXIT_USAGE);

    char *help[] = {"imsctl", "--help", NULL};
    assert_int_equal(imsctl_parse_global(ARGC(help), help, &o, &next, err, sizeof(err)), 0);
    assert_true(o.help);
    assert_int_equal(next, 2); /* no group: main prints the help */
}

static void command_flags(void **state)
{
    (void)state;
    const char *name = NULL, *label = "";
    long severity = 0;
    bool has_severity = false, controls = false;
    imsctl_list tenants = {0};
    imsctl_flag flags[] = {
        IMSCTL_STRING("name", &name),
        IMSCTL_STRING("label", &label),
        IMSCTL_INT_SET("severity", &severity, 1, 5, &has_severity),
        IMSCTL_LIST("tenant", &tenants),
        IMSCTL_BOOL("controls", &controls),
        IMSCTL_FLAGS_END,
    };
    char *argv[] = {"open",       "acme",       "--name", "N",  "--severity=3", "--tenant", "a",
                    "--tenant=b", "--controls", "-7",     "--", "--literal",    NULL};
    const char *pos[ARGC(argv) + 1];
    int npos;
    bool help;
    char err[128];
    assert_int_equal(
        imsctl_parse_flags(ARGC(argv), argv, flags, pos, &npos, 1, 3, &help, err, sizeof(err)), 0);
    assert_false(help);
    assert_string_equal(name, "N");
    assert_string_equal(label, "");
    assert_int_equal(severity, 3);
    assert_true(has_severity);
    assert_true(controls);
    assert_int_equal(tenants.n, 2);
    assert_string_equal(tenants.items[0], "a");
    assert_string_equal(tenants.items[1], "b");
    assert_int_equal(npos, 3);
    assert_string_equal(pos[0], "acme");
    assert_string_equal(pos[1], "-7"); /* a negative number is a value */
    assert_string_equal(pos[2], "--literal");
    imsctl_list_free(&tenants);
}

static void command_flag_errors(void **state)
{
    (void)state;
    long severity = 0;
    bool b = false;
    imsctl_flag flags[] = {IMSCTL_INT("severity", &severity, 1, 5), IMSCTL_BOOL("controls", &b),
                           IMSCTL_FLAGS_END};
    const char *pos[8];
    int npos;
    bool help;
    char err[128];
    struct {
        char *argv[4];
        int want;
    } cases[] = {
        {{"x", "--severity", "9", NULL}, IMSCTL_EXIT_INVALID},
        {{"x", "--severity", "two", NULL}, IMSCTL_EXIT_INVALID},
        {{"x", "--severity", NULL}, IMSCTL_EXIT_USAGE},
        {{"x", "--unknown", NULL}, IMSCTL_EXIT_USAGE},
        {{"x", "-q", NULL}, IMSCTL_EXIT_USAGE},
        {{"x", "--controls=yes", NULL}, IMSCTL_EXIT_USAGE},
        {{"x", "a", "b", NULL}, IMSCTL_EXIT_USAGE}, /* too many positionals */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int argc = 0;
        while (cases[i].argv[argc])
            argc++;
        err[0] = '\0';
        int rc = imsctl_parse_flags(argc, cases[i].argv, flags, pos, &npos, 0, 1, &help, err,
                                    sizeof(err));
        if (rc != cases[i].want)
            fail_msg("case %zu: got %d want %d", i, rc, cases[i].want);
        assert_true(strlen(err) > 0);
    }
    char *missing[] = {"get", NULL};
    assert_int_equal(
        imsctl_parse_flags(1, missing, flags, pos, &npos, 1, 1, &help, err, sizeof(err)),
        IMSCTL_EXIT_USAGE);
    char *helpme[] = {"get", "--help", NULL};
    assert_int_equal(
        imsctl_parse_flags(2, helpme, flags, pos, &npos, 1, 1, &help, err, sizeof(err)), 0);
    assert_true(help);
}

static void exit_codes(void **state)
{
    (void)state;
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_OK), 0);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_INVALID_ARGUMENT), 3);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_OUT_OF_RANGE), 3);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_FAILED_PRECONDITION), 3);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_NOT_FOUND), 4);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_ALREADY_EXISTS), 5);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_UNAUTHENTICATED), 6);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_PERMISSION_DENIED), 6);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_UNAVAILABLE), 7);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_DEADLINE_EXCEEDED), 7);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_RESOURCE_EXHAUSTED), 8);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_INTERNAL), 1);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_UNKNOWN), 1);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_UNIMPLEMENTED), 1);
    assert_int_equal(imsctl_exit_for_status(IMS_GRPC_CANCELLED), 1);
}

static void times(void **state)
{
    (void)state;
    char out[64];
    long long now = 1780000000; /* 2026-05-28T20:26:40Z */
    assert_int_equal(imsctl_parse_time("2026-06-01T10:00:00Z", now, out, sizeof(out)), 0);
    assert_string_equal(out, "2026-06-01T10:00:00Z");
    assert_int_equal(imsctl_parse_time("2026-06-01t10:00:00.250+02:00", now, out, sizeof(out)), 0);
    assert_string_equal(out, "2026-06-01T10:00:00.250+02:00");
    assert_int_equal(imsctl_parse_time("2026-06-01", now, out, sizeof(out)), 0);
    assert_string_equal(out, "2026-06-01T00:00:00Z");
    assert_int_equal(imsctl_parse_time("now", now, out, sizeof(out)), 0);
    assert_string_equal(out, "2026-05-28T20:26:40Z");
    assert_int_equal(imsctl_parse_time("+1d", now, out, sizeof(out)), 0);
    assert_string_equal(out, "2026-05-29T20:26:40Z");
    assert_int_equal(imsctl_parse_time("-2h", now, out, sizeof(out)), 0);
    assert_string_equal(out, "2026-05-28T18:26:40Z");
    const char *bad[] = {"",
                         "tomorrow",
                         "2026-13-01",
                         "2026-06-01T10:00",
                         "2026-06-01T10:00:00",
                         "+3y",
                         "+d",
                         "2026-06-01T10:00:00+0200"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (imsctl_parse_time(bad[i], now, out, sizeof(out)) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
}

static void token_text(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(imsctl_token_from_text("  abc.def \r\nsecond line\n", out, sizeof(out)), 0);
    assert_string_equal(out, "abc.def");
    assert_int_equal(imsctl_token_from_text("tok", out, sizeof(out)), 0);
    assert_string_equal(out, "tok");
    assert_int_equal(imsctl_token_from_text("\n", out, sizeof(out)), -1);
    assert_int_equal(imsctl_token_from_text("", out, sizeof(out)), -1);
    assert_int_equal(imsctl_token_from_text("0123456789", out, 5), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(global_options), cmocka_unit_test(global_defaults_and_errors),
        cmocka_unit_test(command_flags),  cmocka_unit_test(command_flag_errors),
        cmocka_unit_test(exit_codes),     cmocka_unit_test(times),
        cmocka_unit_test(token_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
