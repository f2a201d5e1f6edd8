/* The token cache: least-recently-used eviction, single-flight lookups, the negative
 * cache, expiry (of the answer and of the token), withdrawn waiters and revocation. The
 * store is a table in the test, answered when the test says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ims/error.h"
#include "tokens.h"

#define MAX_FLIGHTS (AUTH_MAX_FLIGHTS + 8)

/* The fake store: its clock, the questions asked and not yet answered. */
struct store {
    uint64_t now_ms;
    int fetches;
    int refuse; /* fetch fails at once with this code */
    struct auth_flight *flights[MAX_FLIGHTS];
    char hashes[MAX_FLIGHTS][65];
    int pending;
};

static int fake_fetch(void *ctx, const char *hash, struct auth_flight *flight)
{
    struct store *s = ctx;
    s->fetches++;
    if (s->refuse)
        return s->refuse;
    assert_true(s->pending < MAX_FLIGHTS);
    s->flights[s->pending] = flight;
    snprintf(s->hashes[s->pending], 65, "%s", hash);
    s->pending++;
    return 0;
}

static uint64_t fake_now(void *ctx)
{
    return ((struct store *)ctx)->now_ms;
}

/* A token text that differs by n ("ims_" + 43 characters). */
static const char *token(int n, char *buf)
{
    snprintf(buf, AUTH_TOKEN_LEN + 1, "ims_%043d", n);
    return buf;
}

/* The token id the store gives token n. */
static void token_id(int n, char *buf)
{
    snprintf(buf, AUTH_UUID_LEN + 1, "00000000-0000-4000-8000-%012d", n);
}

/* Answers the oldest pending question: token n is known and usable (n > 0), unknown
 * (n == 0) or revoked (n < 0); seconds_left as given. */
static void answer(struct store *s, int n, long long seconds_left)
{
    assert_true(s->pending > 0);
    struct auth_flight *f = s->flights[0];
    memmove(s->flights, s->flights + 1, (size_t)(s->pending - 1) * sizeof s->flights[0]);
    memmove(s->hashes, s->hashes + 1, (size_t)(s->pending - 1) * sizeof s->hashes[0]);
    s->pending--;
    char id[AUTH_UUID_LEN + 1];
    token_id(n < 0 ? -n : n, id);
    struct auth_token_record rec = {
        .found = n != 0,
        .active = n > 0,
        .token_id = id,
        .role = "tenant_admin",
        .tenants_csv = "11111111-1111-4111-8111-111111111111",
        .seconds_left = seconds_left,
    };
    auth_tokens_fetched(f, 0, &rec);
}

/* One caller's view: how often it was answered, with what. */
struct waiter {
    struct auth_wait wait;
    int calls;
    int result;
    char token_id[AUTH_UUID_LEN + 1];
    int tenant_count;
};

static void on_answer(int result, const struct auth_principal *p, void *arg)
{
    struct waiter *w = arg;
    w->calls++;
    w->result = result;
    if (result == 0) {
        assert_non_null(p);
        snprintf(w->token_id, sizeof w->token_id, "%s", p->token_id);
        w->tenant_count = p->tenant_count;
        assert_int_equal(p->role, ROLE_TENANT_ADMIN);
    } else {
        assert_null(p);
    }
}

static struct auth_tokens *cache(struct store *s, size_t capacity, size_t negative)
{
    struct auth_tokens_config c = {
        .capacity = capacity,
        .negative_capacity = negative,
        .ttl_ms = 5000,
        .negative_ttl_ms = 1000,
        .fetch = fake_fetch,
        .now = fake_now,
        .ctx = s,
    };
    struct auth_tokens *t = NULL;
    assert_int_equal(auth_tokens_new(&c, &t), 0);
    return t;
}

static void lookup(struct auth_tokens *t, int n, struct waiter *w)
{
    char buf[AUTH_TOKEN_LEN + 1];
    auth_lookup(t, token(n, buf), &w->wait, on_answer, w);
}

static void counts_are(struct auth_tokens *t, size_t cached, size_t negative, size_t flying)
{
    size_t c, n, f;
    auth_tokens_counts(t, &c, &n, &f);
    assert_int_equal(c, cached);
    assert_int_equal(n, negative);
    assert_int_equal(f, flying);
}

static void hit_after_first_lookup(void **state)
{
    (void)state;
    struct store s = {0};
    struct auth_tokens *t = cache(&s, 8, 8);
    struct waiter a = {0}, b = {0};
    lookup(t, 1, &a);
    assert_int_equal(a.calls, 0); /* waits for the store */
    answer(&s, 1, -1);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.result, 0);
    assert_int_equal(a.tenant_count, 1);
    lookup(t, 1, &b); /* from the cache, before lookup returns */
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.result, 0);
    assert_string_equal(b.token_id, a.token_id);
    assert_int_equal(s.fetches, 1);
    counts_are(t, 1, 0, 0);
    auth_tokens_free(t);
}

static void single_flight(void **state)
{
    (void)state;
    struct store s = {0};
    struct auth_tokens *t = cache(&s, 8, 8);
    struct waiter w[10] = {0};
    for (int i = 0; i < 10; i++)
        lookup(t, 7, &w[i]);
    assert_int_equal(s.fetches, 1);
    counts_are(t, 0, 0, 1);
    answer(&s, 7, -1);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(w[i].calls, 1);
        assert_int_equal(w[i].result, 0);
    }
    counts_are(t, 1, 0, 0); /* one entry, however many waited */
    auth_tokens_free(t);
}

static void lru_eviction(void **state)
{
    (void)state;
    struct store s = {0};
    struct auth_tokens *t = cache(&s, 2, 8);
    struct waiter w = {0};
    lookup(t, 1, &w);
    answer(&s, 1, -1);
    lookup(t, 2, &w);
    answer(&s, 2, -1);
    lookup(t, 1, &w); /* 1 is now the most recently used */
    assert_int_equal(s.fetches, 2);
    lookup(t, 3, &w); /* full: 2 goes, not everything */
    answer(&s, 3, -1);
    counts_are(t, 2, 0, 0);
    lookup(t, 1, &w);
    lookup(t, 3, &w);
    assert_int_equal(s.fetches, 3);
    w.calls = 0;
    lookup(t, 2, &w);
    assert_int_equal(w.calls, 0);
    assert_int_equal(s.fetches, 4);
    answer(&s, 2, -1);
    assert_int_equal(w.result, 0);
    counts_are(t, 2, 0, 0);
    auth_tokens_free(t);
}

static void negative_cache(void **state)
{
    (void)state;
    struct store s = {0};
    struct auth_tokens *t = cache(&s, 4, 2);
    struct waiter good = {0}, w = {0};
    lookup(t, 1, &good);
    answer(&s, 1, -1);
    lookup(t, 100, &w);
    answer(&s, 0, -1); /* unknown */
    assert_int_equal(w.result, IMS_ENOTFOUND);
    counts_are(t, 1, 1, 0);
    lookup(t, 100, &w); /* answered by the negative cache */
    assert_int_equal(w.result, IMS_ENOTFOUND);
    assert_int_equal(s.fetches, 2);
    lookup(t, 101, &w);
    answer(&s, -101, -1); /* revoked */
    assert_int_equal(w.result, IMS_ENOTFOUND);
    /* A flood of bad tokens stays in its own bounded cache. */
    for (int i = 200; i < 220; i++) {
        lookup(t, i, &w);
        answer(&s, 0, -1);
    }
    counts_are(t, 1, 2, 0);
    int before = s.fetches;
    good.calls = 0;
    lookup(t, 1, &good);
    assert_int_equal(good.calls, 1);
    assert_int_equal(good.result, 0);
    assert_int_equal(s.fetches, before);
    /* The negative answer has its own, shorter life. */
    lookup(t, 219, &w);
    assert_int_equal(s.fetches, before);
    s.now_ms += 1001;
    lookup(t, 219, &w);
    assert_int_equal(s.fetches, before + 1);
    answer(&s, 0, -1);
    auth_tokens_free(t);
}

static void answer_and_token_expiry(void **state)
{
    (void)state;
    struct store s = {.now_ms = 1000};
    struct auth_tokens *t = cache(&s, 4, 4);
    struct waiter w = {0};
    lookup(t, 1, &w);
    answer(&s, 1, -1);
    s.now_ms += 5000; /* the answer is still trusted at its ttl ... */
    lookup(t, 1, &w);
    assert_int_equal(s.fetches, 1);
    s.now_ms += 1; /* ... and not after it */
    lookup(t, 1, &w);
    assert_int_equal(s.fetches, 2);
    answer(&s, 1, -1);
    counts_are(t, 1, 0, 0);

    /* A token that expires in 2 s is refused from then on, without asking the store. */
    lookup(t, 2, &w);
    answer(&s, 2, 2);
    assert_int_equal(w.result, 0);
    s.now_ms += 1999;
    lookup(t, 2, &w);
    assert_int_equal(w.result, 0);
    s.now_ms += 1;
    int before = s.fetches;
    lookup(t, 2, &w);
    assert_int_equal(w.result, IMS_ENOTFOUND);
    lookup(t, 2, &w);
    assert_int_equal(w.result, IMS_ENOTFOUND);
    assert_int_equal(s.fetches, before);
    counts_are(t, 1, 1, 0);
    auth_tokens_free(t);
}

static void withdrawn_waiter(void **state)
{
    (void)state;
    struct store s = {0};
    struct auth_tokens *t = cache(&s, 4, 4);
    struct waiter a = {0}, b = {0}, c = {0};
    lookup(t, 1, &a);
    lookup(t, 1, &b);
    lookup(t, 1, &c);
    auth_lookup_cancel(&b.wait);
    auth_lookup_cancel(&b.wait); /* twice is harmless */
    answer(&s, 1, -1);
    assert_int_equal(a.calls, 1);
    assert_int_equal(b.calls, 0);
    assert_int_equal(c.calls, 1);
    counts_are(t, 1, 0, 0);
    auth_tokens_free(t);
}

static void forget_and_store_errors(void **state)
{
    (void)state;
    struct store s = {0};
    struct auth_tokens *t = cache(&s, 4, 4);
    struct waiter w = {0};
    char id[AUTH_UUID_LEN + 1];
    lookup(t, 1, &w);
    answer(&s, 1, -1);
    lookup(t, 2, &w);
    answer(&s, 2, -1);
    token_id(1, id);
    auth_tokens_forget(t, id);
    counts_are(t, 1, 0, 0); /* only that token */
    lookup(t, 1, &w);
    assert_int_equal(s.fetches, 3);
    /* A forget while the store is asked keeps that answer out of the cache. */
    auth_tokens_forget(t, id);
    answer(&s, 1, -1);
    assert_int_equal(w.result, 0);
    counts_are(t, 1, 0, 0);

    /* The store failing: every waiter hears it, nothing is cached. */
    struct waiter a = {0}, b = {0};
    lookup(t, 3, &a);
    lookup(t, 3, &b);
    auth_tokens_fetched(s.flights[0], IMS_EUNAVAILABLE, NULL);
    s.pending = 0;
    assert_int_equal(a.result, IMS_EUNAVAILABLE);
    assert_int_equal(b.result, IMS_EUNAVAILABLE);
    counts_are(t, 1, 0, 0);
    s.refuse = IMS_ENOMEM;
    lookup(t, 3, &a);
    assert_int_equal(a.result, IMS_ENOMEM);
    counts_are(t, 1, 0, 0);
    s.refuse = 0;

    /* Freed with a question outstanding: the late answer is dropped quietly. */
    struct waiter late = {0};
    lookup(t, 4, &late);
    auth_tokens_free(t);
    answer(&s, 4, -1);
    assert_int_equal(late.calls, 0);
}

/* The store is asked with the token's SHA-256 whether or not its hash was remembered from
 * an earlier call, and a revoked token is refused at its next call although its hash is
 * remembered. More tokens than the memo has slots: they take turns in it. */
static void remembered_hashes(void **state)
{
    (void)state;
    struct store s = {0};
    struct auth_tokens *t = cache(&s, 512, 512);
    struct waiter w = {0};
    char buf[AUTH_TOKEN_LEN + 1], want[65];
    for (int round = 0; round < 2; round++) {
        for (int n = 1; n <= 200; n++) {
            w.result = 1;
            lookup(t, n, &w);
            if (round == 1) {
                assert_int_equal(w.result, 0); /* from the cache: the same hash */
                continue;
            }
            auth_token_hash_hex(token(n, buf), want);
            assert_string_equal(s.hashes[0], want);
            answer(&s, n, -1);
        }
    }
    assert_int_equal(s.fetches, 200);
    char id[AUTH_UUID_LEN + 1];
    token_id(7, id);
    auth_tokens_forget(t, id); /* revoked: the cache forgets it */
    lookup(t, 7, &w);
    assert_int_equal(s.fetches, 201);
    auth_token_hash_hex(token(7, buf), want);
    assert_string_equal(s.hashes[0], want);
    answer(&s, -7, -1);
    assert_int_equal(w.result, IMS_ENOTFOUND);
    w.result = 1;
    lookup(t, 7, &w);
    assert_int_equal(w.result, IMS_ENOTFOUND);
    auth_tokens_free(t);
}

/* Made-up tokens cannot queue lookups without end: beyond AUTH_MAX_FLIGHTS distinct ones
 * in flight a new one is answered UNAVAILABLE at once, unasked; a cached token and one
 * already being asked are answered as ever; once answers come, new lookups go out again. */
static void flights_are_bounded(void **state)
{
    (void)state;
    struct store s = {0};
    struct auth_tokens *t = cache(&s, 512, 512);
    struct waiter known = {0}, w[AUTH_MAX_FLIGHTS + 2];
    memset(w, 0, sizeof w);
    lookup(t, 1000, &known);
    answer(&s, 1000, -1);
    for (int n = 0; n < AUTH_MAX_FLIGHTS; n++)
        lookup(t, n + 1, &w[n]);
    assert_int_equal(s.fetches, AUTH_MAX_FLIGHTS + 1);
    counts_are(t, 1, 0, AUTH_MAX_FLIGHTS);
    lookup(t, AUTH_MAX_FLIGHTS + 1, &w[AUTH_MAX_FLIGHTS]);
    assert_int_equal(w[AUTH_MAX_FLIGHTS].calls, 1);
    assert_int_equal(w[AUTH_MAX_FLIGHTS].result, IMS_EUNAVAILABLE);
    assert_int_equal(s.fetches, AUTH_MAX_FLIGHTS + 1); /* not asked */
    lookup(t, 1, &w[AUTH_MAX_FLIGHTS + 1]); /* joins the flight of token 1 */
    assert_int_equal(w[AUTH_MAX_FLIGHTS + 1].calls, 0);
    known.calls = 0;
    lookup(t, 1000, &known);
    assert_int_equal(known.calls, 1);
    assert_int_equal(known.result, 0);
    answer(&s, 1, -1);
    assert_int_equal(w[0].calls, 1);
    assert_int_equal(w[AUTH_MAX_FLIGHTS + 1].calls, 1);
    w[AUTH_MAX_FLIGHTS].calls = 0;
    lookup(t, AUTH_MAX_FLIGHTS + 1, &w[AUTH_MAX_FLIGHTS]);
    assert_int_equal(w[AUTH_MAX_FLIGHTS].calls, 0); /* asked now */
    assert_int_equal(s.fetches, AUTH_MAX_FLIGHTS + 2);
    while (s.pending > 0)
        answer(&s, 0, -1);
    auth_tokens_free(t);
}

static void bad_config(void **state)
{
    (void)state;
    struct auth_tokens_config c = {
        .capacity = 0, .negative_capacity = 1, .fetch = fake_fetch, .now = fake_now};
    struct auth_tokens *t = NULL;
    assert_int_equal(auth_tokens_new(&c, &t), IMS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hit_after_first_lookup),
        cmocka_unit_test(single_flight),
        cmocka_unit_test(lru_eviction),
        cmocka_unit_test(negative_cache),
        cmocka_unit_test(answer_and_token_expiry),
        cmocka_unit_test(withdrawn_waiter),
        cmocka_unit_test(forget_and_store_errors),
        cmocka_unit_test(remembered_hashes),
        cmocka_unit_test(flights_are_bounded),
        cmocka_unit_test(bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
