/* imsctl action: corrective actions of audit findings (ims.v1.Events). */
#include <stdio.h>

#include "imsctl.h"
#include "output.h"

static int action_add(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *description = NULL, *owner = NULL, *due = NULL, *key = "";
    imsctl_flag flags[] = {
        IMSCTL_STRING("description", &description),
        IMSCTL_STRING("owner", &owner),
        IMSCTL_STRING("due", &due),
        IMSCTL_STRING("key", &key),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (!description || !owner || !due) {
        fprintf(stderr,
                "imsctl: --description, --owner and --due are required\n"
                "usage: imsctl action add %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    char due_at[64];
    if ((rc = imsctl_time_arg("--due", due, due_at, sizeof(due_at))) != 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__AddActionRequest req = IMS__V1__ADD_ACTION_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.finding = (char *)pos[1];
    req.description = (char *)description;
    req.owner = (char *)owner;
    req.due = due_at;
    req.idempotency_key = (char *)key;
    Ims__V1__FindingResult *r = NULL;
    rc = ims_client_add_action(c, &req, &r);
    return imsctl_show_finding_result(ctx, rc, r);
}

static int action_update(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *status = "", *owner = "", *due = NULL, *key = "";
    imsctl_flag flags[] = {
        IMSCTL_STRING("status", &status),
        IMSCTL_STRING("owner", &owner),
        IMSCTL_STRING("due", &due),
        IMSCTL_STRING("key", &key),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    static const char *const statuses[] = {"open", "done", "verified", NULL};
    if (status[0] && (rc = imsctl_choice_arg("--status", status, statuses)) != 0)
        return rc;
    char due_at[64] = "";
    if (due && (rc = imsctl_time_arg("--due", due, due_at, sizeof(due_at))) != 0)
        return rc;
    if (!status[0] && !owner[0] && !due)
        return imsctl_invalid("nothing to change: give --status, --owner or --due");
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__UpdateActionRequest req = IMS__V1__UPDATE_ACTION_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    req.status = (char *)status;
    req.owner = (char *)owner;
    req.due = due_at;
    req.idempotency_key = (char *)key;
    Ims__V1__FindingResult *r = NULL;
    rc = ims_client_update_action(c, &req, &r);
    return imsctl_show_finding_result(ctx, rc, r);
}

static const imsctl_command commands[] = {
    {"add", "TENANT FINDING --description D --owner O --due TIME [--key IDEMPOTENCY]",
     "Adds a corrective action to a finding.", action_add},
    {"update", "TENANT ID [--status open|done|verified] [--owner O] [--due TIME] [--key K]",
     "Changes a corrective action.", action_update},
    {0},
};

const imsctl_group imsctl_group_action = {"action", "track corrective actions of findings",
                                          commands, NULL};
