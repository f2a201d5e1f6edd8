/*
 * Unpacking a request within a budget. protobuf-c merges a singular message field that
 * appears more than once on the wire into the earlier one, reallocating its repeated
 * fields each time: a few bytes repeated can cost memory and time quadratic in the
 * message's length. Every allocation an unpack makes is counted, and past the budget
 * (UNPACK_BYTES_PER_BYTE times the wire length, plus UNPACK_BYTES_SLACK) it fails.
 */
#ifndef IMS_RPC_UNPACK_H
#define IMS_RPC_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "arena.h"

#define UNPACK_BYTES_PER_BYTE 32
#define UNPACK_BYTES_SLACK (64u << 10)

/* The message, or NULL: *over_budget says whether the budget was the cause (else the bytes
 * are not a valid message, or memory ran out). From arena when it is not NULL (the result
 * is then freed with it), else from malloc (free it with protobuf_c_message_free_unpacked). */
ProtobufCMessage *rpc_unpack(const ProtobufCMessageDescriptor *desc, struct arena *arena,
                             size_t len, const uint8_t *data, int *over_budget);

/* The budget for len bytes on the wire. */
size_t rpc_unpack_budget(size_t len);

#endif
