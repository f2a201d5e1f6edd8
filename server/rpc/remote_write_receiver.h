/*
 * The Prometheus remote_write receiver, served on the ops listener: series mapped to
 * tenants' metrics become PushMetrics calls made inside the daemon (see the .c file).
 */
#ifndef IMS_RPC_REMOTE_WRITE_RECEIVER_H
#define IMS_RPC_REMOTE_WRITE_RECEIVER_H

#include <stdint.h>

#include "http_server.h"
#include "remote_write.h"
#include "rpc.h"

struct rpc_remote_write;

enum { RW_ANSWER_OK, RW_ANSWER_REFUSED, RW_ANSWER_RETRY, RW_ANSWER_COUNT };
enum {
    RW_SAMPLES_STORED,     /* acknowledged by the tenant's write */
    RW_SAMPLES_UNMAPPED,   /* no mapping took the series: dropped */
    RW_SAMPLES_NOT_FINITE, /* NaN (staleness markers) or infinite: dropped */
    RW_SAMPLES_REFUSED,    /* their tenant's part was refused */
    RW_SAMPLES_COUNT
};

struct rpc_remote_write_stats {
    uint64_t requests[RW_ANSWER_COUNT]; /* 2xx; 4xx but 429; 429 and 5xx */
    uint64_t samples[RW_SAMPLES_COUNT];
};

/* Returns 0 or IMS_ENOMEM. */
int rpc_remote_write_new(struct rpc_server *server, const struct remote_write_limits *limits,
                         struct rpc_remote_write **out) __attribute__((warn_unused_result));
/* Frees it once the requests and the mapping load in flight have ended. */
void rpc_remote_write_free(struct rpc_remote_write *rw);

/* The route handler (ops_handler) for POST /api/v1/write; arg is the receiver. */
void rpc_remote_write_serve(struct ops_http_request *request, void *arg);

void rpc_remote_write_stats(const struct rpc_remote_write *rw,
                            struct rpc_remote_write_stats *out);

#endif
