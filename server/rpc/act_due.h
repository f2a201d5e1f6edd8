/*
 * The due times of Check and Act (docs/act.md "Due times"): per tenant, the next instant at
 * which one of its computed metrics that move with time alone changes or an award expires
 * (ACT_NEXT_DUE), kept in memory, and one timer armed for the earliest; when it fires, the
 * tenants due then are swept (sweep.c), each sweep reading the tenant's next due time.
 */
#ifndef IMS_RPC_ACT_DUE_H
#define IMS_RPC_ACT_DUE_H

#include <libpq-fe.h>
#include <uv.h>

#include "rpc.h"

int act_due_start(struct rpc_server *server, uv_loop_t *loop);
void act_due_stop(void);

/* The tenant's next due time from an ACT_NEXT_DUE result (NULL or no due: none). */
void act_due_set(const char *tenant, PGresult *r);

/* Sweeps these tenants (a malloc'ed array, taken over), after the running sweep if one
 * runs (sweep.c). */
void act_sweep_tenants(char (*tenants)[AUTH_UUID_LEN + 1], int count);

#endif
