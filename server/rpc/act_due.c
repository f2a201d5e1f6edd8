/* The due times of Check and Act: the next due time of each tenant in memory and the one
 * timer that sweeps the tenants due (act_due.h). */
#include "act_due.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pool.h"
#include "ims/error.h"
#include "log.h"
#include "statements.h"

#define DUE_MAX_WAIT_MS 86400000ULL /* looked at again daily; the sweep is the safety net */

struct due_entry {
    char tenant[AUTH_UUID_LEN + 1];
    uint64_t at; /* loop time (ms) it is due; 0: nothing due */
};

static struct {
    struct rpc_server *server;
    uv_loop_t *loop;
    uv_timer_t timer;
    int started, stopping;
    struct due_entry *v;
    int n, cap;
} due;

static void on_due(uv_timer_t *timer);

/* The timer for the earliest due time. */
static void due_arm(void)
{
    if (due.stopping || !due.started)
        return;
    uint64_t first = 0;
    for (int i = 0; i < due.n; i++)
        if (due.v[i].at && (!first || due.v[i].at < first))
            first = due.v[i].at;
    uv_timer_stop(&due.timer);
    if (!first)
        return;
    uint64_t now = uv_now(due.loop), wait = first > now ? first - now : 0;
    uv_timer_start(&due.timer, on_due, wait < DUE_MAX_WAIT_MS ? wait : DUE_MAX_WAIT_MS, 0);
}

static void on_due(uv_timer_t *timer)
{
    (void)timer;
    uint64_t now = uv_now(due.loop);
    int count = 0;
    for (int i = 0; i < due.n; i++)
        count += due.v[i].at && due.v[i].at <= now;
    char(*tenants)[AUTH_UUID_LEN + 1] = count ? calloc((size_t)count, sizeof *tenants) : NULL;
    int k = 0;
    for (int i = 0; tenants && i < due.n; i++) {
        if (due.v[i].at && due.v[i].at <= now) {
            memcpy(tenants[k++], due.v[i].tenant, sizeof tenants[0]);
            due.v[i].at = 0; /* until its sweep reads the next */
        }
    }
    if (tenants) {
        log_debug("due time", "tenants=%d", k);
        act_sweep_tenants(tenants, k);
    }
    due_arm();
}

void act_due_set(const char *tenant, PGresult *r)
{
    if (due.stopping || !due.started)
        return;
    uint64_t at = 0;
    if (r && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        at = uv_now(due.loop) + strtoull(PQgetvalue(r, 0, 1), NULL, 10) + 20;
    int i = 0;
    while (i < due.n && strcmp(due.v[i].tenant, tenant) != 0)
        i++;
    if (i == due.n) {
        if (!at)
            return;
        if (due.n == due.cap) {
            int cap = due.cap ? due.cap * 2 : 16;
            void *v = realloc(due.v, (size_t)cap * sizeof *due.v);
            if (!v)
                return; /* the sweep comes for it */
            due.v = v;
            due.cap = cap;
        }
        snprintf(due.v[i].tenant, sizeof due.v[i].tenant, "%s", tenant);
        due.n++;
    }
    due.v[i].at = at;
    due_arm();
}

struct due_query {
    char tenant[AUTH_UUID_LEN + 1];
};

static void due_queried(struct db_txn *txn, int err, void *arg)
{
    struct due_query *q = arg;
    if (err)
        log_warning("the next due time of a tenant is unknown", "tenant=%s error=\"%s\"",
                    q->tenant, txn ? db_txn_error(txn) : ims_strerror(err));
    else
        act_due_set(q->tenant, db_txn_result(txn, 0));
    db_txn_free(txn);
    free(q);
}

void rpc_act_due_changed(const char *tenant)
{
    if (!due.started || due.stopping)
        return;
    struct due_query *q = calloc(1, sizeof *q);
    struct db_txn *txn = q ? db_txn_new(rpc_server_pool(due.server), tenant, 0) : NULL;
    const char *params[1] = {tenant};
    if (!txn || db_txn_add(txn, STMT_ACT_NEXT_DUE, 1, params) < 0) {
        db_txn_free(txn);
        free(q);
        return;
    }
    snprintf(q->tenant, sizeof q->tenant, "%s", tenant);
    db_txn_exec(txn, due_queried, q);
}

int act_due_start(struct rpc_server *server, uv_loop_t *loop)
{
    due.server = server;
    due.loop = loop;
    if (uv_timer_init(loop, &due.timer) != 0)
        return IMS_EINTERNAL;
    due.started = 1;
    return 0;
}

void act_due_stop(void)
{
    due.stopping = 1;
    if (due.started && !uv_is_closing((uv_handle_t *)&due.timer)) {
        uv_timer_stop(&due.timer);
        uv_close((uv_handle_t *)&due.timer, NULL);
    }
    free(due.v);
    due.v = NULL;
    due.n = due.cap = 0;
}
