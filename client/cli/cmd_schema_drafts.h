/* The schema group's commands of the schema repository's editing (cmd_schema_drafts.c),
 * listed in cmd_schema.c's table. */
#ifndef IMSCTL_CMD_SCHEMA_DRAFTS_H
#define IMSCTL_CMD_SCHEMA_DRAFTS_H

#include "imsctl.h"

int imsctl_schema_draft(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int imsctl_schema_get(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int imsctl_schema_put(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int imsctl_schema_edit(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int imsctl_schema_diff(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int imsctl_schema_publish(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int imsctl_schema_stats(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int imsctl_schema_rebase(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);

#endif
