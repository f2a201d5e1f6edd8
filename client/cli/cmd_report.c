/* imsctl report: the management report of a tenant, one self-contained HTML document
 * (report/: the same document the board gives). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "imsctl.h"
#include "out_file.h"
#include "management_report.h"

static int report(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *out = NULL;
    imsctl_flag flags[] = {IMSCTL_STRING("out", &out), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    if (!out || !*out)
        return imsctl_invalid("--out: required (the HTML file to write, or - for stdout)");
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    ProtobufCMessage *parts[REPORT_PART_COUNT] = {0};
    rc = 0;
    for (int i = 0; i < REPORT_PART_COUNT && rc == 0; i++) {
        ProtobufCMessage *req = report_part_request((enum report_part)i, pos[0]);
        if (!req) {
            fprintf(stderr, "imsctl: out of memory\n");
            rc = IMSCTL_EXIT_FAILURE;
            break;
        }
        int call = ims_client_call(c, report_part_method((enum report_part)i), req,
                                   report_part_output((enum report_part)i), &parts[i]);
        report_request_free(req);
        /* Without the tenant or its level there is no report; a missing part is said so
         * in its section. */
        int status = ims_client_grpc_status(c);
        if (call != 0 &&
            (i <= REPORT_LEVEL || call != IMS_ERPC || status == IMS_GRPC_PERMISSION_DENIED ||
             status == IMS_GRPC_UNAUTHENTICATED))
            rc = imsctl_rpc_failed(ctx, call);
        else if (call != 0)
            parts[i] = NULL;
    }
    if (rc == 0) {
        char at[32];
        time_t now = time(NULL);
        strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        struct report_text text = {0};
        if (report_render((const ProtobufCMessage *const *)parts, at, &text) != 0) {
            fprintf(stderr, "imsctl: out of memory\n");
            rc = IMSCTL_EXIT_FAILURE;
        } else {
            struct imsctl_out file;
            int to_file = strcmp(out, "-") != 0;
            FILE *f = to_file ? imsctl_out_open(&file, out) : stdout;
            rc = f && fwrite(text.data, 1, text.len, f) == text.len ? 0 : IMSCTL_EXIT_FAILURE;
            if (f && to_file)
                rc = imsctl_out_close(&file, rc);
            if (rc != 0)
                fprintf(stderr, "imsctl: cannot write %s\n", out);
            else if (to_file)
                fprintf(stderr, "imsctl: wrote %s (%zu bytes)\n", out, text.len);
        }
        report_text_free(&text);
    }
    for (int i = 0; i < REPORT_PART_COUNT; i++)
        if (parts[i])
            protobuf_c_message_free_unpacked(parts[i], NULL);
    return rc;
}

static const imsctl_command commands[] = {
    {NULL, "TENANT --out FILE.html",
     "Writes the management report (level, SoA, risks, BIA, findings and actions, audits, "
     "awards and the latest review, objectives, plan) as one self-contained HTML document, "
     "ready to print to PDF.",
     report},
    {0},
};

const imsctl_group imsctl_group_report = {"report", "the management report of a tenant", commands,
                                          NULL};
