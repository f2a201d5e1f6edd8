/* imsctl incident: open, update, list, show incidents (ims.v1.Events). */
#include <inttypes.h>
#include <stdio.h>

#include "imsctl.h"
#include "output.h"

static const char *const statuses[] = {"open", "contained", "resolved", "closed", NULL};

static int show_result(imsctl_ctx *ctx, int rc, Ims__V1__IncidentResult *r)
{
    return imsctl_show_change(ctx, rc, r ? &r->base : NULL,
                              r && r->incident ? &r->incident->base : NULL,
                              r ? r->security_level : 0, r ? r->revision : 0);
}

static int incident_open(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long severity = 0, disruption = 0;
    bool has_severity = false;
    const char *threat = "", *description = "", *key = "", *detected = NULL;
    imsctl_list controls = {0}, assets = {0}, processes = {0};
    imsctl_flag flags[] = {
        IMSCTL_INT_SET("severity", &severity, 1, 5, &has_severity),
        IMSCTL_STRING("threat", &threat),
        IMSCTL_LIST("control", &controls),
        IMSCTL_LIST("asset", &assets),
        IMSCTL_LIST("process", &processes),
        IMSCTL_INT("disruption", &disruption, 0, 525600 * 10),
        IMSCTL_STRING("description", &description),
        IMSCTL_STRING("detected-at", &detected),
        IMSCTL_STRING("key", &key),
        IMSCTL_FLAGS_END,
    };
    char detected_at[64] = "";
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        goto out;
    rc = 0;
    if (!has_severity) {
        fprintf(stderr, "imsctl: --severity is required\nusage: imsctl incident open %s\n",
                cmd->usage);
        rc = IMSCTL_EXIT_USAGE;
        goto out;
    }
    if (detected &&
        (rc = imsctl_time_arg("--detected-at", detected, detected_at, sizeof(detected_at))) != 0)
        goto out;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        goto out;
    Ims__V1__Incident inc = IMS__V1__INCIDENT__INIT;
    inc.severity = (int32_t)severity;
    inc.threat = (char *)threat;
    inc.n_controls = controls.n;
    inc.controls = (char **)controls.items;
    inc.n_assets = assets.n;
    inc.assets = (char **)assets.items;
    inc.n_processes = processes.n;
    inc.processes = (char **)processes.items;
    inc.disruption_minutes = disruption;
    inc.description = (char *)description;
    inc.detected_at = detected_at;
    Ims__V1__SubmitIncidentRequest req = IMS__V1__SUBMIT_INCIDENT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.incident = &inc;
    req.idempotency_key = (char *)key;
    Ims__V1__IncidentResult *r = NULL;
    rc = ims_client_submit_incident(c, &req, &r);
    rc = show_result(ctx, rc, r);
out:
    imsctl_list_free(&controls);
    imsctl_list_free(&assets);
    imsctl_list_free(&processes);
    return rc;
}

static int incident_update(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long severity = 0, disruption = 0;
    bool has_disruption = false;
    const char *status = "", *resolved = NULL, *description = "", *key = "";
    imsctl_flag flags[] = {
        IMSCTL_STRING("status", &status),
        IMSCTL_INT("severity", &severity, 1, 5),
        IMSCTL_STRING("resolved-at", &resolved),
        IMSCTL_INT_SET("disruption", &disruption, 0, 525600 * 10, &has_disruption),
        IMSCTL_STRING("description", &description),
        IMSCTL_STRING("key", &key),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (status[0] && (rc = imsctl_choice_arg("--status", status, statuses)) != 0)
        return rc;
    char resolved_at[64] = "";
    if (resolved &&
        (rc = imsctl_time_arg("--resolved-at", resolved, resolved_at, sizeof(resolved_at))) != 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__UpdateIncidentRequest req = IMS__V1__UPDATE_INCIDENT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    req.status = (char *)status;
    req.severity = (int32_t)severity;
    req.resolved_at = resolved_at;
    req.has_disruption = has_disruption;
    req.disruption_minutes = has_disruption ? disruption : -1;
    req.description = (char *)description;
    req.idempotency_key = (char *)key;
    Ims__V1__IncidentResult *r = NULL;
    rc = ims_client_update_incident(c, &req, &r);
    return show_result(ctx, rc, r);
}

static int incident_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *status = "";
    imsctl_flag flags[] = {IMSCTL_STRING("status", &status), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    if (status[0] && (rc = imsctl_choice_arg("--status", status, statuses)) != 0)
        return rc;
    Ims__V1__ListIncidentsRequest req = IMS__V1__LIST_INCIDENTS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.status = (char *)status;
    static const char *const columns[] = {"id",          "status",      "severity",    "threat",
                                          "detected_at", "resolved_at", "description", NULL};
    return imsctl_list_all(ctx, "/ims.v1.Events/ListIncidents", &req.base,
                           &ims__v1__list_incidents_response__descriptor, "incidents", columns);
}

static int incident_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
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
    Ims__V1__GetIncidentRequest req = IMS__V1__GET_INCIDENT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    Ims__V1__Incident *inc;
    rc = ims_client_get_incident(c, &req, &inc);
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    rc = imsctl_show(ctx, &inc->base);
    ims__v1__incident__free_unpacked(inc, NULL);
    return rc;
}

static const imsctl_command commands[] = {
    {"open",
     "TENANT --severity 1..5 [--threat T] [--control C ...] [--asset A ...] [--process P ...] "
     "[--disruption MIN] [--description D] [--detected-at TIME] [--key IDEMPOTENCY]",
     "Records an incident; the level moves at once.", incident_open},
    {"update",
     "TENANT ID [--status open|contained|resolved|closed] [--severity N] [--resolved-at TIME] "
     "[--disruption MIN] [--description D] [--key IDEMPOTENCY]",
     "Changes an incident.", incident_update},
    {"list", "TENANT [--status S]", "Lists incidents.", incident_list},
    {"show", "TENANT ID", "Shows one incident.", incident_show},
    {0},
};

const imsctl_group imsctl_group_incident = {"incident", "record and follow incidents", commands,
                                            NULL};
