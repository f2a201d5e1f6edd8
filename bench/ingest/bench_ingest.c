/*
 * Ingest load generator: durable metric samples per second through imsd, beside a raw COPY
 * of the same number of rows into the same table.
 *
 * Several connections (one thread and one libimsclient client each) send PushMetrics
 * batches with an idempotency key each, round-robin over the tenants. A batch counts when
 * its answer arrives, and imsd answers only after the flush holding it committed, so the
 * figure is of durable samples. Then, when --copy-dsn is given, the same number of rows
 * goes into metric_samples with COPY FROM STDIN over libpq (one COPY per connection, one
 * transaction each), and the ratio of the two rates is printed; with --insert-floor 1 also
 * through INSERT, one statement and one transaction per batch.
 *
 * Output: one line per measurement, key=value, for bench/ingest/run.sh to read.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "ims/client.h"

#define MAX_TENANTS 256
#define MAX_METRICS 256
#define MAX_THREADS 64
#define COPY_CHUNK (256 * 1024)

struct options {
    const char *server;
    const char *token;
    const char *copy_dsn;
    const char *key_prefix;
    char *tenants[MAX_TENANTS];
    int n_tenants;
    char *metrics[MAX_METRICS];
    int n_metrics;
    int connections;
    int copy_connections;
    int insert_floor; /* also the same rows through INSERT, a batch per transaction */
    int batches;
    int batch_size;
    int timeout_ms;
};

static struct options opt = {
    .connections = 8,
    .copy_connections = 1,
    .batches = 200,
    .batch_size = 1000,
    .timeout_ms = 60000,
    .key_prefix = "bench",
};

/* The sample times of a batch, shared read-only by every thread. */
static char **sample_times;
static atomic_int next_batch;
static atomic_int failures;
static double *batch_ms;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(double *sorted, int n, double p)
{
    if (n == 0)
        return 0;
    int i = (int)(p * (n - 1) + 0.5);
    return sorted[i];
}

static int split_list(char *s, char **items, int max)
{
    int n = 0;
    for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ","))
        items[n++] = tok;
    return n;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_ingest --server ADDR --token TOKEN --tenants ID,... --metrics M,...\n"
            "       [--connections N] [--batches N] [--batch-size N] [--key-prefix P]\n"
            "       [--copy-dsn DSN] [--copy-connections N] [--insert-floor 0|1] [--timeout-ms N]\n");
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            usage();
        char *v = argv[++i];
        if (!strcmp(a, "--server"))
            opt.server = v;
        else if (!strcmp(a, "--token"))
            opt.token = v;
        else if (!strcmp(a, "--tenants"))
            opt.n_tenants = split_list(v, opt.tenants, MAX_TENANTS);
        else if (!strcmp(a, "--metrics"))
            opt.n_metrics = split_list(v, opt.metrics, MAX_METRICS);
        else if (!strcmp(a, "--connections"))
            opt.connections = atoi(v);
        else if (!strcmp(a, "--copy-connections"))
            opt.copy_connections = atoi(v);
        else if (!strcmp(a, "--batches"))
            opt.batches = atoi(v);
        else if (!strcmp(a, "--batch-size"))
            opt.batch_size = atoi(v);
        else if (!strcmp(a, "--key-prefix"))
            opt.key_prefix = v;
        else if (!strcmp(a, "--copy-dsn"))
            opt.copy_dsn = v;
        else if (!strcmp(a, "--timeout-ms"))
            opt.timeout_ms = atoi(v);
        else if (!strcmp(a, "--insert-floor"))
            opt.insert_floor = atoi(v);
        else
            usage();
    }
    if (!opt.server || !opt.token || opt.n_tenants < 1 || opt.n_metrics < 1 ||
        opt.connections < 1 || opt.connections > MAX_THREADS || opt.copy_connections < 1 ||
        opt.copy_connections > MAX_THREADS || opt.batches < 1 || opt.batch_size < 1 ||
        opt.batch_size > 10000)
        usage();
}

/* Sample i of every batch is at base - i seconds: distinct, in the past, near now. */
static void make_sample_times(void)
{
    time_t base = time(NULL) - 120;
    sample_times = calloc((size_t)opt.batch_size, sizeof *sample_times);
    for (int i = 0; i < opt.batch_size; i++) {
        time_t t = base - i;
        struct tm tm;
        gmtime_r(&t, &tm);
        sample_times[i] = malloc(32);
        strftime(sample_times[i], 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
}

static ims_client *client_open(void)
{
    ims_client_options o = {.server = opt.server, .token = opt.token, .timeout_ms = opt.timeout_ms};
    ims_client *c = NULL;
    char err[256] = "";
    if (ims_client_new(&o, &c, err, sizeof err) != 0) {
        fprintf(stderr, "bench_ingest: client: %s\n", err);
        exit(1);
    }
    return c;
}

/* Sends one batch; returns 0 when imsd acknowledged it. */
static int push_batch(ims_client *c, const char *tenant, const char *key, int batch, int size,
                      Ims__V1__Sample *samples, Ims__V1__Sample **ptrs)
{
    for (int i = 0; i < size; i++) {
        ims__v1__sample__init(&samples[i]);
        samples[i].metric = opt.metrics[((batch + i) % opt.n_metrics + opt.n_metrics) % opt.n_metrics];
        samples[i].at = sample_times[i];
        samples[i].value = (double)batch * 1000.0 + i;
        ptrs[i] = &samples[i];
    }
    Ims__V1__PushMetricsRequest req = IMS__V1__PUSH_METRICS_REQUEST__INIT;
    req.tenant = (char *)tenant;
    req.samples = ptrs;
    req.n_samples = (size_t)size;
    req.idempotency_key = (char *)key;
    Ims__V1__PushMetricsResponse *res = NULL;
    int rc = ims_client_push_metrics(c, &req, &res);
    if (rc != 0) {
        fprintf(stderr, "bench_ingest: batch %d (%s): %s (status %d)\n", batch, key,
                ims_client_error(c), ims_client_grpc_status(c));
        return rc;
    }
    rc = res->accepted == size ? 0 : -1;
    if (rc)
        fprintf(stderr, "bench_ingest: batch %d: accepted %lld of %d\n", batch,
                (long long)res->accepted, size);
    ims__v1__push_metrics_response__free_unpacked(res, NULL);
    return rc;
}

static void *ingest_thread(void *arg)
{
    (void)arg;
    ims_client *c = client_open();
    Ims__V1__Sample *samples = calloc((size_t)opt.batch_size, sizeof *samples);
    Ims__V1__Sample **ptrs = calloc((size_t)opt.batch_size, sizeof *ptrs);
    char key[128];
    for (;;) {
        int b = atomic_fetch_add(&next_batch, 1);
        if (b >= opt.batches)
            break;
        snprintf(key, sizeof key, "%s-%d", opt.key_prefix, b);
        double t0 = now_s();
        if (push_batch(c, opt.tenants[b % opt.n_tenants], key, b, opt.batch_size, samples,
                       ptrs) != 0)
            atomic_fetch_add(&failures, 1);
        batch_ms[b] = (now_s() - t0) * 1e3;
    }
    free(samples);
    free(ptrs);
    ims_client_free(c);
    return NULL;
}

/* One 1-sample batch per tenant so that every tenant's state is cached before timing. */
static void warm_up(void)
{
    ims_client *c = client_open();
    Ims__V1__Sample sample;
    Ims__V1__Sample *ptr;
    char key[128];
    for (int t = 0; t < opt.n_tenants; t++) {
        snprintf(key, sizeof key, "%s-warm-%d", opt.key_prefix, t);
        if (push_batch(c, opt.tenants[t], key, -1 - t, 1, &sample, &ptr) != 0)
            exit(1);
    }
    ims_client_free(c);
}

static double run_daemon(void)
{
    warm_up();
    batch_ms = calloc((size_t)opt.batches, sizeof *batch_ms);
    pthread_t th[MAX_THREADS];
    double t0 = now_s();
    for (int i = 0; i < opt.connections; i++)
        pthread_create(&th[i], NULL, ingest_thread, NULL);
    for (int i = 0; i < opt.connections; i++)
        pthread_join(th[i], NULL);
    double secs = now_s() - t0;
    int failed = atomic_load(&failures);
    long long acked = (long long)(opt.batches - failed) * opt.batch_size;
    qsort(batch_ms, (size_t)opt.batches, sizeof *batch_ms, cmp_double);
    printf("daemon connections=%d tenants=%d batches=%d batch_size=%d failed=%d samples=%lld "
           "seconds=%.3f samples_per_s=%.0f batch_p50_ms=%.2f batch_p99_ms=%.2f\n",
           opt.connections, opt.n_tenants, opt.batches, opt.batch_size, failed, acked, secs,
           (double)acked / secs, percentile(batch_ms, opt.batches, 0.50),
           percentile(batch_ms, opt.batches, 0.99));
    fflush(stdout);
    if (failed)
        exit(1);
    return (double)acked / secs;
}

/* --- raw COPY --- */

struct copy_job {
    int first, count; /* batches */
    long long rows;
    int failed;
};

static int copy_flush(PGconn *pg, char *buf, size_t *len)
{
    if (*len && PQputCopyData(pg, buf, (int)*len) != 1)
        return -1;
    *len = 0;
    return 0;
}

static void *copy_thread(void *arg)
{
    struct copy_job *job = arg;
    PGconn *pg = PQconnectdb(opt.copy_dsn);
    char *buf = malloc(COPY_CHUNK);
    size_t len = 0;
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "bench_ingest: copy: %s", PQerrorMessage(pg));
        job->failed = 1;
        goto out;
    }
    PGresult *r = PQexec(pg, "COPY metric_samples (tenant_id, metric_id, at, value) FROM STDIN");
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        fprintf(stderr, "bench_ingest: copy: %s", PQerrorMessage(pg));
        PQclear(r);
        job->failed = 1;
        goto out;
    }
    PQclear(r);
    for (int b = job->first; b < job->first + job->count; b++) {
        const char *tenant = opt.tenants[b % opt.n_tenants];
        for (int i = 0; i < opt.batch_size; i++) {
            if (COPY_CHUNK - len < 512 && copy_flush(pg, buf, &len) != 0)
                goto copy_failed;
            /* Values apart from the daemon's (batch * 1000 + i) so the rows stay telling. */
            len += (size_t)snprintf(buf + len, COPY_CHUNK - len, "%s\t%s\t%s\t%.17g\n", tenant,
                                    opt.metrics[(b + i) % opt.n_metrics], sample_times[i],
                                    1e9 + (double)b * 1000.0 + i);
            job->rows++;
        }
    }
    if (copy_flush(pg, buf, &len) != 0)
        goto copy_failed;
    if (PQputCopyEnd(pg, NULL) != 1)
        goto copy_failed;
    while ((r = PQgetResult(pg)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "bench_ingest: copy: %s", PQresultErrorMessage(r));
            job->failed = 1;
        }
        PQclear(r);
    }
    goto out;
copy_failed:
    fprintf(stderr, "bench_ingest: copy: %s", PQerrorMessage(pg));
    job->failed = 1;
out:
    free(buf);
    PQfinish(pg);
    return NULL;
}

/* --- the same rows through INSERT, one transaction per batch --- */

/* What PostgreSQL's INSERT path costs for the same batches, each one statement and one
 * commit of its own (as the daemon's flushes are), without row-level security: the floor
 * of any durable per-batch ingest that cannot use COPY. */
static void *insert_thread(void *arg)
{
    struct copy_job *job = arg;
    PGconn *pg = PQconnectdb(opt.copy_dsn);
    size_t cap = (size_t)opt.batch_size * 48 + 16;
    char *metrics = malloc(cap), *times = malloc(cap), *values = malloc(cap);
    if (PQstatus(pg) != CONNECTION_OK || !metrics || !times || !values) {
        fprintf(stderr, "bench_ingest: insert: %s", PQerrorMessage(pg));
        job->failed = 1;
        goto out;
    }
    for (int b = job->first; b < job->first + job->count && !job->failed; b++) {
        size_t lm = 0, lt = 0, lv = 0;
        for (int i = 0; i < opt.batch_size; i++) {
            const char *sep = i ? "," : "{";
            lm += (size_t)snprintf(metrics + lm, cap - lm, "%s%s", sep,
                                   opt.metrics[(b + i) % opt.n_metrics]);
            lt += (size_t)snprintf(times + lt, cap - lt, "%s%s", sep, sample_times[i]);
            lv += (size_t)snprintf(values + lv, cap - lv, "%s%.17g", sep,
                                   2e9 + (double)b * 1000.0 + i);
        }
        snprintf(metrics + lm, cap - lm, "}");
        snprintf(times + lt, cap - lt, "}");
        snprintf(values + lv, cap - lv, "}");
        const char *params[4] = {opt.tenants[b % opt.n_tenants], metrics, times, values};
        PGresult *r = PQexecParams(
            pg,
            "INSERT INTO metric_samples (tenant_id, metric_id, at, value) SELECT $1::uuid, "
            "unnest($2::text[]), unnest($3::timestamptz[]), unnest($4::float8[])",
            4, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "bench_ingest: insert: %s", PQresultErrorMessage(r));
            job->failed = 1;
        } else {
            job->rows += opt.batch_size;
        }
        PQclear(r);
    }
out:
    free(metrics);
    free(times);
    free(values);
    PQfinish(pg);
    return NULL;
}

static double run_floor(void *(*fn)(void *), const char *what, int connections)
{
    pthread_t th[MAX_THREADS];
    struct copy_job jobs[MAX_THREADS];
    int per = opt.batches / connections, extra = opt.batches % connections, first = 0;
    double t0 = now_s();
    for (int i = 0; i < connections; i++) {
        jobs[i] = (struct copy_job){.first = first, .count = per + (i < extra)};
        first += jobs[i].count;
        pthread_create(&th[i], NULL, fn, &jobs[i]);
    }
    long long rows = 0;
    int failed = 0;
    for (int i = 0; i < connections; i++) {
        pthread_join(th[i], NULL);
        rows += jobs[i].rows;
        failed |= jobs[i].failed;
    }
    double secs = now_s() - t0;
    if (failed)
        exit(1);
    printf("%s connections=%d rows=%lld seconds=%.3f rows_per_s=%.0f\n", what, connections,
           rows, secs, (double)rows / secs);
    fflush(stdout);
    return (double)rows / secs;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    make_sample_times();
    double daemon_rate = run_daemon();
    if (!opt.copy_dsn)
        return 0;
    double copy_rate = run_floor(copy_thread, "copy", 1);
    printf("ratio daemon_over_copy=%.3f\n", daemon_rate / copy_rate);
    if (opt.copy_connections > 1) {
        double parallel_rate = run_floor(copy_thread, "copy", opt.copy_connections);
        printf("ratio daemon_over_parallel_copy=%.3f\n", daemon_rate / parallel_rate);
    }
    if (opt.insert_floor) {
        double insert_rate = run_floor(insert_thread, "insert", opt.copy_connections);
        printf("ratio daemon_over_parallel_insert=%.3f\n", daemon_rate / insert_rate);
    }
    return 0;
}
