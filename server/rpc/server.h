/*
 * The RPC server's own state, shared by the files that run a call's plumbing (dispatch.c,
 * access.c, reply.c); handlers never need it.
 */
#ifndef IMS_RPC_SERVER_H
#define IMS_RPC_SERVER_H

#include <stdint.h>

#include "rpc.h"
#include "tokens.h"

#define RPC_MAX_METHODS 128
/* The method table's index by path: open addressing, at most half full. */
#define RPC_METHOD_BUCKETS (2 * RPC_MAX_METHODS)
#define RPC_TENANT_REF_BUCKETS 256

struct rpc_method_slot {
    char path[128];
    const ProtobufCMethodDescriptor *method;
    const struct auth_permission *permission;
    rpc_handler handler;
    int client_stream;
    /* Known at registration (dispatch.c): the request's string field "tenant" (NULL for
     * none), the largest request message, and whether calls get no default deadline. */
    const ProtobufCFieldDescriptor *tenant_field;
    size_t message_max;
    int no_default_deadline;
    struct rpc_method_stats stats;
};

struct rpc_tenant_ref;

struct rpc_server {
    uv_loop_t *loop;
    struct db_pool *pool;
    int imports_running; /* ImportTenantStream calls holding a pool connection */
    struct tenant_registry *tenants;
    struct rpc_method_slot methods[RPC_MAX_METHODS];
    int method_count;
    uint16_t method_index[RPC_METHOD_BUCKETS]; /* dispatch.c: 1 + a slot of methods, 0 free */
    struct auth_tokens *tokens;
    struct rpc_tenant_ref *tenant_refs[RPC_TENANT_REF_BUCKETS];
    int tenant_ref_count;
    /* Since start: refused tokens and refused calls (logged with each refusal), and more. */
    struct rpc_stats stats;
    uint64_t series_maps_generation;
    size_t max_message_bytes;
    struct rpc_health *health; /* health.c: the Watch streams, while there are any */
    int stopping;              /* rpc_health_stopping() was called */
    struct rpc_streams *streams; /* streams.c: open watch streams by token, while any */
    struct rpc_inflight *inflight; /* inflight.c: calls in flight per token */
    int offload_queued;          /* offload.c: jobs waiting or running */
    unsigned offload_running;    /* offload.c: jobs on the thread pool now */
    struct offload *offload_waiting; /* offload.c: jobs waiting for their turn */
    unsigned plan_max_steps, plan_max_steps_viewer; /* level.c */
    size_t import_max_snapshot_bytes;               /* snapshots.c */
    unsigned audit_verify_timeout_ms;               /* tenants.c */
    int64_t audit_verify_max_rows;                  /* tenants.c */
    struct level_cache *level_cache; /* level_cache.c: packed plain answers, once any */
};

/* Sets up and tears down what access.c keeps in the server (token cache, tenant
 * references). rpc_access_init returns 0 or IMS_ENOMEM. */
int rpc_access_init(struct rpc_server *server, unsigned token_ttl_ms)
    __attribute__((warn_unused_result));
void rpc_access_free(struct rpc_server *server);

/* As the headers end: resolves the call's bearer token before any byte of the body is
 * kept. A call without a token, or with one that is malformed (or unknown, expired,
 * revoked when the cache knows at once) gets a nonzero status to refuse it with (its
 * message set with grpc_call_set_refusal); otherwise 0, and the lookup goes on while the
 * body arrives: a refused token ends the call then, whatever is still being sent. */
int rpc_access_begin(struct rpc_call *call);

/* The request is complete: authorization goes on once the token is resolved. */
void rpc_access_continue(struct rpc_call *call);

/* The request's bytes unpacked into the call's arena within the unpack budget (unpack.h)
 * and let go; 0, or -1 when the call was ended (not a valid message, or over the budget). */
int rpc_request_unpack(struct rpc_call *call);
/* Ends a call whose message of len bytes did not unpack: over the budget, or not valid. */
void rpc_unpack_refused(struct rpc_call *call, size_t len, int over_budget);

/* Resolves the call's token, checks its role and tenant, then runs its handler; any
 * refusal ends the call. (Calls made inside the daemon, whose request is there at once.) */
void rpc_access_check(struct rpc_call *call);

/* client_stream.c: the transport's callbacks for an RPC_CLIENT_STREAM_EACH call, and
 * freeing what it queued (with the call). */
void rpc_client_stream_message(struct rpc_call *call, const uint8_t *data, size_t len);
void rpc_client_stream_half_close(struct rpc_call *call);
void rpc_client_stream_free(struct rpc_call *call);

/* The peer of a call for log lines ("local" for a call made inside the daemon). */
const char *rpc_call_peer(const struct rpc_call *call);

/* Ends the call with status (and message, or NULL) and frees it; no effect after the
 * first time. */
void rpc_call_end(struct rpc_call *call, int status, const char *message);

#endif
