/* ims.v1.Events: incidents (incidents.c), audit findings and their corrective actions
 * (findings.c), metric samples (samples.c); here the service's method table and what the
 * three share.
 *
 * Every change that moves the level is a tenant write (write.h): the engine applies it to
 * a copy, the event, the new revision and the level commit together, and only then is the
 * call answered. Writes take an optional idempotency key (idempotency.h). */
#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/events.pb-c.h"
#include "validate.h"

int64_t event_now_s(void)
{
    return (int64_t)time(NULL);
}

int event_random_id(const char *prefix, char *out, size_t len)
{
    char uuid[AUTH_UUID_LEN + 1];
    if (auth_uuid_generate(uuid) != 0)
        return IMS_EINTERNAL;
    snprintf(out, len, "%s-%.8s", prefix, uuid);
    return 0;
}

int event_validate_refs(struct rpc_call *call, const char *field, char **items, size_t n,
                        size_t min)
{
    if (n < min) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s: at least %zu required", field, min);
        return 0;
    }
    if (n > MAX_REFS) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s: at most %d", field, MAX_REFS);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s[%zu]", field, i);
        if (!validate_ident(call, name, items[i], 128))
            return 0;
    }
    return 1;
}

int event_copy_refs(struct event_op *op, char ***dst, size_t *n, char **src, size_t count)
{
    /* The request outlives the write, but keep the arrays the op holds uniform. */
    *dst = arena_alloc(&op->call->arena, (count + 1) * sizeof(char *));
    if (!*dst)
        return IMS_ENOMEM;
    for (size_t i = 0; i < count; i++)
        (*dst)[i] = src[i];
    *n = count;
    return 0;
}

struct event_op *event_op_new(struct rpc_call *call)
{
    struct rpc_write *w = rpc_write_new(call);
    if (!w)
        return NULL;
    struct event_op *op = calloc(1, sizeof *op);
    if (!op) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    op->call = call;
    w->data = op;
    w->unknown_is_invalid = 1;
    return op;
}

void event_list_start(struct rpc_call *call, int32_t page_size, const char *page_token,
                      const char *status, int statement, rpc_txn_done done)
{
    if (!rpc_page_begin(call, page_size, page_token, RPC_PAGE_KEY_IDENT) ||
        (*status && !validate_ident(call, "status", status, 16)))
        return;
    const char *params[4] = {call->tenant, *status ? status : NULL, page_token,
                             call->page.fetch};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, statement, 4, params) < 0)
        return;
    rpc_txn_exec(call, txn, done);
}
