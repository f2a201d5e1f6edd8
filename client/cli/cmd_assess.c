/* imsctl assess: answer sub-controls, import answers from CSV, progress (ims.v1.Assessments). */
#include <stdlib.h>

#include "cmd_assess_2013.h"
#include "content_cli.h"
#include "ims/v1/assessments.pb-c.h"

static const char *const answers[] = {"yes", "partial", "no", "na", "unanswered", NULL};

static int assess_set(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *note = "", *evidence = "";
    imsctl_flag flags[] = {IMSCTL_STRING("note", &note), IMSCTL_STRING("evidence", &evidence),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 3, 3);
    if (rc >= 0)
        return rc;
    if ((rc = imsctl_choice_arg("ANSWER", pos[2], answers)) != 0)
        return rc;
    Ims__V1__Answer a = IMS__V1__ANSWER__INIT;
    a.subcontrol = (char *)pos[1];
    a.answer = (char *)pos[2];
    a.note = (char *)note;
    a.evidence = (char *)evidence;
    Ims__V1__Answer *list[1] = {&a};
    Ims__V1__SetAnswersRequest req = IMS__V1__SET_ANSWERS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.n_answers = 1;
    req.answers = list;
    return imsctl_content_call(ctx, "/ims.v1.Assessments/SetAnswers", &req.base,
                               &ims__v1__set_answers_response__descriptor, NULL, NULL);
}

static int assess_import(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    char *csv = imsctl_read_file(pos[1]);
    if (!csv)
        return IMSCTL_EXIT_INVALID;
    Ims__V1__ImportAnswersRequest req = IMS__V1__IMPORT_ANSWERS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.csv = csv;
    rc = imsctl_content_call(ctx, "/ims.v1.Assessments/ImportAnswers", &req.base,
                             &ims__v1__set_answers_response__descriptor, NULL, NULL);
    free(csv);
    return rc;
}

static int assess_progress(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__GetProgressRequest req = IMS__V1__GET_PROGRESS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    ProtobufCMessage *resp = NULL;
    if ((rc = imsctl_content_fetch(ctx, "/ims.v1.Assessments/GetProgress", &req.base,
                                   &ims__v1__get_progress_response__descriptor, &resp)) != 0)
        return rc;
    const Ims__V1__GetProgressResponse *p = (const Ims__V1__GetProgressResponse *)resp;
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, resp);
    } else {
        printf("%-16s %8s %10s %7s\n", "SCOPE", "ASSESSED", "APPLICABLE", "DONE");
        if (p->overall)
            printf("%-16s %8d %10d %6.1f%%\n", "overall", p->overall->assessed,
                   p->overall->applicable, p->overall->ratio * 100);
        for (size_t i = 0; i < p->n_frameworks; i++)
            printf("%-16s %8d %10d %6.1f%%\n", p->frameworks[i]->key, p->frameworks[i]->assessed,
                   p->frameworks[i]->applicable, p->frameworks[i]->ratio * 100);
        for (size_t i = 0; i < p->n_levels; i++)
            printf("level %-10s %8d %10d %6.1f%%\n", p->levels[i]->key, p->levels[i]->assessed,
                   p->levels[i]->applicable, p->levels[i]->ratio * 100);
    }
    protobuf_c_message_free_unpacked(resp, NULL);
    return rc;
}

static const imsctl_command commands[] = {
    {"set", "TENANT SUBCONTROL yes|partial|no|na|unanswered [--note TEXT] [--evidence REF]",
     "Answers one sub-control (kept in the history with who and when).", assess_set},
    {"import", "TENANT FILE.csv",
     "Imports answers from CSV (header subcontrol,answer,note,evidence); all or nothing.",
     assess_import},
    {"import-2013", "TENANT FILE.csv",
     "Imports answers keyed by ISO/IEC 27001:2013 controls (control,answer,note,evidence).",
     imsctl_assess_import_2013},
    {"map-2013", "TENANT ID...",
     "Shows the 2022 controls and the tenant's sub-controls a 2013 id maps to.",
     imsctl_assess_map_2013},
    {"progress", "TENANT", "Shows assessed / applicable sub-controls overall, per framework and "
                           "per maturity level.",
     assess_progress},
    {0},
};

const imsctl_group imsctl_group_assess = {"assess", "answer the assessment checklists", commands,
                                          NULL};
