/*
 * A snapshot document's parse when it carries many samples: the worked example with N
 * samples of one metric added, their times ascending or descending (an export writes them
 * ascending; a hand-made or converted document may not). Prints the seconds of
 * engine_snapshot_parse for each order.
 * Usage: bench_parse [samples]    (280,000 by default: about 20 MB of document)
 */
#include "engine.h"
#include "ims/malloc_tune.h"
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[*len] = '\0';
    return buf;
}

/* The example with n samples of patch_latency_days before its own, one second apart. */
static char *document(const char *example, int n, int descending, size_t *len)
{
    const char *open = strchr(strstr(example, "\"samples\""), '[');
    size_t head = (size_t)(open + 1 - example), cap = strlen(example) + (size_t)n * 80;
    char *doc = malloc(cap);
    if (!doc)
        return NULL;
    memcpy(doc, example, head);
    *len = head;
    for (int i = 0; i < n; i++) {
        time_t t = (time_t)(INT64_C(1780000000) + (descending ? n - i : i));
        struct tm tm;
        char at[32];
        gmtime_r(&t, &tm);
        strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
        *len += (size_t)sprintf(doc + *len,
                                "{\"metric\": \"patch_latency_days\", \"at\": \"%s\", "
                                "\"value\": %d},",
                                at, i % 30);
    }
    strcpy(doc + *len, open + 1);
    *len += strlen(open + 1);
    return doc;
}

int main(int argc, char **argv)
{
    ims_malloc_tune();
    int n = argc > 1 ? atoi(argv[1]) : 280000;
    size_t example_len;
    char *example = slurp(ENGINE_TEST_DATA "/worked-example.json", &example_len);
    if (!example || n < 1) {
        fprintf(stderr, "bench_parse: cannot read the worked example\n");
        return 1;
    }
    for (int descending = 0; descending < 2; descending++) {
        size_t len;
        char *doc = document(example, n, descending, &len);
        engine_model *m = NULL;
        bool has_at;
        int64_t at;
        engine_error e;
        double t0 = now_s();
        int rc = doc ? engine_snapshot_parse(doc, len, &m, &has_at, &at, &e) : 1;
        double t1 = now_s();
        if (rc) {
            fprintf(stderr, "bench_parse: %s\n", doc ? e.msg : "out of memory");
            return 1;
        }
        printf("parse, %d samples %s (%zu bytes): %.3f s\n", n,
               descending ? "descending" : "ascending ", len, t1 - t0);
        engine_model_free(m);
        free(doc);
    }
    free(example);
    return 0;
}
