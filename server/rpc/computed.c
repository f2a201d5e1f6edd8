/* Computed metrics written with the changes that move them (docs/model.md "Computed
 * metrics"): the samples a change's transaction wrote (ims_computed_write) applied to the
 * tenant's model by a write of their own once the change is answered, on the next turn of
 * the loop. */
#include "computed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pool.h"
#include "ims/error.h"
#include "log.h"
#include "rpc.h"
#include "snapshot.h"
#include "statements.h"
#include "tenant.h"
#include "write.h"

static uv_loop_t *follow_loop; /* NULL before computed_start and after computed_stop */

void computed_start(uv_loop_t *loop)
{
    follow_loop = loop;
}

void computed_stop(void)
{
    follow_loop = NULL;
}

int computed_samples_apply(engine_model *model, PGresult *samples, engine_error *err)
{
    for (int i = 0; samples && i < PQntuples(samples); i++) {
        int64_t at;
        if (engine_time_parse(PQgetvalue(samples, i, 1), &at) != 0)
            return IMS_EINTERNAL;
        int rc = engine_sample_add(model, PQgetvalue(samples, i, 0), at,
                                   strtod(PQgetvalue(samples, i, 2), NULL), err);
        if (rc != 0 && rc != IMS_ENOTFOUND) /* a metric the tenant disabled: left out */
            return rc;
    }
    return 0;
}

/* A tenant write's computed samples, from its statements to the write that applies them
 * (after the change is answered, on the next turn of the loop: never inside a flush). */
struct computed_follow {
    void (*reply)(struct rpc_write *w, struct db_txn *txn, int first,
                  const struct tenant_level *level);
    int index;
    struct tenant_registry *reg;
    char tenant[AUTH_UUID_LEN + 1];
    PGresult *samples;
    struct tenant_write write;
    uv_timer_t timer;
};

static int follow_apply(engine_model *model, void *arg, engine_error *err)
{
    struct computed_follow *f = arg;
    return computed_samples_apply(model, f->samples, err);
}

static void follow_closed(uv_handle_t *h)
{
    struct computed_follow *f = h->data;
    PQclear(f->samples);
    free(f);
}

static void follow_done(int err, const char *msg, struct db_txn *txn, int first,
                        const struct tenant_level *level, void *arg)
{
    struct computed_follow *f = arg;
    (void)txn;
    (void)first;
    (void)level;
    if (err) {
        /* The samples are stored: the model holds them once it reloads. */
        log_warning("computed samples not applied; the tenant reloads", "tenant=%s error=\"%s\"",
                    f->tenant, msg ? msg : "");
        tenant_invalidate(f->reg, f->tenant, 0);
    }
    uv_close((uv_handle_t *)&f->timer, follow_closed);
}

static void follow_go(uv_timer_t *timer)
{
    struct computed_follow *f = timer->data;
    f->write.apply = follow_apply;
    f->write.done = follow_done;
    f->write.arg = f;
    f->write.cause = "computed";
    tenant_write_submit(f->reg, f->tenant, &f->write);
}

/* Starts f's write with the samples of r on the next turn of the loop. Returns 1 when f
 * now lives on until its write is done, 0 when there is nothing to apply (or it could not
 * start: then the tenant reloads). */
static int follow_start(struct computed_follow *f, PGresult *r)
{
    int n = r ? PQntuples(r) : 0;
    if (n == 0)
        return 0;
    if (follow_loop && (f->samples = PQcopyResult(r, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES)) &&
        uv_timer_init(follow_loop, &f->timer) == 0) {
        f->timer.data = f;
        uv_timer_start(&f->timer, follow_go, 0, 0);
        return 1;
    }
    PQclear(f->samples);
    f->samples = NULL;
    tenant_invalidate(f->reg, f->tenant, 0);
    return 0;
}

static void follow_reply(struct rpc_write *w, struct db_txn *txn, int first,
                         const struct tenant_level *level)
{
    struct computed_follow *f = w->computed;
    void (*reply)(struct rpc_write *, struct db_txn *, int, const struct tenant_level *) = f->reply;
    if (follow_start(f, db_txn_result(txn, f->index)))
        w->computed = NULL; /* f lives on until its write is done */
    reply(w, txn, first, level); /* may end the call and free w (and f with it) */
}

void computed_apply(struct rpc_call *call, PGresult *samples)
{
    if (!samples || PQntuples(samples) == 0)
        return;
    struct computed_follow *f = calloc(1, sizeof *f);
    if (!f) {
        tenant_invalidate(rpc_server_tenants(call->server), call->tenant, 0);
        return;
    }
    f->reg = rpc_server_tenants(call->server);
    snprintf(f->tenant, sizeof f->tenant, "%s", call->tenant);
    if (!follow_start(f, samples))
        free(f);
}

int computed_statement(struct db_txn *txn, struct rpc_write *w, const char *kinds)
{
    const char *params[2] = {w->call->tenant, kinds};
    if (!w->computed) {
        if (!(w->computed = calloc(1, sizeof *w->computed)))
            return IMS_ENOMEM;
        w->computed->reply = w->reply;
        w->computed->reg = rpc_server_tenants(w->call->server);
        snprintf(w->computed->tenant, sizeof w->computed->tenant, "%s", w->call->tenant);
        w->reply = follow_reply;
    }
    int index = db_txn_add(txn, STMT_COMPUTED_WRITE, 2, params);
    if (index < 0)
        return IMS_ENOMEM;
    w->computed->index = index;
    return 0;
}
