/*
 * What the content services (catalog, assessments, risk, continuity, snapshots) share:
 * a per-call arena for the messages built from rows, paging, and the glue to the tenant
 * module for changes that move the level and reads of computed figures.
 */
#ifndef IMS_RPC_CONTENT_H
#define IMS_RPC_CONTENT_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "arena.h"
#include "engine.h"
#include "tenant.h"

struct rpc_call;
struct db_txn;

int content_bool(PGresult *r, int row, int col);
int content_int(PGresult *r, int row, int col);

/* Ends the call for a failed tenant write or read (err < 0, msg, txn or NULL). */
void content_fail(struct rpc_call *call, int err, const char *msg, struct db_txn *txn);

/*
 * A change that moves the level: the handler fills apply / statements / reply and calls
 * content_submit. The struct is the call's state (freed with the call); it stays valid
 * until done.
 */
struct content_write {
    struct tenant_write write;
    struct rpc_call *call;
    int (*apply)(engine_model *model, struct content_write *cw, engine_error *err);
    /* Adds the change's statements and its audit rows; 0 or IMS_ENOMEM. */
    int (*statements)(struct db_txn *txn, struct content_write *cw);
    /* Replies after commit (first: index of the first statement added). */
    void (*reply)(struct content_write *cw, struct db_txn *txn, int first,
                  const struct tenant_level *level);
    void *data;                  /* the handler's own, freed with free() */
    struct arena arena;  /* copies kept for apply */
};

/* A new write as the call's state; NULL after failing the call. */
struct content_write *content_write_new(struct rpc_call *call);
/* Queues it for the call's tenant. */
void content_submit(struct content_write *cw, const char *cause);

/* Reads the call's tenant model (evaluated now); fn runs with the state, or the call is
 * failed. */
typedef void (*content_read_fn)(struct rpc_call *call, struct tenant_state *state);
void content_read(struct rpc_call *call, content_read_fn fn);

#endif
