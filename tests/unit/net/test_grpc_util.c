/* Unit tests of the pure helpers: grpc-timeout, grpc-message encoding, content-type and
 * listen address parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "grpc_server.h"
#include "grpc_util.h"
#include "ims/error.h"
#include "listener.h"

static void timeout_every_unit(void **state)
{
    uint64_t ms;
    assert_int_equal(grpc_parse_timeout("2H", &ms), 0);
    assert_int_equal(ms, 7200000);
    assert_int_equal(grpc_parse_timeout("3M", &ms), 0);
    assert_int_equal(ms, 180000);
    assert_int_equal(grpc_parse_timeout("5S", &ms), 0);
    assert_int_equal(ms, 5000);
    assert_int_equal(grpc_parse_timeout("100m", &ms), 0);
    assert_int_equal(ms, 100);
    assert_int_equal(grpc_parse_timeout("1500u", &ms), 0);
    assert_int_equal(ms, 2); /* rounded up */
    assert_int_equal(grpc_parse_timeout("1000u", &ms), 0);
    assert_int_equal(ms, 1);
    assert_int_equal(grpc_parse_timeout("1n", &ms), 0);
    assert_int_equal(ms, 1);
    assert_int_equal(grpc_parse_timeout("0m", &ms), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(grpc_parse_timeout("00000007S", &ms), 0);
    assert_int_equal(ms, 7000);
}

static void timeout_bad_input(void **state)
{
    uint64_t ms = 42;
    const char *bad[] = {"",    "m",   "10",   "10s",        "10x", "-1S", "+1S",
                         " 1S", "1S ", "1.5S", "123456789S", "1SS", "S1",  "0x10S"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(grpc_parse_timeout(bad[i], &ms), IMS_EINVAL);
    assert_int_equal(grpc_parse_timeout(NULL, &ms), IMS_EINVAL);
    assert_int_equal(ms, 42);
}

static void timeout_largest_values(void **state)
{
    uint64_t ms, ns;
    assert_int_equal(grpc_parse_timeout("99999999H", &ms), 0);
    assert_true(ms == UINT64_C(99999999) * 3600000u);
    /* In nanoseconds it does not fit: saturated, not wrapped. */
    assert_int_equal(grpc_parse_timeout_ns("99999999H", &ns), 0);
    assert_true(ns == UINT64_MAX);
    assert_int_equal(grpc_parse_timeout_ns("99999999n", &ns), 0);
    assert_true(ns == 99999999u);
    assert_int_equal(grpc_parse_timeout_ns("1m", &ns), 0);
    assert_true(ns == 1000000u);
    assert_int_equal(grpc_parse_timeout_ns("999999999n", &ns), IMS_EINVAL);
}

static void percent_encode(void **state)
{
    char out[64];
    assert_int_equal(grpc_percent_encode("plain text", out, sizeof out), 10);
    assert_string_equal(out, "plain text");
    assert_int_equal(grpc_percent_encode("100% sure", out, sizeof out), 11);
    assert_string_equal(out, "100%25 sure");
    assert_int_equal(grpc_percent_encode("a\nb\tc", out, sizeof out), 9);
    assert_string_equal(out, "a%0Ab%09c");
    assert_int_equal(grpc_percent_encode("caf\xc3\xa9", out, sizeof out), 9);
    assert_string_equal(out, "caf%C3%A9");
    assert_int_equal(grpc_percent_encode("~\x7f", out, sizeof out), 4);
    assert_string_equal(out, "~%7F");
    assert_int_equal(grpc_percent_encode("", out, sizeof out), 0);
    assert_string_equal(out, "");
}

static void percent_encode_too_small(void **state)
{
    char out[4];
    assert_int_equal(grpc_percent_encode("abc", out, sizeof out), 3);
    assert_int_equal(grpc_percent_encode("abcd", out, sizeof out), IMS_ETOOBIG);
    assert_int_equal(grpc_percent_encode("a%", out, sizeof out), IMS_ETOOBIG);
    assert_int_equal(grpc_percent_encode("", out, 0), IMS_ETOOBIG);
}

static void content_type(void **state)
{
    assert_true(grpc_content_type_is_grpc("application/grpc"));
    assert_true(grpc_content_type_is_grpc("application/grpc+proto"));
    assert_true(grpc_content_type_is_grpc("application/grpc;charset=utf-8"));
    assert_true(grpc_content_type_is_grpc("Application/GRPC"));
    assert_false(grpc_content_type_is_grpc("application/grpcx"));
    assert_false(grpc_content_type_is_grpc("application/json"));
    assert_false(grpc_content_type_is_grpc("application/grp"));
    assert_false(grpc_content_type_is_grpc(""));
    assert_false(grpc_content_type_is_grpc(NULL));
}

static void address_split(void **state)
{
    char host[64];
    int port;
    assert_int_equal(net_address_split("127.0.0.1:8443", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8443);
    assert_int_equal(net_address_split("[::1]:0", host, sizeof host, &port), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 0);
    assert_int_equal(net_address_split("localhost:65535", host, sizeof host, &port), 0);
    assert_string_equal(host, "localhost");
    assert_int_equal(port, 65535);
    const char *bad[] = {"localhost", "localhost:", ":80",     "::1:80",  "[::1]80",
                         "[::1]:",    "host:65536", "host:8o", "host:-1", "[::1:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(net_address_split(bad[i], host, sizeof host, &port), IMS_EINVAL);
    assert_int_equal(net_address_split("averylonghostname:1", host, 8, &port), IMS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timeout_every_unit),
        cmocka_unit_test(timeout_bad_input),
        cmocka_unit_test(timeout_largest_values),
        cmocka_unit_test(percent_encode),
        cmocka_unit_test(percent_encode_too_small),
        cmocka_unit_test(content_type),
        cmocka_unit_test(address_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
