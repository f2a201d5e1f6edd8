/* What the tenant registry holds and does, counted for /metrics. */
#include "state.h"

const double tenant_flush_size_bounds[TENANT_FLUSH_SIZE_BUCKETS] = {1,  2,  4,  8,  16,
                                                                    32, 64, 128, 256};
const double tenant_flush_time_bounds[TENANT_FLUSH_TIME_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

static int bucket(const double *bounds, int n, double v)
{
    int i = 0;
    while (i < n && v > bounds[i])
        i++;
    return i;
}

void tenant_stats_flush(struct tenant_registry *reg, int committed, int writes, uint64_t ns)
{
    struct tenant_stats *s = &reg->stats;
    if (!committed) {
        s->flushes_failed++;
        return;
    }
    double seconds = (double)ns / 1e9;
    s->flushes++;
    s->flushed_writes += (uint64_t)writes;
    s->flush_size[bucket(tenant_flush_size_bounds, TENANT_FLUSH_SIZE_BUCKETS, writes)]++;
    s->flush_time[bucket(tenant_flush_time_bounds, TENANT_FLUSH_TIME_BUCKETS, seconds)]++;
    s->flush_time_sum += seconds;
}

void tenant_registry_stats(const struct tenant_registry *reg, struct tenant_stats *out)
{
    *out = reg->stats;
    out->tenants_loaded = out->queued_writes = out->max_queued = out->watchers = 0;
    out->cached_bytes = reg->cached_bytes;
    for (int b = 0; b < TENANT_BUCKETS; b++) {
        for (const struct tenant_state *st = reg->buckets[b]; st; st = st->next) {
            if (st->phase == PHASE_READY)
                out->tenants_loaded++;
            uint64_t q = (uint64_t)st->queue.queued;
            out->queued_writes += q;
            if (q > out->max_queued)
                out->max_queued = q;
        }
    }
    for (const struct tenant_watch *w = reg->watchers.head; w; w = w->next)
        out->watchers++;
}

void tenant_registry_foreach_level(const struct tenant_registry *reg,
                                   void (*fn)(const struct tenant_level *level, void *arg),
                                   void *arg)
{
    for (int b = 0; b < TENANT_BUCKETS; b++)
        for (const struct tenant_state *st = reg->buckets[b]; st; st = st->next)
            if (st->phase == PHASE_READY || st->evicted)
                fn(&st->level, arg); /* an evicted tenant's last level */
}
