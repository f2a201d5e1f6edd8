/* imsctl portfolio: every tenant in scope at a glance (ims.v1.Portfolio). */
#include <stdio.h>

#include "imsctl.h"
#include "output.h"

static int portfolio(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    int days = 90;
    imsctl_flag flags[] = {IMSCTL_INT("days", &days, 1, 366), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 0, 0);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetPortfolioRequest req = IMS__V1__GET_PORTFOLIO_REQUEST__INIT;
    req.days = days;
    Ims__V1__GetPortfolioResponse *resp;
    if ((rc = ims_client_get_portfolio(c, &req, &resp)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, &resp->base);
    } else {
        printf("%-24s %7s %8s %7s %4s %7s %6s  %s\n", "TENANT", "LEVEL", "MATURITY", "TREND", "NC",
               "OVERDUE", "RISKS", "NAME");
        for (size_t i = 0; i < resp->n_tenants; i++) {
            const Ims__V1__PortfolioTenant *t = resp->tenants[i];
            /* The change over the window: now against its first point. */
            char trend[16] = "";
            if (t->n_trend > 0)
                snprintf(trend, sizeof trend, "%+.1f",
                         100 * (t->security_level - t->trend[0]->security_level));
            char risks[16];
            snprintf(risks, sizeof risks, t->risks_above_appetite < 0 ? "-" : "%d",
                     t->risks_above_appetite);
            printf("%-24s %7.1f %8d %7s %4d %7d %6s  %s\n", t->slug, 100 * t->security_level,
                   t->maturity, trend, t->open_nonconformities, t->overdue_actions, risks,
                   t->display_name);
        }
    }
    ims__v1__get_portfolio_response__free_unpacked(resp, NULL);
    return rc;
}

static const imsctl_command commands[] = {
    {NULL, "[--days N]",
     "Lists every tenant in scope: level, maturity, change over N days (default 90), open "
     "nonconformities, overdue actions, risks above appetite.",
     portfolio},
    {0},
};

const imsctl_group imsctl_group_portfolio = {"portfolio", "every tenant in scope at a glance",
                                             commands, NULL};
