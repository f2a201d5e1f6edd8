/*
 * Computed metrics for changes that are tenant writes (docs/model.md "Computed metrics"):
 * a change of a record kind that moves computed metrics (a finding, a process, an
 * exercise, a person, a document...) adds their samples to its own transaction with
 * computed_statement; after COMMIT, once the change is answered, the samples are applied
 * to the tenant's model by a write of their own, which commits the level they move.
 * Changes made as plain transactions (act.h) do the same. The daemon's sweep (sweep.c,
 * rpc.h) writes those that move with time alone.
 */
#ifndef IMS_RPC_COMPUTED_H
#define IMS_RPC_COMPUTED_H

#include <libpq-fe.h>
#include <uv.h>

#include "engine.h"

struct db_txn;
struct rpc_call;
struct rpc_write;

/* Adds the samples of the computed metrics that a change of kinds (a text[] literal,
 * "{process}") moves to txn, the transaction of the tenant write w (from its statements
 * callback; again on a retry). 0 or IMS_ENOMEM. */
int computed_statement(struct db_txn *txn, struct rpc_write *w, const char *kinds);

/* For a change made as a plain transaction that added STMT_COMPUTED_WRITE itself: applies
 * its result's samples (copied) to the call's tenant by a write of their own. */
void computed_apply(struct rpc_call *call, PGresult *samples);

/* The samples of a COMPUTED_WRITE result (metric, at, value) into model; a metric the
 * model does not hold is left out. 0 or the engine's code (err says why). */
int computed_samples_apply(engine_model *model, PGresult *samples, engine_error *err);

/* The loop the follow-up writes are started on (the sweep's start and stop call these);
 * without one, a change's samples reach the model when the tenant reloads. */
void computed_start(uv_loop_t *loop);
void computed_stop(void);

#endif
