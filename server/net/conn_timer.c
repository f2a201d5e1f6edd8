/* The deadlines of one connection, on one libuv timer armed for the earliest: the TLS
 * handshake, the client's connection preface, a request header block left open, responses
 * the peer takes none of (out_budget.c), idleness without streams, keepalive PINGs while streams are open (a watch stream may last for
 * days, but a peer that is gone must not hold it), and its calls' default deadlines. */
#include <stddef.h>

#include "container.h"
#include "grpc_call_internal.h"
#include "grpc_server_internal.h"
#include "h2_session.h"

enum timer_action { ACT_NONE, ACT_CLOSE, ACT_TIMEOUT, ACT_IDLE, ACT_PING, ACT_DEADLINE };

struct due {
    uint64_t at; /* 0: nothing due */
    enum timer_action action;
    const char *reason;
};

static void consider(struct due *d, uint64_t at, enum timer_action action, const char *reason)
{
    if (d->at == 0 || at < d->at) {
        d->at = at;
        d->action = action;
        d->reason = reason;
    }
}

/* The earliest thing this connection waits for. */
static struct due next_due(const struct h2_conn *conn)
{
    const struct grpc_server_config *c = &conn->server->config;
    struct due d = {0, ACT_NONE, NULL};
    if (conn->state >= H2_CONN_CLOSING)
        return d;
    if (conn->hard_close_ms != 0) { /* a GOAWAY went out: only the close is left */
        consider(&d, conn->hard_close_ms, ACT_CLOSE, conn->end_reason);
        return d;
    }
    if (conn->state == H2_CONN_HANDSHAKE) {
        if (c->handshake_timeout_ms != 0)
            consider(&d, conn->opened_ms + c->handshake_timeout_ms, ACT_CLOSE,
                     "tls handshake timed out");
        return d;
    }
    if (!conn->preface_done && c->preface_timeout_ms != 0)
        consider(&d, conn->opened_ms + c->preface_timeout_ms, ACT_TIMEOUT,
                 "no connection preface in time");
    if (conn->headers_since_ms != 0 && c->headers_timeout_ms != 0)
        consider(&d, conn->headers_since_ms + c->headers_timeout_ms, ACT_TIMEOUT,
                 "request headers not completed in time");
    if (conn->out_pending != 0 && c->idle_timeout_ms != 0)
        consider(&d, conn->out_since_ms + c->idle_timeout_ms, ACT_TIMEOUT,
                 "peer took none of its responses in time");
    if (conn->default_deadlines != NULL)
        consider(&d, conn->default_deadlines->deadline, ACT_DEADLINE, NULL);
    if (conn->calls == NULL) {
        if (conn->idle_since_ms != 0 && c->idle_timeout_ms != 0)
            consider(&d, conn->idle_since_ms + c->idle_timeout_ms, ACT_IDLE, "idle");
    } else if (c->keepalive_ms != 0) {
        if (conn->ping_sent_ms != 0)
            consider(&d, conn->ping_sent_ms + c->keepalive_ms, ACT_TIMEOUT,
                     "peer did not answer a keepalive ping");
        else
            consider(&d, conn->last_read_ms + c->keepalive_ms, ACT_PING, NULL);
    }
    return d;
}

static void on_timer(uv_timer_t *timer);

static void arm(struct h2_conn *conn, int force)
{
    struct due d = next_due(conn);
    if (d.at == 0) {
        if (conn->timer_due != 0)
            uv_timer_stop(&conn->timer);
        conn->timer_due = 0;
        return;
    }
    if (!force && conn->timer_due != 0 && conn->timer_due <= d.at)
        return; /* fires sooner and looks again */
    uint64_t now = uv_now(conn->server->loop);
    conn->timer_due = d.at;
    uv_timer_start(&conn->timer, on_timer, d.at > now ? d.at - now : 0, 0);
}

static void on_timer(uv_timer_t *timer)
{
    struct h2_conn *conn = container_of(timer, struct h2_conn, timer);
    conn->timer_due = 0;
    if (conn->state >= H2_CONN_CLOSING)
        return;
    h2_conn_flush(conn); /* a kick: window updates given back outside nghttp2 */
    if (conn->state >= H2_CONN_CLOSING)
        return;
    struct due d = next_due(conn);
    uint64_t now = uv_now(conn->server->loop);
    if (d.at != 0 && d.at <= now) {
        switch (d.action) {
        case ACT_CLOSE:
            conn->server->stats.connections_timed_out++;
            h2_conn_close(conn, d.reason != NULL ? d.reason : "timed out");
            return;
        case ACT_TIMEOUT:
            conn->server->stats.connections_timed_out++;
            h2_conn_timeout(conn, d.reason, 0);
            break;
        case ACT_IDLE:
            conn->server->stats.connections_idle_closed++;
            h2_conn_timeout(conn, d.reason, 1);
            break;
        case ACT_PING:
            conn->ping_sent_ms = now;
            h2_conn_ping(conn);
            break;
        case ACT_DEADLINE:
            grpc_call_expire_default_deadlines(conn, now);
            break;
        case ACT_NONE:
            break;
        }
    }
    if (conn->state < H2_CONN_CLOSING)
        arm(conn, 1);
}

static void on_timer_closed(uv_handle_t *handle)
{
    h2_conn_unref(container_of(handle, struct h2_conn, timer));
}

void h2_timer_init(struct h2_conn *conn)
{
    (void)uv_timer_init(conn->server->loop, &conn->timer); /* cannot fail */
    h2_conn_ref(conn);
    uint64_t now = uv_now(conn->server->loop);
    conn->opened_ms = conn->last_read_ms = conn->idle_since_ms = now;
}

void h2_timer_update(struct h2_conn *conn)
{
    if (conn->state < H2_CONN_CLOSING)
        arm(conn, 0);
}

void h2_timer_kick(struct h2_conn *conn)
{
    if (conn->state >= H2_CONN_CLOSING)
        return;
    conn->timer_due = uv_now(conn->server->loop);
    uv_timer_start(&conn->timer, on_timer, 0, 0);
}

void h2_timer_close(struct h2_conn *conn)
{
    uv_close((uv_handle_t *)&conn->timer, on_timer_closed);
}
