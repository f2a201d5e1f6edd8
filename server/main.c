/*
 * imsd: start-up, signals, configuration and wiring.
 *
 *   imsd [serve] --db DSN --listen ADDR [--listen ADDR ...] [--config FILE] [options]
 *   imsd migrate --db DSN [--sql-dir DIR] [--db-owner-role NAME] [--db-app-role NAME]
 *   imsd token create --db DSN --role ROLE [--tenant T ...] [--label TEXT]
 *   imsd config sample
 *
 * Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error,
 * 3 database unavailable.
 */
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <uv.h>

#include "auth.h"
#include "config.h"
#include "db_listen.h"
#include "db_pool.h"
#include "db_statements.h"
#include "grpc_server.h"
#include "ims/error.h"
#include "ims/malloc_tune.h"
#include "log.h"
#include "migrate.h"
#include "observe.h"
#include "rpc.h"
#include "streams.h"
#include "statements.h"
#include "tenant.h"

#define EXIT_USAGE 2
#define EXIT_DB 3

/* What the pool prepares: rpc/'s statements (sql/statements/rpc.sql) as "s_<ID>". */
static const struct db_statement statements[] = {
#define STATEMENT_ROW(id, sql) {"s_" #id, sql, RPC_PARAMS_##id},
    RPC_STATEMENTS(STATEMENT_ROW)
#undef STATEMENT_ROW
};

struct daemon {
    uv_loop_t *loop;
    struct config config;
    struct db_pool *pool;
    struct rpc_server *rpc;
    struct grpc_server *grpc;
    struct tenant_registry *tenants;
    struct db_listener *listener;
    struct observe *observe; /* the ops listener, when configured */
    uv_signal_t sigint, sigterm, sighup;
    uv_timer_t maintenance;
    uv_timer_t ready_timer;
    uint64_t started_ms;
    int stopping;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: imsd [serve] [--config FILE] [options]\n"
            "       imsd migrate --db DSN [--sql-dir DIR] [--db-owner-role NAME] [--db-app-role NAME]\n"
            "       imsd token create --db DSN --role ROLE [--tenant T ...] [--label TEXT]\n"
            "       imsd config sample\n\n"
            "options (also keys of the config file):\n");
    config_print_help(out);
}

/* Parses "--key value" pairs after the subcommand into the config; --config is read first
 * so that flags override the file. Extra (key, value) pairs the subcommand understands are
 * returned through extra_* for token create. */
static int parse_flags(int argc, char **argv, struct config *c, int allow_extra,
                       const char **role, const char **label, const char **tenants,
                       int *tenant_count)
{
    char err[512];
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            if (config_load_file(c, argv[i + 1], err, sizeof err) != 0) {
                fprintf(stderr, "imsd: %s\n", err);
                return -1;
            }
        }
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strncmp(a, "--", 2) != 0 || i + 1 >= argc) {
            fprintf(stderr, "imsd: unexpected argument \"%s\" (see imsd --help)\n", a);
            return -1;
        }
        const char *key = a + 2, *value = argv[++i];
        if (strcmp(key, "config") == 0)
            continue;
        if (allow_extra && strcmp(key, "role") == 0) {
            *role = value;
        } else if (allow_extra && strcmp(key, "label") == 0) {
            *label = value;
        } else if (allow_extra && strcmp(key, "tenant") == 0 && *tenant_count < 16) {
            tenants[(*tenant_count)++] = value;
        } else if (config_set(c, key, value, err, sizeof err) != 0) {
            fprintf(stderr, "imsd: %s\n", err);
            return -1;
        }
    }
    if (!c->db && getenv("IMS_DB"))
        (void)!config_set(c, "db", getenv("IMS_DB"), err, sizeof err);
    return 0;
}

/* Tells systemd (Type=notify) that imsd is serving: one datagram to $NOTIFY_SOCKET. */
static void notify_systemd(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof addr.sun_path)
        return;
    memcpy(addr.sun_path, path, strlen(path));
    if (addr.sun_path[0] == '@')
        addr.sun_path[0] = '\0'; /* abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
    if (sendto(fd, state, strlen(state), 0, (struct sockaddr *)&addr, len) < 0)
        log_warning("sd_notify failed", "socket=%s", path);
    close(fd);
}

/* --- imsd migrate --- */

static int cmd_migrate(struct config *c)
{
    if (!c->db) {
        fprintf(stderr, "imsd: db: required (--db or IMS_DB)\n");
        return EXIT_USAGE;
    }
    char err[2048];
    int applied = 0;
    int rc = db_migrate_roles(c->db, c->sql_dir, c->db_owner_role, c->db_app_role, &applied,
                              err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "imsd: migrate: %s\n", err);
        return rc == IMS_EUNAVAILABLE ? EXIT_DB : 1;
    }
    fprintf(stderr, "imsd: migrate: %d applied, database up to date\n", applied);
    return 0;
}

/* --- imsd token create --- */

/* Runs one statement of token create; returns 1, or 0 after printing the server's error. */
static int token_exec(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    PGresult *r = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "imsd: token create: %s", PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

static int cmd_token_create(struct config *c, const char *role_name, const char *label,
                            const char **tenants, int tenant_count)
{
    enum auth_role role;
    if (!c->db || !role_name || auth_role_parse(role_name, &role) != 0) {
        fprintf(stderr, "imsd: token create: --db and --role "
                        "operator|consultant|auditor|tenant_admin|agent|viewer are required\n");
        return EXIT_USAGE;
    }
    if ((role == ROLE_OPERATOR) != (tenant_count == 0)) {
        fprintf(stderr, "imsd: token create: --tenant is %s for role %s\n",
                role == ROLE_OPERATOR ? "not allowed" : "required", role_name);
        return EXIT_USAGE;
    }
    char secret[AUTH_TOKEN_LEN + 1], id[AUTH_UUID_LEN + 1], hash[65];
    if (auth_token_generate(secret) != 0 || auth_uuid_generate(id) != 0) {
        fprintf(stderr, "imsd: token create: no randomness available\n");
        return 1;
    }
    auth_token_hash_hex(secret, hash);
    PGconn *conn = PQconnectdb(c->db);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "imsd: token create: cannot connect: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return EXIT_DB;
    }
    /* The daemon's own statements, in one transaction that sees every tenant; the nil
     * tenant id files the audit entry in the chain of actions outside any tenant. */
    const char *frame[2] = {"00000000-0000-0000-0000-000000000000", "on"};
    const char *insert[6] = {id, hash, role_name, label ? label : "", NULL, NULL};
    const char *audit[4] = {NULL, "operator", "imsd token create", id};
    PGresult *r = PQexec(conn, DB_SQL_BEGIN);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    ok = ok && token_exec(conn, DB_SQL_SET_TENANT, DB_PARAMS_SET_TENANT, frame);
    ok = ok && token_exec(conn, RPC_SQL_TOKEN_INSERT, RPC_PARAMS_TOKEN_INSERT, insert);
    for (int i = 0; ok && i < tenant_count; i++) {
        const char *p[3] = {id, tenants[i], NULL};
        ok = token_exec(conn, RPC_SQL_TOKEN_ADD_TENANT, RPC_PARAMS_TOKEN_ADD_TENANT, p);
    }
    ok = ok && token_exec(conn, RPC_SQL_AUDIT_APPEND, RPC_PARAMS_AUDIT_APPEND, audit);
    r = PQexec(conn, ok ? DB_SQL_COMMIT : DB_SQL_ROLLBACK);
    ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    PQfinish(conn);
    if (!ok)
        return 1;
    /* Only the token goes to stdout, so scripts can capture it. */
    printf("%s\n", secret);
    fprintf(stderr, "imsd: token %s created (role %s); it is shown only this once\n", id,
            role_name);
    return 0;
}

/* --- what net/ and db/ report, as log lines --- */

/* One line per transport event; conn=<id> peer=<addr> lead where there is a connection. */
static void on_net_event(const struct net_event *ev, void *arg)
{
    (void)arg;
    const char *reason = ev->reason ? ev->reason : "";
    const char *error = ev->error ? ev->error : "";
    switch (ev->kind) {
    case NET_EVENT_LISTENING:
        log_info("listening", "addr=%s port=%d tls=%d", ev->address, ev->port, ev->tls);
        break;
    case NET_EVENT_LISTEN_FAILED:
        log_error("listen failed", "addr=%s step=%s error=\"%s\"", ev->address, reason, error);
        break;
    case NET_EVENT_ACCEPT_FAILED:
        log_warning("accept failed", "error=\"%s\"", error);
        break;
    case NET_EVENT_CONN_OPEN:
        log_debug("connection open", "conn=%llu peer=%s tls=%d", ev->conn, ev->peer, ev->tls);
        break;
    case NET_EVENT_CONN_CLOSED:
        log_debug("connection closed", "conn=%llu peer=%s reason=\"%s\"", ev->conn, ev->peer,
                  reason);
        break;
    case NET_EVENT_CONN_TIMEOUT:
        log_debug("connection timed out", "conn=%llu peer=%s reason=\"%s\"", ev->conn, ev->peer,
                  reason);
        break;
    case NET_EVENT_CONN_DROPPED:
        if (ev->reason)
            log_error("connection dropped", "reason=\"%s\"", reason);
        else
            log_error("connection dropped", "error=\"%s\"", error);
        break;
    case NET_EVENT_TLS_ESTABLISHED:
        log_debug("tls established", "conn=%llu peer=%s client_cert=%s", ev->conn, ev->peer,
                  ev->client_cert ? "yes" : "no");
        break;
    case NET_EVENT_TLS_REFUSED:
        log_warning("tls refused", "conn=%llu peer=%s reason=\"%s\"", ev->conn, ev->peer, reason);
        break;
    case NET_EVENT_TLS_HANDSHAKE_FAILED:
        log_warning("tls handshake failed", "conn=%llu peer=%s error=\"%s\"", ev->conn, ev->peer,
                    error);
        break;
    case NET_EVENT_TLS_ERROR:
        log_warning("tls error", "conn=%llu peer=%s error=\"%s\"", ev->conn, ev->peer, error);
        break;
    case NET_EVENT_TLS_CONFIG_FAILED: {
        const struct grpc_tls_config *t = ev->tls_files;
        log_error("tls configuration failed", "cert=%s key=%s client_ca=%s error=\"%s\"",
                  t->cert_file, t->key_file, t->client_ca_file ? t->client_ca_file : "-", error);
        break;
    }
    case NET_EVENT_TLS_RELOADED:
        log_info("tls reloaded", "cert=%s", ev->tls_files->cert_file);
        break;
    case NET_EVENT_HTTP2_SEND_FAILED:
        log_warning("http2 send failed", "conn=%llu peer=%s error=\"%s\"", ev->conn, ev->peer,
                    error);
        break;
    case NET_EVENT_HTTP2_PROTOCOL_ERROR:
        if (ev->detail)
            log_warning("http2 protocol error", "conn=%llu peer=%s detail=\"%s\"", ev->conn,
                        ev->peer, ev->detail);
        else
            log_warning("http2 protocol error", "conn=%llu peer=%s error=\"%s\"", ev->conn,
                        ev->peer, error);
        break;
    case NET_EVENT_STREAM_REFUSED:
        log_warning("stream refused", "conn=%llu peer=%s reason=\"%s\"", ev->conn, ev->peer,
                    reason);
        break;
    case NET_EVENT_STREAM_RESET:
        log_warning("stream reset", "conn=%llu peer=%s stream=%d reason=\"%s\"", ev->conn, ev->peer,
                    (int)ev->stream, reason);
        break;
    case NET_EVENT_BAD_REQUEST:
        log_warning("bad request", "conn=%llu peer=%s stream=%d reason=\"%s\"", ev->conn, ev->peer,
                    (int)ev->stream, reason);
        break;
    case NET_EVENT_SHUTDOWN:
        log_info("server shutting down", "connections=%s grace_ms=%u",
                 ev->connections ? "open" : "none", (unsigned)ev->grace_ms);
        break;
    }
}

static void on_db_event(const struct db_event *ev, void *arg)
{
    (void)arg;
    const char *error = ev->error ? ev->error : "";
    switch (ev->kind) {
    case DB_EVENT_STATE:
        log_debug("db connection state", "conn=%d from=%s to=%s", ev->conn, ev->from, ev->state);
        break;
    case DB_EVENT_CONNECTED:
        log_info("db connected", "conn=%d", ev->conn);
        break;
    case DB_EVENT_LOST:
        log_warning("db connection lost", "conn=%d state=%s error=\"%.200s\"", ev->conn, ev->state,
                    error);
        break;
    case DB_EVENT_STATEMENT_FAILED:
        log_error("db statement failed", "conn=%d state=%s error=\"%s\"", ev->conn, ev->state,
                  error);
        break;
    case DB_EVENT_LISTENER_READY:
        log_info("db listener ready", "command=\"%s\"", ev->command);
        break;
    case DB_EVENT_LISTENER_LOST:
        log_warning("db listener lost", "error=\"%.200s\"", error);
        break;
    case DB_EVENT_LISTEN_FAILED:
        log_error("db listener: listen failed", "error=\"%s\"", error);
        break;
    case DB_EVENT_CIRCUIT_OPEN:
        log_warning("db unavailable: refusing transactions until a connection is back",
                    "conn=%d error=\"%.200s\"", ev->conn, error);
        break;
    case DB_EVENT_CIRCUIT_CLOSED:
        log_info("db available again: taking transactions", "conn=%d", ev->conn);
        break;
    }
}

/* --- serving --- */

static void loop_walk_close(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void registry_closed(void *arg)
{
    struct daemon *d = arg;
    d->tenants = NULL;
    log_info("stopped", "%s", "");
}

static void pool_closed(void *arg)
{
    struct daemon *d = arg;
    d->pool = NULL;
    /* In-flight transactions have finished: the tenant states can go. */
    tenant_registry_close(d->tenants, registry_closed, d);
    uv_close((uv_handle_t *)&d->maintenance, NULL);
    if (!uv_is_closing((uv_handle_t *)&d->ready_timer))
        uv_close((uv_handle_t *)&d->ready_timer, NULL);
    uv_close((uv_handle_t *)&d->sigint, NULL);
    uv_close((uv_handle_t *)&d->sigterm, NULL);
    uv_close((uv_handle_t *)&d->sighup, NULL);
}

static void listener_closed(void *arg)
{
    struct daemon *d = arg;
    d->listener = NULL;
    db_pool_close(d->pool, pool_closed, d);
}

static void grpc_closed(void *arg)
{
    struct daemon *d = arg;
    d->grpc = NULL;
    db_listener_close(d->listener, listener_closed, d);
}

static void observe_closed(void *arg)
{
    struct daemon *d = arg;
    d->observe = NULL;
    grpc_server_shutdown(d->grpc, grpc_closed, d);
}

/* Another daemon (or this one) committed a change: "tenant:revision", or NULL to resync. */
static void on_tenant_notify(const char *payload, void *arg)
{
    struct daemon *d = arg;
    /* "revoked:<token id>": a token was revoked here or on another daemon. */
    if (payload && strncmp(payload, "revoked:", 8) == 0) {
        if (d->rpc)
            rpc_streams_revoked(d->rpc, payload + 8);
        return;
    }
    tenant_notification(d->tenants, payload);
}

static void on_stop_signal(uv_signal_t *h, int signum)
{
    struct daemon *d = h->data;
    if (d->stopping) {
        log_warning("second signal: stopping now", "signal=%d", signum);
        uv_stop(d->loop);
        return;
    }
    d->stopping = 1;
    rpc_act_sweep_stop();
    notify_systemd("STOPPING=1");
    log_info("stopping", "signal=%d grace_ms=%lld", signum,
             (long long)d->config.shutdown_grace_ms);
    rpc_health_stopping(d->rpc);
    /* The ops listener goes first (a load balancer's /readyz fails at once), then gRPC. */
    if (d->observe)
        observe_stop(d->observe, observe_closed, d);
    else
        grpc_server_shutdown(d->grpc, grpc_closed, d);
}

static void on_hup(uv_signal_t *h, int signum)
{
    (void)signum;
    struct daemon *d = h->data;
    if (!d->config.tls_cert)
        return;
    if (grpc_server_reload_tls(d->grpc) == 0)
        log_info("tls certificates reloaded", "cert=%s", d->config.tls_cert);
    else
        log_error("tls reload failed; keeping the old certificates", "cert=%s",
                  d->config.tls_cert);
}

static void maintenance_done(struct db_txn *txn, int err, void *arg)
{
    (void)arg;
    if (err == 0) {
        PGresult *r = db_txn_result(txn, 0);
        log_info("sample partitions", "created=%s dropped=%s", PQgetvalue(r, 0, 0),
                 PQgetvalue(r, 0, 1));
    } else {
        log_warning("sample partition maintenance failed", "error=\"%s\"", db_txn_error(txn));
    }
    db_txn_free(txn);
}

/* Keeps the next months' sample partitions ready and drops those past retention. */
static void on_maintenance(uv_timer_t *timer)
{
    struct daemon *d = timer->data;
    char days[24];
    snprintf(days, sizeof days, "%lld", (long long)d->config.sample_retention_days);
    const char *params[1] = {days};
    struct db_txn *txn = db_txn_new(d->pool, NULL, 0);
    if (!txn || db_txn_add(txn, STMT_SAMPLE_PARTITIONS, 1, params) < 0) {
        db_txn_free(txn);
        return;
    }
    db_txn_exec(txn, maintenance_done, NULL);
}

/* Written whole under a temporary name, then renamed, so a reader never sees half. */
static int write_ready_file(struct daemon *d, const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    for (int i = 0; i < d->config.listen_count; i++)
        fprintf(f, "%d\n", grpc_server_bound_port(d->grpc, i));
    if (d->observe)
        fprintf(f, "ops=%d\n", observe_port(d->observe));
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

/* Ready means serving with the database reachable: announced (ready file, systemd) once
 * the first database connection is up, or after 5 s without one, so that a daemon
 * started while the database is down still says it runs (health: NOT_SERVING). */
static void on_ready_check(uv_timer_t *timer)
{
    struct daemon *d = timer->data;
    if (db_pool_up(d->pool) == 0 && uv_now(d->loop) - d->started_ms < 5000)
        return;
    uv_timer_stop(timer);
    uv_close((uv_handle_t *)timer, NULL);
    if (d->config.ready_file && write_ready_file(d, d->config.ready_file) != 0)
        log_error("cannot write the ready file", "path=%s", d->config.ready_file);
    log_info("ready", "pid=%d database=%s", (int)getpid(), db_pool_up(d->pool) ? "up" : "down");
    notify_systemd("READY=1");
}

static int serve(struct daemon *d)
{
    struct config *c = &d->config;
    char err[512];
    if (config_validate(c, err, sizeof err) != 0) {
        fprintf(stderr, "imsd: %s\n", err);
        return EXIT_USAGE;
    }
    for (int i = 0; i < c->listen_count; i++) {
        const char *a = c->listen[i];
        int tls = strncmp(a, "https://", 8) == 0;
        if (tls && !c->tls_cert) {
            fprintf(stderr, "imsd: listen %s: needs tls_cert and tls_key\n", a);
            return EXIT_USAGE;
        }
        if (!tls && !config_address_is_local(a) && !c->allow_cleartext_remote) {
            fprintf(stderr,
                    "imsd: listen %s: cleartext is served on loopback and Unix sockets only; "
                    "use https:// or allow_cleartext_remote\n",
                    a);
            return EXIT_USAGE;
        }
    }
    /* libuv's thread pool (4 threads unless set) serves the heavy calls (rpc/offload.c: at
     * most one fewer than the CPUs) and the tenants' loads (tenant/load.c: at most as many
     * as the CPUs): enough threads that neither waits for a thread held by the other. */
    ims_malloc_tune();
    if (!getenv("UV_THREADPOOL_SIZE")) {
        char threads[16];
        unsigned n = 2 * uv_available_parallelism();
        snprintf(threads, sizeof threads, "%u", n < 4 ? 4 : n > 1024 ? 1024 : n);
        setenv("UV_THREADPOOL_SIZE", threads, 0);
    }
    d->loop = uv_default_loop();
    d->started_ms = uv_now(d->loop);
    struct db_pool_config pc = {
        .conninfo = c->db,
        .size = (int)c->db_pool_size,
        .max_queue = 10000,
        .limits = {(int)c->db_connect_timeout_ms, (int)c->db_statement_timeout_ms},
        .txn_timeout_ms = (int)c->db_txn_timeout_ms,
        .statements = statements,
        .statement_count = (int)(sizeof statements / sizeof statements[0]),
        .on_event = on_db_event,
        .event_arg = d,
    };
    if (db_statements_check(pc.statements, pc.statement_count, err, sizeof err) != 0) {
        fprintf(stderr, "imsd: statements: %s\n", err);
        return 1;
    }
    if (db_pool_new(d->loop, &pc, &d->pool) != 0) {
        fprintf(stderr, "imsd: cannot create the database pool\n");
        return 1;
    }
    struct tenant_registry_config tc = {
        .loop = d->loop,
        .pool = d->pool,
        .decay_period_s = 3600,
        .decay_epsilon = 1e-4,
        .max_batch = (int)c->ingest_batch,
        .max_queued = (int)c->ingest_queue,
        .statement_load = STMT_TENANT_LOAD,
        .statement_commit = STMT_COMMIT_LEVEL,
        .cache_bytes = (size_t)c->tenant_cache_mb << 20,
    };
    if (tenant_registry_new(&tc, &d->tenants) != 0) {
        fprintf(stderr, "imsd: out of memory\n");
        return 1;
    }
    if (db_listener_new(d->loop, c->db, "ims_tenant", on_tenant_notify, on_db_event, d,
                        &d->listener) != 0) {
        fprintf(stderr, "imsd: out of memory\n");
        return 1;
    }
    struct rpc_server_config rc = {d->loop, d->pool, d->tenants, (unsigned)c->token_cache_ttl_ms,
                                   (size_t)c->max_message_bytes,
                                   (unsigned)c->max_calls_per_token,
                                   (unsigned)c->max_calls_per_tenant,
                                   (unsigned)c->plan_max_steps,
                                   (unsigned)c->plan_max_steps_viewer,
                                   (size_t)c->import_max_snapshot_bytes,
                                   (unsigned)c->audit_verify_timeout_ms,
                                   c->audit_verify_max_rows};
    if (rpc_server_new(&rc, &d->rpc) != 0 || rpc_register_health(d->rpc) != 0 ||
        rpc_register_tenants(d->rpc) != 0 || rpc_register_level(d->rpc) != 0 ||
        rpc_register_events(d->rpc) != 0 || rpc_register_catalog(d->rpc) != 0 ||
        rpc_register_assessments(d->rpc) != 0 || rpc_register_risk(d->rpc) != 0 ||
        rpc_register_continuity(d->rpc) != 0 || rpc_register_improvement(d->rpc) != 0 ||
        rpc_register_portfolio(d->rpc) != 0 || rpc_register_people(d->rpc) != 0 ||
        rpc_register_documents(d->rpc) != 0 ||
        rpc_register_schemas(d->rpc) != 0 || rpc_register_completion(d->rpc) != 0 ||
        rpc_act_sweep_start(d->rpc, d->loop, c->act_sweep_interval_s) != 0) {
        fprintf(stderr, "imsd: cannot register the services\n");
        return 1;
    }
    struct grpc_dispatch dispatch;
    rpc_server_dispatch(d->rpc, &dispatch);
    struct grpc_server_config gc = {
        .max_message_bytes = (size_t)c->max_message_bytes,
        .max_concurrent_streams = (uint32_t)c->max_concurrent_streams,
        .shutdown_grace_ms = (uint32_t)c->shutdown_grace_ms,
        .max_connections = (uint32_t)c->max_connections,
        .max_connections_per_address = (uint32_t)c->max_connections_per_address,
        .handshake_timeout_ms = (uint32_t)c->tls_handshake_timeout_ms,
        .preface_timeout_ms = (uint32_t)c->preface_timeout_ms,
        .idle_timeout_ms = (uint32_t)c->idle_timeout_ms,
        .keepalive_ms = (uint32_t)c->keepalive_ms,
        .headers_timeout_ms = (uint32_t)c->headers_timeout_ms,
        .default_deadline_ms = (uint32_t)c->default_deadline_ms,
        .max_header_list_bytes = (uint32_t)c->max_header_list_bytes,
        .max_conn_buffered_bytes = (size_t)c->max_conn_buffered_bytes,
        .max_buffered_bytes = (size_t)c->max_buffered_bytes,
        .tls = {c->tls_cert, c->tls_key, c->tls_client_ca, (int)c->tls_require_client_cert,
                strcmp(c->tls_min_version, "1.2") == 0 ? 12 : 13},
        .on_event = on_net_event,
        .event_arg = d,
    };
    int rcode = grpc_server_new(d->loop, &gc, &dispatch, &d->grpc);
    if (rcode != 0) {
        fprintf(stderr, "imsd: cannot start the server: %s\n", ims_strerror(rcode));
        return 1;
    }
    for (int i = 0; i < c->listen_count; i++) {
        const char *a = c->listen[i];
        int tls = strncmp(a, "https://", 8) == 0;
        rcode = grpc_server_listen(d->grpc, tls ? a + 8 : a, tls);
        if (rcode != 0) {
            fprintf(stderr, "imsd: listen %s: %s\n", a, ims_strerror(rcode));
            return 1;
        }
        int port = grpc_server_bound_port(d->grpc, i);
        log_info("listening", "addr=%s port=%d tls=%d", a, port, tls);
    }
    if (c->ops_listen && *c->ops_listen) {
        if (!c->ops_tls && !config_address_is_local(c->ops_listen) && !c->allow_cleartext_remote) {
            fprintf(stderr, "imsd: ops_listen %s: cleartext is served on loopback only; use "
                            "ops_tls or allow_cleartext_remote\n", c->ops_listen);
            return EXIT_USAGE;
        }
        struct observe_sources os = {d->grpc, d->rpc, d->pool, d->tenants};
        rcode = observe_start(d->loop, c, &os, &d->observe, err, sizeof err);
        if (rcode != 0) {
            fprintf(stderr, "imsd: ops_listen %s: %s\n", c->ops_listen, err);
            return 1;
        }
        log_info("ops listening", "addr=%s port=%d tls=%d", c->ops_listen,
                 observe_port(d->observe), (int)c->ops_tls);
    }
    uv_timer_init(d->loop, &d->ready_timer);
    d->ready_timer.data = d;
    uv_timer_start(&d->ready_timer, on_ready_check, 0, 20);
    uv_timer_init(d->loop, &d->maintenance);
    d->maintenance.data = d;
    uv_timer_start(&d->maintenance, on_maintenance, 1000, 6 * 3600 * 1000);
    uv_signal_init(d->loop, &d->sigint);
    uv_signal_init(d->loop, &d->sigterm);
    uv_signal_init(d->loop, &d->sighup);
    d->sigint.data = d->sigterm.data = d->sighup.data = d;
    uv_signal_start(&d->sigint, on_stop_signal, SIGINT);
    uv_signal_start(&d->sigterm, on_stop_signal, SIGTERM);
    uv_signal_start(&d->sighup, on_hup, SIGHUP);
    signal(SIGPIPE, SIG_IGN);
    uv_run(d->loop, UV_RUN_DEFAULT);
    /* A second signal stopped the loop early: close what is left. */
    uv_walk(d->loop, loop_walk_close, NULL);
    uv_run(d->loop, UV_RUN_DEFAULT);
    uv_loop_close(d->loop);
    rpc_server_free(d->rpc);
    return 0;
}

int main(int argc, char **argv)
{
    static struct daemon d;
    config_init(&d.config);
    const char *log_env = getenv("IMS_LOG_LEVEL");
    int first = 1;
    const char *sub = argc > 1 && argv[1][0] != '-' ? argv[1] : "serve";
    if (argc > 1 && argv[1][0] != '-')
        first = 2;
    if (strcmp(sub, "--version") == 0 || (argc > 1 && strcmp(argv[1], "--version") == 0)) {
        printf("imsd 0.1.0\n");
        return 0;
    }
    int rc;
    const char *role = NULL, *label = NULL, *tenants[16];
    int tenant_count = 0;
    if (strcmp(sub, "serve") == 0) {
        if (parse_flags(argc - first, argv + first, &d.config, 0, NULL, NULL, NULL, NULL) != 0)
            return EXIT_USAGE;
        enum log_level level;
        if (log_parse_level(log_env ? log_env : d.config.log_level, &level) == 0)
            log_set_level(level);
        rc = serve(&d);
    } else if (strcmp(sub, "migrate") == 0) {
        if (parse_flags(argc - 2, argv + 2, &d.config, 0, NULL, NULL, NULL, NULL) != 0)
            return EXIT_USAGE;
        rc = cmd_migrate(&d.config);
    } else if (strcmp(sub, "token") == 0 && argc > 2 && strcmp(argv[2], "create") == 0) {
        if (parse_flags(argc - 3, argv + 3, &d.config, 1, &role, &label, tenants,
                        &tenant_count) != 0)
            return EXIT_USAGE;
        rc = cmd_token_create(&d.config, role, label, tenants, tenant_count);
    } else if (strcmp(sub, "config") == 0 && argc > 2 && strcmp(argv[2], "sample") == 0) {
        config_print_sample(stdout);
        rc = 0;
    } else if (strcmp(sub, "help") == 0) {
        usage(stdout);
        rc = 0;
    } else {
        usage(stderr);
        rc = EXIT_USAGE;
    }
    config_free(&d.config);
    return rc;
}
