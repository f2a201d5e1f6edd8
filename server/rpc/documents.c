/* Documented information (clause 7.5): a tenant's documents listed and read (Markdown
 * rendered to HTML), created from their templates, given new versions, approved and made
 * obsolete. A change of status is evidence for controls, so each change is a tenant write:
 * it commits with the revision and the level it moves, and answers with that level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "artefacts.h"
#include "computed.h"
#include "db_pool.h"
#include "handlers.h"
#include "idempotency.h"
#include "ims/error.h"
#include "ims/v1/documents.pb-c.h"
#include "markdown.h"
#include "rpc.h"
#include "sql_values.h"
#include "statements.h"
#include "validate.h"
#include "write.h"

#define MAX_BODY 262144
#define MAX_RETENTION_DAYS 36500

/* Fills d from a row of ims_documents. */
static int document_from_row(Ims__V1__Document *d, struct arena *a, PGresult *r, int row)
{
    ims__v1__document__init(d);
    d->artefact = PQgetvalue(r, row, 0);
    d->kind = PQgetvalue(r, row, 1);
    d->title = PQgetvalue(r, row, 2);
    d->required = sql_bool(r, row, 3);
    d->status = PQgetvalue(r, row, 4);
    d->current = sql_bool(r, row, 5);
    d->owner = PQgetvalue(r, row, 6);
    d->owner_person = PQgetvalue(r, row, 7);
    d->approver = PQgetvalue(r, row, 8);
    d->approved_at = PQgetvalue(r, row, 9);
    d->review_due = PQgetvalue(r, row, 10);
    d->classification = PQgetvalue(r, row, 11);
    d->retention_days = sql_int(r, row, 12);
    d->version = sql_int(r, row, 13);
    d->has_template = sql_bool(r, row, 14);
    d->controls = arena_split(a, PQgetvalue(r, row, 15), ' ', &d->n_controls);
    d->updated_at = PQgetvalue(r, row, 16);
    return d->controls ? 0 : IMS_ENOMEM;
}

/* --- ListDocuments --- */

static void list_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    const char *next;
    int shown = rpc_page_result(call, r, 0, -1, &next);
    struct arena *a = &call->arena;
    Ims__V1__Document *items = arena_alloc(a, ((size_t)shown + 1) * sizeof *items);
    Ims__V1__Document **ptrs = arena_alloc(a, ((size_t)shown + 1) * sizeof *ptrs);
    int failed = !items || !ptrs;
    for (int i = 0; !failed && i < shown; i++) {
        failed = document_from_row(&items[i], a, r, i) != 0;
        ptrs[i] = &items[i];
    }
    if (failed) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    Ims__V1__ListDocumentsResponse resp = IMS__V1__LIST_DOCUMENTS_RESPONSE__INIT;
    resp.documents = ptrs;
    resp.n_documents = (size_t)shown;
    resp.next_page_token = (char *)next;
    rpc_reply(call, &resp.base);
}

/* --- ListDocumentTemplates --- */

static void templates_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    int n = PQntuples(r);
    struct arena *a = &call->arena;
    Ims__V1__DocumentTemplate *items = arena_alloc(a, ((size_t)n + 1) * sizeof *items);
    Ims__V1__DocumentTemplate **ptrs = arena_alloc(a, ((size_t)n + 1) * sizeof *ptrs);
    if (!items || !ptrs) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        Ims__V1__DocumentTemplate *t = ptrs[i] = &items[i];
        ims__v1__document_template__init(t);
        t->artefact = PQgetvalue(r, i, 0);
        t->kind = PQgetvalue(r, i, 1);
        t->name = PQgetvalue(r, i, 2);
        t->body = PQgetvalue(r, i, 3);
    }
    Ims__V1__ListDocumentTemplatesResponse resp = IMS__V1__LIST_DOCUMENT_TEMPLATES_RESPONSE__INIT;
    resp.templates = ptrs;
    resp.n_templates = (size_t)n;
    rpc_reply(call, &resp.base);
}

void rpc_list_document_templates(struct rpc_call *call)
{
    const Ims__V1__ListDocumentTemplatesRequest *req = (const void *)call->request;
    const char *params[1] = {req->with_body ? "true" : "false"};
    struct db_txn *txn = rpc_txn_new(call, NULL, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_DOCUMENT_TEMPLATE_LIST, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, templates_done);
}

/* --- ListDocuments --- */

void rpc_list_documents(struct rpc_call *call)
{
    const Ims__V1__ListDocumentsRequest *req = (const void *)call->request;
    if (!rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_IDENT))
        return;
    const char *params[2] = {req->page_token, call->page.fetch};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_DOCUMENT_LIST, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, list_done);
}

/* --- GetDocument --- */

static void get_done(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__GetDocumentRequest *req = (const void *)call->request;
    PGresult *r = db_txn_result(txn, 0), *body = db_txn_result(txn, 1),
             *ver = db_txn_result(txn, 2), *hist = db_txn_result(txn, 3);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "artefact: the tenant keeps no document \"%s\"",
                 req->artefact);
        return;
    }
    if (req->version != 0 && PQntuples(body) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "version: document \"%s\" has no version %d",
                 req->artefact, req->version);
        return;
    }
    struct arena *a = &call->arena;
    Ims__V1__Document d;
    int nv = PQntuples(ver), nh = PQntuples(hist);
    Ims__V1__DocumentVersion *vs = arena_alloc(a, ((size_t)nv + 1) * sizeof *vs);
    Ims__V1__DocumentEvent *hs = arena_alloc(a, ((size_t)nh + 1) * sizeof *hs);
    d.versions = NULL;
    if (document_from_row(&d, a, r, 0) != 0 || !vs || !hs ||
        !(d.versions = arena_alloc(a, ((size_t)nv + 1) * sizeof *d.versions)) ||
        !(d.history = arena_alloc(a, ((size_t)nh + 1) * sizeof *d.history))) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    if (req->version != 0)
        d.version = req->version;
    char *html = NULL;
    if (PQntuples(body) == 1) {
        d.body = PQgetvalue(body, 0, 0);
        html = render_markdown_html(d.body);
        d.body_html = html ? arena_strdup(a, html) : NULL;
        free(html);
        if (!d.body_html) {
            rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
            return;
        }
    }
    for (int i = 0; i < nv; i++) {
        Ims__V1__DocumentVersion *v = d.versions[i] = &vs[i];
        ims__v1__document_version__init(v);
        v->version = sql_int(ver, i, 0);
        v->note = PQgetvalue(ver, i, 1);
        v->author = PQgetvalue(ver, i, 2);
        v->created_at = PQgetvalue(ver, i, 3);
    }
    for (int i = 0; i < nh; i++) {
        Ims__V1__DocumentEvent *e = d.history[i] = &hs[i];
        ims__v1__document_event__init(e);
        e->seq = sql_int(hist, i, 0);
        e->at = PQgetvalue(hist, i, 1);
        e->action = PQgetvalue(hist, i, 2);
        e->version = sql_int(hist, i, 3);
        e->status = PQgetvalue(hist, i, 4);
        e->person = PQgetvalue(hist, i, 5);
        e->note = PQgetvalue(hist, i, 6);
    }
    d.n_versions = (size_t)nv;
    d.n_history = (size_t)nh;
    rpc_reply(call, &d.base);
}

void rpc_get_document(struct rpc_call *call)
{
    const Ims__V1__GetDocumentRequest *req = (const void *)call->request;
    if (!validate_ident(call, "artefact", req->artefact, 64) ||
        !validate_range(call, "version", req->version, 0, 1000000))
        return;
    char version[16];
    snprintf(version, sizeof version, "%d", req->version);
    const char *one[1] = {req->artefact};
    const char *two[2] = {req->artefact, version};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_DOCUMENT_GET, 1, one) < 0 ||
        rpc_txn_add(call, txn, STMT_DOCUMENT_BODY, 2, two) < 0 ||
        rpc_txn_add(call, txn, STMT_DOCUMENT_VERSIONS, 1, one) < 0 ||
        rpc_txn_add(call, txn, STMT_DOCUMENT_HISTORY, 1, one) < 0)
        return;
    rpc_txn_exec(call, txn, get_done);
}

/* --- the changes: CreateDocument, AddDocumentVersion, ApproveDocument, ObsoleteDocument --- */

enum doc_op { DOC_CREATE, DOC_VERSION, DOC_APPROVE, DOC_OBSOLETE };

struct doc_change {
    enum doc_op op;
    const char *artefact;
    const char *status; /* the status the change leaves */
    int64_t review_due; /* approve: when it is due for review */
    char review_due_text[32];
    char **controls; /* the controls it evidences in the tenant's model */
    size_t control_count;
};

static struct doc_change *change_of(struct rpc_call *call)
{
    struct rpc_write *w = call->state;
    return w->data;
}

static enum engine_artefact_status engine_status(const char *status)
{
    if (strcmp(status, "draft") == 0)
        return ENGINE_ARTEFACT_DRAFT;
    if (strcmp(status, "approved") == 0)
        return ENGINE_ARTEFACT_APPROVED;
    if (strcmp(status, "obsolete") == 0)
        return ENGINE_ARTEFACT_OBSOLETE;
    return ENGINE_ARTEFACT_MISSING;
}

/* The change in the tenant's model (artefacts.h): the artefact's status and review due
 * time are the evidence factor's input (SECURITY-LEVEL.md section 3, step 6). An artefact
 * the model does not hold is added with its controls. */
static int change_apply(engine_model *model, struct rpc_write *w, engine_error *err)
{
    const struct doc_change *c = w->data;
    struct rpc_artefact_change change = {
        .artefact = c->artefact,
        .status = c->status,
        .set_review_due = 1,
        .review_due = c->op == DOC_APPROVE ? c->review_due_text : NULL,
    };
    int rc = rpc_artefact_change_apply(model, &change, err);
    if (rc != IMS_ENOTFOUND)
        return rc;
    engine_artefact_input in = {
        .id = c->artefact,
        .controls = (const char *const *)c->controls,
        .control_count = c->control_count,
        .status = engine_status(c->status),
        .has_review_due = c->op == DOC_APPROVE,
        .review_due = c->review_due,
    };
    return engine_artefact_put(model, &in, err);
}

static int change_statements(struct db_txn *txn, struct rpc_write *w)
{
    struct rpc_call *call = w->call;
    const struct doc_change *c = w->data;
    const char *token = rpc_call_token_id(call);
    if (!token)
        token = "";
    int rc = 0;
    switch (c->op) {
    case DOC_CREATE: {
        const Ims__V1__CreateDocumentRequest *req = (const void *)call->request;
        char days[16];
        snprintf(days, sizeof days, "%d", req->retention_days);
        const char *p[8] = {req->artefact, req->title, req->owner,  req->classification,
                            days,          req->body,  req->person, token};
        rc = db_txn_add(txn, STMT_DOCUMENT_CREATE, 8, p);
        break;
    }
    case DOC_VERSION: {
        const Ims__V1__AddDocumentVersionRequest *req = (const void *)call->request;
        const char *p[5] = {req->artefact, req->body, req->note, req->person, token};
        rc = db_txn_add(txn, STMT_DOCUMENT_ADD_VERSION, 5, p);
        break;
    }
    case DOC_APPROVE: {
        const Ims__V1__ApproveDocumentRequest *req = (const void *)call->request;
        const char *p[4] = {req->artefact, req->approver, c->review_due_text, token};
        rc = db_txn_add(txn, STMT_DOCUMENT_APPROVE, 4, p);
        break;
    }
    case DOC_OBSOLETE: {
        const Ims__V1__ObsoleteDocumentRequest *req = (const void *)call->request;
        const char *p[4] = {req->artefact, req->person, req->note, token};
        rc = db_txn_add(txn, STMT_DOCUMENT_OBSOLETE, 4, p);
        break;
    }
    }
    const char *get[1] = {c->artefact};
    if (rc < 0 || db_txn_add(txn, STMT_DOCUMENT_GET, 1, get) < 0 ||
        rpc_audit_statement(call, txn, c->artefact) != 0 ||
        computed_statement(txn, w, "{document}") != 0)
        return IMS_ENOMEM;
    if (w->idem.key) {
        /* A retry is answered with the document as it is then (replay). */
        const char *k[5] = {call->tenant, w->idem.key, call->path, w->idem.hash, ""};
        if (db_txn_add(txn, STMT_IDEMPOTENCY_PUT, 5, k) < 0)
            return IMS_ENOMEM;
    }
    return 0;
}

static void reply_change(struct rpc_call *call, PGresult *r, double level, int maturity,
                         int64_t revision)
{
    Ims__V1__Document d;
    if (PQntuples(r) != 1 || document_from_row(&d, &call->arena, r, 0) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    Ims__V1__DocumentChange resp = IMS__V1__DOCUMENT_CHANGE__INIT;
    resp.document = &d;
    resp.security_level = level;
    resp.maturity = maturity;
    resp.revision = revision;
    rpc_reply(call, &resp.base);
}

static void change_reply(struct rpc_write *w, struct db_txn *txn, int first,
                         const struct tenant_level *level)
{
    reply_change(w->call, db_txn_result(txn, first + 1), level->security_level, level->maturity,
                 level->revision);
}

/* A retried request: the document and the tenant's level as they are now. */
static void replay_loaded(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *level = db_txn_result(txn, 1);
    if (PQntuples(level) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "tenant: not found");
        return;
    }
    reply_change(call, db_txn_result(txn, 0), strtod(PQgetvalue(level, 0, 0), NULL),
                 sql_int(level, 0, 1), strtoll(PQgetvalue(level, 0, 2), NULL, 10));
}

static void change_replay(struct rpc_call *call)
{
    const struct doc_change *c = change_of(call);
    const char *get[1] = {c->artefact};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_DOCUMENT_GET, 1, get) < 0 ||
        rpc_txn_add(call, txn, STMT_DOCUMENT_TENANT_LEVEL, 0, NULL) < 0)
        return;
    rpc_txn_exec(call, txn, replay_loaded);
}

/* What the document is now decides whether the change may be made. */
static void change_checked(struct rpc_call *call, struct db_txn *txn)
{
    struct rpc_write *w = call->state;
    struct doc_change *c = w->data;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "artefact: the tenant keeps no document \"%s\"",
                 c->artefact);
        return;
    }
    const char *status = PQgetvalue(r, 0, 0);
    int version = sql_int(r, 0, 1);
    int64_t window = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    int has_template = sql_bool(r, 0, 3);
    c->controls = arena_split(&call->arena, PQgetvalue(r, 0, 4), ' ', &c->control_count);
    if (!c->controls) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    switch (c->op) {
    case DOC_CREATE: {
        const Ims__V1__CreateDocumentRequest *req = (const void *)call->request;
        if (version != 0) {
            rpc_fail(call, IMS_GRPC_ALREADY_EXISTS,
                     "artefact: document \"%s\" exists already (add a version)", c->artefact);
            return;
        }
        if (!*req->body && !has_template) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                     "body: required (there is no template for \"%s\")", c->artefact);
            return;
        }
        break;
    }
    case DOC_VERSION:
        break;
    case DOC_APPROVE: {
        const Ims__V1__ApproveDocumentRequest *req = (const void *)call->request;
        if (strcmp(status, "draft") != 0) {
            rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION,
                     "artefact: document \"%s\" is %s; only a draft is approved", c->artefact,
                     status);
            return;
        }
        if (!*req->review_due)
            c->review_due = (int64_t)time(NULL) + window;
        validate_format_time(c->review_due, c->review_due_text, sizeof c->review_due_text);
        break;
    }
    case DOC_OBSOLETE:
        if (strcmp(status, "missing") == 0 || strcmp(status, "obsolete") == 0) {
            rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION, "artefact: document \"%s\" is %s",
                     c->artefact, status);
            return;
        }
        break;
    }
    w->apply = change_apply;
    w->statements = change_statements;
    w->reply = change_reply;
    rpc_write_submit(w, "document");
}

static void change_go(struct rpc_call *call)
{
    const struct doc_change *c = change_of(call);
    const char *params[1] = {c->artefact};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_DOCUMENT_STATE, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, change_checked);
}

/* Takes the call's write with its change; NULL after failing the call. */
static struct doc_change *change_begin(struct rpc_call *call, enum doc_op op, const char *artefact,
                                       const char *status)
{
    if (!validate_ident(call, "artefact", artefact, 64))
        return NULL;
    struct rpc_write *w = rpc_write_new(call);
    if (!w)
        return NULL;
    struct doc_change *c = calloc(1, sizeof *c);
    if (!(w->data = c)) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    c->op = op;
    c->artefact = artefact;
    c->status = status;
    return c;
}

static int valid_person(struct rpc_call *call, const char *field, const char *value)
{
    return !*value || validate_ident(call, field, value, 64);
}

void rpc_create_document(struct rpc_call *call)
{
    const Ims__V1__CreateDocumentRequest *req = (const void *)call->request;
    const char *cls = req->classification;
    if (!validate_text(call, "title", req->title, 0, 200) ||
        !valid_person(call, "owner", req->owner) || !valid_person(call, "person", req->person) ||
        !validate_range(call, "retention_days", req->retention_days, 0, MAX_RETENTION_DAYS) ||
        !validate_text(call, "body", req->body, 0, MAX_BODY))
        return;
    if (*cls && strcmp(cls, "public") && strcmp(cls, "internal") && strcmp(cls, "confidential") &&
        strcmp(cls, "restricted")) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "classification: must be public, internal, confidential or restricted");
        return;
    }
    if (change_begin(call, DOC_CREATE, req->artefact, "draft"))
        rpc_idempotency_check(call->state, req->idempotency_key, change_go, change_replay,
                              IDEMPOTENCY_LOOKUP_FIRST);
}

void rpc_add_document_version(struct rpc_call *call)
{
    const Ims__V1__AddDocumentVersionRequest *req = (const void *)call->request;
    if (!validate_text(call, "body", req->body, 1, MAX_BODY) ||
        !validate_text(call, "note", req->note, 0, 2000) ||
        !valid_person(call, "person", req->person))
        return;
    if (change_begin(call, DOC_VERSION, req->artefact, "draft"))
        rpc_idempotency_check(call->state, req->idempotency_key, change_go, change_replay,
                              IDEMPOTENCY_LOOKUP_FIRST);
}

void rpc_approve_document(struct rpc_call *call)
{
    const Ims__V1__ApproveDocumentRequest *req = (const void *)call->request;
    int64_t due = 0;
    if (!valid_person(call, "approver", req->approver) ||
        !validate_time(call, "review_due", req->review_due, 1, &due))
        return;
    if (*req->review_due && due <= (int64_t)time(NULL)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "review_due: must be in the future");
        return;
    }
    struct doc_change *c = change_begin(call, DOC_APPROVE, req->artefact, "approved");
    if (!c)
        return;
    c->review_due = due;
    rpc_idempotency_check(call->state, req->idempotency_key, change_go, change_replay,
                          IDEMPOTENCY_LOOKUP_FIRST);
}

void rpc_obsolete_document(struct rpc_call *call)
{
    const Ims__V1__ObsoleteDocumentRequest *req = (const void *)call->request;
    if (!valid_person(call, "person", req->person) ||
        !validate_text(call, "note", req->note, 0, 2000))
        return;
    if (change_begin(call, DOC_OBSOLETE, req->artefact, "obsolete"))
        rpc_idempotency_check(call->state, req->idempotency_key, change_go, change_replay,
                              IDEMPOTENCY_LOOKUP_FIRST);
}
