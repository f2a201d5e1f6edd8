-- Rebase and tuning as one tenant write: the daemon first reads what the tenant would be
-- after the change (the change made in a subtransaction that is rolled back) with the
-- tenant's revision, has the engine evaluate that, and then commits the change itself
-- together with the level, the revision, the level history, the event, the audit row and
-- the notification. The guard refuses the commit when the tenant changed in between.

-- The tenant as the engine reads it after setting (or, p_value NULL, resetting) a tunable,
-- without keeping the change; the errors are those of ims_tenant_tune.
CREATE FUNCTION ims_tuning_preview(p_tenant uuid, p_name text, p_value double precision,
                                   p_by text)
RETURNS text LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    after text;
BEGIN
    BEGIN
        PERFORM ims_tenant_tune(p_tenant, p_name, p_value, p_by);
        after := ims_tenant_snapshot(p_tenant, false)::text;
        RAISE EXCEPTION 'preview only' USING ERRCODE = 'IMSPV';
    EXCEPTION WHEN SQLSTATE 'IMSPV' THEN
        NULL;
    END;
    RETURN after;
END
$$;

-- Refuses (FAILED_PRECONDITION) when the tenant's revision is no longer the one the
-- prepared change was read at.
CREATE FUNCTION ims_revision_guard(p_tenant uuid, p_revision bigint)
RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = p_tenant AND revision = p_revision) THEN
        RAISE EXCEPTION 'tenant: changed while the change was prepared; retry'
            USING ERRCODE = '55000';
    END IF;
END
$$;

REVOKE EXECUTE ON FUNCTION ims_tuning_preview(uuid, text, double precision, text),
    ims_revision_guard(uuid, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_tuning_preview(uuid, text, double precision, text),
    ims_revision_guard(uuid, bigint) TO ims_app;
