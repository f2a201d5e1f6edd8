/*
 * Every statement imsd prepares, in one place: X(ID, SQL). The pool prepares them on
 * each connection as "s_<ID>"; handlers refer to them as STMT_<ID>. Times come back as
 * RFC 3339 UTC text.
 */
#ifndef IMS_RPC_STATEMENTS_H
#define IMS_RPC_STATEMENTS_H

#define RFC3339(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define TENANT_COLUMNS                                                                             \
    "id, slug, display_name, sector, size_band, schema_id, schema_version, " RFC3339(            \
        "created_at") ", revision"
#define TOKEN_COLUMNS                                                                              \
    "t.id, t.role, t.label, " RFC3339("t.created_at") ", coalesce(" RFC3339(                     \
        "t.expires_at") ", ''), coalesce(" RFC3339("t.last_used_at") ", ''), coalesce(" RFC3339(  \
        "t.revoked_at") ", ''), coalesce((SELECT string_agg(tt.tenant_id::text, ',' ORDER BY "  \
                        "tt.tenant_id) FROM token_tenants tt WHERE tt.token_id = t.id), '')"

#define RPC_STATEMENTS(X)                                                                          \
    /* $1 secret hash (hex) -> id, role, usable (not expired, not revoked), tenants (csv) */     \
    X(TOKEN_LOOKUP,                                                                                \
      "SELECT t.id, t.role, t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > "    \
      "now()), coalesce((SELECT string_agg(tt.tenant_id::text, ',') FROM token_tenants tt WHERE " \
      "tt.token_id = t.id), '') FROM tokens t WHERE t.secret_hash = decode($1, 'hex')")           \
    /* $1 token id: last use, at most once a minute */                                            \
    X(TOKEN_TOUCH,                                                                                 \
      "UPDATE tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR "         \
      "last_used_at < now() - interval '1 minute')")                                               \
    /* $1 id, $2 hash, $3 role, $4 label, $5 expires (or NULL), $6 created_by (or NULL) */       \
    X(TOKEN_INSERT,                                                                                \
      "INSERT INTO tokens (id, secret_hash, role, label, expires_at, created_by) VALUES "          \
      "($1::uuid, decode($2, 'hex'), $3, $4, $5::timestamptz, $6::uuid)")                          \
    /* $1 token id, $2 tenant id or slug, $3 the only tenant allowed (or NULL) */                 \
    X(TOKEN_ADD_TENANT, "SELECT ims_token_add_tenant($1::uuid, $2, $3::uuid)")                      \
    X(TOKEN_GET, "SELECT " TOKEN_COLUMNS " FROM tokens t WHERE t.id = $1")                         \
    /* $1 tenant filter (uuid text or NULL), $2 after id (or NULL), $3 limit */                    \
    X(TOKEN_LIST,                                                                                  \
      "SELECT " TOKEN_COLUMNS " FROM tokens t WHERE ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM "   \
      "token_tenants tt WHERE tt.token_id = t.id AND tt.tenant_id = $1::uuid)) AND ($2::uuid IS "  \
      "NULL OR t.id > $2::uuid) ORDER BY t.id LIMIT $3::int")                                      \
    X(TOKEN_REVOKE,                                                                                \
      "UPDATE tokens AS t SET revoked_at = coalesce(revoked_at, now()) WHERE t.id = $1 RETURNING " \
      TOKEN_COLUMNS)                                                                               \
    /* $1 id or slug -> id (run with all tenants) */                                               \
    X(TENANT_RESOLVE, "SELECT id FROM tenants WHERE id::text = lower($1) OR slug = $1")            \
    X(TENANT_CREATE,                                                                               \
      "SELECT " TENANT_COLUMNS " FROM ims_create_tenant($1::uuid, $2, $3, $4, $5, $6, $7::int)")   \
    X(TENANT_GET, "SELECT " TENANT_COLUMNS " FROM tenants WHERE id = $1")                          \
    /* $1 ids (csv, or NULL for all), $2 after slug, $3 limit */                                   \
    X(TENANT_LIST,                                                                                 \
      "SELECT " TENANT_COLUMNS " FROM tenants WHERE ($1::text IS NULL OR id = ANY "               \
      "(string_to_array($1, ',')::uuid[])) AND slug > $2 ORDER BY slug LIMIT $3::int")              \
    /* $1 token id, $2 role, $3 method, $4 object id (tenant from ims.tenant_id) */               \
    X(AUDIT_APPEND, "SELECT ims_audit_append($1::uuid, $2, $3, $4)")                               \
    X(AUDIT_VERIFY, "SELECT first_bad, total FROM ims_audit_verify()")                             \
    /* idempotency: $1 tenant, $2 key -> method, request hash, response */                         \
    X(IDEMPOTENCY_GET,                                                                             \
      "SELECT method, encode(request_hash, 'hex'), response FROM idempotency_keys WHERE "          \
      "tenant_id = $1 AND key = $2")                                                               \
    X(IDEMPOTENCY_PUT,                                                                             \
      "INSERT INTO idempotency_keys (tenant_id, key, method, request_hash, response) VALUES "      \
      "($1, $2, $3, decode($4, 'hex'), decode($5, 'hex'))")                                        \
    /* schemas */                                                                                  \
    X(SCHEMA_LIST,                                                                                 \
      "SELECT s.schema_id, s.version, s.name, s.description, coalesce(s.sector, ''), "             \
      "coalesce(s.size_band, ''), coalesce(s.parent_id, ''), coalesce(s.parent_version, 0), "      \
      "coalesce((SELECT string_agg(ss.system_id, ',' ORDER BY ss.system_id) FROM schema_systems " \
      "ss WHERE ss.schema_id = s.schema_id AND ss.version = s.version AND ss.enabled), ''), "      \
      "(SELECT count(*) FROM schema_controls sc WHERE sc.schema_id = s.schema_id AND sc.version " \
      "= s.version AND sc.applicable), (SELECT count(*) FROM schema_subcontrols sc WHERE "        \
      "sc.schema_id = s.schema_id AND sc.version = s.version AND sc.applicable), " RFC3339(       \
          "s.created_at") " FROM schemas s WHERE ($1::text IS NULL OR s.schema_id = $1) AND "     \
                          "($2::int = 0 OR s.version = $2::int) AND (s.schema_id, s.version) > "  \
                          "($3, $4::int) ORDER BY s.schema_id, s.version LIMIT $5::int")           \
    X(SCHEMA_LATEST, "SELECT max(version) FROM schemas WHERE schema_id = $1")                      \
    X(SCHEMA_CLONE,                                                                                \
      "SELECT schema_id, version FROM ims_clone_schema($1, CASE WHEN $2::int = 0 THEN (SELECT "     \
      "max(version) FROM schemas WHERE schema_id = $1) ELSE $2::int END, $3, $4)")

enum rpc_statement {
#define RPC_STATEMENT_ENUM(id, sql) STMT_##id,
    RPC_STATEMENTS(RPC_STATEMENT_ENUM)
#undef RPC_STATEMENT_ENUM
        STMT__COUNT
};

#endif
