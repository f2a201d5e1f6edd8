/*
 * Computed metrics for changes that are tenant writes (docs/model.md "Computed metrics"):
 * a change of a record kind that moves computed metrics (a finding, an action, a process,
 * an exercise, an audit, a review...) adds their samples to its own transaction with
 * computed_statement; the tenant write then applies them to the model copy in a second
 * round of that transaction (tenant.h settle), so the revision, level history and NOTIFY
 * of the change carry the level they move, and the answer too. The daemon's sweep and
 * due-time timer (sweep.c, rpc.h) write those that move with time alone.
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
 * callback; again on a retry): they are applied to the model before the level is taken.
 * 0 or IMS_ENOMEM. */
int computed_statement(struct db_txn *txn, struct rpc_write *w, const char *kinds);

/* The samples of a COMPUTED_WRITE result (metric, at, value) into model; a metric the
 * model does not hold is left out. 0 or the engine's code (err says why). */
int computed_samples_apply(engine_model *model, PGresult *samples, engine_error *err);

#endif
