-- Rebase and tuning as one tenant write (server/rpc/rebase.c, tuning.c).

-- name: REBASE_PREPARE
-- $1 tenant
-- $2 version (0: the latest published)
-- -> schema id, version now, snapshot after the rebase, target version, revision
SELECT p.schema_id, p.schema_version, r.after, r.version, t.revision
  FROM tenants t JOIN tenant_params p ON p.tenant_id = t.id,
       ims_rebase_preview($1::uuid, $2::int) r
 WHERE t.id = $1::uuid;

-- name: TUNING_PREPARE
-- $1 tenant
-- $2 name
-- $3 value (NULL: back to the schema's)
-- $4 set by
-- -> snapshot after the change, revision
SELECT ims_tuning_preview($1::uuid, $2, $3::float8, $4), t.revision
  FROM tenants t WHERE t.id = $1::uuid;

-- name: REVISION_GUARD
-- $1 tenant
-- $2 the revision the change was prepared at
SELECT ims_revision_guard($1::uuid, $2::bigint);
