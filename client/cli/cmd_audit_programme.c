/* imsctl audit plan|start|report|close|list|show: the audit programme (ims.v1.Improvement).
 * The commands join `imsctl audit verify` (the audit log) in cmd_audit.c's group. */
#include <stdio.h>
#include <string.h>

#include "cmd_audit_programme.h"
#include "output.h"

static const char *const audit_kinds[] = {"internal", "external", "certification",
                                          "maturity-level", "supplier", NULL};

static int show_audit_result(imsctl_ctx *ctx, int rc, Ims__V1__AuditResult *r)
{
    return imsctl_show_change(ctx, rc, r ? &r->base : NULL, r && r->audit ? &r->audit->base : NULL,
                              r ? r->security_level : 0, r ? r->revision : 0);
}

int imsctl_audit_plan(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *kind = NULL, *title = NULL, *planned = NULL, *auditor = "", *key = "";
    imsctl_list frameworks = {0}, controls = {0}, processes = {0};
    imsctl_flag flags[] = {
        IMSCTL_STRING("kind", &kind),          IMSCTL_STRING("title", &title),
        IMSCTL_STRING("planned-at", &planned), IMSCTL_STRING("auditor", &auditor),
        IMSCTL_LIST("framework", &frameworks), IMSCTL_LIST("control", &controls),
        IMSCTL_LIST("process", &processes),    IMSCTL_STRING("key", &key),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        goto out;
    rc = 0;
    if (!kind || !title || !planned) {
        fprintf(stderr,
                "imsctl: --kind, --title and --planned-at are required\n"
                "usage: imsctl audit plan %s\n",
                cmd->usage);
        rc = IMSCTL_EXIT_USAGE;
        goto out;
    }
    char planned_at[64];
    if ((rc = imsctl_choice_arg("--kind", kind, audit_kinds)) != 0 ||
        (rc = imsctl_time_arg("--planned-at", planned, planned_at, sizeof planned_at)) != 0)
        goto out;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        goto out;
    Ims__V1__Audit a = IMS__V1__AUDIT__INIT;
    a.kind = (char *)kind;
    a.title = (char *)title;
    a.planned_at = planned_at;
    a.auditor = (char *)auditor;
    a.frameworks = (char **)frameworks.items;
    a.n_frameworks = frameworks.n;
    a.controls = (char **)controls.items;
    a.n_controls = controls.n;
    a.processes = (char **)processes.items;
    a.n_processes = processes.n;
    Ims__V1__PlanAuditRequest req = IMS__V1__PLAN_AUDIT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.audit = &a;
    req.idempotency_key = (char *)key;
    Ims__V1__AuditResult *r = NULL;
    rc = ims_client_plan_audit(c, &req, &r);
    rc = show_audit_result(ctx, rc, r);
out:
    imsctl_list_free(&frameworks);
    imsctl_list_free(&controls);
    imsctl_list_free(&processes);
    return rc;
}

/* start, report, close, reschedule: one UpdateAudit each. */
int imsctl_audit_step(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *auditor = "", *report = "", *planned = NULL, *key = "";
    imsctl_list evidence = {0};
    imsctl_flag flags[] = {
        IMSCTL_STRING("auditor", &auditor), IMSCTL_STRING("report", &report),
        IMSCTL_LIST("evidence", &evidence), IMSCTL_STRING("planned-at", &planned),
        IMSCTL_STRING("key", &key),         IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        goto out;
    rc = 0;
    const char *status = strcmp(cmd->name, "start") == 0    ? "in_progress"
                         : strcmp(cmd->name, "report") == 0 ? "reported"
                         : strcmp(cmd->name, "close") == 0  ? "closed"
                                                            : "";
    char planned_at[64] = "";
    if (planned && (rc = imsctl_time_arg("--planned-at", planned, planned_at, sizeof planned_at)) != 0)
        goto out;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        goto out;
    Ims__V1__UpdateAuditRequest req = IMS__V1__UPDATE_AUDIT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    req.status = (char *)status;
    req.auditor = (char *)auditor;
    req.report = (char *)report;
    req.planned_at = planned_at;
    req.evidence = (char **)evidence.items;
    req.n_evidence = evidence.n;
    req.idempotency_key = (char *)key;
    Ims__V1__AuditResult *r = NULL;
    rc = ims_client_update_audit(c, &req, &r);
    rc = show_audit_result(ctx, rc, r);
out:
    imsctl_list_free(&evidence);
    return rc;
}

int imsctl_audit_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *status = "";
    imsctl_flag flags[] = {IMSCTL_STRING("status", &status), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ListAuditsRequest req = IMS__V1__LIST_AUDITS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.status = (char *)status;
    static const char *const columns[] = {"id",      "kind",   "title",   "planned_at", "held_at",
                                          "auditor", "status", "overdue", "findings",   NULL};
    return imsctl_list_all(ctx, "/ims.v1.Improvement/ListAudits", &req.base,
                           &ims__v1__list_audits_response__descriptor, "audits", columns);
}

int imsctl_audit_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetAuditRequest req = IMS__V1__GET_AUDIT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    Ims__V1__Audit *a = NULL;
    if ((rc = ims_client_get_audit(c, &req, &a)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    rc = imsctl_show(ctx, &a->base);
    ims__v1__audit__free_unpacked(a, NULL);
    return rc;
}
