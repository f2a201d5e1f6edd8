/* The schema repository: schemas listed and read by version, and cloned into new ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/tenants.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"


#define NIL_TENANT "00000000-0000-0000-0000-000000000000"
/* Systems listed per schema (ISMS, BCMS, RMS, SMS and room for more), and their csv. */
#define SCHEMA_MAX_SYSTEMS 8
#define SCHEMA_SYSTEMS_BUF 160

static void schema_from_row(Ims__V1__Schema *s, PGresult *r, int row, char **systems,
                            char *systems_buf)
{
    s->id = PQgetvalue(r, row, 0);
    s->version = atoi(PQgetvalue(r, row, 1));
    s->name = PQgetvalue(r, row, 2);
    s->description = PQgetvalue(r, row, 3);
    s->sector = PQgetvalue(r, row, 4);
    s->size_band = PQgetvalue(r, row, 5);
    s->parent_id = PQgetvalue(r, row, 6);
    s->parent_version = atoi(PQgetvalue(r, row, 7));
    snprintf(systems_buf, SCHEMA_SYSTEMS_BUF, "%s", PQgetvalue(r, row, 8));
    size_t n = 0;
    for (char *c = systems_buf; *c && n < SCHEMA_MAX_SYSTEMS;) {
        systems[n++] = c;
        char *comma = strchr(c, ',');
        if (!comma)
            break;
        *comma = '\0';
        c = comma + 1;
    }
    s->systems = systems;
    s->n_systems = n;
    s->applicable_controls = atoi(PQgetvalue(r, row, 9));
    s->applicable_subcontrols = atoi(PQgetvalue(r, row, 10));
    s->created_at = PQgetvalue(r, row, 11);
    s->status = PQgetvalue(r, row, 12);
}

struct schema_query {
    int want_one; /* GetSchema / CloneSchema: reply with the last row alone */
    int index;
};

static void schemas_done(struct rpc_call *call, struct db_txn *txn)
{
    struct schema_query *q = call->state;
    PGresult *r = db_txn_result(txn, q->index);
    int n = PQntuples(r);
    if (q->want_one) {
        if (n == 0) {
            rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no such schema or version");
            return;
        }
        Ims__V1__Schema s = IMS__V1__SCHEMA__INIT;
        char *systems[SCHEMA_MAX_SYSTEMS];
        char buf[SCHEMA_SYSTEMS_BUF];
        schema_from_row(&s, r, n - 1, systems, buf);
        rpc_reply(call, &s.base);
        return;
    }
    int shown = rpc_page_rows(&call->page, n);
    Ims__V1__Schema *items = calloc((size_t)shown + 1, sizeof *items);
    Ims__V1__Schema **ptrs = calloc((size_t)shown + 1, sizeof *ptrs);
    char *bufs = calloc((size_t)shown + 1, SCHEMA_SYSTEMS_BUF);
    char **sys = calloc((size_t)shown * SCHEMA_MAX_SYSTEMS + 1, sizeof *sys);
    if (!items || !ptrs || !bufs || !sys) {
        free(items);
        free(ptrs);
        free(bufs);
        free(sys);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < shown; i++) {
        ims__v1__schema__init(&items[i]);
        schema_from_row(&items[i], r, i, sys + SCHEMA_MAX_SYSTEMS * i, bufs + SCHEMA_SYSTEMS_BUF * i);
        ptrs[i] = &items[i];
    }
    const char *token;
    rpc_page_result(call, r, 0, 1, &token);
    Ims__V1__ListSchemasResponse resp = IMS__V1__LIST_SCHEMAS_RESPONSE__INIT;
    resp.n_schemas = (size_t)shown;
    resp.schemas = ptrs;
    resp.next_page_token = (char *)token;
    rpc_reply(call, &resp.base);
    free(items);
    free(ptrs);
    free(bufs);
    free(sys);
}

static struct schema_query *schema_query_new(struct rpc_call *call)
{
    struct schema_query *q = arena_alloc(&call->arena, sizeof *q);
    if (!q) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    call->state = q;
    return q;
}

void rpc_list_schemas(struct rpc_call *call)
{
    const Ims__V1__ListSchemasRequest *req = (const Ims__V1__ListSchemasRequest *)call->request;
    struct schema_query *q = schema_query_new(call);
    if (!q || !rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_PAIR))
        return;
    const char *params[5] = {NULL, "0", call->page.after_key, call->page.after_number,
                             call->page.fetch};
    struct db_txn *txn = rpc_txn_new(call, NULL, 0);
    if (!txn || (q->index = rpc_txn_add(call, txn, STMT_SCHEMA_LIST, 5, params)) < 0)
        return;
    rpc_txn_exec(call, txn, schemas_done);
}

void rpc_get_schema(struct rpc_call *call)
{
    const Ims__V1__GetSchemaRequest *req = (const Ims__V1__GetSchemaRequest *)call->request;
    struct schema_query *q = schema_query_new(call);
    if (!q || !validate_slug(call, "id", req->id, 1, 63) ||
        !validate_range(call, "version", req->version, 0, 1000000))
        return;
    q->want_one = 1;
    char version[16];
    snprintf(version, sizeof version, "%d", req->version);
    const char *params[5] = {req->id, version, "", "0", "1000"};
    struct db_txn *txn = rpc_txn_new(call, NULL, 0);
    if (!txn || (q->index = rpc_txn_add(call, txn, STMT_SCHEMA_LIST, 5, params)) < 0)
        return;
    rpc_txn_exec(call, txn, schemas_done);
}

void rpc_clone_schema(struct rpc_call *call)
{
    const Ims__V1__CloneSchemaRequest *req = (const Ims__V1__CloneSchemaRequest *)call->request;
    struct schema_query *q = schema_query_new(call);
    if (!q || !validate_slug(call, "source_id", req->source_id, 1, 63) ||
        !validate_range(call, "source_version", req->source_version, 0, 1000000) ||
        !validate_slug(call, "new_id", req->new_id, 1, 63) ||
        !validate_text(call, "name", req->name, 1, 200))
        return;
    if (req->new_id[0] < 'a' || req->new_id[0] > 'z') {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "new_id: must start with a letter");
        return;
    }
    q->want_one = 1;
    char version[16];
    snprintf(version, sizeof version, "%d", req->source_version);
    /* Version 0 means the latest: resolved in SQL by a sub-select on the source. */
    const char *clone[4] = {req->source_id, version, req->new_id, req->name};
    const char *get[5] = {req->new_id, "1", "", "0", "1"};
    struct db_txn *txn = rpc_txn_new(call, NIL_TENANT, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_SCHEMA_CLONE, 4, clone) < 0 ||
        (q->index = rpc_txn_add(call, txn, STMT_SCHEMA_LIST, 5, get)) < 0 ||
        rpc_txn_audit(call, txn, req->new_id) < 0)
        return;
    rpc_txn_exec(call, txn, schemas_done);
}
