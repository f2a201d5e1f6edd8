/*
 * A small blocking HTTP/2 client for the transport tests: one request per connection,
 * cleartext (prior knowledge) or TLS with ALPN, over TCP or a Unix socket.
 */
#ifndef IMS_TEST_H2_CLIENT_H
#define IMS_TEST_H2_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct h2c_options {
    int port; /* TCP port on 127.0.0.1, when unix_path is NULL */
    const char *unix_path;
    int tls;
    const char *ca_file;   /* verify the server against it; NULL: no verification */
    const char *cert_file; /* client certificate and key, or NULL */
    const char *key_file;
    const char *alpn; /* wire-format ALPN list; NULL: h2 */
};

struct h2c_request {
    const char *method; /* NULL: POST */
    const char *path;
    const char *content_type; /* NULL: application/grpc; "": none */
    const char *header_names[4];
    const char *header_values[4];
    const uint8_t *body;
    size_t body_len;
    size_t chunk; /* largest DATA frame payload; 0: as large as allowed */
    int then;     /* H2C_WAIT, or end early: H2C_ABANDON, H2C_RESET */
};

enum { H2C_WAIT = 0, H2C_ABANDON = 1, H2C_RESET = 2 };

struct h2c_response {
    int http_status;
    int grpc_status; /* -1 when absent */
    char grpc_message[512];
    int trailers_only;
    uint8_t *body; /* malloc'ed; free it */
    size_t body_len;
    int reset;
    uint32_t reset_code;
};

/* Returns 0 when the stream completed (response or reset), -1 when the connection failed
 * first (refused handshake, closed socket, timeout). */
int h2c_call(const struct h2c_options *options, const struct h2c_request *request,
             struct h2c_response *response);

/* Splits gRPC messages out of a response body: returns the number found (up to max),
 * with pointers into body; -1 when the framing is broken. */
int h2c_messages(const uint8_t *body, size_t len, const uint8_t **data, size_t *lens, int max);

#endif
