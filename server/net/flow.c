/* Request bytes and HTTP/2 flow control: nghttp2 reopens no window by itself
 * (NGHTTP2_OPT_NO_AUTO_WINDOW_UPDATE); a call's bytes are given back to the peer once they
 * were handled (delivered as a message, copied into a partial message within budget, or
 * dropped), and not while the call is paused or its connection or the whole server holds
 * more request bytes than allowed. A peer can then have at most one connection window of
 * bytes in flight beyond the budgets. */
#include <nghttp2/nghttp2.h>

#include "grpc_call_internal.h"
#include "grpc_server_internal.h"
#include "h2_session.h"

/* Windows wait while partial messages are over the budgets. Bytes a dispatcher keeps
 * (client streams) do not shut windows: they are refused at the budget instead
 * (grpc_call_set_held_bytes), since streams waiting for each other's room never end. */
static int over_budget(const struct h2_conn *conn)
{
    const struct grpc_server_config *c = &conn->server->config;
    return (c->max_conn_buffered_bytes != 0 && conn->partial > c->max_conn_buffered_bytes) ||
           (c->max_buffered_bytes != 0 && conn->server->partial > c->max_buffered_bytes);
}

static void set_stalled(struct h2_conn *conn, int stalled)
{
    if (conn->budget_stalled == stalled)
        return;
    conn->budget_stalled = stalled;
    if (stalled) {
        conn->server->stalled_conns++;
        conn->server->stats.input_stalls++;
    } else {
        conn->server->stalled_conns--;
    }
}

void h2_flow_received(struct grpc_call *call, size_t len)
{
    call->unacked += len;
    call->conn->unacked += len;
}

/* Gives the call's bytes back when allowed. Returns 1 when a WINDOW_UPDATE may be due. */
static int call_ack(struct grpc_call *call)
{
    struct h2_conn *conn = call->conn;
    if (call->unacked == 0 || call->input_paused)
        return 0;
    if (over_budget(conn)) {
        set_stalled(conn, 1);
        return 0;
    }
    if (conn->session != NULL && call->stream_id != 0)
        (void)nghttp2_session_consume(conn->session, call->stream_id, call->unacked);
    conn->unacked -= call->unacked;
    call->unacked = 0;
    return 1;
}

void h2_flow_ack(struct grpc_call *call)
{
    if (call_ack(call) && !call->conn->in_session)
        h2_timer_kick(call->conn);
}

void h2_flow_call_gone(struct grpc_call *call)
{
    struct h2_conn *conn = call->conn;
    if (call->unacked > 0) {
        /* The stream is closing: only the connection's window is still to give back. */
        if (conn->session != NULL)
            (void)nghttp2_session_consume_connection(conn->session, call->unacked);
        conn->unacked -= call->unacked;
        call->unacked = 0;
    }
}

void h2_flow_hold(struct grpc_call *call, size_t partial)
{
    struct h2_conn *conn = call->conn;
    struct grpc_server *server = conn->server;
    size_t before = call->held, before_partial = call->held_partial;
    size_t holding = partial + call->app_held;
    call->held = holding;
    call->held_partial = partial;
    conn->buffered = conn->buffered - before + holding;
    server->buffered = server->buffered - before + holding;
    conn->partial = conn->partial - before_partial + partial;
    server->partial = server->partial - before_partial + partial;
    server->stats.buffered_bytes = server->buffered;
    if (partial < before_partial && server->stalled_conns > 0)
        h2_flow_released(server);
}

void h2_flow_released(struct grpc_server *server)
{
    /* The WINDOW_UPDATEs go out from each connection's timer, so nothing closes under
     * this loop; a nested release only asks it for one more pass. */
    if (server->in_release) {
        server->release_again = 1;
        return;
    }
    server->in_release = 1;
    do {
        server->release_again = 0;
        for (struct h2_conn *conn = server->conns, *next; conn != NULL; conn = next) {
            next = conn->next;
            if (!conn->budget_stalled)
                continue;
            if (over_budget(conn))
                continue;
            set_stalled(conn, 0);
            int acked = 0;
            for (struct grpc_call *call = conn->calls; call != NULL; call = call->next)
                acked |= call_ack(call);
            if (acked && !conn->in_session)
                h2_timer_kick(conn);
        }
    } while (server->release_again && server->stalled_conns > 0);
    server->in_release = 0;
}
