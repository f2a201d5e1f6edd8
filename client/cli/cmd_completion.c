/* imsctl completion show|set|target: the completion matrix of a tenant's implementation
 * (ims.v1.Completion): activities over five levels, the target, where it stands. */
#include <stdlib.h>
#include <string.h>

#include "imsctl.h"
#include "output.h"

static int show(imsctl_ctx *ctx, int rc, Ims__V1__CompletionMatrix *c)
{
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, &c->base);
    } else {
        /* The matrix: one row per activity, a mark in each level column it belongs to
         * (# carried out to that level, . still to do), then the target and the gap. */
        printf("%-6s %-5s %-5s %-5s %-5s %-5s %-5s  %s\n", "ID", "L1", "L2", "L3", "L4", "L5",
               "NOW", "ACTIVITY");
        for (size_t i = 0; i < c->n_activities; i++) {
            const Ims__V1__CompletionActivity *a = c->activities[i];
            printf("%-6s", a->id);
            for (int k = 1; k <= 5; k++)
                printf(" %-5s", k < a->from_level ? "" : a->level >= k ? "#" : ".");
            printf(" %-5d  %s%s\n", (int)a->level, a->name,
                   a->required && !a->met ? "  (short of the target)" : "");
        }
        printf("\ntarget level %d; the implementation stands at level %d; %d of the %d activities "
               "the target requires are carried out to it\n",
               (int)c->target, (int)c->stands, (int)c->met, (int)c->required);
        rc = 0;
    }
    ims__v1__completion_matrix__free_unpacked(c, NULL);
    return rc;
}

static int completion_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
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
    Ims__V1__GetCompletionRequest req = IMS__V1__GET_COMPLETION_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    Ims__V1__CompletionMatrix *r = NULL;
    rc = ims_client_get_completion(c, &req, &r);
    return show(ctx, rc, r);
}

static int completion_set(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *note = "";
    imsctl_flag flags[] = {IMSCTL_STRING("note", &note), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 3, 3);
    if (rc >= 0)
        return rc;
    char *end = NULL;
    long level = strtol(pos[2], &end, 10);
    if (end == pos[2] || *end || level < 0 || level > 5)
        return imsctl_invalid("LEVEL: 0 to 5");
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__SetCompletionRequest req = IMS__V1__SET_COMPLETION_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.activity = (char *)pos[1];
    req.level = (int32_t)level;
    req.note = (char *)note;
    Ims__V1__CompletionMatrix *r = NULL;
    rc = ims_client_set_completion(c, &req, &r);
    return show(ctx, rc, r);
}

static int completion_target(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    char *end = NULL;
    long target = strtol(pos[1], &end, 10);
    if (end == pos[1] || *end || target < 1 || target > 5)
        return imsctl_invalid("LEVEL: 1 to 5");
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__SetCompletionTargetRequest req = IMS__V1__SET_COMPLETION_TARGET_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.target = (int32_t)target;
    Ims__V1__CompletionMatrix *r = NULL;
    rc = ims_client_set_completion_target(c, &req, &r);
    return show(ctx, rc, r);
}

static const imsctl_command commands[] = {
    {"show", "TENANT", "Shows the matrix: each activity's levels, where the implementation stands.",
     completion_show},
    {"set", "TENANT ACTIVITY LEVEL [--note TEXT]",
     "Records the level (0-5) to which an activity is carried out.", completion_set},
    {"target", "TENANT LEVEL", "Sets the tenant's target implementation level (default 4).",
     completion_target},
    {0},
};

const imsctl_group imsctl_group_completion = {
    "completion", "the completion matrix of an implementation (activities over five levels)",
    commands, NULL};
