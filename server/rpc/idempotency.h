/*
 * Idempotency keys: a retry with the same key and the same request gets the stored first
 * answer; the same key with a different request is ALREADY_EXISTS. The key lives in the
 * call's rpc_write (write.h).
 */
#ifndef IMS_RPC_IDEMPOTENCY_H
#define IMS_RPC_IDEMPOTENCY_H

#include <protobuf-c/protobuf-c.h>

#include "write.h"

enum idempotency_lookup {
    /* New events: the key's unique index inside their own transaction tells a retry
     * (rpc_idempotency_retry), which saves a round trip on every keyed write. */
    IDEMPOTENCY_LOOKUP_NONE,
    /* Updates, whose checks would refuse a repeated change before the key is seen: look
     * the key up first. */
    IDEMPOTENCY_LOOKUP_FIRST,
};

/* Runs next, unless the key answers the call (a stored answer, or replay when set: for
 * actions, whose answer is the current state). key may be "" (none). */
void rpc_idempotency_check(struct rpc_write *w, const char *key, rpc_handler next,
                           rpc_handler replay, enum idempotency_lookup lookup);

/* Adds the statement that stores response as the key's answer (nothing without a key).
 * Returns 0 or IMS_ENOMEM. */
int rpc_idempotency_store(struct db_txn *txn, struct rpc_write *w,
                          const ProtobufCMessage *response)
    __attribute__((warn_unused_result));

/* Adds the statement that records the key with no stored answer (the answer to a retry is
 * read again: replay). Returns 0, or -1 when out of memory (txn stays its owner's). */
int rpc_idempotency_mark(struct rpc_write *w, struct db_txn *txn)
    __attribute__((warn_unused_result));

/* After a failed write: when the key's unique index refused it, the request is a retry (or
 * a concurrent twin) of one that committed; answers as that one did and returns 1. */
int rpc_idempotency_retry(struct rpc_write *w, int err, struct db_txn *txn);

#endif
