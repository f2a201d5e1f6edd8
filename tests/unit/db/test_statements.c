/* The statement tables generated from sql/statements/ (statements.h for rpc/,
 * db_statements.h for db/) and db_statements_check, which the pool runs before it
 * prepares anything: names, texts, and the parameters each text uses against the ones
 * its .sql file documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "db_statement.h"
#include "db_statements.h"
#include "ims/error.h"
#include "statements.h"

/* Built the way imsd builds the table it gives the pool. */
static const struct db_statement rpc_table[] = {
#define ROW(id, sql) {"s_" #id, sql, RPC_PARAMS_##id},
    RPC_STATEMENTS(ROW)
#undef ROW
};
static const int rpc_count = (int)(sizeof rpc_table / sizeof rpc_table[0]);

static const struct db_statement db_table[] = {
#define ROW(id, sql) {#id, sql, DB_PARAMS_##id},
    DB_STATEMENTS(ROW)
#undef ROW
};
static const int db_count = (int)(sizeof db_table / sizeof db_table[0]);

static void rpc_table_passes_the_check(void **state)
{
    char err[256] = "";
    int rc = db_statements_check(rpc_table, rpc_count, err, sizeof err);
    if (rc != 0)
        fail_msg("%s", err);
    assert_true(rpc_count > 50);
}

static void db_table_passes_the_check(void **state)
{
    char err[256] = "";
    int rc = db_statements_check(db_table, db_count, err, sizeof err);
    if (rc != 0)
        fail_msg("%s", err);
}

/* STMT_<ID> is the row the pool prepares as "s_<ID>". */
static void rpc_enum_matches_the_rows(void **state)
{
    assert_int_equal(rpc_count, STMT__COUNT);
    assert_string_equal(rpc_table[STMT_TOKEN_LOOKUP].name, "s_TOKEN_LOOKUP");
    assert_string_equal(rpc_table[STMT_SAMPLE_PARTITIONS].name, "s_SAMPLE_PARTITIONS");
    assert_string_equal(rpc_table[STMT_TENANT_IMPORT].name, "s_TENANT_IMPORT");
    assert_string_equal(rpc_table[STMT_SERIES_MAP_INSERT].name, "s_SERIES_MAP_INSERT");
    assert_string_equal(rpc_table[STMT_MIGRATION_APPLIED].name, "s_MIGRATION_APPLIED");
    /* The statements of the files in sql/statements/rpc/ follow those of rpc.sql. */
    assert_true(STMT_ARTEFACT_SET > STMT_MIGRATION_APPLIED);
    assert_string_equal(rpc_table[STMT_ARTEFACT_SET].name, "s_ARTEFACT_SET");
    assert_true(STMT_COMPUTED_WRITE > STMT_MIGRATION_APPLIED);
    assert_string_equal(rpc_table[STMT_COMPUTED_WRITE].name, "s_COMPUTED_WRITE");
    /* rpc.sql first, then the files of sql/statements/rpc/: the last row is theirs. */
    assert_string_equal(rpc_table[STMT_MIGRATION_APPLIED].name, "s_MIGRATION_APPLIED");
    assert_string_equal(rpc_table[STMT_TOKEN_REVOKED_NOTIFY].name, "s_TOKEN_REVOKED_NOTIFY");
    assert_true(STMT_PERSON_PUT > STMT_MIGRATION_APPLIED);
    assert_string_equal(rpc_table[STMT_PERSON_PUT].name, "s_PERSON_PUT");
}

/* What the generator keeps: the text without the comments and the final ";". */
static void generated_text(void **state)
{
    assert_string_equal(DB_SQL_BEGIN, "BEGIN");
    assert_int_equal(DB_PARAMS_SET_TENANT, 2);
    assert_non_null(strstr(DB_SQL_MIGRATE_AS_OWNER, "EXECUTE format('SET LOCAL ROLE %I', r);"));
    assert_null(strstr(DB_SQL_SET_TENANT, "--"));
    assert_int_equal(RPC_PARAMS_INCIDENT_INSERT, 10);
    assert_null(strchr(RPC_SQL_TOKEN_LOOKUP, ';'));
    /* The shared column lists are spelled out in each statement. */
    assert_non_null(strstr(RPC_SQL_TOKEN_REVOKE, "RETURNING t.id, t.role, t.label"));
}

static void param_count_skips_quotes_and_comments(void **state)
{
    assert_int_equal(db_statement_param_count("SELECT 1"), 0);
    assert_int_equal(db_statement_param_count("SELECT $1, $2::int"), 2);
    assert_int_equal(db_statement_param_count("SELECT $3"), 3); /* PostgreSQL counts $1..$3 */
    assert_int_equal(db_statement_param_count("SELECT $10, $2"), 10);
    assert_int_equal(db_statement_param_count("SELECT '$5', $1"), 1);
    assert_int_equal(db_statement_param_count("SELECT 'it''s $4', $1"), 1);
    assert_int_equal(db_statement_param_count("SELECT \"$7\" FROM t WHERE a = $2"), 2);
    assert_int_equal(db_statement_param_count("SELECT $1 -- and $9\n, $2"), 2);
    assert_int_equal(db_statement_param_count("SELECT /* $9 */ $1"), 1);
    assert_int_equal(db_statement_param_count("DO $$ BEGIN PERFORM $3; END $$"), 0);
    assert_int_equal(db_statement_param_count("SELECT $tag$ $4 $tag$, $1"), 1);
    assert_int_equal(db_statement_param_count("SELECT 'unterminated $3"), 0);
}

static void check_rejects_bad_tables(void **state)
{
    char err[256];
    const struct db_statement twice[] = {{"A", "SELECT 1", 0}, {"A", "SELECT 2", 0}};
    assert_int_equal(db_statements_check(twice, 2, err, sizeof err), IMS_EINVAL);
    assert_string_equal(err, "A: named twice");

    const struct db_statement undocumented[] = {{"B", "SELECT $1, $2", 1}};
    assert_int_equal(db_statements_check(undocumented, 1, err, sizeof err), IMS_EINVAL);
    assert_string_equal(err, "B: uses 2 parameters, documents 1");

    const struct db_statement unused[] = {{"C", "SELECT 1", 1}};
    assert_int_equal(db_statements_check(unused, 1, err, sizeof err), IMS_EINVAL);

    const struct db_statement empty[] = {{"D", " \n ", 0}};
    assert_int_equal(db_statements_check(empty, 1, err, sizeof err), IMS_EINVAL);
    assert_string_equal(err, "D: no text");

    const struct db_statement nameless[] = {{"", "SELECT 1", 0}};
    assert_int_equal(db_statements_check(nameless, 1, err, sizeof err), IMS_EINVAL);

    const struct db_statement textless[] = {{"E", NULL, 0}};
    assert_int_equal(db_statements_check(textless, 1, err, sizeof err), IMS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rpc_table_passes_the_check),
        cmocka_unit_test(db_table_passes_the_check),
        cmocka_unit_test(rpc_enum_matches_the_rows),
        cmocka_unit_test(generated_text),
        cmocka_unit_test(param_count_skips_quotes_and_comments),
        cmocka_unit_test(check_rejects_bad_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
