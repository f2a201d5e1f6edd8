/* A transaction as the pool's callers build it: its statements with their parameters,
 * then its results and error once run (db_pool.c sends it). */
#include <stdlib.h>
#include <string.h>

#include "db_pool.h"
#include "db_txn_internal.h"
#include "ims/error.h"

struct db_txn *db_txn_new(struct db_pool *pool, const char *tenant, int all_tenants)
{
    struct db_txn *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->pool = pool;
    t->all_tenants = all_tenants;
    t->failed_index = -1;
    if (tenant && !(t->tenant = strdup(tenant))) {
        free(t);
        return NULL;
    }
    return t;
}

static void stmt_free_params(struct txn_stmt *s)
{
    for (int j = 0; s->values && j < s->nparams; j++)
        free(s->values[j]);
    free(s->values);
    free(s->lengths);
    free(s->formats);
    s->values = NULL;
    s->lengths = NULL;
    s->formats = NULL;
}

int db_txn_add_binary(struct db_txn *txn, int statement, int nparams, const char *const *values,
                      const int *lengths, const int *formats)
{
    if (statement < 0 || statement >= db_pool_statement_count(txn->pool) || nparams < 0)
        return IMS_EINVAL;
    for (int i = 0; formats && i < nparams; i++)
        if (formats[i] && (!values[i] || lengths[i] < 0))
            return IMS_EINVAL;
    if (txn->count == txn->cap) {
        int cap = txn->cap ? txn->cap * 2 : 4;
        void *n = realloc(txn->stmts, (size_t)cap * sizeof *txn->stmts);
        if (!n)
            return IMS_ENOMEM;
        txn->stmts = n;
        txn->cap = cap;
    }
    struct txn_stmt *s = &txn->stmts[txn->count];
    memset(s, 0, sizeof *s);
    s->statement = statement;
    s->nparams = nparams;
    if (nparams == 0)
        return txn->count++;
    s->values = calloc((size_t)nparams, sizeof *s->values);
    if (formats) {
        s->lengths = calloc((size_t)nparams, sizeof *s->lengths);
        s->formats = calloc((size_t)nparams, sizeof *s->formats);
    }
    int ok = s->values && (!formats || (s->lengths && s->formats));
    for (int i = 0; ok && i < nparams; i++) {
        if (!values[i])
            continue;
        if (formats && formats[i]) {
            s->formats[i] = 1;
            s->lengths[i] = lengths[i];
            ok = (s->values[i] = malloc((size_t)lengths[i] + 1)) != NULL;
            if (ok)
                memcpy(s->values[i], values[i], (size_t)lengths[i]);
        } else {
            ok = (s->values[i] = strdup(values[i])) != NULL;
        }
    }
    if (!ok) {
        stmt_free_params(s);
        return IMS_ENOMEM;
    }
    return txn->count++;
}

int db_txn_add(struct db_txn *txn, int statement, int nparams, const char *const *values)
{
    return db_txn_add_binary(txn, statement, nparams, values, NULL, NULL);
}

int db_txn_count(const struct db_txn *txn)
{
    return txn->count;
}

PGresult *db_txn_result(const struct db_txn *txn, int index)
{
    if (index < 0 || index >= txn->count)
        return NULL;
    return txn->stmts[index].result;
}

const char *db_txn_sqlstate(const struct db_txn *txn)
{
    return txn->sqlstate;
}

const char *db_txn_error(const struct db_txn *txn)
{
    return txn->error ? txn->error : "";
}

int db_txn_failed_index(const struct db_txn *txn)
{
    return txn->failed_index;
}

void db_txn_clear_results(struct db_txn *txn)
{
    for (int i = 0; i < txn->count; i++) {
        PQclear(txn->stmts[i].result);
        txn->stmts[i].result = NULL;
    }
}

void db_txn_forget_sent_params(struct db_txn *txn)
{
    for (; txn->params_from < txn->sent; txn->params_from++)
        stmt_free_params(&txn->stmts[txn->params_from]);
}

void db_txn_free(struct db_txn *txn)
{
    if (!txn)
        return;
    for (int i = 0; i < txn->count; i++)
        stmt_free_params(&txn->stmts[i]);
    db_txn_clear_results(txn);
    free(txn->stmts);
    free(txn->tenant);
    free(txn->error);
    free(txn);
}

void db_txn_hold(struct db_txn *txn)
{
    txn->hold = 1;
}

void db_txn_set_urgent(struct db_txn *txn)
{
    txn->urgent = 1;
}
