-- ims_commit_level (0051) without its SET search_path: every name schema-qualified.
CREATE OR REPLACE FUNCTION ims_commit_level2(p_tenant uuid, p_expected bigint, p_level double precision,
                                 p_maturity int, p_cause text)
    RETURNS TABLE (revision bigint, at text) LANGUAGE plpgsql
    AS $$
DECLARE
    r  bigint;
    t  timestamptz := pg_catalog.now();
BEGIN
    UPDATE public.tenants SET revision = tenants.revision + 1, security_level = p_level,
                              maturity = p_maturity
     WHERE id = p_tenant AND tenants.revision = p_expected
    RETURNING tenants.revision INTO r;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant % changed underneath (expected revision %)', p_tenant, p_expected
            USING ERRCODE = '40001';
    END IF;
    INSERT INTO public.level_history (tenant_id, revision, at, security_level, maturity, cause)
    VALUES (p_tenant, r, t, p_level, p_maturity, p_cause);
    PERFORM pg_catalog.pg_notify('ims_tenant', pg_catalog.concat_ws(':', p_tenant::text, r::text,
        p_level::text, p_maturity::text, extract(epoch FROM t)::bigint::text, p_cause));
    revision := r;
    at := pg_catalog.to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    RETURN NEXT;
END
$$;
GRANT EXECUTE ON FUNCTION ims_commit_level2(uuid, bigint, double precision, int, text) TO ims_app;
