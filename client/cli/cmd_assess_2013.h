/* The assess group's commands for ISO/IEC 27001:2013 ids (cmd_assess_2013.c), listed in
 * cmd_assess.c's table. */
#ifndef IMSCTL_CMD_ASSESS_2013_H
#define IMSCTL_CMD_ASSESS_2013_H

#include "imsctl.h"

int imsctl_assess_import_2013(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int imsctl_assess_map_2013(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);

#endif
