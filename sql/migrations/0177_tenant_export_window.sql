-- An export of the evaluation window alone: the samples the daemon itself loads (each
-- metric's window or maximum age, and its newest sample), with every record kept, so that
-- a window export is still a whole tenant apart from its older samples.
CREATE FUNCTION ims_tenant_export(p_tenant uuid, p_all boolean) RETURNS json
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    doc jsonb;
BEGIN
    IF p_all THEN
        RETURN ims_tenant_snapshot(p_tenant, true);
    END IF;
    doc := ims_tenant_snapshot(p_tenant, false)::jsonb;
    IF doc IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN jsonb_set(doc, '{records}', ims_tenant_records(p_tenant))::json;
END
$$;

REVOKE EXECUTE ON FUNCTION ims_tenant_export(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_tenant_export(uuid, boolean) TO ims_app;
