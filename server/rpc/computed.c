/* Computed metrics written with the changes that move them (docs/model.md "Computed
 * metrics"): the samples a change's transaction writes (ims_computed_write) applied to the
 * tenant's model copy in that same transaction, before its revision and level. */
#include "computed.h"

#include <stdlib.h>

#include "db_pool.h"
#include "ims/error.h"
#include "snapshot.h"
#include "statements.h"
#include "tenant.h"
#include "write.h"

int computed_samples_apply(engine_model *model, PGresult *samples, engine_error *err)
{
    for (int i = 0; samples && i < PQntuples(samples); i++) {
        int64_t at;
        if (engine_time_parse(PQgetvalue(samples, i, 1), &at) != 0)
            return IMS_EINTERNAL;
        int rc = engine_sample_add(model, PQgetvalue(samples, i, 0), at,
                                   strtod(PQgetvalue(samples, i, 2), NULL), err);
        if (rc != 0 && rc != IMS_ENOTFOUND) /* a metric the tenant disabled: left out */
            return rc;
    }
    return 0;
}

/* The tenant write's second round: its samples into the copy the level is taken from. */
static int computed_settle(engine_model *model, struct db_txn *txn, int first, void *arg,
                           engine_error *err)
{
    struct rpc_write *w = arg;
    (void)first;
    return computed_samples_apply(model, db_txn_result(txn, w->computed_index), err);
}

int computed_statement(struct db_txn *txn, struct rpc_write *w, const char *kinds)
{
    const char *params[2] = {w->call->tenant, kinds};
    int index = db_txn_add(txn, STMT_COMPUTED_WRITE, 2, params);
    if (index < 0)
        return IMS_ENOMEM;
    w->computed_index = index;
    w->write.settle = computed_settle;
    return 0;
}
