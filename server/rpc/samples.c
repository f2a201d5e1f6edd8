/* Metric samples: a batch (unary, or a client stream merged into one) checked, written
 * with one statement of three arrays sent in binary, and the level moved once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "handlers.h"
#include "db_pool.h"
#include "events.h"
#include "idempotency.h"
#include "ims/error.h"
#include "ims/v1/events.pb-c.h"
#include "pg_arrays.h"
#include "snapshot.h"
#include "statements.h"
#include "validate.h"

static int samples_apply(engine_model *model, struct rpc_write *w, engine_error *err)
{
    struct event_op *op = w->data;
    size_t bad = 0;
    engine_error e = {{0}};
    int rc = engine_samples_add(model, op->sample_count, op->sample_metric, op->sample_at,
                                op->sample_value, &bad, &e);
    if (rc == 0)
        return 0;
    if (rc == IMS_ENOTFOUND)
        snprintf(err->msg, sizeof err->msg, "samples[%zu].metric: unknown metric \"%.100s\"",
                 bad, op->sample_metric[bad]);
    else
        snprintf(err->msg, sizeof err->msg, "samples[%zu]: %.200s", bad, e.msg);
    return rc == IMS_ENOMEM ? IMS_ENOMEM : IMS_EINVAL;
}

static int samples_statements(struct db_txn *txn, struct rpc_write *w)
{
    struct event_op *op = w->data;
    const struct tenant_level *next = w->next;
    const char *p[4] = {op->call->tenant, (const char *)op->metrics_arr,
                        (const char *)op->times_arr, (const char *)op->values_arr};
    const int lengths[4] = {0, op->metrics_len, op->times_len, op->values_len};
    const int formats[4] = {0, 1, 1, 1};
    if (db_txn_add_binary(txn, STMT_SAMPLES_INSERT, 4, p, lengths, formats) < 0)
        return IMS_ENOMEM;
    Ims__V1__PushMetricsResponse res = IMS__V1__PUSH_METRICS_RESPONSE__INIT;
    res.accepted = (int64_t)op->sample_count;
    res.security_level = next->security_level;
    res.revision = next->revision;
    return rpc_idempotency_store(txn, w, &res.base);
}

static void samples_reply(struct rpc_write *w, struct db_txn *txn, int first,
                          const struct tenant_level *level)
{
    struct event_op *op = w->data;
    (void)txn;
    (void)first;
    Ims__V1__PushMetricsResponse res = IMS__V1__PUSH_METRICS_RESPONSE__INIT;
    res.accepted = (int64_t)op->sample_count;
    res.security_level = level->security_level;
    res.revision = level->revision;
    rpc_count_ingest(op->call, op->sample_count);
    rpc_reply(op->call, &res.base);
}

static void push_metrics_go(struct rpc_call *call)
{
    struct rpc_write *w = call->state;
    w->apply = samples_apply;
    w->statements = samples_statements;
    w->reply = samples_reply;
    rpc_write_submit(w, "sample");
}

/* Builds the batch's three arrays in binary: each time goes from the seconds parsed once
 * in validation, each value as its eight bytes, with no text in between. */
static int samples_arrays(struct event_op *op, const Ims__V1__PushMetricsRequest *req)
{
    size_t n = req->n_samples, names = 0;
    for (size_t i = 0; i < n; i++)
        names += strlen(req->samples[i]->metric);
    size_t mlen = pg_array_size(n, names), tlen = pg_array_size(n, n * 8),
           vlen = pg_array_size(n, n * 8);
    if (mlen > INT32_MAX || tlen > INT32_MAX)
        return IMS_ENOMEM;
    op->metrics_arr = arena_alloc(&op->call->arena, mlen);
    op->times_arr = arena_alloc(&op->call->arena, tlen);
    op->values_arr = arena_alloc(&op->call->arena, vlen);
    if (!op->metrics_arr || !op->times_arr || !op->values_arr)
        return IMS_ENOMEM;
    uint8_t *m = pg_array_begin(op->metrics_arr, PG_OID_TEXT, n);
    uint8_t *t = pg_array_begin(op->times_arr, PG_OID_TIMESTAMPTZ, n);
    uint8_t *v = pg_array_begin(op->values_arr, PG_OID_FLOAT8, n);
    for (size_t i = 0; i < n; i++) {
        const Ims__V1__Sample *s = req->samples[i];
        m = pg_array_text(m, s->metric, strlen(s->metric));
        t = pg_array_timestamptz(t, op->sample_at[i]);
        v = pg_array_float8(v, s->value);
    }
    op->metrics_len = (int)mlen;
    op->times_len = (int)tlen;
    op->values_len = (int)vlen;
    op->sample_count = n;
    return 0;
}

void rpc_push_metrics(struct rpc_call *call)
{
    const Ims__V1__PushMetricsRequest *req = (const Ims__V1__PushMetricsRequest *)call->request;
    if (req->n_samples == 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "samples: at least one sample");
        return;
    }
    if (req->n_samples > MAX_SAMPLES) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "samples: at most %d in one batch", MAX_SAMPLES);
        return;
    }
    struct event_op *op = event_op_new(call);
    if (!op)
        return;
    op->sample_at = arena_alloc(&call->arena, req->n_samples * sizeof *op->sample_at);
    op->sample_metric = arena_alloc(&call->arena, req->n_samples * sizeof *op->sample_metric);
    op->sample_value = arena_alloc(&call->arena, req->n_samples * sizeof *op->sample_value);
    if (!op->sample_at || !op->sample_metric || !op->sample_value) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    int64_t now = event_now_s();
    for (size_t i = 0; i < req->n_samples; i++) {
        const Ims__V1__Sample *s = req->samples[i];
        /* The field's name is written only for an answer naming it. */
        char field[48];
        if (!validate_is_ident(s->metric, 64)) {
            snprintf(field, sizeof field, "samples[%zu].metric", i);
            validate_ident(call, field, s->metric, 64);
            return;
        }
        int64_t at = now;
        if (*s->at && validate_parse_time(s->at, &at) != 0) {
            snprintf(field, sizeof field, "samples[%zu].at", i);
            validate_time(call, field, s->at, 1, &at);
            return;
        }
        if (at > now + FUTURE_SLACK_S) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                     "samples[%zu].at: more than %d s in the future", i, FUTURE_SLACK_S);
            return;
        }
        if (!isfinite(s->value)) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "samples[%zu].value: not a finite number",
                     i);
            return;
        }
        op->sample_at[i] = at;
        op->sample_metric[i] = s->metric;
        op->sample_value[i] = s->value;
    }
    if (samples_arrays(op, req) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_idempotency_check(call->state, req->idempotency_key, push_metrics_go, NULL, IDEMPOTENCY_LOOKUP_NONE);
}

