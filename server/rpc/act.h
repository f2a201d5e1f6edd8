/*
 * What the Check and Act resources share (actions.c, audits.c, awards.c, reviews.c,
 * objectives.c): a change is one statement of sql/statements/rpc/act.sql whose row is the
 * answer, run in one transaction with the samples of the computed metrics that the change
 * moves (computed.c), the audit row and the idempotency key; after COMMIT the samples are
 * applied to the tenant's model (a tenant write: the level moves and is answered) and the
 * row is answered as its message (rowmsg.h), wrapped with the level when the method's
 * result carries one. Reads answer rows, one page at a time.
 */
#ifndef IMS_RPC_ACT_H
#define IMS_RPC_ACT_H

#include <libpq-fe.h>
#include <protobuf-c/protobuf-c.h>

#include "rpc.h"

#define ACT_MAX_REFS 64
#define ACT_MAX_TEXT 4000

/* How a change answers. */
struct act_answer {
    const ProtobufCMessageDescriptor *row;    /* the message a row fills (Action) */
    const ProtobufCMessageDescriptor *result; /* its wrapper with the level, or NULL */
    const char *field;                        /* the wrapper's field for the row ("action") */
    int row_statement;                        /* reads the object by (tenant, id): replays */
    const char *kinds;                        /* record kinds changed, a text[] literal */
};

/* Takes an rpc_write as the call's state with the object's id; NULL after failing the
 * call. The id is copied (an empty one is made from prefix: "<prefix>-<8 hex digits>",
 * derived from the idempotency key when there is one, so that a retry names the same
 * object). */
struct act_op;
struct act_op *act_op_new(struct rpc_call *call, const struct act_answer *answer,
                          const char *prefix, const char *id, const char *idempotency_key);
const char *act_op_id(const struct act_op *op);

/* A buffer of ACT_SCRATCH bytes the handler keeps between its steps. */
#define ACT_SCRATCH 80
char *act_op_scratch(struct act_op *op);

/* Runs the change: statement with its parameters (copied), then answers. A key is looked
 * up first: a retry of a change that committed is answered with the object as it is. */
void act_change(struct act_op *op, int statement, int nparams, const char *const *params);

/* The caller's principal as recorded ("auditor 0f1e…": role and token id). */
const char *act_principal(struct rpc_call *call);

/* One page of rows of statement (params then after-id and limit appended) as the repeated
 * field of a new message of type list (with next_page_token). */
void act_list(struct rpc_call *call, const ProtobufCMessageDescriptor *list, const char *field,
              int statement, int nparams, const char *const *params, int32_t page_size,
              const char *page_token);

/* The row of statement (tenant, id) as a message of type row; NOT_FOUND names what. */
void act_get(struct rpc_call *call, const ProtobufCMessageDescriptor *row, int statement,
             const char *id, const char *what);

/* Checks 0..ACT_MAX_REFS identifiers and makes their text[] literal in the arena; NULL after
 * failing the call. */
const char *act_refs(struct rpc_call *call, const char *field, char **items, size_t n);

#endif
