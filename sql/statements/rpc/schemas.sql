-- Statements of the schema repository's editing, rebase, tuning and statistics
-- (server/rpc/schema_drafts.c, rebase.c, tuning.c, schema_stats.c).

-- name: SCHEMA_DRAFT
-- $1 schema id
-- $2 version to start from (0: the latest published)
-- -> id, version
SELECT schema_id, version FROM ims_schema_draft($1, $2::int);

-- name: SCHEMA_DRAFT_DOCUMENT
-- $1 schema id
-- -> id, version, status, document of the schema's open draft (run after SCHEMA_DRAFT: a
--    statement of its own, so that it sees the draft)
SELECT s.schema_id, s.version, s.status, ims_schema_document(s.schema_id, s.version)::text
FROM schemas s
WHERE s.schema_id = $1 AND s.status = 'draft';

-- name: SCHEMA_DOCUMENT
-- $1 schema id
-- $2 version (0: the latest published)
-- -> the columns of SCHEMA_DRAFT_DOCUMENT
SELECT s.schema_id, s.version, s.status, ims_schema_document(s.schema_id, s.version)::text
FROM ims_schema_resolve($1, $2::int) s;

-- name: SCHEMA_PUT_DOCUMENT
-- $1 schema id
-- $2 draft version
-- $3 document (JSON text)
SELECT ims_schema_put_document($1, $2::int, ims_doc_parse($3, '$'));

-- name: SCHEMA_EDIT
-- $1 schema id
-- $2 draft version
-- $3 edits (JSON array)
SELECT ims_schema_edit($1, $2::int, $3::jsonb);

-- name: SCHEMA_PUBLISH
-- $1 schema id
-- $2 draft version
SELECT ims_schema_publish($1, $2::int);

-- name: SCHEMA_DIFF
-- $1 schema id
-- $2 from version (0: the latest published)
-- $3 other schema id
-- $4 to version (0: the latest published)
-- -> kind, key, field, old, new
SELECT kind, key, field, old, new FROM ims_schema_diff($1, $2::int, $3, $4::int);

-- name: REBASE_PREVIEW
-- $1 tenant
-- $2 version (0: the latest published)
-- -> snapshot before, snapshot after, target version
SELECT before, after, version FROM ims_rebase_preview($1::uuid, $2::int);

-- name: REBASE_CHANGES
-- $1 tenant
-- $2 version (0: the latest published)
-- -> kind, id, change
SELECT kind, id, change FROM ims_rebase_changes($1::uuid, $2::int) ORDER BY 1, 2;

-- name: TENANT_SCHEMA
-- $1 tenant
-- -> schema id, version
SELECT schema_id, schema_version FROM tenant_params WHERE tenant_id = $1::uuid;

-- name: REBASE_APPLY
-- $1 tenant
-- $2 version (0: the latest published)
-- -> the version the tenant is at now
SELECT ims_rebase_tenant($1::uuid, $2::int);

-- name: TUNING_LIST
-- $1 tenant
-- -> name, lo, hi, schema value, value, tuned, set by, set at
SELECT name, lo, hi, schema_value, value, tuned, set_by, set_at FROM ims_tenant_tuning($1::uuid);

-- name: TUNING_SET
-- $1 tenant
-- $2 name
-- $3 value (NULL: back to the schema's)
-- $4 set by
SELECT ims_tenant_tune($1::uuid, $2, $3::float8, $4);

-- name: STATS_ANSWERS
-- $1 schema id
-- $2 the caller's token id, whose tenants are left out (NULL: an operator's, none)
-- -> sub-control, tenants, yes, partial, no, na, unanswered
SELECT subcontrol_id, tenants, yes, partial, no, na, unanswered
FROM ims_schema_stats_answers($1, $2::uuid);

-- name: STATS_GAPS
-- $1 schema id
-- $2 the caller's token id (as STATS_ANSWERS)
-- $3 how many
-- -> sub-control, tenants, gap share
SELECT subcontrol_id, tenants, gap_share FROM ims_schema_stats_gaps($1, $2::uuid, $3::int);

-- name: STATS_LEVELS
-- $1 schema id
-- $2 the caller's token id (as STATS_ANSWERS)
-- -> sector, size band, tenants, security level, maturity
SELECT sector, size_band, tenants, security_level, maturity
FROM ims_schema_stats_levels($1, $2::uuid);
