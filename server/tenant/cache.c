/*
 * The tenant-state cache under a memory budget: every state holding a model is on a list
 * from the most to the least recently used (a read or a write moves it to the front), with
 * the bytes its model and evaluated state hold. When the states hold more than the budget,
 * the least recently used idle ones are evicted: their model and evaluated state are freed
 * and the next use loads them again from the database. A state is idle when nothing waits
 * for it or runs on it — no queued or flushing write, no waiting reader, no load, no
 * pending reload — and nobody watches the tenant; the most recently used state is never
 * evicted. An evicted state keeps its revision, its last level and its due timer: at the
 * next due time the tenant is loaded and its time-driven update runs as before.
 */
#include "state.h"

#include "log.h"

static void unlink_state(struct tenant_state *st)
{
    struct tenant_registry *reg = st->reg;
    if (!st->cached)
        return;
    if (st->lru_prev)
        st->lru_prev->lru_next = st->lru_next;
    else
        reg->lru_head = st->lru_next;
    if (st->lru_next)
        st->lru_next->lru_prev = st->lru_prev;
    else
        reg->lru_tail = st->lru_prev;
    st->lru_prev = st->lru_next = NULL;
    st->cached = 0;
    reg->cached_bytes -= st->bytes;
    st->bytes = 0;
}

void tenant_cache_touch(struct tenant_state *st)
{
    struct tenant_registry *reg = st->reg;
    if (!st->cached || reg->lru_head == st)
        return;
    size_t bytes = st->bytes;
    unlink_state(st);
    st->cached = 1;
    st->bytes = bytes;
    reg->cached_bytes += bytes;
    st->lru_next = reg->lru_head;
    if (reg->lru_head)
        reg->lru_head->lru_prev = st;
    reg->lru_head = st;
    if (!reg->lru_tail)
        reg->lru_tail = st;
}

void tenant_cache_account(struct tenant_state *st)
{
    struct tenant_registry *reg = st->reg;
    size_t bytes = engine_model_bytes(st->model) + engine_eval_bytes(st->eval);
    if (!st->cached) {
        st->cached = 1;
        st->bytes = 0;
        st->lru_prev = NULL;
        st->lru_next = reg->lru_head;
        if (reg->lru_head)
            reg->lru_head->lru_prev = st;
        reg->lru_head = st;
        if (!reg->lru_tail)
            reg->lru_tail = st;
    }
    reg->cached_bytes = reg->cached_bytes - st->bytes + bytes;
    st->bytes = bytes;
    tenant_cache_touch(st);
}

static int idle(const struct tenant_state *st)
{
    return st->phase == PHASE_READY && !st->flushing && !st->queue.head && !st->readers &&
           !st->stale && !st->time_write_queued && !st->copy &&
           !tenant_watchers_watched(&st->reg->watchers, st->id);
}

void tenant_cache_trim(struct tenant_registry *reg)
{
    if (reg->config.cache_bytes == 0 || reg->closing)
        return;
    struct tenant_state *st = reg->lru_tail;
    while (reg->cached_bytes > reg->config.cache_bytes && st && st != reg->lru_head) {
        struct tenant_state *prev = st->lru_prev;
        if (idle(st)) {
            log_debug("tenant evicted", "tenant=%s bytes=%zu", st->id, st->bytes);
            unlink_state(st);
            engine_eval_free(st->eval);
            engine_model_free(st->model);
            st->eval = NULL;
            st->model = NULL;
            st->phase = PHASE_EMPTY;
            st->evicted = 1;
            reg->stats.evictions++;
        }
        st = prev;
    }
}
