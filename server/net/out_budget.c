/* Response bytes waiting for a peer. A peer that grants no flow-control window (or reads
 * nothing) leaves the answers it asked for in the calls' buffers, also after the calls
 * ended: they are counted per connection and for the server, refused past the byte
 * budgets, and a connection that takes none of them for idle_timeout_ms is closed
 * (conn_timer.c). */
#include "grpc_call_internal.h"
#include "grpc_server_internal.h"
#include "h2_session.h"
#include "ims/error.h"

int h2_out_room(const struct grpc_call *call, size_t more)
{
    const struct h2_conn *conn = call->conn;
    const struct grpc_server_config *c = &conn->server->config;
    if ((c->max_conn_buffered_bytes != 0 &&
         conn->out_pending + more > c->max_conn_buffered_bytes) ||
        (c->max_buffered_bytes != 0 && conn->server->out_pending + more > c->max_buffered_bytes))
        return IMS_ETOOBIG;
    return 0;
}

void h2_out_pending(struct grpc_call *call, size_t pending)
{
    struct h2_conn *conn = call->conn;
    size_t before = call->out_counted;
    if (pending == before)
        return;
    call->out_counted = pending;
    conn->out_pending = conn->out_pending - before + pending;
    conn->server->out_pending = conn->server->out_pending - before + pending;
    /* Bytes left, or the first came: the stall is counted from now. */
    if (conn->out_pending == 0)
        conn->out_since_ms = 0;
    else if (pending < before || conn->out_since_ms == 0)
        conn->out_since_ms = uv_now(conn->server->loop);
}
