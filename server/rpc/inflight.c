/* Calls in flight per token, each token at most a set number at once. */
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
    char token_id[AUTH_UUID_LEN + 1];
};

struct rpc_inflight {
    unsigned max;
    struct inflight_entry *buckets[INFLIGHT_BUCKETS];
};

static unsigned bucket_of(const char *id)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % INFLIGHT_BUCKETS;
}

int rpc_inflight_init(struct rpc_server *server, unsigned max)
{
    server->inflight = calloc(1, sizeof *server->inflight);
    if (!server->inflight)
        return IMS_ENOMEM;
    server->inflight->max = max ? max : 256;
    return 0;
}

void rpc_inflight_free(struct rpc_server *server)
{
    if (!server->inflight)
        return;
    for (int b = 0; b < INFLIGHT_BUCKETS; b++)
        while (server->inflight->buckets[b]) {
            struct inflight_entry *e = server->inflight->buckets[b];
            server->inflight->buckets[b] = e->next;
            free(e);
        }
    free(server->inflight);
    server->inflight = NULL;
}

unsigned rpc_inflight_enter(struct rpc_call *call)
{
    struct rpc_inflight *t = call->server->inflight;
    const char *id = call->principal.token_id;
    if (!t || call->inflight_counted || !*id)
        return 0;
    struct inflight_entry **head = &t->buckets[bucket_of(id)], *e = *head;
    while (e && strcmp(e->token_id, id) != 0)
        e = e->next;
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e)
            return 0; /* not counted: memory is short, not the client's fault */
        snprintf(e->token_id, sizeof e->token_id, "%s", id);
        e->next = *head;
        *head = e;
    }
    if (e->count >= t->max)
        return t->max;
    e->count++;
    call->inflight_counted = 1;
    return 0;
}

void rpc_inflight_leave(struct rpc_call *call)
{
    struct rpc_inflight *t = call->server->inflight;
    if (!t || !call->inflight_counted)
        return;
    call->inflight_counted = 0;
    const char *id = call->principal.token_id;
    for (struct inflight_entry **link = &t->buckets[bucket_of(id)]; *link; link = &(*link)->next) {
        struct inflight_entry *e = *link;
        if (strcmp(e->token_id, id) != 0)
            continue;
        if (--e->count == 0) {
            *link = e->next;
            free(e);
        }
        return;
    }
}
