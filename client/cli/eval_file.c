/*
 * The offline evaluation command: reading the snapshot file and the options, then
 * printing what the engine computes. See eval_file.h.
 */
#include "eval_file.h"
#include "engine.h"
#include "report.h"
#include "snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *err, const char *why)
{
    fprintf(err, "eval: %s\nusage: eval FILE [--at TIME] [--plan N | --explain K]\n", why);
    return 2;
}

static bool parse_count(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > 100000)
        return false;
    *out = (size_t)v;
    return true;
}

static bool parse_at(const char *s, int64_t *out)
{
    if (engine_time_parse(s, out) == 0)
        return true;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

/* Reads the whole file; NULL with errno set on failure. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *nb = cap < (1u << 30) ? realloc(buf, cap * 2) : NULL;
        if (!nb) {
            free(buf);
            buf = NULL;
            errno = ENOMEM;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
        errno = EIO;
    }
    fclose(f);
    *len = n;
    return buf;
}

int imsctl_eval_file(int argc, char **argv, FILE *out, FILE *err)
{
    const char *file = NULL;
    bool has_at = false, plan = false, explain = false;
    int64_t at = 0;
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--at") == 0 || strcmp(a, "--plan") == 0 || strcmp(a, "--explain") == 0) {
            if (i + 1 >= argc)
                return usage(err, "missing value after option");
            const char *v = argv[++i];
            if (a[2] == 'a') {
                if (!parse_at(v, &at))
                    return usage(err, "--at: expected RFC 3339 UTC time or epoch seconds");
                has_at = true;
            } else {
                if (plan || explain)
                    return usage(err, "--plan and --explain are exclusive");
                if (!parse_count(v, &count))
                    return usage(err, "expected a count (0..100000)");
                plan = a[2] == 'p';
                explain = !plan;
            }
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fprintf(out, "usage: eval FILE [--at TIME] [--plan N | --explain K]\n");
            return 0;
        } else if (a[0] == '-' && a[1]) {
            return usage(err, "unknown option");
        } else if (file) {
            return usage(err, "more than one FILE");
        } else {
            file = a;
        }
    }
    if (!file)
        return usage(err, "missing FILE");
    size_t len;
    char *text = read_file(file, &len);
    if (!text) {
        fprintf(err, "eval: %s: %s\n", file, strerror(errno));
        return 3;
    }
    engine_model *m;
    engine_error e = {{0}};
    bool snap_has_at;
    int64_t snap_at;
    int rc = engine_snapshot_parse(text, len, &m, &snap_has_at, &snap_at, &e);
    free(text);
    if (rc == IMS_ENOMEM) {
        fprintf(err, "eval: out of memory\n");
        return 1;
    }
    if (rc) {
        fprintf(err, "eval: %s: %s\n", file, e.msg);
        return 3;
    }
    if (!has_at) {
        if (!snap_has_at) {
            engine_model_free(m);
            return usage(err, "the snapshot has no \"at\": give --at TIME");
        }
        at = snap_at;
    }
    char *json = NULL;
    engine_eval *ev = NULL;
    rc = engine_eval_new(&ev);
    if (rc == 0)
        rc = engine_evaluate(m, at, ev, NULL);
    if (rc == 0 && plan)
        rc = engine_plan_write(ev, count, &json);
    else if (rc == 0 && explain)
        rc = engine_explain_write(ev, count, &json);
    else if (rc == 0)
        rc = engine_evaluation_write(ev, &json);
    engine_eval_free(ev);
    engine_model_free(m);
    if (rc) {
        fprintf(err, "eval: out of memory\n");
        return 1;
    }
    int code = fprintf(out, "%s\n", json) < 0 ? 1 : 0;
    free(json);
    return code;
}
