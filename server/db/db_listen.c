/* One LISTEN connection on the loop, handing notifications to its owner and
 * reconnecting. */
#include "db_listen.h"
#include "db_connect.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "container.h"
#include "db_socket.h"
#include "db_statements.h"
#include "ims/error.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

enum listen_state { LISTEN_BACKOFF, LISTEN_CONNECTING, LISTEN_READY, LISTEN_CLOSED };

struct listen_poll {
    uv_poll_t handle;
    struct db_listener *owner;
};

struct db_listener {
    uv_loop_t *loop;
    char *conninfo;
    char command[96];
    db_notify_cb cb;
    db_event_cb on_event;
    void *arg;
    enum listen_state state;
    PGconn *pg;
    struct listen_poll *poll;
    int poll_fd;
    unsigned long long poll_socket; /* db_socket_id of poll_fd */
    uv_timer_t timer;
    unsigned backoff_ms;
    int ever_ready;
    int open_handles;
    void (*close_done)(void *);
    void *close_arg;
};

static void listener_start(struct db_listener *l);
static void on_poll(uv_poll_t *handle, int status, int events);

static void listener_event(struct db_listener *l, enum db_event_kind kind, const char *error)
{
    if (!l->on_event)
        return;
    struct db_event ev = {.kind = kind, .conn = -1, .error = error};
    if (kind == DB_EVENT_LISTENER_READY)
        ev.command = l->command;
    l->on_event(&ev, l->arg);
}

static void maybe_done(struct db_listener *l)
{
    if (l->state != LISTEN_CLOSED || l->open_handles > 0)
        return;
    void (*done)(void *) = l->close_done;
    void *arg = l->close_arg;
    free(l->conninfo);
    free(l);
    if (done)
        done(arg);
}

static void poll_closed(uv_handle_t *h)
{
    struct listen_poll *p = container_of((uv_poll_t *)h, struct listen_poll, handle);
    struct db_listener *l = p->owner;
    free(p);
    l->open_handles--;
    maybe_done(l);
}

static void unwatch(struct db_listener *l)
{
    if (l->poll) {
        uv_close((uv_handle_t *)&l->poll->handle, poll_closed);
        l->poll = NULL;
        l->poll_fd = -1;
    }
}

static int watch(struct db_listener *l, int events)
{
    int fd = PQsocket(l->pg);
    if (fd < 0)
        return IMS_EIO;
    unsigned long long socket_id = db_socket_id(fd);
    if (l->poll && (l->poll_fd != fd || l->poll_socket != socket_id))
        unwatch(l);
    if (!l->poll) {
        struct listen_poll *p = calloc(1, sizeof *p);
        if (!p || uv_poll_init(l->loop, &p->handle, fd) != 0) {
            free(p);
            return IMS_EIO;
        }
        p->owner = l;
        l->poll = p;
        l->poll_fd = fd;
        l->poll_socket = socket_id;
        l->open_handles++;
    }
    return uv_poll_start(&l->poll->handle, events, on_poll) == 0 ? 0 : IMS_EIO;
}

static void on_timer(uv_timer_t *t)
{
    listener_start(container_of(t, struct db_listener, timer));
}

static void fail(struct db_listener *l, const char *why)
{
    if (l->state == LISTEN_CLOSED)
        return;
    listener_event(l, DB_EVENT_LISTENER_LOST, why ? why : "");
    unwatch(l);
    PQfinish(l->pg);
    l->pg = NULL;
    l->state = LISTEN_BACKOFF;
    l->backoff_ms = l->backoff_ms ? l->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (l->backoff_ms > BACKOFF_MAX_MS)
        l->backoff_ms = BACKOFF_MAX_MS;
    uv_timer_start(&l->timer, on_timer, l->backoff_ms, 0);
}

static void drain(struct db_listener *l)
{
    if (!PQconsumeInput(l->pg)) {
        fail(l, PQerrorMessage(l->pg));
        return;
    }
    while (!PQisBusy(l->pg)) {
        PGresult *r = PQgetResult(l->pg);
        if (!r)
            break;
        if (PQresultStatus(r) == PGRES_FATAL_ERROR)
            listener_event(l, DB_EVENT_LISTEN_FAILED, PQresultErrorMessage(r));
        PQclear(r);
    }
    PGnotify *n;
    while ((n = PQnotifies(l->pg)) != NULL) {
        l->cb(n->extra, l->arg);
        PQfreemem(n);
    }
}

static void connected(struct db_listener *l)
{
    if (PQsetnonblocking(l->pg, 1) != 0 || !PQsendQuery(l->pg, l->command) ||
        PQflush(l->pg) < 0 || watch(l, UV_READABLE) != 0) {
        fail(l, PQerrorMessage(l->pg));
        return;
    }
    l->state = LISTEN_READY;
    l->backoff_ms = 0;
    listener_event(l, DB_EVENT_LISTENER_READY, NULL);
    /* Whatever happened while we were away is not known: let the caller resynchronise. */
    if (l->ever_ready)
        l->cb(NULL, l->arg);
    l->ever_ready = 1;
}

static void on_poll(uv_poll_t *handle, int status, int events)
{
    struct listen_poll *p = container_of(handle, struct listen_poll, handle);
    struct db_listener *l = p->owner;
    (void)events;
    if (l->poll != p || l->state == LISTEN_CLOSED)
        return;
    /* While connecting, an error on the socket (a refused connect) is libpq's to read: it
     * may go on with the next host of the DSN. */
    if (status < 0 && l->state == LISTEN_READY) {
        fail(l, uv_strerror(status));
        return;
    }
    if (l->state == LISTEN_READY) {
        drain(l);
        return;
    }
    switch (PQconnectPoll(l->pg)) {
    case PGRES_POLLING_READING:
        if (watch(l, UV_READABLE) != 0)
            fail(l, "cannot watch socket");
        break;
    case PGRES_POLLING_WRITING:
        if (watch(l, UV_WRITABLE) != 0)
            fail(l, "cannot watch socket");
        break;
    case PGRES_POLLING_OK:
        connected(l);
        break;
    case PGRES_POLLING_FAILED:
    default:
        fail(l, PQerrorMessage(l->pg));
        break;
    }
}

static void listener_start(struct db_listener *l)
{
    l->state = LISTEN_CONNECTING;
    struct db_connect_limits limits = {5000, 0};
    l->pg = db_connect_start(l->conninfo, &limits);
    if (!l->pg || PQstatus(l->pg) == CONNECTION_BAD) {
        fail(l, l->pg ? PQerrorMessage(l->pg) : "out of memory");
        return;
    }
    if (watch(l, UV_WRITABLE) != 0)
        fail(l, "cannot watch socket");
}

int db_listener_new(uv_loop_t *loop, const char *conninfo, const char *channel, db_notify_cb cb,
                    db_event_cb on_event, void *arg, struct db_listener **out)
{
    size_t n = strlen(channel);
    if (n == 0 || n > 63)
        return IMS_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)channel[i]) && channel[i] != '_')
            return IMS_EINVAL;
    struct db_listener *l = calloc(1, sizeof *l);
    if (!l || !(l->conninfo = strdup(conninfo))) {
        free(l);
        return IMS_ENOMEM;
    }
    l->loop = loop;
    l->cb = cb;
    l->on_event = on_event;
    l->arg = arg;
    l->poll_fd = -1;
    snprintf(l->command, sizeof l->command, DB_SQL_LISTEN, channel);
    uv_timer_init(loop, &l->timer);
    l->open_handles = 1;
    listener_start(l);
    *out = l;
    return 0;
}

static void timer_closed(uv_handle_t *h)
{
    struct db_listener *l = container_of((uv_timer_t *)h, struct db_listener, timer);
    l->open_handles--;
    maybe_done(l);
}

void db_listener_close(struct db_listener *l, void (*done)(void *arg), void *arg)
{
    l->close_done = done;
    l->close_arg = arg;
    l->state = LISTEN_CLOSED;
    unwatch(l);
    PQfinish(l->pg);
    l->pg = NULL;
    uv_close((uv_handle_t *)&l->timer, timer_closed);
}
