/* Log values are escaped: no byte a peer chose can end a line, forge a field or smuggle a
 * control character into the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static size_t format(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static size_t format(char *out, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = log_format(out, len, fmt, ap);
    va_end(ap);
    return n;
}

static void escape_rules(void **state)
{
    char out[128];
    log_escape(out, sizeof out, "plain text", SIZE_MAX, 1);
    assert_string_equal(out, "plain text");
    log_escape(out, sizeof out, "a\nb\rc\td", SIZE_MAX, 1);
    assert_string_equal(out, "a\\nb\\rc\\td");
    log_escape(out, sizeof out, "say \"hi\" \\o/", SIZE_MAX, 1);
    assert_string_equal(out, "say \\\"hi\\\" \\\\o/");
    log_escape(out, sizeof out, "\x01\x1b[31m\x7f", SIZE_MAX, 1);
    assert_string_equal(out, "\\x01\\x1b[31m\\x7f");
    log_escape(out, sizeof out, "caf\xc3\xa9", SIZE_MAX, 1);
    assert_string_equal(out, "caf\\xc3\\xa9");
    /* Outside quotes a space would start a new field. */
    log_escape(out, sizeof out, "a b", SIZE_MAX, 0);
    assert_string_equal(out, "a\\x20b");
    log_escape(out, sizeof out, "abcdef", 3, 1);
    assert_string_equal(out, "abc");
}

static void escape_never_cuts_an_escape(void **state)
{
    char out[6];
    /* "ab\n" needs 4 bytes and fits; "\x01" would need 4 more and is dropped whole. */
    assert_int_equal(log_escape(out, sizeof out, "ab\n\x01", SIZE_MAX, 1), 4);
    assert_string_equal(out, "ab\\n");
    assert_int_equal(log_escape(out, 1, "abc", SIZE_MAX, 1), 0);
    assert_string_equal(out, "");
}

static void format_escapes_every_string(void **state)
{
    char out[256];
    format(out, sizeof out, "peer=%s reason=\"%s\"", "1.2.3.4:5 status=OK", "bad\nlevel=error");
    assert_string_equal(out, "peer=1.2.3.4:5\\x20status=OK reason=\"bad\\nlevel=error\"");
    format(out, sizeof out, "method=%.5s detail=\"%.*s\"", "/a.b/Method", 3, "x\"yz");
    assert_string_equal(out, "method=/a.b/ detail=\"x\\\"y\"");
    const char *volatile none = NULL; /* hidden from the compiler's format checks */
    format(out, sizeof out, "v=%s c=%c", none, '\n');
    assert_string_equal(out, "v=(null) c=\\n");
}

static void format_keeps_numbers(void **state)
{
    char out[256];
    format(out, sizeof out, "conn=%llu n=%d u=%u z=%zu l=%ld x=%x pct=100%% f=%.2f w=%5d|",
           18446744073709551615ULL, -7, 7u, (size_t)42, -123456789L, 255u, 0.125, 3);
    assert_string_equal(out,
                        "conn=18446744073709551615 n=-7 u=7 z=42 l=-123456789 x=ff pct=100% "
                        "f=0.12 w=    3|");
    format(out, sizeof out, "%s", "");
    assert_string_equal(out, "");
}

static void format_truncates(void **state)
{
    char out[8];
    format(out, sizeof out, "key=%s", "abcdefgh");
    assert_string_equal(out, "key=abc");
    format(out, sizeof out, "n=%d and more", 12345);
    assert_string_equal(out, "n=12345");
}

/* The whole line, as log_emit writes it to stderr. */
static void emit_writes_one_escaped_line(void **state)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fileno(tmp), 2), 2);
    log_emit(LOG_WARNING, "bad request", "peer=%s reason=\"%s\"", "evil\npeer", "x\r\ny");
    fflush(stderr);
    assert_int_equal(dup2(saved, 2), 2);
    close(saved);
    char line[512] = "";
    rewind(tmp);
    assert_non_null(fgets(line, sizeof line, tmp));
    fclose(tmp);
    assert_non_null(strstr(line, " level=warning msg=\"bad request\" "
                                 "peer=evil\\npeer reason=\"x\\r\\ny\"\n"));
    assert_int_equal(line[strlen(line) - 1], '\n');
    assert_null(strchr(line, '\r'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escape_rules),
        cmocka_unit_test(escape_never_cuts_an_escape),
        cmocka_unit_test(format_escapes_every_string),
        cmocka_unit_test(format_keeps_numbers),
        cmocka_unit_test(format_truncates),
        cmocka_unit_test(emit_writes_one_escaped_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
