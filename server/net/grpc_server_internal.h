/*
 * The server object shared by the files of net/: listeners, connections and the
 * shutdown bookkeeping. Only net/ includes this header.
 */
#ifndef IMS_NET_GRPC_SERVER_INTERNAL_H
#define IMS_NET_GRPC_SERVER_INTERNAL_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <uv.h>

#include "container.h"
#include "grpc_server.h"
#include "peer_count.h"

struct net_listener;
struct h2_conn;
struct conn_write;

struct grpc_server {
    uv_loop_t *loop;
    struct grpc_server_config config; /* TLS file names point to our own copies */
    struct grpc_dispatch dispatch;
    SSL_CTX *tls_ctx;                /* for new connections; NULL without TLS */
    struct net_listener **listeners; /* entry NULL once that listener is closed */
    int listener_count;
    struct h2_conn *conns; /* connections whose socket is open */
    struct grpc_server_stats stats;
    size_t buffered;        /* request bytes held by every connection's calls */
    size_t partial;         /* of which partial messages */
    size_t out_pending;     /* response bytes every connection's calls hold (out_budget.c) */
    unsigned stalled_conns; /* connections whose window waits for a byte budget */
    int in_release, release_again; /* flow.c: h2_flow_released() is running */
    struct peer_count peers; /* open connections per client address */
    /* Every connection reads into this one buffer: a read is handled before the next. */
    char *read_buffer;
    /* Write buffers whose write completed, kept for the next ones (h2_session.c): a
     * buffer of this size per flush would otherwise be a large malloc and free each time. */
    struct conn_write *spare_writes;
    unsigned spare_write_count;
    unsigned long long next_conn_id;
    /* Listeners, connections and the grace timer not yet freed: the server goes when
     * this reaches zero during shutdown. */
    unsigned live;
    int shutting_down;
    int grace_timer_closing;
    uv_timer_t grace_timer;
    void (*done)(void *arg);
    void *done_arg;
};

/* Hands an event to the owner's callback, if any. */
void grpc_server_event(const struct grpc_server *server, const struct net_event *event);

/* Something counted in live was freed. May free the server. */
void grpc_server_release(struct grpc_server *server);

/* A connection's socket closed (it left server->conns). */
void grpc_server_conn_closed(struct grpc_server *server);

#endif
