/*
 * imsd configuration: one declarative table drives the config file, the command-line
 * flags, --help, validation and the sample config (imsd config sample).
 *
 * The file is INI-style "key = value" (parsed by inih, Debian's libinih, so comments,
 * sections and line numbers are handled by a well-kept parser); every key is also a
 * flag "--key value" (underscores may be written as dashes). Flags override the file.
 * "listen" may be given many times.
 */
#ifndef IMS_CONFIG_H
#define IMS_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_MAX_LISTEN 8

struct config {
    char *db;
    char *listen[CONFIG_MAX_LISTEN];
    int listen_count;
    char *sql_dir;
    char *db_owner_role;
    char *db_app_role;
    char *log_level;
    int64_t db_pool_size;
    int64_t db_connect_timeout_ms;
    int64_t db_statement_timeout_ms;
    int64_t db_txn_timeout_ms;
    int64_t max_message_bytes;
    int64_t max_concurrent_streams;
    int64_t shutdown_grace_ms;
    int64_t max_connections;
    int64_t max_connections_per_address;
    int64_t tls_handshake_timeout_ms;
    int64_t preface_timeout_ms;
    int64_t headers_timeout_ms;
    int64_t idle_timeout_ms;
    int64_t keepalive_ms;
    int64_t default_deadline_ms;
    int64_t max_header_list_bytes;
    int64_t max_conn_buffered_bytes;
    int64_t max_buffered_bytes;
    char *tls_min_version;
    int64_t token_cache_ttl_ms;
    int64_t max_calls_per_token;
    int64_t max_calls_per_tenant;
    int64_t plan_max_steps;           /* GetImprovementPlan steps, most roles */
    int64_t plan_max_steps_viewer;    /* GetImprovementPlan steps, viewer and agent */
    int64_t import_max_snapshot_bytes; /* ImportTenant snapshot text */
    int64_t audit_verify_timeout_ms;  /* VerifyAuditLog's time in PostgreSQL */
    int64_t audit_verify_max_rows;    /* VerifyAuditLog's chain length */
    char *tls_cert;
    char *tls_key;
    char *tls_client_ca;
    int64_t tls_require_client_cert;
    int64_t allow_cleartext_remote;
    char *ops_listen;
    char *web_dir;      /* the control board's files ("" : no board) */
    char *web_chart_js; /* Chart.js, served to the board */
    int64_t ops_tls;
    int64_t ops_require_token;
    int64_t ops_max_connections;
    int64_t ops_max_header_bytes;
    int64_t ops_max_body_bytes;
    int64_t ops_request_timeout_ms;
    int64_t ops_idle_timeout_ms;
    int64_t remote_write_max_samples;
    int64_t metrics_max_tenants;
    char *ready_file;
    int64_t sample_retention_days;
    int64_t ingest_batch;
    int64_t ingest_queue;
    int64_t tenant_cache_mb;
    int64_t act_sweep_interval_s;
};

/* Sets every default. */
void config_init(struct config *c);
void config_free(struct config *c);

/* Reads a config file. Returns 0, IMS_EIO (cannot open) or IMS_EINVAL; err names the
 * file, the line and the key. */
int config_load_file(struct config *c, const char *path, char *err, size_t err_len)
    __attribute__((warn_unused_result));

/* Sets one option by name from text (flags and file alike). Returns 0 or IMS_EINVAL with
 * a message naming the key and its rule. */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t err_len)
    __attribute__((warn_unused_result));

/* 1 when key names an option. */
int config_has(const char *key);

/* 1 for a loopback address ("127.…", "[::1]:…", "localhost:…") or a Unix socket: where
 * cleartext and unauthenticated ops endpoints are allowed. */
int config_address_is_local(const char *address);

/* Checks what single keys cannot (at least one listener, TLS files in pairs). */
int config_validate(const struct config *c, char *err, size_t err_len)
    __attribute__((warn_unused_result));

/* Writes the options with their help and defaults, as a sample file or as --help text. */
void config_print_sample(FILE *out);
void config_print_help(FILE *out);

#endif
