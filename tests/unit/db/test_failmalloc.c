/* db/ under allocation failures (and the dropping of queued work), against the real PostgreSQL of tests/run.sh
 * (IMS_TEST_DB): every malloc, calloc and realloc of db/'s own code fails once, in turn,
 * while a pool is made, connects and prepares, runs a transaction and closes. Each run must
 * end with the transaction answered (committed, or failed with a code) and the pool freed;
 * nothing may crash or leak (ASan). Skipped without IMS_TEST_DB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "../failmalloc.h"
#include "db_pool.h"
#include "ims/error.h"

static const struct db_statement statements[] = {
    {"s_fm_add", "SELECT $1::int + 1", 1},
};

struct outcome {
    int done;
    int err;
    char value[16];
    int order; /* when it completed, counted from 1 */
};

static int completed;

static void txn_done(struct db_txn *txn, int err, void *arg)
{
    struct outcome *o = arg;
    o->done = 1;
    o->err = err;
    o->order = ++completed;
    if (err == 0)
        snprintf(o->value, sizeof o->value, "%s", PQgetvalue(db_txn_result(txn, 0), 0, 0));
    db_txn_free(txn);
}

static void pool_closed(void *arg)
{
    *(int *)arg = 1;
}

static void on_timeout(uv_timer_t *t)
{
    *(int *)t->data = 1;
}

/* Runs the loop until *flag or ms passed. */
static void run_until(uv_loop_t *loop, int *flag, uint64_t ms)
{
    int expired = 0;
    uv_timer_t timer;
    uv_timer_init(loop, &timer);
    timer.data = &expired;
    uv_timer_start(&timer, on_timeout, ms, 0);
    while (!*flag && !expired)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&timer, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
}

/* Returns 1 when the transaction committed with the right answer. */
static int run_once(const char *dsn)
{
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct db_pool_config config = {
        .conninfo = dsn,
        .size = 1,
        .max_queue = 4,
        .statements = statements,
        .statement_count = 1,
        .limits = {5000, 5000},
        .txn_timeout_ms = 5000,
    };
    struct db_pool *pool;
    int ok = 0;
    if (db_pool_new(&loop, &config, &pool) != 0) {
        assert_true(failmalloc_injected);
        assert_int_equal(uv_loop_close(&loop), 0);
        return 0;
    }
    for (int i = 0; i < 300 && !db_pool_up(pool); i++)
        uv_run(&loop, UV_RUN_ONCE);
    struct db_txn *txn = db_txn_new(pool, NULL, 0);
    if (txn) {
        const char *v[1] = {"41"};
        if (db_txn_add(txn, 0, 1, v) >= 0) {
            struct outcome o = {0};
            db_txn_exec(txn, txn_done, &o);
            run_until(&loop, &o.done, 10000);
            assert_true(o.done);
            ok = o.err == 0 && strcmp(o.value, "42") == 0;
            assert_true(ok || o.err != 0);
        } else {
            db_txn_free(txn);
        }
    }
    int closed = 0;
    db_pool_close(pool, pool_closed, &closed);
    run_until(&loop, &closed, 10000);
    assert_true(closed);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    return ok;
}

static void pool_under_failures(void **state)
{
    (void)state;
    const char *dsn = getenv("IMS_TEST_DB");
    if (!dsn) {
        skip();
        return;
    }
    long n = 1;
    int ok = 0;
    for (;; n++) {
        failmalloc_arm(n);
        ok = run_once(dsn);
        int injected = failmalloc_injected;
        failmalloc_disarm();
        if (!injected)
            break;
    }
    assert_true(n > 5);
    assert_true(ok); /* without a failure the transaction committed and answered 42 */
}

/* A transaction still queued is dropped at once; one running finishes; an urgent one
 * waits ahead of the others. */
static void cancel_drops_only_queued_work(void **state)
{
    (void)state;
    const char *dsn = getenv("IMS_TEST_DB");
    if (!dsn) {
        skip();
        return;
    }
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct db_pool_config config = {.conninfo = dsn, .size = 1, .max_queue = 4,
                                     .statements = statements, .statement_count = 1};
    struct db_pool *pool;
    assert_int_equal(db_pool_new(&loop, &config, &pool), 0);
    for (int i = 0; i < 300 && !db_pool_up(pool); i++)
        uv_run(&loop, UV_RUN_ONCE);
    assert_true(db_pool_up(pool) > 0);
    const char *v[1] = {"1"};
    struct db_txn *a = db_txn_new(pool, NULL, 0), *b = db_txn_new(pool, NULL, 0);
    assert_true(db_txn_add(a, 0, 1, v) >= 0 && db_txn_add(b, 0, 1, v) >= 0);
    struct outcome oa = {0}, ob = {0};
    db_txn_exec(a, txn_done, &oa);
    db_txn_exec(b, txn_done, &ob); /* the one connection is busy with a: b waits */
    assert_int_equal(db_txn_cancel(b), 1);
    assert_true(ob.done);
    assert_int_equal(ob.err, IMS_ECLOSED);
    assert_int_equal(db_txn_cancel(a), 0);
    /* An urgent transaction waits ahead of those that are not. */
    struct db_txn *c = db_txn_new(pool, NULL, 0), *u = db_txn_new(pool, NULL, 0);
    assert_true(db_txn_add(c, 0, 1, v) >= 0 && db_txn_add(u, 0, 1, v) >= 0);
    struct outcome oc = {0}, ou = {0};
    db_txn_exec(c, txn_done, &oc);
    db_txn_set_urgent(u);
    db_txn_exec(u, txn_done, &ou);
    run_until(&loop, &oc.done, 10000);
    assert_int_equal(oa.err, 0);
    assert_string_equal(oa.value, "2");
    assert_true(ou.done && oc.done);
    assert_true(oa.order < ou.order && ou.order < oc.order);
    int closed = 0;
    db_pool_close(pool, pool_closed, &closed);
    run_until(&loop, &closed, 10000);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cancel_drops_only_queued_work),
        cmocka_unit_test(pool_under_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
