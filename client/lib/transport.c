/* One client connection (TCP or Unix, optionally TLS) driven with poll() under a
 * deadline. */
#include "transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ims/error.h"

long long ims__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int poll_timeout(long long deadline)
{
    if (deadline == 0)
        return -1;
    if (deadline == IMS__DEADLINE_NOW)
        return 0;
    long long left = deadline - ims__now_ms();
    if (left <= 0)
        return 0;
    return left > 1000000000LL ? 1000000000 : (int)left;
}

/* Waits until fd is ready for `events`. Returns 0, IMS_ETIMEDOUT, IMS_EINTR or IMS_EIO. */
static int wait_fd(int fd, short events, long long deadline)
{
    struct pollfd p = {.fd = fd, .events = events};
    int r = poll(&p, 1, poll_timeout(deadline));
    if (r < 0)
        return errno == EINTR ? IMS_EINTR : IMS_EIO;
    if (r == 0)
        return IMS_ETIMEDOUT;
    return 0;
}

/*
 * OpenSSL writes to the socket with write(), which raises SIGPIPE when the peer
 * has gone; a library must not kill its host process for that. SIGPIPE is
 * blocked around TLS I/O and a SIGPIPE it caused is consumed (as libpq does).
 */
typedef struct sigpipe_guard {
    sigset_t old;
    bool was_pending;
} sigpipe_guard;

static void sigpipe_block(sigpipe_guard *g)
{
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigemptyset(&pending);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old);
    sigpending(&pending);
    g->was_pending = sigismember(&pending, SIGPIPE) == 1;
}

static void sigpipe_restore(sigpipe_guard *g)
{
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigemptyset(&pending);
    sigpending(&pending);
    if (!g->was_pending && sigismember(&pending, SIGPIPE) == 1) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

static void tls_error_text(char *err, size_t errlen, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "";
    if (e != 0)
        ERR_error_string_n(e, buf, sizeof(buf));
    snprintf(err, errlen, "%s%s%s", what, buf[0] ? ": " : "", buf);
    ERR_clear_error();
}

int ims__tls_context_new(const char *ca_file, const char *cert_file, const char *key_file,
                         SSL_CTX **out, char *err, size_t errlen)
{
    *out = NULL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        snprintf(err, errlen, "cannot create a TLS context");
        return IMS_ENOMEM;
    }
    static const unsigned char alpn[] = "\x02h2";
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1) != 0) {
        tls_error_text(err, errlen, "cannot configure TLS");
        goto fail;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (ca_file && ca_file[0]) {
        if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
            char what[512];
            snprintf(what, sizeof(what), "cannot load CA file %s", ca_file);
            tls_error_text(err, errlen, what);
            goto fail;
        }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        tls_error_text(err, errlen, "cannot load the system CA store");
        goto fail;
    }
    if ((cert_file && cert_file[0]) != (key_file && key_file[0])) {
        snprintf(err, errlen, "a client certificate needs both a certificate and a key file");
        SSL_CTX_free(ctx);
        return IMS_EINVAL;
    }
    if (cert_file && cert_file[0]) {
        if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
            char what[512];
            snprintf(what, sizeof(what), "cannot load certificate %s", cert_file);
            tls_error_text(err, errlen, what);
            goto fail;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(ctx) != 1) {
            char what[512];
            snprintf(what, sizeof(what), "cannot load key %s", key_file);
            tls_error_text(err, errlen, what);
            goto fail;
        }
    }
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    *out = ctx;
    return 0;
fail:
    SSL_CTX_free(ctx);
    return IMS_ETLS;
}

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Non-blocking connect to one address, waiting up to the deadline. */
static int connect_one(int family, const struct sockaddr *sa, socklen_t salen, long long deadline,
                       int *fd_out)
{
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (set_nonblocking(fd) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    if (connect(fd, sa, salen) < 0) {
        if (errno != EINPROGRESS) {
            int e = errno;
            close(fd);
            return -e;
        }
        int rc = wait_fd(fd, POLLOUT, deadline);
        if (rc != 0) {
            close(fd);
            return rc == IMS_ETIMEDOUT ? -ETIMEDOUT : rc == IMS_EINTR ? -EINTR : -EIO;
        }
        int soerr = 0;
        socklen_t len = sizeof(soerr);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr != 0) {
            close(fd);
            return -(soerr ? soerr : EIO);
        }
    }
    if (family != AF_UNIX) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    *fd_out = fd;
    return 0;
}

static int errno_to_ims(int e)
{
    switch (e) {
    case ECONNREFUSED:
    case ENOENT:
    case ENETUNREACH:
    case EHOSTUNREACH:
        return IMS_ECONNREFUSED;
    case ETIMEDOUT:
        return IMS_ETIMEDOUT;
    case EINTR:
        return IMS_EINTR;
    case ENOMEM:
    case ENOBUFS:
        return IMS_ENOMEM;
    default:
        return IMS_EIO;
    }
}

static int connect_socket(ims__transport *t, const ims__address *a, long long deadline, char *err,
                          size_t errlen)
{
    if (a->kind == IMS__ADDRESS_UNIX) {
        struct sockaddr_un sun;
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        memcpy(sun.sun_path, a->path, strlen(a->path) + 1);
        int rc = connect_one(AF_UNIX, (struct sockaddr *)&sun, sizeof(sun), deadline, &t->fd);
        if (rc < 0) {
            snprintf(err, errlen, "cannot connect to unix:%s: %s", a->path, strerror(-rc));
            return errno_to_ims(-rc);
        }
        return 0;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(a->host, a->port, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", a->host, gai_strerror(gai));
        return gai == EAI_MEMORY ? IMS_ENOMEM : IMS_ECONNREFUSED;
    }
    int last = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int rc = connect_one(ai->ai_family, ai->ai_addr, ai->ai_addrlen, deadline, &t->fd);
        if (rc == 0) {
            freeaddrinfo(res);
            return 0;
        }
        last = -rc;
        if (last == ETIMEDOUT || last == EINTR)
            break;
    }
    freeaddrinfo(res);
    snprintf(err, errlen, "cannot connect to %s: %s", a->authority, strerror(last));
    return errno_to_ims(last);
}

/* Waits for what SSL asked for after a WANT_READ / WANT_WRITE. */
static int tls_wait(ims__transport *t, int ssl_err, long long deadline)
{
    return wait_fd(t->fd, ssl_err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, deadline);
}

static int tls_handshake(ims__transport *t, const ims__address *a, SSL_CTX *tls, long long deadline,
                         char *err, size_t errlen)
{
    t->ssl = SSL_new(tls);
    if (t->ssl == NULL) {
        snprintf(err, errlen, "cannot create a TLS session");
        return IMS_ENOMEM;
    }
    struct in6_addr ip6;
    struct in_addr ip4;
    bool is_ip = inet_pton(AF_INET, a->host, &ip4) == 1 || inet_pton(AF_INET6, a->host, &ip6) == 1;
    if (is_ip) {
        X509_VERIFY_PARAM *param = SSL_get0_param(t->ssl);
        if (X509_VERIFY_PARAM_set1_ip_asc(param, a->host) != 1) {
            tls_error_text(err, errlen, "cannot set the expected IP address");
            return IMS_ETLS;
        }
    } else if (SSL_set_tlsext_host_name(t->ssl, a->host) != 1 ||
               SSL_set1_host(t->ssl, a->host) != 1) {
        tls_error_text(err, errlen, "cannot set the expected host name");
        return IMS_ETLS;
    }
    SSL_set_fd(t->ssl, t->fd);
    for (;;) {
        ERR_clear_error();
        sigpipe_guard g;
        sigpipe_block(&g);
        int r = SSL_connect(t->ssl);
        sigpipe_restore(&g);
        if (r == 1)
            break;
        int e = SSL_get_error(t->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            int rc = tls_wait(t, e, deadline);
            if (rc != 0) {
                snprintf(err, errlen, "TLS handshake with %s: %s", a->authority, ims_strerror(rc));
                return rc;
            }
            continue;
        }
        long verify = SSL_get_verify_result(t->ssl);
        if (verify != X509_V_OK) {
            snprintf(err, errlen, "TLS handshake with %s: certificate verification failed: %s",
                     a->authority, X509_verify_cert_error_string(verify));
            ERR_clear_error();
        } else {
            char what[400];
            snprintf(what, sizeof(what), "TLS handshake with %s failed", a->authority);
            tls_error_text(err, errlen, what);
        }
        return IMS_ETLS;
    }
    const unsigned char *proto = NULL;
    unsigned int proto_len = 0;
    SSL_get0_alpn_selected(t->ssl, &proto, &proto_len);
    if (proto_len != 2 || memcmp(proto, "h2", 2) != 0) {
        snprintf(err, errlen, "%s did not negotiate HTTP/2 (ALPN h2)", a->authority);
        return IMS_ETLS;
    }
    return 0;
}

int ims__transport_connect(ims__transport *t, const ims__address *a, SSL_CTX *tls,
                           long long deadline, char *err, size_t errlen)
{
    t->fd = -1;
    t->ssl = NULL;
    int rc = connect_socket(t, a, deadline, err, errlen);
    if (rc == 0 && a->tls)
        rc = tls_handshake(t, a, tls, deadline, err, errlen);
    if (rc != 0)
        ims__transport_close(t);
    return rc;
}

int ims__transport_write(ims__transport *t, const uint8_t *buf, size_t len, long long deadline,
                         char *err, size_t errlen)
{
    size_t done = 0;
    while (done < len) {
        if (t->ssl) {
            ERR_clear_error();
            int chunk = len - done > (size_t)1 << 30 ? 1 << 30 : (int)(len - done);
            sigpipe_guard g;
            sigpipe_block(&g);
            int r = SSL_write(t->ssl, buf + done, chunk);
            sigpipe_restore(&g);
            if (r > 0) {
                done += (size_t)r;
                continue;
            }
            int e = SSL_get_error(t->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                int rc = tls_wait(t, e, deadline);
                if (rc != 0) {
                    snprintf(err, errlen, "write: %s", ims_strerror(rc));
                    return rc;
                }
                continue;
            }
            if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL) {
                snprintf(err, errlen, "the server closed the connection");
                ERR_clear_error();
                return IMS_ECLOSED;
            }
            tls_error_text(err, errlen, "TLS write failed");
            return IMS_ETLS;
        }
        ssize_t r = send(t->fd, buf + done, len - done, MSG_NOSIGNAL);
        if (r >= 0) {
            done += (size_t)r;
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int rc = wait_fd(t->fd, POLLOUT, deadline);
            if (rc != 0) {
                snprintf(err, errlen, "write: %s", ims_strerror(rc));
                return rc;
            }
            continue;
        }
        if (errno == EINTR)
            continue;
        snprintf(err, errlen, "write: %s", strerror(errno));
        return errno == EPIPE || errno == ECONNRESET ? IMS_ECLOSED : IMS_EIO;
    }
    return 0;
}

int ims__transport_read(ims__transport *t, uint8_t *buf, size_t cap, size_t *n, long long deadline,
                        char *err, size_t errlen)
{
    for (;;) {
        if (t->ssl) {
            ERR_clear_error();
            int want = cap > (size_t)1 << 30 ? 1 << 30 : (int)cap;
            sigpipe_guard g;
            sigpipe_block(&g);
            int r = SSL_read(t->ssl, buf, want);
            sigpipe_restore(&g);
            if (r > 0) {
                *n = (size_t)r;
                return 0;
            }
            int e = SSL_get_error(t->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                int rc = tls_wait(t, e, deadline);
                if (rc != 0) {
                    snprintf(err, errlen, "read: %s", ims_strerror(rc));
                    return rc;
                }
                continue;
            }
            if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL) {
                snprintf(err, errlen, "the server closed the connection");
                ERR_clear_error();
                return IMS_ECLOSED;
            }
            tls_error_text(err, errlen, "TLS read failed");
            return IMS_ETLS;
        }
        ssize_t r = recv(t->fd, buf, cap, 0);
        if (r > 0) {
            *n = (size_t)r;
            return 0;
        }
        if (r == 0) {
            snprintf(err, errlen, "the server closed the connection");
            return IMS_ECLOSED;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int rc = wait_fd(t->fd, POLLIN, deadline);
            if (rc != 0) {
                snprintf(err, errlen, "read: %s", ims_strerror(rc));
                return rc;
            }
            continue;
        }
        if (errno == EINTR)
            continue;
        snprintf(err, errlen, "read: %s", strerror(errno));
        return errno == ECONNRESET ? IMS_ECLOSED : IMS_EIO;
    }
}

void ims__transport_close(ims__transport *t)
{
    if (t->ssl) {
        /* A quiet shutdown: the peer learns from the TCP close; no need to wait. */
        SSL_set_quiet_shutdown(t->ssl, 1);
        SSL_free(t->ssl);
        t->ssl = NULL;
    }
    if (t->fd >= 0) {
        close(t->fd);
        t->fd = -1;
    }
}
