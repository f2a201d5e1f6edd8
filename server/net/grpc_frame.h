/*
 * The gRPC message deframer: turns a request body, fed in arbitrary chunks, into whole
 * messages. Each message is a 5-byte prefix (compressed flag, 32-bit big-endian length)
 * and its bytes. A message inside one chunk is handed over in place; only a message split
 * across chunks is copied, and only after its length passed the limit.
 */
#ifndef IMS_NET_GRPC_FRAME_H
#define IMS_NET_GRPC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define GRPC_FRAME_PREFIX_BYTES 5

struct grpc_deframer {
    size_t max_message_bytes;
    uint8_t prefix[GRPC_FRAME_PREFIX_BYTES];
    size_t prefix_have;
    int in_body;       /* the prefix is complete, reading the body */
    uint32_t body_len; /* the announced length of the current message */
    uint8_t *body;     /* copy of a message split across chunks */
    size_t body_have;
    size_t body_cap;   /* body's size: grown as bytes come, never past body_len */
    uint32_t bad_length; /* after IMS_ETOOBIG: the announced length */
    int failed;          /* a previous feed failed; the stream is unusable */
};

/* Called once per complete message; data is valid only during the call. A nonzero return
 * stops the deframer, and grpc_deframer_feed() returns it. */
typedef int (*grpc_deframer_message_fn)(void *arg, const uint8_t *data, size_t len);

void grpc_deframer_init(struct grpc_deframer *deframer, size_t max_message_bytes);

/* Feeds a chunk of the request body. Returns 0, the nonzero value of on_message,
 * IMS_ETOOBIG (a message longer than max_message_bytes; bad_length tells how long),
 * IMS_EPROTO (compressed flag 1: compression is not supported), IMS_EPARSE (a flag
 * other than 0 or 1) or IMS_ENOMEM. After an error every later feed returns IMS_EPARSE. */
int grpc_deframer_feed(struct grpc_deframer *deframer, const uint8_t *data, size_t len,
                       grpc_deframer_message_fn on_message, void *arg);

/* At the end of the body: 0 when it ended on a message boundary, IMS_EPARSE when a
 * message was cut short. */
int grpc_deframer_finish(const struct grpc_deframer *deframer);

/* Frees a partial message copy; the deframer may be initialised again. */
void grpc_deframer_free(struct grpc_deframer *deframer);

#endif
