/* Heavy work on libuv's thread pool over an immutable copy, the answer made on the loop. */
#include "offload.h"

#include <stdlib.h>

#include "container.h"
#include "ims/error.h"
#include "rpc.h"
#include "server.h"

struct offload {
    uv_work_t req;
    struct offload *next; /* waiting for a pool thread of ours */
    struct rpc_call *call;
    void *job;
    rpc_offload_work_fn work;
    rpc_offload_done_fn done;
    rpc_offload_free_fn free_job;
};

static void offload_work(uv_work_t *req)
{
    struct offload *o = container_of(req, struct offload, req);
    o->work(o->job);
}

static void offload_after(uv_work_t *req, int status);

/* Jobs run at most one fewer at once than the machine has CPUs (at least one), so that
 * the loop always has a CPU of its own; the rest wait here, in order. */
static unsigned running_limit(void)
{
    unsigned n = uv_available_parallelism();
    return n > 1 ? n - 1 : 1;
}

static void start_waiting(struct rpc_server *server)
{
    while (server->offload_waiting && server->offload_running < running_limit()) {
        struct offload *o = server->offload_waiting;
        server->offload_waiting = o->next;
        if (uv_queue_work(server->loop, &o->req, offload_work, offload_after) != 0) {
            server->offload_queued--;
            rpc_fail(o->call, IMS_GRPC_RESOURCE_EXHAUSTED, "cannot queue the work");
            o->free_job(o->job);
            free(o);
            continue;
        }
        server->offload_running++;
    }
}

static void offload_after(uv_work_t *req, int status)
{
    struct offload *o = container_of(req, struct offload, req);
    struct rpc_call *call = o->call;
    struct rpc_server *server = call->server;
    server->offload_queued--;
    server->offload_running--;
    if (call->cancelled)
        rpc_call_end(call, IMS_GRPC_CANCELLED, "cancelled");
    else if (status != 0)
        rpc_fail(call, IMS_GRPC_UNAVAILABLE, "the work was stopped; retry");
    else
        o->done(call, o->job);
    o->free_job(o->job);
    free(o);
    start_waiting(server);
}

void rpc_offload(struct rpc_call *call, void *job, rpc_offload_work_fn work,
                 rpc_offload_done_fn done, rpc_offload_free_fn free_job)
{
    struct rpc_server *server = call->server;
    if (server->offload_queued >= RPC_OFFLOAD_MAX_QUEUED) {
        free_job(job);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED,
                 "server busy: %d heavy calls are already running or waiting; retry later",
                 RPC_OFFLOAD_MAX_QUEUED);
        return;
    }
    struct offload *o = calloc(1, sizeof *o);
    if (!o) {
        free_job(job);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    o->call = call;
    o->job = job;
    o->work = work;
    o->done = done;
    o->free_job = free_job;
    /* The call stays busy: a cancel is seen by offload_after, which ends it. */
    call->on_cancel = NULL;
    struct offload **tail = &server->offload_waiting;
    while (*tail)
        tail = &(*tail)->next;
    *tail = o;
    server->offload_queued++;
    start_waiting(server);
}
