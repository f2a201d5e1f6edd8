/*
 * The RPC layer: where the network, the database, auth and the engine meet.
 *
 * Each call goes decode → authenticate → authorize → validate → act → encode. dispatch.c
 * runs a call's life, access.c decides who is calling and whether they may (the token
 * through auth/tokens.h, the role and tenant through auth/'s permission table), and
 * services.c maps each method to its handler (handlers.h); a new method is a handler,
 * not new plumbing.
 *
 * A handler receives the unpacked request with the principal and, for tenant methods,
 * the tenant's UUID already checked against the principal's scope. Every handler is
 * written the same way: validate the request (validate.h, paging.h), then act: a
 * change takes an rpc_write as the call's state (write.h; idempotency.h for keys) and
 * either submits it as a tenant write or runs transactions; a read runs transactions
 * (rpc_txn_*) or reads the tenant's evaluated state (rpc_read). A failed step has already
 * ended the call, so each step only handles success. The handler ends the call exactly
 * once with rpc_reply() or rpc_fail() (also when the call was cancelled meanwhile: then
 * nothing is sent). Streaming handlers use rpc_stream_send() before ending.
 *
 * Memory: what lives as long as the call (the messages built from rows, copies kept
 * between steps) comes from call->arena and is never freed by the handler; state_free
 * is for what an arena cannot hold (a copied PGresult, a watch).
 */
#ifndef IMS_RPC_H
#define IMS_RPC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>
#include <uv.h>

#include "arena.h"
#include "auth.h"
#include "paging.h"
#include "tokens.h"

struct rpc_server;
struct rpc_call;
struct grpc_call;
struct grpc_dispatch;
struct db_pool;
struct db_txn;

typedef void (*rpc_handler)(struct rpc_call *call);

/* The end of a call made inside the daemon: its status, message (or NULL) and packed
 * response (NULL unless OK), valid during the callback only. */
typedef void (*rpc_local_done)(int status, const char *message, const uint8_t *response,
                               size_t len, void *arg);
/* One message of a server stream made inside the daemon, packed, valid during the call. */
typedef void (*rpc_local_message)(const uint8_t *message, size_t len, void *arg);
struct rpc_method_slot;

/* One method's handler, in the order of the service's methods in its .proto. */
struct rpc_method_entry {
    const char *name; /* the method's name, checked against the descriptor at startup */
    rpc_handler handler;
    int client_stream; /* 0, or how the client's stream of messages is read: */
};
#define RPC_CLIENT_STREAM_MERGED 1 /* kept whole and merged into one request (bounded) */
#define RPC_CLIENT_STREAM_EACH 2   /* handed to the handler one by one (client_stream.c) */

struct rpc_stream_input;

struct rpc_call {
    struct rpc_server *server;
    struct grpc_call *grpc;
    const char *path;
    const ProtobufCMethodDescriptor *method;
    const struct auth_permission *permission;
    rpc_handler handler;
    struct auth_principal principal;
    int authenticated;
    char tenant[AUTH_UUID_LEN + 1]; /* resolved tenant for SCOPE_TENANT ("" for none) */
    ProtobufCMessage *request;
    int request_in_arena; /* request was unpacked into arena (nothing to free by itself) */
    uint8_t *raw;
    size_t raw_len;
    int have_message;
    int busy;      /* a handler or an authentication step is running */
    int finished;
    int cancelled;
    void *state;   /* the handler's own between steps (an rpc_write for changes) */
    void (*state_free)(void *state); /* run when the call ends (NULL: nothing to do) */
    /* Set by long-lived handlers (server streams): called on cancel while busy, it must
     * end the call. */
    void (*on_cancel)(struct rpc_call *call);
    int client_stream;
    void (*pending_done)(void); /* the rpc_txn_done of the transaction in flight */
    struct db_txn *pending_txn; /* that transaction, dropped if still queued at a cancel */
    /* inflight.c: the entries counting it against its token's and its tenant's calls in
     * flight, NULL when not counted. */
    struct inflight_entry *inflight_token, *inflight_tenant;
    uint64_t started_ms;
    struct auth_wait auth_wait; /* waiting for the token to resolve */
    struct arena arena;         /* what lives as long as the call; freed when it ends */
    struct rpc_page page;       /* a listing's page */
    struct rpc_method_slot *slot; /* the method's entry, where its figures are counted */
    /* The token is resolved as the headers end, while the body arrives (access.c). */
    int token_state;
    int token_result;  /* the lookup's result, when it ended during on_call_start */
    int starting;      /* inside on_call_start */
    int request_ready; /* the request is unpacked: authorization may go on */
    uint64_t started_ns;
    /* A call made inside the daemon (grpc is NULL): its token, and where its end goes. */
    const char *local_token;
    rpc_local_done local_done;
    void *local_arg;
    uint8_t *local_response;
    size_t local_response_len;
    void (*local_message)(const uint8_t *message, size_t len, void *arg); /* server streams */
    struct rpc_call **local_handle; /* cleared when the call is freed */
    struct rpc_stream_input *stream_input; /* RPC_CLIENT_STREAM_EACH: client_stream.c */
};

struct tenant_registry;

struct rpc_server_config {
    uv_loop_t *loop;
    struct db_pool *pool;
    struct tenant_registry *tenants;
    unsigned token_cache_ttl_ms; /* how long a resolved token is trusted without the DB */
    size_t max_message_bytes;    /* the transport's limit; a client stream holds 16 of them */
    unsigned max_calls_per_token; /* calls in flight per token (0: 256) */
    unsigned max_calls_per_tenant; /* calls in flight per tenant (0: 1024) */
    /* Caps on work for the thread pool and the database (docs/security.md; 0: default). */
    unsigned plan_max_steps;        /* GetImprovementPlan steps (0: 100) */
    unsigned plan_max_steps_viewer; /* the same for viewer and agent tokens (0: 20) */
    size_t import_max_snapshot_bytes; /* ImportTenant snapshot (0: 16 MiB) */
    unsigned audit_verify_timeout_ms; /* VerifyAuditLog in PostgreSQL (0: 10 s) */
    int64_t audit_verify_max_rows;    /* VerifyAuditLog chain length (0: 1,000,000) */
};

/* Returns 0 or IMS_ENOMEM. */
int rpc_server_new(const struct rpc_server_config *config, struct rpc_server **out)
    __attribute__((warn_unused_result));
void rpc_server_free(struct rpc_server *server);

/* Registers a service: entries[i] must name service->methods[i]. Returns 0, IMS_ENOMEM,
 * or IMS_EINVAL when the entries don't match the descriptor or a method has no
 * permission entry. */
int rpc_server_register(struct rpc_server *server, const ProtobufCServiceDescriptor *service,
                        const struct rpc_method_entry *entries, size_t count)
    __attribute__((warn_unused_result));

/* The callbacks to give grpc_server_new. */
void rpc_server_dispatch(struct rpc_server *server, struct grpc_dispatch *out);

uv_loop_t *rpc_server_loop(const struct rpc_server *server);
struct db_pool *rpc_server_pool(const struct rpc_server *server);
struct tenant_registry *rpc_server_tenants(const struct rpc_server *server);

/*
 * Makes a call inside the daemon, as a client would with this bearer token: the same
 * token resolution, permission table, tenant scope, validation and write path. request
 * is copied. done is called once, possibly before this returns. Used by the receivers
 * of other protocols (remote_write), which speak to the daemon through its own API.
 */
void rpc_call_local(struct rpc_server *server, const char *path, const char *token,
                    const ProtobufCMessage *request, rpc_local_done done, void *arg);

/*
 * The same for a server stream (WatchSecurityLevel): each message the handler sends goes
 * to on_message; done is called once at the end (OK, CANCELLED after
 * rpc_call_local_cancel, or the failure), with no message. *handle is the call while it
 * lives and is set to NULL as it is freed (also when that happens before this returns).
 */
void rpc_call_local_stream(struct rpc_server *server, const char *path, const char *token,
                           const ProtobufCMessage *request, rpc_local_message on_message,
                           rpc_local_done done, void *arg, struct rpc_call **handle);

/* The descriptor of a registered method ("/ims.v1.Level/GetSecurityLevel"), or NULL. */
const ProtobufCMethodDescriptor *rpc_method_descriptor(struct rpc_server *server,
                                                       const char *path);

/* Ends a local server stream as a peer's cancel would; its done runs (now or when the
 * step in flight completes). */
void rpc_call_local_cancel(struct rpc_call *call);

/* Resolves a bearer token as a call's would be (cache, then the store): cb gets 0 and the
 * principal, IMS_ENOTFOUND (unknown, expired, revoked) or a store error. wait must stay in
 * place until cb; auth_lookup_cancel(wait) gives up. */
void rpc_server_authenticate(struct rpc_server *server, const char *token, struct auth_wait *wait,
                             auth_lookup_cb cb, void *arg);

/* --- figures, for /metrics --- */

#define RPC_LATENCY_BUCKETS 14
#define RPC_STATUS_COUNT 17
extern const double rpc_latency_bounds[RPC_LATENCY_BUCKETS]; /* seconds */

struct rpc_method_stats {
    uint64_t calls[RPC_STATUS_COUNT];          /* by gRPC status code */
    uint64_t latency[RPC_LATENCY_BUCKETS + 1]; /* per bucket, the last +Inf */
    double latency_sum;                        /* seconds */
};

enum rpc_auth_failure {
    RPC_AUTH_MISSING,   /* no bearer token */
    RPC_AUTH_MALFORMED, /* not of the form a token has: refused without a lookup */
    RPC_AUTH_INVALID,  /* unknown, expired or revoked */
    RPC_AUTH_FAILURE_COUNT
};

struct rpc_stats {
    uint64_t unknown_method;
    uint64_t auth_failures[RPC_AUTH_FAILURE_COUNT];
    uint64_t denials;
    uint64_t ingest_batches, ingest_samples; /* acknowledged PushMetrics requests */
};

void rpc_server_stats(const struct rpc_server *server, struct rpc_stats *out);
int rpc_server_method_count(const struct rpc_server *server);
/* The i-th method's path and figures. */
const char *rpc_server_method(const struct rpc_server *server, int i,
                              const struct rpc_method_stats **stats);

/* The series mappings changed (on this daemon): the receiver reloads them. The
 * generation grows with each change. */
void rpc_series_maps_changed(struct rpc_server *server);
uint64_t rpc_series_maps_generation(const struct rpc_server *server);

/* Counts an acknowledged batch of samples. */
void rpc_count_ingest(struct rpc_call *call, size_t samples);

/* Drops the cached token with this id so its revocation takes effect at once on this
 * daemon. */
void rpc_server_forget_token(struct rpc_server *server, const char *token_id);

/* Ends the call with OK and one response message. */
void rpc_reply(struct rpc_call *call, const ProtobufCMessage *response);

/* Ends the call with OK and a response already packed (a stored idempotent answer). */
void rpc_reply_packed(struct rpc_call *call, const uint8_t *data, size_t len);

/* Ends a server stream with OK (CANCELLED when it was cancelled). */
void rpc_end(struct rpc_call *call);

/* Ends the call with a non-OK status; the message names the field or limit. */
void rpc_fail(struct rpc_call *call, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sends one message of a server stream. Returns 0, IMS_ECLOSED (cancelled) or IMS_ENOMEM. */
int rpc_stream_send(struct rpc_call *call, const ProtobufCMessage *message);

/* Bytes queued for the client and not yet written (a server stream's backlog). */
size_t rpc_call_pending_bytes(const struct rpc_call *call);

/* Maps a failed database transaction to a status and message and ends the call. txn may be
 * NULL (the failure happened before the database: err alone decides). */
void rpc_fail_db(struct rpc_call *call, struct db_txn *txn, int err);

/* The principal's token id as text, or NULL for none (used for created_by, audit). */
const char *rpc_call_token_id(const struct rpc_call *call);


/* --- transactions for handlers: failures end the call, so a handler only sees success --- */

typedef void (*rpc_txn_done)(struct rpc_call *call, struct db_txn *txn);

/* A transaction for tenant (NULL: none) with ims.all_tenants when all is 1. On ENOMEM it
 * ends the call and returns NULL. */
struct db_txn *rpc_txn_new(struct rpc_call *call, const char *tenant, int all);

/* Adds a statement; returns its index, or -1 after freeing txn and ending the call. */
int rpc_txn_add(struct rpc_call *call, struct db_txn *txn, int statement, int nparams,
                const char *const *values);

/* Appends the call's audit row (who, token, method, object) to txn; -1 as rpc_txn_add. */
int rpc_txn_audit(struct rpc_call *call, struct db_txn *txn, const char *object_id);

/* Adds the call's audit row to a transaction the call does not own (a tenant flush).
 * Returns 0 or IMS_ENOMEM; never ends the call. */
int rpc_audit_statement(struct rpc_call *call, struct db_txn *txn, const char *object_id);

/* Runs txn; on success calls done (which ends the call), on failure ends the call with the
 * mapped status. txn is freed after done returns. */
void rpc_txn_exec(struct rpc_call *call, struct db_txn *txn, rpc_txn_done done);

/* The daemon begins to stop: Health says NOT_SERVING from now on, and its Watch streams
 * are told at once. */
void rpc_health_stopping(struct rpc_server *server);

/* Registration of the services (services.c). */
int rpc_register_health(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_tenants(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_level(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_people(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_documents(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_events(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_catalog(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_assessments(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_risk(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_continuity(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_schemas(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_completion(struct rpc_server *server) __attribute__((warn_unused_result));
int rpc_register_improvement(struct rpc_server *server) __attribute__((warn_unused_result));

/* The Check and Act sweep (sweep.c): time-moved computed metrics and awards, every
 * interval_s. Returns 0 or IMS_EINTERNAL. Stop it when the daemon stops. */
int rpc_act_sweep_start(struct rpc_server *server, uv_loop_t *loop, int64_t interval_s)
    __attribute__((warn_unused_result));
/* Something of the tenant that may bring a due time of Check and Act nearer changed (an
 * action, an audit, an award...): its next due time is read again (act_due.h). */
void rpc_act_due_changed(const char *tenant);
void rpc_act_sweep_stop(void);
int rpc_register_portfolio(struct rpc_server *server) __attribute__((warn_unused_result));

/*
 * Client streams read message by message (RPC_CLIENT_STREAM_EACH, client_stream.c). The
 * handler runs with the first message as call->request (input paused meanwhile); it takes
 * the rest with rpc_stream_take: each later message is given to each (the message is freed
 * after it returns; each returns 1 when it ended the call, else 0), then end runs once
 * after the client half-closed (it must end the call, now or later). rpc_stream_take
 * returns 1 when the call ended inside it. Input stays paused until rpc_stream_resume;
 * while paused, the client can send at most one stream window more (those messages are
 * still handed over). rpc_stream_hold counts the bytes the handler keeps in the
 * transport's budgets: 0, or nonzero when over them (the handler should then fail the
 * call with RESOURCE_EXHAUSTED).
 */
typedef int (*rpc_stream_message_fn)(struct rpc_call *call, const ProtobufCMessage *message);
typedef void (*rpc_stream_end_fn)(struct rpc_call *call);
int rpc_stream_take(struct rpc_call *call, rpc_stream_message_fn each, rpc_stream_end_fn end);
void rpc_stream_pause(struct rpc_call *call);
void rpc_stream_resume(struct rpc_call *call);
int rpc_stream_hold(struct rpc_call *call, size_t bytes) __attribute__((warn_unused_result));

#endif
