/*
 * imsctl: the command-line client of imsd.
 *
 *   imsctl [GLOBAL OPTIONS] GROUP [COMMAND] [ARGS] [--json]
 *
 * Exit codes (also in `imsctl --help`), so that scripts can tell what failed:
 *   0  ok
 *   1  other or internal error
 *   2  usage error (bad command line)
 *   3  invalid argument (INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION)
 *   4  not found (NOT_FOUND)
 *   5  already exists (ALREADY_EXISTS)
 *   6  unauthenticated or permission denied (UNAUTHENTICATED, PERMISSION_DENIED)
 *   7  unavailable (UNAVAILABLE, DEADLINE_EXCEEDED, cannot connect)
 *   8  resource exhausted (RESOURCE_EXHAUSTED)
 *
 * Errors go to stderr as "imsctl: <gRPC status name>: <message>".
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imsctl.h"
#include "output.h"

static const imsctl_group *const groups[] = {
    &imsctl_group_health,  &imsctl_group_tenant, &imsctl_group_token,  &imsctl_group_schema,
    &imsctl_group_audit,   &imsctl_group_level,  &imsctl_group_plan,   &imsctl_group_incident,
    &imsctl_group_finding, &imsctl_group_action, &imsctl_group_metric, &imsctl_group_eval,
    &imsctl_group_catalog, &imsctl_group_assess, &imsctl_group_soa, &imsctl_group_asset,
    &imsctl_group_risk, &imsctl_group_process, &imsctl_group_exercise, &imsctl_group_export,
    &imsctl_group_import, &imsctl_group_certify, &imsctl_group_review, &imsctl_group_objective,
    &imsctl_group_portfolio, &imsctl_group_report,
    &imsctl_group_tuning, &imsctl_group_completion,
    &imsctl_group_person, &imsctl_group_culture, &imsctl_group_procedure, &imsctl_group_document,
};

#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

volatile int imsctl_interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    imsctl_interrupted = 1;
}

void imsctl_catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void print_help(FILE *out)
{
    fprintf(out, "usage: imsctl [GLOBAL OPTIONS] GROUP [COMMAND] [ARGS] [--json]\n"
                 "\n"
                 "Global options (before GROUP):\n"
                 "  --server ADDR      host:port, [v6]:port, unix:/path or https://host:port\n"
                 "                     (default $IMS_SERVER, else " IMSCTL_DEFAULT_SERVER ")\n"
                 "  --token-file FILE  bearer token: the file's first line (default $IMS_TOKEN)\n"
                 "  --ca FILE          CA bundle to verify a TLS server (default: system store)\n"
                 "  --cert FILE --key FILE   TLS client certificate and key\n"
                 "  --timeout MS       per call deadline (default 10000; 0: none)\n"
                 "  --json             one JSON document on stdout (also accepted after GROUP)\n"
                 "\n"
                 "Groups:\n");
    for (size_t i = 0; i < NGROUPS; i++)
        fprintf(out, "  %-10s %s\n", groups[i]->name, groups[i]->summary);
    fprintf(out, "\n"
                 "`imsctl GROUP --help` lists a group's commands.\n"
                 "\n"
                 "Exit codes:\n"
                 "  0 ok                  5 already exists\n"
                 "  1 other/internal      6 unauthenticated / permission denied\n"
                 "  2 usage error         7 unavailable / deadline exceeded / cannot connect\n"
                 "  3 invalid argument    8 resource exhausted\n"
                 "  4 not found\n"
                 "Errors are printed to stderr as \"imsctl: STATUS: message\".\n");
}

static void print_group_help(FILE *out, const imsctl_group *g)
{
    fprintf(out, "imsctl %s: %s\n\n", g->name, g->summary);
    for (const imsctl_command *c = g->commands; c->run; c++)
        fprintf(out, "  imsctl %s%s%s %s\n      %s\n", g->name, c->name ? " " : "",
                c->name ? c->name : "", c->usage, c->help);
}

static const imsctl_group *current_group;

int imsctl_flags(const imsctl_command *cmd, int argc, char **argv, const imsctl_flag *flags,
                 const char **pos, int *npos, int min_pos, int max_pos)
{
    char err[256] = "";
    bool help;
    int rc =
        imsctl_parse_flags(argc, argv, flags, pos, npos, min_pos, max_pos, &help, err, sizeof(err));
    const char *gname = current_group ? current_group->name : "";
    if (rc == 0 && help) {
        printf("usage: imsctl %s%s%s %s\n  %s\n", gname, cmd->name ? " " : "",
               cmd->name ? cmd->name : "", cmd->usage, cmd->help);
        return 0;
    }
    if (rc == IMSCTL_EXIT_USAGE) {
        fprintf(stderr, "imsctl: %s\nusage: imsctl %s%s%s %s\n", err, gname, cmd->name ? " " : "",
                cmd->name ? cmd->name : "", cmd->usage);
        return rc;
    }
    if (rc != 0) {
        fprintf(stderr, "imsctl: %s: %s\n",
                rc == IMSCTL_EXIT_INVALID ? "INVALID_ARGUMENT" : "INTERNAL", err);
        return rc;
    }
    return -1;
}

int imsctl_invalid(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("imsctl: INVALID_ARGUMENT: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return IMSCTL_EXIT_INVALID;
}

int imsctl_time_arg(const char *flag, const char *value, char *out, size_t outlen)
{
    if (imsctl_parse_time(value, (long long)time(NULL), out, outlen) != 0)
        return imsctl_invalid("%s must be an RFC 3339 time (2026-06-01T10:00:00Z), a date, "
                              "\"now\" or relative like +30d / -2h",
                              flag);
    return 0;
}

int imsctl_choice_arg(const char *flag, const char *value, const char *const *choices)
{
    for (const char *const *c = choices; *c; c++)
        if (strcmp(*c, value) == 0)
            return 0;
    char list[256] = "";
    for (const char *const *c = choices; *c; c++) {
        strncat(list, *c, sizeof(list) - strlen(list) - 1);
        if (c[1])
            strncat(list, ", ", sizeof(list) - strlen(list) - 1);
    }
    return imsctl_invalid("%s must be one of: %s", flag, list);
}

bool imsctl_json(const imsctl_ctx *ctx)
{
    return ctx->opts.json;
}

int imsctl_show(const imsctl_ctx *ctx, const ProtobufCMessage *msg)
{
    if (ctx->opts.json)
        return imsctl_json_print(stdout, imsctl_json_message(msg));
    imsctl_print_object(stdout, msg);
    return 0;
}

ims_client *imsctl_client(imsctl_ctx *ctx, int *exit_code)
{
    if (ctx->client)
        return ctx->client;
    ims_client_options o = {
        .server = ctx->opts.server,
        .token = ctx->token,
        .ca_file = ctx->opts.ca_file,
        .cert_file = ctx->opts.cert_file,
        .key_file = ctx->opts.key_file,
        .timeout_ms = ctx->opts.timeout_ms,
    };
    char err[512] = "";
    int rc = ims_client_new(&o, &ctx->client, err, sizeof(err));
    if (rc != 0) {
        if (rc == IMS_ENOMEM)
            snprintf(err, sizeof(err), "out of memory");
        /* A bad address or unreadable TLS file is a problem of the command line. */
        bool local = rc == IMS_EINVAL || rc == IMS_ETLS;
        fprintf(stderr, "imsctl: %s: %s\n", local ? "INVALID_ARGUMENT" : "INTERNAL", err);
        *exit_code = local ? IMSCTL_EXIT_USAGE : IMSCTL_EXIT_FAILURE;
        ctx->client = NULL;
        return NULL;
    }
    if (ctx->token && ims_client_cleartext_remote(ctx->client))
        fprintf(stderr, "imsctl: warning: %s is reached in clear text (h2c): the token can be "
                        "read on the way; use https://\n",
                ctx->opts.server ? ctx->opts.server : IMSCTL_DEFAULT_SERVER);
    return ctx->client;
}

int imsctl_rpc_failed(imsctl_ctx *ctx, int rc)
{
    int status = ims_client_grpc_status(ctx->client);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", ims_client_error(ctx->client));
    imsctl_sanitize(msg);
    for (char *p = msg; *p; p++) /* one line: the server's text cannot forge another */
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    fprintf(stderr, "imsctl: %s: %s\n", ims_grpc_status_name(status),
            msg[0] ? msg : ims_strerror(rc));
    int code = imsctl_exit_for_status(status);
    return code == IMSCTL_EXIT_OK ? IMSCTL_EXIT_FAILURE : code;
}

static void set_string_field(ProtobufCMessage *msg, const char *name, char *value)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
    if (f && f->type == PROTOBUF_C_TYPE_STRING)
        *(char **)((char *)msg + f->offset) = value;
}

int imsctl_list_all(imsctl_ctx *ctx, const char *path, ProtobufCMessage *req,
                    const ProtobufCMessageDescriptor *resp_type, const char *items,
                    const char *const *columns)
{
    int rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    const ProtobufCFieldDescriptor *items_f =
        protobuf_c_message_descriptor_get_field_by_name(resp_type, items);
    const ProtobufCFieldDescriptor *next_f =
        protobuf_c_message_descriptor_get_field_by_name(resp_type, "next_page_token");
    ProtobufCMessage **pages = NULL;
    size_t npages = 0;
    const ProtobufCMessage **rows = NULL;
    size_t nrows = 0;
    char *token = NULL;
    bool nomem = false;
    rc = 0;
    for (;;) {
        set_string_field(req, "page_token", token ? token : (char *)"");
        ProtobufCMessage *resp;
        int r = ims_client_call(c, path, req, resp_type, &resp);
        if (r != 0) {
            rc = imsctl_rpc_failed(ctx, r);
            break;
        }
        ProtobufCMessage **p = realloc(pages, (npages + 1) * sizeof(*p));
        if (p == NULL) {
            protobuf_c_message_free_unpacked(resp, NULL);
            nomem = true;
            break;
        }
        pages = p;
        pages[npages++] = resp;
        size_t n = *(size_t *)((char *)resp + items_f->quantifier_offset);
        ProtobufCMessage **got = *(ProtobufCMessage ***)((char *)resp + items_f->offset);
        const ProtobufCMessage **more = realloc(rows, (nrows + n + 1) * sizeof(*more));
        if (more == NULL) {
            nomem = true;
            break;
        }
        rows = more;
        for (size_t i = 0; i < n; i++)
            rows[nrows++] = got[i];
        char *previous = token;
        token = next_f ? *(char **)((char *)resp + next_f->offset) : NULL;
        if (token == NULL || token[0] == '\0' || n == 0)
            break;
        /* A server that never ends the list is not followed without end. */
        if ((previous && strcmp(previous, token) == 0) || npages >= IMSCTL_MAX_PAGES) {
            fprintf(stderr, "imsctl: the server's list does not end (a page token repeated, "
                            "or more than %d pages); stopped\n",
                    IMSCTL_MAX_PAGES);
            rc = IMSCTL_EXIT_FAILURE;
            break;
        }
    }
    set_string_field(req, "page_token", (char *)"");
    if (nomem) {
        fprintf(stderr, "imsctl: INTERNAL: out of memory\n");
        rc = IMSCTL_EXIT_FAILURE;
    }
    if (rc == 0 && ctx->opts.json) {
        json_t *arr = json_array();
        bool ok = arr != NULL;
        for (size_t i = 0; ok && i < nrows; i++)
            ok = json_array_append_new(arr, imsctl_json_message(rows[i])) == 0;
        json_t *obj = ok ? json_object() : NULL;
        if (obj == NULL || json_object_set_new(obj, items, arr) != 0) {
            if (obj == NULL)
                json_decref(arr);
            json_decref(obj);
            obj = NULL;
        }
        rc = imsctl_json_print(stdout, obj);
    } else if (rc == 0) {
        rc = imsctl_print_table(stdout, rows, nrows, columns);
    }
    free(rows);
    for (size_t i = 0; i < npages; i++)
        protobuf_c_message_free_unpacked(pages[i], NULL);
    free(pages);
    return rc;
}

/* Reads the token from --token-file or $IMS_TOKEN into buf. */
static int load_token(imsctl_ctx *ctx, char *buf, size_t buflen)
{
    if (ctx->opts.token_file) {
        FILE *f = fopen(ctx->opts.token_file, "r");
        if (f == NULL) {
            fprintf(stderr, "imsctl: cannot read token file %s: %s\n", ctx->opts.token_file,
                    strerror(errno));
            return IMSCTL_EXIT_USAGE;
        }
        char text[4096];
        size_t n = fread(text, 1, sizeof(text) - 1, f);
        fclose(f);
        text[n] = '\0';
        int rc = imsctl_token_from_text(text, buf, buflen);
        memset(text, 0, sizeof(text));
        if (rc != 0) {
            fprintf(stderr, "imsctl: token file %s is empty\n", ctx->opts.token_file);
            return IMSCTL_EXIT_USAGE;
        }
        ctx->token = buf;
        return 0;
    }
    const char *env = getenv("IMS_TOKEN");
    if (env && env[0] && imsctl_token_from_text(env, buf, buflen) == 0)
        ctx->token = buf;
    return 0;
}

static const imsctl_group *find_group(const char *name)
{
    for (size_t i = 0; i < NGROUPS; i++)
        if (strcmp(groups[i]->name, name) == 0)
            return groups[i];
    return NULL;
}

/* Moves a "--json" found after the group into the global options. */
static int take_json_flags(imsctl_ctx *ctx, int argc, char **argv)
{
    int out = 0;
    bool dashdash = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            dashdash = true;
        if (!dashdash && strcmp(argv[i], "--json") == 0) {
            ctx->opts.json = true;
            continue;
        }
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    return out;
}

static int run(imsctl_ctx *ctx, int argc, char **argv)
{
    int next;
    char err[256] = "";
    int rc = imsctl_parse_global(argc, argv, &ctx->opts, &next, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "imsctl: %s\n(see imsctl --help)\n", err);
        return rc;
    }
    if (ctx->opts.version) {
        printf("imsctl 0.1\n");
        return 0;
    }
    if (ctx->opts.help && next >= argc) {
        print_help(stdout);
        return 0;
    }
    if (next >= argc) {
        print_help(stderr);
        return IMSCTL_EXIT_USAGE;
    }
    if (ctx->opts.server == NULL)
        ctx->opts.server = getenv("IMS_SERVER") && getenv("IMS_SERVER")[0] ? getenv("IMS_SERVER")
                                                                           : IMSCTL_DEFAULT_SERVER;
    ctx->timeout_given = ctx->opts.timeout_ms >= 0;
    if (!ctx->timeout_given)
        ctx->opts.timeout_ms = IMSCTL_DEFAULT_TIMEOUT_MS;

    const imsctl_group *g = find_group(argv[next]);
    if (g == NULL) {
        fprintf(stderr, "imsctl: unknown command group \"%s\" (see imsctl --help)\n", argv[next]);
        return IMSCTL_EXIT_USAGE;
    }
    current_group = g;
    int gargc = take_json_flags(ctx, argc - next, argv + next);
    char **gargv = argv + next;
    const imsctl_command *cmd = NULL;
    int cargc;
    char **cargv;
    if (g->commands[0].name == NULL) {
        cmd = &g->commands[0];
        cargc = gargc;
        cargv = gargv;
    } else {
        if (gargc < 2 || ctx->opts.help || strcmp(gargv[1], "--help") == 0 ||
            strcmp(gargv[1], "-h") == 0 || strcmp(gargv[1], "help") == 0) {
            print_group_help(gargc < 2 && !ctx->opts.help ? stderr : stdout, g);
            return gargc < 2 && !ctx->opts.help ? IMSCTL_EXIT_USAGE : 0;
        }
        for (const imsctl_command *c = g->commands; c->run; c++)
            if (strcmp(c->name, gargv[1]) == 0)
                cmd = c;
        if (cmd == NULL) {
            fprintf(stderr, "imsctl: unknown command \"%s %s\"\n", g->name, gargv[1]);
            print_group_help(stderr, g);
            return IMSCTL_EXIT_USAGE;
        }
        cargc = gargc - 1;
        cargv = gargv + 1;
    }
    char token[4096];
    rc = load_token(ctx, token, sizeof(token));
    if (rc == 0)
        rc = cmd->run(ctx, cmd, cargc, cargv);
    memset(token, 0, sizeof(token));
    return rc;
}

int main(int argc, char **argv)
{
    imsctl_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    signal(SIGPIPE, SIG_IGN);
    int rc = run(&ctx, argc, argv);
    ims_client_free(ctx.client);
    if (fflush(stdout) != 0 && rc == 0)
        rc = IMSCTL_EXIT_FAILURE;
    return rc;
}
