/* imsctl tenant: create, get, list (ims.v1.Tenants). */
#include <string.h>

#include "imsctl.h"
#include "output.h"

static const char *const size_bands[] = {"micro", "small", "medium", NULL};

static int show_tenant(imsctl_ctx *ctx, int rc, Ims__V1__Tenant *t)
{
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    rc = imsctl_show(ctx, &t->base);
    ims__v1__tenant__free_unpacked(t, NULL);
    return rc;
}

static int tenant_create(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *slug = NULL, *name = NULL, *sector = NULL, *size = NULL, *schema = "", *key = "";
    long version = 0;
    imsctl_flag flags[] = {
        IMSCTL_STRING("slug", &slug),           IMSCTL_STRING("name", &name),
        IMSCTL_STRING("sector", &sector),       IMSCTL_STRING("size", &size),
        IMSCTL_STRING("schema", &schema),       IMSCTL_INT("schema-version", &version, 1, 1000000),
        IMSCTL_STRING("idempotency-key", &key), IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 0, 0);
    if (rc >= 0)
        return rc;
    if (!slug || !name || !sector || !size) {
        fprintf(stderr,
                "imsctl: --slug, --name, --sector and --size are required\nusage: imsctl "
                "tenant create %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    size_t slug_len = strlen(slug);
    if (slug_len < 2 || slug_len > 63 ||
        strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != slug_len)
        return imsctl_invalid("--slug must be 2..63 characters of a-z, 0-9 and '-'");
    if (name[0] == '\0' || strlen(name) > 200)
        return imsctl_invalid("--name must be 1..200 characters");
    if ((rc = imsctl_choice_arg("--size", size, size_bands)) != 0)
        return rc;
    if (version != 0 && schema[0] == '\0')
        return imsctl_invalid("--schema-version needs --schema");
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__CreateTenantRequest req = IMS__V1__CREATE_TENANT_REQUEST__INIT;
    req.slug = (char *)slug;
    req.display_name = (char *)name;
    req.sector = (char *)sector;
    req.size_band = (char *)size;
    req.schema_id = (char *)schema;
    req.schema_version = (int32_t)version;
    req.idempotency_key = (char *)key;
    Ims__V1__Tenant *t = NULL;
    rc = ims_client_create_tenant(c, &req, &t);
    return show_tenant(ctx, rc, t);
}

static int tenant_get(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetTenantRequest req = IMS__V1__GET_TENANT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    Ims__V1__Tenant *t = NULL;
    rc = ims_client_get_tenant(c, &req, &t);
    return show_tenant(ctx, rc, t);
}

static int tenant_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long page_size = 0;
    imsctl_flag flags[] = {IMSCTL_INT("page-size", &page_size, 1, 1000), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 0, 0);
    if (rc >= 0)
        return rc;
    Ims__V1__ListTenantsRequest req = IMS__V1__LIST_TENANTS_REQUEST__INIT;
    req.page_size = (int32_t)page_size;
    static const char *const columns[] = {"slug",      "id",        "display_name", "sector",
                                          "size_band", "schema_id", "revision",     NULL};
    return imsctl_list_all(ctx, "/ims.v1.Tenants/ListTenants", &req.base,
                           &ims__v1__list_tenants_response__descriptor, "tenants", columns);
}

static const imsctl_command commands[] = {
    {"create",
     "--slug S --name N --sector X --size micro|small|medium [--schema ID [--schema-version V]] "
     "[--idempotency-key K]",
     "Creates a tenant from a schema (the best one for its sector and size by default).",
     tenant_create},
    {"get", "TENANT", "Shows a tenant (by id or slug).", tenant_get},
    {"list", "[--page-size N]", "Lists every tenant (all pages).", tenant_list},
    {0},
};

const imsctl_group imsctl_group_tenant = {"tenant", "create, show and list tenants", commands,
                                          NULL};
