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
 * The circuit: when a transaction times out (a database that accepts but does not
 * answer), or a failure leaves no connection up, the pool opens its circuit: waiting
 * transactions fail with IMS_EUNAVAILABLE and new ones are refused at once, instead of
 * queueing behind the transaction and connect timeouts. The reconnects go on with their
 * backoff; the first connection that is up again (connected and prepared) closes it.
 * Both changes are reported as events (DB_EVENT_CIRCUIT_OPEN / _CLOSED).
 *
 * db/ knows nothing of gRPC or tenants' meaning: a tenant is only the value it sets.
 */
#ifndef IMS_DB_POOL_H
#define IMS_DB_POOL_H

#include <stddef.h>
#include <uv.h>

#include "db_connect.h"
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
    struct db_connect_limits limits;        /* connect and statement timeouts */
    int txn_timeout_ms; /* a transaction unanswered this long drops its connection and
                         * fails with IMS_EUNAVAILABLE (0: none) */
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

/* Number of connections ready or busy (0 while the database is away or the circuit is
 * open: health and readiness say not serving). */
int db_pool_up(const struct db_pool *pool);

struct db_pool_stats {
    int size;      /* configured connections */
    int up;        /* connected (busy or idle) */
    int busy;      /* running a transaction */
    size_t queued; /* transactions waiting for a connection */
    uint64_t refused; /* since start, transactions refused on a full queue */
    int circuit_open; /* 1 while new transactions are refused (see db_txn_exec) */
    uint64_t circuit_refused; /* since start, transactions refused by the open circuit */
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

/* The same with some parameters in PostgreSQL's binary format: formats[i] 1 marks one
 * (lengths[i] bytes of values[i], copied), 0 a text one (lengths[i] ignored). The
 * statement's text must fix each binary parameter's type (a cast such as $2::float8[]). */
int db_txn_add_binary(struct db_txn *txn, int statement, int nparams, const char *const *values,
                      const int *lengths, const int *formats);

/* How many statements were added so far (the index the next one gets). */
int db_txn_count(const struct db_txn *txn);

/* Sends it. cb is called once with err 0 (committed), IMS_EUNAVAILABLE (database away,
 * or the circuit open; for a COMMIT in flight the outcome is unknown), IMS_ERESOURCE-like IMS_ETOOBIG when the
 * queue is full, IMS_ECLOSED (pool closing), or IMS_EINTERNAL (a statement failed: rolled
 * back; see db_txn_sqlstate/db_txn_error). The txn stays owned by the caller: free it
 * with db_txn_free, in the callback or later. */
void db_txn_exec(struct db_txn *txn, db_txn_cb cb, void *arg);

/* A transaction in rounds: after db_txn_hold, the next db_txn_exec (or db_txn_continue)
 * sends its statements without COMMIT and, when they all succeed, calls cb with err 0
 * keeping the transaction open on its connection. The caller then adds statements and
 * calls db_txn_continue (the next round, committing unless held again), or
 * db_txn_abandon (rolled back, no callback). Between rounds the connection is the
 * transaction's alone (a caller may wait for input meanwhile, as a streamed import does)
 * and txn_timeout_ms counts each round, not the wait; if the connection is lost between
 * rounds, cb runs again with IMS_EUNAVAILABLE. */
void db_txn_hold(struct db_txn *txn);
void db_txn_continue(struct db_txn *txn, db_txn_cb cb, void *arg);
void db_txn_abandon(struct db_txn *txn);
/* Before db_txn_exec: the transaction waits ahead of every other that is not urgent (a
 * token lookup must not queue behind bulk writes). */
void db_txn_set_urgent(struct db_txn *txn);

/* Drops a transaction still waiting for a connection (its caller went away): its callback
 * runs now with IMS_ECLOSED. Returns 1, or 0 when it is already running or done (it then
 * completes as usual). */
int db_txn_cancel(struct db_txn *txn);

/* Results and errors, valid until db_txn_free. */
PGresult *db_txn_result(const struct db_txn *txn, int index);
const char *db_txn_sqlstate(const struct db_txn *txn);   /* "" when none */
const char *db_txn_error(const struct db_txn *txn);      /* "" when none */
int db_txn_failed_index(const struct db_txn *txn);       /* statement that failed, or -1 */

void db_txn_free(struct db_txn *txn);

#endif
