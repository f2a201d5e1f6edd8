/* imsctl export / import: a tenant as a snapshot document (ims.v1.Tenants). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out_file.h"
#include "content_cli.h"
#include "ims/error.h"

/* Writes the stream's pieces to f as they come; 0 or an exit code. */
static int export_pieces(imsctl_ctx *ctx, ims_client_stream *s, FILE *f)
{
    for (;;) {
        ProtobufCMessage *m;
        int rc = ims_client_stream_next(s, &ims__v1__export_tenant_chunk__descriptor, &m);
        if (rc == IMS_EINTR && !imsctl_interrupted)
            continue;
        if (rc == 1)
            return fputc('\n', f) == EOF ? IMSCTL_EXIT_INVALID : 0;
        if (rc != 0)
            return imsctl_rpc_failed(ctx, rc);
        const Ims__V1__ExportTenantChunk *c = (const Ims__V1__ExportTenantChunk *)m;
        size_t n = fwrite(c->chunk.data, 1, c->chunk.len, f);
        size_t want = c->chunk.len;
        protobuf_c_message_free_unpacked(m, NULL);
        if (n != want) {
            perror("imsctl: export");
            return IMSCTL_EXIT_INVALID;
        }
    }
}

static int export_run(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *history = "all", *out = NULL;
    imsctl_flag flags[] = {IMSCTL_STRING("history", &history), IMSCTL_STRING("out", &out),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ExportTenantStreamRequest req = IMS__V1__EXPORT_TENANT_STREAM_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    if (strcmp(history, "all") == 0) {
        req.history = IMS__V1__EXPORT_HISTORY__EXPORT_HISTORY_ALL;
    } else if (strcmp(history, "window") == 0) {
        req.history = IMS__V1__EXPORT_HISTORY__EXPORT_HISTORY_WINDOW;
    } else {
        fprintf(stderr, "imsctl: --history: window or all\nusage: imsctl export %s\n", cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    /* A long history takes long: no deadline unless --timeout asks for one. */
    if ((rc = ims_client_connect(c)) != 0 ||
        (!ctx->timeout_given && (rc = ims_client_set_timeout(c, 0)) != 0))
        return imsctl_rpc_failed(ctx, rc);
    ims_client_stream *s;
    if ((rc = ims_client_export_tenant_stream(c, &req, &s)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    /* The document itself is JSON: written as is in both modes; to a file whole or not at
     * all (no half document, and a file there before stays when the export fails). */
    struct imsctl_out file;
    FILE *f = out ? imsctl_out_open(&file, out) : stdout;
    if (f == NULL) {
        ims_client_stream_close(s);
        return IMSCTL_EXIT_INVALID;
    }
    rc = export_pieces(ctx, s, f);
    ims_client_stream_close(s);
    if (out)
        rc = imsctl_out_close(&file, rc);
    else if (fflush(stdout) != 0 && rc == 0)
        rc = IMSCTL_EXIT_INVALID;
    return rc;
}

static int import_run(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *slug = NULL, *name = NULL, *sector = NULL, *size = NULL, *schema = NULL;
    long version = 0;
    imsctl_flag flags[] = {IMSCTL_STRING("slug", &slug),
                           IMSCTL_STRING("name", &name),
                           IMSCTL_STRING("sector", &sector),
                           IMSCTL_STRING("size", &size),
                           IMSCTL_STRING("schema", &schema),
                           IMSCTL_INT("schema-version", &version, 1, 1000000),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    if (!slug || !name || !sector || !size) {
        fprintf(stderr,
                "imsctl: --slug, --name, --sector and --size are required\nusage: "
                "imsctl import %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    /* Streamed in pieces (ImportTenantStream): no size limit, memory independent of the
     * document; no deadline unless --timeout asks for one, as for export. */
    FILE *in = strcmp(pos[0], "-") == 0 ? stdin : fopen(pos[0], "rb");
    if (in == NULL) {
        fprintf(stderr, "imsctl: INVALID_ARGUMENT: cannot read %s: %s\n", pos[0], strerror(errno));
        return IMSCTL_EXIT_INVALID;
    }
    Ims__V1__ImportTenantChunk first = IMS__V1__IMPORT_TENANT_CHUNK__INIT;
    first.slug = (char *)slug;
    first.display_name = (char *)name;
    first.sector = (char *)sector;
    first.size_band = (char *)size;
    first.schema_id = (char *)(schema ? schema : "");
    first.schema_version = (int32_t)version;
    ims_client *c = imsctl_client(ctx, &rc);
    Ims__V1__Tenant *t = NULL;
    if (c != NULL) {
        if ((rc = ims_client_connect(c)) == 0 &&
            (ctx->timeout_given || (rc = ims_client_set_timeout(c, 0)) == 0))
            rc = ims_client_import_tenant_stream(c, &first, in, &t);
        rc = rc != 0 ? imsctl_rpc_failed(ctx, rc) : imsctl_show(ctx, &t->base);
    }
    if (in != stdin)
        fclose(in);
    if (t != NULL)
        protobuf_c_message_free_unpacked(&t->base, NULL);
    return rc;
}

static const imsctl_command export_commands[] = {
    {NULL, "TENANT [--history window|all] [--out FILE]",
     "Writes the tenant's state as a snapshot document, streamed (default: all samples).",
     export_run},
    {0},
};

static const imsctl_command import_commands[] = {
    {NULL,
     "FILE --slug S --name N --sector X --size micro|small|medium [--schema ID "
     "[--schema-version N]]",
     "Creates a new tenant from a snapshot document (all or nothing), on the schema given or "
     "the best one for sector and size.",
     import_run},
    {0},
};

const imsctl_group imsctl_group_export = {"export", "export a tenant as a snapshot document",
                                          export_commands, NULL};
const imsctl_group imsctl_group_import = {"import", "create a tenant from a snapshot document",
                                          import_commands, NULL};
