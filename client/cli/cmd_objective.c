/* imsctl objective: objectives (clause 6.2) with their computed status, and the balanced
 * scorecard by tier (ims.v1.Improvement). */
#include <stdio.h>

#include "imsctl.h"
#include "output.h"

static const char *const tiers[] = {"strategic", "functional", "operational", NULL};

static int objective_put(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *title = NULL, *owner = NULL, *tier = NULL, *due = NULL, *key = "";
    double target = 0;
    imsctl_list metrics = {0};
    imsctl_flag flags[] = {
        IMSCTL_STRING("title", &title), IMSCTL_STRING("owner", &owner),
        IMSCTL_STRING("tier", &tier),   {.name = "target", .kind = IMSCTL_FLAG_DOUBLE, .value = &target},
        IMSCTL_STRING("due", &due),     IMSCTL_LIST("metric", &metrics),
        IMSCTL_STRING("key", &key),     IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        goto out;
    rc = 0;
    if (!title || !owner || !tier || !due || metrics.n == 0 || target == 0) {
        fprintf(stderr,
                "imsctl: --title, --owner, --tier, --target, --due and --metric are required\n"
                "usage: imsctl objective put %s\n",
                cmd->usage);
        rc = IMSCTL_EXIT_USAGE;
        goto out;
    }
    char due_at[64];
    if ((rc = imsctl_choice_arg("--tier", tier, tiers)) != 0 ||
        (rc = imsctl_time_arg("--due", due, due_at, sizeof due_at)) != 0)
        goto out;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        goto out;
    Ims__V1__Objective o = IMS__V1__OBJECTIVE__INIT;
    o.id = (char *)pos[1];
    o.title = (char *)title;
    o.owner = (char *)owner;
    o.tier = (char *)tier;
    o.target = target;
    o.due = due_at;
    o.metrics = (char **)metrics.items;
    o.n_metrics = metrics.n;
    Ims__V1__PutObjectiveRequest req = IMS__V1__PUT_OBJECTIVE_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.objective = &o;
    req.idempotency_key = (char *)key;
    Ims__V1__Objective *r = NULL;
    if ((rc = ims_client_put_objective(c, &req, &r)) != 0) {
        rc = imsctl_rpc_failed(ctx, rc);
        goto out;
    }
    rc = imsctl_show(ctx, &r->base);
    ims__v1__objective__free_unpacked(r, NULL);
out:
    imsctl_list_free(&metrics);
    return rc;
}

static int objective_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *tier = "";
    imsctl_flag flags[] = {IMSCTL_STRING("tier", &tier), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    if (tier[0] && (rc = imsctl_choice_arg("--tier", tier, tiers)) != 0)
        return rc;
    Ims__V1__ListObjectivesRequest req = IMS__V1__LIST_OBJECTIVES_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.tier = (char *)tier;
    static const char *const columns[] = {"id",  "tier",   "title", "owner", "target",
                                          "actual", "status", "due", NULL};
    return imsctl_list_all(ctx, "/ims.v1.Improvement/ListObjectives", &req.base,
                           &ims__v1__list_objectives_response__descriptor, "objectives", columns);
}

static int objective_scorecard(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
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
    Ims__V1__GetScorecardRequest req = IMS__V1__GET_SCORECARD_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    Ims__V1__Scorecard *card = NULL;
    if ((rc = ims_client_get_scorecard(c, &req, &card)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, &card->base);
    } else {
        static const char *const columns[] = {"id", "title", "owner", "target", "actual",
                                              "status", "due", NULL};
        for (size_t i = 0; i < card->n_tiers && rc == 0; i++) {
            const Ims__V1__ScorecardTier *t = card->tiers[i];
            printf("%s: %d of %d met\n", t->tier, t->met, t->total);
            if (t->n_objectives)
                rc = imsctl_print_table(stdout, (const ProtobufCMessage *const *)t->objectives,
                                        t->n_objectives, columns);
            printf("\n");
        }
    }
    ims__v1__scorecard__free_unpacked(card, NULL);
    return rc;
}

static const imsctl_command commands[] = {
    {"put",
     "TENANT ID --title T --owner O --tier strategic|functional|operational --target SHARE "
     "--due TIME --metric M... [--key K]",
     "Creates or changes an objective (target: a share in (0, 1] of its metrics' indicator).",
     objective_put},
    {"list", "TENANT [--tier T]", "Lists objectives with target, actual and status.",
     objective_list},
    {"scorecard", "TENANT", "The balanced scorecard: objectives by tier, target vs actual.",
     objective_scorecard},
    {0},
};

const imsctl_group imsctl_group_objective = {"objective", "objectives and the scorecard",
                                             commands, NULL};
