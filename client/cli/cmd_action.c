/* imsctl action: the one action tracker (ims.v1.Improvement): corrective, preventive and
 * improvement actions raised by a finding, an incident, a management review, a risk
 * treatment, an improvement-plan step, an objective or nothing; and the original `add` and
 * `update` of a finding's corrective actions (ims.v1.Events). */
#include <stdio.h>
#include <string.h>

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

static const char *const kinds[] = {"corrective", "preventive", "improvement", NULL};
static const char *const sources[] = {"finding", "incident", "review", "treatment", "plan",
                                      "objective", "none", NULL};

static int show_action_result(imsctl_ctx *ctx, int rc, Ims__V1__ActionResult *r)
{
    return imsctl_show_change(ctx, rc, r ? &r->base : NULL, r && r->action ? &r->action->base : NULL,
                              r ? r->security_level : 0, r ? r->revision : 0);
}

static int action_raise(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *kind = NULL, *source = "none", *source_id = "", *description = NULL,
               *owner = NULL, *due = NULL, *root_cause = "", *key = "";
    imsctl_flag flags[] = {
        IMSCTL_STRING("kind", &kind),           IMSCTL_STRING("source", &source),
        IMSCTL_STRING("source-id", &source_id), IMSCTL_STRING("description", &description),
        IMSCTL_STRING("owner", &owner),         IMSCTL_STRING("due", &due),
        IMSCTL_STRING("root-cause", &root_cause), IMSCTL_STRING("key", &key),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    if (!kind || !description || !owner || !due) {
        fprintf(stderr,
                "imsctl: --kind, --description, --owner and --due are required\n"
                "usage: imsctl action raise %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    if ((rc = imsctl_choice_arg("--kind", kind, kinds)) != 0 ||
        (rc = imsctl_choice_arg("--source", source, sources)) != 0)
        return rc;
    char due_at[64];
    if ((rc = imsctl_time_arg("--due", due, due_at, sizeof(due_at))) != 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__Action a = IMS__V1__ACTION__INIT;
    a.kind = (char *)kind;
    a.source_kind = (char *)source;
    a.source_id = (char *)source_id;
    a.description = (char *)description;
    a.owner = (char *)owner;
    a.due = due_at;
    a.root_cause = (char *)root_cause;
    Ims__V1__RaiseActionRequest req = IMS__V1__RAISE_ACTION_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.action = &a;
    req.idempotency_key = (char *)key;
    Ims__V1__ActionResult *r = NULL;
    rc = ims_client_raise_action(c, &req, &r);
    return show_action_result(ctx, rc, r);
}

/* done, verify, cancel, reopen, change: one ProgressAction each. */
static int action_progress(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *note = "", *owner = "", *due = NULL, *root_cause = "", *key = "";
    imsctl_flag flags[] = {
        IMSCTL_STRING("note", &note),         IMSCTL_STRING("reason", &note),
        IMSCTL_STRING("owner", &owner),       IMSCTL_STRING("due", &due),
        IMSCTL_STRING("root-cause", &root_cause), IMSCTL_STRING("key", &key),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    static const char *const names[][2] = {{"done", "done"},
                                           {"verify", "verified"},
                                           {"cancel", "cancelled"},
                                           {"reopen", "open"},
                                           {"change", ""}};
    const char *status = "";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(cmd->name, names[i][0]) == 0)
            status = names[i][1];
    if (strcmp(cmd->name, "cancel") == 0 && !note[0])
        return imsctl_invalid("--reason: cancelling an action needs a reason");
    char due_at[64] = "";
    if (due && (rc = imsctl_time_arg("--due", due, due_at, sizeof(due_at))) != 0)
        return rc;
    if (!status[0] && !owner[0] && !due && !root_cause[0])
        return imsctl_invalid("nothing to change: give --owner, --due or --root-cause");
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__ProgressActionRequest req = IMS__V1__PROGRESS_ACTION_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    req.status = (char *)status;
    req.owner = (char *)owner;
    req.due = due_at;
    req.root_cause = (char *)root_cause;
    req.note = (char *)note;
    req.idempotency_key = (char *)key;
    Ims__V1__ActionResult *r = NULL;
    rc = ims_client_progress_action(c, &req, &r);
    return show_action_result(ctx, rc, r);
}

static int action_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *status = "", *source = "", *source_id = "";
    bool overdue = false;
    imsctl_flag flags[] = {
        IMSCTL_STRING("status", &status), IMSCTL_STRING("source", &source),
        IMSCTL_STRING("source-id", &source_id), IMSCTL_BOOL("overdue", &overdue),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    if (source[0] && (rc = imsctl_choice_arg("--source", source, sources)) != 0)
        return rc;
    Ims__V1__ListActionsRequest req = IMS__V1__LIST_ACTIONS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.status = (char *)status;
    req.source_kind = (char *)source;
    req.source_id = (char *)source_id;
    req.overdue = overdue;
    static const char *const columns[] = {"id",  "kind",   "source_kind", "source_id", "owner",
                                          "due", "status", "overdue",     NULL};
    return imsctl_list_all(ctx, "/ims.v1.Improvement/ListActions", &req.base,
                           &ims__v1__list_actions_response__descriptor, "actions", columns);
}

static int action_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
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
    Ims__V1__GetActionRequest req = IMS__V1__GET_ACTION_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    Ims__V1__Action *a = NULL;
    if ((rc = ims_client_get_action(c, &req, &a)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    rc = imsctl_show(ctx, &a->base);
    ims__v1__action__free_unpacked(a, NULL);
    return rc;
}

static const imsctl_command commands[] = {
    {"add", "TENANT FINDING --description D --owner O --due TIME [--key IDEMPOTENCY]",
     "Adds a corrective action to a finding.", action_add},
    {"update", "TENANT ID [--status open|done|verified] [--owner O] [--due TIME] [--key K]",
     "Changes a corrective action of a finding.", action_update},
    {"raise",
     "TENANT --kind corrective|preventive|improvement [--source finding|incident|review|"
     "treatment|plan|objective|none] [--source-id ID] --description D --owner O --due TIME "
     "[--root-cause TEXT] [--key K]",
     "Raises an action from any source (a treatment is ASSET:THREAT).", action_raise},
    {"done", "TENANT ID [--key K]", "Marks an action done.", action_progress},
    {"verify", "TENANT ID --note TEXT [--key K]",
     "Verifies a done action (auditor or operator).", action_progress},
    {"cancel", "TENANT ID --reason TEXT [--key K]", "Cancels an action, with a reason.",
     action_progress},
    {"reopen", "TENANT ID [--key K]", "Reopens a done action.", action_progress},
    {"change", "TENANT ID [--owner O] [--due TIME] [--root-cause TEXT] [--key K]",
     "Changes an open action's owner, due date or root cause.", action_progress},
    {"list", "TENANT [--status S] [--source KIND] [--source-id ID] [--overdue]",
     "Lists actions (overdue ones flagged).", action_list},
    {"show", "TENANT ID", "Shows one action.", action_show},
    {0},
};

const imsctl_group imsctl_group_action = {
    "action", "the action tracker: corrective, preventive and improvement actions", commands,
    NULL};
