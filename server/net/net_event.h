/*
 * What the transport tells its owner about listeners, connections and streams. net/ never
 * logs: each event goes to the owner's callback (grpc_server_config.on_event), which
 * decides what to log. Strings are valid only during the callback, and several (peer,
 * reason, error, detail) carry bytes a peer chose: the owner escapes them.
 */
#ifndef IMS_NET_EVENT_H
#define IMS_NET_EVENT_H

#include <stdint.h>

struct grpc_tls_config;

enum net_event_kind {
    NET_EVENT_LISTENING,            /* address, port, tls */
    NET_EVENT_LISTEN_FAILED,        /* address, reason (the step: "bind"), error */
    NET_EVENT_ACCEPT_FAILED,        /* error */
    NET_EVENT_CONN_OPEN,            /* conn, peer, tls */
    NET_EVENT_CONN_CLOSED,          /* conn, peer, reason */
    NET_EVENT_CONN_DROPPED,         /* a connection could not be set up: reason or error */
    NET_EVENT_CONN_TIMEOUT,         /* conn, peer, reason (a GOAWAY goes out, then close) */
    NET_EVENT_TLS_ESTABLISHED,      /* conn, peer, client_cert */
    NET_EVENT_TLS_REFUSED,          /* conn, peer, reason */
    NET_EVENT_TLS_HANDSHAKE_FAILED, /* conn, peer, error */
    NET_EVENT_TLS_ERROR,            /* conn, peer, error */
    NET_EVENT_TLS_CONFIG_FAILED,    /* tls_files, error */
    NET_EVENT_TLS_RELOADED,         /* tls_files */
    NET_EVENT_HTTP2_SEND_FAILED,    /* conn, peer, error */
    NET_EVENT_HTTP2_PROTOCOL_ERROR, /* conn, peer, error (nghttp2's code) or detail (its text) */
    NET_EVENT_STREAM_REFUSED,       /* conn, peer, reason */
    NET_EVENT_STREAM_RESET,         /* conn, peer, stream, reason */
    NET_EVENT_BAD_REQUEST,          /* conn, peer, stream, reason */
    NET_EVENT_SHUTDOWN,             /* connections, grace_ms */
};

struct net_event {
    enum net_event_kind kind;
    unsigned long long conn; /* connection id, 0 when none */
    const char *peer;        /* "ip:port" or "unix", NULL when none */
    int32_t stream;          /* HTTP/2 stream id, 0 when none */
    const char *reason;      /* short reason of our own, or NULL */
    const char *error;       /* a library's error text (libuv, OpenSSL, nghttp2), or NULL */
    const char *detail;      /* the peer's or nghttp2's own words, or NULL */
    const char *address;     /* the listener's address, or NULL */
    int port;                /* NET_EVENT_LISTENING: bound TCP port, -1 for a Unix socket */
    int tls;                 /* NET_EVENT_LISTENING, NET_EVENT_CONN_OPEN: speaks TLS */
    int client_cert;         /* NET_EVENT_TLS_ESTABLISHED: a client certificate was verified */
    int connections;         /* NET_EVENT_SHUTDOWN: connections still open */
    uint32_t grace_ms;       /* NET_EVENT_SHUTDOWN */
    const struct grpc_tls_config *tls_files; /* NET_EVENT_TLS_CONFIG_FAILED, _RELOADED */
};

typedef void (*net_event_cb)(const struct net_event *event, void *arg);

#endif
