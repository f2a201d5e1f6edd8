/*
 * The write path of a tenant: taking a batch from the write queue, applying it to a copy
 * of the model, evaluating the copy into a clone of the current evaluated state, one
 * pipelined transaction with the revision check, and after COMMIT the copy replacing the
 * current pair; retries on conflict, a split to isolate a refused write, the
 * time-driven updates the engine schedules, and (last section) the two-round transaction
 * of batches whose statements compute part of the change.
 */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "db_pool.h"
#include "ims/error.h"
#include "log.h"

#define MAX_CONFLICT_RETRIES 8

static int batch_settles(const struct tenant_write *batch);
static void settle_round(struct tenant_state *st, struct db_txn *txn);

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

static void on_due(uv_timer_t *timer)
{
    struct tenant_state *st = container_of(timer, struct tenant_state, due_timer);
    st->due_at = 0;
    /* An evicted tenant is loaded for its time-driven update (the flush loads it). */
    if ((st->phase != PHASE_READY && !st->evicted) || st->time_write_queued)
        return;
    memset(&st->time_write, 0, sizeof st->time_write);
    st->time_write.done = time_write_done;
    st->time_write.arg = st;
    st->time_write.cause = "time";
    st->time_write_queued = 1;
    tenant_queue_append(&st->queue, &st->time_write);
    tenant_state_flush(st);
}

void tenant_state_arm_due_timer(struct tenant_state *st)
{
    if (st->reg->closing || !st->model)
        return;
    int64_t now = tenant_now();
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

/* Frees the copy a flush built (model and evaluated state). */
static void drop_copy(struct tenant_state *st)
{
    engine_eval_free(st->copy_eval);
    engine_model_free(st->copy);
    st->copy_eval = NULL;
    st->copy = NULL;
}

/* The copy becomes the current pair; the old one is handed back in *old_model and
 * *old_eval, for the caller to free once the answers are out. */
static void swap_current(struct tenant_state *st, engine_model **old_model, engine_eval **old_eval)
{
    *old_model = st->model;
    *old_eval = st->eval;
    st->model = st->copy;
    st->eval = st->copy_eval;
    st->copy = NULL;
    st->copy_eval = NULL;
}

/* The copy becomes the current pair. */
static void replace_current(struct tenant_state *st)
{
    engine_model *old_model;
    engine_eval *old_eval;
    swap_current(st, &old_model, &old_eval);
    engine_eval_free(old_eval);
    engine_model_free(old_model);
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

/* After a flush that committed nothing. A state another daemon moved past meanwhile (a
 * notification named a revision we do not hold) or one marked stale is read again, which
 * also answers the reads waiting for it and flushes the queue after; otherwise the queue
 * goes on. */
static void after_failed_flush(struct tenant_state *st)
{
    if (st->revision_notified > st->revision)
        st->stale = 1;
    st->revision_notified = 0;
    if (st->stale || st->readers) {
        tenant_state_load(st);
        return;
    }
    tenant_state_flush(st);
}

static void flush_done(struct db_txn *txn, int err, void *arg)
{
    struct tenant_state *st = arg;
    st->flushing = 0;
    int writes = 0;
    for (struct tenant_write *w = st->batch; w; w = w->next)
        writes++;
    tenant_stats_flush(st->reg, err == 0, writes, uv_hrtime() - st->flush_started_ns);
    if (err == 0) {
        PGresult *r = db_txn_result(txn, st->commit_index);
        int64_t revision = atoll(PQgetvalue(r, 0, 0));
        engine_model *old_model;
        engine_eval *old_eval;
        swap_current(st, &old_model, &old_eval);
        st->revision = revision;
        st->conflicts = 0;
        if (st->solo > 0)
            st->solo--;
        struct tenant_write *batch = st->batch;
        st->batch = NULL;
        tenant_level_from_summary(st, &st->copy_summary, revision, tenant_batch_cause(batch),
                                  &st->level);
        /* Committed: watchers and writers are told first, in this loop iteration; freeing
         * the old pair and the cache's accounting (a walk of the model) come after. */
        tenant_watchers_forward(&st->reg->watchers, &st->revision_seen, &st->level);
        int reload = 0;
        while (batch) {
            struct tenant_write *next = batch->next;
            reload |= batch->reload;
            batch->done(0, NULL, txn, batch->first_statement, &st->level, batch->arg);
            batch = next;
        }
        db_txn_free(txn);
        engine_eval_free(old_eval);
        engine_model_free(old_model);
        tenant_cache_account(st);
        /* A notification that arrived while flushing named a later revision than ours:
         * another daemon committed after us, and our state does not hold its change. */
        if (st->revision_notified > revision)
            reload = 1;
        st->revision_notified = 0;
        if (reload || st->stale) {
            tenant_state_load(st);
            return;
        }
        tenant_state_arm_due_timer(st);
        tenant_state_flush(st);
        tenant_cache_trim(st->reg);
        return;
    }
    drop_copy(st);
    const char *sqlstate = txn ? db_txn_sqlstate(txn) : "";
    if (strcmp(sqlstate, "40001") == 0 && st->conflicts < MAX_CONFLICT_RETRIES) {
        /* Another daemon wrote first: read the tenant again and apply the same writes. */
        st->conflicts++;
        db_txn_free(txn);
        tenant_queue_put_back(&st->queue, st->batch);
        st->batch = NULL;
        tenant_state_load(st);
        return;
    }
    int count = 0;
    for (struct tenant_write *w = st->batch; w; w = w->next)
        count++;
    if (count > 1 && err == IMS_EINTERNAL) {
        /* One write of the batch was refused: flush them one by one to find it. */
        db_txn_free(txn);
        st->solo = count;
        tenant_queue_put_back(&st->queue, st->batch);
        st->batch = NULL;
        tenant_state_flush(st);
        return;
    }
    if (st->solo > 0)
        st->solo--; /* the failing write of a split batch is answered now */
    char msg[300];
    snprintf(msg, sizeof msg, "%s",
             err == IMS_EUNAVAILABLE ? "database unavailable; retry later"
             : txn                   ? db_txn_error(txn)
                                     : "failed");
    if (err == IMS_EUNAVAILABLE) {
        /* A COMMIT may or may not have happened: trust nothing cached. Empty before the
         * answers, so that nothing they start loads beside the load below. */
        st->phase = PHASE_EMPTY;
        st->revision_notified = 0;
        fail_batch(st, err, msg, txn);
        db_txn_free(txn);
        tenant_state_fail_queue(st, err, msg);
        if (st->readers)
            tenant_state_load(st);
        return;
    }
    fail_batch(st, err, msg, txn);
    db_txn_free(txn);
    st->conflicts = 0;
    after_failed_flush(st);
}

/* Applies the batch to a fresh copy, leaving out (and answering) writes that fail. The
 * copy may hold part of a failed change, so the writes before it are applied again to a
 * fresh copy, and those after it wait for the next flush: each write is applied at most
 * twice, however many of the batch fail. */
static int apply_batch(struct tenant_state *st)
{
    for (;;) {
        if (!st->batch)
            return 0;
        engine_model *copy = NULL;
        if (engine_model_clone(st->model, &copy) != 0)
            return IMS_ENOMEM;
        struct tenant_write **pp = &st->batch;
        int failed = 0;
        while (*pp) {
            struct tenant_write *w = *pp;
            engine_error e = {{0}};
            int rc = w->apply ? w->apply(copy, w->arg, &e) : 0;
            if (rc == 0) {
                pp = &w->next;
                continue;
            }
            *pp = w->next;
            w->done(rc, e.msg[0] ? e.msg : ims_strerror(rc), NULL, -1, NULL, w->arg);
            failed = 1;
            break;
        }
        if (!failed) {
            st->copy = copy;
            return engine_eval_clone(st->eval, &st->copy_eval);
        }
        engine_model_free(copy);
        tenant_queue_put_back(&st->queue, *pp);
        *pp = NULL;
    }
}

void tenant_state_flush(struct tenant_state *st)
{
    struct tenant_registry *reg = st->reg;
    if (st->flushing || !st->queue.head)
        return;
    if (st->phase != PHASE_READY) {
        tenant_state_load(st);
        return;
    }
    st->batch = tenant_queue_take(&st->queue, st->solo > 0 ? 1 : reg->config.max_batch);

    if (apply_batch(st) != 0) {
        drop_copy(st);
        fail_batch(st, IMS_ENOMEM, "out of memory", NULL);
        tenant_state_flush(st);
        return;
    }
    if (!st->batch) {
        drop_copy(st);
        tenant_state_flush(st);
        return;
    }
    /* The copy's state, brought up to date incrementally from a clone of the current one. */
    st->copy_at = tenant_now();
    /* Every evaluation from now on is at copy_at or later: samples it cannot use go. */
    engine_samples_prune(st->copy, st->copy_at - TENANT_PRUNE_SLACK_S);
    if (engine_evaluate(st->copy, st->copy_at, st->copy_eval, &st->copy_summary) != 0) {
        drop_copy(st);
        fail_batch(st, IMS_ENOMEM, "out of memory", NULL);
        tenant_state_flush(st);
        return;
    }

    /* A time-driven check that changed nothing writes nothing. */
    if (st->batch == &st->time_write && !st->batch->next &&
        st->copy_summary.security_level == st->level.security_level &&
        st->copy_summary.maturity == st->level.maturity) {
        replace_current(st);
        tenant_cache_account(st);
        tenant_level_from_summary(st, &st->copy_summary, st->revision, st->level.cause, &st->level);
        st->batch = NULL;
        st->time_write_queued = 0;
        tenant_state_arm_due_timer(st);
        tenant_state_flush(st);
        return;
    }

    struct tenant_level next;
    tenant_level_from_summary(st, &st->copy_summary, st->revision + 1,
                              tenant_batch_cause(st->batch), &next);
    struct db_txn *txn = db_txn_new(reg->config.pool, st->id, 0);
    int ok = txn != NULL;
    for (struct tenant_write *b = st->batch; ok && b; b = b->next) {
        b->first_statement = db_txn_count(txn);
        if (b->add_statements)
            ok = b->add_statements(txn, &next, b->arg) == 0;
    }
    if (ok && batch_settles(st->batch)) {
        if (st->batch->next) {
            /* The others' stored answers would carry the level before the computed samples:
             * each write of such a batch goes alone. */
            db_txn_free(txn);
            drop_copy(st);
            int count = 0;
            for (struct tenant_write *w = st->batch; w; w = w->next)
                count++;
            st->solo = count;
            tenant_queue_put_back(&st->queue, st->batch);
            st->batch = NULL;
            tenant_state_flush(st);
            return;
        }
        settle_round(st, txn); /* statements that compute part of the change: two rounds */
        return;
    }
    char expected[32], level[40], maturity[8];
    snprintf(expected, sizeof expected, "%lld", (long long)st->revision);
    snprintf(level, sizeof level, "%.17g", st->copy_summary.security_level);
    snprintf(maturity, sizeof maturity, "%d", st->copy_summary.maturity);
    const char *params[5] = {st->id, expected, level, maturity, tenant_batch_cause(st->batch)};
    ok = ok && (st->commit_index = db_txn_add(txn, reg->config.statement_commit, 5, params)) >= 0;
    if (!ok) {
        db_txn_free(txn);
        drop_copy(st);
        fail_batch(st, IMS_ENOMEM, "out of memory", NULL);
        tenant_state_flush(st);
        return;
    }
    st->flushing = 1;
    st->flush_started_ns = uv_hrtime();
    db_txn_exec(txn, flush_done, st);
}

void tenant_write_submit(struct tenant_registry *reg, const char *tenant,
                         struct tenant_write *write)
{
    struct tenant_state *st = tenant_state_get(reg, tenant);
    if (!st) {
        write->done(IMS_ENOMEM, "out of memory", NULL, -1, NULL, write->arg);
        return;
    }
    if (tenant_queue_full(&st->queue, reg->config.max_queued)) {
        reg->stats.queue_refusals++;
        write->done(IMS_ETOOBIG, "write queue of the tenant full", NULL, -1, NULL, write->arg);
        return;
    }
    tenant_cache_touch(st);
    tenant_queue_append(&st->queue, write);
    tenant_state_flush(st);
}

/* --- Two rounds: changes whose statements compute part of the change ---
 * A write with settle (computed metric samples written by its statements) makes the
 * batch's transaction stop before the revision: what the statements returned is applied
 * to the copy, the copy is evaluated again, and the revision, level and NOTIFY follow in
 * the same transaction with the level that includes them. */

static int batch_settles(const struct tenant_write *batch)
{
    for (const struct tenant_write *w = batch; w; w = w->next)
        if (w->settle)
            return 1;
    return 0;
}

/* Rolls back a batch whose second round cannot go on; a refused write of a batch of
 * several is isolated by flushing them one by one, as for a refused statement. */
static void settle_refused(struct tenant_state *st, struct db_txn *txn, int err, const char *msg,
                           int isolate)
{
    db_txn_abandon(txn);
    db_txn_free(txn);
    st->flushing = 0;
    drop_copy(st);
    int count = 0;
    for (struct tenant_write *w = st->batch; w; w = w->next)
        count++;
    if (isolate && count > 1) {
        st->solo = count;
        tenant_queue_put_back(&st->queue, st->batch);
        st->batch = NULL;
        tenant_state_flush(st);
        return;
    }
    if (st->solo > 0)
        st->solo--;
    fail_batch(st, err, msg, NULL);
    after_failed_flush(st);
}

static void settle_round_done(struct db_txn *txn, int err, void *arg)
{
    struct tenant_state *st = arg;
    if (err) {
        flush_done(txn, err, st); /* conflicts, refusals and failures as for one round */
        return;
    }
    for (struct tenant_write *w = st->batch; w; w = w->next) {
        engine_error e = {{0}};
        int rc = w->settle ? w->settle(st->copy, txn, w->first_statement, w->arg, &e) : 0;
        if (rc != 0) {
            settle_refused(st, txn, rc, e.msg[0] ? e.msg : ims_strerror(rc), 1);
            return;
        }
    }
    if (engine_evaluate(st->copy, st->copy_at, st->copy_eval, &st->copy_summary) != 0) {
        settle_refused(st, txn, IMS_ENOMEM, "out of memory", 0);
        return;
    }
    struct tenant_level next;
    tenant_level_from_summary(st, &st->copy_summary, st->revision + 1,
                              tenant_batch_cause(st->batch), &next);
    int ok = 1;
    for (struct tenant_write *w = st->batch; ok && w; w = w->next)
        if (w->settled)
            ok = w->settled(txn, &next, w->arg) == 0;
    char expected[32], level[40], maturity[8];
    snprintf(expected, sizeof expected, "%lld", (long long)st->revision);
    snprintf(level, sizeof level, "%.17g", st->copy_summary.security_level);
    snprintf(maturity, sizeof maturity, "%d", st->copy_summary.maturity);
    const char *params[5] = {st->id, expected, level, maturity, tenant_batch_cause(st->batch)};
    ok = ok && (st->commit_index = db_txn_add(txn, st->reg->config.statement_commit, 5, params)) >= 0;
    if (!ok) {
        settle_refused(st, txn, IMS_ENOMEM, "out of memory", 0);
        return;
    }
    db_txn_continue(txn, flush_done, st);
}

static void settle_round(struct tenant_state *st, struct db_txn *txn)
{
    db_txn_hold(txn);
    st->flushing = 1;
    st->flush_started_ns = uv_hrtime();
    db_txn_exec(txn, settle_round_done, st);
}
