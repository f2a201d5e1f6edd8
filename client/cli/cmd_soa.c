/* imsctl soa: the Statement of Applicability (ims.v1.Assessments). */
#include "content_cli.h"
#include "out_file.h"
#include "soa_xlsx.h"
#include "ims/v1/assessments.pb-c.h"

static int soa_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *framework = "";
    imsctl_flag flags[] = {IMSCTL_STRING("framework", &framework), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ListSoARequest req = IMS__V1__LIST_SO_AREQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.framework = (char *)framework;
    static const char *const cols[] = {"control", "applicable", "implementation_status",
                                       "assessed", "subcontrols", "score", "justification",
                                       NULL};
    return imsctl_list_all(ctx, "/ims.v1.Assessments/ListSoA", &req.base,
                           &ims__v1__list_so_aresponse__descriptor, "entries", cols);
}

static int soa_set(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    bool applicable = false, excluded = false, sub = false;
    const char *justification = "", *status = "";
    imsctl_flag flags[] = {IMSCTL_BOOL("applicable", &applicable),
                           IMSCTL_BOOL("excluded", &excluded),
                           IMSCTL_BOOL("subcontrol", &sub),
                           IMSCTL_STRING("justification", &justification),
                           IMSCTL_STRING("status", &status),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (applicable == excluded)
        return imsctl_invalid("give exactly one of --applicable and --excluded");
    Ims__V1__SetApplicabilityRequest req = IMS__V1__SET_APPLICABILITY_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    if (sub)
        req.subcontrol = (char *)pos[1];
    else
        req.control = (char *)pos[1];
    req.applicable = applicable;
    req.justification = (char *)justification;
    req.implementation_status = (char *)status;
    return imsctl_content_call(ctx, "/ims.v1.Assessments/SetApplicability", &req.base,
                               &ims__v1__set_applicability_response__descriptor, NULL, NULL);
}

static int soa_export(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *format = "csv", *out = NULL;
    imsctl_flag flags[] = {IMSCTL_STRING("format", &format), IMSCTL_STRING("out", &out),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    static const char *const formats[] = {"csv", "xlsx", NULL};
    if ((rc = imsctl_choice_arg("format", format, formats)) != 0)
        return rc;
    if (strcmp(format, "xlsx") == 0)
        return imsctl_soa_xlsx(ctx, pos[0], out);
    Ims__V1__ExportSoARequest req = IMS__V1__EXPORT_SO_AREQUEST__INIT;
    req.tenant = (char *)pos[0];
    ProtobufCMessage *resp = NULL;
    if ((rc = imsctl_content_fetch(ctx, "/ims.v1.Assessments/ExportSoA", &req.base,
                                   &ims__v1__export_so_aresponse__descriptor, &resp)) != 0)
        return rc;
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, resp); /* --json is the answer on standard output */
        protobuf_c_message_free_unpacked(resp, NULL);
        return rc;
    }
    struct imsctl_out file;
    int to_file = out && strcmp(out, "-") != 0;
    FILE *f = to_file ? imsctl_out_open(&file, out) : stdout;
    if (!f)
        rc = IMSCTL_EXIT_FAILURE;
    else if (fputs(((Ims__V1__ExportSoAResponse *)resp)->csv, f) == EOF)
        rc = IMSCTL_EXIT_FAILURE;
    if (f && to_file)
        rc = imsctl_out_close(&file, rc);
    protobuf_c_message_free_unpacked(resp, NULL);
    return rc;
}

static const imsctl_command commands[] = {
    {"show", "TENANT [--framework F]",
     "Shows the Statement of Applicability with each control's score.", soa_show},
    {"set",
     "TENANT CONTROL --applicable|--excluded [--justification TEXT] [--status S] [--subcontrol]",
     "Includes or excludes a control (or with --subcontrol a sub-control); exclusion needs "
     "a justification.",
     soa_set},
    {"export", "TENANT [--format csv|xlsx] [--out FILE]",
     "Writes the Statement of Applicability as CSV, or as an .xlsx workbook for auditors, to "
     "FILE or stdout.",
     soa_export},
    {0},
};

const imsctl_group imsctl_group_soa = {"soa", "the Statement of Applicability", commands, NULL};
