/*
 * Messages from result rows by name: each column whose name is a field of the message
 * fills that field (strings, booleans "t"/"f", integers, doubles, repeated strings from a
 * PostgreSQL array literal). Lets a resource whose statements name their columns after its
 * message's fields answer without a hand-written copy per field. Strings point into the
 * result, which must outlive the message; everything else lives in the call's arena.
 */
#ifndef IMS_RPC_ROWMSG_H
#define IMS_RPC_ROWMSG_H

#include <libpq-fe.h>
#include <protobuf-c/protobuf-c.h>

#include "arena.h"

/* A new message of type desc in the arena, filled from row of r; NULL when out of memory. */
ProtobufCMessage *rowmsg_new(struct arena *arena, const ProtobufCMessageDescriptor *desc,
                             PGresult *r, int row);

/* Sets the repeated message field name of msg to the messages of rows [from, to) of r.
 * Returns 0 or -1 (out of memory, or no such field). */
int rowmsg_set_rows(struct arena *arena, ProtobufCMessage *msg, const char *name, PGresult *r,
                    int from, int to);

/* Sets a singular field of msg by name: a message, a string, a double or an int64.
 * Returns 0, or -1 when msg has no such field of that type. */
int rowmsg_set_message(ProtobufCMessage *msg, const char *name, ProtobufCMessage *value);
int rowmsg_set_string(ProtobufCMessage *msg, const char *name, const char *value);
int rowmsg_set_double(ProtobufCMessage *msg, const char *name, double value);
int rowmsg_set_int64(ProtobufCMessage *msg, const char *name, int64_t value);

/* The elements of a PostgreSQL text[] literal ("{a,\"b c\"}"), NULL-terminated, in the arena;
 * NULL when out of memory or malformed. */
char **rowmsg_array(struct arena *arena, const char *literal, size_t *n);

#endif
