/*
 * Listening sockets: TCP ("host:port", "[v6]:port", a name) and Unix ("unix:/path"),
 * each accepting connections for h2_session.c.
 */
#ifndef IMS_NET_LISTENER_H
#define IMS_NET_LISTENER_H

#include <stddef.h>
#include <uv.h>

struct grpc_server;

struct net_listener {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    struct grpc_server *server;
    int index;       /* slot in server->listeners, -1 when not registered */
    int tls;         /* connections accepted here speak TLS */
    int port;        /* bound TCP port, -1 for a Unix socket */
    char *unix_path; /* the socket file, removed at close when we created it */
    int unix_bound;
};

/* Splits "host:port" or "[v6]:port" into host (without brackets) and port.
 * Returns 0 or IMS_EINVAL (no port, port out of 0..65535, host too long or empty). */
int net_address_split(const char *address, char *host, size_t host_len, int *port);

/* Binds and listens on address for server; the listener counts in server->live.
 * Returns 0, IMS_EINVAL (bad address or unknown name), IMS_EIO (bind or listen failed,
 * told to on_event), IMS_ENOMEM. On failure the half-made listener closes by itself. */
int net_listener_open(struct grpc_server *server, const char *address, int tls,
                      struct net_listener **out) __attribute__((warn_unused_result));

/* Stops accepting; the listener is freed (and its socket file removed) in the close
 * callback. */
void net_listener_close(struct net_listener *listener);

#endif
