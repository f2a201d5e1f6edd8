/*
 * Protobuf messages as JSON and back, driven by protobuf-c's descriptors: any message of
 * the API, no per-message code. Field names are the .proto names (snake_case); enums are
 * their names; 64-bit integers are JSON numbers; bytes are base64; a proto3 `optional` or
 * oneof member that is not set is left out, every other field is written.
 */
#ifndef IMS_BOARD_PBJSON_H
#define IMS_BOARD_PBJSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* The message as a new JSON object, or NULL on ENOMEM. */
json_t *pbjson_from_message(const ProtobufCMessage *message);

/* A message of type desc from a JSON object: unknown names and mistyped values are
 * refused with the field's name in err. *out is freed with
 * protobuf_c_message_free_unpacked(*out, NULL). Returns 0, IMS_EINVAL or IMS_ENOMEM. */
int pbjson_to_message(const ProtobufCMessageDescriptor *desc, const json_t *object,
                      ProtobufCMessage **out, char *err, size_t err_len)
    __attribute__((warn_unused_result));

#endif
