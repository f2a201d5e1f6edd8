/* imsctl process: processes of the BIA, plan reviews and the BIA (ims.v1.Continuity). */
#include "content_cli.h"
#include "ims/v1/continuity.pb-c.h"

static int process_put(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *name = NULL, *owner = "", *mbco = "";
    long crit = 0, mtpd = 0, rto = 0, rpo = 0;
    imsctl_flag flags[] = {
        IMSCTL_STRING("name", &name),           IMSCTL_STRING("owner", &owner),
        IMSCTL_STRING("mbco", &mbco),           IMSCTL_INT("criticality", &crit, 1, 5),
        IMSCTL_INT("mtpd", &mtpd, 1, 5256000),  IMSCTL_INT("rto", &rto, 0, 5256000),
        IMSCTL_INT("rpo", &rpo, 0, 5256000),    IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (!name || crit == 0 || mtpd == 0) {
        fprintf(stderr,
                "imsctl: --name, --criticality and --mtpd are required\nusage: imsctl process "
                "put %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    Ims__V1__Process p = IMS__V1__PROCESS__INIT;
    p.id = (char *)pos[1];
    p.name = (char *)name;
    p.owner = (char *)owner;
    p.mbco = (char *)mbco;
    p.criticality = (int32_t)crit;
    p.mtpd_min = (int32_t)mtpd;
    p.rto_min = (int32_t)rto;
    p.rpo_min = (int32_t)rpo;
    Ims__V1__PutProcessRequest req = IMS__V1__PUT_PROCESS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.process = &p;
    return imsctl_content_call(ctx, "/ims.v1.Continuity/PutProcess", &req.base,
                               &ims__v1__continuity_change__descriptor, NULL, NULL);
}

static const char *const columns[] = {"id",      "name",    "criticality",      "mtpd_min",
                                      "rto_min", "rpo_min", "plan_reviewed_at", "readiness",
                                      NULL};

static int process_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ListProcessesRequest req = IMS__V1__LIST_PROCESSES_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    return imsctl_list_all(ctx, "/ims.v1.Continuity/ListProcesses", &req.base,
                           &ims__v1__list_processes_response__descriptor, "processes", columns);
}

static int process_bia(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__GetBiaRequest req = IMS__V1__GET_BIA_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    return imsctl_content_call(ctx, "/ims.v1.Continuity/GetBia", &req.base,
                               &ims__v1__bia__descriptor, "processes", columns);
}

static int process_review(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *at = NULL;
    imsctl_flag flags[] = {IMSCTL_STRING("at", &at), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    char when[64] = "";
    if (at && (rc = imsctl_time_arg("--at", at, when, sizeof when)) != 0)
        return rc;
    Ims__V1__ReviewPlanRequest req = IMS__V1__REVIEW_PLAN_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.process = (char *)pos[1];
    req.reviewed_at = when;
    return imsctl_content_call(ctx, "/ims.v1.Continuity/ReviewPlan", &req.base,
                               &ims__v1__continuity_change__descriptor, NULL, NULL);
}

static const imsctl_command commands[] = {
    {"put",
     "TENANT ID --name N --criticality 1-5 --mtpd MIN [--rto MIN] [--rpo MIN] [--mbco TEXT] "
     "[--owner O]",
     "Creates or replaces a process of the BIA (RTO must not exceed MTPD).", process_put},
    {"list", "TENANT", "Lists the processes with their readiness.", process_list},
    {"bia", "TENANT", "Shows the business impact analysis, most critical first.", process_bia},
    {"review", "TENANT PROCESS [--at TIME]",
     "Records that the process's continuity plan was reviewed (now by default).",
     process_review},
    {0},
};

const imsctl_group imsctl_group_process = {"process", "business continuity: processes and BIA",
                                           commands, NULL};
