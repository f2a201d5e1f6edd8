/*
 * imsctl's output: protobuf messages as JSON (field names as in the .proto,
 * every field present, int64 as numbers) or as text for people (key: value
 * for one object, aligned columns for lists).
 */
#ifndef IMSCTL_OUTPUT_H
#define IMSCTL_OUTPUT_H

#include <stdio.h>

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* A new JSON object for msg; NULL when out of memory. */
json_t *imsctl_json_message(const ProtobufCMessage *msg);

/* Prints one JSON document and a newline to out, consuming j. Returns 0 or IMSCTL_EXIT_FAILURE. */
int imsctl_json_print(FILE *out, json_t *j);

/* Prints every field as "name: value" lines, nested messages indented. */
void imsctl_print_object(FILE *out, const ProtobufCMessage *msg);

/*
 * Prints rows (messages of one type) as aligned columns under upper-cased
 * headers; `columns` is a NULL-terminated list of field names.
 * Returns 0 or IMSCTL_EXIT_FAILURE when out of memory.
 */
int imsctl_print_table(FILE *out, const ProtobufCMessage *const *rows, size_t n,
                       const char *const *columns);

/* Writes a field's value as text ("a, b" for repeated strings); "" when unset. */
void imsctl_field_text(const ProtobufCMessage *msg, const char *field, char *out, size_t outlen);
/* Text from the server made safe for a terminal, in place: control characters (but newline
 * and tab) and C1 controls become '?', so no escape sequence reaches the terminal. */
char *imsctl_sanitize(char *s);

#endif
