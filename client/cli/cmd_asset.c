/* imsctl asset: a tenant's assets (ims.v1.Risk). */
#include "content_cli.h"
#include "ims/v1/risk.pb-c.h"

static int asset_put(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *name = NULL, *type = NULL, *owner = "";
    long c = 0, i = 0, a = 0;
    imsctl_flag flags[] = {IMSCTL_STRING("name", &name), IMSCTL_STRING("type", &type),
                           IMSCTL_STRING("owner", &owner), IMSCTL_INT("c", &c, 0, 5),
                           IMSCTL_INT("i", &i, 0, 5),     IMSCTL_INT("a", &a, 0, 5),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (!name || !type) {
        fprintf(stderr, "imsctl: --name and --type are required\nusage: imsctl asset put %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    Ims__V1__Asset asset = IMS__V1__ASSET__INIT;
    asset.id = (char *)pos[1];
    asset.name = (char *)name;
    asset.type = (char *)type;
    asset.owner = (char *)owner;
    asset.confidentiality = (int32_t)c;
    asset.integrity = (int32_t)i;
    asset.availability = (int32_t)a;
    Ims__V1__PutAssetRequest req = IMS__V1__PUT_ASSET_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.asset = &asset;
    return imsctl_content_call(ctx, "/ims.v1.Risk/PutAsset", &req.base,
                               &ims__v1__put_asset_response__descriptor, NULL, NULL);
}

static int asset_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ListAssetsRequest req = IMS__V1__LIST_ASSETS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    static const char *const cols[] = {"id",        "name",         "type", "owner",
                                       "confidentiality", "integrity", "availability", NULL};
    return imsctl_list_all(ctx, "/ims.v1.Risk/ListAssets", &req.base,
                           &ims__v1__list_assets_response__descriptor, "assets", cols);
}

static int asset_delete(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    Ims__V1__DeleteAssetRequest req = IMS__V1__DELETE_ASSET_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    return imsctl_content_call(ctx, "/ims.v1.Risk/DeleteAsset", &req.base,
                               &ims__v1__delete_asset_response__descriptor, NULL, NULL);
}

static const imsctl_command commands[] = {
    {"put", "TENANT ID --name N --type T [--owner O] [--c 0-5] [--i 0-5] [--a 0-5]",
     "Creates or replaces an asset with its confidentiality, integrity and availability values.",
     asset_put},
    {"list", "TENANT", "Lists the tenant's assets.", asset_list},
    {"delete", "TENANT ID", "Deletes an asset.", asset_delete},
    {0},
};

const imsctl_group imsctl_group_asset = {"asset", "manage a tenant's assets", commands, NULL};
