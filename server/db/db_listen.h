/*
 * One PostgreSQL connection that LISTENs on a channel and hands each notification to a
 * callback, on the libuv loop. It reconnects with backoff when the server goes away and
 * then calls the callback with payload NULL: notifications may have been missed, so the
 * caller resynchronises.
 */
#ifndef IMS_DB_LISTEN_H
#define IMS_DB_LISTEN_H

#include <uv.h>

#include "db_event.h"

struct db_listener;

typedef void (*db_notify_cb)(const char *payload, void *arg);

/* channel: a plain identifier. on_event (may be NULL) hears that the listener is ready,
 * lost or refused; both callbacks get arg. Returns 0, IMS_ENOMEM or IMS_EINVAL. */
int db_listener_new(uv_loop_t *loop, const char *conninfo, const char *channel, db_notify_cb cb,
                    db_event_cb on_event, void *arg, struct db_listener **out)
    __attribute__((warn_unused_result));

/* Closes the connection and handles; done (may be NULL) runs once all are closed. */
void db_listener_close(struct db_listener *l, void (*done)(void *arg), void *arg);

#endif
