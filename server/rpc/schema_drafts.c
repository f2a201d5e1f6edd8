/* Schema drafts: made from a published version, edited as a whole document or edit by
 * edit, compared with any version and published. The document checks and every change
 * are SQL's (0146_schema_drafts.sql); a change is audited with the schema as its object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/schemas.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"

#define NIL_TENANT "00000000-0000-0000-0000-000000000000"
#define MAX_DOCUMENT (1u << 20)
#define MAX_EDITS 1000
#define MAX_EDIT_VALUE 65536

struct draft_query {
    int index; /* the statement whose row is the document to answer with */
};

static void document_done(struct rpc_call *call, struct db_txn *txn)
{
    struct draft_query *q = call->state;
    PGresult *r = db_txn_result(txn, q->index);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no such schema or version");
        return;
    }
    Ims__V1__SchemaDocument d = IMS__V1__SCHEMA_DOCUMENT__INIT;
    d.id = PQgetvalue(r, 0, 0);
    d.version = atoi(PQgetvalue(r, 0, 1));
    d.status = PQgetvalue(r, 0, 2);
    d.document = PQgetvalue(r, 0, 3);
    rpc_reply(call, &d.base);
}

static struct draft_query *query_new(struct rpc_call *call)
{
    struct draft_query *q = arena_alloc(&call->arena, sizeof *q);
    if (!q)
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    call->state = q;
    return q;
}

static int valid_ref(struct rpc_call *call, const char *field, const char *id,
                     const char *version_field, int version)
{
    return validate_slug(call, field, id, 1, 63) &&
           validate_range(call, version_field, version, 0, 1000000);
}

/* A write to the draft id/version: the change statement (nparams values), the audit row and
 * the document as it is afterwards. */
static void draft_change(struct rpc_call *call, const char *id, int version, int statement,
                         int nparams, const char *const *values)
{
    struct draft_query *q = query_new(call);
    if (!q)
        return;
    char v[16], object[96];
    snprintf(v, sizeof v, "%d", version);
    snprintf(object, sizeof object, "%s/%d", id, version);
    const char *get[2] = {id, v};
    struct db_txn *txn = rpc_txn_new(call, NIL_TENANT, 0);
    if (!txn || rpc_txn_add(call, txn, statement, nparams, values) < 0 ||
        rpc_txn_audit(call, txn, object) < 0 ||
        (q->index = rpc_txn_add(call, txn, STMT_SCHEMA_DOCUMENT, 2, get)) < 0)
        return;
    rpc_txn_exec(call, txn, document_done);
}

void rpc_create_schema_draft(struct rpc_call *call)
{
    const Ims__V1__CreateSchemaDraftRequest *req = (const void *)call->request;
    if (!valid_ref(call, "id", req->id, "from_version", req->from_version))
        return;
    struct draft_query *q = query_new(call);
    if (!q)
        return;
    char v[16];
    snprintf(v, sizeof v, "%d", req->from_version);
    const char *params[2] = {req->id, v};
    struct db_txn *txn = rpc_txn_new(call, NIL_TENANT, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_SCHEMA_DRAFT, 2, params) < 0 ||
        (q->index = rpc_txn_add(call, txn, STMT_SCHEMA_DRAFT_DOCUMENT, 1, params)) < 0 ||
        rpc_txn_audit(call, txn, req->id) < 0)
        return;
    rpc_txn_exec(call, txn, document_done);
}

void rpc_get_schema_document(struct rpc_call *call)
{
    const Ims__V1__GetSchemaDocumentRequest *req = (const void *)call->request;
    if (!valid_ref(call, "id", req->id, "version", req->version))
        return;
    struct draft_query *q = query_new(call);
    if (!q)
        return;
    char v[16];
    snprintf(v, sizeof v, "%d", req->version);
    const char *params[2] = {req->id, v};
    struct db_txn *txn = rpc_txn_new(call, NIL_TENANT, 0);
    if (!txn || (q->index = rpc_txn_add(call, txn, STMT_SCHEMA_DOCUMENT, 2, params)) < 0)
        return;
    rpc_txn_exec(call, txn, document_done);
}

void rpc_put_schema_document(struct rpc_call *call)
{
    const Ims__V1__PutSchemaDocumentRequest *req = (const void *)call->request;
    if (!valid_ref(call, "id", req->id, "version", req->version))
        return;
    if (req->version == 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "version: name the draft's version");
        return;
    }
    size_t len = strlen(req->document);
    if (len == 0 || len > MAX_DOCUMENT) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "document: 1 to %u bytes", MAX_DOCUMENT);
        return;
    }
    char v[16];
    snprintf(v, sizeof v, "%d", req->version);
    const char *params[3] = {req->id, v, req->document};
    draft_change(call, req->id, req->version, STMT_SCHEMA_PUT_DOCUMENT, 3, params);
}

/* Appends s to out as a JSON string; returns the new length. out has room for 6 * len + 3. */
static size_t json_string(char *out, size_t k, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    out[k++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            out[k++] = '\\';
            out[k++] = (char)*p;
        } else if (*p < 0x20) {
            out[k++] = '\\';
            out[k++] = 'u';
            out[k++] = '0';
            out[k++] = '0';
            out[k++] = hex[*p >> 4];
            out[k++] = hex[*p & 15];
        } else {
            out[k++] = (char)*p;
        }
    }
    out[k++] = '"';
    return k;
}

void rpc_edit_schema_draft(struct rpc_call *call)
{
    const Ims__V1__EditSchemaDraftRequest *req = (const void *)call->request;
    if (!valid_ref(call, "id", req->id, "version", req->version))
        return;
    if (req->version == 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "version: name the draft's version");
        return;
    }
    if (req->n_edits < 1 || req->n_edits > MAX_EDITS) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "edits: 1 to %d", MAX_EDITS);
        return;
    }
    size_t room = 3;
    for (size_t i = 0; i < req->n_edits; i++) {
        const Ims__V1__SchemaEdit *e = req->edits[i];
        char field[32];
        snprintf(field, sizeof field, "edits[%zu]", i);
        if (!validate_text(call, field, e->kind, 1, 32) ||
            !validate_text(call, field, e->key, 0, 200) ||
            !validate_text(call, field, e->field, 0, 64) ||
            !validate_text(call, field, e->value, 0, MAX_EDIT_VALUE) ||
            !validate_text(call, field, e->op, 0, 16))
            return;
        room += 64 + 6 * (strlen(e->kind) + strlen(e->key) + strlen(e->field) +
                          strlen(e->value) + strlen(e->op));
    }
    char *json = arena_alloc(&call->arena, room);
    if (!json) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    size_t k = 0;
    json[k++] = '[';
    for (size_t i = 0; i < req->n_edits; i++) {
        const Ims__V1__SchemaEdit *e = req->edits[i];
        const char *names[5] = {"kind", "key", "field", "value", "op"};
        const char *values[5] = {e->kind, e->key, e->field, e->value, e->op};
        if (i)
            json[k++] = ',';
        json[k++] = '{';
        for (int f = 0; f < 5; f++) {
            if (f)
                json[k++] = ',';
            k = json_string(json, k, names[f]);
            json[k++] = ':';
            k = json_string(json, k, values[f]);
        }
        json[k++] = '}';
    }
    json[k++] = ']';
    json[k] = '\0';
    char v[16];
    snprintf(v, sizeof v, "%d", req->version);
    const char *params[3] = {req->id, v, json};
    draft_change(call, req->id, req->version, STMT_SCHEMA_EDIT, 3, params);
}

void rpc_publish_schema(struct rpc_call *call)
{
    const Ims__V1__PublishSchemaRequest *req = (const void *)call->request;
    if (!valid_ref(call, "id", req->id, "version", req->version))
        return;
    if (req->version == 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "version: name the draft's version");
        return;
    }
    char v[16];
    snprintf(v, sizeof v, "%d", req->version);
    const char *params[2] = {req->id, v};
    draft_change(call, req->id, req->version, STMT_SCHEMA_PUBLISH, 2, params);
}

static void diff_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    int n = PQntuples(r);
    Ims__V1__SchemaChange *items = arena_alloc(&call->arena, (size_t)(n + 1) * sizeof *items);
    Ims__V1__SchemaChange **ptrs = arena_alloc(&call->arena, (size_t)(n + 1) * sizeof *ptrs);
    if (!items || !ptrs) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        ims__v1__schema_change__init(&items[i]);
        items[i].kind = PQgetvalue(r, i, 0);
        items[i].key = PQgetvalue(r, i, 1);
        items[i].field = PQgetvalue(r, i, 2);
        items[i].old = PQgetvalue(r, i, 3);
        items[i].new_ = PQgetvalue(r, i, 4);
        ptrs[i] = &items[i];
    }
    Ims__V1__DiffSchemasResponse resp = IMS__V1__DIFF_SCHEMAS_RESPONSE__INIT;
    resp.n_changes = (size_t)n;
    resp.changes = ptrs;
    rpc_reply(call, &resp.base);
}

void rpc_diff_schemas(struct rpc_call *call)
{
    const Ims__V1__DiffSchemasRequest *req = (const void *)call->request;
    const char *other = *req->to_id ? req->to_id : req->id;
    if (!valid_ref(call, "id", req->id, "from_version", req->from_version) ||
        !valid_ref(call, "to_id", other, "to_version", req->to_version))
        return;
    char a[16], b[16];
    snprintf(a, sizeof a, "%d", req->from_version);
    snprintf(b, sizeof b, "%d", req->to_version);
    const char *params[4] = {req->id, a, other, b};
    struct db_txn *txn = rpc_txn_new(call, NIL_TENANT, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_SCHEMA_DIFF, 4, params) < 0)
        return;
    rpc_txn_exec(call, txn, diff_done);
}
