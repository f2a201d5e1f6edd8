/* imsd configuration: the option table and what it drives (file, flags, help, sample,
 * checks). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "ims/error.h"

enum option_type { OPT_STRING, OPT_INT, OPT_BOOL, OPT_LIST };

struct option_def {
    const char *name;
    enum option_type type;
    size_t offset;
    const char *fallback; /* default, as text; NULL: none */
    int64_t min, max;     /* for OPT_INT */
    const char *help;
};

#define OFF(field) offsetof(struct config, field)

static const struct option_def options[] = {
    {"db", OPT_STRING, OFF(db), NULL, 0, 0,
     "PostgreSQL conninfo string or URI (default: $IMS_DB)"},
    {"listen", OPT_LIST, OFF(listen), NULL, 0, 0,
     "address to serve: host:port (h2c), unix:/path, or https://host:port (TLS); repeatable"},
    {"sql_dir", OPT_STRING, OFF(sql_dir), IMS_SQL_DIR, 0, 0,
     "folder holding migrations/ and catalog/ (installed: PREFIX/share/ims/sql)"},
    {"db_owner_role", OPT_STRING, OFF(db_owner_role), NULL, 0, 0,
     "imsd migrate: role owning the schema (default: DATABASE_owner)"},
    {"db_app_role", OPT_STRING, OFF(db_app_role), NULL, 0, 0,
     "imsd migrate: role imsd connects as (default: DATABASE_app)"},
    {"log_level", OPT_STRING, OFF(log_level), "info", 0, 0, "debug, info, warning or error"},
    {"db_pool_size", OPT_INT, OFF(db_pool_size), "8", 1, 256, "database connections"},
    {"db_connect_timeout_ms", OPT_INT, OFF(db_connect_timeout_ms), "5000", 1000, 600000,
     "time to connect to PostgreSQL (libpq connect_timeout, whole seconds); TCP keepalives "
     "and a 15 s TCP user timeout are set too, unless the DSN sets them"},
    {"db_statement_timeout_ms", OPT_INT, OFF(db_statement_timeout_ms), "15000", 0, 3600000,
     "PostgreSQL statement_timeout of imsd's connections (0: the server's)"},
    {"db_txn_timeout_ms", OPT_INT, OFF(db_txn_timeout_ms), "20000", 0, 3600000,
     "a transaction the database does not answer this long drops its connection and fails "
     "with UNAVAILABLE (0: wait for TCP)"},
    {"max_message_bytes", OPT_INT, OFF(max_message_bytes), "4194304", 1024, 268435456,
     "largest request message accepted"},
    {"max_concurrent_streams", OPT_INT, OFF(max_concurrent_streams), "256", 1, 100000,
     "concurrent calls per connection"},
    {"shutdown_grace_ms", OPT_INT, OFF(shutdown_grace_ms), "5000", 0, 600000,
     "how long in-flight calls may finish at shutdown"},
    {"max_connections", OPT_INT, OFF(max_connections), "8192", 1, 1000000,
     "open gRPC connections in all; more are closed as they are accepted"},
    {"max_connections_per_address", OPT_INT, OFF(max_connections_per_address), "512", 1, 1000000,
     "open gRPC connections from one client IP address (Unix sockets are not counted)"},
    {"tls_handshake_timeout_ms", OPT_INT, OFF(tls_handshake_timeout_ms), "10000", 100, 600000,
     "time a TLS client has to finish its handshake"},
    {"preface_timeout_ms", OPT_INT, OFF(preface_timeout_ms), "10000", 100, 600000,
     "time a client has, once connected (and TLS done), to send the HTTP/2 preface"},
    {"headers_timeout_ms", OPT_INT, OFF(headers_timeout_ms), "10000", 100, 600000,
     "time a request header block may stay incomplete"},
    {"idle_timeout_ms", OPT_INT, OFF(idle_timeout_ms), "300000", 100, 86400000,
     "a connection without open calls this long gets GOAWAY and is closed"},
    {"keepalive_ms", OPT_INT, OFF(keepalive_ms), "60000", 100, 86400000,
     "with calls open and nothing read this long, a PING is sent; no answer as long again: "
     "closed"},
    {"default_deadline_ms", OPT_INT, OFF(default_deadline_ms), "120000", 100, 86400000,
     "deadline of calls that send no grpc-timeout (Watch streams excepted)"},
    {"max_header_list_bytes", OPT_INT, OFF(max_header_list_bytes), "16384", 1024, 1048576,
     "request headers of one call (name + value + 32 each); the stream is reset beyond"},
    {"max_conn_buffered_bytes", OPT_INT, OFF(max_conn_buffered_bytes), "75497472", 65536,
     68719476736, "request bytes held for one connection (partial messages and client "
     "streams) before its flow-control windows are left shut; at least 17 x "
     "max_message_bytes, so that one whole client stream fits"},
    {"max_buffered_bytes", OPT_INT, OFF(max_buffered_bytes), "268435456", 65536, 68719476736,
     "request bytes held over all connections before flow-control windows are left shut"},
    {"max_calls_per_token", OPT_INT, OFF(max_calls_per_token), "256", 1, 1000000,
     "calls one token may have in flight at once (watch streams included)"},
    {"max_calls_per_tenant", OPT_INT, OFF(max_calls_per_tenant), "1024", 1, 1000000,
     "calls for one tenant in flight at once, over all its tokens"},
    {"plan_max_steps", OPT_INT, OFF(plan_max_steps), "100", 1, 100,
     "GetImprovementPlan: most steps one plan may ask for (worked out on the thread pool)"},
    {"plan_max_steps_viewer", OPT_INT, OFF(plan_max_steps_viewer), "20", 1, 100,
     "GetImprovementPlan: most steps for the viewer and agent roles"},
    {"import_max_snapshot_bytes", OPT_INT, OFF(import_max_snapshot_bytes), "16777216", 1024,
     16777216, "ImportTenant: largest snapshot text (parsed on the thread pool)"},
    {"audit_verify_timeout_ms", OPT_INT, OFF(audit_verify_timeout_ms), "10000", 100, 3600000,
     "VerifyAuditLog: most time the chain's hashing may take in PostgreSQL"},
    {"audit_verify_max_rows", OPT_INT, OFF(audit_verify_max_rows), "1000000", 1,
     1000000000, "VerifyAuditLog: longest audit chain it verifies in one call"},
    {"token_cache_ttl_ms", OPT_INT, OFF(token_cache_ttl_ms), "5000", 0, 3600000,
     "how long a verified token is trusted before the database is asked again"},
    {"tls_cert", OPT_STRING, OFF(tls_cert), NULL, 0, 0, "PEM certificate chain for https://"},
    {"tls_key", OPT_STRING, OFF(tls_key), NULL, 0, 0, "PEM private key for https://"},
    {"tls_client_ca", OPT_STRING, OFF(tls_client_ca), NULL, 0, 0,
     "PEM CA bundle to verify client certificates (mTLS)"},
    {"tls_min_version", OPT_STRING, OFF(tls_min_version), "1.3", 0, 0,
     "oldest TLS version accepted: 1.3, or 1.2 for older clients"},
    {"tls_require_client_cert", OPT_BOOL, OFF(tls_require_client_cert), "false", 0, 1,
     "refuse TLS clients without a verified certificate"},
    {"allow_cleartext_remote", OPT_BOOL, OFF(allow_cleartext_remote), "false", 0, 1,
     "allow cleartext listeners on addresses other than loopback"},
    {"sample_retention_days", OPT_INT, OFF(sample_retention_days), "400", 1, 36500,
     "metric samples older than this are dropped, a whole month partition at a time"},
    {"ingest_batch", OPT_INT, OFF(ingest_batch), "256", 1, 100000,
     "writes for one tenant coalesced into one transaction"},
    {"act_sweep_interval_s", OPT_INT, OFF(act_sweep_interval_s), "300", 1, 86400,
     "seconds between sweeps of the computed metrics that move with time and of the awards"},
    {"ingest_queue", OPT_INT, OFF(ingest_queue), "4096", 1, 1000000,
     "writes waiting for one tenant beyond which new ones get RESOURCE_EXHAUSTED"},
    {"tenant_cache_mb", OPT_INT, OFF(tenant_cache_mb), "1024", 0, 1048576,
     "memory (MiB) the cached tenant states may hold; beyond it the least recently used idle "
     "tenants are evicted and loaded again on their next use (0: no limit)"},
    {"ops_listen", OPT_STRING, OFF(ops_listen), NULL, 0, 0,
     "host:port of the ops listener (HTTP/1.1: /metrics, /healthz, /readyz, remote_write); "
     "off when empty; an address other than loopback needs ops_tls"},
    {"ops_tls", OPT_BOOL, OFF(ops_tls), "false", 0, 1,
     "serve the ops listener over TLS with tls_cert, tls_key and tls_client_ca"},
    {"ops_require_token", OPT_BOOL, OFF(ops_require_token), "false", 0, 1,
     "ask /metrics and /readyz for an operator token or a verified client certificate also on "
     "loopback (always asked elsewhere)"},
    {"ops_max_connections", OPT_INT, OFF(ops_max_connections), "64", 1, 100000,
     "open ops connections; more are closed at once"},
    {"ops_max_header_bytes", OPT_INT, OFF(ops_max_header_bytes), "16384", 1024, 1048576,
     "request line and headers of one ops request (431 beyond)"},
    {"ops_max_body_bytes", OPT_INT, OFF(ops_max_body_bytes), "8388608", 1024, 268435456,
     "body of one ops request, a compressed remote_write batch (413 beyond)"},
    {"ops_request_timeout_ms", OPT_INT, OFF(ops_request_timeout_ms), "10000", 100, 600000,
     "time to send one ops request, headers and body (408 beyond)"},
    {"ops_idle_timeout_ms", OPT_INT, OFF(ops_idle_timeout_ms), "60000", 100, 3600000,
     "an ops connection without a request is closed after this"},
    {"web_dir", OPT_STRING, OFF(web_dir), IMS_WEB_DIR, 0, 0,
     "folder of the control board's files, served on the ops listener (installed: "
     "PREFIX/share/ims/web); the board is off when empty"},
    {"web_chart_js", OPT_STRING, OFF(web_chart_js), "/usr/share/javascript/chart.js/chart.min.js",
     0, 0, "the Chart.js file the board's charts use (Debian's libjs-chart.js)"},
    {"remote_write_max_samples", OPT_INT, OFF(remote_write_max_samples), "100000", 1, 10000000,
     "samples in one remote_write request (400 beyond)"},
    {"metrics_max_tenants", OPT_INT, OFF(metrics_max_tenants), "10000", 0, 1000000,
     "tenants with their own ims_security_level, ims_maturity_level and ims_revision series"},
    {"ready_file", OPT_STRING, OFF(ready_file), NULL, 0, 0,
     "once serving, write the bound TCP port of each listener here, one per line, then "
     "ops=PORT for the ops listener"},
};

#define OPTION_COUNT (sizeof options / sizeof options[0])

static const struct option_def *find(const char *key)
{
    char name[64];
    size_t n = strlen(key);
    if (n >= sizeof name)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        name[i] = key[i] == '-' ? '_' : key[i];
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (strcmp(options[i].name, name) == 0)
            return &options[i];
    return NULL;
}

int config_has(const char *key)
{
    return find(key) != NULL;
}

int config_set(struct config *c, const char *key, const char *value, char *err, size_t err_len)
{
    const struct option_def *o = find(key);
    if (!o) {
        snprintf(err, err_len, "unknown option \"%s\"", key);
        return IMS_EINVAL;
    }
    char *base = (char *)c;
    switch (o->type) {
    case OPT_STRING: {
        char **slot = (char **)(base + o->offset);
        char *copy = strdup(value);
        if (!copy)
            return IMS_ENOMEM;
        free(*slot);
        *slot = copy;
        return 0;
    }
    case OPT_LIST: {
        if (c->listen_count == CONFIG_MAX_LISTEN) {
            snprintf(err, err_len, "%s: at most %d addresses", o->name, CONFIG_MAX_LISTEN);
            return IMS_EINVAL;
        }
        if (!(c->listen[c->listen_count] = strdup(value)))
            return IMS_ENOMEM;
        c->listen_count++;
        return 0;
    }
    case OPT_INT: {
        errno = 0;
        char *end;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end || v < o->min || v > o->max) {
            snprintf(err, err_len, "%s: \"%s\" is not a whole number in %lld..%lld", o->name,
                     value, (long long)o->min, (long long)o->max);
            return IMS_EINVAL;
        }
        *(int64_t *)(base + o->offset) = v;
        return 0;
    }
    case OPT_BOOL: {
        int v;
        if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1"))
            v = 1;
        else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0"))
            v = 0;
        else {
            snprintf(err, err_len, "%s: \"%s\" is not true or false", o->name, value);
            return IMS_EINVAL;
        }
        *(int64_t *)(base + o->offset) = v;
        return 0;
    }
    }
    return IMS_EINVAL;
}

/* An installed imsd (PREFIX/bin or PREFIX/sbin) finds the SQL and the board's files
 * installed beside it in PREFIX/share/ims/{sql,web}, wherever PREFIX is; one run from the
 * build tree uses the source's. */
static void find_installed(struct config *c, const char *what, const char *probe_name,
                           char **field)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0';
    char dir[4200], probe[4300];
    snprintf(dir, sizeof dir, "%s/../share/ims/%s", exe, what);
    snprintf(probe, sizeof probe, "%s/%s", dir, probe_name);
    struct stat st;
    if (stat(probe, &st) != 0)
        return;
    char *copy = realpath(dir, NULL);
    if (copy) {
        free(*field);
        *field = copy;
    }
}

void config_init(struct config *c)
{
    memset(c, 0, sizeof *c);
    char err[128];
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (options[i].fallback && options[i].type != OPT_LIST)
            (void)!config_set(c, options[i].name, options[i].fallback, err, sizeof err);
    find_installed(c, "sql", "migrations", &c->sql_dir);
    find_installed(c, "web", "index.html", &c->web_dir);
}

void config_free(struct config *c)
{
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (options[i].type == OPT_STRING)
            free(*(char **)((char *)c + options[i].offset));
    for (int i = 0; i < c->listen_count; i++)
        free(c->listen[i]);
    memset(c, 0, sizeof *c);
}

struct load_ctx {
    struct config *config;
    const char *path;
    char *err;
    size_t err_len;
    int failed;
    char detail[256];
};

/* inih reports the line of the first value a handler refused as its return value. */
static int on_ini_value(void *user, const char *section, const char *name, const char *value)
{
    struct load_ctx *ctx = user;
    (void)section;
    if (ctx->failed)
        return 0;
    if (config_set(ctx->config, name, value, ctx->detail, sizeof ctx->detail) != 0) {
        ctx->failed = 1;
        return 0;
    }
    return 1;
}

int config_load_file(struct config *c, const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return IMS_EIO;
    }
    struct load_ctx ctx = {c, path, err, err_len, 0, ""};
    int line = ini_parse_file(f, on_ini_value, &ctx);
    fclose(f);
    if (ctx.failed) {
        snprintf(err, err_len, "%s:%d: %s", path, line, ctx.detail);
        return IMS_EINVAL;
    }
    if (line != 0) {
        snprintf(err, err_len, "%s:%d: not a \"key = value\" line", path, line);
        return IMS_EINVAL;
    }
    return 0;
}

int config_address_is_local(const char *address)
{
    return strncmp(address, "unix:", 5) == 0 || strncmp(address, "127.", 4) == 0 ||
           strncmp(address, "[::1]:", 6) == 0 || strncmp(address, "localhost:", 10) == 0;
}

int config_validate(const struct config *c, char *err, size_t err_len)
{
    if (!c->db || !*c->db) {
        snprintf(err, err_len, "db: required (--db, IMS_DB or the config file)");
        return IMS_EINVAL;
    }
    if (c->listen_count == 0) {
        snprintf(err, err_len, "listen: give at least one address");
        return IMS_EINVAL;
    }
    if (!c->tls_cert != !c->tls_key) {
        snprintf(err, err_len, "tls_cert and tls_key: give both or neither");
        return IMS_EINVAL;
    }
    if (c->ops_tls && !c->tls_cert) {
        snprintf(err, err_len, "ops_tls: needs tls_cert and tls_key");
        return IMS_EINVAL;
    }
    if (c->tls_require_client_cert && !c->tls_client_ca) {
        snprintf(err, err_len, "tls_require_client_cert: needs tls_client_ca");
        return IMS_EINVAL;
    }
    if (c->max_conn_buffered_bytes < 17 * c->max_message_bytes) {
        snprintf(err, err_len,
                 "max_conn_buffered_bytes: at least 17 x max_message_bytes (%lld), so that one "
                 "client stream of 16 messages and a partial one fit",
                 (long long)(17 * c->max_message_bytes));
        return IMS_EINVAL;
    }
    if (c->max_buffered_bytes < c->max_conn_buffered_bytes) {
        snprintf(err, err_len, "max_buffered_bytes: at least max_conn_buffered_bytes");
        return IMS_EINVAL;
    }
    if (strcmp(c->tls_min_version, "1.3") != 0 && strcmp(c->tls_min_version, "1.2") != 0) {
        snprintf(err, err_len, "tls_min_version: must be 1.3 or 1.2");
        return IMS_EINVAL;
    }
    if (strcmp(c->log_level, "debug") && strcmp(c->log_level, "info") &&
        strcmp(c->log_level, "warning") && strcmp(c->log_level, "error")) {
        snprintf(err, err_len, "log_level: must be debug, info, warning or error");
        return IMS_EINVAL;
    }
    return 0;
}

void config_print_sample(FILE *out)
{
    fprintf(out, "# imsd configuration. Every key is also a flag: --key value.\n");
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        const struct option_def *o = &options[i];
        fprintf(out, "\n# %s", o->help);
        if (o->type == OPT_INT)
            fprintf(out, " (%lld..%lld)", (long long)o->min, (long long)o->max);
        fprintf(out, "\n%s%s = %s\n", o->fallback ? "" : "# ", o->name,
                o->fallback ? o->fallback : "");
    }
}

void config_print_help(FILE *out)
{
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        const struct option_def *o = &options[i];
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", o->name);
        for (char *p = flag + 2; *p; p++)
            if (*p == '_')
                *p = '-';
        fprintf(out, "  %-28s %s", flag, o->help);
        if (o->fallback)
            fprintf(out, " [%s]", o->fallback);
        fputc('\n', out);
    }
}
