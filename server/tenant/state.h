/*
 * The layout of a tenant's state and of the registry, shared by the tenant module's own
 * files (registry.c: finding, loading, reading; flush.c: writing) and by nothing else.
 *
 * A state holds the current pair, a model and its evaluated state, for one revision:
 * shared read-only by every read, replaced as a whole by a write after its COMMIT.
 */
#ifndef IMS_TENANT_STATE_H
#define IMS_TENANT_STATE_H

#include "tenant.h"
#include "watchers.h"
#include "write_queue.h"

#define TENANT_BUCKETS 1024

enum phase { PHASE_EMPTY, PHASE_LOADING, PHASE_READY };

struct read_waiter {
    tenant_read_cb cb;
    void *arg;
    struct read_waiter *next;
};

struct tenant_state {
    struct tenant_registry *reg;
    char id[37];
    enum phase phase;
    /* The current pair, shared read-only by every read and replaced by a write. */
    engine_model *model;
    engine_eval *eval;
    int64_t revision;
    int64_t revision_seen; /* the latest revision already forwarded to watchers */
    int64_t revision_notified; /* the latest revision a notification named while flushing */
    struct tenant_level level;
    struct tenant_write_queue queue;
    struct read_waiter *readers;
    /* the flush in flight: the batch and the next pair it builds */
    int flushing;
    struct tenant_write *batch;
    engine_model *copy;
    engine_eval *copy_eval;
    engine_summary copy_summary;
    int64_t copy_at;
    int commit_index;
    uint64_t flush_started_ns;
    int conflicts;
    int solo;  /* flush one write at a time to isolate a failing one */
    int stale; /* another daemon wrote: reload once idle */
    int64_t stale_revision; /* the latest revision that made it stale (INT64_MAX: unknown) */
    struct tenant_load *load; /* load.c: the document being parsed off the loop, or waiting */
    int closed; /* the registry closed the state while its load ran: load.c frees it */
    uv_timer_t due_timer;
    int64_t due_at;
    struct tenant_write time_write;
    int time_write_queued;
    struct tenant_state *next;
    /* cache.c: the place on the list of states holding a model, most recently used first,
     * and the bytes model and evaluated state hold; evicted: freed under the budget (the
     * level stays as the tenant's last known one). */
    int cached, evicted;
    size_t bytes;
    struct tenant_state *lru_prev, *lru_next;
};

struct tenant_registry {
    struct tenant_registry_config config;
    struct tenant_stats stats; /* the flush figures; the rest is counted when asked */
    struct tenant_state *buckets[TENANT_BUCKETS];
    struct tenant_watchers watchers;
    struct tenant_state *lru_head, *lru_tail; /* cache.c */
    size_t cached_bytes;
    /* load.c: documents waiting for a thread of the pool, and how many are on it */
    struct tenant_load *load_waiting, *load_waiting_tail;
    unsigned loads_running, loads_large_running;
    int open_timers; /* states not yet freed (each closes its timer first) */
    int closing;
    void (*close_done)(void *);
    void *close_arg;
};

/* The state of a tenant (UUID text), created empty on first use; NULL on ENOMEM or a
 * malformed id. */
struct tenant_state *tenant_state_get(struct tenant_registry *reg, const char *id);

/* Samples no evaluation from now on can use leave the model (engine_samples_prune) at
 * every load and flush; "now" is taken this many seconds early, so that a wall clock
 * stepped back a little still finds every sample its evaluations need (every sample
 * newer than that stays in memory, so the slack is short). */
#define TENANT_PRUNE_SLACK_S 10

/* The wall clock in seconds since the epoch: the time of the evaluations a tenant makes. */
int64_t tenant_now(void);

/* Fills out from a summary for the state's tenant. */
void tenant_level_from_summary(struct tenant_state *st, const engine_summary *s, int64_t revision,
                               const char *cause, struct tenant_level *out);

/* (Re)loads the state's model from the database (load.c): the document is parsed, pruned
 * and evaluated on libuv's thread pool when it has at least TENANT_LOAD_INLINE_BYTES, else
 * on the loop; readers and queued writes wait meanwhile (PHASE_LOADING). */
void tenant_state_load(struct tenant_state *st);
#define TENANT_LOAD_INLINE_BYTES (8 * 1024)
/* A document from this size on is large: such loads take at most all but one of the pool
 * lanes (load.c), the last one is kept for small ones (a small tenant's document is about
 * 80 KiB, parsed and evaluated in about 5 ms; a large one takes hundreds). */
#define TENANT_LOAD_LARGE_BYTES (1024 * 1024)

/* Closing (load.c): drops the loads waiting for a thread and cancels those not started;
 * a running one ends later and frees its state if the state was closed meanwhile. */
void tenant_loads_close(struct tenant_registry *reg);

/* Frees a state whose timer is closed, and the registry with its last state. */
void tenant_state_free(struct tenant_state *st);

/* The cache under the memory budget (cache.c). account: the state holds a (new) model,
 * its bytes are counted and it becomes the most recently used; touch: it was used; trim:
 * evicts idle states, least recently used first, while the states hold more than
 * config.cache_bytes (0: no limit). */
void tenant_cache_account(struct tenant_state *st);
void tenant_cache_touch(struct tenant_state *st);
void tenant_cache_trim(struct tenant_registry *reg);

/* Counts a flush that ended (committed or not) with its size and time. */
void tenant_stats_flush(struct tenant_registry *reg, int committed, int writes, uint64_t ns);

/* Answers every waiting reader: the current state (err 0) or the error. */
void tenant_state_run_readers(struct tenant_state *st, int err, const char *msg);

/* Answers every queued write with the error and empties the queue. */
void tenant_state_fail_queue(struct tenant_state *st, int err, const char *msg);

/* Starts a flush of the queued writes when none is in flight (loading first if needed). */
void tenant_state_flush(struct tenant_state *st);

/* Arms the timer of the next time-driven update the engine says is due. */
void tenant_state_arm_due_timer(struct tenant_state *st);

#endif
