/* ims.v1.Tenants/ImportTenantStream: a new tenant from a snapshot document sent in pieces.
 * The document is split as it comes (snapshot_split.h): its samples are checked one by
 * one and written page by page, the rest (the head) is kept; all of it in one database
 * transaction held open across the stream, which creates the tenant first and imports the
 * head last, so a failed or cancelled import leaves nothing. Memory: the head, two pages
 * of samples and the distinct metric ids, whatever the number of samples. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "db_pool.h"
#include "handlers.h"
#include "ims/error.h"
#include "ims/v1/tenants.pb-c.h"
#include "import_samples.h"
#include "offload.h"
#include "rpc.h"
#include "server.h"
#include "snapshot.h"
#include "snapshot_split.h"
#include "statements.h"
#include "status.h"
#include "streams.h"
#include "validate.h"

#define MAX_HEAD (16u << 20) /* the unary import's cap, for the document without samples */

struct import_stream {
    struct rpc_call *call;
    struct snapshot_split split;
    char id[AUTH_UUID_LEN + 1];
    char *row[RPC_TENANT_FIELDS]; /* the created tenant (arena) */
    char *head;                   /* the document without its samples */
    size_t head_len, head_cap, head_max;
    struct import_samples samples; /* pages, first sample error, metrics seen */
    struct db_txn *txn;
    int round;          /* a round of the transaction is running */
    int created;        /* its first round (the tenant) is done */
    int input_done;     /* the client half-closed */
    int working;        /* the head is being made canonical on the thread pool */
    int started;        /* the transaction's first round was sent */
    int sending;        /* inside db_txn_exec / db_txn_continue */
    int committing;     /* the round running is the last one */
    char *doc;          /* the canonical head, to import */
    int page_statement; /* the page statement's index in the transaction */
    int fail_status;    /* a failure to end the call with once no round runs */
    char fail_msg[300];
    struct rpc_stream_entry stream; /* ended with its token (streams.c) */
    int counted;                    /* in the server's imports_running */
};

static void state_free(void *p)
{
    struct import_stream *s = p;
    rpc_streams_remove(&s->stream);
    if (s->counted)
        s->call->server->imports_running--;
    if (s->txn) {
        if (!s->round)
            db_txn_abandon(s->txn); /* rolled back: nothing of the import stays */
        db_txn_free(s->txn);
    }
    import_samples_free(&s->samples);
    free(s->head);
    free(s->doc);
    free(s);
}

/* Records the first failure; the call ends with it once no round runs (step). */
static void fail_later(struct import_stream *s, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_later(struct import_stream *s, int status, const char *fmt, ...)
{
    if (s->fail_status)
        return;
    s->fail_status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->fail_msg, sizeof s->fail_msg, fmt, ap);
    va_end(ap);
}

static int step(struct import_stream *s);

/* --- the document as it arrives --- */

static int on_head(void *arg, const char *p, size_t n)
{
    struct import_stream *s = arg;
    if (s->head_len + n > s->head_max) {
        fail_later(s, IMS_GRPC_INVALID_ARGUMENT,
                   "snapshot: the document without its samples is larger than %zu bytes "
                   "(import_max_snapshot_bytes)",
                   s->head_max);
        return IMS_ETOOBIG;
    }
    if (s->head_len + n + 1 > s->head_cap) {
        size_t cap = s->head_cap ? s->head_cap : 65536;
        while (cap < s->head_len + n + 1)
            cap *= 2;
        char *h = realloc(s->head, cap);
        if (!h)
            return IMS_ENOMEM;
        s->head = h;
        s->head_cap = cap;
    }
    memcpy(s->head + s->head_len, p, n);
    s->head_len += n;
    s->head[s->head_len] = '\0';
    return 0;
}

static int on_sample(void *arg, const char *p, size_t n, size_t index, long line, long column)
{
    struct import_stream *s = arg;
    char why[300];
    int rc = import_samples_add(&s->samples, p, n, index, line, column, why, sizeof why);
    if (rc == IMS_EPARSE || rc == IMS_EINVAL)
        fail_later(s, IMS_GRPC_INVALID_ARGUMENT, "snapshot: %s", why);
    return rc;
}

/* Takes one piece; 0, or nonzero after recording why the import fails. */
static int absorb(struct import_stream *s, const uint8_t *data, size_t len)
{
    if (s->fail_status || s->call->cancelled)
        return -1;
    int rc = snapshot_split_feed(&s->split, (const char *)data, len);
    if (rc == IMS_EPARSE && !s->fail_status)
        fail_later(s, IMS_GRPC_INVALID_ARGUMENT, "snapshot: %s", s->split.error);
    else if (rc == IMS_ENOMEM)
        fail_later(s, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    else if (rc != 0 && !s->fail_status)
        fail_later(s, IMS_GRPC_INVALID_ARGUMENT, "snapshot: %s", ims_strerror(rc));
    if (rc == 0 && rpc_stream_hold(s->call, s->head_len + import_samples_bytes(&s->samples)))
        fail_later(s, IMS_GRPC_RESOURCE_EXHAUSTED,
                   "client streams hold more request bytes than this connection or the "
                   "server allows (max_conn_buffered_bytes, max_buffered_bytes); retry later");
    /* A full page waits for the one being written: no more input meanwhile. */
    if (import_samples_full(&s->samples))
        rpc_stream_pause(s->call);
    return s->fail_status ? -1 : 0;
}

static int on_chunk(struct rpc_call *call, const ProtobufCMessage *message)
{
    struct import_stream *s = call->state;
    const Ims__V1__ImportTenantChunk *c = (const void *)message;
    (void)absorb(s, c->data.data, c->data.len);
    return step(s);
}

static void on_end(struct rpc_call *call)
{
    struct import_stream *s = call->state;
    s->input_done = 1;
    if (!s->fail_status && snapshot_split_end(&s->split) != 0)
        fail_later(s, IMS_GRPC_INVALID_ARGUMENT, "snapshot: %s", s->split.error);
    (void)step(s);
}

/* The token was revoked or expired: the import fails (and is rolled back) once no round
 * runs; a commit already under way completes. */
static void on_token_end(struct rpc_stream_entry *entry, int status, const char *message)
{
    struct import_stream *s = container_of(entry, struct import_stream, stream);
    fail_later(s, status, "%s", message);
    (void)step(s);
}

static void on_cancel(struct rpc_call *call)
{
    /* Rolled back once the round that runs (if any) is done. */
    (void)step(call->state);
}

/* --- the transaction's rounds --- */

/* A round's end. A round that fails while it is being sent (the pool refusing it) ends
 * inside db_txn_exec/db_txn_continue: step, which sent it, then ends the call. */
static void round_done(struct db_txn *txn, int err, void *arg)
{
    struct import_stream *s = arg;
    struct rpc_call *call = s->call;
    if (!s->round) {
        /* The connection went while the transaction waited for input. */
        db_txn_free(txn);
        s->txn = NULL;
        fail_later(s, IMS_GRPC_UNAVAILABLE, "the database connection was lost; retry");
        if (!s->working)
            (void)step(s);
        return;
    }
    s->round = 0;
    if (err != 0) {
        s->txn = NULL;
        if (s->sending || s->fail_status || call->cancelled) {
            const char *message;
            int status = rpc_status_for_error(err, &message);
            fail_later(s, status >= 0 ? status : IMS_GRPC_INTERNAL, "%s",
                       status >= 0 ? message : "the import's transaction failed");
            db_txn_free(txn);
            if (!s->sending)
                (void)step(s);
            return;
        }
        rpc_fail_db(call, txn, err); /* the database's own refusal (a slug in use) */
        db_txn_free(txn);
        return;
    }
    if (s->committing) {
        /* Committed. The rest is ImportTenant's: the tenant loaded, its level replied. */
        db_txn_free(txn);
        s->txn = NULL;
        const char *row[RPC_TENANT_FIELDS];
        memcpy(row, s->row, sizeof row);
        call->state = NULL;
        call->state_free = NULL;
        call->on_cancel = NULL;
        state_free(s);
        rpc_import_tenant_committed(call, row);
        return;
    }
    if (!s->created) {
        PGresult *r = db_txn_result(txn, 0);
        for (int i = 0; i < RPC_TENANT_FIELDS; i++)
            if (!(s->row[i] = arena_strdup(&call->arena, PQgetvalue(r, 0, i))))
                fail_later(s, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        s->created = 1;
    } else {
        import_samples_written(&s->samples,
                               PQgetvalue(db_txn_result(txn, s->page_statement), 0, 0));
    }
    (void)step(s);
}

/* Sends the statements added to the transaction as its next round: held open unless
 * this is the last. Returns 0, or -1 when the round failed at once (recorded). */
static int send_round(struct import_stream *s, int last)
{
    s->round = 1;
    s->committing = last;
    s->sending = 1;
    if (!last)
        db_txn_hold(s->txn);
    if (!s->created && !s->started) {
        s->started = 1;
        db_txn_exec(s->txn, round_done, s);
    } else {
        db_txn_continue(s->txn, round_done, s);
    }
    s->sending = 0;
    return s->round ? 0 : -1;
}

/* --- the head, once the document is in --- */

struct head_job {
    char *head;
    size_t head_len;
    char *doc;  /* canonical, samples empty */
    char **ids; /* its metrics' ids, sorted */
    size_t n_ids;
    int rc;
    engine_error err;
};

static int compare_ids(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void head_work(void *p)
{
    struct head_job *j = p;
    engine_model *model = NULL;
    bool has_at = false;
    int64_t at = 0;
    char *records = NULL;
    j->rc = engine_snapshot_parse_records(j->head, j->head_len, &model, &has_at, &at, &records,
                                          &j->err);
    if (j->rc == 0 && (engine_snapshot_write_records(model, false, 0, records, &j->doc) != 0 ||
                       import_samples_metric_ids(j->doc, &j->ids, &j->n_ids) != 0)) {
        j->rc = IMS_ENOMEM;
        snprintf(j->err.msg, sizeof j->err.msg, "out of memory");
    }
    /* A problem in a section read after the samples: the metrics were read well, and a
     * sample of an unknown metric is still to be named first. */
    if (j->rc != 0 && j->rc != IMS_ENOMEM && import_samples_after_samples(j->err.msg) &&
        import_samples_metric_ids(j->head, &j->ids, &j->n_ids) != 0) {
        j->rc = IMS_ENOMEM;
        snprintf(j->err.msg, sizeof j->err.msg, "out of memory");
    }
    if (j->ids)
        qsort(j->ids, j->n_ids, sizeof *j->ids, compare_ids);
    free(records);
    engine_model_free(model);
}

static void head_free(void *p)
{
    struct head_job *j = p;
    free(j->head);
    free(j->doc);
    for (size_t i = 0; i < j->n_ids; i++)
        free(j->ids[i]);
    free(j->ids);
    free(j);
}

static void head_done(struct rpc_call *call, void *p)
{
    struct head_job *j = p;
    struct import_stream *s = call->state;
    s->working = 0;
    call->on_cancel = on_cancel;
    /* The first problem the whole document's parse would name: the head's when it lies
     * in a section read before the samples, else the first sample's, else the head's. */
    char why[300];
    int sample_bad = import_samples_first_error(&s->samples, j->ids, j->n_ids, why, sizeof why);
    if (j->rc != 0 && (!sample_bad || !import_samples_after_samples(j->err.msg)))
        fail_later(s, j->rc == IMS_ENOMEM ? IMS_GRPC_RESOURCE_EXHAUSTED : IMS_GRPC_INVALID_ARGUMENT,
                   "snapshot: %s", j->err.msg);
    else if (sample_bad)
        fail_later(s, IMS_GRPC_INVALID_ARGUMENT, "snapshot: %s", why);
    s->doc = j->doc;
    j->doc = NULL;
    (void)step(s);
}

/* What comes next, when no round runs: the failure, the tenant, a page, the head, the
 * commit, or more input. Returns 1 when the call ended (or may have: the thread pool's
 * job ends it when refused), else 0. */
static int step(struct import_stream *s)
{
    struct rpc_call *call = s->call;
    for (;;) {
        if (s->round || s->working)
            return 0;
        if (s->fail_status || call->cancelled || (s->created && !s->txn)) {
            if (s->fail_status)
                rpc_fail(call, s->fail_status, "%s", s->fail_msg);
            else
                rpc_call_end(call, IMS_GRPC_CANCELLED, "cancelled");
            return 1;
        }
        if (!s->created) {
            if (send_round(s, 0) == 0)
                return 0;
            continue;
        }
        if (s->doc) {
            const char *import[2] = {s->id, s->doc};
            if (db_txn_add(s->txn, STMT_TENANT_IMPORT, 2, import) < 0 ||
                rpc_audit_statement(call, s->txn, s->id) != 0) {
                fail_later(s, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
                continue;
            }
            free(s->doc);
            s->doc = NULL;
            if (send_round(s, 1) == 0)
                return 0;
            continue;
        }
        if (import_samples_ready(&s->samples, s->input_done)) {
            const char *params[5];
            import_samples_params(&s->samples, s->id, params);
            if ((s->page_statement = db_txn_add(s->txn, STMT_TENANT_IMPORT_SAMPLES, 5, params)) <
                0) {
                fail_later(s, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
                continue;
            }
            if (send_round(s, 0) != 0)
                continue;
            /* The next page fills while this one is written. */
            if (!s->input_done)
                rpc_stream_resume(call);
            return 0;
        }
        if (!s->input_done) {
            if (!import_samples_full(&s->samples))
                rpc_stream_resume(call);
            return 0;
        }
        /* Every sample is written: the head goes to the thread pool. */
        struct head_job *j = calloc(1, sizeof *j);
        if (!j || (!s->head && !(s->head = strdup("")))) {
            free(j);
            fail_later(s, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
            continue;
        }
        j->head = s->head;
        j->head_len = s->head_len;
        s->head = NULL;
        s->head_len = s->head_cap = 0;
        s->working = 1;
        rpc_offload(call, j, head_work, head_done, head_free);
        return 1;
    }
}

/* --- the first message --- */

void rpc_import_tenant_stream(struct rpc_call *call)
{
    const Ims__V1__ImportTenantChunk *req = (const void *)call->request;
    if (!validate_new_tenant(call, req->slug, req->display_name, req->sector, req->size_band,
                             req->schema_id, req->schema_version))
        return;
    /* Each import holds a pool connection for its length: at most half the pool at once. */
    struct db_pool_stats pool;
    db_pool_stats(rpc_server_pool(call->server), &pool);
    int cap = pool.size / 2 > 0 ? pool.size / 2 : 1;
    if (call->server->imports_running >= cap) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED,
                 "%d streamed imports run already, the most at once (half of db_pool_size %d); "
                 "retry later",
                 cap, pool.size);
        return;
    }
    struct import_stream *s = calloc(1, sizeof *s);
    if (!s) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    s->call = call;
    s->counted = 1;
    call->server->imports_running++;
    s->head_max = call->server->import_max_snapshot_bytes;
    if (s->head_max > MAX_HEAD)
        s->head_max = MAX_HEAD;
    call->state = s;
    call->state_free = state_free;
    call->on_cancel = on_cancel;
    s->stream.on_end = on_token_end;
    if (rpc_streams_add(call, &s->stream) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    snapshot_split_init(&s->split, on_head, on_sample, s);
    if (import_samples_init(&s->samples) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    if (auth_uuid_generate(s->id) != 0) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "no randomness available");
        return;
    }
    /* The tenant first (a slug in use fails there, before any sample is written). */
    char version[16];
    snprintf(version, sizeof version, "%d", req->schema_version);
    const char *create[7] = {
        s->id, req->slug, req->display_name, req->sector, req->size_band, req->schema_id, version};
    if (!(s->txn = db_txn_new(rpc_server_pool(call->server), s->id, 1)) ||
        db_txn_add(s->txn, STMT_TENANT_CREATE, 7, create) < 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    (void)absorb(s, req->data.data, req->data.len);
    if (rpc_stream_take(call, on_chunk, on_end))
        return;
    (void)step(s);
}
