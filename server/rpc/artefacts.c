/* A tenant artefact's status and review due time changed within a tenant write, so that
 * the evidence factor moves with it. See artefacts.h. */
#include <stdio.h>
#include <string.h>

#include "artefacts.h"
#include "db_pool.h"
#include "ims/error.h"
#include "statements.h"
#include "validate.h"

static const char *const statuses[] = {"missing", "draft", "approved", "obsolete"};

static int status_of(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, statuses[i]) == 0)
            return i;
    return -1;
}

static int has_due(const struct rpc_artefact_change *c)
{
    return c->review_due && *c->review_due;
}

int rpc_artefact_change_check(const struct rpc_artefact_change *c, engine_error *err)
{
    int64_t t;
    if (!c->artefact || !*c->artefact) {
        snprintf(err->msg, sizeof err->msg, "artefact: required");
        return IMS_EINVAL;
    }
    if (c->status && status_of(c->status) < 0) {
        snprintf(err->msg, sizeof err->msg, "status: must be missing, draft, approved or obsolete");
        return IMS_EINVAL;
    }
    if (c->set_review_due && has_due(c) && validate_parse_time(c->review_due, &t) != 0) {
        snprintf(err->msg, sizeof err->msg, "review_due: must be an RFC 3339 UTC time");
        return IMS_EINVAL;
    }
    return 0;
}

int rpc_artefact_change_apply(engine_model *model, const struct rpc_artefact_change *c,
                              engine_error *err)
{
    int rc = rpc_artefact_change_check(c, err);
    if (rc)
        return rc;
    if (c->status &&
        (rc = engine_artefact_set_status(model, c->artefact,
                                         (enum engine_artefact_status)status_of(c->status), err)))
        return rc;
    if (c->set_review_due) {
        int64_t t = 0;
        if (has_due(c))
            (void)validate_parse_time(c->review_due, &t);
        rc = engine_artefact_set_review_due(model, c->artefact, has_due(c), t, err);
    }
    return rc;
}

int rpc_artefact_change_statements(struct db_txn *txn, const struct rpc_artefact_change *c)
{
    const char *params[4] = {c->artefact, c->status, c->set_review_due ? "true" : "false",
                             has_due(c) ? c->review_due : NULL};
    return db_txn_add(txn, STMT_ARTEFACT_SET, 4, params) < 0 ? IMS_ENOMEM : 0;
}

static int write_apply(engine_model *model, struct rpc_write *w, engine_error *err)
{
    return rpc_artefact_change_apply(model, w->data, err);
}

static int write_statements(struct db_txn *txn, struct rpc_write *w)
{
    const struct rpc_artefact_change *c = w->data;
    if (rpc_artefact_change_statements(txn, c) != 0 ||
        rpc_audit_statement(w->call, txn, c->artefact) != 0)
        return IMS_ENOMEM;
    return 0;
}

void rpc_artefact_change_write(struct rpc_write *w)
{
    w->apply = write_apply;
    w->statements = write_statements;
}
