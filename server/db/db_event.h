/*
 * What the database pool and the listener tell their owner about themselves. db/ never
 * logs: it hands each event to the owner's callback, which decides what to log. The
 * strings are valid only during the callback; error texts come from libpq or the server
 * as they are, for the owner to escape.
 */
#ifndef IMS_DB_EVENT_H
#define IMS_DB_EVENT_H

enum db_event_kind {
    DB_EVENT_STATE,            /* a pool connection changed state (from, state) */
    DB_EVENT_CONNECTED,        /* a pool connection is up; its statements are being prepared */
    DB_EVENT_LOST,             /* a pool connection failed and will reconnect (state, error) */
    DB_EVENT_STATEMENT_FAILED, /* a prepare or rollback failed (state, error) */
    DB_EVENT_LISTENER_READY,   /* the listener's LISTEN was sent (command) */
    DB_EVENT_LISTENER_LOST,    /* the listener's connection failed and will reconnect (error) */
    DB_EVENT_LISTEN_FAILED,    /* the server refused the LISTEN (error) */
    DB_EVENT_CIRCUIT_OPEN,     /* the pool refuses transactions until a connection is up (error) */
    DB_EVENT_CIRCUIT_CLOSED,   /* a connection is up again: the pool takes transactions (conn) */
};

struct db_event {
    enum db_event_kind kind;
    int conn;            /* the pool connection's index; -1 for the listener */
    const char *from;    /* DB_EVENT_STATE: the state left */
    const char *state;   /* the connection's state: "connecting", "busy", ... or NULL */
    const char *error;   /* the short reason (libpq, server or socket), or NULL */
    const char *command; /* DB_EVENT_LISTENER_READY: the command sent */
};

/* May be NULL in a config: events are then dropped. */
typedef void (*db_event_cb)(const struct db_event *event, void *arg);

#endif
