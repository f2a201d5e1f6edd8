/* Server address parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "address.h"
#include "ims/error.h"

static ims__address parse_ok(const char *text)
{
    ims__address a;
    char err[256];
    int rc = ims__address_parse(text, &a, err, sizeof(err));
    if (rc != 0)
        fail_msg("%s: %s", text, err);
    return a;
}

static void tcp_forms(void **state)
{
    (void)state;
    ims__address a = parse_ok("127.0.0.1:7800");
    assert_int_equal(a.kind, IMS__ADDRESS_TCP);
    assert_false(a.tls);
    assert_string_equal(a.host, "127.0.0.1");
    assert_string_equal(a.port, "7800");
    assert_string_equal(a.authority, "127.0.0.1:7800");

    a = parse_ok("[::1]:50051");
    assert_string_equal(a.host, "::1");
    assert_string_equal(a.port, "50051");
    assert_string_equal(a.authority, "[::1]:50051");

    a = parse_ok("ims.example.com:443");
    assert_string_equal(a.host, "ims.example.com");

    a = parse_ok("http://localhost:8080/");
    assert_false(a.tls);
    assert_string_equal(a.port, "8080");
}

static void tls_forms(void **state)
{
    (void)state;
    ims__address a = parse_ok("https://ims.example.com:7443");
    assert_true(a.tls);
    assert_string_equal(a.host, "ims.example.com");
    assert_string_equal(a.port, "7443");

    a = parse_ok("https://ims.example.com");
    assert_string_equal(a.port, "443");
    assert_string_equal(a.authority, "ims.example.com:443");

    a = parse_ok("https://[2001:db8::1]:9000");
    assert_true(a.tls);
    assert_string_equal(a.host, "2001:db8::1");
    assert_string_equal(a.port, "9000");
}

static void unix_forms(void **state)
{
    (void)state;
    ims__address a = parse_ok("unix:/run/ims/imsd.sock");
    assert_int_equal(a.kind, IMS__ADDRESS_UNIX);
    assert_false(a.tls);
    assert_string_equal(a.path, "/run/ims/imsd.sock");
    assert_string_equal(a.authority, "localhost");
    a = parse_ok("unix:///tmp/x.sock");
    assert_string_equal(a.path, "/tmp/x.sock");
}

static void rejected(void **state)
{
    (void)state;
    const char *bad[] = {
        "",         "localhost",  "host:",        "host:0",  "host:65536",
        "host:80x", ":80",        "::1:80",       "[::1:80", "[::1]80",
        "unix:rel", "ftp://h:21", "https://:443", "h st:80", "unix:",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ims__address a;
        char err[256] = "";
        if (ims__address_parse(bad[i], &a, err, sizeof(err)) != IMS_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_true(strlen(err) > 0);
    }
    char longpath[200] = "unix:/";
    memset(longpath + 6, 'a', 150);
    longpath[156] = '\0';
    ims__address a;
    char err[256];
    assert_int_equal(ims__address_parse(longpath, &a, err, sizeof(err)), IMS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp_forms),
        cmocka_unit_test(tls_forms),
        cmocka_unit_test(unix_forms),
        cmocka_unit_test(rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
