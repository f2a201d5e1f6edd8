/* What imsd shows of itself on the ops listener: metrics, readiness, remote_write, and the
 * control board (server/board/) when web_dir is set. */
#include "observe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "db_pool.h"
#include "grpc_server.h"
#include "ims/error.h"
#include "log.h"
#include "ops.h"
#include "board.h"
#include "remote_write_receiver.h"
#include "rpc.h"
#include "statements.h"
#include "tenant.h"

#define CHECK_PERIOD_MS 5000 /* how often the migrations are checked */
#define CHECK_TICK_MS 250     /* how soon a first check follows the database coming up */
#define SLUG_BUCKETS 256

struct slug {
    char id[37];
    char *slug;
    struct slug *next;
};

struct observe {
    uv_loop_t *loop;
    const struct config *config;
    struct observe_sources src;
    struct ops *ops;
    struct board *board; /* the control board, when web_dir is set */
    struct metrics_registry *reg;
    SSL_CTX *tls;
    struct rpc_remote_write *rw;
    uv_timer_t check_timer;
    uint64_t checked_ms;
    int checking;
    int migrations_current; /* -1 not known yet */
    int stopping;
    int open_on_loopback; /* a loopback listener without ops_require_token */
    int pending; /* scrapes and checks in flight: freed after them */
    int closed;
    struct slug *slugs[SLUG_BUCKETS];
    time_t started;
    void (*done)(void *arg);
    void *done_arg;
    struct {
        struct metrics_family *rpc_calls, *rpc_duration, *unknown_method, *auth_failures,
            *denials, *bytes_in, *bytes_out, *connections, *connections_total, *calls,
            *limits, *ingest_samples, *ingest_batches, *flushes, *flush_failures, *flush_size,
            *flush_time, *db_connections, *db_configured, *db_queue, *queue_writes,
            *queue_max, *watchers, *tenants_loaded, *cache_bytes, *evictions, *level, *maturity, *revision,
            *rw_requests, *rw_samples, *build, *start_time, *rss;
    } f;
};

/* ---- families ------------------------------------------------------------------------ */

static int add_families(struct observe *o)
{
    struct metrics_registry *r = o->reg;
    static const char *const method_code[] = {"method", "code"};
    static const char *const method[] = {"method"};
    static const char *const reason[] = {"reason"};
    static const char *const kind[] = {"kind"};
    static const char *const state[] = {"state"};
    static const char *const tenant[] = {"tenant"};
    static const char *const result[] = {"result"};
    static const char *const version[] = {"version"};
    size_t methods = 256, tenants = o->config->metrics_max_tenants > 0
                                        ? (size_t)o->config->metrics_max_tenants
                                        : 1;
    double rpc_bounds[RPC_LATENCY_BUCKETS], size_bounds[TENANT_FLUSH_SIZE_BUCKETS],
        time_bounds[TENANT_FLUSH_TIME_BUCKETS];
    memcpy(rpc_bounds, rpc_latency_bounds, sizeof rpc_bounds);
    memcpy(size_bounds, tenant_flush_size_bounds, sizeof size_bounds);
    memcpy(time_bounds, tenant_flush_time_bounds, sizeof time_bounds);
#define FAMILY(field, name, help, type, labels, nlabels, bounds, nbounds, max)                    \
    (o->f.field = metrics_family_add(r, name, help, type, labels, nlabels, bounds, nbounds, max))
    return FAMILY(build, "ims_build_info", "The imsd version running (always 1).", METRICS_GAUGE,
                  version, 1, NULL, 0, 1) &&
           FAMILY(start_time, "process_start_time_seconds",
                  "When imsd started, in seconds since the Unix epoch.", METRICS_GAUGE, NULL, 0,
                  NULL, 0, 1) &&
           FAMILY(rss, "process_resident_memory_bytes", "Resident memory of imsd.",
                  METRICS_GAUGE, NULL, 0, NULL, 0, 1) &&
           FAMILY(rpc_calls, "ims_rpc_calls_total", "RPC calls ended, by method and gRPC status.",
                  METRICS_COUNTER, method_code, 2, NULL, 0, methods * RPC_STATUS_COUNT) &&
           FAMILY(rpc_duration, "ims_rpc_duration_seconds",
                  "Time from a call's headers to its end, by method.", METRICS_HISTOGRAM, method,
                  1, rpc_bounds, RPC_LATENCY_BUCKETS, methods) &&
           FAMILY(unknown_method, "ims_rpc_unknown_method_total",
                  "Calls of a method the daemon does not have (UNIMPLEMENTED).", METRICS_COUNTER,
                  NULL, 0, NULL, 0, 1) &&
           FAMILY(auth_failures, "ims_auth_failures_total",
                  "Calls refused UNAUTHENTICATED, by reason.", METRICS_COUNTER, reason, 1, NULL, 0,
                  8) &&
           FAMILY(denials, "ims_rpc_denied_total",
                  "Calls refused PERMISSION_DENIED (role or tenant scope).", METRICS_COUNTER, NULL,
                  0, NULL, 0, 1) &&
           FAMILY(bytes_in, "ims_grpc_received_bytes_total",
                  "Bytes read from gRPC connections (TLS records included).", METRICS_COUNTER,
                  NULL, 0, NULL, 0, 1) &&
           FAMILY(bytes_out, "ims_grpc_sent_bytes_total",
                  "Bytes written to gRPC connections (TLS records included).", METRICS_COUNTER,
                  NULL, 0, NULL, 0, 1) &&
           FAMILY(connections, "ims_grpc_connections", "gRPC connections open.", METRICS_GAUGE,
                  NULL, 0, NULL, 0, 1) &&
           FAMILY(connections_total, "ims_grpc_connections_total", "gRPC connections accepted.",
                  METRICS_COUNTER, NULL, 0, NULL, 0, 1) &&
           FAMILY(calls, "ims_grpc_streams", "gRPC calls (HTTP/2 streams) open.", METRICS_GAUGE,
                  NULL, 0, NULL, 0, 1) &&
           FAMILY(limits, "ims_limits_hit_total",
                  "Requests refused because a configured limit was reached, by limit.",
                  METRICS_COUNTER, kind, 1, NULL, 0, 16) &&
           FAMILY(ingest_samples, "ims_ingest_samples_total",
                  "Metric samples acknowledged (stored), from PushMetrics and remote_write.",
                  METRICS_COUNTER, NULL, 0, NULL, 0, 1) &&
           FAMILY(ingest_batches, "ims_ingest_batches_total",
                  "PushMetrics requests acknowledged.", METRICS_COUNTER, NULL, 0, NULL, 0, 1) &&
           FAMILY(flushes, "ims_tenant_flushes_total",
                  "Write transactions of tenants committed (each one or more writes).",
                  METRICS_COUNTER, NULL, 0, NULL, 0, 1) &&
           FAMILY(flush_failures, "ims_tenant_flush_failures_total",
                  "Write transactions of tenants that did not commit.", METRICS_COUNTER, NULL, 0,
                  NULL, 0, 1) &&
           FAMILY(flush_size, "ims_tenant_flush_writes", "Writes coalesced into one flush.",
                  METRICS_HISTOGRAM, NULL, 0, size_bounds, TENANT_FLUSH_SIZE_BUCKETS, 1) &&
           FAMILY(flush_time, "ims_tenant_flush_duration_seconds",
                  "Time of a flush's transaction, from sending to its commit.", METRICS_HISTOGRAM,
                  NULL, 0, time_bounds, TENANT_FLUSH_TIME_BUCKETS, 1) &&
           FAMILY(db_connections, "ims_db_connections",
                  "Database connections of the pool, by state.", METRICS_GAUGE, state, 1, NULL, 0,
                  4) &&
           FAMILY(db_configured, "ims_db_connections_max", "Database connections configured.",
                  METRICS_GAUGE, NULL, 0, NULL, 0, 1) &&
           FAMILY(db_queue, "ims_db_queue_transactions",
                  "Transactions waiting for a database connection.", METRICS_GAUGE, NULL, 0, NULL,
                  0, 1) &&
           FAMILY(queue_writes, "ims_tenant_queued_writes",
                  "Writes waiting in tenants' queues, over every tenant.", METRICS_GAUGE, NULL, 0,
                  NULL, 0, 1) &&
           FAMILY(queue_max, "ims_tenant_queued_writes_max",
                  "Writes waiting in the longest queue of one tenant.", METRICS_GAUGE, NULL, 0,
                  NULL, 0, 1) &&
           FAMILY(watchers, "ims_watchers", "WatchSecurityLevel streams open.", METRICS_GAUGE,
                  NULL, 0, NULL, 0, 1) &&
           FAMILY(tenants_loaded, "ims_tenants_loaded", "Tenants whose state is in memory.",
                  METRICS_GAUGE, NULL, 0, NULL, 0, 1) &&
           FAMILY(cache_bytes, "ims_tenant_cache_bytes",
                  "What the tenant states in memory hold (estimate; budget tenant_cache_mb).",
                  METRICS_GAUGE, NULL, 0, NULL, 0, 1) &&
           FAMILY(evictions, "ims_tenant_evictions_total",
                  "Tenant states evicted under the tenant_cache_mb budget.", METRICS_COUNTER,
                  NULL, 0, NULL, 0, 1) &&
           FAMILY(level, "ims_security_level",
                  "A loaded tenant's security level, 0..1 (at most metrics_max_tenants tenants).",
                  METRICS_GAUGE, tenant, 1, NULL, 0, tenants) &&
           FAMILY(maturity, "ims_maturity_level", "A loaded tenant's maturity level, 0..3.",
                  METRICS_GAUGE, tenant, 1, NULL, 0, tenants) &&
           FAMILY(revision, "ims_revision",
                  "A loaded tenant's revision (each committed change adds one).", METRICS_GAUGE,
                  tenant, 1, NULL, 0, tenants) &&
           FAMILY(rw_requests, "ims_remote_write_requests_total",
                  "remote_write requests answered, by result: ok (2xx), refused (4xx but 429), "
                  "retry (429, 5xx).",
                  METRICS_COUNTER, result, 1, NULL, 0, 4) &&
           FAMILY(rw_samples, "ims_remote_write_samples_total",
                  "remote_write samples, by result: stored, unmapped, not_finite, refused.",
                  METRICS_COUNTER, result, 1, NULL, 0, 8);
#undef FAMILY
}

/* ---- scrape-time figures ---------------------------------------------------------------- */

static void set1(struct metrics_family *f, const char *label, double v)
{
    const char *labels[] = {label};
    (void)metrics_set(f, label ? labels : NULL, v);
}

static void collect_process(struct observe *o)
{
    set1(o->f.build, "0.1.0", 1);
    set1(o->f.start_time, NULL, (double)o->started);
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) == 2)
            set1(o->f.rss, NULL, (double)resident * (double)sysconf(_SC_PAGESIZE));
        fclose(f);
    }
}

static void collect_rpc(struct observe *o)
{
    struct rpc_stats rs;
    rpc_server_stats(o->src.rpc, &rs);
    metrics_family_clear(o->f.rpc_calls);
    for (int i = 0; i < rpc_server_method_count(o->src.rpc); i++) {
        const struct rpc_method_stats *ms;
        const char *path = rpc_server_method(o->src.rpc, i, &ms);
        uint64_t total = 0;
        for (int code = 0; code < RPC_STATUS_COUNT; code++) {
            total += ms->calls[code];
            if (ms->calls[code] == 0)
                continue;
            const char *labels[] = {path, ims_grpc_status_name(code)};
            (void)metrics_set(o->f.rpc_calls, labels, (double)ms->calls[code]);
        }
        if (total > 0) {
            const char *labels[] = {path};
            (void)metrics_histogram_set(o->f.rpc_duration, labels, ms->latency, ms->latency_sum);
        }
    }
    set1(o->f.unknown_method, NULL, (double)rs.unknown_method);
    set1(o->f.auth_failures, "missing_token", (double)rs.auth_failures[RPC_AUTH_MISSING]);
    set1(o->f.auth_failures, "invalid_token", (double)rs.auth_failures[RPC_AUTH_INVALID]);
    set1(o->f.auth_failures, "malformed_token", (double)rs.auth_failures[RPC_AUTH_MALFORMED]);
    set1(o->f.denials, NULL, (double)rs.denials);
    set1(o->f.ingest_samples, NULL, (double)rs.ingest_samples);
    set1(o->f.ingest_batches, NULL, (double)rs.ingest_batches);
}

static void collect_transport_and_pool(struct observe *o)
{
    struct grpc_server_stats gs;
    grpc_server_stats(o->src.grpc, &gs);
    set1(o->f.bytes_in, NULL, (double)gs.bytes_in);
    set1(o->f.bytes_out, NULL, (double)gs.bytes_out);
    set1(o->f.connections, NULL, gs.connections);
    set1(o->f.connections_total, NULL, (double)gs.connections_total);
    set1(o->f.calls, NULL, gs.calls);
    set1(o->f.limits, "max_message_bytes", (double)gs.messages_too_large);
    /* The transport's limits (docs/security.md): connections refused at accept, closed by
     * a timeout or for idleness, calls ended by the default deadline, windows held shut. */
    set1(o->f.limits, "max_connections", (double)gs.connections_refused);
    set1(o->f.limits, "connection_timeout", (double)gs.connections_timed_out);
    set1(o->f.limits, "idle_timeout", (double)gs.connections_idle_closed);
    set1(o->f.limits, "default_deadline", (double)gs.calls_default_deadline);
    set1(o->f.limits, "buffered_bytes", (double)gs.input_stalls);
    struct db_pool_stats ps;
    db_pool_stats(o->src.pool, &ps);
    set1(o->f.db_connections, "busy", ps.busy);
    set1(o->f.db_connections, "idle", ps.up - ps.busy);
    set1(o->f.db_connections, "down", ps.size - ps.up);
    set1(o->f.db_configured, NULL, ps.size);
    set1(o->f.db_queue, NULL, (double)ps.queued);
    set1(o->f.limits, "db_queue", (double)ps.refused);
    set1(o->f.limits, "db_unavailable", (double)ps.circuit_refused);
    struct tenant_stats ts;
    tenant_registry_stats(o->src.tenants, &ts);
    set1(o->f.limits, "tenant_write_queue", (double)ts.queue_refusals);
    set1(o->f.flushes, NULL, (double)ts.flushes);
    set1(o->f.flush_failures, NULL, (double)ts.flushes_failed);
    (void)metrics_histogram_set(o->f.flush_size, NULL, ts.flush_size, (double)ts.flushed_writes);
    (void)metrics_histogram_set(o->f.flush_time, NULL, ts.flush_time, ts.flush_time_sum);
    set1(o->f.queue_writes, NULL, (double)ts.queued_writes);
    set1(o->f.queue_max, NULL, (double)ts.max_queued);
    set1(o->f.watchers, NULL, (double)ts.watchers);
    set1(o->f.tenants_loaded, NULL, (double)ts.tenants_loaded);
    set1(o->f.cache_bytes, NULL, (double)ts.cached_bytes);
    set1(o->f.evictions, NULL, (double)ts.evictions);
    if (o->rw) {
        struct rpc_remote_write_stats ws;
        rpc_remote_write_stats(o->rw, &ws);
        set1(o->f.rw_requests, "ok", (double)ws.requests[RW_ANSWER_OK]);
        set1(o->f.rw_requests, "refused", (double)ws.requests[RW_ANSWER_REFUSED]);
        set1(o->f.rw_requests, "retry", (double)ws.requests[RW_ANSWER_RETRY]);
        set1(o->f.rw_samples, "stored", (double)ws.samples[RW_SAMPLES_STORED]);
        set1(o->f.rw_samples, "unmapped", (double)ws.samples[RW_SAMPLES_UNMAPPED]);
        set1(o->f.rw_samples, "not_finite", (double)ws.samples[RW_SAMPLES_NOT_FINITE]);
        set1(o->f.rw_samples, "refused", (double)ws.samples[RW_SAMPLES_REFUSED]);
    }
}

/* ---- per tenant, labelled by slug ------------------------------------------------------- */

static unsigned slug_bucket(const char *id)
{
    unsigned h = 5381;
    for (; *id; id++)
        h = h * 33 + (unsigned char)*id;
    return h % SLUG_BUCKETS;
}

static const char *slug_of(const struct observe *o, const char *id)
{
    for (const struct slug *s = o->slugs[slug_bucket(id)]; s; s = s->next)
        if (strcmp(s->id, id) == 0)
            return s->slug;
    return NULL;
}

static void slug_put(struct observe *o, const char *id, const char *slug)
{
    if (strlen(id) >= sizeof((struct slug *)0)->id || slug_of(o, id))
        return;
    struct slug *s = calloc(1, sizeof *s);
    if (!s || !(s->slug = strdup(slug))) {
        free(s);
        return;
    }
    strcpy(s->id, id);
    unsigned b = slug_bucket(id);
    s->next = o->slugs[b];
    o->slugs[b] = s;
}

struct scrape {
    struct observe *o;
    void (*done)(void *ctx);
    void *ctx;
    char *missing; /* ids without a known slug, comma-separated */
    size_t missing_len, missing_count;
};

static void gather_missing(const struct tenant_level *level, void *arg)
{
    struct scrape *sc = arg;
    if (slug_of(sc->o, level->tenant) || sc->missing_count >= 1000)
        return;
    size_t n = strlen(level->tenant);
    char *grown = realloc(sc->missing, sc->missing_len + n + 2);
    if (!grown)
        return;
    sc->missing = grown;
    if (sc->missing_len)
        sc->missing[sc->missing_len++] = ',';
    memcpy(sc->missing + sc->missing_len, level->tenant, n + 1);
    sc->missing_len += n;
    sc->missing_count++;
}

static void set_level(const struct tenant_level *level, void *arg)
{
    struct observe *o = arg;
    const char *slug = slug_of(o, level->tenant);
    if (!slug)
        return;
    set1(o->f.level, slug, level->security_level);
    set1(o->f.maturity, slug, level->maturity);
    set1(o->f.revision, slug, (double)level->revision);
}

static void observe_release(struct observe *o);

static void scrape_finish(struct scrape *sc)
{
    struct observe *o = sc->o;
    metrics_family_clear(o->f.level);
    metrics_family_clear(o->f.maturity);
    metrics_family_clear(o->f.revision);
    if (!o->closed)
        tenant_registry_foreach_level(o->src.tenants, set_level, o);
    sc->done(sc->ctx);
    free(sc->missing);
    free(sc);
    o->pending--;
    observe_release(o);
}

static void slugs_loaded(struct db_txn *txn, int err, void *arg)
{
    struct scrape *sc = arg;
    if (err == 0) {
        PGresult *r = db_txn_result(txn, 0);
        for (int row = 0; row < PQntuples(r); row++)
            slug_put(sc->o, PQgetvalue(r, row, 0), PQgetvalue(r, row, 1));
    }
    db_txn_free(txn);
    scrape_finish(sc);
}

static void collect(struct metrics_registry *registry, void *arg, void (*done)(void *ctx),
                    void *ctx)
{
    (void)registry;
    struct observe *o = arg;
    struct scrape *sc = calloc(1, sizeof *sc);
    if (!sc) {
        done(ctx);
        return;
    }
    sc->o = o;
    sc->done = done;
    sc->ctx = ctx;
    o->pending++;
    collect_process(o);
    collect_rpc(o);
    collect_transport_and_pool(o);
    tenant_registry_foreach_level(o->src.tenants, gather_missing, sc);
    if (sc->missing_count == 0) {
        scrape_finish(sc);
        return;
    }
    /* Slugs never change: each is asked for once. */
    char limit[24];
    snprintf(limit, sizeof limit, "%zu", sc->missing_count);
    const char *params[3] = {sc->missing, "", limit};
    struct db_txn *txn = db_txn_new(o->src.pool, NULL, 1);
    if (!txn || db_txn_add(txn, STMT_TENANT_LIST, 3, params) < 0) {
        db_txn_free(txn);
        scrape_finish(sc);
        return;
    }
    db_txn_exec(txn, slugs_loaded, sc);
}

/* ---- readiness ------------------------------------------------------------------------- */

static void migrations_checked(struct db_txn *txn, int err, void *arg)
{
    struct observe *o = arg;
    o->checking = 0;
    if (err == 0) {
        int current = strcmp(PQgetvalue(db_txn_result(txn, 0), 0, 0), "t") == 0;
        if (current != o->migrations_current && !current)
            log_warning("migrations not current", "expected=%s", IMS_LATEST_MIGRATION);
        o->migrations_current = current;
    }
    db_txn_free(txn);
    o->pending--;
    observe_release(o);
}

static void on_check(uv_timer_t *timer)
{
    struct observe *o = timer->data;
    uint64_t now = uv_now(o->loop);
    if (o->checking || db_pool_up(o->src.pool) == 0 ||
        (o->migrations_current >= 0 && now - o->checked_ms < CHECK_PERIOD_MS))
        return;
    o->checked_ms = now;
    const char *params[1] = {IMS_LATEST_MIGRATION};
    struct db_txn *txn = db_txn_new(o->src.pool, NULL, 0);
    if (!txn || db_txn_add(txn, STMT_MIGRATION_APPLIED, 1, params) < 0) {
        db_txn_free(txn);
        return;
    }
    o->checking = 1;
    o->pending++;
    db_txn_exec(txn, migrations_checked, o);
}

static int ready(void *arg, char *why, size_t len)
{
    struct observe *o = arg;
    if (o->stopping)
        snprintf(why, len, "stopping");
    else if (db_pool_up(o->src.pool) == 0)
        snprintf(why, len, "database unreachable");
    else if (o->migrations_current < 0)
        snprintf(why, len, "migrations not checked yet");
    else if (!o->migrations_current)
        snprintf(why, len, "migrations not current: %s not applied (imsd migrate)",
                 IMS_LATEST_MIGRATION);
    else
        return 0;
    return 1;
}

/* ---- who may read /metrics and /readyz off loopback ----------------------------------- */

struct verdict {
    struct auth_wait wait;
    struct observe *o;
    struct ops_http_request *request;
    void (*done)(struct ops_http_request *request, int verdict);
};

static void token_resolved(int result, const struct auth_principal *principal, void *arg)
{
    struct verdict *v = arg;
    struct observe *o = v->o;
    int ok = result == 0 && principal->role == ROLE_OPERATOR;
    v->done(v->request, ok ? OPS_ALLOWED : OPS_REFUSED);
    free(v);
    o->pending--;
    observe_release(o);
}

/* A verified client certificate, or an operator's bearer token: the figures name every
 * tenant. */
/* The Host a request names is this machine's loopback ("localhost", 127.x.x.x, [::1],
 * with or without a port). A page elsewhere whose name was made to resolve to 127.0.0.1
 * (DNS rebinding) sends its own name, and is not let in without a token. */
static int host_is_loopback(const char *host)
{
    if (!host)
        return 0;
    size_t n = strlen(host);
    const char *colon = strrchr(host, ':');
    if (host[0] == '[') {
        const char *end = strchr(host, ']');
        return end && (size_t)(end - host) == 4 && strncmp(host, "[::1]", 5) == 0 &&
               (end[1] == '\0' || end[1] == ':');
    }
    if (colon)
        n = (size_t)(colon - host);
    if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
        return 1;
    unsigned a, b, c, d;
    char tail;
    char ip[16];
    if (n >= sizeof ip)
        return 0;
    memcpy(ip, host, n);
    ip[n] = '\0';
    return sscanf(ip, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b < 256 &&
           c < 256 && d < 256;
}

static void authorize(struct ops_http_request *request, void *arg,
                      void (*done)(struct ops_http_request *request, int verdict))
{
    struct observe *o = arg;
    if (o->open_on_loopback && host_is_loopback(ops_http_header(request, "host"))) {
        done(request, OPS_ALLOWED);
        return;
    }
    if (ops_http_client_subject(request)) {
        done(request, OPS_ALLOWED);
        return;
    }
    const char *token = auth_bearer_token(ops_http_header(request, "authorization"));
    if (!token) {
        done(request, OPS_NO_CREDENTIALS);
        return;
    }
    struct verdict *v = calloc(1, sizeof *v);
    if (!v) {
        done(request, OPS_REFUSED);
        return;
    }
    v->o = o;
    v->request = request;
    v->done = done;
    o->pending++;
    rpc_server_authenticate(o->src.rpc, token, &v->wait, token_resolved, v);
}

/* ---- lifetime -------------------------------------------------------------------------- */

int observe_start(uv_loop_t *loop, const struct config *config,
                  const struct observe_sources *sources, struct observe **out, char *err,
                  size_t err_len)
{
    struct observe *o = calloc(1, sizeof *o);
    if (!o || metrics_registry_new(&o->reg) != 0) {
        free(o);
        snprintf(err, err_len, "out of memory");
        return IMS_ENOMEM;
    }
    o->loop = loop;
    o->config = config;
    o->src = *sources;
    o->migrations_current = -1;
    o->started = time(NULL);
    int rc = add_families(o) ? 0 : IMS_ENOMEM;
    struct remote_write_limits limits = {
        .max_decoded_bytes = (size_t)config->ops_max_body_bytes * 4,
        .max_samples = (size_t)config->remote_write_max_samples};
    if (rc == 0)
        rc = rpc_remote_write_new(sources->rpc, &limits, &o->rw);
    if (rc == 0 && config->ops_tls) {
        struct grpc_tls_config tls = {config->tls_cert, config->tls_key, config->tls_client_ca,
                                      (int)config->tls_require_client_cert,
                                      strcmp(config->tls_min_version, "1.2") == 0 ? 12 : 13};
        rc = ops_tls_context_new(&tls, &o->tls);
    }
    struct ops_http_config http = {
        .max_connections = (uint32_t)config->ops_max_connections,
        .max_header_bytes = (size_t)config->ops_max_header_bytes,
        .max_body_bytes = (size_t)config->ops_max_body_bytes,
        .request_timeout_ms = (uint32_t)config->ops_request_timeout_ms,
        .idle_timeout_ms = (uint32_t)config->ops_idle_timeout_ms,
        .tls = o->tls,
    };
    struct ops_sources ops_sources = {.ready = ready, .collect = collect, .arg = o};
    /* On a loopback listener without ops_require_token, requests naming a loopback host
     * need no token; the others, and every request elsewhere, do. */
    o->open_on_loopback = !config->ops_require_token && config_address_is_local(config->ops_listen);
    ops_sources.authorize = authorize;
    if (rc == 0)
        rc = ops_start(loop, config->ops_listen, &http, &ops_sources, o->reg, &o->ops, err,
                       err_len);
    else
        snprintf(err, err_len, "%s", rc == IMS_ETLS ? "cannot load tls_cert / tls_key"
                                                    : ims_strerror(rc));
    if (rc == 0 && ops_route_add(o->ops, "POST", "/api/v1/write", rpc_remote_write_serve,
                                 o->rw) != 0) {
        snprintf(err, err_len, "out of memory");
        rc = IMS_ENOMEM;
    }
    if (rc == 0 && config->web_dir && *config->web_dir) {
        struct board_config bc = {config->web_dir, config->web_chart_js};
        rc = board_start(o->ops, sources->rpc, &bc, &o->board, err, err_len);
    }
    if (rc != 0) {
        board_free(o->board);
        if (o->ops)
            ops_stop(o->ops, NULL, NULL);
        rpc_remote_write_free(o->rw);
        if (o->tls)
            SSL_CTX_free(o->tls);
        metrics_registry_free(o->reg);
        free(o);
        return rc;
    }
    uv_timer_init(loop, &o->check_timer);
    o->check_timer.data = o;
    uv_timer_start(&o->check_timer, on_check, 0, CHECK_TICK_MS);
    *out = o;
    return 0;
}

int observe_port(const struct observe *o)
{
    return ops_port(o->ops);
}

void observe_stopping(struct observe *o)
{
    o->stopping = 1;
}

static void observe_release(struct observe *o)
{
    if (!o->closed || o->pending > 0)
        return;
    for (int b = 0; b < SLUG_BUCKETS; b++) {
        while (o->slugs[b]) {
            struct slug *s = o->slugs[b];
            o->slugs[b] = s->next;
            free(s->slug);
            free(s);
        }
    }
    rpc_remote_write_free(o->rw);
    board_free(o->board);
    if (o->tls)
        SSL_CTX_free(o->tls);
    metrics_registry_free(o->reg);
    void (*done)(void *) = o->done;
    void *arg = o->done_arg;
    free(o);
    if (done)
        done(arg);
}

static void on_timer_closed(uv_handle_t *handle)
{
    struct observe *o = handle->data;
    o->closed = 1;
    observe_release(o);
}

static void on_ops_closed(void *arg)
{
    struct observe *o = arg;
    uv_close((uv_handle_t *)&o->check_timer, on_timer_closed);
}

void observe_stop(struct observe *o, void (*done)(void *arg), void *arg)
{
    o->stopping = 1;
    o->done = done;
    o->done_arg = arg;
    uv_timer_stop(&o->check_timer);
    if (o->board)
        board_stop(o->board);
    ops_stop(o->ops, on_ops_closed, o);
}
