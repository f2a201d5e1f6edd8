/* ims.v1.Catalog: the global catalog, read-only (frameworks, controls, threats, ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "sql_values.h"
#include "write.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/catalog.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"

/* Runs one listing statement: params are its filters, then "after" and the limit. */
static void run_list(struct rpc_call *call, int statement, int nfilters,
                     const char *const *filters, const char *after, rpc_txn_done done)
{
    const char *params[4];
    for (int i = 0; i < nfilters; i++)
        params[i] = filters[i];
    params[nfilters] = after;
    params[nfilters + 1] = call->page.fetch;
    struct db_txn *txn = rpc_txn_new(call, NULL, 0);
    if (!txn || rpc_txn_add(call, txn, statement, nfilters + 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, done);
}

static void reply_or_oom(struct rpc_call *call, struct arena *a, const ProtobufCMessage *m)
{
    if (a->failed)
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    else
        rpc_reply(call, m);
}

/* --- frameworks --- */

static void frameworks_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    Ims__V1__ListFrameworksResponse resp = IMS__V1__LIST_FRAMEWORKS_RESPONSE__INIT;
    struct arena *a = &call->arena;
    const char *next;
    int n = rpc_page_result(call, r, 0, -1, &next);
    Ims__V1__Framework **items = arena_alloc(a, ((size_t)n + 1) * sizeof *items);
    for (int i = 0; items && i < n; i++) {
        Ims__V1__Framework *f = items[i] = arena_alloc(a, sizeof *f);
        if (!f)
            break;
        ims__v1__framework__init(f);
        f->id = PQgetvalue(r, i, 0);
        f->system = PQgetvalue(r, i, 1);
        f->name = PQgetvalue(r, i, 2);
        f->edition = PQgetvalue(r, i, 3);
        f->controls = sql_int(r, i, 4);
    }
    resp.n_frameworks = (size_t)n;
    resp.frameworks = items;
    resp.next_page_token = (char *)next;
    reply_or_oom(call, a, &resp.base);
}

void rpc_list_frameworks(struct rpc_call *call)
{
    const Ims__V1__ListFrameworksRequest *req = (const void *)call->request;
    int p = rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_TEXT);
    if (p)
        run_list(call, STMT_CATALOG_FRAMEWORKS, 0, NULL, req->page_token, frameworks_done);
}

/* --- controls --- */

static Ims__V1__Control *control_from_row(struct arena *a, PGresult *r, int row)
{
    Ims__V1__Control *c = arena_alloc(a, sizeof *c);
    if (!c)
        return NULL;
    ims__v1__control__init(c);
    c->id = PQgetvalue(r, row, 0);
    c->framework = PQgetvalue(r, row, 1);
    c->domain = PQgetvalue(r, row, 2);
    c->code = PQgetvalue(r, row, 3);
    c->title = PQgetvalue(r, row, 4);
    c->harmonized = PQgetvalue(r, row, 5);
    c->subcontrols = sql_int(r, row, 6);
    return c;
}

static Ims__V1__Control **controls_from_rows(struct arena *a, PGresult *r, int n)
{
    Ims__V1__Control **items = arena_alloc(a, ((size_t)n + 1) * sizeof *items);
    for (int i = 0; items && i < n; i++)
        if (!(items[i] = control_from_row(a, r, i)))
            return NULL;
    return items;
}

static void controls_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    Ims__V1__ListControlsResponse resp = IMS__V1__LIST_CONTROLS_RESPONSE__INIT;
    struct arena *a = &call->arena;
    const char *next;
    int n = rpc_page_result(call, r, 7, -1, &next);
    resp.controls = controls_from_rows(a, r, n);
    resp.n_controls = (size_t)n;
    resp.next_page_token = (char *)next;
    reply_or_oom(call, a, &resp.base);
}

void rpc_list_controls(struct rpc_call *call)
{
    const Ims__V1__ListControlsRequest *req = (const void *)call->request;
    int p = rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_TEXT);
    if (!p)
        return;
    if ((*req->framework && !validate_ident(call, "framework", req->framework, 63)) ||
        (*req->domain && !validate_ident(call, "domain", req->domain, 63)))
        return;
    const char *filters[2] = {*req->framework ? req->framework : NULL,
                              *req->domain ? req->domain : NULL};
    run_list(call, STMT_CATALOG_CONTROLS, 2, filters, req->page_token, controls_done);
}

static void get_control_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *c = db_txn_result(txn, 0), *s = db_txn_result(txn, 1), *o = db_txn_result(txn, 2);
    const Ims__V1__GetControlRequest *req = (const void *)call->request;
    if (PQntuples(c) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no control \"%s\" in the catalog", req->id);
        return;
    }
    struct arena *a = &call->arena;
    Ims__V1__ControlDetail resp = IMS__V1__CONTROL_DETAIL__INIT;
    resp.control = control_from_row(a, c, 0);
    int ns = PQntuples(s);
    Ims__V1__Subcontrol **subs = arena_alloc(a, ((size_t)ns + 1) * sizeof *subs);
    for (int i = 0; subs && i < ns; i++) {
        Ims__V1__Subcontrol *sc = subs[i] = arena_alloc(a, sizeof *sc);
        if (!sc)
            break;
        ims__v1__subcontrol__init(sc);
        sc->id = PQgetvalue(s, i, 0);
        sc->question = PQgetvalue(s, i, 1);
        sc->level = sql_int(s, i, 2);
        sc->weight = sql_int(s, i, 3);
        sc->effort = sql_int(s, i, 4);
        sc->controls = arena_split(a, PQgetvalue(s, i, 5), ',', &sc->n_controls);
    }
    resp.subcontrols = subs;
    resp.n_subcontrols = (size_t)ns;
    resp.shared_with = controls_from_rows(a, o, PQntuples(o));
    resp.n_shared_with = (size_t)PQntuples(o);
    PGresult *pr = db_txn_result(txn, 3), *rl = db_txn_result(txn, 4);
    int np = PQntuples(pr), nr = PQntuples(rl);
    Ims__V1__ControlPredecessor **preds = arena_alloc(a, ((size_t)np + 1) * sizeof *preds);
    for (int i = 0; preds && i < np; i++) {
        Ims__V1__ControlPredecessor *p = preds[i] = arena_alloc(a, sizeof *p);
        if (!p)
            break;
        ims__v1__control_predecessor__init(p);
        p->edition = PQgetvalue(pr, i, 0);
        p->id = PQgetvalue(pr, i, 1);
        p->title = PQgetvalue(pr, i, 2);
        p->relation = PQgetvalue(pr, i, 3);
    }
    Ims__V1__ControlRelation **rels = arena_alloc(a, ((size_t)nr + 1) * sizeof *rels);
    for (int i = 0; rels && i < nr; i++) {
        Ims__V1__ControlRelation *r = rels[i] = arena_alloc(a, sizeof *r);
        if (!r)
            break;
        ims__v1__control_relation__init(r);
        r->control = PQgetvalue(rl, i, 0);
        r->relation = PQgetvalue(rl, i, 1);
        r->note = PQgetvalue(rl, i, 2);
    }
    resp.predecessors = preds;
    resp.n_predecessors = preds ? (size_t)np : 0;
    resp.related = rels;
    resp.n_related = rels ? (size_t)nr : 0;
    reply_or_oom(call, a, &resp.base);
}

void rpc_get_control(struct rpc_call *call)
{
    const Ims__V1__GetControlRequest *req = (const void *)call->request;
    if (!validate_ident(call, "id", req->id, 63))
        return;
    const char *params[1] = {req->id};
    struct db_txn *txn = rpc_txn_new(call, NULL, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_CATALOG_CONTROL, 1, params) < 0 ||
        rpc_txn_add(call, txn, STMT_CATALOG_CONTROL_SUBCONTROLS, 1, params) < 0 ||
        rpc_txn_add(call, txn, STMT_CATALOG_CONTROL_SHARED, 1, params) < 0 ||
        rpc_txn_add(call, txn, STMT_CATALOG_CONTROL_PREDECESSORS, 1, params) < 0 ||
        rpc_txn_add(call, txn, STMT_CATALOG_CONTROL_RELATIONS, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, get_control_done);
}

/* --- threats, asset types, metrics --- */

static void threats_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    Ims__V1__ListThreatsResponse resp = IMS__V1__LIST_THREATS_RESPONSE__INIT;
    struct arena *a = &call->arena;
    const char *next;
    int n = rpc_page_result(call, r, 0, -1, &next);
    Ims__V1__Threat **items = arena_alloc(a, ((size_t)n + 1) * sizeof *items);
    for (int i = 0; items && i < n; i++) {
        Ims__V1__Threat *t = items[i] = arena_alloc(a, sizeof *t);
        if (!t)
            break;
        ims__v1__threat__init(t);
        t->id = PQgetvalue(r, i, 0);
        t->family = PQgetvalue(r, i, 1);
        t->name = PQgetvalue(r, i, 2);
        t->dimensions = PQgetvalue(r, i, 3);
        t->likelihood = sql_int(r, i, 4);
        t->description = PQgetvalue(r, i, 5);
    }
    resp.threats = items;
    resp.n_threats = (size_t)n;
    resp.next_page_token = (char *)next;
    reply_or_oom(call, a, &resp.base);
}

void rpc_list_threats(struct rpc_call *call)
{
    const Ims__V1__ListThreatsRequest *req = (const void *)call->request;
    int p = rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_TEXT);
    if (p)
        run_list(call, STMT_CATALOG_THREATS, 0, NULL, req->page_token, threats_done);
}

static void asset_types_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    Ims__V1__ListAssetTypesResponse resp = IMS__V1__LIST_ASSET_TYPES_RESPONSE__INIT;
    struct arena *a = &call->arena;
    const char *next;
    int n = rpc_page_result(call, r, 0, -1, &next);
    Ims__V1__AssetType **items = arena_alloc(a, ((size_t)n + 1) * sizeof *items);
    for (int i = 0; items && i < n; i++) {
        Ims__V1__AssetType *t = items[i] = arena_alloc(a, sizeof *t);
        if (!t)
            break;
        ims__v1__asset_type__init(t);
        t->id = PQgetvalue(r, i, 0);
        t->name = PQgetvalue(r, i, 1);
        t->description = PQgetvalue(r, i, 2);
        size_t nd = 0;
        char **pairs = arena_split(a, PQgetvalue(r, i, 3), ',', &nd);
        Ims__V1__Degradation **ds = arena_alloc(a, (nd + 1) * sizeof *ds);
        for (size_t j = 0; pairs && ds && j < nd; j++) {
            Ims__V1__Degradation *d = ds[j] = arena_alloc(a, sizeof *d);
            if (!d)
                break;
            ims__v1__degradation__init(d);
            char *eq = strchr(pairs[j], '=');
            if (eq) {
                *eq = '\0';
                d->degradation = strtod(eq + 1, NULL);
            }
            d->threat = pairs[j];
        }
        t->threats = ds;
        t->n_threats = ds ? nd : 0;
    }
    resp.asset_types = items;
    resp.n_asset_types = (size_t)n;
    resp.next_page_token = (char *)next;
    reply_or_oom(call, a, &resp.base);
}

void rpc_list_asset_types(struct rpc_call *call)
{
    const Ims__V1__ListAssetTypesRequest *req = (const void *)call->request;
    int p = rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_TEXT);
    if (p)
        run_list(call, STMT_CATALOG_ASSET_TYPES, 0, NULL, req->page_token, asset_types_done);
}

static void metrics_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    Ims__V1__ListMetricsResponse resp = IMS__V1__LIST_METRICS_RESPONSE__INIT;
    struct arena *a = &call->arena;
    const char *next;
    int n = rpc_page_result(call, r, 0, -1, &next);
    Ims__V1__MetricDefinition **items = arena_alloc(a, ((size_t)n + 1) * sizeof *items);
    for (int i = 0; items && i < n; i++) {
        Ims__V1__MetricDefinition *m = items[i] = arena_alloc(a, sizeof *m);
        if (!m)
            break;
        ims__v1__metric_definition__init(m);
        m->id = PQgetvalue(r, i, 0);
        m->name = PQgetvalue(r, i, 1);
        m->description = PQgetvalue(r, i, 2);
        m->unit = PQgetvalue(r, i, 3);
        m->aggregation = PQgetvalue(r, i, 4);
        m->window_s = atoll(PQgetvalue(r, i, 5));
        m->target = strtod(PQgetvalue(r, i, 6), NULL);
        m->threshold = strtod(PQgetvalue(r, i, 7), NULL);
        m->max_age_s = atoll(PQgetvalue(r, i, 8));
        m->controls = arena_split(a, PQgetvalue(r, i, 9), ',', &m->n_controls);
    }
    resp.metrics = items;
    resp.n_metrics = (size_t)n;
    resp.next_page_token = (char *)next;
    reply_or_oom(call, a, &resp.base);
}

void rpc_list_metrics(struct rpc_call *call)
{
    const Ims__V1__ListMetricsRequest *req = (const void *)call->request;
    int p = rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_TEXT);
    if (p)
        run_list(call, STMT_CATALOG_METRICS, 0, NULL, req->page_token, metrics_done);
}
