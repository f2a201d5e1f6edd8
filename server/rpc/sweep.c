/* The sweep of Check and Act (docs/model.md "Computed metrics", docs/act.md): at a due time
 * for the tenants due then (act_due.c), and every interval for every tenant as a safety
 * net, in turn: the awards whose expiry passed expired (ims_awards_expire); a sample of
 * every computed metric that moves with time alone and has moved (ims_computed_write with
 * 'time'), applied to the tenant's model as a tenant write so the level follows; then, only
 * for a tenant holding active awards, the awards checked against the maturity computed now
 * (ims_awards_sweep), suspending those whose scope holds an open major nonconformity or
 * whose maturity stayed below their level for their grace; and the tenant's next due time.
 * A tenant without samples to write or awards to check is never loaded into memory, so the
 * sweep leaves the tenant cache alone. When the daemon starts, a first pass only reads
 * every tenant's next due time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "act_due.h"
#include "computed.h"
#include "db_pool.h"
#include "ims/error.h"
#include "log.h"
#include "rpc.h"
#include "statements.h"
#include "tenant.h"

/* One sweep at a time, tenant after tenant; static, because callbacks may come while the
 * daemon stops. */
static struct sweep {
    struct rpc_server *server;
    uv_timer_t timer;
    int started, running, stopping;
    int scan; /* the first pass: next due times only */
    char (*tenants)[AUTH_UUID_LEN + 1];
    int count, next;
    char (*pending)[AUTH_UUID_LEN + 1]; /* due while a sweep ran: swept after it */
    int pending_count;
    char tenant[AUTH_UUID_LEN + 1];
    int awards; /* the tenant's active awards */
    PGresult *samples;
    struct tenant_write write;
} sweep;

static void sweep_next(void);
static void awards_step(void);

static void sweep_end(void)
{
    free(sweep.tenants);
    sweep.tenants = NULL;
    sweep.running = 0;
    sweep.scan = 0;
    if (sweep.pending && !sweep.stopping) {
        char(*due)[AUTH_UUID_LEN + 1] = sweep.pending;
        int n = sweep.pending_count;
        sweep.pending = NULL;
        sweep.pending_count = 0;
        act_sweep_tenants(due, n);
    }
}

static int sweep_apply(engine_model *model, void *arg, engine_error *err)
{
    (void)arg;
    return computed_samples_apply(model, sweep.samples, err);
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
    awards_step();
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
    if (PQntuples(db_txn_result(txn, 0)) > 0)
        log_info("awards expired", "tenant=%s count=%d", sweep.tenant,
                 PQntuples(db_txn_result(txn, 0)));
    PGresult *s = db_txn_result(txn, 1);
    sweep.awards = atoi(PQgetvalue(db_txn_result(txn, 2), 0, 0));
    act_due_set(sweep.tenant, db_txn_result(txn, 3));
    if (PQntuples(s) == 0 || sweep.stopping) {
        db_txn_free(txn);
        awards_step();
        return;
    }
    sweep.samples = PQcopyResult(s, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
    db_txn_free(txn);
    if (!sweep.samples) {
        awards_step();
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

static void awards_swept(struct db_txn *txn, int err, void *arg)
{
    (void)arg;
    if (err)
        log_warning("awards sweep of a tenant failed", "tenant=%s error=\"%s\"", sweep.tenant,
                    txn ? db_txn_error(txn) : ims_strerror(err));
    else {
        if (PQntuples(db_txn_result(txn, 0)) > 0)
            log_info("awards suspended", "tenant=%s count=%d", sweep.tenant,
                     PQntuples(db_txn_result(txn, 0)));
        act_due_set(sweep.tenant, db_txn_result(txn, 1));
    }
    db_txn_free(txn);
    sweep_next();
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
    const char *tenant[1] = {sweep.tenant};
    const char *awards[2] = {sweep.tenant, m};
    struct db_txn *txn = m ? db_txn_new(rpc_server_pool(sweep.server), sweep.tenant, 0) : NULL;
    if (!txn || db_txn_add(txn, STMT_AWARDS_SWEEP, 2, awards) < 0 ||
        db_txn_add(txn, STMT_ACT_NEXT_DUE, 1, tenant) < 0) {
        db_txn_free(txn);
        free(m);
        sweep_next();
        return;
    }
    free(m);
    db_txn_exec(txn, awards_swept, NULL);
}

/* The awards need the maturity computed now, hence the tenant's state: read (loaded if it
 * is not in memory) only when the tenant holds active awards. */
static void awards_step(void)
{
    if (sweep.awards > 0 && !sweep.stopping)
        tenant_read(rpc_server_tenants(sweep.server), sweep.tenant, tenant_read_done, NULL);
    else
        sweep_next();
}

/* Expiries, the time-moved samples, the active awards' count and the next due time. */
static void tenant_sweep(void)
{
    const char *params[2] = {sweep.tenant, "{time}"};
    struct db_txn *txn = db_txn_new(rpc_server_pool(sweep.server), sweep.tenant, 0);
    if (!txn || db_txn_add(txn, STMT_AWARDS_EXPIRE, 1, params) < 0 ||
        db_txn_add(txn, STMT_COMPUTED_WRITE, 2, params) < 0 ||
        db_txn_add(txn, STMT_AWARDS_ACTIVE, 1, params) < 0 ||
        db_txn_add(txn, STMT_ACT_NEXT_DUE, 1, params) < 0) {
        db_txn_free(txn);
        sweep_next();
        return;
    }
    sweep.awards = 0;
    db_txn_exec(txn, tenant_swept, NULL);
}

static void tenant_scanned(struct db_txn *txn, int err, void *arg)
{
    (void)arg;
    act_due_set(sweep.tenant, err ? NULL : db_txn_result(txn, 0));
    db_txn_free(txn);
    sweep_next();
}

/* The first pass: the tenant's next due time only. */
static void tenant_scan(void)
{
    const char *params[1] = {sweep.tenant};
    struct db_txn *txn = db_txn_new(rpc_server_pool(sweep.server), sweep.tenant, 0);
    if (!txn || db_txn_add(txn, STMT_ACT_NEXT_DUE, 1, params) < 0) {
        db_txn_free(txn);
        sweep_next();
        return;
    }
    db_txn_exec(txn, tenant_scanned, NULL);
}

static void sweep_next(void)
{
    if (sweep.stopping || sweep.next >= sweep.count) {
        sweep_end();
        return;
    }
    snprintf(sweep.tenant, sizeof sweep.tenant, "%s", sweep.tenants[sweep.next++]);
    if (sweep.scan)
        tenant_scan();
    else
        tenant_sweep();
}

void act_sweep_tenants(char (*tenants)[AUTH_UUID_LEN + 1], int count)
{
    if (sweep.stopping || count == 0) {
        free(tenants);
        return;
    }
    if (sweep.running) {
        void *more = realloc(sweep.pending, (size_t)(sweep.pending_count + count) * sizeof *tenants);
        if (more) {
            sweep.pending = more;
            memcpy(sweep.pending[sweep.pending_count], tenants, (size_t)count * sizeof *tenants);
            sweep.pending_count += count;
        }
        free(tenants);
        return;
    }
    sweep.running = 1;
    sweep.tenants = tenants;
    sweep.count = count;
    sweep.next = 0;
    sweep_next();
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

static void sweep_every_tenant(void)
{
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

static void on_sweep(uv_timer_t *timer)
{
    (void)timer;
    sweep_every_tenant();
}

int rpc_act_sweep_start(struct rpc_server *server, uv_loop_t *loop, int64_t interval_s)
{
    sweep.server = server;
    if (uv_timer_init(loop, &sweep.timer) != 0)
        return IMS_EINTERNAL;
    sweep.started = 1;
    if (act_due_start(server, loop) != 0)
        return IMS_EINTERNAL;
    uint64_t ms = (uint64_t)interval_s * 1000;
    /* The first sweep after one interval: a daemon that starts does not write at once; it
     * reads the due times of every tenant. */
    if (uv_timer_start(&sweep.timer, on_sweep, ms, ms) != 0)
        return IMS_EINTERNAL;
    sweep.scan = 1;
    sweep_every_tenant();
    return 0;
}

void rpc_act_sweep_stop(void)
{
    sweep.stopping = 1;
    act_due_stop();
    free(sweep.pending);
    sweep.pending = NULL;
    if (sweep.started && !uv_is_closing((uv_handle_t *)&sweep.timer)) {
        uv_timer_stop(&sweep.timer);
        uv_close((uv_handle_t *)&sweep.timer, NULL);
    }
}
