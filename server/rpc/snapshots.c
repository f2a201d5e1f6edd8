/* ims.v1.Tenants ExportTenant / ImportTenant: a tenant's state as a snapshot document
 * (SECURITY-LEVEL.md section 11), and a new tenant made from one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "offload.h"
#include "sql_values.h"
#include "write.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/tenants.pb-c.h"
#include "rpc.h"
#include "server.h"
#include "snapshot.h"
#include "statements.h"
#include "validate.h"

#define MAX_SNAPSHOT (16u << 20)

/* Parses a document and writes it canonically as ims-snapshot/2 (without "at"; its
 * records kept, canonically too); 0 or the engine's code. */
static int canonical(const char *text, char **out, engine_error *err)
{
    engine_model *model = NULL;
    bool has_at = false;
    int64_t at = 0;
    char *records = NULL;
    int rc = engine_snapshot_parse_records(text, strlen(text), &model, &has_at, &at, &records, err);
    if (rc == 0) {
        rc = engine_snapshot_write_records(model, false, 0, records, out);
        if (rc != 0)
            snprintf(err->msg, sizeof err->msg, "out of memory");
    }
    free(records);
    engine_model_free(model);
    return rc;
}

/* Canonicalising is done on the thread pool (offload.c) over a copy of the text. */
struct canonical_job {
    char *text;
    char *doc;
    int rc;
    engine_error err;
    void (*then)(struct rpc_call *call, struct canonical_job *job);
};

static void canonical_work(void *p)
{
    struct canonical_job *j = p;
    j->rc = canonical(j->text, &j->doc, &j->err);
}

static void canonical_done(struct rpc_call *call, void *p)
{
    struct canonical_job *j = p;
    j->then(call, j);
}

static void canonical_free(void *p)
{
    struct canonical_job *j = p;
    free(j->text);
    free(j->doc);
    free(j);
}

static void canonical_offload(struct rpc_call *call, const char *text,
                              void (*then)(struct rpc_call *call, struct canonical_job *job))
{
    struct canonical_job *j = calloc(1, sizeof *j);
    if (!j || !(j->text = strdup(text))) {
        free(j);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    j->then = then;
    rpc_offload(call, j, canonical_work, canonical_done, canonical_free);
}

/* --- ExportTenant --- */

static void export_canonical(struct rpc_call *call, struct canonical_job *job);

static void export_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "tenant: not found");
        return;
    }
    canonical_offload(call, PQgetvalue(r, 0, 0), export_canonical);
}

static void export_canonical(struct rpc_call *call, struct canonical_job *job)
{
    if (job->rc != 0) {
        /* The database holds something the engine refuses: a bug, not the caller's. */
        rpc_fail(call, job->rc == IMS_ENOMEM ? IMS_GRPC_RESOURCE_EXHAUSTED : IMS_GRPC_INTERNAL,
                 "snapshot: %s", job->err.msg);
        return;
    }
    Ims__V1__ExportTenantResponse resp = IMS__V1__EXPORT_TENANT_RESPONSE__INIT;
    resp.snapshot = job->doc;
    rpc_reply(call, &resp.base);
}

/* The document is one message, built whole in the database and parsed whole on the pool:
 * a tenant with a long history goes through ExportTenantStream instead. */
#define EXPORT_MAX_SAMPLES 1000000

static void export_counted(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) == 1 && atoll(PQgetvalue(r, 0, 0)) > EXPORT_MAX_SAMPLES) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED,
                 "tenant: more than %d samples, too many for one message; export it with "
                 "ExportTenantStream (imsctl export)",
                 EXPORT_MAX_SAMPLES);
        return;
    }
    const char *params[2] = {call->tenant, "true"};
    struct db_txn *next = rpc_txn_new(call, call->tenant, 0);
    if (!next || rpc_txn_add(call, next, STMT_TENANT_SNAPSHOT, 2, params) < 0)
        return;
    rpc_txn_exec(call, next, export_done);
}

void rpc_export_tenant(struct rpc_call *call)
{
    char bound[24];
    snprintf(bound, sizeof bound, "%d", EXPORT_MAX_SAMPLES + 1);
    const char *params[2] = {call->tenant, bound};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TENANT_SAMPLES_UPTO, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, export_counted);
}

/* --- ImportTenant --- */

#define TENANT_FIELDS RPC_TENANT_FIELDS

struct imported {
    char *row[TENANT_FIELDS]; /* the created tenant (TENANT_COLUMNS) */
};

static void import_reply(struct rpc_write *cw, struct db_txn *txn, int first,
                         const struct tenant_level *level)
{
    const struct imported *im = cw->data;
    Ims__V1__Tenant t = IMS__V1__TENANT__INIT;
    t.id = im->row[0];
    t.slug = im->row[1];
    t.display_name = im->row[2];
    t.sector = im->row[3];
    t.size_band = im->row[4];
    t.schema_id = im->row[5];
    t.schema_version = atoi(im->row[6]);
    t.created_at = im->row[7];
    t.revision = level->revision;
    rpc_reply(cw->call, &t.base);
}

void rpc_import_tenant_committed(struct rpc_call *call, const char *const *row)
{
    struct rpc_write *cw = rpc_write_new(call);
    if (!cw)
        return;
    struct imported *im = cw->data = calloc(1, sizeof(struct imported));
    if (!im) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < TENANT_FIELDS; i++)
        if (!(im->row[i] = arena_strdup(&call->arena, row[i]))) {
            rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
            return;
        }
    snprintf(call->tenant, sizeof call->tenant, "%s", im->row[0]);
    cw->reply = import_reply;
    cw->write.reload = 1;
    rpc_write_submit(cw, "import");
}

/* The tenant and its content are committed; the level is computed from what was stored. */
static void import_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    const char *row[RPC_TENANT_FIELDS];
    for (int i = 0; i < RPC_TENANT_FIELDS; i++)
        row[i] = PQgetvalue(r, 0, i);
    rpc_import_tenant_committed(call, row);
}

static void import_canonical(struct rpc_call *call, struct canonical_job *job);

void rpc_import_tenant(struct rpc_call *call)
{
    const Ims__V1__ImportTenantRequest *req = (const void *)call->request;
    if (!validate_new_tenant(call, req->slug, req->display_name, req->sector, req->size_band,
                             req->schema_id, req->schema_version))
        return;
    size_t cap = call->server->import_max_snapshot_bytes;
    if (cap > MAX_SNAPSHOT)
        cap = MAX_SNAPSHOT;
    if (strlen(req->snapshot) > cap) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "snapshot: larger than %zu bytes (import_max_snapshot_bytes)", cap);
        return;
    }
    canonical_offload(call, req->snapshot, import_canonical);
}

static void import_canonical(struct rpc_call *call, struct canonical_job *job)
{
    const Ims__V1__ImportTenantRequest *req = (const void *)call->request;
    if (job->rc != 0) {
        rpc_fail(call,
                 job->rc == IMS_ENOMEM ? IMS_GRPC_RESOURCE_EXHAUSTED : IMS_GRPC_INVALID_ARGUMENT,
                 "snapshot: %s", job->err.msg);
        return;
    }
    char *doc = job->doc;
    job->doc = NULL; /* freed here, as before */
    char id[AUTH_UUID_LEN + 1];
    if (auth_uuid_generate(id) != 0) {
        free(doc);
        rpc_fail(call, IMS_GRPC_INTERNAL, "no randomness available");
        return;
    }
    char version[16];
    snprintf(version, sizeof version, "%d", req->schema_version);
    const char *create[7] = {id, req->slug, req->display_name, req->sector, req->size_band,
                             req->schema_id, version};
    const char *import[2] = {id, doc};
    struct db_txn *txn = rpc_txn_new(call, id, 1);
    int ok = txn && rpc_txn_add(call, txn, STMT_TENANT_CREATE, 7, create) >= 0 &&
             rpc_txn_add(call, txn, STMT_TENANT_IMPORT, 2, import) >= 0 &&
             rpc_txn_audit(call, txn, id) >= 0;
    free(doc);
    if (ok)
        rpc_txn_exec(call, txn, import_done);
}
