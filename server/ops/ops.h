/*
 * The ops listener: HTTP/1.1 endpoints for the people and tools that run imsd.
 *
 *   GET /healthz   200 while the process serves
 *   GET /readyz    200 when the daemon says it is ready (database reachable, migrations
 *                  current, listeners up), else 503 with the reason
 *   GET /metrics   the metrics registry in the Prometheus text format, refreshed by the
 *                  daemon's collect callback at each scrape
 *
 * Other modules add their own routes (the remote_write receiver, the control board) with
 * ops_route_add(). A request whose path has no route gets 404; a known path with another
 * method 405.
 */
#ifndef IMS_OPS_H
#define IMS_OPS_H

#include <stddef.h>
#include <uv.h>

#include "http_server.h"
#include "metrics.h"

struct ops;

struct ops_sources {
    /* 0 when ready; otherwise nonzero with a short reason in why. */
    int (*ready)(void *arg, char *why, size_t why_len);
    /* Copies scrape-time figures (pool, queues, tenants' levels) into the registry, then
     * calls done(ctx) once, now or later (it may have to look something up first). */
    void (*collect)(struct metrics_registry *registry, void *arg, void (*done)(void *ctx),
                    void *ctx);
    /* When set, decides whether a request for /metrics or /readyz may be answered (the
     * listener is reachable from elsewhere): it calls done once, now or later, with 1 to
     * answer or 0 to refuse (403; 401 when no credentials were given). /healthz is open
     * to every liveness probe. */
    void (*authorize)(struct ops_http_request *request, void *arg,
                      void (*done)(struct ops_http_request *request, int verdict));
    void *arg;
};

/* Verdicts of ops_sources.authorize. */
enum { OPS_REFUSED = 0, OPS_ALLOWED = 1, OPS_NO_CREDENTIALS = 2 };

typedef void (*ops_handler)(struct ops_http_request *request, void *arg);

struct grpc_tls_config;

/* A server TLS context for the ops listener from the same files as the gRPC listeners':
 * TLS 1.2 minimum, ALPN http/1.1 (or none; a client offering only h2 is refused), client
 * certificates checked against the client CA when one is configured. Returns 0,
 * IMS_ETLS, IMS_EINVAL, IMS_ENOMEM. */
int ops_tls_context_new(const struct grpc_tls_config *config, SSL_CTX **out)
    __attribute__((warn_unused_result));

/* Starts the listener on address with the given limits. Returns 0, IMS_EINVAL, IMS_EIO
 * (detail says why), IMS_ENOMEM. The registry stays the caller's. */
int ops_start(uv_loop_t *loop, const char *address, const struct ops_http_config *limits,
              const struct ops_sources *sources, struct metrics_registry *registry,
              struct ops **out, char *detail, size_t detail_len)
    __attribute__((warn_unused_result));

/* Routes method and path (exact, or a prefix when it ends in '/') to handler. Later routes
 * do not override earlier ones. Returns 0 or IMS_ENOMEM. */
int ops_route_add(struct ops *ops, const char *method, const char *path, ops_handler handler,
                  void *arg) __attribute__((warn_unused_result));

int ops_port(const struct ops *ops);

/* Closes the listener and its connections; done runs when all is closed. */
void ops_stop(struct ops *ops, void (*done)(void *arg), void *arg);

#endif
