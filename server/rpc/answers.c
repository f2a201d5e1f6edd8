/* Answers to controls and sub-controls: set in batches or imported from CSV (each one
 * moving the level), and the progress of answering. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "answers_csv.h"
#include "handlers.h"
#include "sql_values.h"
#include "write.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/assessments.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"

#define MAX_ANSWERS 1000
#define MAX_CSV_ROWS 5000
#define MAX_CSV_BYTES (1u << 20)
#define MAX_NOTE 2000
#define MAX_EVIDENCE 1000

/* One answer to store; line is the CSV line (0 for SetAnswers). */
struct answer_item {
    const char *subcontrol, *answer, *note, *evidence;
    int line;
};

struct answer_batch {
    struct answer_item *items;
    size_t n;
};

static int answer_parse(const char *s, enum engine_answer *out)
{
    static const struct {
        const char *name;
        enum engine_answer value;
    } answers[] = {{"yes", ENGINE_ANSWER_YES},
                   {"partial", ENGINE_ANSWER_PARTIAL},
                   {"no", ENGINE_ANSWER_NO},
                   {"na", ENGINE_ANSWER_NA},
                   {"unanswered", ENGINE_ANSWER_NONE}};
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        if (strcmp(s, answers[i].name) == 0) {
            *out = answers[i].value;
            return 0;
        }
    }
    return IMS_EINVAL;
}

static int is_ident(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n >= 1 && n <= max && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789._:-") == n;
}

/* Where an answer comes from, for messages: "answers[3]" or "csv: line 7". */
static void answer_where(const struct answer_item *it, size_t index, char *out, size_t len)
{
    if (it->line > 0)
        snprintf(out, len, "csv: line %d:", it->line);
    else
        snprintf(out, len, "answers[%zu].", index);
}

/* Checks one answer's fields; 0 after failing the call. */
static int answer_check(struct rpc_call *call, const struct answer_batch *b, size_t i)
{
    const struct answer_item *it = &b->items[i];
    char where[48];
    answer_where(it, i, where, sizeof where);
    const char *sep = it->line > 0 ? " " : "";
    enum engine_answer a;
    if (!is_ident(it->subcontrol, 63)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s%ssubcontrol: must be a sub-control id", where,
                 sep);
        return 0;
    }
    if (answer_parse(it->answer, &a) != 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "%s%sanswer: must be yes, partial, no, na or unanswered (got \"%.40s\")", where,
                 sep, it->answer);
        return 0;
    }
    if (strlen(it->note) > MAX_NOTE || !validate_is_clean_utf8(it->note)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s%snote: at most %d bytes of text", where, sep,
                 MAX_NOTE);
        return 0;
    }
    if (strlen(it->evidence) > MAX_EVIDENCE || !validate_is_clean_utf8(it->evidence)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s%sevidence: at most %d bytes of text", where,
                 sep, MAX_EVIDENCE);
        return 0;
    }
    for (size_t j = 0; j < i; j++) {
        if (strcmp(b->items[j].subcontrol, it->subcontrol) == 0) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s%ssubcontrol: \"%s\" is given twice",
                     where, sep, it->subcontrol);
            return 0;
        }
    }
    return 1;
}

static int answers_apply(engine_model *model, struct rpc_write *cw, engine_error *err)
{
    const struct answer_batch *b = cw->data;
    for (size_t i = 0; i < b->n; i++) {
        enum engine_answer a = ENGINE_ANSWER_NONE;
        (void)answer_parse(b->items[i].answer, &a);
        int rc = engine_subcontrol_set_answer(model, b->items[i].subcontrol, a, err);
        /* A sub-control held only by controls out of scope is not in the model. */
        if (rc != 0 && rc != IMS_ENOTFOUND)
            return rc;
    }
    return 0;
}

static int answers_statements(struct db_txn *txn, struct rpc_write *cw)
{
    const struct answer_batch *b = cw->data;
    for (size_t i = 0; i < b->n; i++) {
        const struct answer_item *it = &b->items[i];
        const char *params[5] = {it->subcontrol,
                                 strcmp(it->answer, "unanswered") == 0 ? NULL : it->answer,
                                 rpc_call_token_id(cw->call), it->note, it->evidence};
        if (db_txn_add(txn, STMT_ANSWER_SET, 5, params) < 0 ||
            rpc_audit_statement(cw->call, txn, it->subcontrol) != 0)
            return IMS_ENOMEM;
    }
    return 0;
}

static void answers_reply(struct rpc_write *cw, struct db_txn *txn, int first,
                          const struct tenant_level *level)
{
    const struct answer_batch *b = cw->data;
    Ims__V1__SetAnswersResponse resp = IMS__V1__SET_ANSWERS_RESPONSE__INIT;
    resp.stored = (int32_t)b->n;
    resp.security_level = level->security_level;
    resp.maturity = level->maturity;
    resp.revision = level->revision;
    rpc_reply(cw->call, &resp.base);
}

/* The sub-controls exist for the tenant: then the change is submitted. */
static void answers_checked(struct rpc_call *call, struct db_txn *txn)
{
    struct rpc_write *cw = call->state;
    const struct answer_batch *b = cw->data;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) > 0) {
        size_t i = (size_t)atol(PQgetvalue(r, 0, 0));
        char where[48];
        answer_where(&b->items[i], i, where, sizeof where);
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s%ssubcontrol: unknown sub-control \"%s\"",
                 where, b->items[i].line > 0 ? " " : "", b->items[i].subcontrol);
        return;
    }
    rpc_write_submit(cw, "answer");
}

/* Validates the batch (cw->data), checks the ids against the tenant and submits. */
static void answers_store(struct rpc_write *cw)
{
    struct rpc_call *call = cw->call;
    struct answer_batch *b = cw->data;
    size_t len = 1;
    for (size_t i = 0; i < b->n; i++) {
        if (!answer_check(call, b, i))
            return;
        len += strlen(b->items[i].subcontrol) + 1;
    }
    char *csv = arena_alloc(&cw->call->arena, len);
    if (!csv) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        if (i)
            strcat(csv, ",");
        strcat(csv, b->items[i].subcontrol);
    }
    cw->apply = answers_apply;
    cw->statements = answers_statements;
    cw->reply = answers_reply;
    const char *params[1] = {csv};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_SUBCONTROLS_UNKNOWN, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, answers_checked);
}

static struct rpc_write *batch_new(struct rpc_call *call, size_t n)
{
    struct rpc_write *cw = rpc_write_new(call);
    if (!cw)
        return NULL;
    struct answer_batch *b = calloc(1, sizeof *b);
    cw->data = b;
    if (b)
        b->items = arena_alloc(&cw->call->arena, (n + 1) * sizeof *b->items);
    if (!b || !b->items) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    return cw;
}

void rpc_set_answers(struct rpc_call *call)
{
    const Ims__V1__SetAnswersRequest *req = (const void *)call->request;
    if (req->n_answers < 1 || req->n_answers > MAX_ANSWERS) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "answers: between 1 and %d answers",
                 MAX_ANSWERS);
        return;
    }
    struct rpc_write *cw = batch_new(call, req->n_answers);
    if (!cw)
        return;
    struct answer_batch *b = cw->data;
    for (size_t i = 0; i < req->n_answers; i++) {
        const Ims__V1__Answer *a = req->answers[i];
        b->items[i] = (struct answer_item){a->subcontrol, a->answer, a->note, a->evidence, 0};
    }
    b->n = req->n_answers;
    answers_store(cw);
}

/* --- CSV: answers_csv.c --- */

#define CSV_FIELDS ANSWERS_CSV_FIELDS

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    size_t k = strspn(s, " \t");
    memmove(s, s + k, strlen(s + k) + 1);
}

void rpc_import_answers(struct rpc_call *call)
{
    const Ims__V1__ImportAnswersRequest *req = (const void *)call->request;
    size_t len = strlen(req->csv);
    if (len == 0 || len > MAX_CSV_BYTES || !validate_is_clean_utf8(req->csv)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "csv: 1 byte to 1 MiB of UTF-8 text");
        return;
    }
    size_t lines = 1;
    for (const char *c = req->csv; *c; c++)
        lines += *c == '\n';
    struct rpc_write *cw = batch_new(call, lines);
    if (!cw)
        return;
    struct answer_batch *b = cw->data;
    const char *p = req->csv;
    int line = 1, header = 0;
    for (;;) {
        char *f[CSV_FIELDS] = {0};
        int start = line;
        int n = answers_csv_record(&cw->call->arena, &p, &line, f);
        if (n == 0)
            break;
        if (n == -2) {
            rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
            return;
        }
        if (n == -1) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                     "csv: line %d: an unterminated quote or more than %d fields", start,
                     CSV_FIELDS);
            return;
        }
        for (int i = 0; i < n; i++)
            trim(f[i]);
        if (n == 1 && f[0][0] == '\0')
            continue; /* blank line */
        if (!header) {
            if (n != 4 || strcasecmp(f[0], "subcontrol") != 0 || strcasecmp(f[1], "answer") != 0 ||
                strcasecmp(f[2], "note") != 0 || strcasecmp(f[3], "evidence") != 0) {
                rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                         "csv: line %d: the header must be subcontrol,answer,note,evidence",
                         start);
                return;
            }
            header = 1;
            continue;
        }
        if (n < 2) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                     "csv: line %d: needs at least subcontrol and answer", start);
            return;
        }
        if (b->n == MAX_CSV_ROWS) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "csv: line %d: more than %d answers", start,
                     MAX_CSV_ROWS);
            return;
        }
        b->items[b->n++] = (struct answer_item){f[0], f[1], f[2] ? f[2] : "", f[3] ? f[3] : "",
                                                start};
    }
    if (b->n == 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "csv: no answers after the header line");
        return;
    }
    answers_store(cw);
}

/* --- progress --- */

static void progress_set(Ims__V1__Progress *p, PGresult *r, int row)
{
    ims__v1__progress__init(p);
    p->key = PQgetvalue(r, row, 1);
    p->assessed = sql_int(r, row, 2);
    p->applicable = sql_int(r, row, 3);
    p->ratio = p->applicable ? (double)p->assessed / p->applicable : 0;
}

static void progress_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    int n = PQntuples(r);
    struct arena *a = &call->arena;
    Ims__V1__GetProgressResponse resp = IMS__V1__GET_PROGRESS_RESPONSE__INIT;
    Ims__V1__Progress *items = arena_alloc(a, ((size_t)n + 1) * sizeof *items);
    Ims__V1__Progress **fw = arena_alloc(a, ((size_t)n + 1) * sizeof *fw);
    Ims__V1__Progress **lv = arena_alloc(a, ((size_t)n + 1) * sizeof *lv);
    if (!items || !fw || !lv) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        progress_set(&items[i], r, i);
        const char *kind = PQgetvalue(r, i, 0);
        if (strcmp(kind, "overall") == 0)
            resp.overall = &items[i];
        else if (strcmp(kind, "framework") == 0)
            fw[resp.n_frameworks++] = &items[i];
        else
            lv[resp.n_levels++] = &items[i];
    }
    resp.frameworks = fw;
    resp.levels = lv;
    rpc_reply(call, &resp.base);
}

void rpc_get_progress(struct rpc_call *call)
{
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_PROGRESS, 0, NULL) < 0)
        return;
    rpc_txn_exec(call, txn, progress_done);
}
