/*
 * Per-tenant state: the cached engine model and its evaluated state, their revision and
 * level, the writes waiting for the tenant, and who watches it.
 *
 * A tenant's model is loaded from PostgreSQL on first use (one statement renders the
 * tenant as a snapshot document, parsed by the engine on libuv's thread pool so that a
 * long history does not hold the event loop; load.c), evaluated once, and kept. The
 * model and its evaluated state form the tenant's current pair for one revision: every
 * read is served from it as it is and never evaluates. Every change goes through
 * tenant_write_submit():
 *
 *   1. the writes queued for the tenant are taken together (a flush: samples from many
 *      connections become one transaction, and the tenant is recomputed once);
 *   2. each write's apply() changes a copy of the model; a write whose apply fails is
 *      answered with its error and left out;
 *   3. the copy is evaluated into a copy of the current evaluated state (incrementally:
 *      only what the writes changed), and one pipelined transaction carries every write's
 *      statements, the revision bump (checked against the revision the copy was made
 *      from), the level history row and the NOTIFY for other daemons;
 *   4. only after COMMIT does the new pair replace the current one, each write's done()
 *      run with the new level, and the watchers get it. If another daemon wrote first (the
 *      revision check fails), the model is reloaded and the flush applied again.
 *
 * Time-driven changes (incident decay, stale metrics) are evaluated when the engine says
 * they are due, as a write of their own that builds the next pair, and recorded and pushed
 * like any other change when the level moved.
 *
 * Files: registry.c (states, loading, reads, invalidation, closing), flush.c (the write
 * path), write_queue.c (batches), watchers.c (delivery); state.h is their shared layout.
 */
#ifndef IMS_TENANT_H
#define IMS_TENANT_H

#include <stdint.h>
#include <uv.h>

#include "engine.h"

struct db_pool;
struct db_txn;
struct tenant_registry;
struct tenant_state;

/* What a change did to the tenant, given to done() and to watchers. */
struct tenant_level {
    char tenant[37];
    /* Unique to this level in the process: a new one at every load, flush and time-driven
     * evaluation. Two levels with the same generation are the same level of the same
     * evaluated state, so an answer made from one serves the other (rpc/level_cache.c). */
    uint64_t generation;
    int64_t revision;
    int64_t at;
    double security_level;
    int maturity;
    engine_summary summary;
    const char *cause;
};

struct tenant_write {
    /* Applies the change to the model copy. Returns 0, or an IMS_E* code with a message in
     * err naming the field ("controls: unknown control A.9.9"): the write then fails with
     * INVALID_ARGUMENT (IMS_ENOTFOUND: NOT_FOUND) and nothing of it is stored. May be NULL
     * for a change that only needs reloading (see reload). */
    int (*apply)(engine_model *model, void *arg, engine_error *err);
    /* Adds the write's statements to the flush transaction (ims.tenant_id is set); next is
     * the level the transaction will commit (its revision included), for responses stored
     * with the change. Returns 0 or IMS_ENOMEM. May be NULL. */
    int (*add_statements)(struct db_txn *txn, const struct tenant_level *next, void *arg);
    /* Called once: err 0 after COMMIT with the new level and the index of the first
     * statement it added (results are readable through txn during the call); or a
     * negative IMS_E* code with msg (and txn, when the database refused it, else NULL). */
    void (*done)(int err, const char *msg, struct db_txn *txn, int first_statement,
                 const struct tenant_level *level, void *arg);
    void *arg;
    /* Optional, for changes whose statements compute part of the change (computed metric
     * samples): after the batch's statements ran, in the same open transaction, applies
     * their results (from first_statement on) to the model copy before it is evaluated;
     * 0 or an IMS_E* code with err (the write then fails as for apply, nothing stored).
     * settled (optional) then adds statements that need the level the transaction will
     * commit (next), such as a stored answer. */
    int (*settle)(engine_model *model, struct db_txn *txn, int first_statement, void *arg,
                  engine_error *err);
    int (*settled)(struct db_txn *txn, const struct tenant_level *next, void *arg);
    const char *cause; /* "incident", "finding", "sample", "answer", ... */
    int reload;        /* 1: after commit, reload the model from the database instead of
                        * keeping the applied copy (changes the engine cannot apply alone) */
    int alone;         /* 1: never batched with other writes */

    /* Owned by the registry. */
    struct tenant_write *next;
    int first_statement;
};

struct tenant_registry_config {
    uv_loop_t *loop;
    struct db_pool *pool;
    int64_t decay_period_s; /* re-evaluation period while a penalty decays */
    double decay_epsilon;
    int max_batch;  /* writes in one flush */
    int max_queued; /* writes waiting for one tenant beyond which new ones are
                     * refused with IMS_ETOOBIG (back-pressure; nothing accepted is
                     * ever dropped) */
    /* Prepared statements of the pool the registry uses (ids in the pool's table):
     * load: $1 tenant -> snapshot json text, revision;
     * commit: $1 tenant, $2 expected revision, $3 level, $4 maturity, $5 cause -> revision. */
    int statement_load;
    int statement_commit;
    /* The memory the cached tenant states (models and evaluated states) may hold; beyond
     * it the least recently used idle states are evicted and loaded again on their next
     * use (see cache.c). 0: no limit. */
    size_t cache_bytes;
};

int tenant_registry_new(const struct tenant_registry_config *config, struct tenant_registry **out)
    __attribute__((warn_unused_result));
/* Stops the timers and frees every state; watchers must have been ended before. */
void tenant_registry_close(struct tenant_registry *reg, void (*done)(void *arg), void *arg);

/* Queues a write for the tenant (UUID text). The write struct must stay valid until its
 * done() has been called. When max_queued writes already wait for the tenant, done() is
 * called at once with IMS_ETOOBIG and nothing is queued. */
void tenant_write_submit(struct tenant_registry *reg, const char *tenant,
                         struct tenant_write *write);

/* The tenant's current state, loading it first if needed. cb gets err 0 and the state
 * (valid during the callback only), or IMS_EUNAVAILABLE / IMS_ENOTFOUND / IMS_EINTERNAL
 * with a message. A read never evaluates: it gets the model and the evaluated state of the
 * latest write or time-driven update (tenant_state_level()->at is their time). */
typedef void (*tenant_read_cb)(int err, const char *msg, struct tenant_state *state, void *arg);
void tenant_read(struct tenant_registry *reg, const char *tenant, tenant_read_cb cb, void *arg);

/* Accessors for a state handed to a tenant_read_cb: the current model and its evaluated
 * state, shared by every read, read-only. */
const engine_model *tenant_state_model(const struct tenant_state *state);
const engine_eval *tenant_state_eval(const struct tenant_state *state);
const struct tenant_level *tenant_state_level(const struct tenant_state *state);

/* Forgets a tenant's cached model (another daemon changed it); the next use reloads. */
void tenant_invalidate(struct tenant_registry *reg, const char *tenant, int64_t revision);

/* Forgets every cached model (notifications may have been missed). */
void tenant_invalidate_all(struct tenant_registry *reg);

/* Handles a change notification "tenant-uuid:revision" from another daemon. */
void tenant_notification(struct tenant_registry *reg, const char *payload);

/* --- what the registry holds and does, for /metrics --- */

#define TENANT_FLUSH_SIZE_BUCKETS 9     /* writes per flush: 1, 2, 4 ... 256 */
#define TENANT_FLUSH_TIME_BUCKETS 12    /* seconds: 0.0005 ... 2.5 */

struct tenant_stats {
    uint64_t tenants_loaded; /* states holding a model */
    uint64_t watchers;
    uint64_t queued_writes;  /* over every tenant */
    uint64_t max_queued;     /* the longest queue of one tenant */
    uint64_t flushes;        /* committed */
    uint64_t flushes_failed;
    uint64_t flushed_writes;
    uint64_t queue_refusals; /* writes refused on a full tenant queue (back-pressure) */
    uint64_t evictions;      /* states evicted under the cache budget */
    uint64_t cached_bytes;   /* what the cached states hold (estimate) */
    /* Histograms, per bucket (not cumulative); the last slot is +Inf. */
    uint64_t flush_size[TENANT_FLUSH_SIZE_BUCKETS + 1];
    uint64_t flush_time[TENANT_FLUSH_TIME_BUCKETS + 1];
    double flush_time_sum; /* seconds */
};

extern const double tenant_flush_size_bounds[TENANT_FLUSH_SIZE_BUCKETS];
extern const double tenant_flush_time_bounds[TENANT_FLUSH_TIME_BUCKETS];

void tenant_registry_stats(const struct tenant_registry *reg, struct tenant_stats *out);

/* Calls fn for every tenant whose level is loaded, in no particular order. */
void tenant_registry_foreach_level(const struct tenant_registry *reg,
                                   void (*fn)(const struct tenant_level *level, void *arg),
                                   void *arg);

/* --- watchers --- */

typedef void (*tenant_watch_cb)(const struct tenant_level *level, void *arg);
struct tenant_watch;

/* Watches one tenant, or every tenant when tenant is NULL. cb runs after every change.
 * Returns a handle for tenant_unwatch, or NULL on ENOMEM. */
struct tenant_watch *tenant_watch(struct tenant_registry *reg, const char *tenant,
                                  tenant_watch_cb cb, void *arg);
void tenant_unwatch(struct tenant_registry *reg, struct tenant_watch *watch);

#endif
