/* The series-mapping commands of imsctl metric (cmd_metric_map.c). */
#ifndef IMSCTL_METRIC_MAP_H
#define IMSCTL_METRIC_MAP_H

#include "imsctl.h"

int metric_map(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int metric_mappings(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);
int metric_unmap(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv);

#endif
