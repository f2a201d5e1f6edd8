-- Statements of rpc/: the pool prepares each one on every connection as "s_<NAME>";
-- handlers refer to them as STMT_<NAME> (statements.h, generated from this file).
-- Times come back as RFC 3339 UTC text (ims_rfc3339). Each runs in a transaction that
-- set ims.tenant_id (and ims.all_tenants where a statement says so).
--
-- Each statement: "-- name: NAME", what it does, one "-- $N meaning" line per
-- parameter, "-- -> columns" for what it returns, then its text, ending in ";".

-- name: TOKEN_LOOKUP
-- Resolves a bearer token.
-- $1 secret hash (hex)
-- -> id, role, usable (not expired, not revoked), tenants (csv), seconds until expiry (-1: never)
SELECT t.id, t.role, t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()),
       coalesce((SELECT string_agg(tt.tenant_id::text, ',') FROM token_tenants tt WHERE tt.token_id = t.id), ''),
       coalesce(ceil(extract(epoch FROM t.expires_at - now()))::bigint, -1)
FROM tokens t
WHERE t.secret_hash = decode($1, 'hex');

-- name: TOKEN_TOUCH
-- Records a token's last use, at most once a minute.
-- $1 token id
UPDATE tokens SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: TOKEN_INSERT
-- $1 id
-- $2 secret hash (hex)
-- $3 role
-- $4 label
-- $5 expires (or NULL)
-- $6 created by: token id (or NULL)
INSERT INTO tokens (id, secret_hash, role, label, expires_at, created_by)
VALUES ($1::uuid, decode($2, 'hex'), $3, $4, $5::timestamptz, $6::uuid);

-- name: TOKEN_ADD_TENANT
-- Adds a tenant to a token's scope.
-- $1 token id
-- $2 tenant id or slug
-- $3 the only tenant allowed (or NULL)
SELECT ims_token_add_tenant($1::uuid, $2, $3::uuid);

-- name: TOKEN_GET
-- $1 token id
-- -> id, role, label, created, expires, last used, revoked ('' when none), tenants (csv)
SELECT t.id, t.role, t.label, ims_rfc3339(t.created_at),
       coalesce(ims_rfc3339(t.expires_at), ''),
       coalesce(ims_rfc3339(t.last_used_at), ''),
       coalesce(ims_rfc3339(t.revoked_at), ''),
       coalesce((SELECT string_agg(tt.tenant_id::text, ',' ORDER BY tt.tenant_id) FROM token_tenants tt WHERE tt.token_id = t.id), '')
FROM tokens t
WHERE t.id = $1;

-- name: TOKEN_LIST
-- $1 tenant filter (uuid text or NULL); with a filter, a token's scope shows that tenant
--    alone (a consultant's other clients are not the caller's business)
-- $2 after id (or NULL)
-- $3 limit
-- -> the columns of TOKEN_GET
SELECT t.id, t.role, t.label, ims_rfc3339(t.created_at),
       coalesce(ims_rfc3339(t.expires_at), ''),
       coalesce(ims_rfc3339(t.last_used_at), ''),
       coalesce(ims_rfc3339(t.revoked_at), ''),
       coalesce((SELECT string_agg(tt.tenant_id::text, ',' ORDER BY tt.tenant_id) FROM token_tenants tt WHERE tt.token_id = t.id AND ($1::uuid IS NULL OR tt.tenant_id = $1::uuid)), '')
FROM tokens t
WHERE ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM token_tenants tt WHERE tt.token_id = t.id AND tt.tenant_id = $1::uuid)) AND ($2::uuid IS NULL OR t.id > $2::uuid)
ORDER BY t.id
LIMIT $3::int;

-- name: TOKEN_REVOKE
-- $1 token id
-- -> the columns of TOKEN_GET
UPDATE tokens AS t SET revoked_at = coalesce(revoked_at, now())
WHERE t.id = $1
RETURNING t.id, t.role, t.label, ims_rfc3339(t.created_at),
       coalesce(ims_rfc3339(t.expires_at), ''),
       coalesce(ims_rfc3339(t.last_used_at), ''),
       coalesce(ims_rfc3339(t.revoked_at), ''),
       coalesce((SELECT string_agg(tt.tenant_id::text, ',' ORDER BY tt.tenant_id) FROM token_tenants tt WHERE tt.token_id = t.id), '');

-- name: TENANT_RESOLVE
-- Run with all tenants.
-- $1 tenant id or slug
-- -> id
SELECT id
FROM tenants
WHERE id::text = lower($1) OR slug = $1
ORDER BY id::text = lower($1) DESC
LIMIT 1;

-- name: TENANT_CREATE
-- $1 id
-- $2 slug
-- $3 display name
-- $4 sector
-- $5 size band
-- $6 schema
-- $7 schema version
-- -> id, slug, display name, sector, size band, schema, schema version, created, revision
SELECT id, slug, display_name, sector, size_band, schema_id, schema_version,
       ims_rfc3339(created_at),
       revision
FROM ims_create_tenant($1::uuid, $2, $3, $4, $5, $6, $7::int);

-- name: TENANT_GET
-- $1 tenant id
-- -> the columns of TENANT_CREATE
SELECT id, slug, display_name, sector, size_band, schema_id, schema_version,
       ims_rfc3339(created_at),
       revision
FROM tenants
WHERE id = $1;

-- name: TENANT_LIST
-- $1 tenant ids (csv, or NULL for all)
-- $2 after slug
-- $3 limit
-- -> the columns of TENANT_CREATE
SELECT id, slug, display_name, sector, size_band, schema_id, schema_version,
       ims_rfc3339(created_at),
       revision
FROM tenants
WHERE ($1::text IS NULL OR id = ANY (string_to_array($1, ',')::uuid[])) AND slug > $2
ORDER BY slug
LIMIT $3::int;

-- name: AUDIT_APPEND
-- Appends to the audit chain of the tenant in ims.tenant_id.
-- $1 token id (or NULL)
-- $2 role
-- $3 method
-- $4 object id
SELECT ims_audit_append($1::uuid, $2, $3, $4);

-- name: AUDIT_VERIFY
-- $1 most rows to verify (audit_verify_max_rows)
-- $2 most milliseconds to spend (audit_verify_timeout_ms)
-- -> first bad entry, total
SELECT first_bad, total
FROM ims_audit_verify_bounded($1::bigint, $2::int);

-- name: IDEMPOTENCY_GET
-- $1 tenant
-- $2 key
-- -> method, request hash (hex), response (hex)
SELECT method, encode(request_hash, 'hex'), encode(response, 'hex')
FROM idempotency_keys
WHERE tenant_id = $1 AND key = $2;

-- name: IDEMPOTENCY_PUT
-- $1 tenant
-- $2 key
-- $3 method
-- $4 request hash (hex)
-- $5 response (hex)
INSERT INTO idempotency_keys (tenant_id, key, method, request_hash, response)
VALUES ($1, $2, $3, decode($4, 'hex'), decode($5, 'hex'));

-- name: SCHEMA_LIST
-- $1 schema id (or NULL for all)
-- $2 version (0: every version)
-- $3 after schema id
-- $4 after version
-- $5 limit
-- -> id, version, name, description, sector, size band, parent, parent version, systems (csv), applicable controls, applicable sub-controls, created, status
SELECT s.schema_id, s.version, s.name, s.description, coalesce(s.sector, ''),
       coalesce(s.size_band, ''), coalesce(s.parent_id, ''), coalesce(s.parent_version, 0),
       coalesce((SELECT string_agg(ss.system_id, ',' ORDER BY ss.system_id) FROM schema_systems ss WHERE ss.schema_id = s.schema_id AND ss.version = s.version AND ss.enabled), ''),
       (SELECT count(*) FROM schema_controls sc WHERE sc.schema_id = s.schema_id AND sc.version = s.version AND sc.applicable),
       (SELECT count(*) FROM schema_subcontrols sc WHERE sc.schema_id = s.schema_id AND sc.version = s.version AND sc.applicable),
       ims_rfc3339(s.created_at), s.status
FROM schemas s
WHERE ($1::text IS NULL OR s.schema_id = $1) AND ($2::int = 0 OR s.version = $2::int) AND (s.schema_id, s.version) > ($3, $4::int)
ORDER BY s.schema_id, s.version
LIMIT $5::int;

-- name: TENANT_LOAD
-- $1 tenant
-- -> snapshot without samples (json text), revision, and the window's samples from the same
--    snapshot: metric ids (json array), how many samples each (int[]), their times in
--    seconds since 1970 (bigint[]) and values (float8[]), grouped by metric in that order
SELECT ims_tenant_snapshot(t.id, false, false)::text, t.revision,
       w.metrics::text, w.counts::text, w.ats, w.vals
FROM tenants t CROSS JOIN LATERAL ims_tenant_load_samples(t.id) w
WHERE t.id = $1;

-- name: TENANT_SAMPLES_UPTO
-- How many samples the tenant holds, counted up to a bound (the count stops there).
-- $1 tenant
-- $2 the bound
-- -> samples (at most the bound)
SELECT count(*)
FROM (SELECT 1 FROM metric_samples WHERE tenant_id = $1::uuid LIMIT $2::bigint) s;

-- name: TENANT_SNAPSHOT
-- $1 tenant
-- $2 'true' for everything (all samples)
-- -> snapshot (json text)
SELECT ims_tenant_snapshot($1::uuid, $2::boolean)::text;

-- name: COMMIT_LEVEL
-- $1 tenant
-- $2 expected revision
-- $3 level
-- $4 maturity
-- $5 cause
-- -> revision, at
SELECT revision, at
FROM ims_commit_level($1::uuid, $2::bigint, $3::float8, $4::int, $5);

-- name: HISTORY_LIST
-- $1 tenant
-- $2 from (or NULL)
-- $3 to (or NULL)
-- $4 limit
-- -> at, revision, level, maturity, cause
SELECT ims_rfc3339(at), revision, security_level, maturity, cause
FROM level_history
WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR at >= $2::timestamptz) AND ($3::timestamptz IS NULL OR at <= $3::timestamptz)
ORDER BY revision
LIMIT $4::int;

-- name: TENANT_LEVELS
-- Every tenant's stored level; run with all tenants.
-- -> id, revision, level, maturity
SELECT id, revision, coalesce(security_level, 0), coalesce(maturity, 0)
FROM tenants
ORDER BY slug;

-- name: INCIDENT_INSERT
-- $1 tenant
-- $2 incident id
-- $3 severity
-- $4 threat
-- $5 controls (text[] literal)
-- $6 assets (text[] literal)
-- $7 processes (text[] literal)
-- $8 detected
-- $9 disruption minutes
-- $10 description
-- -> id, status, severity, threat, controls, assets, processes (csv), detected, resolved, disruption minutes, description, created, updated
INSERT INTO incidents (tenant_id, incident_id, status, severity, threat_id, controls, assets, processes, detected_at, disruption_minutes, description)
VALUES ($1, $2, 'open', $3::smallint, $4, $5::text[], $6::text[], $7::text[], $8::timestamptz, $9::bigint, $10)
RETURNING incident_id, status, severity, coalesce(threat_id, ''), array_to_string(controls, ','),
       array_to_string(assets, ','), array_to_string(processes, ','), ims_rfc3339(detected_at),
       coalesce(ims_rfc3339(resolved_at), ''), disruption_minutes, description,
       ims_rfc3339(created_at), ims_rfc3339(updated_at);

-- name: INCIDENT_GET
-- $1 tenant
-- $2 incident id
-- -> the columns of INCIDENT_INSERT
SELECT incident_id, status, severity, coalesce(threat_id, ''), array_to_string(controls, ','),
       array_to_string(assets, ','), array_to_string(processes, ','), ims_rfc3339(detected_at),
       coalesce(ims_rfc3339(resolved_at), ''), disruption_minutes, description,
       ims_rfc3339(created_at), ims_rfc3339(updated_at)
FROM incidents
WHERE tenant_id = $1 AND incident_id = $2;

-- name: INCIDENT_UPDATE
-- $1 tenant
-- $2 incident id
-- $3 status
-- $4 severity
-- $5 resolved (or NULL)
-- $6 disruption minutes
-- $7 description
-- -> the columns of INCIDENT_INSERT
UPDATE incidents SET status = $3, severity = $4::smallint, resolved_at = $5::timestamptz,
       disruption_minutes = $6::bigint, description = $7, updated_at = now()
WHERE tenant_id = $1 AND incident_id = $2
RETURNING incident_id, status, severity, coalesce(threat_id, ''), array_to_string(controls, ','),
       array_to_string(assets, ','), array_to_string(processes, ','), ims_rfc3339(detected_at),
       coalesce(ims_rfc3339(resolved_at), ''), disruption_minutes, description,
       ims_rfc3339(created_at), ims_rfc3339(updated_at);

-- name: INCIDENT_LIST
-- $1 tenant
-- $2 status (or NULL)
-- $3 after id
-- $4 limit
-- -> the columns of INCIDENT_INSERT
SELECT incident_id, status, severity, coalesce(threat_id, ''), array_to_string(controls, ','),
       array_to_string(assets, ','), array_to_string(processes, ','), ims_rfc3339(detected_at),
       coalesce(ims_rfc3339(resolved_at), ''), disruption_minutes, description,
       ims_rfc3339(created_at), ims_rfc3339(updated_at)
FROM incidents
WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND incident_id > $3
ORDER BY incident_id
LIMIT $4::int;

-- name: FINDING_INSERT
-- $1 tenant
-- $2 finding id
-- $3 type
-- $4 controls (text[] literal)
-- $5 audit
-- $6 description
-- $7 audit id of the programme ('' none)
-- $8 incident id ('' none)
-- -> id, type, controls (csv), audit, description, status, opened, closed, audit_id, incident
INSERT INTO findings (tenant_id, finding_id, type, controls, audit, description, status, audit_id,
                      incident_id)
VALUES ($1, $2, $3, $4::text[], $5, $6, 'open', nullif($7, ''), nullif($8, ''))
RETURNING finding_id, type, array_to_string(controls, ','), audit, description,
       status, ims_rfc3339(opened_at), coalesce(ims_rfc3339(closed_at), ''),
       coalesce(audit_id, '') AS audit_id, coalesce(incident_id, '') AS incident;

-- name: FINDING_GET
-- $1 tenant
-- $2 finding id
-- -> the columns of FINDING_INSERT, actions, actions not verified
SELECT finding_id, type, array_to_string(controls, ','), audit, description,
       status, ims_rfc3339(opened_at), coalesce(ims_rfc3339(closed_at), ''),
       (SELECT count(*) FROM actions a WHERE a.tenant_id = $1 AND a.source_kind = 'finding'
           AND a.source_id = $2 AND a.status <> 'cancelled'),
       (SELECT count(*) FROM actions a WHERE a.tenant_id = $1 AND a.source_kind = 'finding'
           AND a.source_id = $2 AND a.status NOT IN ('verified', 'cancelled')),
       coalesce(audit_id, '') AS audit_id, coalesce(incident_id, '') AS incident
FROM findings
WHERE tenant_id = $1 AND finding_id = $2;

-- name: FINDING_UPDATE
-- $1 tenant
-- $2 finding id
-- $3 type
-- $4 description
-- $5 'true' to close
-- -> the columns of FINDING_INSERT
UPDATE findings SET type = $3, description = $4, status = CASE WHEN $5::boolean THEN 'closed' ELSE status END,
       closed_at = CASE WHEN $5::boolean THEN now() ELSE closed_at END
WHERE tenant_id = $1 AND finding_id = $2
RETURNING finding_id, type, array_to_string(controls, ','), audit, description,
       status, ims_rfc3339(opened_at), coalesce(ims_rfc3339(closed_at), ''),
       coalesce(audit_id, '') AS audit_id, coalesce(incident_id, '') AS incident;

-- name: FINDING_LIST
-- $1 tenant
-- $2 status (or NULL)
-- $3 after id
-- $4 limit
-- -> the columns of FINDING_INSERT
SELECT finding_id, type, array_to_string(controls, ','), audit, description,
       status, ims_rfc3339(opened_at), coalesce(ims_rfc3339(closed_at), ''),
       coalesce(audit_id, '') AS audit_id, coalesce(incident_id, '') AS incident
FROM findings
WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND finding_id > $3
ORDER BY finding_id
LIMIT $4::int;

-- name: ACTION_LIST
-- The actions of a finding (the one action tracker, migration 0100).
-- $1 tenant
-- $2 finding id
-- -> the columns of ACTION_INSERT
SELECT action_id, source_id, description, owner, ims_rfc3339(due), status,
       ims_rfc3339(updated_at)
FROM actions
WHERE tenant_id = $1 AND source_kind = 'finding' AND source_id = $2
ORDER BY action_id;

-- name: ACTION_INSERT
-- $1 tenant
-- $2 action id
-- $3 finding id
-- $4 description
-- $5 owner
-- $6 due
-- -> id, finding, description, owner, due, status, updated
INSERT INTO actions (tenant_id, action_id, kind, source_kind, source_id, description, owner, due,
                     status)
VALUES ($1, $2, 'corrective', 'finding', $3, $4, $5, $6::timestamptz, 'open')
RETURNING action_id, source_id, description, owner, ims_rfc3339(due), status,
       ims_rfc3339(updated_at);

-- name: ACTION_GET
-- $1 tenant
-- $2 action id
-- -> the columns of ACTION_INSERT
SELECT action_id, source_id, description, owner, ims_rfc3339(due), status,
       ims_rfc3339(updated_at)
FROM actions
WHERE tenant_id = $1 AND action_id = $2 AND source_kind = 'finding';

-- name: ACTION_UPDATE
-- $1 tenant
-- $2 action id
-- $3 status
-- $4 owner
-- $5 due
-- -> the columns of ACTION_INSERT
UPDATE actions SET status = $3, owner = $4, due = $5::timestamptz,
       done_at = CASE WHEN $3 = 'open' THEN NULL WHEN status = 'open' THEN now() ELSE done_at END,
       updated_at = now()
WHERE tenant_id = $1 AND action_id = $2 AND source_kind = 'finding'
RETURNING action_id, source_id, description, owner, ims_rfc3339(due), status,
       ims_rfc3339(updated_at);

-- name: SAMPLES_INSERT
-- $1 tenant
-- $2 metrics (text[], sent in binary)
-- $3 times (timestamptz[], sent in binary)
-- $4 values (float8[], sent in binary)
-- The three arrays are expanded in the select list (equal lengths: they step together),
-- which streams the rows; unnest in FROM would first copy them all into a tuplestore.
INSERT INTO metric_samples (tenant_id, metric_id, at, value)
SELECT $1, unnest($2::text[]), unnest($3::timestamptz[]), unnest($4::float8[])
WHERE ims_samples_pushable($2::text[]);

-- name: SAMPLE_PARTITIONS
-- Keeps three months of partitions ahead and drops those past retention.
-- $1 retention in days
-- -> partitions created, dropped
SELECT created, dropped
FROM ims_sample_partitions($1::int, 3);

-- name: SCHEMA_LATEST
-- $1 schema id
-- -> latest version (NULL when unknown)
SELECT max(version)
FROM schemas
WHERE schema_id = $1;

-- name: SCHEMA_CLONE
-- $1 source schema id
-- $2 source version (0: the latest published)
-- $3 new schema id
-- $4 new name
-- -> schema id, version
SELECT schema_id, version
FROM ims_clone_schema($1, CASE WHEN $2::int = 0 THEN (SELECT max(version) FROM schemas WHERE schema_id = $1 AND status = 'published') ELSE $2::int END, $3, $4);

-- name: CATALOG_FRAMEWORKS
-- $1 after id
-- $2 limit
-- -> id, system, name, edition, controls
SELECT f.id, f.system_id, f.name, f.edition, (SELECT count(*) FROM controls c WHERE c.framework_id = f.id AND c.retired_release IS NULL)
FROM frameworks f
WHERE f.retired_release IS NULL AND f.id > $1
ORDER BY f.id
LIMIT $2::int;

-- name: CATALOG_CONTROLS
-- $1 framework (or NULL)
-- $2 domain (or NULL)
-- $3 after sort key
-- $4 limit
-- -> id, framework, domain, code, title, harmonized, sub-controls, sort key
SELECT c.id, c.framework_id, c.domain_id, c.code, c.title, coalesce(c.harmonized, ''),
       (SELECT count(*) FROM subcontrol_controls x WHERE x.control_id = c.id),
       c.framework_id || '/' || lpad(c.sort_order::text, 8, '0')
FROM controls c
WHERE c.retired_release IS NULL AND ($1::text IS NULL OR c.framework_id = $1) AND ($2::text IS NULL OR c.domain_id = $2) AND c.framework_id || '/' || lpad(c.sort_order::text, 8, '0') > $3
ORDER BY c.framework_id || '/' || lpad(c.sort_order::text, 8, '0')
LIMIT $4::int;

-- name: CATALOG_CONTROL
-- $1 control id
-- -> the columns of CATALOG_CONTROLS
SELECT c.id, c.framework_id, c.domain_id, c.code, c.title, coalesce(c.harmonized, ''),
       (SELECT count(*) FROM subcontrol_controls x WHERE x.control_id = c.id),
       c.framework_id || '/' || lpad(c.sort_order::text, 8, '0')
FROM controls c
WHERE c.id = $1;

-- name: CATALOG_CONTROL_SUBCONTROLS
-- The sub-controls of a control, each with every control holding it.
-- $1 control id
-- -> id, question, level, weight, effort, controls (csv)
SELECT s.id, s.question, s.level, s.weight, s.effort, (SELECT string_agg(x.control_id, ',' ORDER BY x.control_id) FROM subcontrol_controls x WHERE x.subcontrol_id = s.id)
FROM subcontrols s JOIN subcontrol_controls sc ON sc.subcontrol_id = s.id
WHERE sc.control_id = $1
ORDER BY s.level, s.id;

-- name: CATALOG_CONTROL_SHARED
-- The other controls sharing a sub-control with a control.
-- $1 control id
-- -> the columns of CATALOG_CONTROLS
SELECT c.id, c.framework_id, c.domain_id, c.code, c.title, coalesce(c.harmonized, ''),
       (SELECT count(*) FROM subcontrol_controls x WHERE x.control_id = c.id),
       c.framework_id || '/' || lpad(c.sort_order::text, 8, '0')
FROM controls c
WHERE c.id <> $1 AND c.id IN (SELECT b.control_id FROM subcontrol_controls a JOIN subcontrol_controls b ON b.subcontrol_id = a.subcontrol_id WHERE a.control_id = $1)
ORDER BY c.id;

-- name: CATALOG_THREATS
-- $1 after id
-- $2 limit
-- -> id, family, name, dimensions, likelihood, description
SELECT t.id, t.family_id, t.name, t.dimensions, t.likelihood, t.description
FROM threats t
WHERE t.retired_release IS NULL AND t.id > $1
ORDER BY t.id
LIMIT $2::int;

-- name: CATALOG_ASSET_TYPES
-- $1 after id
-- $2 limit
-- -> id, name, description, threats ('threat=degradation' csv)
SELECT a.id, a.name, a.description, coalesce((SELECT string_agg(x.threat_id || '=' || x.degradation, ',' ORDER BY x.threat_id) FROM asset_type_threats x WHERE x.asset_type_id = a.id), '')
FROM asset_types a
WHERE a.id > $1
ORDER BY a.id
LIMIT $2::int;

-- name: CATALOG_METRICS
-- $1 after id
-- $2 limit
-- -> id, name, description, unit, aggregation, window, target, threshold, maximum age, controls (csv)
SELECT m.id, m.name, m.description, m.unit, m.aggregation, m.window_s, m.target,
       m.threshold, m.max_age_s, coalesce((SELECT string_agg(x.control_id, ',' ORDER BY x.control_id) FROM metric_controls x WHERE x.metric_id = m.id), '')
FROM metrics m
WHERE m.retired_release IS NULL AND m.id > $1
ORDER BY m.id
LIMIT $2::int;

-- name: SUBCONTROLS_UNKNOWN
-- The first sub-control of a list that the tenant does not have.
-- $1 sub-control ids (csv)
-- -> index (0-based), id
SELECT u.ord - 1, u.id
FROM unnest(string_to_array($1, ',')) WITH ORDINALITY u(id, ord)
WHERE NOT EXISTS (SELECT 1 FROM tenant_subcontrols ts WHERE ts.tenant_id = ims_current_tenant() AND ts.subcontrol_id = u.id)
ORDER BY u.ord
LIMIT 1;

-- name: ANSWER_SET
-- $1 sub-control
-- $2 answer (NULL: unanswered)
-- $3 token id
-- $4 note
-- $5 evidence
SELECT ims_set_answer($1, $2, $3::uuid, $4, $5);

-- name: PROGRESS
-- -> kind, key, assessed, applicable
SELECT kind, key, assessed, applicable
FROM ims_progress();

-- name: SOA_LIST
-- $1 framework (or NULL)
-- $2 after sort key
-- $3 limit
-- -> control, framework, title, applicable, justification, implementation status, threats, assessed, sub-controls, sort key
SELECT control_id, framework_id, title, applicable, justification, implementation_status,
       threats, assessed, subcontrols, sort_key
FROM ims_soa($1, $2, $3::int);

-- name: APPLICABILITY_TARGET
-- $1 'control' or 'subcontrol'
-- $2 id
-- -> exists
SELECT CASE WHEN $1 = 'control' THEN EXISTS (SELECT 1 FROM tenant_controls WHERE tenant_id = ims_current_tenant() AND control_id = $2) ELSE EXISTS (SELECT 1 FROM tenant_subcontrols WHERE tenant_id = ims_current_tenant() AND subcontrol_id = $2) END;

-- name: APPLICABILITY_SET
-- $1 kind ('control' or 'subcontrol')
-- $2 id
-- $3 applicable
-- $4 justification
-- $5 implementation status ('' keeps it)
SELECT ims_set_applicability($1, $2, $3::boolean, $4, $5);

-- name: ASSET_TYPE_KNOWN
-- $1 asset type
-- -> known to the catalog
SELECT EXISTS (SELECT 1 FROM asset_types WHERE id = $1);

-- name: ASSET_PUT
-- $1 asset id
-- $2 name
-- $3 type
-- $4 owner ('' for none)
-- $5 confidentiality
-- $6 integrity
-- $7 availability
-- -> id, name, type, owner, c, i, a, created, updated, owner's person ('' for none)
INSERT INTO assets AS s (tenant_id, asset_id, name, type, owner, c, i, a)
VALUES (ims_current_tenant(), $1, $2, $3, nullif($4, ''), $5::smallint, $6::smallint, $7::smallint)
ON CONFLICT (tenant_id, asset_id)
DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, owner = EXCLUDED.owner,
       c = EXCLUDED.c, i = EXCLUDED.i, a = EXCLUDED.a, updated_at = now()
RETURNING s.asset_id, s.name, s.type, coalesce(s.owner, ''), s.c, s.i, s.a,
       ims_rfc3339(s.created_at),
       ims_rfc3339(s.updated_at), coalesce(s.owner_person, '');

-- name: ASSET_LIST
-- $1 after id
-- $2 limit
-- -> the columns of ASSET_PUT
SELECT s.asset_id, s.name, s.type, coalesce(s.owner, ''), s.c, s.i, s.a,
       ims_rfc3339(s.created_at),
       ims_rfc3339(s.updated_at), coalesce(s.owner_person, '')
FROM assets s
WHERE s.tenant_id = ims_current_tenant() AND s.asset_id > $1
ORDER BY s.asset_id
LIMIT $2::int;

-- name: ASSET_EXISTS
-- $1 asset id
-- -> exists
SELECT EXISTS (SELECT 1 FROM assets WHERE tenant_id = ims_current_tenant() AND asset_id = $1);

-- name: ASSET_DELETE
-- $1 asset id
-- -> the id, when it existed
DELETE
FROM assets
WHERE tenant_id = ims_current_tenant() AND asset_id = $1
RETURNING asset_id;

-- name: PROCESS_STATE
-- $1 process id
-- -> plan review (epoch or ''), exercises ('epoch=minutes' csv, in time order)
SELECT coalesce(extract(epoch FROM p.plan_reviewed_at)::bigint::text, ''),
       coalesce((SELECT string_agg(extract(epoch FROM e.at)::bigint || '=' || e.recovery_min, ',' ORDER BY e.at, e.seq) FROM exercises e WHERE e.tenant_id = p.tenant_id AND e.process_id = p.process_id), '')
FROM processes p
WHERE p.tenant_id = ims_current_tenant() AND p.process_id = $1;

-- name: PROCESS_PUT
-- $1 process id
-- $2 name
-- $3 owner ('' for none)
-- $4 criticality
-- $5 MTPD minutes
-- $6 RTO minutes
-- $7 RPO minutes
-- $8 MBCO ('' for none)
INSERT INTO processes AS p (tenant_id, process_id, name, owner, criticality, mtpd_min, rto_min, rpo_min, mbco)
VALUES (ims_current_tenant(), $1, $2, nullif($3, ''), $4::smallint, $5::int, $6::int, $7::int, nullif($8, ''))
ON CONFLICT (tenant_id, process_id)
DO UPDATE SET name = EXCLUDED.name, owner = EXCLUDED.owner, criticality = EXCLUDED.criticality,
       mtpd_min = EXCLUDED.mtpd_min, rto_min = EXCLUDED.rto_min, rpo_min = EXCLUDED.rpo_min,
       mbco = EXCLUDED.mbco, updated_at = now();

-- name: PROCESS_LIST
-- $1 after id
-- $2 limit
-- $3 'bia' orders by criticality, highest first
-- -> id, name, owner, criticality, MTPD, RTO, RPO, MBCO, plan reviewed, last 20 exercises ('time=minutes' csv), created, updated, owner's person ('' for none)
SELECT p.process_id, p.name, coalesce(p.owner, ''), p.criticality, p.mtpd_min,
       p.rto_min, p.rpo_min, coalesce(p.mbco, ''), coalesce(ims_rfc3339(p.plan_reviewed_at), ''),
       coalesce((SELECT string_agg(ims_rfc3339(e.at) || '=' || e.recovery_min, ',' ORDER BY e.at DESC, e.seq DESC) FROM (SELECT * FROM exercises x WHERE x.tenant_id = p.tenant_id AND x.process_id = p.process_id ORDER BY x.at DESC, x.seq DESC LIMIT 20) e), ''),
       ims_rfc3339(p.created_at),
       ims_rfc3339(p.updated_at), coalesce(p.owner_person, '')
FROM processes p
WHERE p.tenant_id = ims_current_tenant() AND p.process_id > $1
ORDER BY CASE WHEN $3 = 'bia' THEN -p.criticality ELSE 0 END, p.process_id
LIMIT $2::int;

-- name: PLAN_REVIEW
-- $1 process id
-- $2 time
-- -> the process id, when it exists
UPDATE processes SET plan_reviewed_at = $2::timestamptz, updated_at = now()
WHERE tenant_id = ims_current_tenant() AND process_id = $1
RETURNING process_id;

-- name: EXERCISE_ADD
-- $1 process id
-- $2 time
-- $3 recovery minutes
-- $4 note ('' for none)
INSERT INTO exercises (tenant_id, process_id, at, recovery_min, note)
VALUES (ims_current_tenant(), $1, $2::timestamptz, $3::int, nullif($4, ''));

-- name: TENANT_IMPORT
-- $1 new tenant id
-- $2 snapshot document (json)
SELECT ims_import_tenant($1::uuid, $2::jsonb);


-- name: SERIES_MAP_INSERT
-- Maps Prometheus series to a metric of the tenant in ims.tenant_id; no row when the
-- tenant has no such metric; a computed metric is refused (22023).
-- $1 map id
-- $2 metric
-- $3 matchers, canonical, one per line
-- $4 created by (token id, or '')
-- -> id, tenant, metric, matchers (one per line), created by, created at, seq
INSERT INTO metric_series_maps (tenant_id, map_id, metric_id, matchers, created_by)
SELECT ims_current_tenant(), $1::uuid, $2, string_to_array($3, E'\n'), $4
WHERE EXISTS (SELECT 1 FROM tenant_metrics m
              WHERE m.tenant_id = ims_current_tenant() AND m.metric_id = $2)
  AND ims_metric_pushable('metric', $2)
RETURNING map_id::text, tenant_id::text, metric_id, array_to_string(matchers, E'\n'),
          created_by, ims_rfc3339(created_at), seq::text;

-- name: SERIES_MAP_LIST
-- The tenant's mappings in the order they are tried.
-- $1 after seq ('' for the first page)
-- $2 limit
-- -> the columns of SERIES_MAP_INSERT
SELECT map_id::text, tenant_id::text, metric_id, array_to_string(matchers, E'\n'),
       created_by, ims_rfc3339(created_at), seq::text
FROM metric_series_maps
WHERE tenant_id = ims_current_tenant() AND seq > coalesce(nullif($1, '')::bigint, 0)
ORDER BY seq
LIMIT $2::int;

-- name: SERIES_MAP_DELETE
-- $1 map id
-- -> the columns of SERIES_MAP_INSERT
DELETE FROM metric_series_maps
WHERE tenant_id = ims_current_tenant() AND map_id = $1::uuid
RETURNING map_id::text, tenant_id::text, metric_id, array_to_string(matchers, E'\n'),
          created_by, ims_rfc3339(created_at), seq::text;

-- name: SERIES_MAPS_ALL
-- Every tenant's mappings for the remote_write receiver (run with all tenants), in order.
-- -> map id, tenant, metric, matchers (one per line)
SELECT map_id::text, tenant_id::text, metric_id, array_to_string(matchers, E'\n')
FROM metric_series_maps
ORDER BY seq;

-- name: MIGRATION_APPLIED
-- For /readyz: whether the newest migration this imsd knows is applied.
-- $1 migration file name
-- -> t or f
SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = $1);
