/* imsctl culture: security-culture certificates and the share of people holding a valid
 * one (ims.v1.Culture). */
#include "content_cli.h"
#include "ims/v1/culture.pb-c.h"

static int culture_issue(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *person = NULL, *issued = NULL, *expires = NULL, *evidence = "", *renews = "";
    long level = 0;
    imsctl_flag flags[] = {
        IMSCTL_STRING("person", &person),
        IMSCTL_INT("level", &level, 1, 3),
        IMSCTL_STRING("issued", &issued),
        IMSCTL_STRING("expires", &expires),
        IMSCTL_STRING("evidence", &evidence),
        IMSCTL_STRING("renews", &renews),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (!person || level == 0) {
        fprintf(stderr,
                "imsctl: --person and --level are required\nusage: imsctl culture issue %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    char from[64] = "", until[64] = "";
    if ((issued && (rc = imsctl_time_arg("--issued", issued, from, sizeof from)) != 0) ||
        (expires && (rc = imsctl_time_arg("--expires", expires, until, sizeof until)) != 0))
        return rc;
    Ims__V1__Certificate c = IMS__V1__CERTIFICATE__INIT;
    c.id = (char *)pos[1];
    c.person = (char *)person;
    c.level = (int32_t)level;
    c.issued_at = from;
    c.expires_at = until;
    c.evidence = (char *)evidence;
    c.renews = (char *)renews;
    Ims__V1__IssueCertificateRequest req = IMS__V1__ISSUE_CERTIFICATE_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.certificate = &c;
    return imsctl_content_call(ctx, "/ims.v1.Culture/IssueCertificate", &req.base,
                               &ims__v1__certificate__descriptor, NULL, NULL);
}

static int culture_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *person = "";
    imsctl_flag flags[] = {IMSCTL_STRING("person", &person), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    static const char *const cols[] = {"id",         "person", "level",  "issued_at",
                                       "expires_at", "valid",  "renews", NULL};
    Ims__V1__ListCertificatesRequest req = IMS__V1__LIST_CERTIFICATES_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.person = (char *)person;
    return imsctl_list_all(ctx, "/ims.v1.Culture/ListCertificates", &req.base,
                           &ims__v1__list_certificates_response__descriptor, "certificates", cols);
}

static int culture_summary(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__GetCultureSummaryRequest req = IMS__V1__GET_CULTURE_SUMMARY_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    return imsctl_content_call(ctx, "/ims.v1.Culture/GetCultureSummary", &req.base,
                               &ims__v1__culture_summary__descriptor, NULL, NULL);
}

static const imsctl_command commands[] = {
    {"issue",
     "TENANT ID --person P --level 1-3 [--issued TIME] [--expires TIME] [--evidence TEXT] "
     "[--renews CERTIFICATE]",
     "Issues (or, with --renews, renews) a security-culture certificate.", culture_issue},
    {"list", "TENANT [--person P]", "Lists the certificates, valid or not.", culture_list},
    {"summary", "TENANT", "Shows how many people need a certificate and how many hold a valid one.",
     culture_summary},
    {0},
};

const imsctl_group imsctl_group_culture = {"culture", "security-culture certificates", commands,
                                           NULL};
