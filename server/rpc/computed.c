/* The sweep of Check and Act (docs/model.md "Computed metrics", docs/act.md): every
 * interval, for each tenant in turn, a sample of every computed metric that moves
 * with time alone and has moved (ims_computed_write with 'time'), applied to the tenant's
 * model as a tenant write so the level follows; and the awards checked against the
 * maturity computed now (ims_awards_sweep), suspending those whose scope holds an open
 * major nonconformity or whose maturity stayed below their level for their grace. The
 * samples of changes (actions, audits, reviews, findings) are written by the changes
 * themselves (act.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "computed.h"
#include "db_pool.h"
#include "handlers.h"
#include "ims/error.h"
#include "log.h"
#include "rpc.h"
#include "snapshot.h"
#include "statements.h"
#include "tenant.h"
#include "write.h"

/* One sweep at a time, tenant after tenant; static, because callbacks may come while the
 * daemon stops. */
static struct sweep {
    struct rpc_server *server;
    uv_timer_t timer;
    int started, running, stopping;
    char (*tenants)[AUTH_UUID_LEN + 1];
    int count, next;
    char tenant[AUTH_UUID_LEN + 1];
    PGresult *samples;
    struct tenant_write write;
} sweep;

static void sweep_next(void);

static void sweep_end(void)
{
    free(sweep.tenants);
    sweep.tenants = NULL;
    sweep.running = 0;
}

static int sweep_apply(engine_model *model, void *arg, engine_error *err)
{
    (void)arg;
    for (int i = 0; i < PQntuples(sweep.samples); i++) {
        int64_t at;
        if (engine_time_parse(PQgetvalue(sweep.samples, i, 1), &at) != 0)
            return IMS_EINTERNAL;
        int rc = engine_sample_add(model, PQgetvalue(sweep.samples, i, 0), at,
                                   strtod(PQgetvalue(sweep.samples, i, 2), NULL), err);
        if (rc != 0 && rc != IMS_ENOTFOUND)
            return rc;
    }
    return 0;
}

static void sweep_written(int err, const char *msg, struct db_txn *txn, int first,
                          const struct tenant_level *level, void *arg)
{
    (void)txn;
    (void)first;
    (void)level;
    (void)arg;
    if (err) {
        log_warning("computed samples not applied; the tenant reloads", "tenant=%s error=\"%s\"",
                    sweep.tenant, msg ? msg : "");
        tenant_invalidate(rpc_server_tenants(sweep.server), sweep.tenant, 0);
    }
    PQclear(sweep.samples);
    sweep.samples = NULL;
    sweep_next();
}

static void tenant_swept(struct db_txn *txn, int err, void *arg)
{
    (void)arg;
    if (err) {
        log_warning("sweep of a tenant failed", "tenant=%s error=\"%s\"", sweep.tenant,
                    txn ? db_txn_error(txn) : ims_strerror(err));
        db_txn_free(txn);
        sweep_next();
        return;
    }
    PGresult *s = db_txn_result(txn, 0);
    if (PQntuples(db_txn_result(txn, 1)) > 0)
        log_info("awards suspended", "tenant=%s count=%d", sweep.tenant,
                 PQntuples(db_txn_result(txn, 1)));
    if (PQntuples(s) == 0 || sweep.stopping) {
        db_txn_free(txn);
        sweep_next();
        return;
    }
    sweep.samples = PQcopyResult(s, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
    db_txn_free(txn);
    if (!sweep.samples) {
        sweep_next();
        return;
    }
    memset(&sweep.write, 0, sizeof sweep.write);
    sweep.write.apply = sweep_apply;
    sweep.write.done = sweep_written;
    sweep.write.cause = "computed";
    tenant_write_submit(rpc_server_tenants(sweep.server), sweep.tenant, &sweep.write);
}

/* {"": tenant maturity, "<framework>": its maturity} of the evaluated state. */
static char *maturities(struct tenant_state *state)
{
    const engine_eval *ev = tenant_state_eval(state);
    json_t *o = json_object();
    json_object_set_new(o, "", json_integer(tenant_state_level(state)->maturity));
    for (size_t i = 0; i < engine_framework_count(ev); i++) {
        engine_framework_figures f;
        engine_framework_get(ev, i, &f);
        json_object_set_new(o, engine_framework_id(ev, i), json_integer(f.maturity));
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

static void tenant_read_done(int err, const char *msg, struct tenant_state *state, void *arg)
{
    (void)arg;
    if (err || sweep.stopping) {
        if (err)
            log_warning("sweep cannot read a tenant", "tenant=%s error=\"%s\"", sweep.tenant,
                        msg ? msg : "");
        sweep_next();
        return;
    }
    char *m = maturities(state);
    const char *computed[2] = {sweep.tenant, "{time}"};
    const char *awards[2] = {sweep.tenant, m};
    struct db_txn *txn = m ? db_txn_new(rpc_server_pool(sweep.server), sweep.tenant, 0) : NULL;
    if (!txn || db_txn_add(txn, STMT_COMPUTED_WRITE, 2, computed) < 0 ||
        db_txn_add(txn, STMT_AWARDS_SWEEP, 2, awards) < 0) {
        db_txn_free(txn);
        free(m);
        sweep_next();
        return;
    }
    free(m);
    db_txn_exec(txn, tenant_swept, NULL);
}

static void sweep_next(void)
{
    if (sweep.stopping || sweep.next >= sweep.count) {
        sweep_end();
        return;
    }
    snprintf(sweep.tenant, sizeof sweep.tenant, "%s", sweep.tenants[sweep.next++]);
    tenant_read(rpc_server_tenants(sweep.server), sweep.tenant, tenant_read_done, NULL);
}

static void tenants_listed(struct db_txn *txn, int err, void *arg)
{
    (void)arg;
    PGresult *r = err ? NULL : db_txn_result(txn, 0);
    int n = r ? PQntuples(r) : 0;
    sweep.tenants = n ? calloc((size_t)n, sizeof *sweep.tenants) : NULL;
    sweep.count = sweep.tenants ? n : 0;
    sweep.next = 0;
    for (int i = 0; i < sweep.count; i++)
        snprintf(sweep.tenants[i], sizeof sweep.tenants[i], "%s", PQgetvalue(r, i, 0));
    db_txn_free(txn);
    sweep_next();
}

static void on_sweep(uv_timer_t *timer)
{
    (void)timer;
    if (sweep.running || sweep.stopping)
        return;
    struct db_txn *txn = db_txn_new(rpc_server_pool(sweep.server), NULL, 1);
    if (!txn || db_txn_add(txn, STMT_ACT_TENANTS, 0, NULL) < 0) {
        db_txn_free(txn);
        return;
    }
    sweep.running = 1;
    db_txn_exec(txn, tenants_listed, NULL);
}

int rpc_act_sweep_start(struct rpc_server *server, uv_loop_t *loop, int64_t interval_s)
{
    sweep.server = server;
    if (uv_timer_init(loop, &sweep.timer) != 0)
        return IMS_EINTERNAL;
    sweep.started = 1;
    uint64_t ms = (uint64_t)interval_s * 1000;
    /* The first after one interval: a daemon that starts does not write at once. */
    return uv_timer_start(&sweep.timer, on_sweep, ms, ms) == 0 ? 0 : IMS_EINTERNAL;
}

void rpc_act_sweep_stop(void)
{
    sweep.stopping = 1;
    if (sweep.started && !uv_is_closing((uv_handle_t *)&sweep.timer)) {
        uv_timer_stop(&sweep.timer);
        uv_close((uv_handle_t *)&sweep.timer, NULL);
    }
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
    for (int i = 0; i < PQntuples(f->samples); i++) {
        int64_t at;
        if (engine_time_parse(PQgetvalue(f->samples, i, 1), &at) != 0)
            return IMS_EINTERNAL;
        int rc = engine_sample_add(model, PQgetvalue(f->samples, i, 0), at,
                                   strtod(PQgetvalue(f->samples, i, 2), NULL), err);
        if (rc != 0 && rc != IMS_ENOTFOUND)
            return rc;
    }
    return 0;
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
    if (sweep.started && !sweep.stopping &&
        (f->samples = PQcopyResult(r, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES)) &&
        uv_timer_init(sweep.timer.loop, &f->timer) == 0) {
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
