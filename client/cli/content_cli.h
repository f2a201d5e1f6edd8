/*
 * What the content command groups (catalog, assess, soa, asset, risk, process, exercise,
 * export, import) share: one call printed as JSON, a table of one repeated field, or
 * key: value lines; and reading a file argument.
 */
#ifndef IMSCTL_CONTENT_CLI_H
#define IMSCTL_CONTENT_CLI_H

#include <stdio.h>
#include <string.h>

#include "imsctl.h"

/*
 * Calls path with req and prints the response: the whole message with --json; else the
 * repeated field `items` as a table of `columns` when items is not NULL, else key: value
 * lines. Returns an exit code.
 */
int imsctl_content_call(imsctl_ctx *ctx, const char *path, const ProtobufCMessage *req,
                        const ProtobufCMessageDescriptor *resp_type, const char *items,
                        const char *const *columns);

/* Calls path and hands the response to the caller (free it with
 * protobuf_c_message_free_unpacked). Returns 0 or the exit code after printing the failure. */
int imsctl_content_fetch(imsctl_ctx *ctx, const char *path, const ProtobufCMessage *req,
                         const ProtobufCMessageDescriptor *resp_type, ProtobufCMessage **resp);

/* Prints `fields` of msg as aligned "name  value" lines, then, for each NULL-terminated
 * group of tables[] = {field, column, ..., NULL, field, ...}, the repeated field as a table
 * (skipped when empty). The list of groups ends with a NULL field. */
void imsctl_print_detail(const ProtobufCMessage *msg, const char *const *fields,
                         const char *const *tables);

/* The whole file ("-": stdin) as a NUL-terminated malloc'ed string, or NULL after printing
 * why. */
char *imsctl_read_file(const char *path);

#endif
