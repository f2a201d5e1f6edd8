/*
 * Real-time latency: from sending SubmitIncident to a watcher receiving the level of that
 * write, beside the database's own latency of committing one row.
 *
 * One thread watches WatchSecurityLevel for the tenant on its own connection; the main
 * thread submits incidents one after another on another connection (severity 1..5 in
 * turn, so that the level moves) and, for each, waits until the watcher has received the
 * level with the revision the answer named. Latency is from just before the send to the
 * watcher's receipt. Then, when --db-dsn is given, the same number of single-row INSERTs,
 * each its own transaction (autocommit), go into a scratch table over libpq.
 *
 * Output: one line per measurement, key=value, for bench/latency/run.sh to read.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "ims/client.h"

#define RING 64
#define WAIT_S 5.0

static const char *server, *token, *tenant, *control, *db_dsn, *key_prefix = "lat";
static int count = 2000;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t seen_cond = PTHREAD_COND_INITIALIZER;
static int64_t seen_revision[RING];
static double seen_at[RING];
static int64_t last_revision = -1;
static int watch_error;
static atomic_int stopping, watcher_done;

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
    return sorted[(int)(p * (n - 1) + 0.5)];
}

static void report(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += ms[i];
    printf("%s count=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f\n", what, n,
           percentile(ms, n, 0.50), percentile(ms, n, 0.90), percentile(ms, n, 0.99),
           n ? ms[n - 1] : 0, n ? sum / n : 0);
    fflush(stdout);
}

static ims_client *client_open(int timeout_ms)
{
    ims_client_options o = {.server = server, .token = token, .timeout_ms = timeout_ms};
    ims_client *c = NULL;
    char err[256] = "";
    if (ims_client_new(&o, &c, err, sizeof err) != 0) {
        fprintf(stderr, "bench_latency: client: %s\n", err);
        exit(1);
    }
    return c;
}

static void on_signal(int sig)
{
    (void)sig;
}

static void *watch_thread(void *arg)
{
    (void)arg;
    ims_client *c = client_open(0);
    Ims__V1__WatchSecurityLevelRequest req = IMS__V1__WATCH_SECURITY_LEVEL_REQUEST__INIT;
    req.tenant = (char *)tenant;
    ims_client_stream *s = NULL;
    int rc = ims_client_watch_security_level(c, &req, &s);
    while (rc == 0 && !atomic_load(&stopping)) {
        ProtobufCMessage *m = NULL;
        int n = ims_client_stream_next(s, &ims__v1__security_level__descriptor, &m);
        double at = now_s();
        if (n == IMS_EINTR)
            continue;
        if (n != 0) {
            rc = n ? n : -1;
            break;
        }
        int64_t revision = ((Ims__V1__SecurityLevel *)m)->revision;
        protobuf_c_message_free_unpacked(m, NULL);
        pthread_mutex_lock(&lock);
        seen_revision[revision % RING] = revision;
        seen_at[revision % RING] = at;
        last_revision = revision;
        pthread_cond_broadcast(&seen_cond);
        pthread_mutex_unlock(&lock);
    }
    if (rc != 0 && !atomic_load(&stopping)) {
        fprintf(stderr, "bench_latency: watch: %s (status %d)\n", ims_client_error(c),
                ims_client_grpc_status(c));
        pthread_mutex_lock(&lock);
        watch_error = 1;
        pthread_cond_broadcast(&seen_cond);
        pthread_mutex_unlock(&lock);
    }
    ims_client_stream_close(s);
    ims_client_free(c);
    atomic_store(&watcher_done, 1);
    return NULL;
}

/* Waits until the watcher has seen revision (or later); returns its receipt time or < 0. */
static double wait_revision(int64_t revision)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)WAIT_S;
    double at = -1;
    pthread_mutex_lock(&lock);
    while (last_revision < revision && !watch_error)
        if (pthread_cond_timedwait(&seen_cond, &lock, &until) != 0)
            break;
    if (seen_revision[revision % RING] == revision)
        at = seen_at[revision % RING];
    pthread_mutex_unlock(&lock);
    return at;
}

static void stop_watcher(pthread_t th)
{
    atomic_store(&stopping, 1);
    /* The signal interrupts the watcher's blocking read; send it until the thread ends. */
    for (int i = 0; i < 500 && !atomic_load(&watcher_done); i++) {
        pthread_kill(th, SIGUSR1);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    pthread_join(th, NULL);
}

static void run_daemon(void)
{
    pthread_t th;
    pthread_create(&th, NULL, watch_thread, NULL);
    /* The first message is the current level: wait for it before timing anything. */
    if (wait_revision(0) < 0 && last_revision < 0) {
        fprintf(stderr, "bench_latency: no first level from the watch\n");
        exit(1);
    }
    ims_client *c = client_open(10000);
    double *e2e = calloc((size_t)count, sizeof *e2e);
    double *rpc = calloc((size_t)count, sizeof *rpc);
    char key[128];
    char *controls[1] = {(char *)control};
    int failed = 0;
    for (int i = 0; i < count; i++) {
        Ims__V1__Incident inc = IMS__V1__INCIDENT__INIT;
        inc.severity = 1 + i % 5;
        inc.description = "latency benchmark";
        if (control) {
            inc.controls = controls;
            inc.n_controls = 1;
        }
        Ims__V1__SubmitIncidentRequest req = IMS__V1__SUBMIT_INCIDENT_REQUEST__INIT;
        req.tenant = (char *)tenant;
        req.incident = &inc;
        snprintf(key, sizeof key, "%s-%d", key_prefix, i);
        req.idempotency_key = key;
        Ims__V1__IncidentResult *res = NULL;
        double t0 = now_s();
        if (ims_client_submit_incident(c, &req, &res) != 0) {
            fprintf(stderr, "bench_latency: incident %d: %s (status %d)\n", i,
                    ims_client_error(c), ims_client_grpc_status(c));
            failed = 1;
            break;
        }
        double answered = now_s();
        int64_t revision = res->revision;
        ims__v1__incident_result__free_unpacked(res, NULL);
        double seen = wait_revision(revision);
        if (seen < 0) {
            fprintf(stderr, "bench_latency: the watcher did not get revision %lld\n",
                    (long long)revision);
            failed = 1;
            break;
        }
        e2e[i] = (seen - t0) * 1e3;
        rpc[i] = (answered - t0) * 1e3;
    }
    ims_client_free(c);
    stop_watcher(th);
    if (failed)
        exit(1);
    report("submit_to_watcher", e2e, count);
    report("submit_rpc", rpc, count);
    free(e2e);
    free(rpc);
}

static void run_db(void)
{
    PGconn *pg = PQconnectdb(db_dsn);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "bench_latency: db: %s", PQerrorMessage(pg));
        exit(1);
    }
    PGresult *r = PQexec(pg, "DROP TABLE IF EXISTS bench_commit_latency; CREATE TABLE "
                             "bench_commit_latency (id int PRIMARY KEY, at timestamptz NOT NULL "
                             "DEFAULT now(), note text NOT NULL)");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "bench_latency: db: %s", PQerrorMessage(pg));
        exit(1);
    }
    PQclear(r);
    r = PQprepare(pg, "ins", "INSERT INTO bench_commit_latency (id, note) VALUES ($1::int, $2)",
                  2, NULL);
    PQclear(r);
    double *ms = calloc((size_t)count, sizeof *ms);
    for (int i = 0; i < count; i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", i);
        const char *params[2] = {id, "latency benchmark"};
        double t0 = now_s();
        r = PQexecPrepared(pg, "ins", 2, params, NULL, NULL, 0);
        ms[i] = (now_s() - t0) * 1e3;
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "bench_latency: db: %s", PQerrorMessage(pg));
            exit(1);
        }
        PQclear(r);
    }
    PQclear(PQexec(pg, "DROP TABLE bench_commit_latency"));
    PQfinish(pg);
    report("db_single_row_commit", ms, count);
    free(ms);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_latency --server ADDR --token TOKEN --tenant ID [--control C]\n"
                    "       [--count N] [--key-prefix P] [--db-dsn DSN]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        const char *a = argv[i], *v = argv[++i];
        if (!strcmp(a, "--server"))
            server = v;
        else if (!strcmp(a, "--token"))
            token = v;
        else if (!strcmp(a, "--tenant"))
            tenant = v;
        else if (!strcmp(a, "--control"))
            control = v;
        else if (!strcmp(a, "--count"))
            count = atoi(v);
        else if (!strcmp(a, "--key-prefix"))
            key_prefix = v;
        else if (!strcmp(a, "--db-dsn"))
            db_dsn = v;
        else
            usage();
    }
    if (!server || !token || !tenant || count < 1 || count > 1000000)
        usage();
    /* No SA_RESTART: the signal must interrupt the watcher's wait. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    run_daemon();
    if (db_dsn)
        run_db();
    return 0;
}
