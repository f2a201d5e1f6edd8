/* Calls in flight per token and per tenant, each at most a set number at once. */
#include "inflight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims/error.h"
#include "rpc.h"
#include "server.h"

#define INFLIGHT_BUCKETS 256

struct inflight_entry {
    struct inflight_entry *next;
    unsigned count;
    char key[AUTH_UUID_LEN + 1]; /* a token id or a tenant id */
};

struct inflight_table {
    unsigned max;
    struct inflight_entry *buckets[INFLIGHT_BUCKETS];
};

struct rpc_inflight {
    struct inflight_table tokens, tenants;
};

static unsigned bucket_of(const char *id)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % INFLIGHT_BUCKETS;
}

int rpc_inflight_init(struct rpc_server *server, unsigned max, unsigned max_tenant)
{
    server->inflight = calloc(1, sizeof *server->inflight);
    if (!server->inflight)
        return IMS_ENOMEM;
    server->inflight->tokens.max = max ? max : 256;
    server->inflight->tenants.max = max_tenant ? max_tenant : 1024;
    return 0;
}

static void table_clear(struct inflight_table *t)
{
    for (int b = 0; b < INFLIGHT_BUCKETS; b++)
        while (t->buckets[b]) {
            struct inflight_entry *e = t->buckets[b];
            t->buckets[b] = e->next;
            free(e);
        }
}

void rpc_inflight_free(struct rpc_server *server)
{
    if (!server->inflight)
        return;
    table_clear(&server->inflight->tokens);
    table_clear(&server->inflight->tenants);
    free(server->inflight);
    server->inflight = NULL;
}

/* Counts key; returns 0, or the table's limit when key has it already (not counted). The
 * entry that counts it goes to *counted. */
static unsigned table_enter(struct inflight_table *t, const char *key,
                            struct inflight_entry **counted)
{
    struct inflight_entry **head = &t->buckets[bucket_of(key)], *e = *head;
    while (e && strcmp(e->key, key) != 0)
        e = e->next;
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e)
            return 0; /* not counted: memory is short, not the client's fault */
        snprintf(e->key, sizeof e->key, "%s", key);
        e->next = *head;
        *head = e;
    }
    if (e->count >= t->max)
        return t->max;
    e->count++;
    *counted = e;
    return 0;
}

static void table_leave(struct inflight_table *t, struct inflight_entry **counted)
{
    struct inflight_entry *e = *counted;
    if (!e)
        return;
    *counted = NULL;
    if (--e->count > 0)
        return;
    struct inflight_entry **link = &t->buckets[bucket_of(e->key)];
    while (*link != e)
        link = &(*link)->next;
    *link = e->next;
    free(e);
}

unsigned rpc_inflight_enter(struct rpc_call *call)
{
    if (!call->server->inflight || call->inflight_token || !*call->principal.token_id)
        return 0;
    return table_enter(&call->server->inflight->tokens, call->principal.token_id,
                       &call->inflight_token);
}

unsigned rpc_inflight_enter_tenant(struct rpc_call *call)
{
    if (!call->server->inflight || call->inflight_tenant || !*call->tenant)
        return 0;
    return table_enter(&call->server->inflight->tenants, call->tenant, &call->inflight_tenant);
}

void rpc_inflight_leave(struct rpc_call *call)
{
    if (!call->server->inflight)
        return;
    table_leave(&call->server->inflight->tokens, &call->inflight_token);
    table_leave(&call->server->inflight->tenants, &call->inflight_tenant);
}
