#include "tenant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_pool.h"
#include "container.h"
#include "ims/error.h"
#include "log.h"
#include "snapshot.h"

#define BUCKETS 1024
#define MAX_CONFLICT_RETRIES 8

enum phase { PHASE_EMPTY, PHASE_LOADING, PHASE_READY };

struct read_waiter {
    tenant_read_cb cb;
    void *arg;
    struct read_waiter *next;
};

struct tenant_watch {
    char tenant[37]; /* "" for every tenant */
    tenant_watch_cb cb;
    void *arg;
    struct tenant_watch *next;
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
    struct tenant_level level;
    struct tenant_write *queue_head, *queue_tail;
    int queued;
    struct read_waiter *readers;
    /* the flush in flight */
    int flushing;
    struct tenant_write *batch;
    engine_model *copy;
    engine_eval *copy_eval;
    engine_summary copy_summary;
    int64_t copy_at;
    int commit_index;
    int conflicts;
    int solo;  /* flush one write at a time to isolate a failing one */
    int stale; /* another daemon wrote: reload once idle */
    uv_timer_t due_timer;
    int64_t due_at;
    struct tenant_write time_write;
    int time_write_queued;
    struct tenant_state *next;
};

struct tenant_registry {
    struct tenant_registry_config config;
    struct tenant_state *buckets[BUCKETS];
    struct tenant_watch *watches;
    int open_timers;
    int closing;
    void (*close_done)(void *);
    void *close_arg;
};

static void state_load(struct tenant_state *st);
static void state_flush(struct tenant_state *st);

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static unsigned hash_id(const char *id)
{
    unsigned h = 2166136261u;
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 16777619u;
    return h % BUCKETS;
}

int tenant_registry_new(const struct tenant_registry_config *config, struct tenant_registry **out)
{
    struct tenant_registry *reg = calloc(1, sizeof *reg);
    if (!reg)
        return IMS_ENOMEM;
    reg->config = *config;
    if (reg->config.max_batch < 1)
        reg->config.max_batch = 256;
    if (reg->config.max_queued < 1)
        reg->config.max_queued = 4096;
    if (reg->config.decay_period_s < 1)
        reg->config.decay_period_s = 3600;
    *out = reg;
    return 0;
}

static void level_from_summary(struct tenant_state *st, const engine_summary *s, int64_t revision,
                               const char *cause, struct tenant_level *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->tenant, sizeof out->tenant, "%s", st->id);
    out->revision = revision;
    out->at = s->at;
    out->security_level = s->security_level;
    out->maturity = s->maturity;
    out->summary = *s;
    out->cause = cause;
}

static void notify_watchers(struct tenant_registry *reg, const struct tenant_level *level)
{
    struct tenant_watch *w = reg->watches;
    while (w) {
        /* A callback may unwatch itself: take the next first. */
        struct tenant_watch *next = w->next;
        if (!w->tenant[0] || strcmp(w->tenant, level->tenant) == 0)
            w->cb(level, w->arg);
        w = next;
    }
}

/* Tells the tenant's watchers about a revision once: a daemon's own NOTIFY may arrive on the
 * listener connection before the COMMIT result reaches the flush, and either path may be
 * first. */
static void forward_level(struct tenant_state *st, const struct tenant_level *level)
{
    if (level->revision <= st->revision_seen)
        return;
    st->revision_seen = level->revision;
    notify_watchers(st->reg, level);
}

/* --- time-driven changes --- */

static void time_write_done(int err, const char *msg, struct db_txn *txn, int first,
                            const struct tenant_level *level, void *arg)
{
    struct tenant_state *st = arg;
    (void)txn;
    (void)first;
    (void)level;
    st->time_write_queued = 0;
    if (err)
        log_warning("time-driven update failed", "tenant=%s error=\"%s\"", st->id, msg ? msg : "");
}

static void enqueue(struct tenant_state *st, struct tenant_write *w)
{
    st->queued++;
    w->next = NULL;
    if (st->queue_tail)
        st->queue_tail->next = w;
    else
        st->queue_head = w;
    st->queue_tail = w;
}

static void on_due(uv_timer_t *timer)
{
    struct tenant_state *st = container_of(timer, struct tenant_state, due_timer);
    st->due_at = 0;
    if (st->phase != PHASE_READY || st->time_write_queued)
        return;
    memset(&st->time_write, 0, sizeof st->time_write);
    st->time_write.done = time_write_done;
    st->time_write.arg = st;
    st->time_write.cause = "time";
    st->time_write_queued = 1;
    enqueue(st, &st->time_write);
    state_flush(st);
}

static void arm_due_timer(struct tenant_state *st)
{
    if (st->reg->closing || !st->model)
        return;
    int64_t now = now_s();
    int64_t due = engine_next_due(st->eval, now, st->reg->config.decay_period_s,
                                  st->reg->config.decay_epsilon);
    uv_timer_stop(&st->due_timer);
    st->due_at = 0;
    if (due == INT64_MAX)
        return;
    int64_t wait_s = due > now ? due - now : 0;
    if (wait_s > 7 * 86400)
        wait_s = 7 * 86400; /* re-check weekly; the clock may have been changed */
    st->due_at = due;
    uv_timer_start(&st->due_timer, on_due, (uint64_t)wait_s * 1000 + 10, 0);
}

/* --- states --- */

static struct tenant_state *state_find(struct tenant_registry *reg, const char *id)
{
    for (struct tenant_state *st = reg->buckets[hash_id(id)]; st; st = st->next)
        if (strcmp(st->id, id) == 0)
            return st;
    return NULL;
}

static struct tenant_state *state_get(struct tenant_registry *reg, const char *id)
{
    struct tenant_state *st = state_find(reg, id);
    if (st)
        return st;
    if (strlen(id) != 36 || !(st = calloc(1, sizeof *st)))
        return NULL;
    st->reg = reg;
    snprintf(st->id, sizeof st->id, "%s", id);
    uv_timer_init(reg->config.loop, &st->due_timer);
    reg->open_timers++;
    unsigned b = hash_id(id);
    st->next = reg->buckets[b];
    reg->buckets[b] = st;
    return st;
}

static void fail_queue(struct tenant_state *st, int err, const char *msg)
{
    struct tenant_write *w = st->queue_head;
    st->queue_head = st->queue_tail = NULL;
    st->queued = 0;
    while (w) {
        struct tenant_write *next = w->next;
        w->done(err, msg, NULL, -1, NULL, w->arg);
        w = next;
    }
}

static void run_readers(struct tenant_state *st, int err, const char *msg)
{
    struct read_waiter *r = st->readers;
    st->readers = NULL;
    while (r) {
        struct read_waiter *next = r->next;
        if (err == 0) {
            r->cb(0, NULL, st, r->arg);
        } else {
            r->cb(err, msg, NULL, r->arg);
        }
        free(r);
        r = next;
    }
}

static void load_done(struct db_txn *txn, int err, void *arg)
{
    struct tenant_state *st = arg;
    char msg[300] = "";
    int rc = err;
    engine_model *model = NULL;
    engine_eval *eval = NULL;
    engine_summary s;
    int64_t revision = 0;
    if (err == 0) {
        PGresult *r = db_txn_result(txn, 0);
        if (!r || PQntuples(r) != 1) {
            rc = IMS_ENOTFOUND;
            snprintf(msg, sizeof msg, "tenant: not found");
        } else {
            const char *doc = PQgetvalue(r, 0, 0);
            bool has_at;
            int64_t at;
            engine_error e = {{0}};
            rc = engine_snapshot_parse(doc, strlen(doc), &model, &has_at, &at, &e);
            if (rc != 0) {
                log_error("tenant state does not load", "tenant=%s error=\"%s\"", st->id, e.msg);
                snprintf(msg, sizeof msg, "tenant state does not load: %s", e.msg);
                rc = IMS_EINTERNAL;
            }
            revision = atoll(PQgetvalue(r, 0, 1));
            if (rc == 0 && (engine_eval_new(&eval) || engine_evaluate(model, now_s(), eval, &s))) {
                snprintf(msg, sizeof msg, "out of memory");
                rc = IMS_ENOMEM;
            }
        }
    } else {
        snprintf(msg, sizeof msg, "%s",
                 err == IMS_EUNAVAILABLE ? "database unavailable; retry later" : db_txn_error(txn));
    }
    db_txn_free(txn);
    if (rc != 0) {
        engine_eval_free(eval);
        engine_model_free(model);
        st->phase = PHASE_EMPTY;
        run_readers(st, rc, msg);
        fail_queue(st, rc, msg);
        return;
    }
    int64_t old_revision = st->revision;
    int had_model = st->model != NULL;
    engine_eval_free(st->eval);
    engine_model_free(st->model);
    st->model = model;
    st->eval = eval;
    st->revision = revision;
    st->phase = PHASE_READY;
    level_from_summary(st, &s, revision, had_model ? "remote" : "load", &st->level);
    log_debug("tenant loaded", "tenant=%s revision=%lld level=%.6f", st->id, (long long)revision,
              s.security_level);
    if (had_model && revision != old_revision)
        forward_level(st, &st->level);
    else if (revision > st->revision_seen)
        st->revision_seen = revision;
    arm_due_timer(st);
    run_readers(st, 0, NULL);
    state_flush(st);
}

static void state_load(struct tenant_state *st)
{
    if (st->phase == PHASE_LOADING)
        return;
    st->phase = PHASE_LOADING;
    st->stale = 0;
    struct db_txn *txn = db_txn_new(st->reg->config.pool, st->id, 0);
    const char *params[1] = {st->id};
    if (!txn || db_txn_add(txn, st->reg->config.statement_load, 1, params) < 0) {
        db_txn_free(txn);
        st->phase = PHASE_EMPTY;
        run_readers(st, IMS_ENOMEM, "out of memory");
        fail_queue(st, IMS_ENOMEM, "out of memory");
        return;
    }
    db_txn_exec(txn, load_done, st);
}

/* --- flushes --- */

/* Frees the copy a flush built (model and evaluated state). */
static void drop_copy(struct tenant_state *st)
{
    engine_eval_free(st->copy_eval);
    engine_model_free(st->copy);
    st->copy_eval = NULL;
    st->copy = NULL;
}

/* The copy becomes the current pair. */
static void replace_current(struct tenant_state *st)
{
    engine_eval_free(st->eval);
    engine_model_free(st->model);
    st->model = st->copy;
    st->eval = st->copy_eval;
    st->copy = NULL;
    st->copy_eval = NULL;
}

static void requeue_batch_front(struct tenant_state *st)
{
    struct tenant_write *last = st->batch;
    if (!last)
        return;
    st->queued++;
    while (last->next) {
        last = last->next;
        st->queued++;
    }
    last->next = st->queue_head;
    if (!st->queue_head)
        st->queue_tail = last;
    st->queue_head = st->batch;
    st->batch = NULL;
}

/* Answers every write of the batch with the error and drops the batch. */
static void fail_batch(struct tenant_state *st, int err, const char *msg, struct db_txn *txn)
{
    struct tenant_write *w = st->batch;
    st->batch = NULL;
    while (w) {
        struct tenant_write *next = w->next;
        w->done(err, msg, txn, w->first_statement, NULL, w->arg);
        w = next;
    }
}

static const char *batch_cause(const struct tenant_write *batch)
{
    const char *cause = batch ? batch->cause : "change";
    for (const struct tenant_write *w = batch; w; w = w->next)
        if (!w->cause || !cause || strcmp(w->cause, cause) != 0)
            return "changes";
    return cause ? cause : "change";
}

static void flush_done(struct db_txn *txn, int err, void *arg)
{
    struct tenant_state *st = arg;
    st->flushing = 0;
    if (err == 0) {
        PGresult *r = db_txn_result(txn, st->commit_index);
        int64_t revision = atoll(PQgetvalue(r, 0, 0));
        replace_current(st);
        st->revision = revision;
        st->conflicts = 0;
        if (st->solo > 0)
            st->solo--;
        struct tenant_write *batch = st->batch;
        st->batch = NULL;
        level_from_summary(st, &st->copy_summary, revision, batch_cause(batch), &st->level);
        int reload = 0;
        while (batch) {
            struct tenant_write *next = batch->next;
            reload |= batch->reload;
            batch->done(0, NULL, txn, batch->first_statement, &st->level, batch->arg);
            batch = next;
        }
        db_txn_free(txn);
        forward_level(st, &st->level);
        if (reload || st->stale) {
            state_load(st);
            return;
        }
        arm_due_timer(st);
        state_flush(st);
        return;
    }
    drop_copy(st);
    const char *sqlstate = txn ? db_txn_sqlstate(txn) : "";
    if (strcmp(sqlstate, "40001") == 0 && st->conflicts < MAX_CONFLICT_RETRIES) {
        /* Another daemon wrote first: read the tenant again and apply the same writes. */
        st->conflicts++;
        db_txn_free(txn);
        requeue_batch_front(st);
        state_load(st);
        return;
    }
    int count = 0;
    for (struct tenant_write *w = st->batch; w; w = w->next)
        count++;
    if (count > 1 && err == IMS_EINTERNAL) {
        /* One write of the batch was refused: flush them one by one to find it. */
        db_txn_free(txn);
        st->solo = count;
        requeue_batch_front(st);
        state_flush(st);
        return;
    }
    if (st->solo > 0)
        st->solo--; /* the failing write of a split batch is answered now */
    char msg[300];
    snprintf(msg, sizeof msg, "%s",
             err == IMS_EUNAVAILABLE ? "database unavailable; retry later"
             : txn                   ? db_txn_error(txn)
                                     : "failed");
    fail_batch(st, err, msg, txn);
    db_txn_free(txn);
    if (err == IMS_EUNAVAILABLE) {
        /* A COMMIT may or may not have happened: trust nothing cached. */
        st->phase = PHASE_EMPTY;
        fail_queue(st, err, msg);
        return;
    }
    st->conflicts = 0;
    state_flush(st);
}

/* Applies the batch to a fresh copy, leaving out (and answering) writes that fail. */
static int apply_batch(struct tenant_state *st)
{
    for (;;) {
        engine_model *copy = NULL;
        if (engine_model_clone(st->model, &copy) != 0)
            return IMS_ENOMEM;
        struct tenant_write **pp = &st->batch;
        int restart = 0;
        while (*pp) {
            struct tenant_write *w = *pp;
            engine_error e = {{0}};
            int rc = w->apply ? w->apply(copy, w->arg, &e) : 0;
            if (rc == 0) {
                pp = &w->next;
                continue;
            }
            /* The copy may hold part of the failed change: drop the write, start again. */
            *pp = w->next;
            w->done(rc, e.msg[0] ? e.msg : ims_strerror(rc), NULL, -1, NULL, w->arg);
            restart = 1;
            break;
        }
        if (!restart) {
            st->copy = copy;
            return engine_eval_clone(st->eval, &st->copy_eval);
        }
        engine_model_free(copy);
    }
}

static void state_flush(struct tenant_state *st)
{
    struct tenant_registry *reg = st->reg;
    if (st->flushing || !st->queue_head)
        return;
    if (st->phase != PHASE_READY) {
        state_load(st);
        return;
    }
    /* Take the batch. */
    int limit = st->solo > 0 ? 1 : reg->config.max_batch;
    struct tenant_write *w = st->queue_head, *tail = NULL;
    int n = 0;
    while (w && n < limit && !(w->alone && n > 0)) {
        tail = w;
        n++;
        if (w->alone)
            break;
        w = w->next;
    }
    st->queued -= n;
    st->batch = st->queue_head;
    st->queue_head = tail->next;
    if (!st->queue_head)
        st->queue_tail = NULL;
    tail->next = NULL;

    if (apply_batch(st) != 0) {
        drop_copy(st);
        fail_batch(st, IMS_ENOMEM, "out of memory", NULL);
        state_flush(st);
        return;
    }
    if (!st->batch) {
        drop_copy(st);
        state_flush(st);
        return;
    }
    /* The copy's state, brought up to date incrementally from a clone of the current one. */
    st->copy_at = now_s();
    if (engine_evaluate(st->copy, st->copy_at, st->copy_eval, &st->copy_summary) != 0) {
        drop_copy(st);
        fail_batch(st, IMS_ENOMEM, "out of memory", NULL);
        state_flush(st);
        return;
    }

    /* A time-driven check that changed nothing writes nothing. */
    if (st->batch == &st->time_write && !st->batch->next &&
        st->copy_summary.security_level == st->level.security_level &&
        st->copy_summary.maturity == st->level.maturity) {
        replace_current(st);
        level_from_summary(st, &st->copy_summary, st->revision, st->level.cause, &st->level);
        st->batch = NULL;
        st->time_write_queued = 0;
        arm_due_timer(st);
        state_flush(st);
        return;
    }

    struct tenant_level next;
    level_from_summary(st, &st->copy_summary, st->revision + 1, batch_cause(st->batch), &next);
    struct db_txn *txn = db_txn_new(reg->config.pool, st->id, 0);
    int ok = txn != NULL;
    for (struct tenant_write *b = st->batch; ok && b; b = b->next) {
        b->first_statement = db_txn_count(txn);
        if (b->add_statements)
            ok = b->add_statements(txn, &next, b->arg) == 0;
    }
    char expected[32], level[40], maturity[8];
    snprintf(expected, sizeof expected, "%lld", (long long)st->revision);
    snprintf(level, sizeof level, "%.17g", st->copy_summary.security_level);
    snprintf(maturity, sizeof maturity, "%d", st->copy_summary.maturity);
    const char *params[5] = {st->id, expected, level, maturity, batch_cause(st->batch)};
    ok = ok && (st->commit_index = db_txn_add(txn, reg->config.statement_commit, 5, params)) >= 0;
    if (!ok) {
        db_txn_free(txn);
        drop_copy(st);
        fail_batch(st, IMS_ENOMEM, "out of memory", NULL);
        return;
    }
    st->flushing = 1;
    db_txn_exec(txn, flush_done, st);
}

void tenant_write_submit(struct tenant_registry *reg, const char *tenant,
                         struct tenant_write *write)
{
    struct tenant_state *st = state_get(reg, tenant);
    if (!st) {
        write->done(IMS_ENOMEM, "out of memory", NULL, -1, NULL, write->arg);
        return;
    }
    if (st->queued >= reg->config.max_queued) {
        write->done(IMS_ETOOBIG, "write queue of the tenant full", NULL, -1, NULL, write->arg);
        return;
    }
    enqueue(st, write);
    state_flush(st);
}

void tenant_read(struct tenant_registry *reg, const char *tenant, tenant_read_cb cb, void *arg)
{
    struct tenant_state *st = state_get(reg, tenant);
    if (!st) {
        cb(IMS_ENOMEM, "out of memory", NULL, arg);
        return;
    }
    if (st->phase == PHASE_READY && !st->stale) {
        cb(0, NULL, st, arg); /* the current state as it is: a read never evaluates */
        return;
    }
    struct read_waiter *r = calloc(1, sizeof *r);
    if (!r) {
        cb(IMS_ENOMEM, "out of memory", NULL, arg);
        return;
    }
    r->cb = cb;
    r->arg = arg;
    r->next = st->readers;
    st->readers = r;
    if (!st->flushing)
        state_load(st);
}

const engine_model *tenant_state_model(const struct tenant_state *state)
{
    return state->model;
}

const engine_eval *tenant_state_eval(const struct tenant_state *state)
{
    return state->eval;
}

const struct tenant_level *tenant_state_level(const struct tenant_state *state)
{
    return &state->level;
}

void tenant_invalidate(struct tenant_registry *reg, const char *tenant, int64_t revision)
{
    struct tenant_state *st = state_find(reg, tenant);
    if (!st || st->phase == PHASE_EMPTY)
        return;
    if (revision > 0 && revision <= st->revision)
        return; /* our own commit, or older */
    if (st->flushing || st->phase == PHASE_LOADING) {
        st->stale = 1;
        return;
    }
    state_load(st);
}

void tenant_invalidate_all(struct tenant_registry *reg)
{
    for (int b = 0; b < BUCKETS; b++)
        for (struct tenant_state *st = reg->buckets[b]; st; st = st->next)
            tenant_invalidate(reg, st->id, 0);
}

void tenant_notification(struct tenant_registry *reg, const char *payload)
{
    if (!payload) {
        tenant_invalidate_all(reg);
        return;
    }
    /* "tenant:revision:level:maturity:epoch:cause" */
    char id[37], cause[32] = "remote";
    long long revision = 0, at = 0;
    int maturity = 0;
    double level = 0;
    if (sscanf(payload, "%36[0-9a-f-]:%lld:%lf:%d:%lld:%31s", id, &revision, &level, &maturity, &at,
               cause) < 5 ||
        revision <= 0)
        return;
    struct tenant_state *st = state_find(reg, id);
    if (st && (revision <= st->revision || revision <= st->revision_seen))
        return; /* our own commit, or one we have */
    struct tenant_level lv;
    memset(&lv, 0, sizeof lv);
    snprintf(lv.tenant, sizeof lv.tenant, "%s", id);
    lv.revision = revision;
    lv.at = at;
    lv.security_level = level;
    lv.maturity = maturity;
    lv.summary.security_level = level;
    lv.summary.maturity = maturity;
    lv.summary.at = at;
    lv.cause = cause;
    if (!st) {
        notify_watchers(reg, &lv); /* watchers of every tenant */
        return;
    }
    forward_level(st, &lv);
    /* Ours, committed but not yet seen by the flush: the flush will know. */
    if (!st->flushing)
        tenant_invalidate(reg, id, revision);
}

/* --- watchers --- */

struct tenant_watch *tenant_watch(struct tenant_registry *reg, const char *tenant,
                                  tenant_watch_cb cb, void *arg)
{
    struct tenant_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    snprintf(w->tenant, sizeof w->tenant, "%s", tenant ? tenant : "");
    w->cb = cb;
    w->arg = arg;
    w->next = reg->watches;
    reg->watches = w;
    return w;
}

void tenant_unwatch(struct tenant_registry *reg, struct tenant_watch *watch)
{
    for (struct tenant_watch **pp = &reg->watches; *pp; pp = &(*pp)->next) {
        if (*pp == watch) {
            *pp = watch->next;
            free(watch);
            return;
        }
    }
}

/* --- closing --- */

static void timer_closed(uv_handle_t *h)
{
    struct tenant_state *st = container_of((uv_timer_t *)h, struct tenant_state, due_timer);
    struct tenant_registry *reg = st->reg;
    engine_eval_free(st->eval);
    engine_model_free(st->model);
    drop_copy(st);
    free(st);
    if (--reg->open_timers == 0) {
        void (*done)(void *) = reg->close_done;
        void *arg = reg->close_arg;
        while (reg->watches)
            tenant_unwatch(reg, reg->watches);
        free(reg);
        if (done)
            done(arg);
    }
}

void tenant_registry_close(struct tenant_registry *reg, void (*done)(void *arg), void *arg)
{
    reg->closing = 1;
    reg->close_done = done;
    reg->close_arg = arg;
    int any = 0;
    for (int b = 0; b < BUCKETS; b++) {
        struct tenant_state *st = reg->buckets[b];
        while (st) {
            struct tenant_state *next = st->next;
            run_readers(st, IMS_ECLOSED, "server shutting down");
            fail_queue(st, IMS_ECLOSED, "server shutting down");
            uv_close((uv_handle_t *)&st->due_timer, timer_closed);
            any = 1;
            st = next;
        }
        reg->buckets[b] = NULL;
    }
    if (!any) {
        free(reg);
        if (done)
            done(arg);
    }
}
