/* imsctl eval: offline evaluation of a tenant file by the engine linked in. */
#include <stdio.h>
#include <string.h>

#include "imsctl.h"

#ifdef IMS_HAVE_ENGINE
#include "eval_file.h"
#endif

static int eval(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    (void)ctx;
#ifdef IMS_HAVE_ENGINE
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: imsctl eval %s\n  %s\n", cmd->usage, cmd->help);
            return 0;
        }
    return imsctl_eval_file(argc, argv, stdout, stderr);
#else
    (void)cmd;
    (void)argc;
    (void)argv;
    fprintf(stderr, "imsctl: UNIMPLEMENTED: this imsctl was built without the engine\n");
    return IMSCTL_EXIT_FAILURE;
#endif
}

static const imsctl_command commands[] = {
    {NULL, "FILE [--at TIME] [--plan N] [--explain K]",
     "Evaluates a tenant's engine input offline, without a server.", eval},
    {0},
};

const imsctl_group imsctl_group_eval = {"eval", "evaluate a tenant file offline", commands, NULL};
