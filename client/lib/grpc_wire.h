/*
 * The pure parts of gRPC over HTTP/2 on the client side: message framing,
 * grpc-message percent-decoding, grpc-timeout encoding and the mapping of
 * HTTP statuses and HTTP/2 stream errors to gRPC statuses. No I/O.
 */
#ifndef IMS_CLIENT_GRPC_WIRE_H
#define IMS_CLIENT_GRPC_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Size of the length prefix in front of every gRPC message. */
#define IMS__GRPC_PREFIX 5

/*
 * Reassembles length-prefixed gRPC messages from DATA chunks of any size.
 * Zero-initialize, feed chunks, take complete messages, free.
 */
typedef struct ims__deframer {
    uint8_t *buf;
    size_t len; /* bytes held */
    size_t off; /* bytes already handed out */
    size_t cap;
    size_t max_message; /* 0: no limit */
} ims__deframer;

/* Messages a deframer holds before they are taken, at most, in units of max_message. */
#define IMS__DEFRAMER_HELD 4

/* Appends a chunk. Returns 0, IMS_ENOMEM, or (with max_message set) IMS_ETOOBIG when the
 * next message announces more than max_message or more than IMS__DEFRAMER_HELD of them are
 * held untaken, IMS_EPROTO when it is compressed: the bytes are appended either way. */
__attribute__((warn_unused_result)) int ims__deframer_feed(ims__deframer *d, const uint8_t *data,
                                                           size_t len);

/*
 * Takes the next complete message: 1 with *msg and *len pointing into the
 * deframer's buffer (valid until the next feed or free), 0 when more bytes are
 * needed, IMS_EPROTO for a compressed-flag message (we never ask for
 * compression) or IMS_ETOOBIG when the prefix announces more than max_message.
 */
__attribute__((warn_unused_result)) int ims__deframer_next(ims__deframer *d, const uint8_t **msg,
                                                           size_t *len);

/* Bytes of an incomplete message still held (non-zero at the end: truncated). */
size_t ims__deframer_pending(const ims__deframer *d);

void ims__deframer_free(ims__deframer *d);

/* Writes the 5-byte prefix for an uncompressed message of `len` bytes. */
void ims__grpc_prefix(uint8_t out[IMS__GRPC_PREFIX], uint32_t len);

/*
 * Decodes grpc-message percent-encoding (%XX) into a new NUL-terminated
 * string. Malformed escapes are kept as they are, as the gRPC spec asks.
 * Returns NULL only when out of memory.
 */
char *ims__percent_decode(const char *in, size_t len);

/* grpc-timeout value for a deadline in milliseconds ("250m", "100000S"). */
void ims__grpc_timeout(char *out, size_t outlen, long long ms);

/* The gRPC status for a non-200 HTTP status (gRPC's http-grpc-status mapping). */
int ims__grpc_status_from_http(int http_status);

/* The gRPC status for an HTTP/2 RST_STREAM / GOAWAY error code. */
int ims__grpc_status_from_h2_error(uint32_t h2_error);

#endif
