/* imsctl output: messages as JSON or as text for people. */
#include "output.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static const void *field_ptr(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    return (const char *)msg + f->offset;
}

static size_t field_count(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    if (f->label != PROTOBUF_C_LABEL_REPEATED)
        return 1;
    return *(const size_t *)((const char *)msg + f->quantifier_offset);
}

/* Address of element i of a field (i = 0 for a singular field). */
static const void *element(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f, size_t i)
{
    static const size_t sizes[] = {
        [PROTOBUF_C_TYPE_INT32] = 4,
        [PROTOBUF_C_TYPE_SINT32] = 4,
        [PROTOBUF_C_TYPE_SFIXED32] = 4,
        [PROTOBUF_C_TYPE_INT64] = 8,
        [PROTOBUF_C_TYPE_SINT64] = 8,
        [PROTOBUF_C_TYPE_SFIXED64] = 8,
        [PROTOBUF_C_TYPE_UINT32] = 4,
        [PROTOBUF_C_TYPE_FIXED32] = 4,
        [PROTOBUF_C_TYPE_UINT64] = 8,
        [PROTOBUF_C_TYPE_FIXED64] = 8,
        [PROTOBUF_C_TYPE_FLOAT] = 4,
        [PROTOBUF_C_TYPE_DOUBLE] = 8,
        [PROTOBUF_C_TYPE_BOOL] = sizeof(protobuf_c_boolean),
        [PROTOBUF_C_TYPE_ENUM] = sizeof(int),
        [PROTOBUF_C_TYPE_STRING] = sizeof(char *),
        [PROTOBUF_C_TYPE_BYTES] = sizeof(ProtobufCBinaryData),
        [PROTOBUF_C_TYPE_MESSAGE] = sizeof(void *),
    };
    if (f->label != PROTOBUF_C_LABEL_REPEATED)
        return field_ptr(msg, f);
    return *(const char *const *)field_ptr(msg, f) + i * sizes[f->type];
}

/* A JSON string of text from the server; bytes that are not UTF-8 (protobuf-c does not
 * check) become U+FFFD, so that --json prints something rather than failing. */
static json_t *json_text(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char *fixed = malloc(n * 3 + 1);
    if (!fixed)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4 : 0;
        json_t *one = len && i + len <= n && c != 0 ? json_stringn(s + i, len) : NULL;
        if (one) {
            memcpy(fixed + k, s + i, len);
            k += len;
            i += len;
            json_decref(one);
        } else {
            memcpy(fixed + k, "\xef\xbf\xbd", 3);
            k += 3;
            i++;
        }
    }
    j = json_stringn(fixed, k);
    free(fixed);
    return j;
}

static json_t *json_scalar(const ProtobufCFieldDescriptor *f, const void *p)
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
        return json_real(*(const float *)p);
    case PROTOBUF_C_TYPE_DOUBLE:
        return json_real(*(const double *)p);
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *)p);
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)p);
        return v ? json_string(v->name) : json_integer(*(const int *)p);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(const char *const *)p;
        return json_text(s ? s : "", s ? strlen(s) : 0);
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        return json_text((const char *)b->data, b->len);
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(const ProtobufCMessage *const *)p;
        return m ? imsctl_json_message(m) : json_null();
    }
    }
    return NULL;
}

json_t *imsctl_json_message(const ProtobufCMessage *msg)
{
    json_t *obj = json_object();
    if (obj == NULL)
        return NULL;
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        json_t *v;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            v = json_array();
            size_t n = field_count(msg, f);
            for (size_t k = 0; v && k < n; k++)
                if (json_array_append_new(v, json_scalar(f, element(msg, f, k))) != 0) {
                    json_decref(v);
                    v = NULL;
                }
        } else {
            v = json_scalar(f, field_ptr(msg, f));
        }
        if (v == NULL || json_object_set_new(obj, f->name, v) != 0) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

int imsctl_json_print(FILE *out, json_t *j)
{
    if (j == NULL) {
        fprintf(stderr, "imsctl: INTERNAL: out of memory\n");
        return IMSCTL_EXIT_FAILURE;
    }
    int rc = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(j);
    fputc('\n', out);
    return rc == 0 ? 0 : IMSCTL_EXIT_FAILURE;
}

static void scalar_text(const ProtobufCFieldDescriptor *f, const void *p, char *out, size_t len)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        snprintf(out, len, "%" PRId32, *(const int32_t *)p);
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        snprintf(out, len, "%" PRIu32, *(const uint32_t *)p);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        snprintf(out, len, "%" PRId64, *(const int64_t *)p);
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        snprintf(out, len, "%" PRIu64, *(const uint64_t *)p);
        break;
    case PROTOBUF_C_TYPE_FLOAT:
        snprintf(out, len, "%g", *(const float *)p);
        break;
    case PROTOBUF_C_TYPE_DOUBLE:
        snprintf(out, len, "%.4g", *(const double *)p);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        snprintf(out, len, "%s", *(const protobuf_c_boolean *)p ? "yes" : "no");
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)p);
        if (v)
            snprintf(out, len, "%s", v->name);
        else
            snprintf(out, len, "%d", *(const int *)p);
        break;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(const char *const *)p;
        snprintf(out, len, "%s", s ? s : "");
        break;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        snprintf(out, len, "(%zu bytes)", b->len);
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        snprintf(out, len, "%s", *(const void *const *)p ? "{...}" : "");
        break;
    }
}

char *imsctl_sanitize(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
            *p = '?';
        else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) /* C1, as UTF-8 */
            p[0] = p[1] = '?';
    }
    return s;
}

void imsctl_field_text(const ProtobufCMessage *msg, const char *field, char *out, size_t outlen)
{
    out[0] = '\0';
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, field);
    if (f == NULL)
        return;
    if (f->label != PROTOBUF_C_LABEL_REPEATED) {
        scalar_text(f, field_ptr(msg, f), out, outlen);
        imsctl_sanitize(out);
        return;
    }
    size_t n = field_count(msg, f), used = 0;
    for (size_t i = 0; i < n && used + 1 < outlen; i++) {
        char item[256];
        scalar_text(f, element(msg, f, i), item, sizeof(item));
        int w = snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", item);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    imsctl_sanitize(out);
}

static void print_object_indented(FILE *out, const ProtobufCMessage *msg, int indent)
{
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    size_t width = 0;
    for (unsigned i = 0; i < d->n_fields; i++)
        if (strlen(d->fields[i].name) > width)
            width = strlen(d->fields[i].name);
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            size_t n = field_count(msg, f);
            for (size_t k = 0; k < n; k++) {
                const ProtobufCMessage *m = *(const ProtobufCMessage *const *)element(msg, f, k);
                if (m == NULL)
                    continue;
                fprintf(out, "%*s%s:\n", indent, "", f->name);
                print_object_indented(out, m, indent + 2);
            }
            continue;
        }
        char text[4096];
        imsctl_field_text(msg, f->name, text, sizeof(text));
        fprintf(out, "%*s%-*s  %s\n", indent, "", (int)width + 1, f->name, text);
    }
}

void imsctl_print_object(FILE *out, const ProtobufCMessage *msg)
{
    print_object_indented(out, msg, 0);
}

int imsctl_print_table(FILE *out, const ProtobufCMessage *const *rows, size_t n,
                       const char *const *columns)
{
    size_t ncol = 0;
    while (columns[ncol])
        ncol++;
    size_t *width = calloc(ncol ? ncol : 1, sizeof(*width));
    char **cells = calloc(n * ncol + 1, sizeof(*cells));
    if (width == NULL || cells == NULL) {
        free(width);
        free(cells);
        fprintf(stderr, "imsctl: INTERNAL: out of memory\n");
        return IMSCTL_EXIT_FAILURE;
    }
    int rc = 0;
    for (size_t c = 0; c < ncol; c++)
        width[c] = strlen(columns[c]);
    for (size_t r = 0; r < n && rc == 0; r++)
        for (size_t c = 0; c < ncol; c++) {
            char text[1024];
            imsctl_field_text(rows[r], columns[c], text, sizeof(text));
            for (char *p = text; *p; p++)
                if (*p == '\n' || *p == '\t')
                    *p = ' ';
            cells[r * ncol + c] = strdup(text);
            if (cells[r * ncol + c] == NULL) {
                rc = IMSCTL_EXIT_FAILURE;
                break;
            }
            if (strlen(text) > width[c])
                width[c] = strlen(text);
        }
    if (rc == 0) {
        for (size_t c = 0; c < ncol; c++) {
            for (const char *p = columns[c]; *p; p++)
                fputc(*p == '_' ? ' ' : (*p >= 'a' && *p <= 'z' ? *p - 32 : *p), out);
            if (c + 1 < ncol)
                fprintf(out, "%*s", (int)(width[c] - strlen(columns[c]) + 2), "");
        }
        fputc('\n', out);
        for (size_t r = 0; r < n; r++) {
            for (size_t c = 0; c < ncol; c++) {
                if (c + 1 < ncol)
                    fprintf(out, "%-*s  ", (int)width[c], cells[r * ncol + c]);
                else
                    fputs(cells[r * ncol + c], out);
            }
            fputc('\n', out);
        }
    } else {
        fprintf(stderr, "imsctl: INTERNAL: out of memory\n");
    }
    for (size_t i = 0; i < n * ncol; i++)
        free(cells[i]);
    free(cells);
    free(width);
    return rc;
}
