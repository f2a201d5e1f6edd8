/*
 * A named SQL statement as the pool prepares it, and the check a table of them must pass
 * before the pool takes it. The texts come from the .sql files of sql/statements/ through
 * the generated headers (statements.h, db_statements.h): C files hold only their names.
 */
#ifndef IMS_DB_STATEMENT_H
#define IMS_DB_STATEMENT_H

#include <stddef.h>

struct db_statement {
    const char *name; /* prepared under this name */
    const char *sql;
    int params; /* parameters its .sql file documents ($1..$params) */
};

/* The highest $N the text refers to, outside quoted literals and identifiers, dollar
 * quotes and comments: the number of parameters PostgreSQL gives the statement. */
int db_statement_param_count(const char *sql);

/* Checks a table: every statement has a name and non-empty text, no two share a name,
 * and the parameters the text uses are the ones documented. Returns 0 or IMS_EINVAL with
 * the first problem in err ("TOKEN_GET: uses $2, documents 1"). */
int db_statements_check(const struct db_statement *list, int count, char *err, size_t err_len)
    __attribute__((warn_unused_result));

#endif
