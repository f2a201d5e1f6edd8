/*
 * imsctl metric push: one sample from the command line, or a CSV file sent in
 * batches of 1,000 samples. Each batch's idempotency key derives from the
 * file's content and the batch's index, so running the same file again is
 * not counted twice.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "imsctl.h"
#include "metric_csv.h"
#include "metric_map.h"
#include "output.h"

#define BATCH 1000

static int push_one(imsctl_ctx *ctx, const char *tenant, const char *name, const char *value_text,
                    const char *at_text, const char *key)
{
    double value;
    if (imsctl_parse_double(value_text, &value) != 0)
        return imsctl_invalid("VALUE \"%s\" is not a number", value_text);
    char at[64] = "";
    int rc;
    if (at_text && (rc = imsctl_time_arg("--at", at_text, at, sizeof(at))) != 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__Sample sample = IMS__V1__SAMPLE__INIT;
    sample.metric = (char *)name;
    sample.at = at;
    sample.value = value;
    Ims__V1__Sample *samples[] = {&sample};
    Ims__V1__PushMetricsRequest req = IMS__V1__PUSH_METRICS_REQUEST__INIT;
    req.tenant = (char *)tenant;
    req.n_samples = 1;
    req.samples = samples;
    req.idempotency_key = (char *)key;
    Ims__V1__PushMetricsResponse *resp;
    rc = ims_client_push_metrics(c, &req, &resp);
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx))
        rc = imsctl_show(ctx, &resp->base);
    else
        printf("accepted %" PRId64 "; security level %.1f (revision %" PRId64 ")\n", resp->accepted,
               resp->security_level * 100.0, resp->revision);
    ims__v1__push_metrics_response__free_unpacked(resp, NULL);
    return rc;
}

static int read_file(const char *path, char **data, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "imsctl: INVALID_ARGUMENT: cannot open %s: %s\n", path, strerror(errno));
        return IMSCTL_EXIT_INVALID;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    int rc = 0;
    while (buf) {
        if (n == cap) {
            char *p = realloc(buf, cap * 2);
            if (p == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (buf == NULL) {
        fprintf(stderr, "imsctl: INTERNAL: out of memory\n");
        rc = IMSCTL_EXIT_FAILURE;
    } else if (ferror(f)) {
        fprintf(stderr, "imsctl: INVALID_ARGUMENT: cannot read %s\n", path);
        free(buf);
        buf = NULL;
        rc = IMSCTL_EXIT_INVALID;
    }
    if (f != stdin)
        fclose(f);
    *data = buf;
    *len = n;
    return rc;
}

/* Hex SHA-256 of the tenant and the file, the stem of every batch's idempotency key. */
static int content_hash(const char *tenant, const char *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    int ok = h && EVP_DigestInit_ex(h, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(h, tenant, strlen(tenant) + 1) == 1 &&
             EVP_DigestUpdate(h, data, len) == 1 && EVP_DigestFinal_ex(h, md, &mdlen) == 1;
    EVP_MD_CTX_free(h);
    if (!ok)
        return -1;
    for (unsigned i = 0; i < mdlen && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

static void progress(size_t done, size_t total)
{
    int width = 40;
    int filled = total ? (int)((double)done / (double)total * width) : width;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu samples", filled,
            "########################################", width - filled, "", done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static int push_file(imsctl_ctx *ctx, const char *tenant, const char *path)
{
    char *data;
    size_t len;
    int rc = read_file(path, &data, &len);
    if (rc != 0)
        return rc;
    imsctl_samples samples;
    char err[256];
    rc = imsctl_csv_parse(data, len, (long long)time(NULL), &samples, err, sizeof(err));
    char hash[65] = "";
    if (rc == 0 && content_hash(tenant, data, len, hash) != 0) {
        imsctl_samples_free(&samples);
        rc = IMSCTL_EXIT_FAILURE;
        snprintf(err, sizeof(err), "cannot hash the file");
    }
    free(data);
    if (rc != 0) {
        fprintf(stderr, "imsctl: %s: %s: %s\n",
                rc == IMSCTL_EXIT_INVALID ? "INVALID_ARGUMENT" : "INTERNAL", path, err);
        return rc;
    }
    ims_client *c = imsctl_client(ctx, &rc);
    Ims__V1__Sample *msgs = calloc(BATCH, sizeof(*msgs));
    Ims__V1__Sample **ptrs = calloc(BATCH, sizeof(*ptrs));
    if (c == NULL || msgs == NULL || ptrs == NULL) {
        if (c != NULL) {
            fprintf(stderr, "imsctl: INTERNAL: out of memory\n");
            rc = IMSCTL_EXIT_FAILURE;
        }
        goto out;
    }
    bool show = isatty(STDERR_FILENO) && samples.n > 0;
    int64_t accepted = 0, revision = 0;
    double level = 0;
    size_t batches = 0;
    for (size_t start = 0; start < samples.n; start += BATCH, batches++) {
        size_t n = samples.n - start < BATCH ? samples.n - start : BATCH;
        for (size_t i = 0; i < n; i++) {
            Ims__V1__Sample init = IMS__V1__SAMPLE__INIT;
            msgs[i] = init;
            msgs[i].metric = samples.items[start + i].metric;
            msgs[i].at = samples.items[start + i].at;
            msgs[i].value = samples.items[start + i].value;
            ptrs[i] = &msgs[i];
        }
        char key[96];
        snprintf(key, sizeof(key), "csv-%.32s-%zu", hash, batches);
        Ims__V1__PushMetricsRequest req = IMS__V1__PUSH_METRICS_REQUEST__INIT;
        req.tenant = (char *)tenant;
        req.n_samples = n;
        req.samples = ptrs;
        req.idempotency_key = key;
        Ims__V1__PushMetricsResponse *resp;
        int r = ims_client_push_metrics(c, &req, &resp);
        if (r != 0) {
            if (show)
                fputc('\n', stderr);
            fprintf(stderr, "imsctl: batch %zu (lines %zu..%zu) failed\n", batches,
                    samples.items[start].line, samples.items[start + n - 1].line);
            rc = imsctl_rpc_failed(ctx, r);
            goto out;
        }
        accepted += resp->accepted;
        level = resp->security_level;
        revision = resp->revision;
        ims__v1__push_metrics_response__free_unpacked(resp, NULL);
        if (show)
            progress(start + n, samples.n);
    }
    if (imsctl_json(ctx)) {
        json_t *j = json_pack("{s:I, s:I, s:I, s:f, s:I}", "samples", (json_int_t)samples.n,
                              "batches", (json_int_t)batches, "accepted", (json_int_t)accepted,
                              "security_level", level, "revision", (json_int_t)revision);
        rc = imsctl_json_print(stdout, j);
    } else {
        printf("%zu samples in %zu batches; accepted %" PRId64 "%s\n", samples.n, batches, accepted,
               (size_t)accepted < samples.n ? " (the others were already stored)" : "");
        if (batches)
            printf("security level %.1f (revision %" PRId64 ")\n", level * 100.0, revision);
    }
out:
    free(msgs);
    free(ptrs);
    imsctl_samples_free(&samples);
    return rc;
}

static int metric_push(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *at = NULL, *file = NULL, *key = "";
    imsctl_flag flags[] = {
        IMSCTL_STRING("at", &at),
        IMSCTL_STRING("file", &file),
        IMSCTL_STRING("key", &key),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 3);
    if (rc >= 0)
        return rc;
    if (file != NULL) {
        if (npos != 1 || at != NULL || key[0]) {
            fprintf(stderr,
                    "imsctl: --file takes only TENANT (times and keys come from the "
                    "file)\nusage: imsctl metric push %s\n",
                    cmd->usage);
            return IMSCTL_EXIT_USAGE;
        }
        return push_file(ctx, pos[0], file);
    }
    if (npos != 3) {
        fprintf(stderr, "imsctl: give NAME VALUE or --file FILE\nusage: imsctl metric push %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    return push_one(ctx, pos[0], pos[1], pos[2], at, key);
}

static const imsctl_command commands[] = {
    {"push", "TENANT NAME VALUE [--at TIME] [--key IDEMPOTENCY] | TENANT --file FILE.csv",
     "Pushes one sample, or a CSV file (metric,at,value) in batches of 1000.", metric_push},
    {"map", "TENANT METRIC MATCHER... (e.g. '__name__=\"node_load1\"' 'instance=~\"db-.*\"')",
     "Makes the Prometheus series matching every MATCHER this metric of the tenant "
     "(remote_write).",
     metric_map},
    {"mappings", "TENANT", "Lists the tenant's series mappings, in the order they are tried.",
     metric_mappings},
    {"unmap", "TENANT ID", "Removes a series mapping.", metric_unmap},
    {0},
};

const imsctl_group imsctl_group_metric = {
    "metric", "push metric samples; map Prometheus series to metrics", commands, NULL};
