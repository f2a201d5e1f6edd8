#include "content.h"

#include <stdlib.h>
#include <string.h>

#include "db_pool.h"
#include "ims/error.h"
#include "rpc.h"
#include "validate.h"


struct content_block {
    struct content_block *next;
    max_align_t data[];
};

void *content_alloc(struct content_arena *arena, size_t size)
{
    struct content_block *b = calloc(1, sizeof *b + size + 1);
    if (!b) {
        arena->failed = 1;
        return NULL;
    }
    b->next = arena->blocks;
    arena->blocks = b;
    return b->data;
}

char *content_strdup(struct content_arena *arena, const char *s)
{
    size_t n = strlen(s);
    char *d = content_alloc(arena, n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

char **content_split(struct content_arena *arena, const char *s, char sep, size_t *n)
{
    size_t count = *s ? 1 : 0;
    for (const char *c = s; *c; c++)
        count += *c == sep;
    char **out = content_alloc(arena, (count + 1) * sizeof *out);
    char *copy = content_strdup(arena, s);
    if (!out || !copy)
        return NULL;
    size_t i = 0;
    for (char *c = copy; *copy && i < count;) {
        out[i++] = c;
        char *end = strchr(c, sep);
        if (!end)
            break;
        *end = '\0';
        c = end + 1;
    }
    *n = i;
    return out;
}

void content_arena_free(struct content_arena *arena)
{
    struct content_block *b = arena->blocks;
    while (b) {
        struct content_block *next = b->next;
        free(b);
        b = next;
    }
    arena->blocks = NULL;
}

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
    content_arena_free(&cw->arena);
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
