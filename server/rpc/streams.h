/*
 * Long-lived streams (WatchSecurityLevel, ExportTenantStream, ImportTenantStream) by the
 * token that opened them: a stream ends when its token is revoked (on any daemon: the
 * revocation's NOTIFY reaches every one) and when the token expires (looked at every second
 * while any stream is open).
 */
#ifndef IMS_RPC_STREAMS_H
#define IMS_RPC_STREAMS_H

#include <stdint.h>

#include "auth.h"

struct rpc_call;
struct rpc_server;

struct rpc_stream_entry {
    struct rpc_call *call;
    char token_id[AUTH_UUID_LEN + 1];
    uint64_t expires_ms; /* uv_now() at expiry, 0: never */
    struct rpc_stream_entry *prev, *next;
    int linked;
    /* Optional, for a stream whose call may be waiting for the database or the thread pool
     * (which must not see the call freed): called, the entry already removed, instead of
     * ending the call at once; it ends the call with this status when it safely can. */
    void (*on_end)(struct rpc_stream_entry *entry, int status, const char *message);
};

/* Registers the call's stream (its principal's token and expiry). Returns 0 or
 * IMS_ENOMEM. The entry lives in the handler's state and is removed before it is freed. */
int rpc_streams_add(struct rpc_call *call, struct rpc_stream_entry *entry)
    __attribute__((warn_unused_result));
void rpc_streams_remove(struct rpc_stream_entry *entry);

/* The token was revoked: its streams end with UNAUTHENTICATED ("token revoked"). */
void rpc_streams_revoked(struct rpc_server *server, const char *token_id);

#endif
