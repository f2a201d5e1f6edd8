/*
 * TLS for the server on top of any byte stream: OpenSSL with two memory BIOs, so the
 * connection code moves ciphertext between the socket and the session and never lets
 * OpenSSL touch a file descriptor. These functions never log; failures come back as
 * IMS_ETLS with the OpenSSL reason available from tls_error_text().
 */
#ifndef IMS_NET_TLS_H
#define IMS_NET_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

struct grpc_tls_config;

/* Builds a server SSL_CTX from the configured files: TLS 1.3 minimum (1.2 when
 * min_version is 12), ALPN "h2" only
 * (a client that does not offer h2 is refused), client certificates checked against
 * client_ca_file when set. Returns 0 or IMS_ETLS (unreadable or mismatched files),
 * IMS_EINVAL (no certificate configured), IMS_ENOMEM. */
int tls_context_new(const struct grpc_tls_config *config, SSL_CTX **out)
    __attribute__((warn_unused_result));

/* Writes the reason of the last OpenSSL failure of this thread into buf and clears the
 * error queue. */
void tls_error_text(char *buf, size_t len);

struct tls_session {
    SSL *ssl;  /* holds its own reference to the SSL_CTX it was made from */
    BIO *rbio; /* ciphertext from the peer, written by tls_session_feed() */
    BIO *wbio; /* ciphertext for the peer, drained by tls_session_take_output() */
    int handshake_done;
};

/* Returns 0, IMS_ENOMEM. */
int tls_session_init(struct tls_session *session, SSL_CTX *ctx) __attribute__((warn_unused_result));
void tls_session_free(struct tls_session *session);

/* Hands ciphertext received from the peer to the session. Returns 0 or IMS_ENOMEM. */
int tls_session_feed(struct tls_session *session, const uint8_t *data, size_t len)
    __attribute__((warn_unused_result));

/* Advances the handshake. Returns 0 when it is complete, 1 when more input is needed,
 * IMS_ETLS when it failed (the alert, if any, is in the output). */
int tls_session_handshake(struct tls_session *session) __attribute__((warn_unused_result));

/* 1 when ALPN selected "h2". */
int tls_session_alpn_is_h2(const struct tls_session *session);

/* The verified client certificate's subject (RFC 2253), malloc'ed, or NULL. */
char *tls_session_client_subject(const struct tls_session *session);

/* Decrypts into buf. Returns the number of bytes (0: need more input), IMS_ECLOSED when
 * the peer sent close_notify, IMS_ETLS on failure. */
long tls_session_read(struct tls_session *session, uint8_t *buf, size_t len);

/* Encrypts plaintext into the output. Returns 0, IMS_ETLS. */
int tls_session_write(struct tls_session *session, const uint8_t *data, size_t len)
    __attribute__((warn_unused_result));

/* Queues close_notify. */
void tls_session_shutdown(struct tls_session *session);

/* Ciphertext waiting for the socket, and taking it (up to len bytes). */
size_t tls_session_pending_output(const struct tls_session *session);
size_t tls_session_take_output(struct tls_session *session, uint8_t *buf, size_t len);

#endif
