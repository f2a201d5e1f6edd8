/*
 * The Prometheus remote_write receiver (POST /api/v1/write on the ops listener): each
 * series is mapped to a tenant's metric (series_map.h, the mappings of every tenant kept
 * here and reloaded when they change), and each tenant's samples become PushMetrics calls
 * made inside the daemon with the sender's bearer token, so they take the same permission
 * checks, validation and durable write path, and are acknowledged only after COMMIT.
 *
 * A request is idempotent: each tenant's part carries a key made of the body's SHA-256,
 * so whatever a sender retries is stored once. Answers follow the remote-write spec:
 * 204 when stored (or dropped as unmapped), 4xx for what a retry cannot fix, 429 and 5xx
 * for what it can.
 */
#include "remote_write_receiver.h"

#include <math.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/events.pb-c.h"
#include "log.h"
#include "remote_write.h"
#include "series_map.h"
#include "statements.h"
#include "validate.h"

#define MAP_MAX_AGE_MS 2000 /* mappings another daemon changed are seen within this */
#define PART_MAX_SAMPLES 10000
#define PUSH_METRICS "/ims.v1.Events/PushMetrics"

struct job;

struct rpc_remote_write {
    struct rpc_server *server;
    struct db_pool *pool;
    struct remote_write_limits limits;
    struct series_map map;
    uint64_t map_generation;
    uint64_t map_loaded_ms;
    int map_ready;
    int loading;
    struct job *waiting; /* requests waiting for the mappings */
    struct rpc_remote_write_stats stats;
    int jobs;      /* requests in progress */
    int closing;
};

struct part {
    struct job *job;
    Ims__V1__PushMetricsRequest req;
    Ims__V1__Sample **ptrs;
    Ims__V1__Sample *samples;
    char *times; /* 32 bytes per sample: RFC 3339 */
    char key[96];
    char tenant[40]; /* the part's own copies: the mappings may be reloaded meanwhile */
};

struct job {
    struct auth_wait wait; /* the token's lookup */
    struct rpc_remote_write *rw;
    struct ops_http_request *http;
    char *token;
    struct auth_principal principal; /* the token's: whose mappings its series may take */
    Prometheus__WriteRequest *body;
    char digest[33]; /* half the body's SHA-256, hex */
    struct part *parts;
    size_t part_count, parts_left;
    int status;      /* the worst answer so far (HTTP) */
    char message[300];
    struct job *next;
};

/* ---- answers --------------------------------------------------------------------------- */

static int http_status_of(int grpc)
{
    switch (grpc) {
    case IMS_GRPC_OK:
        return 204;
    case IMS_GRPC_UNAUTHENTICATED:
        return 401;
    case IMS_GRPC_PERMISSION_DENIED:
        return 403;
    case IMS_GRPC_RESOURCE_EXHAUSTED:
        return 429;
    case IMS_GRPC_UNAVAILABLE:
    case IMS_GRPC_DEADLINE_EXCEEDED:
    case IMS_GRPC_CANCELLED:
        return 503;
    case IMS_GRPC_INVALID_ARGUMENT:
    case IMS_GRPC_NOT_FOUND:
    case IMS_GRPC_ALREADY_EXISTS:
    case IMS_GRPC_FAILED_PRECONDITION:
    case IMS_GRPC_OUT_OF_RANGE:
        return 400;
    default:
        return 500;
    }
}

/* Which of two answers a request with several parts gives: what the sender must fix
 * first (no retry), then what a retry can fix, then success. */
static int severity(int http)
{
    switch (http) {
    case 401: return 7;
    case 403: return 6;
    case 400: return 5;
    case 500: return 4;
    case 503: return 3;
    case 429: return 2;
    default: return 1;
    }
}

static void receiver_release(struct rpc_remote_write *rw)
{
    if (!rw->closing || rw->loading || rw->jobs > 0)
        return;
    series_map_free(&rw->map);
    free(rw);
}

static void job_free(struct job *job)
{
    for (size_t i = 0; i < job->part_count; i++) {
        free(job->parts[i].ptrs);
        free(job->parts[i].samples);
        free(job->parts[i].times);
    }
    free(job->parts);
    remote_write_free(job->body);
    auth_principal_free(&job->principal);
    free(job->token);
    struct rpc_remote_write *rw = job->rw;
    rw->jobs--;
    free(job);
    receiver_release(rw);
}

static void job_answer(struct job *job, int status, const char *message)
{
    struct rpc_remote_write *rw = job->rw;
    if (status >= 200 && status < 300) {
        (void)ops_http_respond(job->http, 204, NULL, NULL, NULL, 0);
    } else {
        char body[400];
        int n = snprintf(body, sizeof body, "%s\n", message && *message ? message : "failed");
        (void)ops_http_respond(job->http, status, "text/plain; charset=utf-8",
                               status == 429 || status == 503 ? "Retry-After: 1\r\n" : NULL, body,
                               (size_t)n);
    }
    int k = status == 204 ? RW_ANSWER_OK
            : status == 429 || status >= 500 ? RW_ANSWER_RETRY
                                             : RW_ANSWER_REFUSED;
    rw->stats.requests[k]++;
    job_free(job);
}

static void fail_request(struct ops_http_request *http, struct rpc_remote_write *rw, int status,
                         const char *message)
{
    char body[400];
    int n = snprintf(body, sizeof body, "%s\n", message);
    (void)ops_http_respond(http, status, "text/plain; charset=utf-8", NULL, body, (size_t)n);
    rw->stats.requests[status == 429 || status >= 500 ? RW_ANSWER_RETRY : RW_ANSWER_REFUSED]++;
}

/* ---- the calls ------------------------------------------------------------------------- */

static void part_done(int status, const char *message, const uint8_t *response, size_t len,
                      void *arg)
{
    struct part *part = arg;
    struct job *job = part->job;
    (void)response;
    (void)len;
    int http = http_status_of(status);
    if (status == IMS_GRPC_OK)
        job->rw->stats.samples[RW_SAMPLES_STORED] += part->req.n_samples;
    else
        job->rw->stats.samples[RW_SAMPLES_REFUSED] += part->req.n_samples;
    if (severity(http) > severity(job->status)) {
        job->status = http;
        snprintf(job->message, sizeof job->message, "tenant %s: %s", part->tenant,
                 message ? message : "failed");
    }
    if (--job->parts_left == 0)
        job_answer(job, job->status, job->message);
}

/* The series' labels as matchers see them. */
static size_t labels_of(const Prometheus__TimeSeries *ts, struct series_label *out, size_t max)
{
    size_t n = ts->n_labels < max ? ts->n_labels : max;
    for (size_t i = 0; i < n; i++) {
        out[i].name = ts->labels[i]->name;
        out[i].value = ts->labels[i]->value;
    }
    return n;
}

/* Adds the samples of one mapped series to its tenant's parts, a new part when the
 * tenant has none or its last one is full. Returns 0 or IMS_ENOMEM. */
static int add_series(struct job *job, const struct series_map_entry *e,
                      const Prometheus__TimeSeries *ts, size_t *capacity)
{
    for (size_t s = 0; s < ts->n_samples; s++) {
        const Prometheus__Sample *smp = ts->samples[s];
        if (!isfinite(smp->value)) { /* staleness markers and the like: not a measurement */
            job->rw->stats.samples[RW_SAMPLES_NOT_FINITE]++;
            continue;
        }
        struct part *part = NULL;
        for (size_t i = job->part_count; i-- > 0;) {
            if (strcmp(job->parts[i].tenant, e->tenant) == 0) {
                if (job->parts[i].req.n_samples < PART_MAX_SAMPLES)
                    part = &job->parts[i];
                break;
            }
        }
        if (!part) {
            if (job->part_count == *capacity) {
                size_t cap = *capacity ? *capacity * 2 : 4;
                struct part *grown = realloc(job->parts, cap * sizeof *grown);
                if (!grown)
                    return IMS_ENOMEM;
                job->parts = grown;
                *capacity = cap;
            }
            part = &job->parts[job->part_count];
            memset(part, 0, sizeof *part);
            ims__v1__push_metrics_request__init(&part->req);
            part->job = job;
            snprintf(part->tenant, sizeof part->tenant, "%s", e->tenant);
            /* Numbered within its tenant, so that a retry after the mappings of other
             * tenants changed still carries the same key. */
            size_t nth = 0;
            for (size_t i = 0; i < job->part_count; i++)
                nth += strcmp(job->parts[i].tenant, e->tenant) == 0;
            snprintf(part->key, sizeof part->key, "remote-write-%s-%zu", job->digest, nth);
            part->ptrs = malloc(PART_MAX_SAMPLES * sizeof *part->ptrs);
            part->samples = malloc(PART_MAX_SAMPLES * sizeof *part->samples);
            part->times = malloc(PART_MAX_SAMPLES * 32);
            job->part_count++;
            if (!part->ptrs || !part->samples || !part->times)
                return IMS_ENOMEM;
        }
        size_t k = part->req.n_samples++;
        Ims__V1__Sample *out = &part->samples[k];
        ims__v1__sample__init(out);
        out->metric = e->metric;
        out->value = smp->value;
        /* Milliseconds, floored to the second the model counts in. */
        int64_t seconds = smp->timestamp / 1000 - (smp->timestamp % 1000 < 0);
        validate_format_time(seconds, part->times + k * 32, 32);
        out->at = part->times + k * 32;
        part->ptrs[k] = out;
    }
    return 0;
}

static int in_scope(const char *tenant, void *principal)
{
    return auth_tenant_in_scope(principal, tenant);
}

static void job_run(struct job *job)
{
    struct rpc_remote_write *rw = job->rw;
    size_t capacity = 0;
    for (size_t i = 0; i < job->body->n_timeseries; i++) {
        const Prometheus__TimeSeries *ts = job->body->timeseries[i];
        struct series_label labels[64];
        size_t n = labels_of(ts, labels, 64);
        /* Only the mappings of tenants this token may push for: another tenant's mapping,
         * however broad, never takes this sender's series. */
        const struct series_map_entry *e =
            series_map_find_in(&rw->map, labels, n, in_scope, &job->principal);
        if (!e) {
            rw->stats.samples[RW_SAMPLES_UNMAPPED] += ts->n_samples;
            continue;
        }
        if (add_series(job, e, ts, &capacity) != 0) {
            job_answer(job, 503, "out of memory");
            return;
        }
    }
    if (job->part_count == 0) {
        job_answer(job, 204, NULL);
        return;
    }
    job->status = 204;
    /* One more than the parts while they are sent: a part may end before the next is. */
    job->parts_left = job->part_count + 1;
    for (size_t i = 0; i < job->part_count; i++) {
        struct part *part = &job->parts[i];
        /* Pointers into the part are set now that the array has stopped moving. */
        part->req.samples = part->ptrs;
        part->req.tenant = part->tenant;
        part->req.idempotency_key = part->key;
        rpc_call_local(rw->server, PUSH_METRICS, job->token, &part->req.base, part_done, part);
    }
    if (--job->parts_left == 0)
        job_answer(job, job->status, job->message);
}

/* ---- the mappings ---------------------------------------------------------------------- */

static void run_waiting(struct rpc_remote_write *rw, int status, const char *message)
{
    struct job *job = rw->waiting;
    rw->waiting = NULL;
    while (job) {
        struct job *next = job->next;
        if (status)
            job_answer(job, status, message);
        else
            job_run(job);
        job = next;
    }
}

static void map_loaded(struct db_txn *txn, int err, void *arg)
{
    struct rpc_remote_write *rw = arg;
    rw->loading = 0;
    if (rw->closing) {
        db_txn_free(txn);
        rw->jobs++; /* held while the waiting requests are answered */
        run_waiting(rw, 503, "shutting down");
        rw->jobs--;
        receiver_release(rw);
        return;
    }
    if (err != 0) {
        log_warning("remote_write mappings not loaded", "error=\"%s\"",
                    txn ? db_txn_error(txn) : ims_strerror(err));
        db_txn_free(txn);
        run_waiting(rw, 503, "the series mappings cannot be read now; retry later");
        return;
    }
    struct series_map map = {0};
    PGresult *r = db_txn_result(txn, 0);
    for (int row = 0; row < PQntuples(r); row++) {
        char *lines = strdup(PQgetvalue(r, row, 3));
        const char *matchers[SERIES_MAP_MAX_MATCHERS];
        size_t n = 0;
        for (char *line = lines ? strtok(lines, "\n") : NULL;
             line && n < SERIES_MAP_MAX_MATCHERS; line = strtok(NULL, "\n"))
            matchers[n++] = line;
        char why[200];
        if (!lines || series_map_add(&map, PQgetvalue(r, row, 0), PQgetvalue(r, row, 1),
                                     PQgetvalue(r, row, 2), matchers, n, why, sizeof why) != 0)
            log_warning("remote_write mapping skipped", "id=%s", PQgetvalue(r, row, 0));
        free(lines);
    }
    db_txn_free(txn);
    series_map_free(&rw->map);
    rw->map = map;
    rw->map_ready = 1;
    rw->map_loaded_ms = uv_now(rpc_server_loop(rw->server));
    run_waiting(rw, 0, NULL);
}

static int map_is_fresh(struct rpc_remote_write *rw, uint64_t generation)
{
    return rw->map_ready && rw->map_generation == generation &&
           uv_now(rpc_server_loop(rw->server)) - rw->map_loaded_ms < MAP_MAX_AGE_MS;
}

static void map_load(struct rpc_remote_write *rw)
{
    if (rw->loading)
        return;
    rw->map_generation = rpc_series_maps_generation(rw->server);
    struct db_txn *txn = db_txn_new(rw->pool, NULL, 1);
    if (!txn || db_txn_add(txn, STMT_SERIES_MAPS_ALL, 0, NULL) < 0) {
        db_txn_free(txn);
        run_waiting(rw, 503, "out of memory");
        return;
    }
    rw->loading = 1;
    db_txn_exec(txn, map_loaded, rw);
}

/* ---- the route ------------------------------------------------------------------------- */

/* The token is good for pushing samples: now the body is decoded and mapped. */
static void job_authenticated(int result, const struct auth_principal *principal, void *arg)
{
    struct job *job = arg;
    struct rpc_remote_write *rw = job->rw;
    /* The permission table decides, as it will again for each tenant's PushMetrics. */
    if (result != 0 ||
        !auth_role_allowed(principal, auth_permission_for(PUSH_METRICS))) {
        job_answer(job, result == IMS_ENOTFOUND ? 401 : result != 0 ? 503 : 403,
                   result == IMS_ENOTFOUND ? "invalid, expired or revoked token"
                   : result != 0           ? "cannot check the token now; retry later"
                                           : "this token's role may not push samples");
        return;
    }
    if (auth_principal_copy(&job->principal, principal) != 0) {
        job_answer(job, 503, "out of memory");
        return;
    }
    size_t len;
    const uint8_t *body = ops_http_body(job->http, &len);
    char err[200];
    int rc = remote_write_decode(body, len, ops_http_header(job->http, "content-encoding"),
                                 ops_http_header(job->http, "content-type"), &rw->limits,
                                 &job->body, err, sizeof err);
    if (rc != 0) {
        job_answer(job, rc == IMS_ETOOBIG ? 413 : rc == IMS_ENOMEM ? 503 : 400, err);
        return;
    }
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(body, len, digest);
    for (int i = 0; i < 16; i++)
        snprintf(job->digest + 2 * i, 3, "%02x", digest[i]);
    uint64_t generation = rpc_series_maps_generation(rw->server);
    if (map_is_fresh(rw, generation)) {
        job_run(job);
        return;
    }
    job->next = rw->waiting;
    rw->waiting = job;
    map_load(rw);
}

void rpc_remote_write_serve(struct ops_http_request *http, void *arg)
{
    struct rpc_remote_write *rw = arg;
    const char *token = auth_bearer_token(ops_http_header(http, "authorization"));
    if (!token || !auth_token_well_formed(token)) {
        fail_request(http, rw, 401,
                     token ? "malformed bearer token"
                           : "missing bearer token (Authorization: Bearer <token>)");
        return;
    }
    struct job *job = calloc(1, sizeof *job);
    if (!job || !(job->token = strdup(token))) {
        free(job);
        fail_request(http, rw, 503, "out of memory");
        return;
    }
    rw->jobs++;
    job->rw = rw;
    job->http = http;
    /* Nothing of the body is decoded for a caller whose token is not good. */
    rpc_server_authenticate(rw->server, job->token, &job->wait, job_authenticated, job);
}

int rpc_remote_write_new(struct rpc_server *server, const struct remote_write_limits *limits,
                         struct rpc_remote_write **out)
{
    struct rpc_remote_write *rw = calloc(1, sizeof *rw);
    if (!rw)
        return IMS_ENOMEM;
    rw->server = server;
    rw->pool = rpc_server_pool(server);
    rw->limits = *limits;
    *out = rw;
    return 0;
}

void rpc_remote_write_free(struct rpc_remote_write *rw)
{
    if (!rw)
        return;
    rw->closing = 1;
    receiver_release(rw);
}

void rpc_remote_write_stats(const struct rpc_remote_write *rw, struct rpc_remote_write_stats *out)
{
    *out = rw->stats;
}
