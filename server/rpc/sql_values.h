/*
 * Values between rows and messages: reading booleans and integers out of a result, and
 * writing lists as SQL array literals.
 */
#ifndef IMS_RPC_SQL_VALUES_H
#define IMS_RPC_SQL_VALUES_H

#include <stddef.h>

#include <libpq-fe.h>

/* 1 when the column's text is PostgreSQL's true ("t"). */
int sql_bool(PGresult *r, int row, int col);
int sql_int(PGresult *r, int row, int col);

/* "{a,b,c}" from identifiers already validated (no quotes, commas or braces); malloc'ed,
 * NULL when out of memory. */
char *sql_array_literal(char **items, size_t n);

/* Splits "a,b" in place in buf into at most max items; returns the count. */
size_t sql_split_list(char *buf, char **items, size_t max);

#endif
