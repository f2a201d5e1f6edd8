/* Unit tests of the gRPC message deframer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "grpc_frame.h"
#include "ims/error.h"

#define MAX_SEEN 8

struct seen {
    int count;
    size_t len[MAX_SEEN];
    uint8_t data[MAX_SEEN][64];
    int stop_after; /* return 1 after this many messages; 0: never */
};

static int on_message(void *arg, const uint8_t *data, size_t len)
{
    struct seen *seen = arg;
    assert_true(seen->count < MAX_SEEN);
    seen->len[seen->count] = len;
    memcpy(seen->data[seen->count], data, len < 64 ? len : 64);
    seen->count++;
    return seen->stop_after != 0 && seen->count >= seen->stop_after;
}

/* Appends one framed message to buf; returns the new length. */
static size_t frame(uint8_t *buf, size_t at, uint8_t flag, const char *text)
{
    size_t len = strlen(text);
    buf[at] = flag;
    buf[at + 1] = (uint8_t)(len >> 24);
    buf[at + 2] = (uint8_t)(len >> 16);
    buf[at + 3] = (uint8_t)(len >> 8);
    buf[at + 4] = (uint8_t)len;
    memcpy(buf + at + 5, text, len);
    return at + 5 + len;
}

static void one_message(void **state)
{
    struct grpc_deframer d;
    struct seen seen = {0};
    uint8_t buf[64];
    size_t len = frame(buf, 0, 0, "hello");
    grpc_deframer_init(&d, 100);
    assert_int_equal(grpc_deframer_feed(&d, buf, len, on_message, &seen), 0);
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.len[0], 5);
    assert_memory_equal(seen.data[0], "hello", 5);
    assert_int_equal(grpc_deframer_finish(&d), 0);
    grpc_deframer_free(&d);
}

static void several_per_chunk(void **state)
{
    struct grpc_deframer d;
    struct seen seen = {0};
    uint8_t buf[64];
    size_t len = frame(buf, 0, 0, "one");
    len = frame(buf, len, 0, "");
    len = frame(buf, len, 0, "three");
    grpc_deframer_init(&d, 100);
    assert_int_equal(grpc_deframer_feed(&d, buf, len, on_message, &seen), 0);
    assert_int_equal(seen.count, 3);
    assert_int_equal(seen.len[0], 3);
    assert_int_equal(seen.len[1], 0);
    assert_int_equal(seen.len[2], 5);
    assert_memory_equal(seen.data[2], "three", 5);
    assert_int_equal(grpc_deframer_finish(&d), 0);
    grpc_deframer_free(&d);
}

static void split_across_chunks(void **state)
{
    uint8_t buf[64];
    size_t len = frame(buf, 0, 0, "split message");
    len = frame(buf, len, 0, "next");
    /* Every chunk size, so the cut falls inside the prefix and inside the body. */
    for (size_t chunk = 1; chunk <= len; chunk++) {
        struct grpc_deframer d;
        struct seen seen = {0};
        grpc_deframer_init(&d, 100);
        for (size_t at = 0; at < len; at += chunk) {
            size_t n = len - at < chunk ? len - at : chunk;
            assert_int_equal(grpc_deframer_feed(&d, buf + at, n, on_message, &seen), 0);
        }
        assert_int_equal(seen.count, 2);
        assert_int_equal(seen.len[0], 13);
        assert_memory_equal(seen.data[0], "split message", 13);
        assert_memory_equal(seen.data[1], "next", 4);
        assert_int_equal(grpc_deframer_finish(&d), 0);
        grpc_deframer_free(&d);
    }
}

static void oversized(void **state)
{
    struct grpc_deframer d;
    struct seen seen = {0};
    uint8_t buf[64];
    size_t len = frame(buf, 0, 0, "ok");
    len = frame(buf, len, 0, "eleven char");
    grpc_deframer_init(&d, 10);
    /* The limit is checked on the prefix alone: nothing of the body is needed. */
    assert_int_equal(grpc_deframer_feed(&d, buf, 2 + 5 + 5, on_message, &seen), IMS_ETOOBIG);
    assert_int_equal(seen.count, 1);
    assert_int_equal(d.bad_length, 11);
    assert_int_equal(grpc_deframer_feed(&d, buf + 12, len - 12, on_message, &seen), IMS_EPARSE);
    grpc_deframer_free(&d);

    uint8_t huge[5] = {0, 0xff, 0xff, 0xff, 0xff};
    grpc_deframer_init(&d, 4u << 20);
    assert_int_equal(grpc_deframer_feed(&d, huge, 5, on_message, &seen), IMS_ETOOBIG);
    assert_true(d.bad_length == 0xffffffffu);
    grpc_deframer_free(&d);
}

static void exactly_at_limit(void **state)
{
    struct grpc_deframer d;
    struct seen seen = {0};
    uint8_t buf[64];
    size_t len = frame(buf, 0, 0, "0123456789");
    grpc_deframer_init(&d, 10);
    assert_int_equal(grpc_deframer_feed(&d, buf, len, on_message, &seen), 0);
    assert_int_equal(seen.count, 1);
    grpc_deframer_free(&d);
}

static void compressed_flag(void **state)
{
    struct grpc_deframer d;
    struct seen seen = {0};
    uint8_t buf[64];
    size_t len = frame(buf, 0, 1, "zz");
    grpc_deframer_init(&d, 100);
    assert_int_equal(grpc_deframer_feed(&d, buf, len, on_message, &seen), IMS_EPROTO);
    assert_int_equal(seen.count, 0);
    grpc_deframer_free(&d);

    len = frame(buf, 0, 7, "zz");
    grpc_deframer_init(&d, 100);
    assert_int_equal(grpc_deframer_feed(&d, buf, len, on_message, &seen), IMS_EPARSE);
    grpc_deframer_free(&d);
}

static void truncated(void **state)
{
    struct grpc_deframer d;
    struct seen seen = {0};
    uint8_t buf[64];
    size_t len = frame(buf, 0, 0, "truncated");
    grpc_deframer_init(&d, 100);
    assert_int_equal(grpc_deframer_feed(&d, buf, len - 3, on_message, &seen), 0);
    assert_int_equal(seen.count, 0);
    assert_int_equal(grpc_deframer_finish(&d), IMS_EPARSE);
    grpc_deframer_free(&d);

    grpc_deframer_init(&d, 100);
    assert_int_equal(grpc_deframer_feed(&d, buf, 3, on_message, &seen), 0);
    assert_int_equal(grpc_deframer_finish(&d), IMS_EPARSE);
    grpc_deframer_free(&d);

    grpc_deframer_init(&d, 100);
    assert_int_equal(grpc_deframer_finish(&d), 0);
    grpc_deframer_free(&d);
}

static void callback_stops(void **state)
{
    struct grpc_deframer d;
    struct seen seen = {.stop_after = 1};
    uint8_t buf[64];
    size_t len = frame(buf, 0, 0, "a");
    len = frame(buf, len, 0, "b");
    grpc_deframer_init(&d, 100);
    assert_int_equal(grpc_deframer_feed(&d, buf, len, on_message, &seen), 1);
    assert_int_equal(seen.count, 1);
    grpc_deframer_free(&d);
}

/* A prefix announcing 4 MiB costs what has arrived, not 4 MiB: the copy grows with the
 * bytes, and the message delivered is whole. */
static void grows_with_the_bytes(void **state)
{
    (void)state;
    struct grpc_deframer d;
    struct seen seen = {0};
    size_t total = 4u << 20;
    uint8_t prefix[5] = {0, (uint8_t)(total >> 24), (uint8_t)(total >> 16),
                         (uint8_t)(total >> 8), (uint8_t)total};
    uint8_t *chunk = malloc(65536);
    assert_non_null(chunk);
    memset(chunk, 'x', 65536);
    grpc_deframer_init(&d, total);
    assert_int_equal(grpc_deframer_feed(&d, prefix, 5, on_message, &seen), 0);
    assert_int_equal(grpc_deframer_feed(&d, chunk, 10, on_message, &seen), 0);
    assert_true(d.body_cap <= 16384);
    for (size_t have = 10; have < total;) {
        size_t n = total - have < 65536 ? total - have : 65536;
        assert_int_equal(grpc_deframer_feed(&d, chunk, n, on_message, &seen), 0);
        have += n;
        if (have < total)
            assert_true(d.body_cap <= 2 * have + 16384);
    }
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.len[0], total);
    assert_memory_equal(seen.data[0], "xxxxxxxx", 8);
    assert_int_equal(grpc_deframer_finish(&d), 0);
    grpc_deframer_free(&d);
    free(chunk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_message),         cmocka_unit_test(several_per_chunk),
        cmocka_unit_test(split_across_chunks), cmocka_unit_test(oversized),
        cmocka_unit_test(exactly_at_limit),    cmocka_unit_test(compressed_flag),
        cmocka_unit_test(truncated),           cmocka_unit_test(callback_stops),
        cmocka_unit_test(grows_with_the_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
