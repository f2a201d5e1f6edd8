/*
 * Who watches tenants and the delivery of changes to them. See watchers.h.
 */
#include "watchers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tenant_watch *tenant_watchers_add(struct tenant_watchers *ws, const char *tenant,
                                         tenant_watch_cb cb, void *arg)
{
    struct tenant_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    snprintf(w->tenant, sizeof w->tenant, "%s", tenant ? tenant : "");
    w->cb = cb;
    w->arg = arg;
    w->next = ws->head;
    ws->head = w;
    return w;
}

void tenant_watchers_remove(struct tenant_watchers *ws, struct tenant_watch *watch)
{
    for (struct tenant_watch **pp = &ws->head; *pp; pp = &(*pp)->next) {
        if (*pp == watch) {
            *pp = watch->next;
            free(watch);
            return;
        }
    }
}

int tenant_watchers_watched(const struct tenant_watchers *ws, const char *tenant)
{
    for (const struct tenant_watch *w = ws->head; w; w = w->next)
        if (strcmp(w->tenant, tenant) == 0)
            return 1;
    return 0;
}

void tenant_watchers_clear(struct tenant_watchers *ws)
{
    while (ws->head)
        tenant_watchers_remove(ws, ws->head);
}

void tenant_watchers_notify(struct tenant_watchers *ws, const struct tenant_level *level)
{
    struct tenant_watch *w = ws->head;
    while (w) {
        /* A callback may unwatch itself: take the next first. */
        struct tenant_watch *next = w->next;
        if (!w->tenant[0] || strcmp(w->tenant, level->tenant) == 0)
            w->cb(level, w->arg);
        w = next;
    }
}

void tenant_watchers_forward(struct tenant_watchers *ws, int64_t *revision_seen,
                             const struct tenant_level *level)
{
    if (level->revision <= *revision_seen)
        return;
    *revision_seen = level->revision;
    tenant_watchers_notify(ws, level);
}
