/* ims.v1.Portfolio: every tenant in the caller's scope with its level, maturity, trend,
 * open nonconformities, overdue actions and risks above appetite. The stored figures come
 * in one statement; the risks from each tenant's evaluated state, read one after another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_pool.h"
#include "handlers.h"
#include "ims/error.h"
#include "ims/v1/portfolio.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "tenant.h"
#include "validate.h"
#include "write.h"

#define DEFAULT_DAYS 90
#define MAX_DAYS 366

struct portfolio {
    struct rpc_call *call;
    Ims__V1__PortfolioTenant **tenants;
    size_t n, next; /* tenants, and the next whose risks are read */
};

static void count_pair(void *ctx, const engine_pair_figures *pair)
{
    if (!pair->within_appetite)
        (*(int *)ctx)++;
}

static int count_above(const engine_eval *eval)
{
    int n = 0;
    engine_pairs_foreach(eval, count_pair, &n);
    return n;
}

static void read_next(struct portfolio *p);

static void finish(struct portfolio *p)
{
    struct rpc_call *call = p->call;
    char at[32];
    validate_format_time((int64_t)time(NULL), at, sizeof at);
    Ims__V1__GetPortfolioResponse resp = IMS__V1__GET_PORTFOLIO_RESPONSE__INIT;
    resp.tenants = p->tenants;
    resp.n_tenants = p->n;
    resp.at = at;
    rpc_reply(call, &resp.base);
}

static void risks_read(int err, const char *msg, struct tenant_state *state, void *arg)
{
    struct portfolio *p = arg;
    (void)msg;
    if (p->call->cancelled) {
        rpc_end(p->call);
        return;
    }
    /* A tenant that cannot be loaded now still shows its stored figures. */
    if (err == 0)
        p->tenants[p->next]->risks_above_appetite = count_above(tenant_state_eval(state));
    else
        p->tenants[p->next]->risks_above_appetite = -1;
    p->next++;
    read_next(p);
}

static void read_next(struct portfolio *p)
{
    if (p->next == p->n) {
        finish(p);
        return;
    }
    tenant_read(rpc_server_tenants(p->call->server), p->tenants[p->next]->tenant, risks_read, p);
}

/* "2026-11-30=0.61,2026-12-01=0.63" into trend points. */
static int parse_trend(struct arena *a, Ims__V1__PortfolioTenant *t, const char *text)
{
    size_t n = 0;
    char **items = *text ? arena_split(a, text, ',', &n) : NULL;
    if (*text && !items)
        return -1;
    t->trend = arena_alloc(a, (n + 1) * sizeof *t->trend);
    if (!t->trend)
        return -1;
    for (size_t i = 0; i < n; i++) {
        Ims__V1__TrendPoint *pt = arena_alloc(a, sizeof *pt);
        char *eq = strchr(items[i], '=');
        if (!pt || !eq)
            return -1;
        ims__v1__trend_point__init(pt);
        *eq = '\0';
        pt->day = items[i];
        pt->security_level = strtod(eq + 1, NULL);
        t->trend[i] = pt;
    }
    t->n_trend = n;
    return 0;
}

static void tenants_loaded(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    struct portfolio *p = arena_alloc(&call->arena, sizeof *p);
    int rows = PQntuples(r);
    if (p)
        p->tenants = arena_alloc(&call->arena, ((size_t)rows + 1) * sizeof *p->tenants);
    if (!p || !p->tenants) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    p->call = call;
    for (int i = 0; i < rows; i++) {
        Ims__V1__PortfolioTenant *t = arena_alloc(&call->arena, sizeof *t);
        if (!t)
            break;
        ims__v1__portfolio_tenant__init(t);
        t->tenant = arena_strdup(&call->arena, PQgetvalue(r, i, 0));
        t->slug = arena_strdup(&call->arena, PQgetvalue(r, i, 1));
        t->display_name = arena_strdup(&call->arena, PQgetvalue(r, i, 2));
        t->sector = arena_strdup(&call->arena, PQgetvalue(r, i, 3));
        t->security_level = strtod(PQgetvalue(r, i, 4), NULL);
        t->maturity = atoi(PQgetvalue(r, i, 5));
        t->revision = atoll(PQgetvalue(r, i, 6));
        t->open_nonconformities = atoi(PQgetvalue(r, i, 7));
        t->overdue_actions = atoi(PQgetvalue(r, i, 8));
        if (parse_trend(&call->arena, t, PQgetvalue(r, i, 9)) != 0)
            break;
        p->tenants[p->n++] = t;
    }
    if (call->arena.failed || p->n != (size_t)rows) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    read_next(p);
}

/* The principal's tenant ids joined by commas ("" when it has none). */
static char *scope_csv(struct rpc_call *call)
{
    const struct auth_principal *pr = &call->principal;
    char *csv = arena_alloc(&call->arena, (size_t)pr->tenant_count * (AUTH_UUID_LEN + 1) + 1);
    if (!csv)
        return NULL;
    csv[0] = '\0';
    for (int i = 0; i < pr->tenant_count; i++) {
        if (i)
            strcat(csv, ",");
        strcat(csv, pr->tenants[i]);
    }
    return csv;
}

void rpc_get_portfolio(struct rpc_call *call)
{
    const Ims__V1__GetPortfolioRequest *req = (const Ims__V1__GetPortfolioRequest *)call->request;
    if (!validate_range(call, "days", req->days, 0, MAX_DAYS))
        return;
    char days[16];
    snprintf(days, sizeof days, "%d", req->days ? req->days : DEFAULT_DAYS);
    const char *csv = NULL;
    if (call->principal.role != ROLE_OPERATOR && !(csv = scope_csv(call))) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    const char *params[2] = {csv, days};
    struct db_txn *txn = rpc_txn_new(call, NULL, 1);
    if (txn && rpc_txn_add(call, txn, STMT_PORTFOLIO_TENANTS, 2, params) >= 0)
        rpc_txn_exec(call, txn, tenants_loaded);
}
