/*
 * The one way a handler changes something. A handler validates its request, takes an
 * rpc_write as the call's state (rpc_write_new), optionally checks an idempotency key
 * (idempotency.h), and then either submits it as a tenant write, for changes that move
 * the level, or runs plain transactions (rpc_txn_*) with the write as its state.
 *
 * A tenant write: the handler fills apply / statements / reply and calls
 * rpc_write_submit. The engine applies the change to a copy of the tenant's model, the
 * statements commit with the new revision and level, and only then does reply run. A
 * failure ends the call with the mapped status (a retried idempotent request is answered
 * as the first time instead).
 *
 * Reads of computed figures take the tenant's evaluated state with rpc_read.
 */
#ifndef IMS_RPC_WRITE_H
#define IMS_RPC_WRITE_H

#include "engine.h"
#include "rpc.h"
#include "tenant.h"

struct db_txn;

/* An idempotency key and the hash of the request it came with. */
struct idempotency {
    const char *key; /* NULL: none */
    char hash[65];
    char key_copy[201];
    rpc_handler next;   /* where the request goes on when the key does not answer it */
    rpc_handler replay; /* answers a retry by reading the current state (or NULL) */
};

struct rpc_write {
    struct tenant_write write;
    struct rpc_call *call;
    int (*apply)(engine_model *model, struct rpc_write *w, engine_error *err);
    /* Adds the change's statements and its audit rows; 0 or IMS_ENOMEM. w->next is the
     * level the change will commit with. */
    int (*statements)(struct db_txn *txn, struct rpc_write *w);
    /* Replies after commit (first: index of the first statement added). */
    void (*reply)(struct rpc_write *w, struct db_txn *txn, int first,
                  const struct tenant_level *level);
    const struct tenant_level *next; /* set while statements runs */
    void *data;                      /* the handler's own, freed with free() when the call ends */
    /* The engine's IMS_ENOTFOUND means a reference to something unknown in the request
     * (INVALID_ARGUMENT) rather than a missing object (NOT_FOUND). */
    int unknown_is_invalid;
    struct idempotency idem;
    /* Computed metrics the change moves (computed.h): the index of their samples'
     * statement in the transaction, or -1; they are applied to the model before the
     * revision, in the same transaction. */
    int computed_index;
    /* Optional: statements that need the level committed, once the computed samples are
     * applied (a stored answer); without computed samples, call it from statements. */
    int (*final_statements)(struct db_txn *txn, struct rpc_write *w);
};

/* A new write as the call's state (freed with the call); NULL after failing the call. */
struct rpc_write *rpc_write_new(struct rpc_call *call);

/* Queues w as a tenant write of the call's tenant; cause names it in logs and metrics. */
void rpc_write_submit(struct rpc_write *w, const char *cause);

/* Ends the call for a failed tenant write or read (err < 0, msg, txn or NULL). */
void rpc_fail_write(struct rpc_call *call, int err, const char *msg, struct db_txn *txn,
                    int unknown_is_invalid);

/* Reads the call's tenant model (evaluated now); fn runs with the state, or the call is
 * failed. */
typedef void (*rpc_read_fn)(struct rpc_call *call, struct tenant_state *state);
void rpc_read(struct rpc_call *call, rpc_read_fn fn);

#endif
