/*
 * Who watches tenants: the list of watchers (of one tenant, or of every tenant) and the
 * delivery of a change to them, at most once per revision of a tenant. No database, no
 * loop.
 */
#ifndef IMS_TENANT_WATCHERS_H
#define IMS_TENANT_WATCHERS_H

#include "tenant.h"

struct tenant_watch {
    char tenant[37]; /* "" for every tenant */
    tenant_watch_cb cb;
    void *arg;
    struct tenant_watch *next;
};

struct tenant_watchers {
    struct tenant_watch *head; /* the latest watcher first */
};

/* Adds a watcher of tenant (NULL: every tenant). Returns it, or NULL on ENOMEM. */
struct tenant_watch *tenant_watchers_add(struct tenant_watchers *ws, const char *tenant,
                                         tenant_watch_cb cb, void *arg);

/* Removes and frees a watcher (nothing when it is not in the list). */
void tenant_watchers_remove(struct tenant_watchers *ws, struct tenant_watch *watch);

/* Whether someone watches this tenant itself (watchers of every tenant do not count). */
int tenant_watchers_watched(const struct tenant_watchers *ws, const char *tenant);

/* Removes and frees every watcher. */
void tenant_watchers_clear(struct tenant_watchers *ws);

/* Calls every watcher of level->tenant and of every tenant, the latest added first. A
 * callback may remove itself. */
void tenant_watchers_notify(struct tenant_watchers *ws, const struct tenant_level *level);

/* Notifies once per revision: nothing when level->revision <= *revision_seen, else
 * *revision_seen = level->revision and the watchers are called. A daemon's own NOTIFY may
 * arrive before the COMMIT result reaches the flush; either path may be first. */
void tenant_watchers_forward(struct tenant_watchers *ws, int64_t *revision_seen,
                             const struct tenant_level *level);

#endif
