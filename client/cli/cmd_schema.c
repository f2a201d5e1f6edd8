/* imsctl schema: list, show, clone tenant schemas (ims.v1.Tenants); drafts, documents,
 * diffs, publication, statistics and rebase are in cmd_schema_drafts.c (ims.v1.Schemas). */
#include "cmd_schema_drafts.h"
#include "imsctl.h"
#include "output.h"

static int schema_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 0, 0);
    if (rc >= 0)
        return rc;
    Ims__V1__ListSchemasRequest req = IMS__V1__LIST_SCHEMAS_REQUEST__INIT;
    static const char *const columns[] = {
        "id",        "version", "name", "sector", "size_band", "systems", "applicable_controls",
        "parent_id", "status", NULL};
    return imsctl_list_all(ctx, "/ims.v1.Tenants/ListSchemas", &req.base,
                           &ims__v1__list_schemas_response__descriptor, "schemas", columns);
}

static int show_schema(imsctl_ctx *ctx, int rc, Ims__V1__Schema *s)
{
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    rc = imsctl_show(ctx, &s->base);
    ims__v1__schema__free_unpacked(s, NULL);
    return rc;
}

static int schema_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long version = 0;
    imsctl_flag flags[] = {IMSCTL_INT("version", &version, 1, 1000000), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetSchemaRequest req = IMS__V1__GET_SCHEMA_REQUEST__INIT;
    req.id = (char *)pos[0];
    req.version = (int32_t)version;
    Ims__V1__Schema *s = NULL;
    rc = ims_client_get_schema(c, &req, &s);
    return show_schema(ctx, rc, s);
}

static int schema_clone(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long version = 0;
    const char *id = NULL, *name = NULL;
    imsctl_flag flags[] = {
        IMSCTL_INT("version", &version, 1, 1000000),
        IMSCTL_STRING("id", &id),
        IMSCTL_STRING("name", &name),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    if (id == NULL || name == NULL) {
        fprintf(stderr, "imsctl: --id and --name are required\nusage: imsctl schema clone %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    if (id[0] == '\0' || name[0] == '\0')
        return imsctl_invalid("--id and --name must not be empty");
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__CloneSchemaRequest req = IMS__V1__CLONE_SCHEMA_REQUEST__INIT;
    req.source_id = (char *)pos[0];
    req.source_version = (int32_t)version;
    req.new_id = (char *)id;
    req.name = (char *)name;
    Ims__V1__Schema *s = NULL;
    rc = ims_client_clone_schema(c, &req, &s);
    return show_schema(ctx, rc, s);
}

static const imsctl_command commands[] = {
    {"list", "", "Lists the schemas tenants are generated from.", schema_list},
    {"show", "ID [--version V]", "Shows a schema (its latest version by default).", schema_show},
    {"clone", "SRC [--version V] --id NEW --name N", "Copies a schema under a new id.",
     schema_clone},
    {"draft", "ID [--from V]", "Opens a draft (the next version) from a published version.",
     imsctl_schema_draft},
    {"get", "ID [--version V] [--out FILE]",
     "Writes a version as an ims-schema/1 document (to edit offline and put back).",
     imsctl_schema_get},
    {"put", "ID --version V FILE", "Replaces a draft's content by a document (FILE or -).",
     imsctl_schema_put},
    {"edit", "ID --version V [--set KIND/KEY/FIELD=VALUE] [--add KIND=ITEM] [--remove KIND/KEY]",
     "Changes a draft field by field (all or nothing).", imsctl_schema_edit},
    {"diff", "ID [--from V] [--to V] [--to-id ID2]", "What changes between two versions.",
     imsctl_schema_diff},
    {"publish", "ID --version V", "Publishes a draft: tenants may be generated and rebased on it.",
     imsctl_schema_publish},
    {"stats", "ID [--gaps N] [--answers]",
     "Statistics across the tenants generated from a schema (five at least).",
     imsctl_schema_stats},
    {"rebase", "TENANT [--version V] [--preview] [--idempotency-key K]",
     "Moves a tenant to a newer version of its schema (--preview: only say what changes).",
     imsctl_schema_rebase},
    {0},
};

const imsctl_group imsctl_group_schema = {
    "schema", "the schema repository: list, show, clone, edit, publish, statistics, rebase",
    commands, NULL};
