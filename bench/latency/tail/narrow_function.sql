-- The revision and the stored level in a narrow table of their own, beside the wide
-- tenants row (36 tables reference tenants: an UPDATE of it starts with its 72 foreign-key
-- triggers and its CHECK constraints). Created on the throwaway cluster only.
CREATE TABLE tenant_revisions_x (
    tenant_id       uuid PRIMARY KEY REFERENCES tenants (id),
    revision        bigint NOT NULL,
    security_level  double precision,
    maturity        int
);
ALTER TABLE tenant_revisions_x ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_revisions_x FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_revisions_x USING (tenant_id = ims_current_tenant())
    WITH CHECK (tenant_id = ims_current_tenant());
GRANT SELECT, UPDATE ON tenant_revisions_x TO ims_app;
INSERT INTO tenant_revisions_x SELECT id, revision, security_level, maturity FROM tenants;

CREATE FUNCTION ims_commit_level_narrow(p_tenant uuid, p_expected bigint,
                                        p_level double precision, p_maturity int,
                                        p_cause text)
    RETURNS TABLE (revision bigint, at text) LANGUAGE plpgsql
    AS $$
DECLARE
    r  bigint;
    t  timestamptz := pg_catalog.now();
BEGIN
    UPDATE public.tenant_revisions_x x SET revision = x.revision + 1, security_level = p_level,
                                         maturity = p_maturity
     WHERE x.tenant_id = p_tenant AND x.revision = p_expected
    RETURNING x.revision INTO r;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant % changed underneath (expected revision %)', p_tenant, p_expected
            USING ERRCODE = '40001';
    END IF;
    INSERT INTO public.level_history (tenant_id, revision, at, security_level, maturity, cause)
    VALUES (p_tenant, r, t, p_level, p_maturity, p_cause);
    PERFORM pg_catalog.pg_notify('ims_tenant',
        pg_catalog.concat_ws(':', p_tenant::text, r::text, p_level::text, p_maturity::text,
                             extract(epoch FROM t)::bigint::text, p_cause));
    revision := r;
    at := pg_catalog.to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    RETURN NEXT;
END
$$;
