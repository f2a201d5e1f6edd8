/* imsctl risk: the risk register (ims.v1.Risk). */
#include <stdio.h>
#include <stdlib.h>

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
        printf("%-24s %-28s %6s %6s %5s %5s %6s %6s %5s %-8s %s\n", "ASSET", "THREAT", "IMPACT",
               "I_R", "L", "L_R", "R0", "R", "LEVEL", "APPETITE", "TREATMENT");
        for (size_t i = 0; i < r->n_pairs; i++) {
            const Ims__V1__RiskPair *p = r->pairs[i];
            char treat[48] = "-";
            if (p->treatment && p->treatment->share_given)
                snprintf(treat, sizeof treat, "%s %.0f%%", p->treatment->option,
                         p->treatment->share * 100);
            else if (p->treatment)
                snprintf(treat, sizeof treat, "%s", p->treatment->option);
            printf("%-24s %-28s %6.2f %6.2f %5.2f %5.2f %6.2f %6.2f %5d %-8s %s\n", p->asset,
                   p->threat, p->impact, p->residual_impact, p->likelihood, p->residual_likelihood,
                   p->inherent, p->residual, p->level, p->within_appetite ? "within" : "ABOVE",
                   treat);
        }
        if (r->has_pairs)
            printf("risk reduction rho: %.1f%% (appetite: level <= %d)\n", r->rho * 100,
                   r->appetite);
        else if (r->n_pairs)
            printf("every risk pair is avoided: no risk reduction to show\n");
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
    const char *option = NULL, *decision = NULL, *owner = NULL, *due = NULL, *note = "";
    const char *share = NULL;
    imsctl_list controls = {0};
    imsctl_flag flags[] = {IMSCTL_STRING("decision", &decision), IMSCTL_STRING("option", &option),
                           IMSCTL_STRING("owner", &owner),       IMSCTL_STRING("due", &due),
                           IMSCTL_STRING("note", &note),         IMSCTL_STRING("share", &share),
                           IMSCTL_LIST("control", &controls),    IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 3, 3);
    if (rc >= 0) {
        imsctl_list_free(&controls);
        return rc;
    }
    if (!decision)
        decision = option; /* --option: the older name of --decision */
    if (!decision || !owner) {
        fprintf(stderr,
                "imsctl: --decision and --owner are required\nusage: imsctl risk treat %s\n",
                cmd->usage);
        imsctl_list_free(&controls);
        return IMSCTL_EXIT_USAGE;
    }
    double share_value = 0;
    if (share) {
        char *end = NULL;
        share_value = strtod(share, &end);
        if (!*share || *end || !(share_value >= 0 && share_value <= 1)) {
            fprintf(stderr, "imsctl: --share: must be a number in [0, 1]\n");
            imsctl_list_free(&controls);
            return IMSCTL_EXIT_USAGE;
        }
    }
    char when[64] = "";
    if (due && (rc = imsctl_time_arg("--due", due, when, sizeof when)) != 0) {
        imsctl_list_free(&controls);
        return rc;
    }
    Ims__V1__RiskTreatment t = IMS__V1__RISK_TREATMENT__INIT;
    t.asset = (char *)pos[1];
    t.threat = (char *)pos[2];
    t.option = (char *)decision;
    t.owner = (char *)owner;
    t.due = when;
    t.note = (char *)note;
    t.share_given = share != NULL;
    t.share = share_value;
    t.controls = (char **)controls.items;
    t.n_controls = controls.n;
    Ims__V1__SetTreatmentRequest req = IMS__V1__SET_TREATMENT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.treatment = &t;
    rc = imsctl_content_call(ctx, "/ims.v1.Risk/SetTreatment", &req.base,
                             &ims__v1__risk_treatment__descriptor, NULL, NULL);
    imsctl_list_free(&controls);
    return rc;
}

static const imsctl_command commands[] = {
    {"show", "TENANT", "Shows the risk register: every asset x threat pair and rho.", risk_show},
    {"treat",
     "TENANT ASSET THREAT --decision mitigate|accept|transfer|avoid --owner O [--share PHI] "
     "[--control C]... [--due TIME] [--note TEXT]",
     "Records the treatment decision for one risk pair; it moves the level (transfer: the "
     "share PHI of the impact, default 0.5; avoid: the pair leaves the risk reduction). "
     "Accepting a risk above the appetite needs --note; a mitigation may name the controls "
     "it relies on.",
     risk_treat},
    {0},
};

const imsctl_group imsctl_group_risk = {"risk", "show a tenant's risk register", commands, NULL};
