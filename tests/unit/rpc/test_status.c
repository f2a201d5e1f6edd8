/* Status mapping: the daemon's errors and the database's SQLSTATEs to gRPC codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "ims/error.h"
#include "status.h"

static void errors(void **state)
{
    (void)state;
    const char *m;
    assert_int_equal(rpc_status_for_error(IMS_EUNAVAILABLE, &m), IMS_GRPC_UNAVAILABLE);
    assert_string_equal(m, "database unavailable; retry later");
    assert_int_equal(rpc_status_for_error(IMS_ETOOBIG, &m), IMS_GRPC_RESOURCE_EXHAUSTED);
    assert_int_equal(rpc_status_for_error(IMS_ECLOSED, &m), IMS_GRPC_UNAVAILABLE);
    assert_string_equal(m, "server shutting down");
    assert_int_equal(rpc_status_for_error(IMS_ENOMEM, &m), IMS_GRPC_RESOURCE_EXHAUSTED);
    assert_string_equal(m, "out of memory");
    /* The database refused a statement: the SQLSTATE decides. */
    assert_int_equal(rpc_status_for_error(IMS_EINTERNAL, &m), -1);
    assert_null(m);
}

static void sqlstates(void **state)
{
    (void)state;
    static const struct {
        const char *sqlstate;
        int status;
        int fixed; /* a fixed message rather than the database's */
        int logged;
    } cases[] = {
        {"22023", IMS_GRPC_INVALID_ARGUMENT, 0, 0}, /* our functions: the field first */
        {"23502", IMS_GRPC_INVALID_ARGUMENT, 0, 0}, /* not null */
        {"23503", IMS_GRPC_INVALID_ARGUMENT, 0, 0}, /* foreign key */
        {"23514", IMS_GRPC_INVALID_ARGUMENT, 0, 0}, /* check */
        {"23505", IMS_GRPC_ALREADY_EXISTS, 0, 0},   /* unique */
        {"42501", IMS_GRPC_PERMISSION_DENIED, 0, 0},
        {"P0002", IMS_GRPC_NOT_FOUND, 0, 0},
        {"40001", IMS_GRPC_ABORTED, 1, 0},
        {"40P01", IMS_GRPC_ABORTED, 1, 0},
        {"22001", IMS_GRPC_INTERNAL, 1, 1},
        {"42P01", IMS_GRPC_INTERNAL, 1, 1},
        {"", IMS_GRPC_INTERNAL, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *m = "unset";
        int logged = -1;
        assert_int_equal(rpc_status_for_sqlstate(cases[i].sqlstate, &m, &logged), cases[i].status);
        assert_int_equal(m != NULL, cases[i].fixed);
        assert_int_equal(logged, cases[i].logged);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errors),
        cmocka_unit_test(sqlstates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
