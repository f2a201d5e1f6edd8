/*
 * Changing a tenant artefact's status or review due time as part of a tenant write, so
 * that the change moves the security level (the evidence factor, SECURITY-LEVEL.md section
 * 3 step 6) in the same transaction that stores it. No RPC changes artefacts by itself: a
 * handler that approves, obsoletes or reviews a document calls these from its own
 * rpc_write callbacks (docs/model.md, "Changing an artefact"):
 *
 *   apply:      rpc_artefact_change_apply(model, &change, err)
 *   statements: rpc_artefact_change_statements(txn, &change)   (result: artefact, status,
 *               review due ('' when none), at the index the statement was added)
 *
 * or, for a write that is nothing else, rpc_artefact_change_write() fills both callbacks.
 */
#ifndef IMS_RPC_ARTEFACTS_H
#define IMS_RPC_ARTEFACTS_H

#include "engine.h"
#include "write.h"

struct db_txn;

struct rpc_artefact_change {
    const char *artefact;   /* catalog id, e.g. "ART.security_policy" */
    const char *status;     /* "missing", "draft", "approved", "obsolete", or NULL: unchanged */
    int set_review_due;     /* 1: review_due becomes the next field's value */
    const char *review_due; /* RFC 3339 UTC, or NULL or "": none */
};

/* Checks the change (status name, time), naming the field in err ("status: ...",
 * "review_due: ..."). Returns 0 or IMS_EINVAL. */
int rpc_artefact_change_check(const struct rpc_artefact_change *c, engine_error *err);

/* Applies the change to the model copy of a tenant write. Returns 0, IMS_EINVAL or
 * IMS_ENOTFOUND (the tenant has no such artefact), with the message in err. */
int rpc_artefact_change_apply(engine_model *model, const struct rpc_artefact_change *c,
                              engine_error *err);

/* Adds the statement storing the change (ARTEFACT_SET) to the write's transaction.
 * Returns 0 or IMS_ENOMEM. */
int rpc_artefact_change_statements(struct db_txn *txn, const struct rpc_artefact_change *c);

/* Makes w a write of just this change (w->data must point at the change, which must live
 * as long as the call); the caller sets w->reply and submits it. */
void rpc_artefact_change_write(struct rpc_write *w);

#endif
