/* Result rows into protobuf messages by column name, through the messages' descriptors. */
#include "rowmsg.h"

#include <stdlib.h>
#include <string.h>

char **rowmsg_array(struct arena *arena, const char *s, size_t *n)
{
    size_t len = strlen(s);
    *n = 0;
    if (len < 2 || s[0] != '{' || s[len - 1] != '}')
        return NULL;
    char **out = arena_alloc(arena, (len / 2 + 2) * sizeof *out);
    char *buf = arena_alloc(arena, len + 1);
    if (!out || !buf)
        return NULL;
    const char *p = s + 1, *end = s + len - 1;
    while (p < end) {
        char *item = buf;
        if (*p == '"') {
            for (p++; p < end && *p != '"'; p++) {
                if (*p == '\\' && p + 1 < end)
                    p++;
                *buf++ = *p;
            }
            p++; /* the closing quote */
        } else {
            while (p < end && *p != ',')
                *buf++ = *p++;
        }
        *buf++ = '\0';
        out[(*n)++] = item;
        if (p < end && *p == ',')
            p++;
    }
    out[*n] = NULL;
    return out;
}

static void *field_ptr(ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    return (char *)msg + f->offset;
}

static int fill_field(struct arena *arena, ProtobufCMessage *msg,
                      const ProtobufCFieldDescriptor *f, const char *value)
{
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        if (f->type != PROTOBUF_C_TYPE_STRING)
            return 0;
        size_t n;
        char **items = rowmsg_array(arena, value, &n);
        if (!items)
            return -1;
        *(size_t *)((char *)msg + f->quantifier_offset) = n;
        *(char ***)field_ptr(msg, f) = items;
        return 0;
    }
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
        *(const char **)field_ptr(msg, f) = value;
        return 0;
    case PROTOBUF_C_TYPE_BOOL:
        *(protobuf_c_boolean *)field_ptr(msg, f) = value[0] == 't';
        return 0;
    case PROTOBUF_C_TYPE_INT32:
        *(int32_t *)field_ptr(msg, f) = (int32_t)strtol(value, NULL, 10);
        return 0;
    case PROTOBUF_C_TYPE_INT64:
        *(int64_t *)field_ptr(msg, f) = strtoll(value, NULL, 10);
        return 0;
    case PROTOBUF_C_TYPE_DOUBLE:
        *(double *)field_ptr(msg, f) = strtod(value, NULL);
        return 0;
    default:
        return 0;
    }
}

ProtobufCMessage *rowmsg_new(struct arena *arena, const ProtobufCMessageDescriptor *desc,
                             PGresult *r, int row)
{
    ProtobufCMessage *msg = arena_alloc(arena, desc->sizeof_message);
    if (!msg)
        return NULL;
    desc->message_init(msg);
    int cols = PQnfields(r);
    for (int c = 0; c < cols; c++) {
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(desc, PQfname(r, c));
        if (f && !PQgetisnull(r, row, c) && fill_field(arena, msg, f, PQgetvalue(r, row, c)) != 0)
            return NULL;
    }
    return msg;
}

static const ProtobufCFieldDescriptor *field_of(ProtobufCMessage *msg, const char *name,
                                                ProtobufCType type, ProtobufCLabel label)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
    if (!f || f->type != type || (f->label == PROTOBUF_C_LABEL_REPEATED) != (label == PROTOBUF_C_LABEL_REPEATED))
        return NULL;
    return f;
}

int rowmsg_set_rows(struct arena *arena, ProtobufCMessage *msg, const char *name, PGresult *r,
                    int from, int to)
{
    const ProtobufCFieldDescriptor *f =
        field_of(msg, name, PROTOBUF_C_TYPE_MESSAGE, PROTOBUF_C_LABEL_REPEATED);
    if (!f)
        return -1;
    int n = to > from ? to - from : 0;
    ProtobufCMessage **items = arena_alloc(arena, ((size_t)n + 1) * sizeof *items);
    if (!items)
        return -1;
    for (int i = 0; i < n; i++)
        if (!(items[i] = rowmsg_new(arena, f->descriptor, r, from + i)))
            return -1;
    *(size_t *)((char *)msg + f->quantifier_offset) = (size_t)n;
    *(ProtobufCMessage ***)field_ptr(msg, f) = items;
    return 0;
}

int rowmsg_set_message(ProtobufCMessage *msg, const char *name, ProtobufCMessage *value)
{
    const ProtobufCFieldDescriptor *f =
        field_of(msg, name, PROTOBUF_C_TYPE_MESSAGE, PROTOBUF_C_LABEL_NONE);
    if (!f)
        return -1;
    *(ProtobufCMessage **)field_ptr(msg, f) = value;
    return 0;
}

int rowmsg_set_string(ProtobufCMessage *msg, const char *name, const char *value)
{
    const ProtobufCFieldDescriptor *f =
        field_of(msg, name, PROTOBUF_C_TYPE_STRING, PROTOBUF_C_LABEL_NONE);
    if (!f)
        return -1;
    *(const char **)field_ptr(msg, f) = value;
    return 0;
}

int rowmsg_set_double(ProtobufCMessage *msg, const char *name, double value)
{
    const ProtobufCFieldDescriptor *f =
        field_of(msg, name, PROTOBUF_C_TYPE_DOUBLE, PROTOBUF_C_LABEL_NONE);
    if (!f)
        return -1;
    *(double *)field_ptr(msg, f) = value;
    return 0;
}

int rowmsg_set_int64(ProtobufCMessage *msg, const char *name, int64_t value)
{
    const ProtobufCFieldDescriptor *f =
        field_of(msg, name, PROTOBUF_C_TYPE_INT64, PROTOBUF_C_LABEL_NONE);
    if (!f)
        return -1;
    *(int64_t *)field_ptr(msg, f) = value;
    return 0;
}
