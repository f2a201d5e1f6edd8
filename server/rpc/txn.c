/* Transactions for handlers: building, auditing and running them, and ending the call
 * with the mapped status when one fails, so a handler only sees success. */
#include <stdio.h>
#include <string.h>

#include "db_pool.h"
#include "ims/error.h"
#include "log.h"
#include "rpc.h"
#include "statements.h"
#include "status.h"

void rpc_fail_db(struct rpc_call *call, struct db_txn *txn, int err)
{
    const char *message;
    int status = rpc_status_for_error(err, &message);
    if (status >= 0) {
        rpc_fail(call, status, "%s", message);
        return;
    }
    if (!txn) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "internal error (%s)", ims_strerror(err));
        return;
    }
    const char *state = db_txn_sqlstate(txn);
    int logged;
    status = rpc_status_for_sqlstate(state, &message, &logged);
    if (logged)
        log_error("database error", "method=%s sqlstate=%s error=\"%s\"", call->path, state,
                  db_txn_error(txn));
    rpc_fail(call, status, "%s", message ? message : db_txn_error(txn));
}

struct db_txn *rpc_txn_new(struct rpc_call *call, const char *tenant, int all)
{
    struct db_txn *txn = db_txn_new(rpc_server_pool(call->server), tenant, all);
    if (!txn)
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    return txn;
}

int rpc_txn_add(struct rpc_call *call, struct db_txn *txn, int statement, int nparams,
                const char *const *values)
{
    int index = db_txn_add(txn, statement, nparams, values);
    if (index < 0) {
        db_txn_free(txn);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    return index;
}

int rpc_txn_audit(struct rpc_call *call, struct db_txn *txn, const char *object_id)
{
    const char *params[4] = {rpc_call_token_id(call), auth_role_name(call->principal.role),
                             call->path, object_id ? object_id : ""};
    return rpc_txn_add(call, txn, STMT_AUDIT_APPEND, 4, params);
}

int rpc_audit_statement(struct rpc_call *call, struct db_txn *txn, const char *object_id)
{
    const char *params[4] = {rpc_call_token_id(call), auth_role_name(call->principal.role),
                             call->path, object_id ? object_id : ""};
    return db_txn_add(txn, STMT_AUDIT_APPEND, 4, params) < 0 ? IMS_ENOMEM : 0;
}

static void txn_finished(struct db_txn *txn, int err, void *arg)
{
    struct rpc_call *call = arg;
    rpc_txn_done done = (rpc_txn_done)call->pending_done;
    call->pending_done = NULL;
    call->pending_txn = NULL;
    if (err != 0)
        rpc_fail_db(call, txn, err);
    else
        done(call, txn);
    db_txn_free(txn);
}

void rpc_txn_exec(struct rpc_call *call, struct db_txn *txn, rpc_txn_done done)
{
    call->pending_done = (void (*)(void))done;
    call->pending_txn = txn;
    db_txn_exec(txn, txn_finished, call);
}
