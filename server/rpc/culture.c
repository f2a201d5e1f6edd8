/* Security culture (the method's A3.1): certificates issued and renewed per person, and
 * the share of the people who need one that hold a valid one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "computed.h"
#include "db_pool.h"
#include "handlers.h"
#include "ims/error.h"
#include "ims/v1/culture.pb-c.h"
#include "rpc.h"
#include "sql_values.h"
#include "statements.h"
#include "validate.h"
#include "write.h"

static void certificate_from_row(Ims__V1__Certificate *c, PGresult *r, int row)
{
    ims__v1__certificate__init(c);
    c->id = PQgetvalue(r, row, 0);
    c->person = PQgetvalue(r, row, 1);
    c->level = sql_int(r, row, 2);
    c->issued_at = PQgetvalue(r, row, 3);
    c->expires_at = PQgetvalue(r, row, 4);
    c->evidence = PQgetvalue(r, row, 5);
    c->renews = PQgetvalue(r, row, 6);
    c->valid = sql_bool(r, row, 7);
    c->created_at = PQgetvalue(r, row, 8);
}

/* --- IssueCertificate --- */

/* A certificate moves culture_certified_pct: one tenant write, answered with the
 * certificate and the level it committed with. */
struct certificate_issue {
    char level[8];
    const char *params[7];
};

static int issue_statements(struct db_txn *txn, struct rpc_write *w)
{
    const struct certificate_issue *ci = w->data;
    const char *get[1] = {ci->params[0]};
    if (db_txn_add(txn, STMT_CERTIFICATE_ISSUE, 7, ci->params) < 0 ||
        db_txn_add(txn, STMT_CERTIFICATE_GET, 1, get) < 0 ||
        rpc_audit_statement(w->call, txn, ci->params[0]) != 0 ||
        computed_statement(txn, w, "{certificate}") != 0)
        return IMS_ENOMEM;
    return 0;
}

static void issue_reply(struct rpc_write *w, struct db_txn *txn, int first,
                        const struct tenant_level *level)
{
    PGresult *r = db_txn_result(txn, first + 1);
    if (PQntuples(r) != 1) {
        rpc_fail(w->call, IMS_GRPC_INTERNAL, "certificate not stored");
        return;
    }
    Ims__V1__Certificate c;
    certificate_from_row(&c, r, 0);
    c.security_level = level->security_level;
    c.maturity = level->maturity;
    c.revision = level->revision;
    rpc_reply(w->call, &c.base);
}

void rpc_issue_certificate(struct rpc_call *call)
{
    const Ims__V1__IssueCertificateRequest *req = (const void *)call->request;
    const Ims__V1__Certificate *c = req->certificate;
    int64_t issued, expires;
    if (!c) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "certificate: required");
        return;
    }
    if (!validate_ident(call, "certificate.id", c->id, 64) ||
        !validate_ident(call, "certificate.person", c->person, 64) ||
        !validate_range(call, "certificate.level", c->level, 1, 3) ||
        !validate_time(call, "certificate.issued_at", c->issued_at, 1, &issued) ||
        !validate_time(call, "certificate.expires_at", c->expires_at, 1, &expires) ||
        !validate_text(call, "certificate.evidence", c->evidence, 0, 2000) ||
        (*c->renews && !validate_ident(call, "certificate.renews", c->renews, 64)))
        return;
    if (*c->issued_at && *c->expires_at && expires <= issued) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "certificate.expires_at: must be after certificate.issued_at");
        return;
    }
    struct rpc_write *w = rpc_write_new(call);
    if (!w)
        return;
    struct certificate_issue *ci = calloc(1, sizeof *ci);
    if (!(w->data = ci)) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    snprintf(ci->level, sizeof ci->level, "%d", c->level);
    const char *params[7] = {c->id,         c->person,   ci->level, c->issued_at,
                             c->expires_at, c->evidence, c->renews};
    memcpy(ci->params, params, sizeof params);
    w->statements = issue_statements;
    w->reply = issue_reply;
    rpc_write_submit(w, "certificate");
}

/* --- ListCertificates --- */

static void list_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    const char *next;
    int shown = rpc_page_result(call, r, 0, -1, &next);
    struct arena *a = &call->arena;
    Ims__V1__Certificate *items = arena_alloc(a, ((size_t)shown + 1) * sizeof *items);
    Ims__V1__Certificate **ptrs = arena_alloc(a, ((size_t)shown + 1) * sizeof *ptrs);
    if (!items || !ptrs) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < shown; i++) {
        certificate_from_row(&items[i], r, i);
        ptrs[i] = &items[i];
    }
    Ims__V1__ListCertificatesResponse resp = IMS__V1__LIST_CERTIFICATES_RESPONSE__INIT;
    resp.certificates = ptrs;
    resp.n_certificates = (size_t)shown;
    resp.next_page_token = (char *)next;
    rpc_reply(call, &resp.base);
}

void rpc_list_certificates(struct rpc_call *call)
{
    const Ims__V1__ListCertificatesRequest *req = (const void *)call->request;
    if ((*req->person && !validate_ident(call, "person", req->person, 64)) ||
        !rpc_page_begin(call, req->page_size, req->page_token, RPC_PAGE_KEY_IDENT))
        return;
    const char *params[3] = {req->page_token, call->page.fetch, req->person};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_CERTIFICATE_LIST, 3, params) < 0)
        return;
    rpc_txn_exec(call, txn, list_done);
}

/* --- GetCultureSummary --- */

static void summary_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    Ims__V1__CultureSummary resp = IMS__V1__CULTURE_SUMMARY__INIT;
    resp.required = sql_int(r, 0, 0);
    resp.certified = sql_int(r, 0, 1);
    resp.has_share = resp.required > 0;
    resp.share = resp.required > 0 ? (double)resp.certified / resp.required : 0;
    resp.missing = arena_split(&call->arena, PQgetvalue(r, 0, 2), ' ', &resp.n_missing);
    resp.at = PQgetvalue(r, 0, 3);
    if (!resp.missing) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_reply(call, &resp.base);
}

void rpc_get_culture_summary(struct rpc_call *call)
{
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_CULTURE_SUMMARY, 0, NULL) < 0)
        return;
    rpc_txn_exec(call, txn, summary_done);
}
