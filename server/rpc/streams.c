/* Long-lived server streams by their token: ended at revocation (NOTIFY from any daemon)
 * and at expiry (a one-second timer while any stream is open). */
#include "streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "ims/error.h"
#include "rpc.h"
#include "server.h"

#define STREAMS_POLL_MS 1000

struct rpc_streams {
    uv_timer_t timer;
    struct rpc_server *server;
    struct rpc_stream_entry *entries;
};

static void on_streams_closed(uv_handle_t *handle)
{
    free(handle->data);
}

/* Ends the entry's stream, or has its owner end it (on_end) when it safely can. */
static void end_stream(struct rpc_stream_entry *e, int status, const char *message)
{
    if (e->on_end) {
        rpc_streams_remove(e);
        e->on_end(e, status, message);
    } else {
        rpc_fail(e->call, status, "%s", message);
    }
}

static void on_streams_poll(uv_timer_t *timer)
{
    struct rpc_streams *s = timer->data;
    uint64_t now = uv_now(s->server->loop);
    for (struct rpc_stream_entry *e = s->entries, *next; e != NULL; e = next) {
        next = e->next;
        if (e->expires_ms != 0 && e->expires_ms <= now) {
            int last = next == NULL;
            end_stream(e, IMS_GRPC_UNAUTHENTICATED, "token expired");
            if (last) /* the set may be gone with the last entry */
                break;
        }
    }
}

int rpc_streams_add(struct rpc_call *call, struct rpc_stream_entry *entry)
{
    struct rpc_server *server = call->server;
    if (!server->streams) {
        struct rpc_streams *s = calloc(1, sizeof *s);
        if (!s)
            return IMS_ENOMEM;
        s->server = server;
        uv_timer_init(server->loop, &s->timer);
        s->timer.data = s;
        uv_timer_start(&s->timer, on_streams_poll, STREAMS_POLL_MS, STREAMS_POLL_MS);
        server->streams = s;
    }
    struct rpc_streams *s = server->streams;
    entry->call = call;
    snprintf(entry->token_id, sizeof entry->token_id, "%s", call->principal.token_id);
    entry->expires_ms = call->principal.expires_ms;
    entry->prev = NULL;
    entry->next = s->entries;
    if (entry->next)
        entry->next->prev = entry;
    s->entries = entry;
    entry->linked = 1;
    return 0;
}

void rpc_streams_remove(struct rpc_stream_entry *entry)
{
    if (!entry->linked)
        return;
    struct rpc_server *server = entry->call->server;
    struct rpc_streams *s = server->streams;
    if (entry->prev)
        entry->prev->next = entry->next;
    else
        s->entries = entry->next;
    if (entry->next)
        entry->next->prev = entry->prev;
    entry->linked = 0;
    if (s->entries == NULL) {
        server->streams = NULL;
        uv_close((uv_handle_t *)&s->timer, on_streams_closed);
    }
}

void rpc_streams_revoked(struct rpc_server *server, const char *token_id)
{
    rpc_server_forget_token(server, token_id);
    while (server->streams) {
        struct rpc_stream_entry *e = server->streams->entries;
        while (e && strcasecmp(e->token_id, token_id) != 0)
            e = e->next;
        if (!e)
            return;
        end_stream(e, IMS_GRPC_UNAUTHENTICATED, "token revoked");
    }
}
