/*
 * Heavy work off the loop: a handler copies what the work needs (an immutable snapshot,
 * nothing the loop will change), the copy is worked on by libuv's thread pool, and the
 * answer is made back on the loop. Meanwhile the loop keeps answering other calls. Jobs
 * run one fewer at a time than there are CPUs (at least one), so the loop keeps a CPU; at
 * most RPC_OFFLOAD_MAX_QUEUED wait or run at once; beyond, RESOURCE_EXHAUSTED.
 */
#ifndef IMS_RPC_OFFLOAD_H
#define IMS_RPC_OFFLOAD_H

struct rpc_call;

#define RPC_OFFLOAD_MAX_QUEUED 64

/* On a pool thread: only the job's own data (never the call, the loop, the registry). */
typedef void (*rpc_offload_work_fn)(void *job);
/* Back on the loop, the call still live: answer it (reply or fail). */
typedef void (*rpc_offload_done_fn)(struct rpc_call *call, void *job);
/* Frees the job, on the loop, after done or when the call went meanwhile. */
typedef void (*rpc_offload_free_fn)(void *job);

/* Queues work(job) then done(call, job) then free_job(job). On failure (queue full,
 * memory) the call is ended with RESOURCE_EXHAUSTED and free_job(job) runs at once. A
 * call cancelled while its job runs is ended CANCELLED when the job returns. */
void rpc_offload(struct rpc_call *call, void *job, rpc_offload_work_fn work,
                 rpc_offload_done_fn done, rpc_offload_free_fn free_job);

#endif
