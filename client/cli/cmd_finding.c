/* imsctl finding: audit findings (ims.v1.Events). */
#include <inttypes.h>
#include <stdio.h>

#include "imsctl.h"
#include "output.h"

static const char *const types[] = {"major_nc", "minor_nc", "observation", "opportunity", NULL};

int imsctl_show_change(imsctl_ctx *ctx, int rc, ProtobufCMessage *result,
                       const ProtobufCMessage *object, double level, int64_t revision)
{
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, result);
    } else {
        if (object)
            imsctl_print_object(stdout, object);
        printf("security level after: %.1f (revision %" PRId64 ")\n", level * 100.0, revision);
    }
    protobuf_c_message_free_unpacked(result, NULL);
    return rc;
}

int imsctl_show_finding_result(imsctl_ctx *ctx, int rc, Ims__V1__FindingResult *r)
{
    return imsctl_show_change(ctx, rc, r ? &r->base : NULL,
                              r && r->finding ? &r->finding->base : NULL,
                              r ? r->security_level : 0, r ? r->revision : 0);
}

static int finding_open(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *type = NULL, *audit = "", *description = "", *key = "", *audit_id = "",
               *incident = "";
    imsctl_list controls = {0};
    imsctl_flag flags[] = {
        IMSCTL_STRING("type", &type),   IMSCTL_LIST("control", &controls),
        IMSCTL_STRING("audit", &audit), IMSCTL_STRING("description", &description),
        IMSCTL_STRING("key", &key),     IMSCTL_STRING("audit-id", &audit_id),
        IMSCTL_STRING("incident", &incident), IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        goto out;
    rc = 0;
    if (type == NULL || controls.n == 0) {
        fprintf(stderr,
                "imsctl: --type and at least one --control are required\n"
                "usage: imsctl finding open %s\n",
                cmd->usage);
        rc = IMSCTL_EXIT_USAGE;
        goto out;
    }
    if ((rc = imsctl_choice_arg("--type", type, types)) != 0)
        goto out;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        goto out;
    Ims__V1__Finding f = IMS__V1__FINDING__INIT;
    f.type = (char *)type;
    f.n_controls = controls.n;
    f.controls = (char **)controls.items;
    f.audit = (char *)audit;
    f.audit_id = (char *)audit_id;
    f.incident = (char *)incident;
    f.description = (char *)description;
    Ims__V1__SubmitFindingRequest req = IMS__V1__SUBMIT_FINDING_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.finding = &f;
    req.idempotency_key = (char *)key;
    Ims__V1__FindingResult *r = NULL;
    rc = ims_client_submit_finding(c, &req, &r);
    rc = imsctl_show_finding_result(ctx, rc, r);
out:
    imsctl_list_free(&controls);
    return rc;
}

static int finding_change(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv,
                          bool close)
{
    const char *pos[argc + 1];
    int npos;
    const char *type = "", *description = "", *key = "";
    imsctl_flag update_flags[] = {
        IMSCTL_STRING("type", &type),
        IMSCTL_STRING("description", &description),
        IMSCTL_STRING("key", &key),
        IMSCTL_FLAGS_END,
    };
    imsctl_flag close_flags[] = {IMSCTL_STRING("key", &key), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, close ? close_flags : update_flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (type[0] && (rc = imsctl_choice_arg("--type", type, types)) != 0)
        return rc;
    if (!close && !type[0] && !description[0])
        return imsctl_invalid("nothing to change: give --type or --description");
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__UpdateFindingRequest req = IMS__V1__UPDATE_FINDING_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    req.type = (char *)type;
    req.description = (char *)description;
    req.close = close;
    req.idempotency_key = (char *)key;
    Ims__V1__FindingResult *r = NULL;
    rc = ims_client_update_finding(c, &req, &r);
    return imsctl_show_finding_result(ctx, rc, r);
}

static int finding_update(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    return finding_change(ctx, cmd, argc, argv, false);
}

static int finding_close(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    return finding_change(ctx, cmd, argc, argv, true);
}

static int finding_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *status = "";
    imsctl_flag flags[] = {IMSCTL_STRING("status", &status), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    static const char *const statuses[] = {"open", "closed", NULL};
    if (status[0] && (rc = imsctl_choice_arg("--status", status, statuses)) != 0)
        return rc;
    Ims__V1__ListFindingsRequest req = IMS__V1__LIST_FINDINGS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.status = (char *)status;
    static const char *const columns[] = {"id",    "type",      "status",      "controls",
                                          "audit", "opened_at", "description", NULL};
    return imsctl_list_all(ctx, "/ims.v1.Events/ListFindings", &req.base,
                           &ims__v1__list_findings_response__descriptor, "findings", columns);
}

static const imsctl_command commands[] = {
    {"open",
     "TENANT --type major_nc|minor_nc|observation|opportunity --control C ... [--audit A] "
     "[--audit-id AUDIT] [--incident INCIDENT] "
     "[--description D] [--key IDEMPOTENCY]",
     "Records an audit finding.", finding_open},
    {"update", "TENANT ID [--type T] [--description D] [--key IDEMPOTENCY]", "Changes a finding.",
     finding_update},
    {"close", "TENANT ID [--key IDEMPOTENCY]",
     "Closes a finding (every corrective action must be verified).", finding_close},
    {"list", "TENANT [--status open|closed]", "Lists findings.", finding_list},
    {0},
};

const imsctl_group imsctl_group_finding = {"finding", "record and close audit findings", commands,
                                           NULL};
