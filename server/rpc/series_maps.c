/* The remote_write receiver's series mappings of a tenant: mapped, listed, unmapped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db_pool.h"
#include "handlers.h"
#include "ims/error.h"
#include "ims/v1/events.pb-c.h"
#include "rpc.h"
#include "series_map.h"
#include "server.h"
#include "statements.h"
#include "validate.h"

#define MAX_MATCHER_BYTES 512

static int mapping_from_row(Ims__V1__SeriesMapping *m, struct arena *a, PGresult *r, int row)
{
    ims__v1__series_mapping__init(m);
    m->id = PQgetvalue(r, row, 0);
    m->tenant = PQgetvalue(r, row, 1);
    m->metric = PQgetvalue(r, row, 2);
    m->created_by = PQgetvalue(r, row, 4);
    m->created_at = PQgetvalue(r, row, 5);
    char *lines = PQgetvalue(r, row, 3);
    size_t n = 1;
    for (const char *p = lines; *p; p++)
        n += *p == '\n';
    m->matchers = arena_alloc(a, n * sizeof *m->matchers);
    char *copy = arena_strdup(a, lines);
    if (!m->matchers || !copy)
        return IMS_ENOMEM;
    m->n_matchers = 0;
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n"))
        m->matchers[m->n_matchers++] = line;
    return 0;
}

static void reply_one(struct rpc_call *call, struct db_txn *txn, int status, const char *what)
{
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) == 0) {
        rpc_fail(call, status, "%s", what);
        return;
    }
    Ims__V1__SeriesMapping m;
    if (mapping_from_row(&m, &call->arena, r, 0) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_series_maps_changed(call->server);
    rpc_reply(call, &m.base);
}

/* --- MapSeries --- */

static void map_done(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__MapSeriesRequest *req = (const void *)call->request;
    char what[160];
    snprintf(what, sizeof what, "metric: the tenant has no metric \"%s\"", req->metric);
    reply_one(call, txn, IMS_GRPC_NOT_FOUND, what);
}

void rpc_map_series(struct rpc_call *call)
{
    const Ims__V1__MapSeriesRequest *req = (const void *)call->request;
    if (!validate_ident(call, "metric", req->metric, 64))
        return;
    if (req->n_matchers == 0 || req->n_matchers > SERIES_MAP_MAX_MATCHERS) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "matchers: between 1 and %d",
                 SERIES_MAP_MAX_MATCHERS);
        return;
    }
    /* Each matcher is checked and stored in its canonical form, one per line. */
    size_t cap = req->n_matchers * (MAX_MATCHER_BYTES * 2 + 8) + 1;
    char *lines = arena_alloc(&call->arena, cap);
    if (!lines) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    size_t len = 0;
    for (size_t i = 0; i < req->n_matchers; i++) {
        char field[32], err[160];
        snprintf(field, sizeof field, "matchers[%zu]", i);
        if (!validate_text(call, field, req->matchers[i], 3, MAX_MATCHER_BYTES))
            return;
        struct series_matcher m;
        if (series_matcher_parse(req->matchers[i], &m, err, sizeof err) != 0) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s: %s", field, err);
            return;
        }
        int rc = series_matcher_format(&m, lines + len, cap - len);
        series_matcher_free(&m);
        if (rc != 0) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s: longer than %d bytes", field,
                     MAX_MATCHER_BYTES);
            return;
        }
        len += strlen(lines + len);
        lines[len++] = '\n';
    }
    lines[len - 1] = '\0';
    char id[AUTH_UUID_LEN + 1];
    if (auth_uuid_generate(id) != 0) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "no random source");
        return;
    }
    const char *token = rpc_call_token_id(call);
    const char *params[4] = {id, req->metric, lines, token ? token : ""};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_SERIES_MAP_INSERT, 4, params) < 0 ||
        rpc_audit_statement(call, txn, id) != 0)
        return;
    rpc_txn_exec(call, txn, map_done);
}

/* --- ListSeriesMappings --- */

static void list_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    const char *next;
    int shown = rpc_page_result(call, r, 6, -1, &next);
    struct arena *a = &call->arena;
    Ims__V1__SeriesMapping *items = arena_alloc(a, ((size_t)shown + 1) * sizeof *items);
    Ims__V1__SeriesMapping **ptrs = arena_alloc(a, ((size_t)shown + 1) * sizeof *ptrs);
    for (int i = 0; items && ptrs && i < shown; i++) {
        if (mapping_from_row(&items[i], a, r, i) != 0)
            items = NULL;
        else
            ptrs[i] = &items[i];
    }
    if (!items || !ptrs) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    Ims__V1__ListSeriesMappingsResponse resp = IMS__V1__LIST_SERIES_MAPPINGS_RESPONSE__INIT;
    resp.mappings = ptrs;
    resp.n_mappings = (size_t)shown;
    resp.next_page_token = (char *)next;
    rpc_reply(call, &resp.base);
}

void rpc_list_series_mappings(struct rpc_call *call)
{
    const Ims__V1__ListSeriesMappingsRequest *req = (const void *)call->request;
    if (!rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_IDENT))
        return;
    for (const char *p = req->page_token; *p; p++) {
        if (*p < '0' || *p > '9' || p - req->page_token > 18) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "page_token: not a token this server gave");
            return;
        }
    }
    const char *params[2] = {req->page_token, call->page.fetch};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_SERIES_MAP_LIST, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, list_done);
}

/* --- UnmapSeries --- */

static void unmap_done(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__UnmapSeriesRequest *req = (const void *)call->request;
    char what[120];
    snprintf(what, sizeof what, "id: no mapping \"%s\" in this tenant", req->id);
    reply_one(call, txn, IMS_GRPC_NOT_FOUND, what);
}

void rpc_unmap_series(struct rpc_call *call)
{
    const Ims__V1__UnmapSeriesRequest *req = (const void *)call->request;
    if (!auth_is_uuid(req->id)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "id: a mapping id (UUID)");
        return;
    }
    const char *params[1] = {req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_SERIES_MAP_DELETE, 1, params) < 0 ||
        rpc_audit_statement(call, txn, req->id) != 0)
        return;
    rpc_txn_exec(call, txn, unmap_done);
}
