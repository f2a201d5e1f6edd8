/*
 * Asynchronous PostgreSQL pool on the libuv loop.
 *
 * Each connection is opened with PQconnectStart/PQconnectPoll, watched with uv_poll on
 * PQsocket() (re-read after every poll step), put in pipeline mode, and has every
 * statement of the caller's table prepared once. A transaction is sent in one round
 * trip: BEGIN; set the tenant (SET LOCAL through set_config); the statements; COMMIT;
 * Sync. When the server goes away, in-flight transactions fail with IMS_EUNAVAILABLE
 * and the connection reconnects with exponential backoff; while no connection is up,
 * new transactions fail at once with IMS_EUNAVAILABLE.
 *
 * db/ knows nothing of gRPC or tenants' meaning: a tenant is only the value it sets.
 */
#ifndef IMS_DB_POOL_H
#define IMS_DB_POOL_H

#include <stddef.h>
#include <uv.h>
#include <libpq-fe.h>

#include "db_event.h"
#include "db_statement.h"

struct db_pool;
struct db_txn;

struct db_pool_config {
    const char *conninfo;
    int size;                               /* connections */
    size_t max_queue;                       /* waiting transactions beyond which: RESOURCE */
    const struct db_statement *statements;  /* prepared on connect; index = statement id */
    int statement_count;
    db_event_cb on_event;                   /* connections up, lost, failed statements */
    void *event_arg;
};

/* Returns 0, IMS_ENOMEM or IMS_EINVAL (also when the statements fail
 * db_statements_check). Connections start at once, in the background. */
int db_pool_new(uv_loop_t *loop, const struct db_pool_config *config, struct db_pool **out)
    __attribute__((warn_unused_result));

/* Fails queued transactions with IMS_ECLOSED, closes every connection and handle, then
 * calls done (may be NULL); the pool is freed after done returns. Transactions in flight
 * finish first. */
void db_pool_close(struct db_pool *pool, void (*done)(void *arg), void *arg);

/* Number of connections ready or busy (0 while the database is away). */
int db_pool_up(const struct db_pool *pool);

struct db_pool_stats {
    int size;      /* configured connections */
    int up;        /* connected (busy or idle) */
    int busy;      /* running a transaction */
    size_t queued; /* transactions waiting for a connection */
    uint64_t refused; /* since start, transactions refused on a full queue */
};

void db_pool_stats(const struct db_pool *pool, struct db_pool_stats *out);

/* --- transactions --- */

typedef void (*db_txn_cb)(struct db_txn *txn, int err, void *arg);

/* A new transaction. tenant: the UUID text set as ims.tenant_id (NULL: none);
 * all_tenants: 1 sets ims.all_tenants = on (operator-wide statements). NULL on ENOMEM. */
struct db_txn *db_txn_new(struct db_pool *pool, const char *tenant, int all_tenants);

/* Adds a prepared statement with text parameters (NULL is SQL NULL; values are copied).
 * Returns its index for db_txn_result, or IMS_ENOMEM / IMS_EINVAL. */
int db_txn_add(struct db_txn *txn, int statement, int nparams, const char *const *values);

/* How many statements were added so far (the index the next one gets). */
int db_txn_count(const struct db_txn *txn);

/* Sends it. cb is called once with err 0 (committed), IMS_EUNAVAILABLE (database away:
 * the outcome of a COMMIT in flight is unknown), IMS_ERESOURCE-like IMS_ETOOBIG when the
 * queue is full, IMS_ECLOSED (pool closing), or IMS_EINTERNAL (a statement failed: rolled
 * back; see db_txn_sqlstate/db_txn_error). The txn stays owned by the caller: free it
 * with db_txn_free, in the callback or later. */
void db_txn_exec(struct db_txn *txn, db_txn_cb cb, void *arg);

/* A transaction in rounds: after db_txn_hold, the next db_txn_exec (or db_txn_continue)
 * sends its statements without COMMIT and, when they all succeed, calls cb with err 0
 * keeping the transaction open on its connection. The caller then adds statements and
 * calls db_txn_continue (the next round, committing unless held again), or
 * db_txn_abandon (rolled back, no callback), before it returns to the loop. */
void db_txn_hold(struct db_txn *txn);
void db_txn_continue(struct db_txn *txn, db_txn_cb cb, void *arg);
void db_txn_abandon(struct db_txn *txn);

/* Results and errors, valid until db_txn_free. */
PGresult *db_txn_result(const struct db_txn *txn, int index);
const char *db_txn_sqlstate(const struct db_txn *txn);   /* "" when none */
const char *db_txn_error(const struct db_txn *txn);      /* "" when none */
int db_txn_failed_index(const struct db_txn *txn);       /* statement that failed, or -1 */

void db_txn_free(struct db_txn *txn);

#endif
