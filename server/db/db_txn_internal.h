/* The transaction object shared by db_pool.c (which runs it) and db_txn.c (which builds
 * it and keeps its results). Not part of db/'s interface. */
#ifndef IMS_DB_TXN_INTERNAL_H
#define IMS_DB_TXN_INTERNAL_H

#include <libpq-fe.h>

#include "db_pool.h"

struct db_conn;

struct db_txn {
    struct db_pool *pool;
    char *tenant;
    int all_tenants;
    int count, cap;
    struct txn_stmt {
        int statement;
        int nparams;
        char **values;
        int *lengths; /* NULL: every parameter text; else each one's length (binary) */
        int *formats; /* NULL, or 1 for a binary parameter, 0 for text */
        PGresult *result;
    } *stmts;
    db_txn_cb cb;
    void *arg;
    int err;
    int failed_index;
    char sqlstate[6];
    char *error;
    struct db_txn *next; /* on the wait queue */
    int hold;             /* 1: the round being sent leaves the transaction open */
    int sent;             /* statements sent by the rounds before */
    int params_from;      /* statements before this one have had their parameters freed */
    struct db_conn *conn; /* the connection an open transaction holds, between rounds */
    int urgent;          /* queued before the others (db_txn_set_urgent) */
};

/* The number of statements the pool prepares (db_pool.c). */
int db_pool_statement_count(const struct db_pool *pool);

/* Frees the results of every statement of txn (db_txn.c). */
void db_txn_clear_results(struct db_txn *txn);
/* Frees the parameters of the statements earlier rounds sent: a round is sent once, and a
 * transaction held open over many rounds (a streamed import) would otherwise keep every
 * round's parameters until it ends (db_txn.c). */
void db_txn_forget_sent_params(struct db_txn *txn);

#endif
