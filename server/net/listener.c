/* Listening sockets (TCP and Unix) that hand each accepted connection to h2_session.c. */
#include "listener.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "grpc_server_internal.h"
#include "h2_session.h"
#include "ims/error.h"

#define LISTEN_BACKLOG 511

int net_address_split(const char *address, char *host, size_t host_len, int *port)
{
    const char *host_start = address;
    const char *host_end;
    const char *port_text;
    if (address[0] == '[') {
        host_start = address + 1;
        host_end = strchr(host_start, ']');
        if (host_end == NULL || host_end[1] != ':')
            return IMS_EINVAL;
        port_text = host_end + 2;
    } else {
        host_end = strrchr(address, ':');
        if (host_end == NULL || memchr(address, ':', (size_t)(host_end - address)) != NULL)
            return IMS_EINVAL; /* a bare IPv6 address needs brackets */
        port_text = host_end + 1;
    }
    size_t len = (size_t)(host_end - host_start);
    if (len == 0 || len >= host_len)
        return IMS_EINVAL;
    if (*port_text == '\0' || strlen(port_text) > 5)
        return IMS_EINVAL;
    long value = 0;
    for (const char *p = port_text; *p; p++) {
        if (*p < '0' || *p > '9')
            return IMS_EINVAL;
        value = value * 10 + (*p - '0');
    }
    if (value > 65535)
        return IMS_EINVAL;
    memcpy(host, host_start, len);
    host[len] = '\0';
    *port = (int)value;
    return 0;
}

/* Numeric addresses first; a name is resolved once, synchronously, at start-up. */
static int resolve(const char *host, int port, struct sockaddr_storage *out)
{
    memset(out, 0, sizeof *out);
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)out) == 0)
        return 0;
    if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)out) == 0)
        return 0;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *result = NULL;
    if (getaddrinfo(host, NULL, &hints, &result) != 0 || result == NULL)
        return IMS_EINVAL;
    memcpy(out, result->ai_addr, result->ai_addrlen);
    freeaddrinfo(result);
    if (out->ss_family == AF_INET)
        ((struct sockaddr_in *)out)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)out)->sin6_port = htons((uint16_t)port);
    return 0;
}

static void on_listener_closed(uv_handle_t *handle)
{
    struct net_listener *listener = container_of(handle, struct net_listener, h.handle);
    struct grpc_server *server = listener->server;
    if (listener->unix_bound)
        unlink(listener->unix_path);
    if (listener->index >= 0)
        server->listeners[listener->index] = NULL;
    free(listener->unix_path);
    free(listener);
    grpc_server_release(server);
}

static void on_connection(uv_stream_t *stream, int status)
{
    struct net_listener *listener = container_of(stream, struct net_listener, h.stream);
    if (status < 0) {
        struct net_event ev = {.kind = NET_EVENT_ACCEPT_FAILED, .error = uv_strerror(status)};
        grpc_server_event(listener->server, &ev);
        return;
    }
    h2_conn_accept(listener);
}

static int fail(struct net_listener *listener, const char *address, const char *what, int rc)
{
    struct net_event ev = {.kind = NET_EVENT_LISTEN_FAILED,
                           .address = address,
                           .reason = what,
                           .error = uv_strerror(rc)};
    grpc_server_event(listener->server, &ev);
    uv_close(&listener->h.handle, on_listener_closed);
    return IMS_EIO;
}

static int open_unix(struct net_listener *listener, const char *address, const char *path)
{
    struct grpc_server *server = listener->server;
    int rc = uv_pipe_init(server->loop, &listener->h.pipe, 0);
    if (rc < 0) {
        free(listener->unix_path);
        free(listener);
        return IMS_EIO;
    }
    server->live++;
    /* A socket file left by a daemon that died would make bind fail; regular files are
     * never removed. */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    rc = uv_pipe_bind(&listener->h.pipe, path);
    if (rc < 0)
        return fail(listener, address, "bind", rc);
    listener->unix_bound = 1;
    rc = uv_listen(&listener->h.stream, LISTEN_BACKLOG, on_connection);
    if (rc < 0)
        return fail(listener, address, "listen", rc);
    listener->port = -1;
    return 0;
}

static int open_tcp(struct net_listener *listener, const char *address)
{
    struct grpc_server *server = listener->server;
    char host[256];
    int port;
    struct sockaddr_storage addr;
    if (net_address_split(address, host, sizeof host, &port) < 0 ||
        resolve(host, port, &addr) < 0) {
        free(listener);
        return IMS_EINVAL;
    }
    int rc = uv_tcp_init(server->loop, &listener->h.tcp);
    if (rc < 0) {
        free(listener);
        return IMS_EIO;
    }
    server->live++;
    rc = uv_tcp_bind(&listener->h.tcp, (const struct sockaddr *)&addr, 0);
    if (rc < 0)
        return fail(listener, address, "bind", rc);
    rc = uv_listen(&listener->h.stream, LISTEN_BACKLOG, on_connection);
    if (rc < 0)
        return fail(listener, address, "listen", rc);
    struct sockaddr_storage bound;
    int len = sizeof bound;
    rc = uv_tcp_getsockname(&listener->h.tcp, (struct sockaddr *)&bound, &len);
    if (rc < 0)
        return fail(listener, address, "getsockname", rc);
    if (bound.ss_family == AF_INET)
        listener->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    else
        listener->port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    return 0;
}

int net_listener_open(struct grpc_server *server, const char *address, int tls,
                      struct net_listener **out)
{
    struct net_listener *listener = calloc(1, sizeof *listener);
    if (listener == NULL)
        return IMS_ENOMEM;
    listener->server = server;
    listener->index = -1;
    listener->tls = tls;
    int rc;
    if (strncmp(address, "unix:", 5) == 0) {
        const char *path = address + 5;
        if (*path == '\0' || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
            free(listener);
            return IMS_EINVAL;
        }
        listener->unix_path = strdup(path);
        if (listener->unix_path == NULL) {
            free(listener);
            return IMS_ENOMEM;
        }
        rc = open_unix(listener, address, path);
    } else {
        rc = open_tcp(listener, address);
    }
    if (rc < 0)
        return rc;
    struct net_event ev = {
        .kind = NET_EVENT_LISTENING, .address = address, .port = listener->port, .tls = tls};
    grpc_server_event(listener->server, &ev);
    *out = listener;
    return 0;
}

void net_listener_close(struct net_listener *listener)
{
    if (!uv_is_closing(&listener->h.handle))
        uv_close(&listener->h.handle, on_listener_closed);
}
