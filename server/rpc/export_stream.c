/* ims.v1.Tenants/ExportTenantStream: the canonical snapshot document written while its
 * samples are read from the database page by page, so the daemon holds one page and one
 * piece at a time whatever the length of the history. Registered with the streams by token
 * (streams.c): a revoked or expired token ends it as it ends a watch. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pool.h"
#include "handlers.h"
#include "ims/error.h"
#include "ims/v1/tenants.pb-c.h"
#include "container.h"
#include "offload.h"
#include "rpc.h"
#include "server.h"
#include "snapshot.h"
#include "statements.h"
#include "streams.h"

#define PIECE (64u << 10)           /* at most this many bytes per message */
#define PAGE "2000"                 /* samples read per round trip */
#define MAX_BEHIND (1u << 20)       /* wait while this much is queued for the client */
#define SAMPLES_KEY "\n  \"samples\": []"

struct export_stream {
    struct rpc_call *call;
    int all;
    char *text;       /* the document without samples, as the database made it */
    char *doc;        /* the same, canonical; split at its samples */
    size_t split;     /* doc[0..split) ends with `"samples": [`, doc+split starts with `]` */
    char **metrics;   /* in the document's order */
    size_t n_metrics, metric;
    char until[64];   /* the export's start */
    char key[3][64];  /* the last sample sent of the current metric */
    int has_key, wrote_sample;
    char *buf;
    size_t len, cap;
    uv_timer_t *timer; /* waiting for the client to catch up */
    int waiting;       /* on that timer: nothing of the call's is running */
    struct rpc_stream_entry stream; /* ended with its token (streams.c) */
    int end_status;    /* set by the token's end while a step is running; 0: none */
    char end_message[64];
    engine_error err;
    int rc;
};

static void timer_closed(uv_handle_t *h)
{
    free(h);
}

static void state_free(void *p)
{
    struct export_stream *s = p;
    rpc_streams_remove(&s->stream);
    if (s->timer) {
        uv_timer_stop(s->timer);
        uv_close((uv_handle_t *)s->timer, timer_closed);
    }
    for (size_t i = 0; i < s->n_metrics; i++)
        free(s->metrics[i]);
    free(s->metrics);
    free(s->text);
    free(s->doc);
    free(s->buf);
    free(s);
}

static int append(struct export_stream *s, const char *p, size_t n)
{
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : PIECE * 2;
        while (cap < s->len + n)
            cap *= 2;
        char *b = realloc(s->buf, cap);
        if (!b)
            return IMS_ENOMEM;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

/* Sends whole pieces (every byte when all is set); 0, IMS_ECLOSED or IMS_ENOMEM. */
static int flush(struct export_stream *s, int all)
{
    size_t off = 0;
    int rc = 0;
    while (rc == 0 && (s->len - off >= PIECE || (all && off < s->len))) {
        Ims__V1__ExportTenantChunk m = IMS__V1__EXPORT_TENANT_CHUNK__INIT;
        m.chunk.data = (uint8_t *)s->buf + off;
        m.chunk.len = s->len - off < PIECE ? s->len - off : PIECE;
        rc = rpc_stream_send(s->call, &m.base);
        off += m.chunk.len;
    }
    memmove(s->buf, s->buf + off, s->len - off);
    s->len -= off;
    return rc;
}

/* The token was revoked or expired: the call ends now when it is only waiting for the
 * client, otherwise when its running step (a statement, the head's job) comes back. */
static void on_token_end(struct rpc_stream_entry *entry, int status, const char *message)
{
    struct export_stream *s = container_of(entry, struct export_stream, stream);
    if (s->waiting) {
        rpc_fail(s->call, status, "%s", message);
        return;
    }
    s->end_status = status;
    snprintf(s->end_message, sizeof s->end_message, "%s", message);
}

/* After a step: ends the call if its token ended meanwhile (1), else 0. */
static int token_ended(struct export_stream *s)
{
    if (s->end_status == 0)
        return 0;
    rpc_fail(s->call, s->end_status, "%s", s->end_message);
    return 1;
}

static void finish(struct export_stream *s, int rc)
{
    if (rc == IMS_ENOMEM)
        rpc_fail(s->call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    else
        rpc_end(s->call); /* sent, or cancelled */
}

/* --- the samples, page by page --- */

static void next_page(struct export_stream *s);

/* One sample exactly as the engine's writer puts it (keys sorted, indent 2, doubles with
 * 17 significant digits). */
static int write_sample(struct export_stream *s, const char *metric, const char *at_text,
                        const char *value_text)
{
    int64_t at;
    char when[40];
    if (engine_time_parse(at_text, &at) != 0)
        return IMS_EINVAL;
    engine_time_format(at, when, sizeof when);
    double value = strtod(value_text, NULL);
    json_t *v = json_real(value == 0 ? 0.0 : value); /* -0 as 0, as ExportTenant writes it */
    char *num = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(v);
    if (!num)
        return IMS_ENOMEM;
    char head[200];
    int n = snprintf(head, sizeof head, "%s    {\n      \"at\": \"%s\",\n      \"metric\": \"",
                     s->wrote_sample ? ",\n" : "\n", when);
    int rc = append(s, head, (size_t)n);
    if (rc == 0)
        rc = append(s, metric, strlen(metric));
    if (rc == 0)
        rc = append(s, "\",\n      \"value\": ", strlen("\",\n      \"value\": "));
    if (rc == 0)
        rc = append(s, num, strlen(num));
    if (rc == 0)
        rc = append(s, "\n    }", 6);
    free(num);
    s->wrote_sample = 1;
    return rc;
}

static void resume(uv_timer_t *t)
{
    struct export_stream *s = t->data;
    if (rpc_call_pending_bytes(s->call) > MAX_BEHIND)
        return;
    uv_timer_stop(t);
    s->waiting = 0;
    s->call->on_cancel = NULL;
    next_page(s);
}

static void cancel_wait(struct rpc_call *call)
{
    rpc_end(call);
}

/* Before the next round trip: wait while the client is more than MAX_BEHIND behind. */
static void pace(struct export_stream *s)
{
    if (rpc_call_pending_bytes(s->call) <= MAX_BEHIND) {
        next_page(s);
        return;
    }
    if (!s->timer) {
        if (!(s->timer = malloc(sizeof *s->timer)) ||
            uv_timer_init(s->call->server->loop, s->timer) != 0) {
            free(s->timer);
            s->timer = NULL;
            finish(s, IMS_ENOMEM);
            return;
        }
        s->timer->data = s;
    }
    s->call->on_cancel = cancel_wait;
    s->waiting = 1;
    uv_timer_start(s->timer, resume, 5, 5);
}

static void page_done(struct rpc_call *call, struct db_txn *txn)
{
    struct export_stream *s = call->state;
    if (token_ended(s))
        return;
    PGresult *r = db_txn_result(txn, 0);
    int rows = PQntuples(r), rc = 0;
    for (int i = 0; rc == 0 && i < rows; i++)
        rc = write_sample(s, s->metrics[s->metric], PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    if (rc == IMS_EINVAL) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "snapshot: a sample time the engine refuses");
        return;
    }
    if (rc == 0 && rows > 0) {
        for (int k = 0; k < 3; k++)
            snprintf(s->key[k], sizeof s->key[k], "%s", PQgetvalue(r, rows - 1, 2 + k));
        s->has_key = 1;
    }
    if (rc == 0 && rows < atoi(PAGE)) {
        s->metric++;
        s->has_key = 0;
    }
    if (rc == 0)
        rc = flush(s, 0);
    if (rc != 0) {
        finish(s, rc);
        return;
    }
    pace(s);
}

static void next_page(struct export_stream *s)
{
    struct rpc_call *call = s->call;
    if (s->metric >= s->n_metrics) {
        const char *tail = s->doc + s->split;
        int rc = s->wrote_sample ? append(s, "\n  ", 3) : 0;
        if (rc == 0)
            rc = append(s, tail, strlen(tail));
        if (rc == 0)
            rc = flush(s, 1);
        finish(s, rc);
        return;
    }
    const char *params[8] = {call->tenant, s->metrics[s->metric], s->until,
                             s->all ? "true" : "false", s->has_key ? s->key[0] : NULL,
                             s->has_key ? s->key[1] : NULL, s->has_key ? s->key[2] : NULL,
                             PAGE};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TENANT_EXPORT_SAMPLES, 8, params) < 0)
        return;
    rpc_txn_exec(call, txn, page_done);
}

/* --- the document without samples, made canonical on the thread pool --- */

static void head_work(void *p)
{
    struct export_stream *s = p;
    engine_model *model = NULL;
    bool has_at = false;
    int64_t at = 0;
    char *records = NULL;
    s->rc = engine_snapshot_parse_records(s->text, strlen(s->text), &model, &has_at, &at,
                                          &records, &s->err);
    if (s->rc == 0 && engine_snapshot_write_records(model, false, 0, records, &s->doc) != 0) {
        s->rc = IMS_ENOMEM;
        snprintf(s->err.msg, sizeof s->err.msg, "out of memory");
    }
    free(records);
    engine_model_free(model);
    if (s->rc != 0)
        return;
    const char *k = strstr(s->doc, SAMPLES_KEY);
    json_t *root = json_loads(s->doc, 0, NULL);
    json_t *metrics = json_object_get(root, "metrics");
    if (!k || !json_is_array(metrics)) {
        json_decref(root);
        s->rc = IMS_EINVAL;
        snprintf(s->err.msg, sizeof s->err.msg, "the document has no samples array");
        return;
    }
    s->split = (size_t)(k - s->doc) + strlen(SAMPLES_KEY) - 1;
    size_t n = json_array_size(metrics);
    s->metrics = calloc(n ? n : 1, sizeof *s->metrics);
    for (size_t i = 0; s->metrics && i < n; i++) {
        const char *id = json_string_value(json_object_get(json_array_get(metrics, i), "id"));
        if (!id || !(s->metrics[s->n_metrics++] = strdup(id))) {
            s->rc = IMS_ENOMEM;
            break;
        }
    }
    if (!s->metrics)
        s->rc = IMS_ENOMEM;
    json_decref(root);
    if (s->rc != 0)
        snprintf(s->err.msg, sizeof s->err.msg, "out of memory");
}

/* The thread pool's job: the call's state, which the call frees (after the job's end). */
struct head_job {
    struct export_stream *s;
};

static void head_job_work(void *p)
{
    head_work(((struct head_job *)p)->s);
}

static void head_done(struct rpc_call *call, void *p)
{
    struct head_job *j = p;
    struct export_stream *s = j->s;
    if (token_ended(s))
        return;
    if (s->rc != 0) {
        rpc_fail(call, s->rc == IMS_ENOMEM ? IMS_GRPC_RESOURCE_EXHAUSTED : IMS_GRPC_INTERNAL,
                 "snapshot: %s", s->err.msg);
        return;
    }
    free(s->text);
    s->text = NULL;
    int rc = append(s, s->doc, s->split);
    if (rc == 0)
        rc = flush(s, 0);
    if (rc != 0) {
        finish(s, rc);
        return;
    }
    next_page(s);
}

static void head_free(void *p)
{
    free(p);
}

static void head_read(struct rpc_call *call, struct db_txn *txn)
{
    struct export_stream *s = call->state;
    if (token_ended(s))
        return;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "tenant: not found");
        return;
    }
    struct head_job *j = malloc(sizeof *j);
    if (!j || !(s->text = strdup(PQgetvalue(r, 0, 0)))) {
        free(j);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    snprintf(s->until, sizeof s->until, "%s", PQgetvalue(r, 0, 1));
    j->s = s;
    rpc_offload(call, j, head_job_work, head_done, head_free);
}

void rpc_export_tenant_stream(struct rpc_call *call)
{
    const Ims__V1__ExportTenantStreamRequest *req = (const void *)call->request;
    if (req->history != IMS__V1__EXPORT_HISTORY__EXPORT_HISTORY_WINDOW &&
        req->history != IMS__V1__EXPORT_HISTORY__EXPORT_HISTORY_ALL) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "history: WINDOW or ALL");
        return;
    }
    struct export_stream *s = calloc(1, sizeof *s);
    if (!s) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    s->call = call;
    s->all = req->history == IMS__V1__EXPORT_HISTORY__EXPORT_HISTORY_ALL;
    call->state = s;
    call->state_free = state_free;
    s->stream.on_end = on_token_end;
    if (rpc_streams_add(call, &s->stream) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    const char *params[1] = {call->tenant};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TENANT_EXPORT_HEAD, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, head_read);
}
