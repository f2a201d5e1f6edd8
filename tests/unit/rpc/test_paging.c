/* Paging: page sizes, the tokens each kind of key accepts, rows shown and next tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "ims/error.h"
#include "paging.h"

static int parse(struct rpc_page *p, int32_t size, const char *token, enum rpc_page_key key,
                 char *error)
{
    error[0] = '\0';
    return rpc_page_parse(p, size, token, key, error, 128);
}

static void sizes(void **state)
{
    (void)state;
    struct rpc_page p;
    char error[128];
    assert_int_equal(parse(&p, 0, "", RPC_PAGE_KEY_TEXT, error), 0);
    assert_int_equal(p.limit, RPC_PAGE_DEFAULT);
    assert_string_equal(p.fetch, "101"); /* one row more tells a next page */
    assert_int_equal(parse(&p, 1, "", RPC_PAGE_KEY_TEXT, error), 0);
    assert_string_equal(p.fetch, "2");
    assert_int_equal(parse(&p, 1000, "", RPC_PAGE_KEY_TEXT, error), 0);
    assert_int_equal(p.limit, 1000);
    assert_int_equal(parse(&p, 1001, "", RPC_PAGE_KEY_TEXT, error), IMS_EINVAL);
    assert_string_equal(error, "page_size: 1001 is outside 1..1000");
    assert_int_equal(parse(&p, -1, "", RPC_PAGE_KEY_TEXT, error), IMS_EINVAL);
    assert_non_null(strstr(error, "page_size"));
}

static void tokens(void **state)
{
    (void)state;
    struct rpc_page p;
    char error[128];
    char long_text[300];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';

    assert_int_equal(parse(&p, 0, "iso27001:A.5.1", RPC_PAGE_KEY_TEXT, error), 0);
    assert_string_equal(p.after, "iso27001:A.5.1");
    assert_int_equal(parse(&p, 0, long_text, RPC_PAGE_KEY_TEXT, error), IMS_EINVAL);
    assert_string_equal(error, "page_token: not a token this server gave");
    assert_int_equal(parse(&p, 0, "bad\001", RPC_PAGE_KEY_TEXT, error), IMS_EINVAL);

    assert_int_equal(parse(&p, 0, "INC-1a2b3c4d", RPC_PAGE_KEY_IDENT, error), 0);
    assert_int_equal(parse(&p, 0, "INC 1", RPC_PAGE_KEY_IDENT, error), IMS_EINVAL);
    assert_int_equal(parse(&p, 0, long_text, RPC_PAGE_KEY_IDENT, error), IMS_EINVAL);

    assert_int_equal(parse(&p, 0, "0b7a2c3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d", RPC_PAGE_KEY_UUID, error),
                     0);
    assert_int_equal(parse(&p, 0, "not-a-uuid", RPC_PAGE_KEY_UUID, error), IMS_EINVAL);

    assert_int_equal(parse(&p, 0, "", RPC_PAGE_KEY_PAIR, error), 0);
    assert_string_equal(p.after_key, "");
    assert_string_equal(p.after_number, "0");
    assert_int_equal(parse(&p, 0, "iso-base:12", RPC_PAGE_KEY_PAIR, error), 0);
    assert_string_equal(p.after_key, "iso-base");
    assert_string_equal(p.after_number, "12");
    assert_int_equal(parse(&p, 0, "iso-base", RPC_PAGE_KEY_PAIR, error), IMS_EINVAL);
    assert_int_equal(parse(&p, 0, "iso-base:x", RPC_PAGE_KEY_PAIR, error), IMS_EINVAL);
    assert_int_equal(parse(&p, 0, long_text, RPC_PAGE_KEY_PAIR, error), IMS_EINVAL);
}

static void rows_and_next(void **state)
{
    (void)state;
    struct rpc_page p;
    char error[128];
    assert_int_equal(parse(&p, 2, "", RPC_PAGE_KEY_TEXT, error), 0);
    assert_int_equal(rpc_page_rows(&p, 0), 0);
    assert_int_equal(rpc_page_rows(&p, 2), 2);
    assert_int_equal(rpc_page_rows(&p, 3), 2);
    assert_string_equal(rpc_page_next(&p, 2, "b", NULL), ""); /* the page holds them all */
    assert_string_equal(rpc_page_next(&p, 3, "b", NULL), "b");
    assert_string_equal(rpc_page_next(&p, 3, "iso-base", "3"), "iso-base:3");

    /* The token a page gives is one the next request accepts. */
    char token[192];
    strcpy(token, rpc_page_next(&p, 3, "iso-base", "3"));
    assert_int_equal(parse(&p, 2, token, RPC_PAGE_KEY_PAIR, error), 0);
    assert_string_equal(p.after_key, "iso-base");
    assert_string_equal(p.after_number, "3");

    rpc_page_whole(&p, 100000);
    assert_int_equal(rpc_page_rows(&p, 5000), 5000);
    assert_string_equal(p.fetch, "100001");
    assert_string_equal(p.after, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sizes),
        cmocka_unit_test(tokens),
        cmocka_unit_test(rows_and_next),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
