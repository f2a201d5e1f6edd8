/*
 * imsctl's command table and what every command shares: the connection, how
 * failures are reported, and the exit codes (options.h).
 *
 * A command group is one cmd_<group>.c file defining an imsctl_group; adding a
 * group is that file plus a row in main.c's table.
 */
#ifndef IMSCTL_H
#define IMSCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "ims/client.h"
#include "options.h"

typedef struct imsctl_ctx {
    imsctl_global_options opts;
    const char *token;  /* from --token-file or $IMS_TOKEN; NULL: none */
    bool timeout_given; /* --timeout was on the command line */
    ims_client *client; /* opened by imsctl_client() on first use */
} imsctl_ctx;

struct imsctl_command;

/* Runs a command; argv[0] is the command's name. Returns an exit code. */
typedef int (*imsctl_run_fn)(imsctl_ctx *ctx, const struct imsctl_command *cmd, int argc,
                             char **argv);

typedef struct imsctl_command {
    const char *name;  /* NULL: the group runs it directly ("imsctl health") */
    const char *usage; /* arguments and flags, for --help and usage errors */
    const char *help;  /* one sentence */
    imsctl_run_fn run;
} imsctl_command;

typedef struct imsctl_group {
    const char *name;
    const char *summary;
    const imsctl_command *commands; /* ends with a zero entry */
    const char *full_name;          /* for usage lines: "imsctl tenant" */
} imsctl_group;

extern const imsctl_group imsctl_group_health;
extern const imsctl_group imsctl_group_tenant;
extern const imsctl_group imsctl_group_token;
extern const imsctl_group imsctl_group_schema;
extern const imsctl_group imsctl_group_audit;
extern const imsctl_group imsctl_group_level;
extern const imsctl_group imsctl_group_plan;
extern const imsctl_group imsctl_group_incident;
extern const imsctl_group imsctl_group_finding;
extern const imsctl_group imsctl_group_action;
extern const imsctl_group imsctl_group_metric;
extern const imsctl_group imsctl_group_eval;
extern const imsctl_group imsctl_group_catalog;
extern const imsctl_group imsctl_group_assess;
extern const imsctl_group imsctl_group_soa;
extern const imsctl_group imsctl_group_asset;
extern const imsctl_group imsctl_group_risk;
extern const imsctl_group imsctl_group_process;
extern const imsctl_group imsctl_group_person;
extern const imsctl_group imsctl_group_culture;
extern const imsctl_group imsctl_group_procedure;
extern const imsctl_group imsctl_group_document;
extern const imsctl_group imsctl_group_exercise;
extern const imsctl_group imsctl_group_export;
extern const imsctl_group imsctl_group_import;
extern const imsctl_group imsctl_group_certify;
extern const imsctl_group imsctl_group_review;
extern const imsctl_group imsctl_group_objective;
extern const imsctl_group imsctl_group_portfolio;
extern const imsctl_group imsctl_group_report;
extern const imsctl_group imsctl_group_tuning;
extern const imsctl_group imsctl_group_completion;

/*
 * The connected client (created on first use with the global options).
 * Returns NULL after printing the reason; *exit_code is then set.
 */
ims_client *imsctl_client(imsctl_ctx *ctx, int *exit_code);

/* Prints "imsctl: STATUS: message" for a failed call and returns the exit code. */
int imsctl_rpc_failed(imsctl_ctx *ctx, int rc);

/*
 * Parses a command's flags (see imsctl_parse_flags); prints --help or a usage
 * error itself. Returns -1 to go on, or the exit code to return (0 after --help).
 */
int imsctl_flags(const imsctl_command *cmd, int argc, char **argv, const imsctl_flag *flags,
                 const char **pos, int *npos, int min_pos, int max_pos);

/* Prints "imsctl: INVALID_ARGUMENT: ..." and returns IMSCTL_EXIT_INVALID. */
__attribute__((format(printf, 1, 2))) int imsctl_invalid(const char *fmt, ...);

/* Normalizes a time flag (imsctl_parse_time) into out; 0, or prints and returns
 * IMSCTL_EXIT_INVALID. */
int imsctl_time_arg(const char *flag, const char *value, char *out, size_t outlen);

/* Checks that value is one of the NULL-terminated choices; 0 or prints and IMSCTL_EXIT_INVALID. */
int imsctl_choice_arg(const char *flag, const char *value, const char *const *choices);

/* Output mode. */
bool imsctl_json(const imsctl_ctx *ctx);

/* Prints one message as JSON or as key: value lines. Returns an exit code. */
int imsctl_show(const imsctl_ctx *ctx, const ProtobufCMessage *msg);

/*
 * Calls a paged List RPC until next_page_token is empty and prints every item
 * of the repeated field `items`: one JSON object {items: [...]} or a table of
 * `columns`. req must have page_token (and may have page_size) fields.
 * Returns an exit code.
 */
int imsctl_list_all(imsctl_ctx *ctx, const char *path, ProtobufCMessage *req,
                    const ProtobufCMessageDescriptor *resp_type, const char *items,
                    const char *const *columns);

/* Prints the answer to a change that moved the level (the changed object, then the level
 * and revision after it) and frees result; or the failure when rc != 0. Returns an exit
 * code. */
int imsctl_show_change(imsctl_ctx *ctx, int rc, ProtobufCMessage *result,
                       const ProtobufCMessage *object, double level, int64_t revision);

/* Prints a FindingResult (and frees it), or the failure when rc != 0. Returns an exit code. */
int imsctl_show_finding_result(imsctl_ctx *ctx, int rc, Ims__V1__FindingResult *r);

/* Set by the SIGINT / SIGTERM handler that long-running commands install. */
extern volatile int imsctl_interrupted;

/* Installs the SIGINT / SIGTERM flag handler (without SA_RESTART, so waits return). */
void imsctl_catch_interrupts(void);

#endif
