/* Check and Act: a change as one tenant write (its statement, computed samples, audit row
 * and key; the samples applied to the model before the level is taken, in the same
 * transaction), the row answered with that level;
 * listings and single reads of the *_rows views. */
#include "act.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "computed.h"
#include "db_pool.h"
#include "idempotency.h"
#include "ims/error.h"
#include "rowmsg.h"
#include "snapshot.h"
#include "statements.h"
#include "tenant.h"
#include "validate.h"
#include "write.h"

#define ACT_MAX_PARAMS 12

struct act_op {
    struct rpc_call *call;
    const struct act_answer *answer;
    char id[80];
    char scratch[ACT_SCRATCH];
    const char *key;
    int statement, nparams;
    const char *params[ACT_MAX_PARAMS];
    PGresult *row;     /* the answer's row (a copy) */
    struct tenant_write write;
};

static void act_free(void *state)
{
    struct rpc_write *w = state;
    struct act_op *op = w->data;
    if (op) {
        PQclear(op->row);
    }
    free(op);
    free(w);
}

/* FNV-1a of the key: the same key names the same object. */
static unsigned long key_hash(const char *key)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (unsigned long)(h & 0xffffffffUL);
}

struct act_op *act_op_new(struct rpc_call *call, const struct act_answer *answer,
                          const char *prefix, const char *id, const char *idempotency_key)
{
    struct rpc_write *w = rpc_write_new(call);
    if (!w)
        return NULL;
    struct act_op *op = calloc(1, sizeof *op);
    if (!op) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    w->data = op;
    call->state_free = act_free;
    op->call = call;
    op->answer = answer;
    op->key = idempotency_key ? idempotency_key : "";
    if (id && *id) {
        snprintf(op->id, sizeof op->id, "%s", id);
    } else if (*op->key) {
        snprintf(op->id, sizeof op->id, "%s-%08lx", prefix, key_hash(op->key));
    } else {
        char uuid[AUTH_UUID_LEN + 1];
        if (auth_uuid_generate(uuid) != 0) {
            rpc_fail(call, IMS_GRPC_INTERNAL, "no randomness available");
            return NULL;
        }
        snprintf(op->id, sizeof op->id, "%s-%.8s", prefix, uuid);
    }
    return op;
}

const char *act_op_id(const struct act_op *op)
{
    return op->id;
}

char *act_op_scratch(struct act_op *op)
{
    return op->scratch;
}

const char *act_principal(struct rpc_call *call)
{
    const char *token = rpc_call_token_id(call);
    size_t len = 64 + (token ? strlen(token) : 0);
    char *s = arena_alloc(&call->arena, len);
    if (s)
        snprintf(s, len, "%s %s", auth_role_name(call->principal.role), token ? token : "");
    return s ? s : "";
}

static struct act_op *op_of(struct rpc_call *call)
{
    return ((struct rpc_write *)call->state)->data;
}

static void act_answer_level(struct act_op *op, const struct tenant_level *level)
{
    struct rpc_call *call = op->call;
    const struct act_answer *a = op->answer;
    ProtobufCMessage *row = rowmsg_new(&call->arena, a->row, op->row, 0);
    if (!row) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    if (!a->result) {
        rpc_reply(call, row);
        return;
    }
    ProtobufCMessage *res = arena_alloc(&call->arena, a->result->sizeof_message);
    if (!res) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    a->result->message_init(res);
    rowmsg_set_message(res, a->field, row);
    rowmsg_set_double(res, "security_level", level ? level->security_level : 0);
    rowmsg_set_int64(res, "revision", level ? level->revision : 0);
    rpc_reply(call, res);
}

static void level_read(struct rpc_call *call, struct tenant_state *state)
{
    act_answer_level(op_of(call), tenant_state_level(state));
}

/* The change as a tenant write: its statement (first), the samples of the computed
 * metrics its kinds move (first+1), the audit row and the idempotency mark; the second
 * round checks the row and applies the samples before the level is taken, so that one
 * revision, in the change's own transaction, carries the level they move. */
static int act_statements(struct db_txn *txn, const struct tenant_level *next, void *arg)
{
    struct act_op *op = arg;
    struct rpc_call *call = op->call;
    const char *computed[2] = {call->tenant, op->answer->kinds};
    (void)next;
    if (db_txn_add(txn, op->statement, op->nparams, op->params) < 0 ||
        db_txn_add(txn, STMT_COMPUTED_WRITE, 2, computed) < 0 ||
        rpc_audit_statement(call, txn, op->id) != 0 ||
        rpc_idempotency_mark(call->state, txn) < 0)
        return IMS_ENOMEM;
    return 0;
}

static int act_settle(engine_model *model, struct db_txn *txn, int first, void *arg,
                      engine_error *err)
{
    struct act_op *op = arg;
    if (PQntuples(db_txn_result(txn, first)) != 1) {
        snprintf(err->msg, sizeof err->msg, "id: no %s %s", op->answer->row->short_name, op->id);
        return IMS_ENOTFOUND;
    }
    return computed_samples_apply(model, db_txn_result(txn, first + 1), err);
}

static void act_written(int err, const char *msg, struct db_txn *txn, int first,
                        const struct tenant_level *level, void *arg)
{
    struct act_op *op = arg;
    struct rpc_call *call = op->call;
    if (err != 0) {
        if (!rpc_idempotency_retry(call->state, err, txn))
            rpc_fail_write(call, err, msg, txn, 0);
        return;
    }
    rpc_act_due_changed(call->tenant); /* an action's due time, an award's expiry... may be nearer */
    op->row = PQcopyResult(db_txn_result(txn, first), PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
    if (!op->row) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    act_answer_level(op, level);
}

static void act_go(struct rpc_call *call)
{
    struct act_op *op = op_of(call);
    memset(&op->write, 0, sizeof op->write);
    op->write.add_statements = act_statements;
    op->write.settle = act_settle;
    op->write.done = act_written;
    op->write.arg = op;
    op->write.cause = "act";
    tenant_write_submit(rpc_server_tenants(call->server), call->tenant, &op->write);
}

static void replay_done(struct rpc_call *call, struct db_txn *txn)
{
    struct act_op *op = op_of(call);
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no %s %s", op->answer->row->short_name, op->id);
        return;
    }
    if (!(op->row = PQcopyResult(r, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES))) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_read(call, level_read);
}

/* A retry of a change that committed: answered with the object as it is now. */
static void act_replay(struct rpc_call *call)
{
    struct act_op *op = op_of(call);
    const char *params[2] = {call->tenant, op->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, op->answer->row_statement, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, replay_done);
}

void act_change(struct act_op *op, int statement, int nparams, const char *const *params)
{
    struct rpc_call *call = op->call;
    op->statement = statement;
    op->nparams = nparams < ACT_MAX_PARAMS ? nparams : ACT_MAX_PARAMS;
    for (int i = 0; i < op->nparams; i++) {
        op->params[i] = params[i] ? arena_strdup(&call->arena, params[i]) : NULL;
        if (params[i] && !op->params[i]) {
            rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
            return;
        }
    }
    rpc_idempotency_check(call->state, op->key, act_go, act_replay, IDEMPOTENCY_LOOKUP_FIRST);
}

struct list_spec {
    const ProtobufCMessageDescriptor *list;
    const char *field;
};

static void list_done(struct rpc_call *call, struct db_txn *txn)
{
    const struct list_spec *spec = call->state;
    PGresult *r = db_txn_result(txn, 0);
    const char *next;
    int shown = rpc_page_result(call, r, 0, -1, &next);
    ProtobufCMessage *msg = arena_alloc(&call->arena, spec->list->sizeof_message);
    if (!msg) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    spec->list->message_init(msg);
    if (rowmsg_set_rows(&call->arena, msg, spec->field, r, 0, shown) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rowmsg_set_string(msg, "next_page_token", next);
    rpc_reply(call, msg);
}

void act_list(struct rpc_call *call, const ProtobufCMessageDescriptor *list, const char *field,
              int statement, int nparams, const char *const *params, int32_t page_size,
              const char *page_token)
{
    if (!rpc_page_begin(call, page_size, page_token, RPC_PAGE_KEY_IDENT))
        return;
    struct list_spec *spec = arena_alloc(&call->arena, sizeof *spec);
    const char *p[ACT_MAX_PARAMS + 2];
    if (!spec || nparams > ACT_MAX_PARAMS) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    spec->list = list;
    spec->field = field;
    call->state = spec; /* in the arena: nothing to free */
    for (int i = 0; i < nparams; i++)
        p[i] = params[i];
    p[nparams] = page_token;
    p[nparams + 1] = call->page.fetch;
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, statement, nparams + 2, p) < 0)
        return;
    rpc_txn_exec(call, txn, list_done);
}

struct get_spec {
    const ProtobufCMessageDescriptor *row;
    const char *what, *id;
};

static void get_done(struct rpc_call *call, struct db_txn *txn)
{
    const struct get_spec *spec = call->state;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no %s %s", spec->what, spec->id);
        return;
    }
    ProtobufCMessage *msg = rowmsg_new(&call->arena, spec->row, r, 0);
    if (!msg) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_reply(call, msg);
}

void act_get(struct rpc_call *call, const ProtobufCMessageDescriptor *row, int statement,
             const char *id, const char *what)
{
    if (!validate_ident(call, "id", id, 64))
        return;
    struct get_spec *spec = arena_alloc(&call->arena, sizeof *spec);
    if (!spec) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    spec->row = row;
    spec->what = what;
    spec->id = id;
    call->state = spec;
    const char *params[2] = {call->tenant, id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, statement, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, get_done);
}

const char *act_refs(struct rpc_call *call, const char *field, char **items, size_t n)
{
    if (n > ACT_MAX_REFS) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s: at most %d", field, ACT_MAX_REFS);
        return NULL;
    }
    size_t len = 3;
    for (size_t i = 0; i < n; i++) {
        char name[80];
        snprintf(name, sizeof name, "%s[%zu]", field, i);
        if (!validate_text(call, name, items[i], 1, 500))
            return NULL;
        len += 2 * strlen(items[i]) + 3;
    }
    /* Every element quoted, its quotes and backslashes escaped. */
    char *lit = arena_alloc(&call->arena, len);
    if (!lit) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    char *p = lit;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *c = items[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                *p++ = '\\';
            *p++ = *c;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return lit;
}
