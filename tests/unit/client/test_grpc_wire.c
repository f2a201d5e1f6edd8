/* gRPC framing, grpc-message decoding, grpc-timeout and status mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "grpc_wire.h"
#include "ims/error.h"

/* Two framed messages, "hello" and "", then "world!" in one buffer. */
static size_t build(uint8_t *out)
{
    size_t n = 0;
    const char *msgs[] = {"hello", "", "world!"};
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(msgs[i]);
        ims__grpc_prefix(out + n, (uint32_t)len);
        memcpy(out + n + IMS__GRPC_PREFIX, msgs[i], len);
        n += IMS__GRPC_PREFIX + len;
    }
    return n;
}

static void expect_all(ims__deframer *d)
{
    const char *want[] = {"hello", "", "world!"};
    for (int i = 0; i < 3; i++) {
        const uint8_t *m;
        size_t len;
        assert_int_equal(ims__deframer_next(d, &m, &len), 1);
        assert_int_equal(len, strlen(want[i]));
        assert_memory_equal(m, want[i], len);
    }
    const uint8_t *m;
    size_t len;
    assert_int_equal(ims__deframer_next(d, &m, &len), 0);
    assert_int_equal(ims__deframer_pending(d), 0);
}

static void deframe_whole(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = build(buf);
    ims__deframer d = {0};
    assert_int_equal(ims__deframer_feed(&d, buf, n), 0);
    expect_all(&d);
    ims__deframer_free(&d);
}

static void deframe_byte_by_byte(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = build(buf);
    ims__deframer d = {0};
    const char *want[] = {"hello", "", "world!"};
    int got = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ims__deframer_feed(&d, buf + i, 1), 0);
        const uint8_t *m;
        size_t len;
        int rc;
        while ((rc = ims__deframer_next(&d, &m, &len)) == 1) {
            assert_int_equal(len, strlen(want[got]));
            assert_memory_equal(m, want[got], len);
            got++;
        }
        assert_int_equal(rc, 0);
    }
    assert_int_equal(got, 3);
    assert_int_equal(ims__deframer_pending(&d), 0);
    ims__deframer_free(&d);
}

static void deframe_every_split(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = build(buf);
    for (size_t cut = 0; cut <= n; cut++) {
        ims__deframer d = {0};
        assert_int_equal(ims__deframer_feed(&d, buf, cut), 0);
        assert_int_equal(ims__deframer_feed(&d, buf + cut, n - cut), 0);
        expect_all(&d);
        ims__deframer_free(&d);
    }
}

static void deframe_large_across_chunks(void **state)
{
    (void)state;
    size_t len = 300000;
    uint8_t *buf = malloc(len + IMS__GRPC_PREFIX);
    assert_non_null(buf);
    ims__grpc_prefix(buf, (uint32_t)len);
    for (size_t i = 0; i < len; i++)
        buf[IMS__GRPC_PREFIX + i] = (uint8_t)(i * 7);
    ims__deframer d = {0};
    const uint8_t *m;
    size_t got;
    for (size_t off = 0; off < len + IMS__GRPC_PREFIX; off += 16384) {
        size_t chunk = len + IMS__GRPC_PREFIX - off < 16384 ? len + IMS__GRPC_PREFIX - off : 16384;
        assert_int_equal(ims__deframer_next(&d, &m, &got), 0);
        assert_int_equal(ims__deframer_feed(&d, buf + off, chunk), 0);
    }
    assert_int_equal(ims__deframer_next(&d, &m, &got), 1);
    assert_int_equal(got, len);
    assert_memory_equal(m, buf + IMS__GRPC_PREFIX, len);
    ims__deframer_free(&d);
    free(buf);
}

static void deframe_rejects(void **state)
{
    (void)state;
    const uint8_t *m;
    size_t len;
    ims__deframer d = {0};
    /* Compressed flag: we never accept compression. */
    uint8_t compressed[] = {1, 0, 0, 0, 1, 'x'};
    assert_int_equal(ims__deframer_feed(&d, compressed, sizeof(compressed)), 0);
    assert_int_equal(ims__deframer_next(&d, &m, &len), IMS_EPROTO);
    ims__deframer_free(&d);

    /* With a limit, the feed itself refuses: a prefix announcing too much as soon as it is
     * in, and messages piling up untaken beyond IMS__DEFRAMER_HELD of the largest. */
    ims__deframer small = {.max_message = 10};
    uint8_t big[IMS__GRPC_PREFIX];
    ims__grpc_prefix(big, 11);
    assert_int_equal(ims__deframer_feed(&small, big, sizeof(big)), IMS_ETOOBIG);
    assert_int_equal(ims__deframer_next(&small, &m, &len), IMS_ETOOBIG);
    ims__deframer_free(&small);
    ims__deframer piling = {.max_message = 10};
    uint8_t ten[IMS__GRPC_PREFIX + 10] = {0};
    ims__grpc_prefix(ten, 10);
    int rc = 0, fed = 0;
    while (rc == 0 && fed < 100) {
        rc = ims__deframer_feed(&piling, ten, sizeof ten);
        fed++;
    }
    assert_int_equal(rc, IMS_ETOOBIG);
    assert_int_equal(fed, IMS__DEFRAMER_HELD + 1);
    ims__deframer_free(&piling);
    uint8_t zipped[] = {1, 0, 0, 0, 1, 'x'};
    ims__deframer flagged = {.max_message = 10};
    assert_int_equal(ims__deframer_feed(&flagged, zipped, sizeof zipped), IMS_EPROTO);
    ims__deframer_free(&flagged);

    /* A truncated message stays pending. */
    ims__deframer t = {0};
    uint8_t part[] = {0, 0, 0, 0, 9, 'a', 'b'};
    assert_int_equal(ims__deframer_feed(&t, part, sizeof(part)), 0);
    assert_int_equal(ims__deframer_next(&t, &m, &len), 0);
    assert_int_equal(ims__deframer_pending(&t), sizeof(part));
    ims__deframer_free(&t);
}

static void check_decode(const char *in, const char *want)
{
    char *out = ims__percent_decode(in, strlen(in));
    assert_non_null(out);
    assert_string_equal(out, want);
    free(out);
}

static void percent_decoding(void **state)
{
    (void)state;
    check_decode("", "");
    check_decode("plain text", "plain text");
    check_decode("100%25 sure", "100% sure");
    check_decode("caf%C3%A9 %E2%80%94 ok", "caf\xc3\xa9 \xe2\x80\x94 ok");
    check_decode("%0Aline", "\nline");
    check_decode("lower %c3%a9", "lower \xc3\xa9");
    /* Malformed escapes are kept as they are. */
    check_decode("bad %zz and %4", "bad %zz and %4");
    check_decode("trailing %", "trailing %");
    check_decode("%%41", "%A");
    /* Only the given length is read. */
    char *out = ims__percent_decode("ab%41cd", 5);
    assert_string_equal(out, "abA");
    free(out);
}

static void timeout_header(void **state)
{
    (void)state;
    char buf[32];
    ims__grpc_timeout(buf, sizeof(buf), 250);
    assert_string_equal(buf, "250m");
    ims__grpc_timeout(buf, sizeof(buf), 99999999);
    assert_string_equal(buf, "99999999m");
    ims__grpc_timeout(buf, sizeof(buf), 100000000);
    assert_string_equal(buf, "100000S");
    ims__grpc_timeout(buf, sizeof(buf), 0);
    assert_string_equal(buf, "0m");
}

static void status_mapping(void **state)
{
    (void)state;
    assert_int_equal(ims__grpc_status_from_http(200), IMS_GRPC_OK);
    assert_int_equal(ims__grpc_status_from_http(400), IMS_GRPC_INTERNAL);
    assert_int_equal(ims__grpc_status_from_http(401), IMS_GRPC_UNAUTHENTICATED);
    assert_int_equal(ims__grpc_status_from_http(403), IMS_GRPC_PERMISSION_DENIED);
    assert_int_equal(ims__grpc_status_from_http(404), IMS_GRPC_UNIMPLEMENTED);
    assert_int_equal(ims__grpc_status_from_http(415), IMS_GRPC_UNKNOWN);
    assert_int_equal(ims__grpc_status_from_http(429), IMS_GRPC_UNAVAILABLE);
    assert_int_equal(ims__grpc_status_from_http(502), IMS_GRPC_UNAVAILABLE);
    assert_int_equal(ims__grpc_status_from_http(503), IMS_GRPC_UNAVAILABLE);
    assert_int_equal(ims__grpc_status_from_http(504), IMS_GRPC_UNAVAILABLE);
    assert_int_equal(ims__grpc_status_from_http(500), IMS_GRPC_UNKNOWN);
    assert_int_equal(ims__grpc_status_from_h2_error(0x7), IMS_GRPC_UNAVAILABLE);
    assert_int_equal(ims__grpc_status_from_h2_error(0x8), IMS_GRPC_CANCELLED);
    assert_int_equal(ims__grpc_status_from_h2_error(0xb), IMS_GRPC_RESOURCE_EXHAUSTED);
    assert_int_equal(ims__grpc_status_from_h2_error(0x2), IMS_GRPC_INTERNAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deframe_whole),       cmocka_unit_test(deframe_byte_by_byte),
        cmocka_unit_test(deframe_every_split), cmocka_unit_test(deframe_large_across_chunks),
        cmocka_unit_test(deframe_rejects),     cmocka_unit_test(percent_decoding),
        cmocka_unit_test(timeout_header),      cmocka_unit_test(status_mapping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
