/* remote_write bodies: what Prometheus sends decodes; everything else is refused, named. */
#include <setjmp.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ims/error.h"
#include "remote_write.h"

static const struct remote_write_limits limits = {.max_decoded_bytes = 1 << 20,
                                                  .max_samples = 100};

/* A WriteRequest with one series {__name__="up", job="node"} of n samples, compressed. */
static char *make_body(size_t n, size_t *len)
{
    Prometheus__Label l1 = PROMETHEUS__LABEL__INIT, l2 = PROMETHEUS__LABEL__INIT;
    l1.name = "__name__";
    l1.value = "up";
    l2.name = "job";
    l2.value = "node";
    Prometheus__Label *labels[] = {&l1, &l2};
    Prometheus__Sample *samples[200];
    Prometheus__Sample s[200];
    for (size_t i = 0; i < n; i++) {
        prometheus__sample__init(&s[i]);
        s[i].value = (double)i;
        s[i].timestamp = 1700000000000 + (int64_t)i * 1000;
        samples[i] = &s[i];
    }
    Prometheus__TimeSeries ts = PROMETHEUS__TIME_SERIES__INIT;
    ts.n_labels = 2;
    ts.labels = labels;
    ts.n_samples = n;
    ts.samples = samples;
    Prometheus__TimeSeries *series[] = {&ts};
    Prometheus__WriteRequest wr = PROMETHEUS__WRITE_REQUEST__INIT;
    wr.n_timeseries = 1;
    wr.timeseries = series;
    size_t plen = prometheus__write_request__get_packed_size(&wr);
    uint8_t *plain = malloc(plen);
    prometheus__write_request__pack(&wr, plain);
    size_t cap = snappy_max_compressed_length(plen);
    char *out = malloc(cap);
    *len = cap;
    assert_int_equal(snappy_compress((const char *)plain, plen, out, len), SNAPPY_OK);
    free(plain);
    return out;
}

static void test_decodes(void **state)
{
    (void)state;
    size_t len;
    char *body = make_body(3, &len);
    Prometheus__WriteRequest *wr;
    char err[160];
    assert_int_equal(remote_write_decode((uint8_t *)body, len, "snappy",
                                         "application/x-protobuf", &limits, &wr, err, sizeof err),
                     0);
    assert_int_equal(wr->n_timeseries, 1);
    assert_int_equal(wr->timeseries[0]->n_labels, 2);
    assert_string_equal(wr->timeseries[0]->labels[1]->value, "node");
    assert_int_equal(wr->timeseries[0]->n_samples, 3);
    assert_true(wr->timeseries[0]->samples[2]->timestamp == 1700000002000);
    remote_write_free(wr);
    free(body);
}

static void test_refuses(void **state)
{
    (void)state;
    size_t len;
    char *body = make_body(3, &len);
    Prometheus__WriteRequest *wr;
    char err[160];
    assert_int_equal(remote_write_decode((uint8_t *)body, len, NULL, "application/x-protobuf",
                                         &limits, &wr, err, sizeof err),
                     IMS_EINVAL);
    assert_non_null(strstr(err, "Content-Encoding"));
    assert_int_equal(remote_write_decode((uint8_t *)body, len, "snappy", "application/json",
                                         &limits, &wr, err, sizeof err),
                     IMS_EINVAL);
    assert_non_null(strstr(err, "Content-Type"));
    assert_int_equal(remote_write_decode((const uint8_t *)"\xff\xff\xff\xff\x0f garbage", 15,
                                         "snappy", "application/x-protobuf", &limits, &wr, err,
                                         sizeof err),
                     IMS_EINVAL);
    assert_non_null(strstr(err, "snappy"));
    /* Valid snappy around bytes that are not a WriteRequest. */
    char junk[64], packed[128];
    memset(junk, 0xff, sizeof junk);
    size_t plen = sizeof packed;
    assert_int_equal(snappy_compress(junk, sizeof junk, packed, &plen), SNAPPY_OK);
    assert_int_equal(remote_write_decode((uint8_t *)packed, plen, "snappy",
                                         "application/x-protobuf", &limits, &wr, err, sizeof err),
                     IMS_EINVAL);
    assert_non_null(strstr(err, "protobuf"));
    free(body);

    body = make_body(150, &len);
    assert_int_equal(remote_write_decode((uint8_t *)body, len, "snappy",
                                         "application/x-protobuf", &limits, &wr, err, sizeof err),
                     IMS_ETOOBIG);
    assert_non_null(strstr(err, "150 samples"));
    struct remote_write_limits tiny = {.max_decoded_bytes = 100, .max_samples = 1000};
    assert_int_equal(remote_write_decode((uint8_t *)body, len, "snappy",
                                         "application/x-protobuf", &tiny, &wr, err, sizeof err),
                     IMS_ETOOBIG);
    assert_non_null(strstr(err, "uncompressed"));
    free(body);
}

/* Empty series cost two bytes on the wire and far more unpacked: refused before the unpack. */
static void test_counts_before_unpacking(void **state)
{
    (void)state;
    uint8_t wire[2 * 300];
    for (size_t i = 0; i < sizeof wire; i += 2) {
        wire[i] = 0x0a; /* field 1 (timeseries), length-delimited */
        wire[i + 1] = 0x00;
    }
    char packed[1024];
    size_t plen = sizeof packed;
    assert_int_equal(snappy_compress((const char *)wire, sizeof wire, packed, &plen), SNAPPY_OK);
    Prometheus__WriteRequest *wr;
    char err[160];
    assert_int_equal(remote_write_decode((uint8_t *)packed, plen, "snappy",
                                         "application/x-protobuf", &limits, &wr, err, sizeof err),
                     IMS_ETOOBIG);
    assert_non_null(strstr(err, "300 series exceed the limit of 100"));

    /* One series with 65 empty labels (field 1 of TimeSeries). */
    uint8_t one[3 + 2 * 65];
    one[0] = 0x0a;
    one[1] = 0x80 | (2 * 65 & 0x7f); /* the length, 130, as a two-byte varint */
    one[2] = 2 * 65 >> 7;
    for (size_t i = 0; i < 65; i++) {
        one[3 + 2 * i] = 0x0a;
        one[4 + 2 * i] = 0x00;
    }
    plen = sizeof packed;
    assert_int_equal(snappy_compress((const char *)one, sizeof one, packed, &plen), SNAPPY_OK);
    assert_int_equal(remote_write_decode((uint8_t *)packed, plen, "snappy",
                                         "application/x-protobuf", &limits, &wr, err, sizeof err),
                     IMS_ETOOBIG);
    assert_non_null(strstr(err, "65 labels in one series"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_before_unpacking),
        cmocka_unit_test(test_decodes),
        cmocka_unit_test(test_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
