/* Server TLS over memory BIOs: the context from the configured files, handshakes,
 * records. */
#include "tls.h"

#include <limits.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_server.h"
#include "ims/error.h"

static const unsigned char alpn_h2[] = {2, 'h', '2'};

/* Selects h2 or refuses the handshake: gRPC needs HTTP/2 and we speak nothing else. */
static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    unsigned char *selected;
    if (SSL_select_next_proto(&selected, outlen, alpn_h2, sizeof alpn_h2, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

void tls_error_text(char *buf, size_t len)
{
    unsigned long err = ERR_get_error();
    if (err == 0)
        snprintf(buf, len, "unknown");
    else
        ERR_error_string_n(err, buf, len);
    ERR_clear_error();
}

int tls_context_new(const struct grpc_tls_config *config, SSL_CTX **out)
{
    if (config->cert_file == NULL || config->key_file == NULL)
        return IMS_EINVAL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL)
        return IMS_ENOMEM;
    int ok = SSL_CTX_set_min_proto_version(
                 ctx, config->min_version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION) &&
             SSL_CTX_use_certificate_chain_file(ctx, config->cert_file) == 1 &&
             SSL_CTX_use_PrivateKey_file(ctx, config->key_file, SSL_FILETYPE_PEM) == 1 &&
             SSL_CTX_check_private_key(ctx) == 1;
    if (ok && config->client_ca_file != NULL) {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(config->client_ca_file);
        ok = names != NULL && SSL_CTX_load_verify_locations(ctx, config->client_ca_file, NULL) == 1;
        if (names != NULL)
            SSL_CTX_set_client_CA_list(ctx, names);
        int mode = SSL_VERIFY_PEER;
        if (config->require_client_cert)
            mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        SSL_CTX_set_verify(ctx, mode, NULL);
    }
    if (!ok) {
        SSL_CTX_free(ctx);
        return IMS_ETLS;
    }
    /* Renegotiation is gone in 1.3 and unwanted in 1.2; the server picks the cipher. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
    *out = ctx;
    return 0;
}

int tls_session_init(struct tls_session *session, SSL_CTX *ctx)
{
    memset(session, 0, sizeof *session);
    session->ssl = SSL_new(ctx);
    session->rbio = BIO_new(BIO_s_mem());
    session->wbio = BIO_new(BIO_s_mem());
    if (session->ssl == NULL || session->rbio == NULL || session->wbio == NULL) {
        SSL_free(session->ssl);
        BIO_free(session->rbio);
        BIO_free(session->wbio);
        memset(session, 0, sizeof *session);
        return IMS_ENOMEM;
    }
    /* An empty memory BIO means "try again later", not end of file. */
    BIO_set_mem_eof_return(session->rbio, -1);
    SSL_set_bio(session->ssl, session->rbio, session->wbio);
    SSL_set_accept_state(session->ssl);
    return 0;
}

void tls_session_free(struct tls_session *session)
{
    /* SSL_free frees both BIOs and drops the SSL_CTX reference SSL_new took. */
    SSL_free(session->ssl);
    memset(session, 0, sizeof *session);
}

int tls_session_feed(struct tls_session *session, const uint8_t *data, size_t len)
{
    while (len > 0) {
        int chunk = len > INT_MAX ? INT_MAX : (int)len;
        int n = BIO_write(session->rbio, data, chunk);
        if (n <= 0)
            return IMS_ENOMEM;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int tls_session_handshake(struct tls_session *session)
{
    if (session->handshake_done)
        return 0;
    int rc = SSL_do_handshake(session->ssl);
    if (rc == 1) {
        session->handshake_done = 1;
        return 0;
    }
    int err = SSL_get_error(session->ssl, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
        return 1;
    return IMS_ETLS;
}

int tls_session_alpn_is_h2(const struct tls_session *session)
{
    const unsigned char *proto = NULL;
    unsigned int len = 0;
    SSL_get0_alpn_selected(session->ssl, &proto, &len);
    return len == 2 && memcmp(proto, "h2", 2) == 0;
}

char *tls_session_client_subject(const struct tls_session *session)
{
    X509 *cert = SSL_get1_peer_certificate(session->ssl);
    if (cert == NULL)
        return NULL;
    char *subject = NULL;
    if (SSL_get_verify_result(session->ssl) == X509_V_OK) {
        BIO *mem = BIO_new(BIO_s_mem());
        if (mem != NULL &&
            X509_NAME_print_ex(mem, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
            char *text;
            long len = BIO_get_mem_data(mem, &text);
            subject = malloc((size_t)len + 1);
            if (subject != NULL) {
                memcpy(subject, text, (size_t)len);
                subject[len] = '\0';
            }
        }
        BIO_free(mem);
    }
    X509_free(cert);
    return subject;
}

long tls_session_read(struct tls_session *session, uint8_t *buf, size_t len)
{
    int chunk = len > INT_MAX ? INT_MAX : (int)len;
    int n = SSL_read(session->ssl, buf, chunk);
    if (n > 0)
        return n;
    switch (SSL_get_error(session->ssl, n)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        return IMS_ECLOSED;
    default:
        return IMS_ETLS;
    }
}

int tls_session_write(struct tls_session *session, const uint8_t *data, size_t len)
{
    while (len > 0) {
        int chunk = len > INT_MAX ? INT_MAX : (int)len;
        /* A memory BIO takes everything, so SSL_write never asks to wait. */
        int n = SSL_write(session->ssl, data, chunk);
        if (n <= 0)
            return IMS_ETLS;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

void tls_session_shutdown(struct tls_session *session)
{
    if (session->handshake_done)
        (void)SSL_shutdown(session->ssl);
}

size_t tls_session_pending_output(const struct tls_session *session)
{
    return BIO_ctrl_pending(session->wbio);
}

size_t tls_session_take_output(struct tls_session *session, uint8_t *buf, size_t len)
{
    int chunk = len > INT_MAX ? INT_MAX : (int)len;
    int n = BIO_read(session->wbio, buf, chunk);
    return n > 0 ? (size_t)n : 0;
}
