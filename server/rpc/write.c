/* Changes through the tenant module: a write's life from submit to reply, its failures,
 * and reads of the tenant's evaluated state. */
#include "write.h"

#include <stdlib.h>

#include "db_pool.h"
#include "idempotency.h"
#include "ims/error.h"
#include "status.h"

void rpc_fail_write(struct rpc_call *call, int err, const char *msg, struct db_txn *txn,
                    int unknown_is_invalid)
{
    if (err == IMS_ETOOBIG) {
        /* Back-pressure: nothing of the request was accepted; a retry with the same
         * idempotency key is safe. */
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED,
                 "%s; nothing was stored, retry in about a second", msg ? msg : "busy");
        return;
    }
    if (txn) {
        rpc_fail_db(call, txn, err);
        return;
    }
    const char *fixed;
    int status;
    switch (err) {
    case IMS_EINVAL:
    case IMS_EEXISTS:
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s", msg ? msg : ims_strerror(err));
        return;
    case IMS_ENOTFOUND:
        rpc_fail(call, unknown_is_invalid ? IMS_GRPC_INVALID_ARGUMENT : IMS_GRPC_NOT_FOUND, "%s",
                 msg ? msg : "not found");
        return;
    default:
        status = rpc_status_for_error(err, &fixed);
        if (status >= 0)
            rpc_fail(call, status, "%s", fixed);
        else
            rpc_fail(call, IMS_GRPC_INTERNAL, "%s", msg && *msg ? msg : "internal error");
        return;
    }
}

static void write_free(void *state)
{
    struct rpc_write *w = state;
    free(w->data);
    free(w);
}

struct rpc_write *rpc_write_new(struct rpc_call *call)
{
    struct rpc_write *w = calloc(1, sizeof *w);
    if (!w) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    w->call = call;
    call->state = w;
    call->state_free = write_free;
    return w;
}

static int write_apply(engine_model *model, void *arg, engine_error *err)
{
    struct rpc_write *w = arg;
    return w->apply ? w->apply(model, w, err) : 0;
}

static int write_statements(struct db_txn *txn, const struct tenant_level *next, void *arg)
{
    struct rpc_write *w = arg;
    w->next = next;
    w->computed_index = -1;
    w->write.settle = NULL; /* set again by computed_statement, on every try */
    int rc = w->statements ? w->statements(txn, w) : 0;
    w->next = NULL;
    return rc;
}

static int write_settled(struct db_txn *txn, const struct tenant_level *next, void *arg)
{
    struct rpc_write *w = arg;
    w->next = next;
    int rc = w->final_statements ? w->final_statements(txn, w) : 0;
    w->next = NULL;
    return rc;
}

static void write_done(int err, const char *msg, struct db_txn *txn, int first,
                       const struct tenant_level *level, void *arg)
{
    struct rpc_write *w = arg;
    if (err != 0) {
        if (!rpc_idempotency_retry(w, err, txn))
            rpc_fail_write(w->call, err, msg, txn, w->unknown_is_invalid);
        return;
    }
    if (w->computed_index >= 0)
        rpc_act_due_changed(w->call->tenant); /* the change may bring a due time nearer */
    w->reply(w, txn, first, level);
}

void rpc_write_submit(struct rpc_write *w, const char *cause)
{
    w->write.apply = w->apply ? write_apply : NULL;
    w->write.add_statements = write_statements;
    w->write.done = write_done;
    w->write.settled = write_settled;
    w->write.arg = w;
    w->write.cause = cause;
    tenant_write_submit(rpc_server_tenants(w->call->server), w->call->tenant, &w->write);
}

struct read_state {
    struct rpc_call *call;
    rpc_read_fn fn;
};

static void read_done(int err, const char *msg, struct tenant_state *state, void *arg)
{
    struct read_state rs = *(struct read_state *)arg;
    free(arg);
    if (err != 0) {
        rpc_fail_write(rs.call, err, msg, NULL, 0);
        return;
    }
    rs.fn(rs.call, state);
}

void rpc_read(struct rpc_call *call, rpc_read_fn fn)
{
    struct read_state *rs = malloc(sizeof *rs);
    if (!rs) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rs->call = call;
    rs->fn = fn;
    tenant_read(rpc_server_tenants(call->server), call->tenant, read_done, rs);
}
