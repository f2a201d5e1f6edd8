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

-- name: MIGRATE_DATABASE
-- -> the database being migrated (its roles' names derive from it)
SELECT current_database();

-- name: MIGRATE_ROLES
-- Names this installation's roles for the statements below (for the session).
-- $1 owner role
-- $2 runtime role
SELECT set_config('ims.owner_role', $1, false), set_config('ims.app_role', $2, false);

-- name: MIGRATE_AS_OWNER
-- A file runs as the installation's owner role once that role may create in this
-- database's schema (so that the runtime role owns nothing); the role may exist already
-- for another database of the cluster without that right, and then the file (0001) runs
-- as the migrating user and grants it.
DO $$
DECLARE r text := current_setting('ims.owner_role');
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) AND has_schema_privilege(r, 'public', 'CREATE') THEN
        EXECUTE format('SET LOCAL ROLE %I', r);
    END IF;
END $$;

-- name: MIGRATE_RESTRICT_CONNECT
-- Only this installation's runtime role (and superusers) may connect to its database, so
-- another installation's runtime role on the same cluster cannot.
DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(),
                   current_setting('ims.app_role'));
    -- Later migrations run as the owner role, and some use temporary tables.
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = current_setting('ims.owner_role')) THEN
        EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(),
                       current_setting('ims.owner_role'));
    END IF;
END $$;

-- name: MIGRATE_RESET_ROLE
RESET ROLE;

-- name: MIGRATE_RECORD
-- $1 migration file name
INSERT INTO schema_migrations (name) VALUES ($1);
