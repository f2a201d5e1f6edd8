/* The Statement of Applicability: listed and exported as CSV with each control's
 * figures, and applicability set (an exclusion needs its justification). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers.h"
#include "sql_values.h"
#include "write.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/assessments.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"

#define MAX_NOTE 2000

static const char *const implementation_statuses[] = {"not_started", "planned", "partial",
                                                      "implemented", NULL};

struct soa {
    int csv; /* ExportSoA */
    PGresult *rows; /* copied out of the transaction */
    char next[128];
};

static void soa_free(void *state)
{
    struct soa *s = state;
    if (s->rows)
        PQclear(s->rows);
    free(s);
}

static void soa_entry(Ims__V1__SoAEntry *e, struct arena *a, PGresult *r, int i,
                      const engine_eval *eval)
{
    ims__v1__so_aentry__init(e);
    e->control = PQgetvalue(r, i, 0);
    e->framework = PQgetvalue(r, i, 1);
    e->title = PQgetvalue(r, i, 2);
    e->applicable = sql_bool(r, i, 3);
    e->justification = PQgetvalue(r, i, 4);
    e->implementation_status = PQgetvalue(r, i, 5);
    e->threats = arena_split(a, PQgetvalue(r, i, 6), ' ', &e->n_threats);
    e->assessed = sql_int(r, i, 7);
    e->subcontrols = sql_int(r, i, 8);
    long k = engine_control_find(eval, e->control);
    if (k >= 0) {
        engine_control_figures f;
        engine_control_get(eval, (size_t)k, &f);
        e->has_score = f.applicable;
        e->score = f.applicable ? f.e : 0;
    }
}

/* A CSV field, quoted when it holds a comma, quote or newline. One that a spreadsheet would
 * take for a formula (its first character = + - @, a tab or a carriage return) is written
 * after a single quote, as text. */
static size_t csv_put(char *out, const char *s)
{
    size_t k = 0;
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        out[k++] = '"';
    if (*s && strchr("=+-@\t\r", *s))
        out[k++] = '\'';
    for (; *s; s++) {
        if (*s == '"')
            out[k++] = '"';
        out[k++] = *s;
    }
    if (quote)
        out[k++] = '"';
    return k;
}

static void soa_export(struct rpc_call *call, Ims__V1__SoAEntry *e, int n)
{
    struct soa *s = call->state;
    size_t cap = 128;
    PGresult *r = s->rows;
    for (int i = 0; i < n; i++)
        for (int c = 0; c < 7; c++)
            cap += 2 * strlen(PQgetvalue(r, i, c)) + 40;
    char *out = malloc(cap);
    if (!out) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    size_t k = (size_t)sprintf(
        out, "control,framework,title,applicable,justification,implementation_status,threats,score\n");
    for (int i = 0; i < n; i++) {
        k += csv_put(out + k, e[i].control);
        out[k++] = ',';
        k += csv_put(out + k, e[i].framework);
        out[k++] = ',';
        k += csv_put(out + k, e[i].title);
        k += (size_t)sprintf(out + k, ",%s,", e[i].applicable ? "yes" : "no");
        k += csv_put(out + k, e[i].justification);
        out[k++] = ',';
        k += csv_put(out + k, e[i].implementation_status);
        out[k++] = ',';
        k += csv_put(out + k, PQgetvalue(r, i, 6));
        if (e[i].has_score)
            k += (size_t)sprintf(out + k, ",%.1f\n", round(e[i].score * 1000) / 10);
        else
            k += (size_t)sprintf(out + k, ",\n");
    }
    out[k] = '\0';
    Ims__V1__ExportSoAResponse resp = IMS__V1__EXPORT_SO_ARESPONSE__INIT;
    resp.csv = out;
    rpc_reply(call, &resp.base);
    free(out);
}

static void soa_read(struct rpc_call *call, struct tenant_state *state)
{
    struct soa *s = call->state;
    const engine_eval *eval = tenant_state_eval(state);
    PGresult *r = s->rows;
    const char *next;
    int shown = rpc_page_result(call, r, 9, -1, &next);
    struct arena *a = &call->arena;
    Ims__V1__SoAEntry *items = arena_alloc(a, ((size_t)shown + 1) * sizeof *items);
    Ims__V1__SoAEntry **ptrs = arena_alloc(a, ((size_t)shown + 1) * sizeof *ptrs);
    for (int i = 0; items && ptrs && i < shown; i++) {
        soa_entry(&items[i], a, r, i, eval);
        ptrs[i] = &items[i];
    }
    if (a->failed) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    if (s->csv) {
        soa_export(call, items, shown);
    } else {
        Ims__V1__ListSoAResponse resp = IMS__V1__LIST_SO_ARESPONSE__INIT;
        resp.entries = ptrs;
        resp.n_entries = (size_t)shown;
        resp.next_page_token = (char *)next;
        rpc_reply(call, &resp.base);
    }
}

static void soa_rows(struct rpc_call *call, struct db_txn *txn)
{
    struct soa *s = call->state;
    s->rows = PQcopyResult(db_txn_result(txn, 0), PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
    if (!s->rows) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_read(call, soa_read);
}

static void soa_query(struct rpc_call *call, const char *framework, int32_t page_size,
                      const char *page_token, int csv)
{
    struct soa *s = calloc(1, sizeof *s);
    if (!s) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    call->state = s;
    call->state_free = soa_free;
    s->csv = csv;
    if (csv)
        rpc_page_whole(&call->page, 100000);
    else if (!rpc_page_begin(call, page_size, page_token, RPC_PAGE_KEY_TEXT))
        return;
    if (*framework && !validate_ident(call, "framework", framework, 63))
        return;
    const char *params[3] = {*framework ? framework : NULL, page_token, call->page.fetch};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_SOA_LIST, 3, params) < 0)
        return;
    rpc_txn_exec(call, txn, soa_rows);
}

void rpc_list_soa(struct rpc_call *call)
{
    const Ims__V1__ListSoARequest *req = (const void *)call->request;
    soa_query(call, req->framework, req->page_size, req->page_token, 0);
}

void rpc_export_soa(struct rpc_call *call)
{
    soa_query(call, "", 0, "", 1);
}

/* --- applicability --- */

static int applicability_apply(engine_model *model, struct rpc_write *cw, engine_error *err)
{
    const Ims__V1__SetApplicabilityRequest *req = (const void *)cw->call->request;
    int rc = *req->control
                 ? engine_control_set_applicable(model, req->control, req->applicable, err)
                 : engine_subcontrol_set_applicable(model, req->subcontrol, req->applicable, err);
    /* A control of a framework out of scope is not in the model: only the SoA changes. */
    return rc == IMS_ENOTFOUND ? 0 : rc;
}

static int applicability_statements(struct db_txn *txn, struct rpc_write *cw)
{
    const Ims__V1__SetApplicabilityRequest *req = (const void *)cw->call->request;
    int control = *req->control != '\0';
    const char *id = control ? req->control : req->subcontrol;
    const char *params[5] = {control ? "control" : "subcontrol", id,
                             req->applicable ? "true" : "false", req->justification,
                             req->implementation_status};
    if (db_txn_add(txn, STMT_APPLICABILITY_SET, 5, params) < 0 ||
        rpc_audit_statement(cw->call, txn, id) != 0)
        return IMS_ENOMEM;
    return 0;
}

static void applicability_reply(struct rpc_write *cw, struct db_txn *txn, int first,
                                const struct tenant_level *level)
{
    Ims__V1__SetApplicabilityResponse resp = IMS__V1__SET_APPLICABILITY_RESPONSE__INIT;
    resp.security_level = level->security_level;
    resp.maturity = level->maturity;
    resp.revision = level->revision;
    rpc_reply(cw->call, &resp.base);
}

static void applicability_checked(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__SetApplicabilityRequest *req = (const void *)call->request;
    if (!sql_bool(db_txn_result(txn, 0), 0, 0)) {
        if (*req->control)
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "control: unknown control \"%s\"",
                     req->control);
        else
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "subcontrol: unknown sub-control \"%s\"",
                     req->subcontrol);
        return;
    }
    rpc_write_submit(call->state, "applicability");
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

void rpc_set_applicability(struct rpc_call *call)
{
    const Ims__V1__SetApplicabilityRequest *req = (const void *)call->request;
    int control = *req->control != '\0';
    if (control == (*req->subcontrol != '\0')) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "control, subcontrol: give exactly one");
        return;
    }
    if ((control && !validate_ident(call, "control", req->control, 63)) ||
        (!control && !validate_ident(call, "subcontrol", req->subcontrol, 63)) ||
        !validate_text(call, "justification", req->justification, 0, MAX_NOTE))
        return;
    if (!req->applicable && blank(req->justification)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "justification: required when excluding (Statement of Applicability)");
        return;
    }
    if (*req->implementation_status) {
        const char *const *s = implementation_statuses;
        while (*s && strcmp(*s, req->implementation_status) != 0)
            s++;
        if (!*s) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                     "implementation_status: must be not_started, planned, partial or "
                     "implemented");
            return;
        }
        if (!control) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                     "implementation_status: applies to controls only");
            return;
        }
    }
    struct rpc_write *cw = rpc_write_new(call);
    if (!cw)
        return;
    cw->apply = applicability_apply;
    cw->statements = applicability_statements;
    cw->reply = applicability_reply;
    const char *params[2] = {control ? "control" : "subcontrol",
                             control ? req->control : req->subcontrol};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_APPLICABILITY_TARGET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, applicability_checked);
}
