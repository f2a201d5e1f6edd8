/* imsctl audit: the check of a tenant's audit log (ims.v1.Tenants/VerifyAuditLog) and the
 * commands of the audit programme (cmd_audit_programme.c). */
#include <inttypes.h>
#include <stdio.h>

#include "cmd_audit_programme.h"
#include "imsctl.h"
#include "output.h"

static int audit_verify(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
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
    Ims__V1__AuditVerifyRequest req = IMS__V1__AUDIT_VERIFY_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    Ims__V1__AuditVerifyResponse *resp;
    rc = ims_client_verify_audit_log(c, &req, &resp);
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx))
        rc = imsctl_show(ctx, &resp->base);
    else if (resp->ok)
        printf("ok: %" PRId64 " rows verified\n", resp->rows);
    else
        printf("BROKEN at sequence %" PRId64 " of %" PRId64 " rows: %s\n", resp->first_bad_seq,
               resp->rows, resp->detail);
    /* A broken chain is data loss for scripts, not a failed call. */
    if (rc == 0 && !resp->ok)
        rc = IMSCTL_EXIT_FAILURE;
    ims__v1__audit_verify_response__free_unpacked(resp, NULL);
    return rc;
}

static const imsctl_command commands[] = {
    {"verify", "TENANT", "Verifies the tenant's audit log hash chain (exit 1 when broken).",
     audit_verify},
    {"plan",
     "TENANT --kind internal|external|certification|maturity-level|supplier --title T "
     "--planned-at TIME [--framework F]... [--control C]... [--process P]... [--auditor A] "
     "[--key K]",
     "Plans an audit of the programme.", imsctl_audit_plan},
    {"start", "TENANT ID [--auditor A] [--key K]",
     "Starts a planned audit (held now; the auditor defaults to the caller).", imsctl_audit_step},
    {"report", "TENANT ID --report TEXT [--evidence REF]... [--key K]",
     "Reports an audit in progress.", imsctl_audit_step},
    {"close", "TENANT ID [--key K]", "Closes a reported audit.", imsctl_audit_step},
    {"reschedule", "TENANT ID --planned-at TIME [--auditor A] [--key K]",
     "Moves a planned audit.", imsctl_audit_step},
    {"list", "TENANT [--status planned|in_progress|reported|closed]",
     "Lists the audit programme (overdue audits flagged).", imsctl_audit_list},
    {"show", "TENANT ID", "Shows one audit.", imsctl_audit_show},
    {0},
};

const imsctl_group imsctl_group_audit = {
    "audit", "the audit programme, and the check of a tenant's audit log", commands, NULL};
