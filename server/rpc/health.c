/* grpc.health.v1.Health: SERVING while the database is reachable. */
#include <string.h>

#include "handlers.h"
#include "db_pool.h"
#include "grpc/health/v1/health.pb-c.h"
#include "ims/error.h"
#include "rpc.h"

static int known_service(const char *name)
{
    static const char *const services[] = {"", "ims.v1.Tenants", "ims.v1.Level", "ims.v1.Events",
                                           "grpc.health.v1.Health"};
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (strcmp(name, services[i]) == 0)
            return 1;
    return 0;
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
    resp.status = db_pool_up(rpc_server_pool(call->server)) > 0
                      ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
                      : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
    rpc_reply(call, &resp.base);
}

static void health_watch_cancel(struct rpc_call *call)
{
    rpc_end(call);
}

/* Sends the current status and keeps the stream open until the client leaves. */
void rpc_health_watch(struct rpc_call *call)
{
    const Grpc__Health__V1__HealthCheckRequest *req =
        (const Grpc__Health__V1__HealthCheckRequest *)call->request;
    Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    if (!known_service(req->service))
        resp.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN;
    else
        resp.status = db_pool_up(rpc_server_pool(call->server)) > 0
                          ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
                          : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
    if (rpc_stream_send(call, &resp.base) != 0) {
        rpc_end(call);
        return;
    }
    call->on_cancel = health_watch_cancel;
}
