-- Who may create tenants: operators anywhere, consultants in the sectors an operator grants
-- their token (token_sectors). A tenant a consultant creates joins that consultant's scope,
-- so the consultant who generates a client's system goes on to assess it.

CREATE TABLE token_sectors (
    token_id uuid NOT NULL REFERENCES tokens (id),
    sector   text NOT NULL REFERENCES sectors (id),
    PRIMARY KEY (token_id, sector)
);
GRANT SELECT, INSERT ON token_sectors TO ims_app;

-- Grants sector p_sector to consultant token p_token.
CREATE FUNCTION ims_token_add_sector(p_token uuid, p_sector text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM sectors WHERE id = p_sector) THEN
        RAISE EXCEPTION 'sectors: unknown sector "%"', p_sector USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tokens WHERE id = p_token AND role = 'consultant') THEN
        RAISE EXCEPTION 'sectors: only a consultant token has sectors' USING ERRCODE = '22023';
    END IF;
    INSERT INTO token_sectors (token_id, sector) VALUES (p_token, p_sector) ON CONFLICT DO NOTHING;
END
$$;

-- ims_create_tenant for a consultant token: the sector must be granted to it, and the new
-- tenant is added to its scope. Same preconditions as ims_create_tenant.
CREATE FUNCTION ims_consultant_create_tenant(p_token uuid, p_id uuid, p_slug text, p_name text,
                                             p_sector text, p_size_band text, p_schema text,
                                             p_version int)
    RETURNS SETOF tenants LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM token_sectors WHERE token_id = p_token AND sector = p_sector) THEN
        RAISE EXCEPTION 'sector: "%" is not in your scope (an operator grants sectors to a consultant token)',
            p_sector USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT * FROM ims_create_tenant(p_id, p_slug, p_name, p_sector, p_size_band,
                                                 p_schema, p_version);
    INSERT INTO token_tenants (token_id, tenant_id) VALUES (p_token, p_id);
END
$$;

REVOKE EXECUTE ON FUNCTION ims_token_add_sector(uuid, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims_consultant_create_tenant(uuid, uuid, text, text, text, text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_token_add_sector(uuid, text) TO ims_app;
GRANT EXECUTE ON FUNCTION ims_consultant_create_tenant(uuid, uuid, text, text, text, text, text, int) TO ims_app;
