/*
 * Computed metrics for changes that are tenant writes (docs/model.md "Computed metrics"):
 * a change of a record kind that moves computed metrics (a finding, a process, an
 * exercise, a person, a document...) adds the samples to its own transaction with
 * computed_statement, and its write reloads the tenant's model after COMMIT so that the
 * model holds them. Changes made as plain transactions (act.h) apply the samples instead.
 * The daemon's sweep (computed.c, rpc.h) writes those that move with time alone.
 */
#ifndef IMS_RPC_COMPUTED_H
#define IMS_RPC_COMPUTED_H

struct db_txn;
struct tenant_write;

/* Adds the samples of the computed metrics that a change of kinds (a text[] literal,
 * "{process}") moves to txn, and marks write to reload after COMMIT. 0 or IMS_ENOMEM. */
int computed_statement(struct db_txn *txn, const char *tenant, const char *kinds,
                       struct tenant_write *write);

#endif
