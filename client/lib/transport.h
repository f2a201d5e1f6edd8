/*
 * One client connection: a TCP or Unix socket, optionally wrapped in TLS,
 * driven with poll() so that every wait honours a deadline.
 *
 * Deadlines are absolute CLOCK_MONOTONIC milliseconds (ims__now_ms()); 0 means
 * no deadline and IMS__DEADLINE_NOW means "do not wait at all".
 */
#ifndef IMS_CLIENT_TRANSPORT_H
#define IMS_CLIENT_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "address.h"

#define IMS__DEADLINE_NOW (-1LL)
/* Reads made without waiting before going on (what already arrived, within a bound). */
#define IMS__IDLE_READS 64

typedef struct ims__transport {
    int fd; /* -1 when closed */
    SSL *ssl;
} ims__transport;

/* Current CLOCK_MONOTONIC time in milliseconds. */
long long ims__now_ms(void);

/*
 * A TLS client context: TLS 1.2 or later, ALPN "h2", peers verified against
 * ca_file or the system store, optional client certificate and key.
 * Returns 0, IMS_ENOMEM or IMS_ETLS with a message in err.
 */
__attribute__((warn_unused_result)) int ims__tls_context_new(const char *ca_file,
                                                             const char *cert_file,
                                                             const char *key_file, SSL_CTX **out,
                                                             char *err, size_t errlen);

/*
 * Connects (and for TLS, handshakes, checks the host name and that ALPN chose
 * "h2"). Returns 0, IMS_ECONNREFUSED, IMS_ETIMEDOUT, IMS_EIO, IMS_ETLS,
 * IMS_ENOMEM or IMS_EINTR, with a message in err.
 */
__attribute__((warn_unused_result)) int ims__transport_connect(ims__transport *t,
                                                               const ims__address *a, SSL_CTX *tls,
                                                               long long deadline, char *err,
                                                               size_t errlen);

/* Writes all of buf. Returns 0, IMS_ETIMEDOUT, IMS_ECLOSED, IMS_EIO, IMS_ETLS or IMS_EINTR. */
__attribute__((warn_unused_result)) int ims__transport_write(ims__transport *t, const uint8_t *buf,
                                                             size_t len, long long deadline,
                                                             char *err, size_t errlen);

/*
 * Reads what is available (at least one byte) into buf. Returns 0 with *n > 0,
 * IMS_ECLOSED at end of stream, IMS_ETIMEDOUT (also at once with
 * IMS__DEADLINE_NOW when nothing is ready), IMS_EIO, IMS_ETLS or IMS_EINTR.
 */
__attribute__((warn_unused_result)) int ims__transport_read(ims__transport *t, uint8_t *buf,
                                                            size_t cap, size_t *n,
                                                            long long deadline, char *err,
                                                            size_t errlen);

void ims__transport_close(ims__transport *t);

#endif
