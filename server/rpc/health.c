/* grpc.health.v1.Health: SERVING while the database is reachable and the daemon is not
 * stopping; Watch streams are told each change (looked at twice a second while any
 * stream watches, and at once when the daemon begins to stop). */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "db_pool.h"
#include "grpc/health/v1/health.pb-c.h"
#include "ims/error.h"
#include "rpc.h"
#include "server.h"

#define HEALTH_POLL_MS 500

struct health_watcher {
    struct rpc_call *call;
    int known;  /* the service named exists */
    int status; /* the status last sent */
    struct health_watcher *prev, *next;
};

/* Owned by the server while any stream watches; freed with its timer. */
struct rpc_health {
    struct rpc_server *server;
    uv_timer_t timer;
    struct health_watcher *watchers;
};

static int known_service(const char *name)
{
    static const char *const services[] = {"", "ims.v1.Tenants", "ims.v1.Level", "ims.v1.Events",
                                           "grpc.health.v1.Health"};
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (strcmp(name, services[i]) == 0)
            return 1;
    return 0;
}

static int serving_status(const struct rpc_server *server, int known)
{
    if (!known)
        return GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN;
    return !server->stopping && db_pool_up(server->pool) > 0
               ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
               : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
}

void rpc_health_check(struct rpc_call *call)
{
    const Grpc__Health__V1__HealthCheckRequest *req =
        (const Grpc__Health__V1__HealthCheckRequest *)call->request;
    if (!known_service(req->service)) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "service: unknown service \"%.100s\"", req->service);
        return;
    }
    Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    resp.status = serving_status(call->server, 1);
    rpc_reply(call, &resp.base);
}

static void on_health_closed(uv_handle_t *handle)
{
    free(handle->data);
}

/* Sends the status when it changed; a stream that cannot take it ends. */
static void watcher_send(struct health_watcher *w)
{
    int status = serving_status(w->call->server, w->known);
    if (status == w->status)
        return;
    w->status = status;
    Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    resp.status = status;
    if (rpc_stream_send(w->call, &resp.base) != 0)
        rpc_end(w->call); /* frees w through state_free */
}

static void on_health_poll(uv_timer_t *timer)
{
    struct rpc_health *h = timer->data;
    for (struct health_watcher *w = h->watchers, *next; w != NULL; w = next) {
        next = w->next;
        watcher_send(w);
    }
}

static void watcher_free(void *state)
{
    struct health_watcher *w = state;
    struct rpc_server *server = w->call->server;
    struct rpc_health *h = server->health;
    if (w->prev)
        w->prev->next = w->next;
    else
        h->watchers = w->next;
    if (w->next)
        w->next->prev = w->prev;
    free(w);
    if (h->watchers == NULL) {
        server->health = NULL;
        uv_close((uv_handle_t *)&h->timer, on_health_closed);
    }
}

static void health_watch_cancel(struct rpc_call *call)
{
    rpc_end(call);
}

/* Sends the current status, then each change, until the client leaves. */
void rpc_health_watch(struct rpc_call *call)
{
    const Grpc__Health__V1__HealthCheckRequest *req =
        (const Grpc__Health__V1__HealthCheckRequest *)call->request;
    struct rpc_server *server = call->server;
    struct health_watcher *w = calloc(1, sizeof *w);
    if (!w) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    if (!server->health) {
        struct rpc_health *h = calloc(1, sizeof *h);
        if (!h) {
            free(w);
            rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
            return;
        }
        h->server = server;
        uv_timer_init(server->loop, &h->timer);
        h->timer.data = h;
        uv_timer_start(&h->timer, on_health_poll, HEALTH_POLL_MS, HEALTH_POLL_MS);
        server->health = h;
    }
    w->call = call;
    w->known = known_service(req->service);
    w->status = -1;
    w->next = server->health->watchers;
    if (w->next)
        w->next->prev = w;
    server->health->watchers = w;
    call->state = w;
    call->state_free = watcher_free;
    call->on_cancel = health_watch_cancel;
    watcher_send(w);
}

void rpc_health_stopping(struct rpc_server *server)
{
    server->stopping = 1;
    if (!server->health)
        return;
    for (struct health_watcher *w = server->health->watchers, *next; w != NULL; w = next) {
        next = w->next;
        watcher_send(w);
        if (!server->health)
            break;
    }
}
