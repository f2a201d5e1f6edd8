/*
 * What imsd shows of itself on the ops listener: the metric families, filled at each
 * scrape from the transport, the RPC layer, the pool, the tenants and the remote_write
 * receiver; readiness (database reachable, migrations current, listeners up, not
 * stopping); and the remote_write route. Every metric is listed in docs/operations.md.
 */
#ifndef IMS_OBSERVE_H
#define IMS_OBSERVE_H

#include <stddef.h>
#include <uv.h>

#include "config.h"

struct grpc_server;
struct rpc_server;
struct db_pool;
struct tenant_registry;
struct observe;

struct observe_sources {
    struct grpc_server *grpc;
    struct rpc_server *rpc;
    struct db_pool *pool;
    struct tenant_registry *tenants;
};

/* Starts the ops listener on config->ops_listen. Returns 0, or a negative IMS_E* code with
 * the reason in err (bad address, bind failure, TLS files). */
int observe_start(uv_loop_t *loop, const struct config *config,
                  const struct observe_sources *sources, struct observe **out, char *err,
                  size_t err_len) __attribute__((warn_unused_result));

/* The ops listener's bound port. */
int observe_port(const struct observe *observe);

/* From now on /readyz says not ready (the daemon is stopping). */
void observe_stopping(struct observe *observe);

/* Closes the listener; done runs once everything is closed and freed. */
void observe_stop(struct observe *observe, void (*done)(void *arg), void *arg);

#endif
