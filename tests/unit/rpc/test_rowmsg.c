/* Rows into messages by column name (server/rpc/rowmsg.c): PostgreSQL array literals,
 * scalar fields, and a repeated message field filled from rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ims/v1/improvement.pb-c.h"
#include "rowmsg.h"

static void arrays(void **state)
{
    (void)state;
    struct arena a = {0};
    size_t n;
    char **v = rowmsg_array(&a, "{}", &n);
    assert_non_null(v);
    assert_int_equal(n, 0);
    assert_null(v[0]);
    v = rowmsg_array(&a, "{A.8.8,iso27001-2022}", &n);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "A.8.8");
    assert_string_equal(v[1], "iso27001-2022");
    v = rowmsg_array(&a, "{\"doc:log, 2024\",\"quote \\\"x\\\"\",\"back\\\\slash\",plain}", &n);
    assert_int_equal(n, 4);
    assert_string_equal(v[0], "doc:log, 2024");
    assert_string_equal(v[1], "quote \"x\"");
    assert_string_equal(v[2], "back\\slash");
    assert_string_equal(v[3], "plain");
    assert_null(rowmsg_array(&a, "not an array", &n));
    assert_null(rowmsg_array(&a, "{", &n));
    arena_free(&a);
}

/* A result of one row with the columns of an Action and one that is not a field. */
static PGresult *action_rows(void)
{
    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc cols[5] = {
        {.name = "id", .format = 0}, {.name = "overdue", .format = 0},
        {.name = "status", .format = 0}, {.name = "not_a_field", .format = 0},
        {.name = "due", .format = 0},
    };
    assert_int_equal(PQsetResultAttrs(r, 5, cols), 1);
    const char *row[2][5] = {{"A-1", "t", "open", "x", "2030-01-01T00:00:00Z"},
                             {"A-2", "f", "done", "y", ""}};
    for (int i = 0; i < 2; i++)
        for (int c = 0; c < 5; c++)
            assert_int_equal(PQsetvalue(r, i, c, (char *)row[i][c], (int)strlen(row[i][c])), 1);
    return r;
}

static void messages(void **state)
{
    (void)state;
    struct arena a = {0};
    PGresult *r = action_rows();
    Ims__V1__Action *x = (Ims__V1__Action *)rowmsg_new(&a, &ims__v1__action__descriptor, r, 0);
    assert_non_null(x);
    assert_string_equal(x->id, "A-1");
    assert_true(x->overdue);
    assert_string_equal(x->status, "open");
    assert_string_equal(x->due, "2030-01-01T00:00:00Z");
    assert_string_equal(x->kind, ""); /* no column: the default */

    Ims__V1__ListActionsResponse list = IMS__V1__LIST_ACTIONS_RESPONSE__INIT;
    assert_int_equal(rowmsg_set_rows(&a, &list.base, "actions", r, 0, 2), 0);
    assert_int_equal(list.n_actions, 2);
    assert_string_equal(list.actions[1]->id, "A-2");
    assert_false(list.actions[1]->overdue);
    assert_int_equal(rowmsg_set_rows(&a, &list.base, "nothing", r, 0, 2), -1);

    Ims__V1__ActionResult res = IMS__V1__ACTION_RESULT__INIT;
    assert_int_equal(rowmsg_set_message(&res.base, "action", &x->base), 0);
    assert_int_equal(rowmsg_set_double(&res.base, "security_level", 0.5), 0);
    assert_int_equal(rowmsg_set_int64(&res.base, "revision", 7), 0);
    assert_int_equal(rowmsg_set_int64(&res.base, "security_level", 7), -1); /* a double */
    assert_ptr_equal(res.action, x);
    assert_true(res.security_level == 0.5);
    assert_int_equal(res.revision, 7);
    PQclear(r);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arrays),
        cmocka_unit_test(messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
