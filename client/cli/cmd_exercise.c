/* imsctl exercise: continuity exercises (ims.v1.Continuity). */
#include "content_cli.h"
#include "ims/v1/continuity.pb-c.h"

static int exercise_record(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *at = NULL, *note = "";
    long recovery = -1;
    imsctl_flag flags[] = {IMSCTL_STRING("at", &at), IMSCTL_STRING("note", &note),
                           IMSCTL_INT("recovery", &recovery, 0, 5256000), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (recovery < 0) {
        fprintf(stderr, "imsctl: --recovery is required\nusage: imsctl exercise record %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    char when[64] = "";
    if (at && (rc = imsctl_time_arg("--at", at, when, sizeof when)) != 0)
        return rc;
    Ims__V1__RecordExerciseRequest req = IMS__V1__RECORD_EXERCISE_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.process = (char *)pos[1];
    req.at = when;
    req.recovery_min = (int32_t)recovery;
    req.note = (char *)note;
    return imsctl_content_call(ctx, "/ims.v1.Continuity/RecordExercise", &req.base,
                               &ims__v1__continuity_change__descriptor, NULL, NULL);
}

static const imsctl_command commands[] = {
    {"record", "TENANT PROCESS --recovery MIN [--at TIME] [--note TEXT]",
     "Records a continuity exercise and the recovery time it achieved.", exercise_record},
    {0},
};

const imsctl_group imsctl_group_exercise = {"exercise", "record continuity exercises", commands,
                                            NULL};
