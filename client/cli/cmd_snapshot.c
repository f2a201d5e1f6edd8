/* imsctl export / import: a tenant as a snapshot document (ims.v1.Tenants). */
#include <stdlib.h>

#include "content_cli.h"

static int export_run(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ExportTenantRequest req = IMS__V1__EXPORT_TENANT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    ProtobufCMessage *resp = NULL;
    if ((rc = imsctl_content_fetch(ctx, "/ims.v1.Tenants/ExportTenant", &req.base,
                                   &ims__v1__export_tenant_response__descriptor, &resp)) != 0)
        return rc;
    /* The document itself is JSON: printed as is in both modes. */
    printf("%s\n", ((Ims__V1__ExportTenantResponse *)resp)->snapshot);
    protobuf_c_message_free_unpacked(resp, NULL);
    return 0;
}

static int import_run(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *slug = NULL, *name = NULL, *sector = NULL, *size = NULL;
    imsctl_flag flags[] = {IMSCTL_STRING("slug", &slug), IMSCTL_STRING("name", &name),
                           IMSCTL_STRING("sector", &sector), IMSCTL_STRING("size", &size),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    if (!slug || !name || !sector || !size) {
        fprintf(stderr, "imsctl: --slug, --name, --sector and --size are required\nusage: "
                        "imsctl import %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    char *doc = imsctl_read_file(pos[0]);
    if (!doc)
        return IMSCTL_EXIT_INVALID;
    Ims__V1__ImportTenantRequest req = IMS__V1__IMPORT_TENANT_REQUEST__INIT;
    req.slug = (char *)slug;
    req.display_name = (char *)name;
    req.sector = (char *)sector;
    req.size_band = (char *)size;
    req.snapshot = doc;
    rc = imsctl_content_call(ctx, "/ims.v1.Tenants/ImportTenant", &req.base,
                             &ims__v1__tenant__descriptor, NULL, NULL);
    free(doc);
    return rc;
}

static const imsctl_command export_commands[] = {
    {NULL, "TENANT > FILE", "Writes the tenant's whole state as a snapshot document.",
     export_run},
    {0},
};

static const imsctl_command import_commands[] = {
    {NULL, "FILE --slug S --name N --sector X --size micro|small|medium",
     "Creates a new tenant from a snapshot document (all or nothing).", import_run},
    {0},
};

const imsctl_group imsctl_group_export = {"export", "export a tenant as a snapshot document",
                                          export_commands, NULL};
const imsctl_group imsctl_group_import = {"import", "create a tenant from a snapshot document",
                                          import_commands, NULL};
