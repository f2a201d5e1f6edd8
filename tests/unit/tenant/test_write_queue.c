/* Unit tests of a tenant's write queue: order, coalescing into batches, writes that go
 * alone, back-pressure, putting a batch back in front, and the cause of a batch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "write_queue.h"

#define N 10

static struct tenant_write writes[N];

static struct tenant_write *w(int i, const char *cause, int alone)
{
    memset(&writes[i], 0, sizeof writes[i]);
    writes[i].cause = cause;
    writes[i].alone = alone;
    return &writes[i];
}

/* The indexes of a batch's writes, -1 terminated. */
static void batch_is(const struct tenant_write *batch, const int *want)
{
    int k = 0;
    for (; batch; batch = batch->next, k++) {
        assert_true(want[k] >= 0);
        assert_ptr_equal(batch, &writes[want[k]]);
    }
    assert_int_equal(want[k], -1);
}

static void test_coalesces_in_order_up_to_the_limit(void **state)
{
    (void)state;
    struct tenant_write_queue q = {0};
    for (int i = 0; i < 5; i++)
        tenant_queue_append(&q, w(i, "sample", 0));
    assert_int_equal(q.queued, 5);
    batch_is(tenant_queue_take(&q, 3), (int[]){0, 1, 2, -1});
    assert_int_equal(q.queued, 2);
    tenant_queue_append(&q, w(5, "sample", 0));
    batch_is(tenant_queue_take(&q, 3), (int[]){3, 4, 5, -1});
    assert_int_equal(q.queued, 0);
    assert_null(q.head);
    assert_null(q.tail);
    assert_null(tenant_queue_take(&q, 3));
}

static void test_a_write_marked_alone_goes_by_itself(void **state)
{
    (void)state;
    struct tenant_write_queue q = {0};
    tenant_queue_append(&q, w(0, "sample", 0));
    tenant_queue_append(&q, w(1, "sample", 0));
    tenant_queue_append(&q, w(2, "tenant", 1));
    tenant_queue_append(&q, w(3, "sample", 0));
    /* The batch stops before the alone write, which then goes by itself. */
    batch_is(tenant_queue_take(&q, 10), (int[]){0, 1, -1});
    batch_is(tenant_queue_take(&q, 10), (int[]){2, -1});
    batch_is(tenant_queue_take(&q, 10), (int[]){3, -1});
    assert_int_equal(q.queued, 0);
}

static void test_one_at_a_time_to_isolate_a_refused_write(void **state)
{
    (void)state;
    struct tenant_write_queue q = {0};
    for (int i = 0; i < 3; i++)
        tenant_queue_append(&q, w(i, "incident", 0));
    batch_is(tenant_queue_take(&q, 1), (int[]){0, -1});
    batch_is(tenant_queue_take(&q, 1), (int[]){1, -1});
    assert_int_equal(q.queued, 1);
}

static void test_back_pressure(void **state)
{
    (void)state;
    struct tenant_write_queue q = {0};
    for (int i = 0; i < 4; i++) {
        assert_false(tenant_queue_full(&q, 4));
        tenant_queue_append(&q, w(i, "sample", 0));
    }
    assert_true(tenant_queue_full(&q, 4));
    /* Taking a batch frees room; nothing taken is ever dropped. */
    batch_is(tenant_queue_take(&q, 2), (int[]){0, 1, -1});
    assert_false(tenant_queue_full(&q, 4));
}

static void test_a_batch_put_back_goes_first(void **state)
{
    (void)state;
    struct tenant_write_queue q = {0};
    for (int i = 0; i < 3; i++)
        tenant_queue_append(&q, w(i, "sample", 0));
    struct tenant_write *batch = tenant_queue_take(&q, 2);
    tenant_queue_append(&q, w(3, "sample", 0)); /* arrived during the flush */
    tenant_queue_put_back(&q, batch);           /* the revision check failed */
    assert_int_equal(q.queued, 4);
    batch_is(tenant_queue_take(&q, 10), (int[]){0, 1, 2, 3, -1});
    /* Into an empty queue, the tail follows the batch. */
    batch = tenant_queue_take(&q, 10);
    assert_null(batch);
    tenant_queue_append(&q, w(4, "sample", 0));
    batch = tenant_queue_take(&q, 1);
    tenant_queue_put_back(&q, batch);
    tenant_queue_append(&q, w(5, "sample", 0));
    batch_is(tenant_queue_take_all(&q), (int[]){4, 5, -1});
    assert_int_equal(q.queued, 0);
}

static void test_the_cause_of_a_batch(void **state)
{
    (void)state;
    struct tenant_write_queue q = {0};
    tenant_queue_append(&q, w(0, "sample", 0));
    tenant_queue_append(&q, w(1, "sample", 0));
    assert_string_equal(tenant_batch_cause(tenant_queue_take(&q, 10)), "sample");
    tenant_queue_append(&q, w(2, "sample", 0));
    tenant_queue_append(&q, w(3, "incident", 0));
    assert_string_equal(tenant_batch_cause(tenant_queue_take(&q, 10)), "changes");
    tenant_queue_append(&q, w(4, NULL, 0)); /* a write that names no cause */
    assert_string_equal(tenant_batch_cause(tenant_queue_take(&q, 10)), "changes");
    assert_string_equal(tenant_batch_cause(NULL), "change");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coalesces_in_order_up_to_the_limit),
        cmocka_unit_test(test_a_write_marked_alone_goes_by_itself),
        cmocka_unit_test(test_one_at_a_time_to_isolate_a_refused_write),
        cmocka_unit_test(test_back_pressure),
        cmocka_unit_test(test_a_batch_put_back_goes_first),
        cmocka_unit_test(test_the_cause_of_a_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
