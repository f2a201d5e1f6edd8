/* imsctl risk: the risk register (ims.v1.Risk). */
#include "content_cli.h"
#include "ims/v1/risk.pb-c.h"

static int risk_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__GetRiskRegisterRequest req = IMS__V1__GET_RISK_REGISTER_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    ProtobufCMessage *resp = NULL;
    if ((rc = imsctl_content_fetch(ctx, "/ims.v1.Risk/GetRiskRegister", &req.base,
                                   &ims__v1__risk_register__descriptor, &resp)) != 0)
        return rc;
    const Ims__V1__RiskRegister *r = (const Ims__V1__RiskRegister *)resp;
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, resp);
    } else {
        printf("%-24s %-28s %6s %5s %5s %6s %6s %5s %-8s %s\n", "ASSET", "THREAT", "IMPACT",
               "L", "L_R", "R0", "R", "LEVEL", "APPETITE", "TREATMENT");
        for (size_t i = 0; i < r->n_pairs; i++) {
            const Ims__V1__RiskPair *p = r->pairs[i];
            printf("%-24s %-28s %6.2f %5.2f %5.2f %6.2f %6.2f %5d %-8s %s\n", p->asset,
                   p->threat, p->impact, p->likelihood, p->residual_likelihood, p->inherent,
                   p->residual, p->level, p->within_appetite ? "within" : "ABOVE",
                   p->treatment ? p->treatment->option : "-");
        }
        if (r->has_pairs)
            printf("risk reduction rho: %.1f%% (appetite: level <= %d)\n", r->rho * 100,
                   r->appetite);
        else
            printf("no risk pairs: add assets (imsctl asset put)\n");
    }
    protobuf_c_message_free_unpacked(resp, NULL);
    return rc;
}

static int risk_treat(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *option = NULL, *owner = NULL, *due = NULL, *note = "";
    imsctl_flag flags[] = {IMSCTL_STRING("option", &option), IMSCTL_STRING("owner", &owner),
                           IMSCTL_STRING("due", &due), IMSCTL_STRING("note", &note),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 3, 3);
    if (rc >= 0)
        return rc;
    if (!option || !owner) {
        fprintf(stderr, "imsctl: --option and --owner are required\nusage: imsctl risk treat %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    char when[64] = "";
    if (due && (rc = imsctl_time_arg("--due", due, when, sizeof when)) != 0)
        return rc;
    Ims__V1__RiskTreatment t = IMS__V1__RISK_TREATMENT__INIT;
    t.asset = (char *)pos[1];
    t.threat = (char *)pos[2];
    t.option = (char *)option;
    t.owner = (char *)owner;
    t.due = when;
    t.note = (char *)note;
    Ims__V1__SetTreatmentRequest req = IMS__V1__SET_TREATMENT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.treatment = &t;
    return imsctl_content_call(ctx, "/ims.v1.Risk/SetTreatment", &req.base,
                               &ims__v1__risk_treatment__descriptor, NULL, NULL);
}

static const imsctl_command commands[] = {
    {"show", "TENANT", "Shows the risk register: every asset x threat pair and rho.", risk_show},
    {"treat", "TENANT ASSET THREAT --option mitigate|accept|transfer|avoid --owner O [--due TIME] "
              "[--note TEXT]",
     "Records the treatment decision for one risk pair (accepting one above the appetite "
     "needs --note).",
     risk_treat},
    {0},
};

const imsctl_group imsctl_group_risk = {"risk", "show a tenant's risk register", commands, NULL};
