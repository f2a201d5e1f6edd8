/* Protobuf messages as JSON and back through protobuf-c's descriptors. See pbjson.h. */
#include "pbjson.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims/error.h"

#define MAX_DEPTH 16

/* --- message -> JSON --- */

static json_t *base64(const ProtobufCBinaryData *b)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = (b->len + 2) / 3 * 4;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < b->len; i += 3) {
        unsigned v = (unsigned)b->data[i] << 16;
        if (i + 1 < b->len)
            v |= (unsigned)b->data[i + 1] << 8;
        if (i + 2 < b->len)
            v |= b->data[i + 2];
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = i + 1 < b->len ? tab[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < b->len ? tab[v & 63] : '=';
    }
    out[o] = '\0';
    json_t *j = json_stringn(out, o);
    free(out);
    return j;
}

static json_t *real(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *message_json(const ProtobufCMessage *m, int depth);

/* One value of field f at p. */
static json_t *value_json(const ProtobufCFieldDescriptor *f, const void *p, int depth)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *)p);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *)p);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return json_integer(*(const int64_t *)p);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return json_integer((json_int_t) * (const uint64_t *)p);
    case PROTOBUF_C_TYPE_FLOAT:
        return real(*(const float *)p);
    case PROTOBUF_C_TYPE_DOUBLE:
        return real(*(const double *)p);
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *)p);
    case PROTOBUF_C_TYPE_ENUM: {
        int v = *(const int *)p;
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
        return ev ? json_string(ev->name) : json_integer(v);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return json_string(s ? s : "");
    }
    case PROTOBUF_C_TYPE_BYTES:
        return base64((const ProtobufCBinaryData *)p);
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;
        return sub ? message_json(sub, depth + 1) : json_null();
    }
    }
    return json_null();
}

static size_t value_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_ENUM:
        return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_FLOAT:
        return 4;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    }
    return 0;
}

/* 0 when an optional or oneof member is not set (left out). */
static int is_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    const char *base = (const char *)m;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *)(base + f->quantifier_offset) == f->id;
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL) {
        if (f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_STRING)
            return *(void *const *)(base + f->offset) != NULL;
        return *(const protobuf_c_boolean *)(base + f->quantifier_offset);
    }
    return 1;
}

static json_t *message_json(const ProtobufCMessage *m, int depth)
{
    if (depth > MAX_DEPTH)
        return json_null();
    json_t *o = json_object();
    if (!o)
        return NULL;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    const char *base = (const char *)m;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        json_t *v;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            const char *items = *(char *const *)(base + f->offset);
            v = json_array();
            for (size_t k = 0; v && k < n; k++)
                if (json_array_append_new(v, value_json(f, items + k * value_size(f), depth)) !=
                    0) {
                    json_decref(v);
                    v = NULL;
                }
        } else {
            if (!is_present(m, f))
                continue;
            v = value_json(f, base + f->offset, depth);
        }
        if (!v || json_object_set_new(o, f->name, v) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

json_t *pbjson_from_message(const ProtobufCMessage *message)
{
    return message_json(message, 0);
}

/* --- JSON -> message: built in memory kept on a list, packed, unpacked by protobuf-c --- */

struct built {
    void **ptrs;
    size_t n, cap;
    char *err;
    size_t err_len;
};

static void *keep(struct built *b, size_t size)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        void **p = realloc(b->ptrs, cap * sizeof *p);
        if (!p)
            return NULL;
        b->ptrs = p;
        b->cap = cap;
    }
    void *mem = calloc(1, size ? size : 1);
    if (mem)
        b->ptrs[b->n++] = mem;
    return mem;
}

static int fail(struct built *b, const char *path, const char *why)
{
    snprintf(b->err, b->err_len, "%s: %s", path, why);
    return IMS_EINVAL;
}

static int build_message(struct built *b, const ProtobufCMessageDescriptor *d, const json_t *o,
                         const char *path, int depth, ProtobufCMessage **out);

static int set_value(struct built *b, const ProtobufCFieldDescriptor *f, const json_t *v, void *p,
                     const char *path, int depth)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: {
        if (!json_is_integer(v))
            return fail(b, path, "an integer is expected");
        json_int_t x = json_integer_value(v);
        int is_unsigned = f->type == PROTOBUF_C_TYPE_UINT32 || f->type == PROTOBUF_C_TYPE_FIXED32;
        if (is_unsigned ? (x < 0 || x > (json_int_t)UINT32_MAX) : (x < INT32_MIN || x > INT32_MAX))
            return fail(b, path, "out of range");
        if (is_unsigned)
            *(uint32_t *)p = (uint32_t)x;
        else
            *(int32_t *)p = (int32_t)x;
        return 0;
    }
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        if (!json_is_integer(v))
            return fail(b, path, "an integer is expected");
        if ((f->type == PROTOBUF_C_TYPE_UINT64 || f->type == PROTOBUF_C_TYPE_FIXED64) &&
            json_integer_value(v) < 0)
            return fail(b, path, "out of range");
        *(int64_t *)p = json_integer_value(v);
        return 0;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
        if (!json_is_number(v))
            return fail(b, path, "a number is expected");
        if (f->type == PROTOBUF_C_TYPE_FLOAT)
            *(float *)p = (float)json_number_value(v);
        else
            *(double *)p = json_number_value(v);
        return 0;
    case PROTOBUF_C_TYPE_BOOL:
        if (!json_is_boolean(v))
            return fail(b, path, "true or false is expected");
        *(protobuf_c_boolean *)p = json_is_true(v);
        return 0;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *ev = NULL;
        if (json_is_string(v))
            ev = protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, json_string_value(v));
        else if (json_is_integer(v))
            ev = protobuf_c_enum_descriptor_get_value(f->descriptor, (int)json_integer_value(v));
        if (!ev)
            return fail(b, path, "not a value of the enum");
        *(int *)p = ev->value;
        return 0;
    }
    case PROTOBUF_C_TYPE_STRING: {
        if (!json_is_string(v))
            return fail(b, path, "a string is expected");
        size_t n = json_string_length(v);
        char *s = keep(b, n + 1);
        if (!s)
            return IMS_ENOMEM;
        memcpy(s, json_string_value(v), n);
        if (memchr(s, '\0', n))
            return fail(b, path, "a string may not hold NUL");
        *(char **)p = s;
        return 0;
    }
    case PROTOBUF_C_TYPE_BYTES:
        return fail(b, path, "bytes fields are not taken as JSON");
    case PROTOBUF_C_TYPE_MESSAGE:
        return build_message(b, f->descriptor, v, path, depth + 1, (ProtobufCMessage **)p);
    }
    return fail(b, path, "unsupported type");
}

static int build_message(struct built *b, const ProtobufCMessageDescriptor *d, const json_t *o,
                         const char *path, int depth, ProtobufCMessage **out)
{
    if (depth > MAX_DEPTH)
        return fail(b, path, "nested too deeply");
    if (!json_is_object(o))
        return fail(b, path, "an object is expected");
    ProtobufCMessage *m = keep(b, d->sizeof_message);
    if (!m)
        return IMS_ENOMEM;
    protobuf_c_message_init(d, m);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        char sub[256];
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, key);
        if (!f)
            return fail(b, sub, "no such field");
        char *base = (char *)m;
        int rc;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            if (!json_is_array(v))
                return fail(b, sub, "an array is expected");
            size_t n = json_array_size(v);
            char *items = keep(b, n * value_size(f));
            if (!items)
                return IMS_ENOMEM;
            for (size_t k = 0; k < n; k++) {
                char item[280];
                snprintf(item, sizeof item, "%s[%zu]", sub, k);
                if ((rc = set_value(b, f, json_array_get(v, k), items + k * value_size(f), item,
                                    depth)) != 0)
                    return rc;
            }
            *(size_t *)(base + f->quantifier_offset) = n;
            *(char **)(base + f->offset) = items;
            continue;
        }
        if (json_is_null(v))
            continue;
        if ((rc = set_value(b, f, v, base + f->offset, sub, depth)) != 0)
            return rc;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
            *(uint32_t *)(base + f->quantifier_offset) = f->id;
        else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_MESSAGE &&
                 f->type != PROTOBUF_C_TYPE_STRING)
            *(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
    }
    *out = m;
    return 0;
}

int pbjson_to_message(const ProtobufCMessageDescriptor *desc, const json_t *object,
                      ProtobufCMessage **out, char *err, size_t err_len)
{
    struct built b = {.err = err, .err_len = err_len};
    ProtobufCMessage *m = NULL;
    int rc = build_message(&b, desc, object, "", 0, &m);
    if (rc == 0) {
        size_t len = protobuf_c_message_get_packed_size(m);
        uint8_t *packed = malloc(len ? len : 1);
        if (packed) {
            protobuf_c_message_pack(m, packed);
            *out = protobuf_c_message_unpack(desc, NULL, len, packed);
        }
        free(packed);
        if (!packed || !*out)
            rc = IMS_ENOMEM;
    }
    if (rc == IMS_ENOMEM)
        snprintf(err, err_len, "out of memory");
    for (size_t i = 0; i < b.n; i++)
        free(b.ptrs[i]);
    free(b.ptrs);
    return rc;
}
