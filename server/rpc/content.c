#include "content.h"

#include <stdlib.h>
#include <string.h>

#include "db_pool.h"
#include "ims/error.h"
#include "rpc.h"
#include "validate.h"


int content_bool(PGresult *r, int row, int col)
{
    return strcmp(PQgetvalue(r, row, col), "t") == 0;
}

int content_int(PGresult *r, int row, int col)
{
    return atoi(PQgetvalue(r, row, col));
}

void content_fail(struct rpc_call *call, int err, const char *msg, struct db_txn *txn)
{
    if (txn) {
        rpc_fail_db(call, txn, err);
        return;
    }
    switch (err) {
    case IMS_EINVAL:
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s", msg ? msg : "invalid argument");
        break;
    case IMS_ENOTFOUND:
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "%s", msg ? msg : "not found");
        break;
    case IMS_EUNAVAILABLE:
        rpc_fail(call, IMS_GRPC_UNAVAILABLE, "database unavailable; retry later");
        break;
    case IMS_ENOMEM:
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        break;
    case IMS_ECLOSED:
        rpc_fail(call, IMS_GRPC_UNAVAILABLE, "server shutting down");
        break;
    default:
        rpc_fail(call, IMS_GRPC_INTERNAL, "%s", msg && *msg ? msg : "internal error");
        break;
    }
}

static void write_free(void *state)
{
    struct content_write *cw = state;
    arena_free(&cw->arena);
    free(cw->data);
    free(cw);
}

struct content_write *content_write_new(struct rpc_call *call)
{
    struct content_write *cw = calloc(1, sizeof *cw);
    if (!cw) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    cw->call = call;
    call->state = cw;
    call->state_free = write_free;
    return cw;
}

static int write_apply(engine_model *model, void *arg, engine_error *err)
{
    struct content_write *cw = arg;
    return cw->apply ? cw->apply(model, cw, err) : 0;
}

static int write_statements(struct db_txn *txn, const struct tenant_level *next, void *arg)
{
    (void)next;
    struct content_write *cw = arg;
    return cw->statements ? cw->statements(txn, cw) : 0;
}

static void write_done(int err, const char *msg, struct db_txn *txn, int first,
                       const struct tenant_level *level, void *arg)
{
    struct content_write *cw = arg;
    if (err != 0) {
        content_fail(cw->call, err, msg, txn);
        return;
    }
    cw->reply(cw, txn, first, level);
}

void content_submit(struct content_write *cw, const char *cause)
{
    cw->write.apply = cw->apply ? write_apply : NULL;
    cw->write.add_statements = write_statements;
    cw->write.done = write_done;
    cw->write.arg = cw;
    cw->write.cause = cause;
    tenant_write_submit(rpc_server_tenants(cw->call->server), cw->call->tenant, &cw->write);
}

struct read_state {
    struct rpc_call *call;
    content_read_fn fn;
};

static void read_done(int err, const char *msg, struct tenant_state *state, void *arg)
{
    struct read_state rs = *(struct read_state *)arg;
    free(arg);
    if (err != 0) {
        content_fail(rs.call, err, msg, NULL);
        return;
    }
    rs.fn(rs.call, state);
}

void content_read(struct rpc_call *call, content_read_fn fn)
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
