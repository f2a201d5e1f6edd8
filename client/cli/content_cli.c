/* What the content command groups share: one call printed as JSON, a table or key: value
 * lines. */
#include "content_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

int imsctl_content_fetch(imsctl_ctx *ctx, const char *path, const ProtobufCMessage *req,
                         const ProtobufCMessageDescriptor *resp_type, ProtobufCMessage **resp)
{
    int rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    *resp = NULL;
    rc = ims_client_call(c, path, req, resp_type, resp);
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    return 0;
}

int imsctl_content_call(imsctl_ctx *ctx, const char *path, const ProtobufCMessage *req,
                        const ProtobufCMessageDescriptor *resp_type, const char *items,
                        const char *const *columns)
{
    ProtobufCMessage *resp = NULL;
    int rc = imsctl_content_fetch(ctx, path, req, resp_type, &resp);
    if (rc != 0)
        return rc;
    const ProtobufCFieldDescriptor *f =
        items ? protobuf_c_message_descriptor_get_field_by_name(resp_type, items) : NULL;
    if (imsctl_json(ctx) || f == NULL) {
        rc = imsctl_show(ctx, resp);
    } else {
        size_t n = *(const size_t *)((const char *)resp + f->quantifier_offset);
        const ProtobufCMessage *const *rows =
            *(const ProtobufCMessage *const *const *)((const char *)resp + f->offset);
        rc = imsctl_print_table(stdout, rows, n, columns);
    }
    protobuf_c_message_free_unpacked(resp, NULL);
    return rc;
}

char *imsctl_read_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "imsctl: INVALID_ARGUMENT: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (len + 1 < cap)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f);
    if (f != stdin)
        fclose(f);
    if (!buf || failed) {
        free(buf);
        fprintf(stderr, "imsctl: INTERNAL: cannot read %s\n", path);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

void imsctl_print_detail(const ProtobufCMessage *msg, const char *const *fields,
                         const char *const *tables)
{
    size_t width = 0;
    for (const char *const *f = fields; *f; f++)
        width = strlen(*f) > width ? strlen(*f) : width;
    for (const char *const *f = fields; *f; f++) {
        char value[512];
        imsctl_field_text(msg, *f, value, sizeof value);
        printf("%-*s  %s\n", (int)width, *f, value);
    }
    for (const char *const *t = tables; *t;) {
        const ProtobufCFieldDescriptor *fd =
            protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, *t);
        const char *const *columns = t + 1;
        while (*t)
            t++;
        t++;
        if (!fd)
            continue;
        size_t n = *(const size_t *)((const char *)msg + fd->quantifier_offset);
        if (n == 0)
            continue;
        const ProtobufCMessage *const *rows =
            *(const ProtobufCMessage *const *const *)((const char *)msg + fd->offset);
        printf("\n");
        imsctl_print_table(stdout, rows, n, columns);
    }
}
