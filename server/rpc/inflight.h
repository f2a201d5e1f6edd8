/*
 * Calls in flight per token and per tenant: one principal may hold at most
 * max_calls_per_token calls at once (watch streams included), and one tenant's calls at
 * most max_calls_per_tenant, so that one client or one tenant's clients together cannot take
 * every database connection, thread-pool slot and write queue from the others. Beyond it:
 * RESOURCE_EXHAUSTED.
 */
#ifndef IMS_RPC_INFLIGHT_H
#define IMS_RPC_INFLIGHT_H

struct rpc_call;
struct rpc_server;

/* Returns 0 or IMS_ENOMEM. max 0: 256; max_tenant 0: 1024. */
int rpc_inflight_init(struct rpc_server *server, unsigned max, unsigned max_tenant)
    __attribute__((warn_unused_result));
void rpc_inflight_free(struct rpc_server *server);

/* The call's principal is known: counts it. Returns 0, or the limit (> 0) when the token
 * has that many calls in flight already (the call is not counted then). */
unsigned rpc_inflight_enter(struct rpc_call *call);

/* The call's tenant is known (call->tenant): counts it likewise. */
unsigned rpc_inflight_enter_tenant(struct rpc_call *call);

/* The call ends (no effect when it was not counted). */
void rpc_inflight_leave(struct rpc_call *call);

#endif
