/*
 * The tenant registry: finding a tenant's state (loaded by load.c), serving reads from
 * the current pair (model and evaluated state, never evaluated by a read), forgetting it
 * when another daemon wrote, and closing. Writes are in flush.c, watchers in watchers.c.
 */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "container.h"
#include "db_pool.h"
#include "ims/error.h"
#include "log.h"

static unsigned hash_id(const char *id)
{
    unsigned h = 2166136261u;
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 16777619u;
    return h % TENANT_BUCKETS;
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

int64_t tenant_now(void)
{
    return (int64_t)time(NULL);
}

void tenant_level_from_summary(struct tenant_state *st, const engine_summary *s, int64_t revision,
                               const char *cause, struct tenant_level *out)
{
    static uint64_t generations;
    memset(out, 0, sizeof *out);
    snprintf(out->tenant, sizeof out->tenant, "%s", st->id);
    out->generation = ++generations;
    out->revision = revision;
    out->at = s->at;
    out->security_level = s->security_level;
    out->maturity = s->maturity;
    out->summary = *s;
    out->cause = cause;
}

static struct tenant_state *state_find(struct tenant_registry *reg, const char *id)
{
    for (struct tenant_state *st = reg->buckets[hash_id(id)]; st; st = st->next)
        if (strcmp(st->id, id) == 0)
            return st;
    return NULL;
}

struct tenant_state *tenant_state_get(struct tenant_registry *reg, const char *id)
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

void tenant_state_fail_queue(struct tenant_state *st, int err, const char *msg)
{
    struct tenant_write *w = tenant_queue_take_all(&st->queue);
    while (w) {
        struct tenant_write *next = w->next;
        w->done(err, msg, NULL, -1, NULL, w->arg);
        w = next;
    }
}

void tenant_state_run_readers(struct tenant_state *st, int err, const char *msg)
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

void tenant_read(struct tenant_registry *reg, const char *tenant, tenant_read_cb cb, void *arg)
{
    struct tenant_state *st = tenant_state_get(reg, tenant);
    if (!st) {
        cb(IMS_ENOMEM, "out of memory", NULL, arg);
        return;
    }
    if (st->phase == PHASE_READY && !st->stale) {
        tenant_cache_touch(st);
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
        tenant_state_load(st);
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
        /* The load in flight may hold it (load.c compares the revisions it read). */
        int64_t named = revision > 0 ? revision : INT64_MAX;
        if (!st->stale || named > st->stale_revision)
            st->stale_revision = named;
        st->stale = 1;
        return;
    }
    tenant_state_load(st);
}

void tenant_invalidate_all(struct tenant_registry *reg)
{
    for (int b = 0; b < TENANT_BUCKETS; b++)
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
    if (st && st->flushing && revision > st->revision_notified)
        st->revision_notified = revision; /* the flush compares it with what it commits */
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
        tenant_watchers_notify(&reg->watchers, &lv); /* watchers of every tenant */
        return;
    }
    tenant_watchers_forward(&reg->watchers, &st->revision_seen, &lv);
    /* Ours, committed but not yet seen by the flush: the flush will know. */
    if (!st->flushing)
        tenant_invalidate(reg, id, revision);
}

struct tenant_watch *tenant_watch(struct tenant_registry *reg, const char *tenant,
                                  tenant_watch_cb cb, void *arg)
{
    return tenant_watchers_add(&reg->watchers, tenant, cb, arg);
}

void tenant_unwatch(struct tenant_registry *reg, struct tenant_watch *watch)
{
    tenant_watchers_remove(&reg->watchers, watch);
}

void tenant_state_free(struct tenant_state *st)
{
    struct tenant_registry *reg = st->reg;
    engine_eval_free(st->eval);
    engine_model_free(st->model);
    engine_eval_free(st->copy_eval);
    engine_model_free(st->copy);
    free(st);
    if (--reg->open_timers == 0) {
        void (*done)(void *) = reg->close_done;
        void *arg = reg->close_arg;
        tenant_watchers_clear(&reg->watchers);
        free(reg);
        if (done)
            done(arg);
    }
}

static void timer_closed(uv_handle_t *h)
{
    struct tenant_state *st = container_of((uv_timer_t *)h, struct tenant_state, due_timer);
    if (st->load) {
        st->closed = 1; /* a load runs on the pool: load.c frees the state when it returns */
        return;
    }
    tenant_state_free(st);
}

void tenant_registry_close(struct tenant_registry *reg, void (*done)(void *arg), void *arg)
{
    reg->closing = 1;
    reg->close_done = done;
    reg->close_arg = arg;
    tenant_loads_close(reg);
    int any = 0;
    for (int b = 0; b < TENANT_BUCKETS; b++) {
        struct tenant_state *st = reg->buckets[b];
        while (st) {
            struct tenant_state *next = st->next;
            tenant_state_run_readers(st, IMS_ECLOSED, "server shutting down");
            tenant_state_fail_queue(st, IMS_ECLOSED, "server shutting down");
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
