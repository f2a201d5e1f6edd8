/*
 * Loading a tenant's state off the event loop: the snapshot statement runs on a pooled
 * connection; its document is parsed, pruned and evaluated on libuv's thread pool (a large
 * history takes hundreds of milliseconds, which on the loop would hold every other
 * tenant's reads, writes and watchers); the new pair is installed back on the loop.
 *
 * The statement returns the document without its samples and, beside it, the window's
 * samples as arrays grouped by metric (load_samples.c): far less to make, send and parse
 * than a JSON object per sample, and no JSON tree of them in memory.
 *
 * The work touches only its job: the transaction holding the document (freed on the loop
 * afterwards) and the model and evaluated state it builds. The state stays in
 * PHASE_LOADING meanwhile, so reads wait, writes queue and the cache never evicts it. A
 * tiny document (under TENANT_LOAD_INLINE_BYTES) is parsed on the loop at once. At most one job
 * fewer than the machine has CPUs runs at a time (at least one), so that the loop keeps a CPU of
 * its own, plus one for small documents alone (a small tenant's first read never waits for a large
 * tenant's parse); the rest wait here in order, a small one passing large ones that cannot start
 * yet. A job running when the registry closes keeps its state (and the registry) alive until it
 * returns; its result is then dropped.
 */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "db_pool.h"
#include "ims/error.h"
#include "log.h"
#include "load_samples.h"
#include "snapshot.h"

struct tenant_load {
    uv_work_t req;
    struct tenant_state *st;
    struct db_txn *txn; /* holds the document until the job is done */
    const char *doc;
    size_t doc_len;
    const char *metrics, *counts, *ats, *vals; /* the window's samples (load_samples.h) */
    size_t len;                                /* the document's and the samples' bytes */
    int64_t revision;
    /* the result */
    int rc;
    char msg[300];
    char parse_error[256];
    engine_model *model;
    engine_eval *eval;
    engine_summary summary;
    uint64_t queued_ns, work_ns; /* for the log: waiting for a thread, and the work */
    struct tenant_load *next;    /* waiting for a thread of ours */
};

static void load_free(struct tenant_load *job)
{
    engine_eval_free(job->eval);
    engine_model_free(job->model);
    db_txn_free(job->txn);
    free(job);
}

/* Parse, prune, evaluate: on a pool thread, or on the loop for a small document. No
 * logging and nothing shared: the job alone. */
static void load_work(struct tenant_load *job)
{
    uint64_t t0 = uv_hrtime();
    bool has_at;
    int64_t at;
    engine_error e = {{0}};
    if (engine_snapshot_parse(job->doc, job->doc_len, &job->model, &has_at, &at, &e) != 0 ||
        tenant_load_samples(job->model, job->metrics, job->counts, job->ats, job->vals, &e) != 0) {
        snprintf(job->parse_error, sizeof job->parse_error, "%s", e.msg);
        snprintf(job->msg, sizeof job->msg, "tenant state does not load: %s", e.msg);
        job->rc = IMS_EINTERNAL;
    } else {
        int64_t now = tenant_now();
        engine_samples_prune(job->model, now - TENANT_PRUNE_SLACK_S); /* unusable from now on */
        /* One entry per metric and second from now on (memory bounded by the windows),
         * and no spare room kept from the parse: the cache holds many tenants. */
        if (engine_samples_merge(job->model) || engine_model_compact(&job->model) ||
            engine_eval_new(&job->eval) ||
            engine_evaluate(job->model, now, job->eval, &job->summary)) {
            snprintf(job->msg, sizeof job->msg, "out of memory");
            job->rc = IMS_ENOMEM;
        }
    }
    job->work_ns = uv_hrtime() - t0;
}

/* The result on the loop: the new pair replaces the state's, or the error goes to the
 * readers and queued writes waiting for the load. */
static void load_install(struct tenant_state *st, struct tenant_load *job)
{
    if (job->parse_error[0])
        log_error("tenant state does not load", "tenant=%s error=\"%s\"", st->id, job->parse_error);
    if (job->rc != 0) {
        char msg[sizeof job->msg];
        memcpy(msg, job->msg, sizeof msg);
        int rc = job->rc;
        load_free(job);
        st->phase = PHASE_EMPTY;
        tenant_state_run_readers(st, rc, msg);
        tenant_state_fail_queue(st, rc, msg);
        return;
    }
    int64_t revision = job->revision;
    engine_summary s = job->summary;
    int64_t old_revision = st->revision;
    int had_model = st->model != NULL;
    engine_eval_free(st->eval);
    engine_model_free(st->model);
    st->model = job->model;
    st->eval = job->eval;
    job->model = NULL;
    job->eval = NULL;
    log_debug(
        "tenant loaded", "tenant=%s revision=%lld level=%.6f bytes=%zu wait_us=%llu work_us=%llu",
        st->id, (long long)revision, s.security_level, job->len,
        (unsigned long long)(job->queued_ns / 1000), (unsigned long long)(job->work_ns / 1000));
    load_free(job);
    st->revision = revision;
    st->phase = PHASE_READY;
    st->evicted = 0;
    /* A change another daemon announced while this load ran is in it when the document
     * was read at or after its revision: no second load for it. */
    if (st->stale && st->stale_revision <= revision)
        st->stale = 0;
    tenant_cache_account(st);
    tenant_level_from_summary(st, &s, revision, had_model ? "remote" : "load", &st->level);
    if (had_model && revision != old_revision)
        tenant_watchers_forward(&st->reg->watchers, &st->revision_seen, &st->level);
    else if (revision > st->revision_seen)
        st->revision_seen = revision;
    tenant_state_arm_due_timer(st);
    tenant_state_run_readers(st, 0, NULL);
    tenant_state_flush(st);
    tenant_cache_trim(st->reg);
}

static void pool_work(uv_work_t *req)
{
    load_work(container_of(req, struct tenant_load, req));
}

static void pool_after(uv_work_t *req, int status);

/* Jobs on the pool at once: one fewer than the machine has CPUs (at least one), and one
 * more for small documents only, so that a small tenant's first read never waits behind a
 * large tenant's load. */
static unsigned lanes(void)
{
    unsigned n = uv_available_parallelism();
    return n > 1 ? n - 1 : 1;
}

static int startable(const struct tenant_registry *reg, const struct tenant_load *job)
{
    unsigned limit = lanes();
    if (reg->loads_running >= limit + 1)
        return 0;
    return job->len < TENANT_LOAD_LARGE_BYTES || reg->loads_large_running < limit;
}

/* Starts the waiting jobs that may start, in order (a small one passes large ones that
 * must wait). */
static void start_waiting(struct tenant_registry *reg)
{
    struct tenant_load **link = &reg->load_waiting, *prev = NULL;
    while (*link && reg->loads_running < lanes() + 1) {
        struct tenant_load *job = *link;
        if (!startable(reg, job)) {
            prev = job;
            link = &job->next;
            continue;
        }
        *link = job->next;
        if (reg->load_waiting_tail == job)
            reg->load_waiting_tail = prev;
        job->next = NULL;
        job->queued_ns = uv_hrtime() - job->queued_ns;
        reg->loads_running++;
        if (job->len >= TENANT_LOAD_LARGE_BYTES)
            reg->loads_large_running++;
        if (uv_queue_work(reg->config.loop, &job->req, pool_work, pool_after) != 0) {
            load_work(job); /* cannot happen with these arguments; stay correct anyway */
            pool_after(&job->req, 0);
            return; /* pool_after started the next ones */
        }
    }
}

static void pool_after(uv_work_t *req, int status)
{
    struct tenant_load *job = container_of(req, struct tenant_load, req);
    struct tenant_state *st = job->st;
    struct tenant_registry *reg = st->reg;
    reg->loads_running--;
    if (job->len >= TENANT_LOAD_LARGE_BYTES)
        reg->loads_large_running--;
    st->load = NULL;
    if (reg->closing) {
        /* Readers and writes were answered when closing began: drop the result. The
         * state is freed here when its timer's close came first. */
        log_debug("tenant load dropped: closing", "tenant=%s", st->id);
        load_free(job);
        if (st->closed)
            tenant_state_free(st);
        return;
    }
    if (status != 0) {
        snprintf(job->msg, sizeof job->msg, "tenant load stopped; retry");
        job->rc = IMS_EUNAVAILABLE;
    }
    load_install(st, job);
    start_waiting(reg);
}

/* The snapshot statement answered: hand the document to a thread (or parse it here). */
static void load_done(struct db_txn *txn, int err, void *arg)
{
    struct tenant_state *st = arg;
    char msg[300] = "";
    if (err == 0) {
        PGresult *r = db_txn_result(txn, 0);
        if (!r || PQntuples(r) != 1) {
            db_txn_free(txn);
            st->phase = PHASE_EMPTY;
            tenant_state_run_readers(st, IMS_ENOTFOUND, "tenant: not found");
            tenant_state_fail_queue(st, IMS_ENOTFOUND, "tenant: not found");
            return;
        }
        struct tenant_load *job = calloc(1, sizeof *job);
        if (!job) {
            db_txn_free(txn);
            st->phase = PHASE_EMPTY;
            tenant_state_run_readers(st, IMS_ENOMEM, "out of memory");
            tenant_state_fail_queue(st, IMS_ENOMEM, "out of memory");
            return;
        }
        job->st = st;
        job->txn = txn;
        job->doc = PQgetvalue(r, 0, 0);
        job->doc_len = (size_t)PQgetlength(r, 0, 0);
        job->revision = atoll(PQgetvalue(r, 0, 1));
        job->metrics = PQgetvalue(r, 0, 2);
        job->counts = PQgetvalue(r, 0, 3);
        job->ats = PQgetvalue(r, 0, 4);
        job->vals = PQgetvalue(r, 0, 5);
        for (int c = 0; c < 6; c++)
            job->len += (size_t)PQgetlength(r, 0, c);
        if (job->len < TENANT_LOAD_INLINE_BYTES) {
            load_work(job);
            load_install(st, job);
            return;
        }
        struct tenant_registry *reg = st->reg;
        log_debug("tenant load queued", "tenant=%s bytes=%zu", st->id, job->len);
        st->load = job;
        job->queued_ns = uv_hrtime();
        if (reg->load_waiting_tail)
            reg->load_waiting_tail->next = job;
        else
            reg->load_waiting = job;
        reg->load_waiting_tail = job;
        start_waiting(reg);
        return;
    }
    snprintf(msg, sizeof msg, "%s",
             err == IMS_EUNAVAILABLE ? "database unavailable; retry later" : db_txn_error(txn));
    db_txn_free(txn);
    if (err == IMS_EUNAVAILABLE && st->model && st->eval) {
        /* A reload while the database is away: reads go on from the state in memory,
         * which may be behind; writes fail until the database is back. */
        log_warning("tenant state served from memory, possibly stale: database unavailable",
                    "tenant=%s revision=%lld", st->id, (long long)st->revision);
        st->phase = PHASE_READY;
        tenant_state_run_readers(st, 0, NULL);
        tenant_state_fail_queue(st, IMS_EUNAVAILABLE, msg);
        return;
    }
    st->phase = PHASE_EMPTY;
    tenant_state_run_readers(st, err, msg);
    tenant_state_fail_queue(st, err, msg);
}

void tenant_state_load(struct tenant_state *st)
{
    if (st->phase == PHASE_LOADING)
        return;
    st->phase = PHASE_LOADING;
    st->stale = 0;
    st->stale_revision = 0;
    st->revision_notified = 0;
    struct db_txn *txn = db_txn_new(st->reg->config.pool, st->id, 0);
    const char *params[1] = {st->id};
    if (!txn || db_txn_add(txn, st->reg->config.statement_load, 1, params) < 0) {
        db_txn_free(txn);
        st->phase = PHASE_EMPTY;
        tenant_state_run_readers(st, IMS_ENOMEM, "out of memory");
        tenant_state_fail_queue(st, IMS_ENOMEM, "out of memory");
        return;
    }
    db_txn_exec(txn, load_done, st);
}

void tenant_loads_close(struct tenant_registry *reg)
{
    /* Jobs not yet on the pool are dropped; one queued but not started is cancelled (its
     * after-callback still runs, with UV_ECANCELED); a running one cannot be stopped. */
    struct tenant_load *job = reg->load_waiting;
    reg->load_waiting = reg->load_waiting_tail = NULL;
    while (job) {
        struct tenant_load *next = job->next;
        job->st->load = NULL;
        load_free(job);
        job = next;
    }
    for (int b = 0; b < TENANT_BUCKETS; b++)
        for (struct tenant_state *st = reg->buckets[b]; st; st = st->next)
            if (st->load)
                uv_cancel((uv_req_t *)&st->load->req);
}
