-- Statements of db/: the transaction frame the pool sends around every transaction, the
-- notification listener, and the migrator (db_statements.h, generated from this file).
--
-- Each statement: "-- name: NAME", what it does, one "-- $N meaning" line per
-- parameter, "-- -> columns" for what it returns, then its text, ending in ";".

-- name: BEGIN
BEGIN;

-- name: COMMIT
COMMIT;

-- name: ROLLBACK
ROLLBACK;

-- name: SET_TENANT
-- Sets the tenant for the rest of the transaction (SET LOCAL); prepared on every pool
-- connection as "ims_set_tenant".
-- $1 tenant id (NULL: none)
-- $2 'on' to let the statements see every tenant, '' otherwise
SELECT set_config('ims.tenant_id', coalesce($1, ''), true),
       set_config('ims.all_tenants', $2, true);

-- name: LISTEN
-- LISTEN takes no parameter: db_listener_new checks that the channel is a plain
-- identifier and puts it in place of the %s.
LISTEN %s;

-- name: MIGRATE_QUIET
SET client_min_messages = warning;

-- name: MIGRATE_LOCK
-- One migrator at a time, whichever host runs it.
SELECT pg_advisory_lock(7201001);

-- name: MIGRATE_CREATE_TABLE
CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now());

-- name: MIGRATE_SHOW_APPLIED
-- Which migrations are applied is no secret: imsd's runtime role reads it for /readyz.
GRANT SELECT ON schema_migrations TO PUBLIC;

-- name: MIGRATE_APPLIED
-- $1 migration file name
-- -> one row when it was applied
SELECT 1 FROM schema_migrations WHERE name = $1;

-- name: MIGRATE_AS_OWNER
-- Once 0001 created the owner role, each file runs as ims_owner so that the runtime role
-- owns nothing.
DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_owner') THEN SET LOCAL ROLE ims_owner; END IF; END $$;

-- name: MIGRATE_RESET_ROLE
RESET ROLE;

-- name: MIGRATE_RECORD
-- $1 migration file name
INSERT INTO schema_migrations (name) VALUES ($1);
