/* The audit programme's commands of `imsctl audit` (cmd_audit_programme.c). */
#ifndef IMSCTL_CMD_AUDIT_PROGRAMME_H
#define IMSCTL_CMD_AUDIT_PROGRAMME_H

#include "imsctl.h"

int imsctl_audit_plan(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int imsctl_audit_step(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int imsctl_audit_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int imsctl_audit_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);

#endif
