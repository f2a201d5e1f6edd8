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
        printf("%-24s %-28s %6s %5s %5s %6s %6s %5s %s\n", "ASSET", "THREAT", "IMPACT", "L",
               "L_R", "R0", "R", "LEVEL", "APPETITE");
        for (size_t i = 0; i < r->n_pairs; i++) {
            const Ims__V1__RiskPair *p = r->pairs[i];
            printf("%-24s %-28s %6.2f %5.2f %5.2f %6.2f %6.2f %5d %s\n", p->asset, p->threat,
                   p->impact, p->likelihood, p->residual_likelihood, p->inherent, p->residual,
                   p->level, p->within_appetite ? "within" : "ABOVE");
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

static const imsctl_command commands[] = {
    {"show", "TENANT", "Shows the risk register: every asset x threat pair and rho.", risk_show},
    {0},
};

const imsctl_group imsctl_group_risk = {"risk", "show a tenant's risk register", commands, NULL};
