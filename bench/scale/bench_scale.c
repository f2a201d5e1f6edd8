/*
 * Tenants at scale: reads spread over many tenants of one daemon whose tenant-state cache
 * may hold only some of them.
 *
 * Phase 1 (first reads): every tenant read once, one after another on one connection, in
 * a random order; each read loads the tenant from the database (a tenant never read, or
 * evicted since), so its latency is the load of one tenant. Phase 2 (random reads):
 * --connections threads, one connection each, GetSecurityLevel for a tenant drawn at
 * random from all of them, for --seconds; throughput and latency, counting how many
 * calls failed. Phase 3 (evicted): when --evicted-reads N is given, N tenants read in
 * phase 1 long before (the first N of its order, the least recently used) read again
 * one after another: under a budget smaller than every tenant they were evicted, and this
 * is the first read of an evicted tenant.
 *
 * Tenants come from --tenants-file (one UUID per line). Output: key=value lines for
 * bench/scale/run.sh.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ims/client.h"

static const char *server, *token, *tenants_file;
static int connections = 4, seconds = 10, evicted_reads = 0;
static char **tenants;
static int tenant_n;
static atomic_int stop;

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

static void report(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += ms[i];
#define P(p) (n ? ms[(int)((p) * (n - 1) + 0.5)] : 0)
    printf("%s count=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f\n", what, n,
           P(0.50), P(0.90), P(0.99), n ? ms[n - 1] : 0, n ? sum / n : 0);
#undef P
    fflush(stdout);
}

static ims_client *client_open(void)
{
    ims_client_options o = {.server = server, .token = token, .timeout_ms = 30000};
    ims_client *c = NULL;
    char err[256] = "";
    if (ims_client_new(&o, &c, err, sizeof err) != 0) {
        fprintf(stderr, "bench_scale: client: %s\n", err);
        exit(1);
    }
    return c;
}

static int read_level(ims_client *c, const char *tenant)
{
    Ims__V1__GetSecurityLevelRequest req = IMS__V1__GET_SECURITY_LEVEL_REQUEST__INIT;
    req.tenant = (char *)tenant;
    Ims__V1__SecurityLevel *res = NULL;
    if (ims_client_get_security_level(c, &req, &res) != 0) {
        fprintf(stderr, "bench_scale: GetSecurityLevel %s: %s\n", tenant, ims_client_error(c));
        return -1;
    }
    ims__v1__security_level__free_unpacked(res, NULL);
    return 0;
}

static void load_tenants(void)
{
    FILE *f = fopen(tenants_file, "r");
    if (!f) {
        perror(tenants_file);
        exit(1);
    }
    char line[128];
    int cap = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (strlen(line) != 36)
            continue;
        if (tenant_n == cap) {
            cap = cap ? cap * 2 : 1024;
            tenants = realloc(tenants, (size_t)cap * sizeof *tenants);
        }
        tenants[tenant_n++] = strdup(line);
    }
    fclose(f);
    if (tenant_n == 0) {
        fprintf(stderr, "bench_scale: no tenant in %s\n", tenants_file);
        exit(1);
    }
}

struct worker {
    unsigned seed;
    double *ms;
    int n, cap, failed;
};

static void *random_reads(void *arg)
{
    struct worker *w = arg;
    ims_client *c = client_open();
    while (!atomic_load(&stop)) {
        const char *t = tenants[rand_r(&w->seed) % (unsigned)tenant_n];
        double t0 = now_s();
        if (read_level(c, t) != 0) {
            w->failed++;
            continue;
        }
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 65536;
            w->ms = realloc(w->ms, (size_t)w->cap * sizeof *w->ms);
        }
        w->ms[w->n++] = (now_s() - t0) * 1000;
    }
    ims_client_free(c);
    return NULL;
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (!strcmp(a, "--server"))
            server = v;
        else if (!strcmp(a, "--token"))
            token = v;
        else if (!strcmp(a, "--tenants-file"))
            tenants_file = v;
        else if (!strcmp(a, "--connections"))
            connections = atoi(v);
        else if (!strcmp(a, "--seconds"))
            seconds = atoi(v);
        else if (!strcmp(a, "--evicted-reads"))
            evicted_reads = atoi(v);
    }
    if (!server || !token || !tenants_file || connections < 1 || connections > 64 ||
        seconds < 1) {
        fprintf(stderr, "usage: bench_scale --server ADDR --token TOKEN --tenants-file FILE\n"
                        "       [--connections N] [--seconds N] [--evicted-reads N]\n");
        return 2;
    }
    load_tenants();
    unsigned seed = 12345;
    for (int i = tenant_n - 1; i > 0; i--) { /* a random order for the first reads */
        int j = (int)(rand_r(&seed) % (unsigned)(i + 1));
        char *x = tenants[i];
        tenants[i] = tenants[j];
        tenants[j] = x;
    }
    ims_client *c = client_open();
    double *first = malloc((size_t)tenant_n * sizeof *first);
    double t_all = now_s();
    for (int i = 0; i < tenant_n; i++) {
        double t0 = now_s();
        if (read_level(c, tenants[i]) != 0)
            return 1;
        first[i] = (now_s() - t0) * 1000;
    }
    t_all = now_s() - t_all;
    report("first_read", first, tenant_n);
    printf("first_reads tenants=%d seconds=%.3f\n", tenant_n, t_all);

    pthread_t th[64];
    struct worker ws[64];
    memset(ws, 0, sizeof ws);
    atomic_store(&stop, 0);
    double t0 = now_s();
    for (int i = 0; i < connections; i++) {
        ws[i].seed = 1000u + (unsigned)i;
        pthread_create(&th[i], NULL, random_reads, &ws[i]);
    }
    struct timespec sl = {seconds, 0};
    nanosleep(&sl, NULL);
    atomic_store(&stop, 1);
    long total = 0, failed = 0;
    for (int i = 0; i < connections; i++) {
        pthread_join(th[i], NULL);
        total += ws[i].n;
        failed += ws[i].failed;
    }
    double elapsed = now_s() - t0;
    double *all = malloc((size_t)(total ? total : 1) * sizeof *all);
    long k = 0;
    for (int i = 0; i < connections; i++) {
        memcpy(all + k, ws[i].ms, (size_t)ws[i].n * sizeof *all);
        k += ws[i].n;
        free(ws[i].ms);
    }
    printf("random_reads connections=%d calls=%ld failed=%ld seconds=%.3f calls_per_s=%.0f\n",
           connections, total, failed, elapsed, (double)total / elapsed);
    report("random_read", all, (int)total);

    if (evicted_reads > 0) {
        int n = evicted_reads < tenant_n ? evicted_reads : tenant_n;
        double *ev = malloc((size_t)n * sizeof *ev);
        for (int i = 0; i < n; i++) {
            double t1 = now_s();
            if (read_level(c, tenants[i]) != 0)
                return 1;
            ev[i] = (now_s() - t1) * 1000;
        }
        report("evicted_read", ev, n);
        free(ev);
    }
    ims_client_free(c);
    free(all);
    free(first);
    return 0;
}
