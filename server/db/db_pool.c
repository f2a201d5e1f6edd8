/* The asynchronous PostgreSQL pool on the loop: connections, pipelined transactions,
 * reconnects. */
#include "db_pool.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "db_socket.h"
#include "db_statements.h"
#include "db_txn_internal.h"
#include "ims/error.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
/* Name of the statement that sets the tenant, prepared beside the caller's. */
#define SET_TENANT_NAME "ims_set_tenant"

enum conn_state {
    CONN_BACKOFF,      /* waiting for the reconnect timer */
    CONN_CONNECTING,   /* PQconnectPoll in progress */
    CONN_PREPARING,    /* statements being prepared */
    CONN_IDLE,         /* ready, on the idle list */
    CONN_BUSY,         /* a transaction in flight */
    CONN_ROLLING_BACK, /* cleaning up after a failed transaction */
    CONN_CLOSED,
};

struct db_conn;

/* A poll handle lives as long as the socket it watches; libpq may change the socket
 * during connection set-up, and a uv_poll_t cannot be re-armed on a new fd before its
 * close callback, so each socket gets its own. */
struct conn_poll {
    uv_poll_t handle;
    struct db_conn *conn;
};

struct db_conn {
    struct db_pool *pool;
    int index;
    enum conn_state state;
    PGconn *pg;
    struct conn_poll *poll;
    int poll_fd;
    unsigned long long poll_socket; /* db_socket_id of poll_fd */
    int poll_events;
    uv_timer_t timer;
    int timer_open;
    unsigned backoff_ms;
    struct db_txn *txn;      /* in flight */
    int expected_syncs;      /* PIPELINE_SYNC results still to read */
    int command;             /* index of the command whose results are being read */
    struct db_conn *next_idle;
};

struct db_pool {
    uv_loop_t *loop;
    char *conninfo;
    const struct db_statement *statements;
    int statement_count;
    size_t max_queue;
    struct db_connect_limits limits;
    int txn_timeout_ms;
    db_event_cb on_event;
    void *event_arg;
    int size;
    struct db_conn *conns;
    struct db_conn *idle;
    struct db_txn *queue_head, *queue_tail;
    size_t queued;
    uint64_t refused; /* transactions refused on a full queue */
    int up;
    int ever_up_failed; /* the last attempt of every connection failed */
    /* The circuit: open after a transaction timed out, or after a failure left no
     * connection up; new transactions are then refused at once until a connection
     * comes up again (the reconnects are the probes). */
    int circuit_open;
    uint64_t circuit_refused; /* since start, transactions refused by the open circuit */
    int closing;
    int open_handles;
    void (*close_done)(void *);
    void *close_arg;
};

int db_pool_statement_count(const struct db_pool *pool)
{
    return pool->statement_count;
}

static void conn_start(struct db_conn *c);
static void conn_on_poll(uv_poll_t *handle, int status, int events);
static void conn_fail(struct db_conn *c, const char *why);
static void conn_txn_timed_out(uv_timer_t *timer);
static void pool_kick(struct db_pool *pool);
static void pool_maybe_done(struct db_pool *pool);

static const char *const conn_state_names[] = {"backoff", "connecting", "preparing", "idle",
                                               "busy",    "rolling_back", "closed"};

static void conn_event(const struct db_conn *c, enum db_event_kind kind, const char *from,
                       const char *error)
{
    if (!c->pool->on_event)
        return;
    struct db_event ev = {.kind = kind,
                          .conn = c->index,
                          .from = from,
                          .state = conn_state_names[c->state],
                          .error = error};
    c->pool->on_event(&ev, c->pool->event_arg);
}

static void pool_fail_queue(struct db_pool *pool, int err);

/* Opens the circuit: what waits fails now, what comes is refused until a connection is
 * up again. */
static void pool_circuit_open(struct db_pool *pool, const struct db_conn *c, const char *why)
{
    if (pool->closing)
        return;
    if (!pool->circuit_open) {
        pool->circuit_open = 1;
        if (pool->on_event) {
            struct db_event ev = {.kind = DB_EVENT_CIRCUIT_OPEN, .conn = c->index,
                                  .error = why};
            pool->on_event(&ev, pool->event_arg);
        }
    }
    pool_fail_queue(pool, IMS_EUNAVAILABLE);
}

static void pool_circuit_close(struct db_pool *pool, const struct db_conn *c)
{
    if (!pool->circuit_open)
        return;
    pool->circuit_open = 0;
    if (pool->on_event) {
        struct db_event ev = {.kind = DB_EVENT_CIRCUIT_CLOSED, .conn = c->index};
        pool->on_event(&ev, pool->event_arg);
    }
}

/* The one place a connection changes state; the asserts are the legal transitions. */
static void conn_set_state(struct db_conn *c, enum conn_state to)
{
    enum conn_state from = c->state;
    switch (to) {
    case CONN_CONNECTING:
        assert(from == CONN_BACKOFF);
        break;
    case CONN_PREPARING:
        assert(from == CONN_CONNECTING);
        break;
    case CONN_IDLE:
        assert(from == CONN_PREPARING || from == CONN_BUSY || from == CONN_ROLLING_BACK);
        break;
    case CONN_BUSY:
        assert(from == CONN_IDLE);
        break;
    case CONN_ROLLING_BACK:
        assert(from == CONN_BUSY);
        break;
    case CONN_BACKOFF:
        assert(from != CONN_CLOSED && from != CONN_BACKOFF);
        break;
    case CONN_CLOSED:
        break;
    }
    if ((from == CONN_BUSY || from == CONN_ROLLING_BACK) && to == CONN_IDLE)
        uv_timer_stop(&c->timer); /* the transaction timeout */
    int was_up = from == CONN_IDLE || from == CONN_BUSY || from == CONN_ROLLING_BACK;
    int is_up = to == CONN_IDLE || to == CONN_BUSY || to == CONN_ROLLING_BACK;
    c->pool->up += is_up - was_up;
    c->state = to;
    conn_event(c, DB_EVENT_STATE, conn_state_names[from], NULL);
}

/* --- handles --- */

static void poll_closed(uv_handle_t *h)
{
    struct conn_poll *p = container_of((uv_poll_t *)h, struct conn_poll, handle);
    struct db_pool *pool = p->conn->pool;
    free(p);
    pool->open_handles--;
    pool_maybe_done(pool);
}

static void conn_unwatch(struct db_conn *c)
{
    if (c->poll) {
        uv_close((uv_handle_t *)&c->poll->handle, poll_closed);
        c->poll = NULL;
        c->poll_fd = -1;
        c->poll_events = 0;
    }
}

/* Watches the current PQsocket for events, replacing the watcher if the socket changed. */
static int conn_watch(struct db_conn *c, int events)
{
    int fd = PQsocket(c->pg);
    if (fd < 0)
        return IMS_EIO;
    /* Only a connection attempt changes libpq's socket: once connected, the number says. */
    unsigned long long socket_id = c->state == CONN_CONNECTING || !c->poll ? db_socket_id(fd)
                                                                           : c->poll_socket;
    if (c->poll && (c->poll_fd != fd || c->poll_socket != socket_id))
        conn_unwatch(c);
    if (!c->poll) {
        struct conn_poll *p = calloc(1, sizeof *p);
        if (!p)
            return IMS_ENOMEM;
        if (uv_poll_init(c->pool->loop, &p->handle, fd) != 0) {
            free(p);
            return IMS_EIO;
        }
        p->conn = c;
        c->pool->open_handles++;
        c->poll = p;
        c->poll_fd = fd;
        c->poll_socket = socket_id;
        c->poll_events = 0;
    }
    if (events != c->poll_events) {
        if (uv_poll_start(&c->poll->handle, events, conn_on_poll) != 0)
            return IMS_EIO;
        c->poll_events = events;
    }
    return 0;
}

static void timer_closed(uv_handle_t *h)
{
    struct db_conn *c = container_of((uv_timer_t *)h, struct db_conn, timer);
    c->pool->open_handles--;
    pool_maybe_done(c->pool);
}

/* --- transactions (the object itself: db_txn.c) --- */

static void txn_complete(struct db_txn *txn, int err)
{
    txn->err = err;
    if (err != 0 && err != IMS_EINTERNAL)
        db_txn_clear_results(txn);
    txn->cb(txn, err, txn->arg);
}

static void txn_set_error(struct db_txn *txn, int index, const PGresult *r)
{
    if (txn->failed_index != -1 || txn->error)
        return;
    txn->failed_index = index;
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    snprintf(txn->sqlstate, sizeof txn->sqlstate, "%s", state ? state : "");
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    txn->error = strdup(msg ? msg : PQresultErrorMessage(r));
}

/* --- sending and receiving --- */

static int conn_flush(struct db_conn *c)
{
    int r = PQflush(c->pg);
    if (r < 0)
        return IMS_EIO;
    return conn_watch(c, UV_READABLE | (r == 1 ? UV_WRITABLE : 0));
}

static int conn_send_txn(struct db_conn *c, struct db_txn *t)
{
    PGconn *pg = c->pg;
    const char *set_params[2] = {t->tenant, t->all_tenants ? "on" : ""};
    /* A later round of an open transaction: its statements only (commands sent+2...). */
    int first = t->sent;
    if (first == 0 && !PQsendQueryParams(pg, DB_SQL_BEGIN, 0, NULL, NULL, NULL, NULL, 0))
        return IMS_EIO;
    if (first == 0 && !PQsendQueryPrepared(pg, SET_TENANT_NAME, 2, set_params, NULL, NULL, 0))
        return IMS_EIO;
    t->sent = t->count;
    for (int i = first; i < t->count; i++) {
        struct txn_stmt *s = &t->stmts[i];
        if (!PQsendQueryPrepared(pg, c->pool->statements[s->statement].name, s->nparams,
                                 (const char *const *)s->values, s->lengths, s->formats, 0))
            return IMS_EIO;
    }
    if (!t->hold && !PQsendQueryParams(pg, DB_SQL_COMMIT, 0, NULL, NULL, NULL, NULL, 0))
        return IMS_EIO;
    if (!PQpipelineSync(pg))
        return IMS_EIO;
    c->expected_syncs = 1;
    c->command = first == 0 ? 0 : first + 2;
    return conn_flush(c);
}

static int conn_send_prepares(struct db_conn *c)
{
    struct db_pool *pool = c->pool;
    if (!PQsendPrepare(c->pg, SET_TENANT_NAME, DB_SQL_SET_TENANT, DB_PARAMS_SET_TENANT, NULL))
        return IMS_EIO;
    for (int i = 0; i < pool->statement_count; i++)
        if (!PQsendPrepare(c->pg, pool->statements[i].name, pool->statements[i].sql, 0, NULL))
            return IMS_EIO;
    if (!PQpipelineSync(c->pg))
        return IMS_EIO;
    c->expected_syncs = 1;
    c->command = 0;
    return conn_flush(c);
}

static void conn_to_idle(struct db_conn *c)
{
    conn_set_state(c, CONN_IDLE);
    c->backoff_ms = 0;
    c->next_idle = c->pool->idle;
    c->pool->idle = c;
}

static int conn_begin_rollback(struct db_conn *c)
{
    conn_set_state(c, CONN_ROLLING_BACK);
    if (!PQsendQueryParams(c->pg, DB_SQL_ROLLBACK, 0, NULL, NULL, NULL, NULL, 0) ||
        !PQpipelineSync(c->pg))
        return IMS_EIO;
    c->expected_syncs = 1;
    return conn_flush(c);
}

/* Handles one result of the pipeline. The user statements are commands 2..count+1. */
static void conn_take_result(struct db_conn *c, PGresult *r)
{
    struct db_txn *t = c->txn;
    ExecStatusType st = PQresultStatus(r);
    if (c->state == CONN_PREPARING || c->state == CONN_ROLLING_BACK || !t) {
        if (st == PGRES_FATAL_ERROR)
            conn_event(c, DB_EVENT_STATEMENT_FAILED, NULL,
                       PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
        PQclear(r);
        return;
    }
    int user = c->command - 2;
    if (st == PGRES_FATAL_ERROR) {
        txn_set_error(t, user >= 0 && user < t->count ? user : -1, r);
        PQclear(r);
    } else if (user >= 0 && user < t->count && !t->stmts[user].result &&
               (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) {
        t->stmts[user].result = r;
    } else {
        PQclear(r);
    }
}

static void conn_pipeline_done(struct db_conn *c)
{
    struct db_pool *pool = c->pool;
    if (c->state == CONN_PREPARING || c->state == CONN_ROLLING_BACK) {
        if (c->state == CONN_PREPARING)
            pool_circuit_close(pool, c);
        conn_to_idle(c);
        pool_kick(pool);
        return;
    }
    struct db_txn *t = c->txn;
    int failed = t->error != NULL;
    if (!failed && t->hold) {
        /* The round of an open transaction: the connection stays with it, and the timeout
         * waits for the next round (its caller may wait for more input first). */
        uv_timer_stop(&c->timer);
        t->hold = 0;
        t->conn = c;
        txn_complete(t, 0);
        pool_kick(pool);
        return;
    }
    c->txn = NULL;
    if (failed && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        if (conn_begin_rollback(c) != 0) {
            txn_complete(t, IMS_EINTERNAL);
            conn_fail(c, "rollback could not be sent");
            return;
        }
    } else {
        conn_to_idle(c);
    }
    txn_complete(t, failed ? IMS_EINTERNAL : 0);
    pool_kick(pool);
}

static void conn_read(struct db_conn *c)
{
    if (!PQconsumeInput(c->pg)) {
        conn_fail(c, PQerrorMessage(c->pg));
        return;
    }
    while (c->expected_syncs > 0 && !PQisBusy(c->pg)) {
        PGresult *r = PQgetResult(c->pg);
        if (!r) {
            c->command++;
            continue;
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            c->expected_syncs--;
            conn_pipeline_done(c);
            return;
        }
        conn_take_result(c, r);
    }
    if (PQstatus(c->pg) == CONNECTION_BAD)
        conn_fail(c, PQerrorMessage(c->pg));
}

static void conn_connect_step(struct db_conn *c)
{
    PostgresPollingStatusType st = PQconnectPoll(c->pg);
    switch (st) {
    case PGRES_POLLING_READING:
        if (conn_watch(c, UV_READABLE) != 0)
            conn_fail(c, "cannot watch socket");
        return;
    case PGRES_POLLING_WRITING:
        if (conn_watch(c, UV_WRITABLE) != 0)
            conn_fail(c, "cannot watch socket");
        return;
    case PGRES_POLLING_FAILED:
        conn_fail(c, PQerrorMessage(c->pg));
        return;
    case PGRES_POLLING_OK:
        break;
    default:
        return;
    }
    if (PQsetnonblocking(c->pg, 1) != 0 || !PQenterPipelineMode(c->pg)) {
        conn_fail(c, "cannot enter pipeline mode");
        return;
    }
    conn_set_state(c, CONN_PREPARING);
    if (conn_send_prepares(c) != 0)
        conn_fail(c, PQerrorMessage(c->pg));
    else
        conn_event(c, DB_EVENT_CONNECTED, NULL, NULL);
}

static void conn_on_poll(uv_poll_t *handle, int status, int events)
{
    struct conn_poll *p = container_of(handle, struct conn_poll, handle);
    struct db_conn *c = p->conn;
    if (c->poll != p)
        return;
    if (c->state == CONN_CONNECTING) {
        /* libuv reports an error on the socket (a refused connect: POLLERR) as a status and
         * stops the watcher; libpq reads the error itself and may go on with the next host
         * of the DSN, so it decides, and the watcher is started again. */
        if (status < 0)
            c->poll_events = 0;
        conn_connect_step(c);
        return;
    }
    if (status < 0) {
        conn_fail(c, uv_strerror(status));
        return;
    }
    if (events & UV_WRITABLE) {
        if (conn_flush(c) != 0) {
            conn_fail(c, PQerrorMessage(c->pg));
            return;
        }
    }
    if (events & UV_READABLE)
        conn_read(c);
}

static void conn_timer_fired(uv_timer_t *timer)
{
    struct db_conn *c = container_of(timer, struct db_conn, timer);
    conn_start(c);
}

/* A database that stopped answering (a dead host, a black hole): the transaction fails
 * with IMS_EUNAVAILABLE instead of waiting for TCP to give up. */
static void conn_txn_timed_out(uv_timer_t *timer)
{
    struct db_conn *c = container_of(timer, struct db_conn, timer);
    if (c->state == CONN_BUSY || c->state == CONN_ROLLING_BACK) {
        const char *why = "transaction timed out: the database did not answer";
        struct db_pool *pool = c->pool;
        conn_fail(c, why);
        pool_circuit_open(pool, c, why);
    }
}

/* Drops the connection, fails what it carried, and schedules a reconnect. */
static void conn_fail(struct db_conn *c, const char *why)
{
    struct db_pool *pool = c->pool;
    if (c->state == CONN_CLOSED || c->state == CONN_BACKOFF)
        return;
    conn_event(c, DB_EVENT_LOST, NULL, why ? why : "");
    char reason[200]; /* why may be libpq's message, freed with the connection below */
    snprintf(reason, sizeof reason, "%s", why ? why : "");
    if (c->state == CONN_IDLE) {
        for (struct db_conn **pp = &pool->idle; *pp; pp = &(*pp)->next_idle) {
            if (*pp == c) {
                *pp = c->next_idle;
                break;
            }
        }
    }
    conn_unwatch(c);
    PQfinish(c->pg);
    c->pg = NULL;
    struct db_txn *t = c->txn;
    c->txn = NULL;
    conn_set_state(c, CONN_BACKOFF);
    c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (c->backoff_ms > BACKOFF_MAX_MS)
        c->backoff_ms = BACKOFF_MAX_MS;
    if (!pool->closing)
        uv_timer_start(&c->timer, conn_timer_fired, c->backoff_ms, 0);
    if (t)
        txn_complete(t, IMS_EUNAVAILABLE);
    /* With nothing up, waiting transactions would wait for the backoff and the connect
     * timeout: fail them now, and refuse new ones until a connection is back. */
    if (pool->up == 0)
        pool_circuit_open(pool, c, reason);
    pool_maybe_done(pool);
}

static void conn_start(struct db_conn *c)
{
    if (c->pool->closing)
        return;
    conn_set_state(c, CONN_CONNECTING);
    c->pg = db_connect_start(c->pool->conninfo, &c->pool->limits);
    if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_fail(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
        return;
    }
    if (conn_watch(c, UV_WRITABLE) != 0)
        conn_fail(c, "cannot watch socket");
}

/* --- pool --- */

int db_pool_new(uv_loop_t *loop, const struct db_pool_config *config, struct db_pool **out)
{
    char why[256];
    if (config->size < 1 || config->size > 256 || !config->conninfo ||
        db_statements_check(config->statements, config->statement_count, why, sizeof why) != 0)
        return IMS_EINVAL;
    struct db_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return IMS_ENOMEM;
    pool->loop = loop;
    pool->size = config->size;
    pool->max_queue = config->max_queue ? config->max_queue : 10000;
    pool->limits = config->limits;
    pool->txn_timeout_ms = config->txn_timeout_ms;
    pool->statements = config->statements;
    pool->statement_count = config->statement_count;
    pool->on_event = config->on_event;
    pool->event_arg = config->event_arg;
    pool->conninfo = strdup(config->conninfo);
    pool->conns = calloc((size_t)config->size, sizeof *pool->conns);
    if (!pool->conninfo || !pool->conns) {
        free(pool->conninfo);
        free(pool->conns);
        free(pool);
        return IMS_ENOMEM;
    }
    for (int i = 0; i < pool->size; i++) {
        struct db_conn *c = &pool->conns[i];
        c->pool = pool;
        c->index = i;
        c->state = CONN_BACKOFF;
        c->poll_fd = -1;
        uv_timer_init(loop, &c->timer);
        c->timer_open = 1;
        pool->open_handles++;
    }
    for (int i = 0; i < pool->size; i++)
        conn_start(&pool->conns[i]);
    *out = pool;
    return 0;
}

int db_pool_up(const struct db_pool *pool)
{
    return pool->circuit_open ? 0 : pool->up; /* connections kept up do not serve meanwhile */
}

void db_pool_stats(const struct db_pool *pool, struct db_pool_stats *out)
{
    out->size = pool->size;
    out->up = pool->up;
    out->busy = 0;
    for (int i = 0; i < pool->size; i++)
        if (pool->conns[i].txn != NULL)
            out->busy++;
    out->queued = pool->queued;
    out->refused = pool->refused;
    out->circuit_open = pool->circuit_open;
    out->circuit_refused = pool->circuit_refused;
}

static void pool_fail_queue(struct db_pool *pool, int err)
{
    while (pool->queue_head) {
        struct db_txn *q = pool->queue_head;
        pool->queue_head = q->next;
        pool->queued--;
        txn_complete(q, err);
    }
    pool->queue_tail = NULL;
}

static void pool_kick(struct db_pool *pool)
{
    while (pool->idle && pool->queue_head) {
        struct db_conn *c = pool->idle;
        pool->idle = c->next_idle;
        struct db_txn *t = pool->queue_head;
        pool->queue_head = t->next;
        if (!pool->queue_head)
            pool->queue_tail = NULL;
        pool->queued--;
        conn_set_state(c, CONN_BUSY);
        c->txn = t;
        if (conn_send_txn(c, t) != 0)
            conn_fail(c, PQerrorMessage(c->pg));
        else if (pool->txn_timeout_ms > 0)
            uv_timer_start(&c->timer, conn_txn_timed_out, (uint64_t)pool->txn_timeout_ms, 0);
    }
    pool_maybe_done(pool);
}

void db_txn_exec(struct db_txn *txn, db_txn_cb cb, void *arg)
{
    struct db_pool *pool = txn->pool;
    txn->cb = cb;
    txn->arg = arg;
    txn->next = NULL;
    if (pool->closing) {
        txn_complete(txn, IMS_ECLOSED);
        return;
    }
    int connecting = 0;
    for (int i = 0; i < pool->size; i++)
        connecting |= pool->conns[i].state == CONN_CONNECTING ||
                      pool->conns[i].state == CONN_PREPARING;
    if ((pool->up == 0 && !connecting) || pool->circuit_open) {
        pool->circuit_refused += pool->circuit_open;
        txn_complete(txn, IMS_EUNAVAILABLE);
        return;
    }
    if (pool->queued >= pool->max_queue) {
        pool->refused++;
        txn_complete(txn, IMS_ETOOBIG);
        return;
    }
    /* At the end; an urgent one after the urgent ones already waiting, before the rest. */
    struct db_txn **link = txn->urgent || !pool->queue_tail ? &pool->queue_head
                                                            : &pool->queue_tail->next;
    while (txn->urgent && *link && (*link)->urgent)
        link = &(*link)->next;
    txn->next = *link;
    *link = txn;
    if (!txn->next)
        pool->queue_tail = txn;
    pool->queued++;
    pool_kick(pool);
}

void db_txn_continue(struct db_txn *txn, db_txn_cb cb, void *arg)
{
    struct db_conn *c = txn->conn;
    txn->conn = NULL;
    txn->cb = cb;
    txn->arg = arg;
    if (!c || c->txn != txn) {
        txn_complete(txn, IMS_EUNAVAILABLE);
        return;
    }
    db_txn_forget_sent_params(txn);
    if (conn_send_txn(c, txn) != 0)
        conn_fail(c, PQerrorMessage(c->pg)); /* completes txn */
    else if (c->pool->txn_timeout_ms > 0)
        uv_timer_start(&c->timer, conn_txn_timed_out, (uint64_t)c->pool->txn_timeout_ms, 0);
}

void db_txn_abandon(struct db_txn *txn)
{
    struct db_conn *c = txn->conn;
    txn->conn = NULL;
    if (!c || c->txn != txn)
        return;
    c->txn = NULL;
    if (conn_begin_rollback(c) != 0)
        conn_fail(c, "rollback could not be sent");
    else if (c->pool->txn_timeout_ms > 0) /* stopped while the transaction was held */
        uv_timer_start(&c->timer, conn_txn_timed_out, (uint64_t)c->pool->txn_timeout_ms, 0);
}

int db_txn_cancel(struct db_txn *txn)
{
    struct db_pool *pool = txn->pool;
    struct db_txn *prev = NULL, **link = &pool->queue_head;
    while (*link && *link != txn) {
        prev = *link;
        link = &(*link)->next;
    }
    if (!*link)
        return 0; /* running or done */
    *link = txn->next;
    if (pool->queue_tail == txn)
        pool->queue_tail = prev;
    pool->queued--;
    txn->next = NULL;
    txn_complete(txn, IMS_ECLOSED);
    return 1;
}

static void pool_maybe_done(struct db_pool *pool)
{
    if (!pool->closing)
        return;
    if (pool->open_handles == 0) {
        void (*done)(void *) = pool->close_done;
        void *arg = pool->close_arg;
        pool->close_done = NULL;
        free(pool->conns);
        free(pool->conninfo);
        free(pool);
        if (done)
            done(arg);
        return;
    }
    /* Close connections that carry nothing; busy ones close when their work ends. */
    for (int i = 0; i < pool->size; i++) {
        struct db_conn *c = &pool->conns[i];
        if (c->state == CONN_BUSY || c->state == CONN_ROLLING_BACK || c->state == CONN_CLOSED)
            continue;
        conn_set_state(c, CONN_CLOSED);
        conn_unwatch(c);
        if (c->pg) {
            PQfinish(c->pg);
            c->pg = NULL;
        }
        if (c->timer_open) {
            c->timer_open = 0;
            uv_close((uv_handle_t *)&c->timer, timer_closed);
        }
    }
}

void db_pool_close(struct db_pool *pool, void (*done)(void *arg), void *arg)
{
    pool->closing = 1;
    pool->close_done = done;
    pool->close_arg = arg;
    pool->idle = NULL;
    pool_fail_queue(pool, IMS_ECLOSED);
    pool_maybe_done(pool);
}
