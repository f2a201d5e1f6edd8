/* The option table: defaults, flags and file values, bounds, errors naming file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "ims/error.h"

static void defaults(void **state)
{
    (void)state;
    struct config c;
    config_init(&c);
    assert_int_equal(c.db_pool_size, 8);
    assert_int_equal(c.max_message_bytes, 4194304);
    assert_string_equal(c.log_level, "info");
    assert_int_equal(c.listen_count, 0);
    assert_null(c.tls_cert);
    config_free(&c);
}

static void set_and_bounds(void **state)
{
    (void)state;
    struct config c;
    char err[256];
    config_init(&c);
    assert_int_equal(config_set(&c, "db-pool-size", "16", err, sizeof err), 0);
    assert_int_equal(c.db_pool_size, 16);
    assert_int_equal(config_set(&c, "db_pool_size", "0", err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "db_pool_size"));
    assert_non_null(strstr(err, "1..256"));
    assert_int_equal(c.db_pool_size, 16);
    assert_int_equal(config_set(&c, "max_message_bytes", "12abc", err, sizeof err), IMS_EINVAL);
    assert_int_equal(config_set(&c, "tls_require_client_cert", "maybe", err, sizeof err),
                     IMS_EINVAL);
    assert_non_null(strstr(err, "true or false"));
    assert_int_equal(config_set(&c, "no_such_option", "1", err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "no_such_option"));
    for (int i = 0; i < CONFIG_MAX_LISTEN; i++)
        assert_int_equal(config_set(&c, "listen", "127.0.0.1:0", err, sizeof err), 0);
    assert_int_equal(config_set(&c, "listen", "127.0.0.1:0", err, sizeof err), IMS_EINVAL);
    config_free(&c);
}

static void validate_rules(void **state)
{
    (void)state;
    struct config c;
    char err[256];
    config_init(&c);
    assert_int_equal(config_validate(&c, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "db"));
    assert_int_equal(config_set(&c, "db", "dbname=x", err, sizeof err), 0);
    assert_int_equal(config_validate(&c, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "listen"));
    assert_int_equal(config_set(&c, "listen", "unix:/tmp/x.sock", err, sizeof err), 0);
    assert_int_equal(config_validate(&c, err, sizeof err), 0);
    /* One whole client stream must fit in a connection's byte budget. */
    assert_int_equal(config_set(&c, "max_conn_buffered_bytes", "16777216", err, sizeof err), 0);
    assert_int_equal(config_validate(&c, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "max_conn_buffered_bytes"));
    assert_int_equal(config_set(&c, "max_message_bytes", "65536", err, sizeof err), 0);
    assert_int_equal(config_validate(&c, err, sizeof err), 0);
    assert_int_equal(config_set(&c, "tls_min_version", "1.1", err, sizeof err), 0);
    assert_int_equal(config_validate(&c, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "tls_min_version"));
    assert_int_equal(config_set(&c, "tls_min_version", "1.2", err, sizeof err), 0);
    assert_int_equal(config_validate(&c, err, sizeof err), 0);
    assert_int_equal(config_set(&c, "tls_cert", "/x.pem", err, sizeof err), 0);
    assert_int_equal(config_validate(&c, err, sizeof err), IMS_EINVAL);
    assert_non_null(strstr(err, "tls_key"));
    config_free(&c);
}

static char *write_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/ims-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void file_values_and_errors(void **state)
{
    (void)state;
    struct config c;
    char err[512];
    config_init(&c);
    char *path = write_file("# comment\n"
                            "db = host=/tmp dbname=ims\n"
                            "listen = 127.0.0.1:7800\n"
                            "listen = unix:/tmp/imsd.sock\n"
                            "db_pool_size = 4\n");
    assert_int_equal(config_load_file(&c, path, err, sizeof err), 0);
    unlink(path);
    assert_string_equal(c.db, "host=/tmp dbname=ims");
    assert_int_equal(c.listen_count, 2);
    assert_string_equal(c.listen[1], "unix:/tmp/imsd.sock");
    assert_int_equal(c.db_pool_size, 4);
    config_free(&c);

    config_init(&c);
    path = write_file("db = x\n\ndb_pool_size = 999\n");
    assert_int_equal(config_load_file(&c, path, err, sizeof err), IMS_EINVAL);
    unlink(path);
    assert_non_null(strstr(err, ":3:"));
    assert_non_null(strstr(err, "db_pool_size"));
    config_free(&c);

    config_init(&c);
    path = write_file("db = x\nthis is not a key value line\n");
    assert_int_equal(config_load_file(&c, path, err, sizeof err), IMS_EINVAL);
    unlink(path);
    assert_non_null(strstr(err, ":2:"));
    config_free(&c);

    config_init(&c);
    assert_int_equal(config_load_file(&c, "/nonexistent/imsd.conf", err, sizeof err), IMS_EIO);
    assert_non_null(strstr(err, "/nonexistent/imsd.conf"));
    config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(set_and_bounds),
        cmocka_unit_test(validate_rules),
        cmocka_unit_test(file_values_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
