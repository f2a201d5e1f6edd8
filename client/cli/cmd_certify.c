/* imsctl certify: certification by levels (ims.v1.Improvement): an auditor awards a level the
 * computed maturity reached, reinstates a suspended award or withdraws one. */
#include <stdio.h>
#include <string.h>

#include "imsctl.h"
#include "output.h"

static int show_award(imsctl_ctx *ctx, int rc, Ims__V1__Award *w)
{
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    rc = imsctl_show(ctx, &w->base);
    ims__v1__award__free_unpacked(w, NULL);
    return rc;
}

static int certify_award(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long level = 0, grace = 0;
    bool grace_set = false;
    const char *framework = "", *expires = NULL, *auditor = "", *key = "";
    imsctl_flag flags[] = {
        IMSCTL_INT("level", &level, 1, 3),          IMSCTL_STRING("framework", &framework),
        IMSCTL_STRING("expires-at", &expires),      IMSCTL_INT_SET("grace-days", &grace, 0, 3650, &grace_set),
        IMSCTL_STRING("auditor", &auditor),         IMSCTL_STRING("key", &key),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    if (!level) {
        fprintf(stderr, "imsctl: --level is required\nusage: imsctl certify award %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    char expires_at[64] = "";
    if (expires && (rc = imsctl_time_arg("--expires-at", expires, expires_at, sizeof expires_at)) != 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__AwardLevelRequest req = IMS__V1__AWARD_LEVEL_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.level = (int32_t)level;
    req.framework = (char *)framework;
    req.expires_at = expires_at;
    req.grace_days = (int32_t)grace;
    req.has_grace_days = grace_set;
    req.auditor = (char *)auditor;
    req.idempotency_key = (char *)key;
    Ims__V1__Award *w = NULL;
    rc = ims_client_award_level(c, &req, &w);
    return show_award(ctx, rc, w);
}

/* reinstate, withdraw */
static int certify_status(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *reason = "", *key = "";
    imsctl_flag flags[] = {IMSCTL_STRING("reason", &reason), IMSCTL_STRING("key", &key),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__UpdateAwardRequest req = IMS__V1__UPDATE_AWARD_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    req.status = strcmp(cmd->name, "withdraw") == 0 ? "withdrawn" : "active";
    req.reason = (char *)reason;
    req.idempotency_key = (char *)key;
    Ims__V1__Award *w = NULL;
    rc = ims_client_update_award(c, &req, &w);
    return show_award(ctx, rc, w);
}

static int certify_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ListAwardsRequest req = IMS__V1__LIST_AWARDS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    static const char *const columns[] = {"id",         "level",  "framework", "awarded_at",
                                          "expires_at", "status", "auditor",   NULL};
    return imsctl_list_all(ctx, "/ims.v1.Improvement/ListAwards", &req.base,
                           &ims__v1__list_awards_response__descriptor, "awards", columns);
}

static int certify_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetAwardRequest req = IMS__V1__GET_AWARD_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    Ims__V1__Award *w = NULL;
    rc = ims_client_get_award(c, &req, &w);
    return show_award(ctx, rc, w);
}

static const imsctl_command commands[] = {
    {"award",
     "TENANT --level 1|2|3 [--framework F] [--expires-at TIME] [--grace-days N] [--auditor A] "
     "[--key K]",
     "Awards a level the computed maturity has reached (auditor or operator).", certify_award},
    {"reinstate", "TENANT ID [--reason TEXT] [--key K]",
     "Reinstates a suspended award once its cause is gone.", certify_status},
    {"withdraw", "TENANT ID --reason TEXT [--key K]", "Withdraws an award.", certify_status},
    {"list", "TENANT", "Lists the tenant's awards.", certify_list},
    {"show", "TENANT ID", "Shows one award.", certify_show},
    {0},
};

const imsctl_group imsctl_group_certify = {"certify", "certification by levels: awards",
                                           commands, NULL};
