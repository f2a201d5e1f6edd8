/* Unit tests of the tenant watchers: who gets a change, in which order, once per
 * revision, and a watcher that stops watching from its own callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "watchers.h"

#define A "00000000-0000-0000-0000-00000000000a"
#define B "00000000-0000-0000-0000-00000000000b"

/* Every delivery, in order: (watcher name, tenant, revision). */
static struct {
    const char *watcher;
    char tenant[37];
    int64_t revision;
} seen[32];
static int nseen;

typedef struct watcher {
    const char *name;
    struct tenant_watchers *ws;
    struct tenant_watch *handle;
    int stop_after; /* unwatch itself after this many deliveries (0: never) */
    int count;
} watcher;

static void on_level(const struct tenant_level *level, void *arg)
{
    watcher *w = arg;
    assert_true(nseen < 32);
    seen[nseen].watcher = w->name;
    snprintf(seen[nseen].tenant, sizeof seen[nseen].tenant, "%s", level->tenant);
    seen[nseen].revision = level->revision;
    nseen++;
    if (++w->count == w->stop_after)
        tenant_watchers_remove(w->ws, w->handle);
}

static struct tenant_level level_of(const char *tenant, int64_t revision)
{
    struct tenant_level l;
    memset(&l, 0, sizeof l);
    snprintf(l.tenant, sizeof l.tenant, "%s", tenant);
    l.revision = revision;
    l.cause = "test";
    return l;
}

static void seen_is(int i, const char *watcher_name, const char *tenant, int64_t revision)
{
    assert_true(i < nseen);
    assert_string_equal(seen[i].watcher, watcher_name);
    assert_string_equal(seen[i].tenant, tenant);
    assert_int_equal(seen[i].revision, revision);
}

static void test_who_gets_a_change_and_in_which_order(void **state)
{
    (void)state;
    nseen = 0;
    struct tenant_watchers ws = {0};
    watcher a = {.name = "a", .ws = &ws}, all = {.name = "all", .ws = &ws},
            b = {.name = "b", .ws = &ws};
    a.handle = tenant_watchers_add(&ws, A, on_level, &a);
    all.handle = tenant_watchers_add(&ws, NULL, on_level, &all);
    b.handle = tenant_watchers_add(&ws, B, on_level, &b);
    struct tenant_level l = level_of(A, 1);
    tenant_watchers_notify(&ws, &l);
    l = level_of(B, 7);
    tenant_watchers_notify(&ws, &l);
    /* The latest watcher first; a tenant's watchers and every-tenant watchers only. */
    assert_int_equal(nseen, 4);
    seen_is(0, "all", A, 1);
    seen_is(1, "a", A, 1);
    seen_is(2, "b", B, 7);
    seen_is(3, "all", B, 7);
    tenant_watchers_clear(&ws);
    assert_null(ws.head);
}

static void test_once_per_revision_in_order(void **state)
{
    (void)state;
    nseen = 0;
    struct tenant_watchers ws = {0};
    watcher a = {.name = "a", .ws = &ws};
    a.handle = tenant_watchers_add(&ws, A, on_level, &a);
    int64_t revision_seen = 0;
    /* The NOTIFY of a daemon's own commit and the commit result may come in either order,
     * and an older notification may arrive late: each revision is delivered once, and
     * never one older than a revision already delivered. */
    const int64_t arrivals[] = {1, 1, 2, 4, 3, 4, 5};
    for (size_t i = 0; i < sizeof arrivals / sizeof arrivals[0]; i++) {
        struct tenant_level l = level_of(A, arrivals[i]);
        tenant_watchers_forward(&ws, &revision_seen, &l);
    }
    assert_int_equal(nseen, 4);
    seen_is(0, "a", A, 1);
    seen_is(1, "a", A, 2);
    seen_is(2, "a", A, 4);
    seen_is(3, "a", A, 5);
    assert_int_equal(revision_seen, 5);
    tenant_watchers_clear(&ws);
}

static void test_a_watcher_may_unwatch_itself(void **state)
{
    (void)state;
    nseen = 0;
    struct tenant_watchers ws = {0};
    watcher first = {.name = "first", .ws = &ws, .stop_after = 1},
            second = {.name = "second", .ws = &ws};
    second.handle = tenant_watchers_add(&ws, NULL, on_level, &second);
    first.handle = tenant_watchers_add(&ws, NULL, on_level, &first);
    struct tenant_level l = level_of(A, 1);
    tenant_watchers_notify(&ws, &l); /* first removes itself during the call */
    l = level_of(A, 2);
    tenant_watchers_notify(&ws, &l);
    assert_int_equal(nseen, 3);
    seen_is(0, "first", A, 1);
    seen_is(1, "second", A, 1);
    seen_is(2, "second", A, 2);
    /* Removing a watcher that is gone already changes nothing. */
    tenant_watchers_remove(&ws, NULL);
    assert_ptr_equal(ws.head, second.handle);
    assert_null(ws.head->next);
    tenant_watchers_clear(&ws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_who_gets_a_change_and_in_which_order),
        cmocka_unit_test(test_once_per_revision_in_order),
        cmocka_unit_test(test_a_watcher_may_unwatch_itself),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
