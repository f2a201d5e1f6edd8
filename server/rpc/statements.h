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

#define INCIDENT_COLUMNS                                                                           \
    "incident_id, status, severity, coalesce(threat_id, ''), array_to_string(controls, ','), "     \
    "array_to_string(assets, ','), array_to_string(processes, ','), ims_rfc3339(detected_at), "    \
    "coalesce(ims_rfc3339(resolved_at), ''), disruption_minutes, description, "                    \
    "ims_rfc3339(created_at), ims_rfc3339(updated_at)"
#define FINDING_COLUMNS                                                                            \
    "finding_id, type, array_to_string(controls, ','), audit, description, status, "               \
    "ims_rfc3339(opened_at), coalesce(ims_rfc3339(closed_at), '')"
#define ACTION_COLUMNS                                                                             \
    "action_id, finding_id, description, owner, ims_rfc3339(due), status, ims_rfc3339(updated_at)"

#define CONTROL_SORT_KEY "c.framework_id || '/' || lpad(c.sort_order::text, 8, '0')"
#define CONTROL_COLUMNS                                                                            \
    "c.id, c.framework_id, c.domain_id, c.code, c.title, coalesce(c.harmonized, ''), (SELECT "     \
    "count(*) FROM subcontrol_controls x WHERE x.control_id = c.id), " CONTROL_SORT_KEY
#define ASSET_COLUMNS                                                                              \
    "s.asset_id, s.name, s.type, coalesce(s.owner, ''), s.c, s.i, s.a, " RFC3339(                \
        "s.created_at") ", " RFC3339("s.updated_at")
#define PROCESS_COLUMNS                                                                            \
    "p.process_id, p.name, coalesce(p.owner, ''), p.criticality, p.mtpd_min, p.rto_min, "          \
    "p.rpo_min, coalesce(p.mbco, ''), coalesce(" RFC3339("p.plan_reviewed_at") ", ''), "          \
    "coalesce((SELECT string_agg(" RFC3339("e.at") " || '=' || e.recovery_min, ',' ORDER BY "     \
    "e.at DESC, e.seq DESC) FROM (SELECT * FROM exercises x WHERE x.tenant_id = p.tenant_id AND " \
    "x.process_id = p.process_id ORDER BY x.at DESC, x.seq DESC LIMIT 20) e), ''), " RFC3339(     \
        "p.created_at") ", " RFC3339("p.updated_at")

#define RPC_STATEMENTS(X)                                                                          \
    /* $1 secret hash (hex) -> id, role, usable (not expired, not revoked), tenants (csv),       \
     * seconds until expiry (-1: never) */                                                        \
    X(TOKEN_LOOKUP,                                                                                \
      "SELECT t.id, t.role, t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > "    \
      "now()), coalesce((SELECT string_agg(tt.tenant_id::text, ',') FROM token_tenants tt WHERE " \
      "tt.token_id = t.id), ''), coalesce(ceil(extract(epoch FROM t.expires_at - now()))::bigint, " \
      "-1) FROM tokens t WHERE t.secret_hash = decode($1, 'hex')")                                \
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
      "SELECT method, encode(request_hash, 'hex'), encode(response, 'hex') FROM idempotency_keys "  \
      "WHERE "                                                                                     \
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
    /* $1 tenant -> snapshot (json text), revision */                                            \
    X(TENANT_LOAD,                                                                                 \
      "SELECT ims_tenant_snapshot(t.id, false)::text, t.revision FROM tenants t WHERE t.id = $1")  \
    /* $1 tenant, $2 'true' for everything (all samples) -> snapshot json text */                 \
    X(TENANT_SNAPSHOT, "SELECT ims_tenant_snapshot($1::uuid, $2::boolean)::text")                  \
    /* $1 tenant, $2 expected revision, $3 level, $4 maturity, $5 cause -> revision, at */         \
    X(COMMIT_LEVEL,                                                                                \
      "SELECT revision, at FROM ims_commit_level($1::uuid, $2::bigint, $3::float8, $4::int, $5)")  \
    /* $1 tenant, $2 from (or NULL), $3 to (or NULL), $4 limit */                                 \
    X(HISTORY_LIST,                                                                                \
      "SELECT ims_rfc3339(at), revision, security_level, maturity, cause FROM level_history "     \
      "WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR at >= $2::timestamptz) AND "           \
      "($3::timestamptz IS NULL OR at <= $3::timestamptz) ORDER BY revision LIMIT $4::int")        \
    /* every tenant's stored level (run with all tenants) */                                       \
    X(TENANT_LEVELS,                                                                               \
      "SELECT id, revision, coalesce(security_level, 0), coalesce(maturity, 0) FROM tenants "      \
      "ORDER BY slug")                                                                             \
    /* events: $1 tenant, $2 id, $3 severity, $4 threat, $5 controls, $6 assets, $7 processes   \
     * (text[] literals), $8 detected, $9 disruption, $10 description */                          \
    X(INCIDENT_INSERT,                                                                             \
      "INSERT INTO incidents (tenant_id, incident_id, status, severity, threat_id, controls, "     \
      "assets, processes, detected_at, disruption_minutes, description) VALUES ($1, $2, 'open', " \
      "$3::smallint, $4, $5::text[], $6::text[], $7::text[], $8::timestamptz, $9::bigint, $10) "   \
      "RETURNING " INCIDENT_COLUMNS)                                                               \
    X(INCIDENT_GET,                                                                                \
      "SELECT " INCIDENT_COLUMNS " FROM incidents WHERE tenant_id = $1 AND incident_id = $2")     \
    /* $1 tenant, $2 id, $3 status, $4 severity, $5 resolved (or NULL), $6 disruption, $7 text */  \
    X(INCIDENT_UPDATE,                                                                             \
      "UPDATE incidents SET status = $3, severity = $4::smallint, resolved_at = $5::timestamptz, " \
      "disruption_minutes = $6::bigint, description = $7, updated_at = now() WHERE tenant_id = "  \
      "$1 AND incident_id = $2 RETURNING " INCIDENT_COLUMNS)                                       \
    /* $1 tenant, $2 status (or NULL), $3 after id, $4 limit */                                    \
    X(INCIDENT_LIST,                                                                               \
      "SELECT " INCIDENT_COLUMNS " FROM incidents WHERE tenant_id = $1 AND ($2::text IS NULL OR "  \
      "status = $2) AND incident_id > $3 ORDER BY incident_id LIMIT $4::int")                      \
    /* $1 tenant, $2 id, $3 type, $4 controls, $5 audit, $6 description */                         \
    X(FINDING_INSERT,                                                                              \
      "INSERT INTO findings (tenant_id, finding_id, type, controls, audit, description, status) "   \
      "VALUES ($1, $2, $3, $4::text[], $5, $6, 'open') RETURNING " FINDING_COLUMNS)                 \
    X(FINDING_GET,                                                                                 \
      "SELECT " FINDING_COLUMNS ", (SELECT count(*) FROM corrective_actions a WHERE a.tenant_id = " \
      "$1 AND a.finding_id = $2), (SELECT count(*) FROM corrective_actions a WHERE a.tenant_id = " \
      "$1 AND a.finding_id = $2 AND a.status <> 'verified') FROM findings WHERE tenant_id = $1 "   \
      "AND finding_id = $2")                                                                       \
    /* $1 tenant, $2 id, $3 type, $4 description, $5 'true' to close */                            \
    X(FINDING_UPDATE,                                                                              \
      "UPDATE findings SET type = $3, description = $4, status = CASE WHEN $5::boolean THEN "      \
      "'closed' ELSE status END, closed_at = CASE WHEN $5::boolean THEN now() ELSE closed_at END " \
      "WHERE tenant_id = $1 AND finding_id = $2 RETURNING " FINDING_COLUMNS)                       \
    X(FINDING_LIST,                                                                                \
      "SELECT " FINDING_COLUMNS " FROM findings WHERE tenant_id = $1 AND ($2::text IS NULL OR "    \
      "status = $2) AND finding_id > $3 ORDER BY finding_id LIMIT $4::int")                        \
    X(ACTION_LIST,                                                                                 \
      "SELECT " ACTION_COLUMNS " FROM corrective_actions WHERE tenant_id = $1 AND finding_id = "   \
      "$2 ORDER BY action_id")                                                                     \
    /* $1 tenant, $2 id, $3 finding, $4 description, $5 owner, $6 due */                           \
    X(ACTION_INSERT,                                                                               \
      "INSERT INTO corrective_actions (tenant_id, action_id, finding_id, description, owner, due, " \
      "status) VALUES ($1, $2, $3, $4, $5, $6::timestamptz, 'open') RETURNING " ACTION_COLUMNS)    \
    X(ACTION_GET,                                                                                  \
      "SELECT " ACTION_COLUMNS " FROM corrective_actions WHERE tenant_id = $1 AND action_id = $2")  \
    /* $1 tenant, $2 id, $3 status, $4 owner, $5 due */                                            \
    X(ACTION_UPDATE,                                                                               \
      "UPDATE corrective_actions SET status = $3, owner = $4, due = $5::timestamptz, updated_at = " \
      "now() WHERE tenant_id = $1 AND action_id = $2 RETURNING " ACTION_COLUMNS)                   \
    /* $1 tenant, $2 metrics, $3 times, $4 values (array literals) */                              \
    X(SAMPLES_INSERT,                                                                              \
      "INSERT INTO metric_samples (tenant_id, metric_id, at, value) SELECT $1, m, a, v FROM "      \
      "unnest($2::text[], $3::timestamptz[], $4::float8[]) AS x (m, a, v)")                        \
    X(SAMPLE_PARTITIONS, "SELECT created, dropped FROM ims_sample_partitions($1::int, 3)")         \
    /* risk treatment: $1 tenant -> every treatment */                                           \
    X(TREATMENT_LIST,                                                                              \
      "SELECT asset_id, threat_id, option, owner, coalesce(ims_rfc3339(due), ''), note, "          \
      "updated_by, ims_rfc3339(updated_at) FROM risk_treatments WHERE tenant_id = $1")             \
    /* $1 tenant, $2 asset, $3 threat, $4 option, $5 owner, $6 due (or NULL), $7 note, $8 by */    \
    X(TREATMENT_PUT,                                                                               \
      "INSERT INTO risk_treatments AS r (tenant_id, asset_id, threat_id, option, owner, due, "     \
      "note, updated_by) VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8) ON CONFLICT "        \
      "(tenant_id, asset_id, threat_id) DO UPDATE SET option = EXCLUDED.option, owner = "          \
      "EXCLUDED.owner, due = EXCLUDED.due, note = EXCLUDED.note, updated_by = "                    \
      "EXCLUDED.updated_by, updated_at = now() RETURNING asset_id, threat_id, option, owner, "     \
      "coalesce(ims_rfc3339(due), ''), note, updated_by, ims_rfc3339(updated_at)")                 \
    X(SCHEMA_LATEST, "SELECT max(version) FROM schemas WHERE schema_id = $1")                      \
    X(SCHEMA_CLONE,                                                                                \
      "SELECT schema_id, version FROM ims_clone_schema($1, CASE WHEN $2::int = 0 THEN (SELECT "     \
      "max(version) FROM schemas WHERE schema_id = $1) ELSE $2::int END, $3, $4)") \
    /* --- content: catalog, assessments, SoA, risk, continuity, import (0060, 0061) --- */    \
    /* $1 after id, $2 limit */                                                                    \
    X(CATALOG_FRAMEWORKS,                                                                          \
      "SELECT f.id, f.system_id, f.name, f.edition, (SELECT count(*) FROM controls c WHERE "       \
      "c.framework_id = f.id AND c.retired_release IS NULL) FROM frameworks f WHERE "              \
      "f.retired_release IS NULL AND f.id > $1 ORDER BY f.id LIMIT $2::int")                       \
    /* $1 framework (or NULL), $2 domain (or NULL), $3 after sort key, $4 limit */                 \
    X(CATALOG_CONTROLS,                                                                            \
      "SELECT " CONTROL_COLUMNS " FROM controls c WHERE c.retired_release IS NULL AND ($1::text "   \
      "IS NULL OR c.framework_id = $1) AND ($2::text IS NULL OR c.domain_id = $2) AND "            \
      CONTROL_SORT_KEY " > $3 ORDER BY " CONTROL_SORT_KEY " LIMIT $4::int")                        \
    X(CATALOG_CONTROL, "SELECT " CONTROL_COLUMNS " FROM controls c WHERE c.id = $1")               \
    /* $1 control -> its sub-controls with every control holding each */                          \
    X(CATALOG_CONTROL_SUBCONTROLS,                                                                 \
      "SELECT s.id, s.question, s.level, s.weight, s.effort, (SELECT string_agg(x.control_id, "    \
      "',' ORDER BY x.control_id) FROM subcontrol_controls x WHERE x.subcontrol_id = s.id) FROM "  \
      "subcontrols s JOIN subcontrol_controls sc ON sc.subcontrol_id = s.id WHERE sc.control_id "  \
      "= $1 ORDER BY s.level, s.id")                                                               \
    /* $1 control -> the other controls sharing a sub-control with it */                           \
    X(CATALOG_CONTROL_SHARED,                                                                      \
      "SELECT " CONTROL_COLUMNS " FROM controls c WHERE c.id <> $1 AND c.id IN (SELECT "           \
      "b.control_id FROM subcontrol_controls a JOIN subcontrol_controls b ON b.subcontrol_id = "   \
      "a.subcontrol_id WHERE a.control_id = $1) ORDER BY c.id")                                    \
    X(CATALOG_THREATS,                                                                             \
      "SELECT t.id, t.family_id, t.name, t.dimensions, t.likelihood, t.description FROM threats "  \
      "t WHERE t.retired_release IS NULL AND t.id > $1 ORDER BY t.id LIMIT $2::int")               \
    X(CATALOG_ASSET_TYPES,                                                                         \
      "SELECT a.id, a.name, a.description, coalesce((SELECT string_agg(x.threat_id || '=' || "    \
      "x.degradation, ',' ORDER BY x.threat_id) FROM asset_type_threats x WHERE x.asset_type_id " \
      "= a.id), '') FROM asset_types a WHERE a.id > $1 ORDER BY a.id LIMIT $2::int")              \
    X(CATALOG_METRICS,                                                                             \
      "SELECT m.id, m.name, m.description, m.unit, m.aggregation, m.window_s, m.target, "          \
      "m.threshold, m.max_age_s, coalesce((SELECT string_agg(x.control_id, ',' ORDER BY "          \
      "x.control_id) FROM metric_controls x WHERE x.metric_id = m.id), '') FROM metrics m WHERE "  \
      "m.retired_release IS NULL AND m.id > $1 ORDER BY m.id LIMIT $2::int")                       \
    /* $1 ids (csv) -> the first one the tenant does not have: index (0-based), id */              \
    X(SUBCONTROLS_UNKNOWN,                                                                         \
      "SELECT u.ord - 1, u.id FROM unnest(string_to_array($1, ',')) WITH ORDINALITY u(id, ord) "   \
      "WHERE NOT EXISTS (SELECT 1 FROM tenant_subcontrols ts WHERE ts.tenant_id = "                \
      "ims_current_tenant() AND ts.subcontrol_id = u.id) ORDER BY u.ord LIMIT 1")                  \
    /* $1 sub-control, $2 answer (NULL: unanswered), $3 token id, $4 note, $5 evidence */        \
    X(ANSWER_SET, "SELECT ims_set_answer($1, $2, $3::uuid, $4, $5)")                               \
    X(PROGRESS, "SELECT kind, key, assessed, applicable FROM ims_progress()")                      \
    /* $1 framework (or NULL), $2 after sort key, $3 limit */                                      \
    X(SOA_LIST,                                                                                    \
      "SELECT control_id, framework_id, title, applicable, justification, "                        \
      "implementation_status, threats, assessed, subcontrols, sort_key FROM ims_soa($1, $2, "      \
      "$3::int)")                                                                                  \
    /* $1 'control' or 'subcontrol', $2 id -> exists */                                            \
    X(APPLICABILITY_TARGET,                                                                        \
      "SELECT CASE WHEN $1 = 'control' THEN EXISTS (SELECT 1 FROM tenant_controls WHERE "          \
      "tenant_id = ims_current_tenant() AND control_id = $2) ELSE EXISTS (SELECT 1 FROM "          \
      "tenant_subcontrols WHERE tenant_id = ims_current_tenant() AND subcontrol_id = $2) END")     \
    /* $1 kind, $2 id, $3 applicable, $4 justification, $5 implementation status ('' keep) */    \
    X(APPLICABILITY_SET, "SELECT ims_set_applicability($1, $2, $3::boolean, $4, $5)")              \
    /* $1 asset type -> known to the catalog */                                                    \
    X(ASSET_TYPE_KNOWN, "SELECT EXISTS (SELECT 1 FROM asset_types WHERE id = $1)")                 \
    /* $1 id, $2 name, $3 type, $4 owner, $5 c, $6 i, $7 a */                                      \
    X(ASSET_PUT,                                                                                   \
      "INSERT INTO assets AS s (tenant_id, asset_id, name, type, owner, c, i, a) VALUES "          \
      "(ims_current_tenant(), $1, $2, $3, nullif($4, ''), $5::smallint, $6::smallint, "            \
      "$7::smallint) ON CONFLICT (tenant_id, asset_id) DO UPDATE SET name = EXCLUDED.name, type "  \
      "= EXCLUDED.type, owner = EXCLUDED.owner, c = EXCLUDED.c, i = EXCLUDED.i, a = EXCLUDED.a, "   \
      "updated_at = now() RETURNING " ASSET_COLUMNS)                                               \
    /* $1 after id, $2 limit */                                                                    \
    X(ASSET_LIST,                                                                                  \
      "SELECT " ASSET_COLUMNS " FROM assets s WHERE s.tenant_id = ims_current_tenant() AND "       \
      "s.asset_id > $1 ORDER BY s.asset_id LIMIT $2::int")                                         \
    X(ASSET_EXISTS,                                                                                \
      "SELECT EXISTS (SELECT 1 FROM assets WHERE tenant_id = ims_current_tenant() AND asset_id "   \
      "= $1)")                                                                                     \
    X(ASSET_DELETE,                                                                                \
      "DELETE FROM assets WHERE tenant_id = ims_current_tenant() AND asset_id = $1 RETURNING "     \
      "asset_id")                                                                                  \
    /* $1 process -> plan review (epoch or ''), exercises "epoch=minutes,..." in time order */   \
    X(PROCESS_STATE,                                                                               \
      "SELECT coalesce(extract(epoch FROM p.plan_reviewed_at)::bigint::text, ''), "                \
      "coalesce((SELECT string_agg(extract(epoch FROM e.at)::bigint || '=' || e.recovery_min, "    \
      "',' ORDER BY e.at, e.seq) FROM exercises e WHERE e.tenant_id = p.tenant_id AND "            \
      "e.process_id = p.process_id), '') FROM processes p WHERE p.tenant_id = "                    \
      "ims_current_tenant() AND p.process_id = $1")                                                \
    /* $1 id, $2 name, $3 owner, $4 criticality, $5 mtpd, $6 rto, $7 rpo, $8 mbco */               \
    X(PROCESS_PUT,                                                                                 \
      "INSERT INTO processes AS p (tenant_id, process_id, name, owner, criticality, mtpd_min, "    \
      "rto_min, rpo_min, mbco) VALUES (ims_current_tenant(), $1, $2, nullif($3, ''), "             \
      "$4::smallint, $5::int, $6::int, $7::int, nullif($8, '')) ON CONFLICT (tenant_id, "          \
      "process_id) DO UPDATE SET name = EXCLUDED.name, owner = EXCLUDED.owner, criticality = "     \
      "EXCLUDED.criticality, mtpd_min = EXCLUDED.mtpd_min, rto_min = EXCLUDED.rto_min, rpo_min = " \
      "EXCLUDED.rpo_min, mbco = EXCLUDED.mbco, updated_at = now()")                                \
    /* $1 after id, $2 limit; $3 'bia': by criticality, highest first */                          \
    X(PROCESS_LIST,                                                                                \
      "SELECT " PROCESS_COLUMNS " FROM processes p WHERE p.tenant_id = ims_current_tenant() AND "  \
      "p.process_id > $1 ORDER BY CASE WHEN $3 = 'bia' THEN -p.criticality ELSE 0 END, "           \
      "p.process_id LIMIT $2::int")                                                                \
    /* $1 process, $2 time */                                                                      \
    X(PLAN_REVIEW,                                                                                 \
      "UPDATE processes SET plan_reviewed_at = $2::timestamptz, updated_at = now() WHERE "         \
      "tenant_id = ims_current_tenant() AND process_id = $1 RETURNING process_id")                 \
    /* $1 process, $2 time, $3 recovery minutes, $4 note */                                        \
    X(EXERCISE_ADD,                                                                                \
      "INSERT INTO exercises (tenant_id, process_id, at, recovery_min, note) VALUES "              \
      "(ims_current_tenant(), $1, $2::timestamptz, $3::int, nullif($4, ''))")                       \
    /* $1 new tenant id, $2 snapshot document */                                                   \
    X(TENANT_IMPORT, "SELECT ims_import_tenant($1::uuid, $2::jsonb)")

enum rpc_statement {
#define RPC_STATEMENT_ENUM(id, sql) STMT_##id,
    RPC_STATEMENTS(RPC_STATEMENT_ENUM)
#undef RPC_STATEMENT_ENUM
        STMT__COUNT
};

#endif
