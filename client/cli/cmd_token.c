/* imsctl token: create, list, revoke access tokens (ims.v1.Tenants). */
#include <stdio.h>
#include <string.h>

#include "imsctl.h"
#include "output.h"

static const char *const roles[] = {"operator", "consultant", "auditor", "tenant_admin",
                                    "agent",    "viewer",     NULL};

static int token_create(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *role = NULL, *label = "", *expires = NULL;
    imsctl_list tenants = {0}, sectors = {0};
    imsctl_flag flags[] = {
        IMSCTL_STRING("role", &role),
        IMSCTL_LIST("tenant", &tenants),
        IMSCTL_LIST("sector", &sectors),
        IMSCTL_STRING("label", &label),
        IMSCTL_STRING("expires", &expires),
        IMSCTL_FLAGS_END,
    };
    char expires_at[64] = "";
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 0, 0);
    if (rc >= 0)
        goto out;
    rc = 0;
    if (role == NULL) {
        fprintf(stderr, "imsctl: --role is required\nusage: imsctl token create %s\n", cmd->usage);
        rc = IMSCTL_EXIT_USAGE;
        goto out;
    }
    if ((rc = imsctl_choice_arg("--role", role, roles)) != 0)
        goto out;
    bool scoped = strcmp(role, "tenant_admin") == 0 || strcmp(role, "agent") == 0 ||
                  strcmp(role, "viewer") == 0;
    if (scoped && tenants.n != 1) {
        rc = imsctl_invalid("role %s needs exactly one --tenant", role);
        goto out;
    }
    if (strcmp(role, "operator") == 0 && tenants.n != 0) {
        rc = imsctl_invalid("an operator token has no --tenant scope");
        goto out;
    }
    if (sectors.n != 0 && strcmp(role, "consultant") != 0) {
        rc = imsctl_invalid("only a consultant token has --sector");
        goto out;
    }
    if (expires && (rc = imsctl_time_arg("--expires", expires, expires_at, sizeof(expires_at))))
        goto out;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        goto out;
    Ims__V1__CreateTokenRequest req = IMS__V1__CREATE_TOKEN_REQUEST__INIT;
    req.role = (char *)role;
    req.n_tenants = tenants.n;
    req.tenants = (char **)tenants.items;
    req.n_sectors = sectors.n;
    req.sectors = (char **)sectors.items;
    req.label = (char *)label;
    req.expires_at = expires_at;
    Ims__V1__CreateTokenResponse *resp;
    rc = ims_client_create_token(c, &req, &resp);
    if (rc != 0) {
        rc = imsctl_rpc_failed(ctx, rc);
        goto out;
    }
    /* The secret is shown once, alone on stdout, so that it can be captured. */
    if (imsctl_json(ctx))
        rc = imsctl_show(ctx, &resp->base);
    else
        printf("%s\n", resp->secret);
    if (resp->secret)
        memset(resp->secret, 0, strlen(resp->secret));
    ims__v1__create_token_response__free_unpacked(resp, NULL);
out:
    imsctl_list_free(&tenants);
    imsctl_list_free(&sectors);
    return rc;
}

static int token_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *tenant = "";
    imsctl_flag flags[] = {IMSCTL_STRING("tenant", &tenant), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 0, 0);
    if (rc >= 0)
        return rc;
    Ims__V1__ListTokensRequest req = IMS__V1__LIST_TOKENS_REQUEST__INIT;
    req.tenant = (char *)tenant;
    static const char *const columns[] = {"id",           "role",       "tenants",
                                          "label",        "created_at", "expires_at",
                                          "last_used_at", "revoked_at", NULL};
    return imsctl_list_all(ctx, "/ims.v1.Tenants/ListTokens", &req.base,
                           &ims__v1__list_tokens_response__descriptor, "tokens", columns);
}

static int token_revoke(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
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
    Ims__V1__RevokeTokenRequest req = IMS__V1__REVOKE_TOKEN_REQUEST__INIT;
    req.id = (char *)pos[0];
    Ims__V1__RevokeTokenResponse *resp;
    rc = ims_client_revoke_token(c, &req, &resp);
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx) || resp->token == NULL)
        rc = imsctl_show(ctx, &resp->base);
    else
        rc = imsctl_show(ctx, &resp->token->base);
    ims__v1__revoke_token_response__free_unpacked(resp, NULL);
    return rc;
}

static const imsctl_command commands[] = {
    {"create", "--role R [--tenant T ...] [--sector S ...] [--label L] [--expires TIME]",
     "Issues a token and prints its secret (shown only this once).", token_create},
    {"list", "[--tenant T]", "Lists the tokens the caller may see.", token_list},
    {"revoke", "ID", "Revokes a token.", token_revoke},
    {0},
};

const imsctl_group imsctl_group_token = {"token", "issue, list and revoke access tokens", commands,
                                         NULL};
