-- Functions behind the Tenants service. Errors carry SQLSTATE 22023 with a message that
-- starts with the request field it concerns; the daemon passes them on as INVALID_ARGUMENT.

-- Creates a tenant from a schema (p_schema empty: the best one for sector and size band;
-- p_version 0: the latest version) and generates its content. ims.tenant_id must be set to
-- p_id and ims.all_tenants on.
CREATE FUNCTION ims_create_tenant(p_id uuid, p_slug text, p_name text, p_sector text,
                                  p_size_band text, p_schema text, p_version int)
    RETURNS SETOF tenants LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    s_id   text := p_schema;
    s_ver  int := p_version;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM sectors WHERE id = p_sector) THEN
        RAISE EXCEPTION 'sector: unknown sector "%" (see ListSchemas or docs/catalog.md)', p_sector
            USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM size_bands WHERE id = p_size_band) THEN
        RAISE EXCEPTION 'size_band: unknown size band "%" (micro, small, medium)', p_size_band
            USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM tenants WHERE slug = p_slug) THEN
        RAISE EXCEPTION 'slug: a tenant "%" exists already', p_slug USING ERRCODE = '23505';
    END IF;
    IF coalesce(s_id, '') = '' THEN
        SELECT b.schema_id, b.version INTO s_id, s_ver FROM ims_best_schema(p_sector, p_size_band) b;
        IF s_id IS NULL THEN
            RAISE EXCEPTION 'schema_id: no schema fits sector "%" and size band "%"', p_sector,
                p_size_band USING ERRCODE = '22023';
        END IF;
    ELSIF s_ver = 0 THEN
        SELECT max(version) INTO s_ver FROM schemas WHERE schema_id = s_id;
        IF s_ver IS NULL THEN
            RAISE EXCEPTION 'schema_id: unknown schema "%"', s_id USING ERRCODE = '22023';
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM schemas WHERE schema_id = s_id AND version = s_ver) THEN
        RAISE EXCEPTION 'schema_version: schema "%" has no version %', s_id, s_ver
            USING ERRCODE = '22023';
    END IF;
    INSERT INTO tenants (id, slug, display_name, sector, size_band, schema_id, schema_version)
    VALUES (p_id, p_slug, p_name, p_sector, p_size_band, s_id, s_ver);
    PERFORM ims_generate_tenant(p_id, s_id, s_ver);
    RETURN QUERY SELECT * FROM tenants WHERE id = p_id;
END
$$;
REVOKE EXECUTE ON FUNCTION ims_create_tenant(uuid, text, text, text, text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_create_tenant(uuid, text, text, text, text, text, int) TO ims_app;

-- Adds a tenant (id or slug) to a token's scope. p_allowed, when not NULL, is the only
-- tenant the caller may grant (a tenant_admin grants its own tenant only).
CREATE FUNCTION ims_token_add_tenant(p_token uuid, p_tenant text, p_allowed uuid)
    RETURNS uuid LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid;
BEGIN
    SELECT id INTO t FROM tenants WHERE id::text = lower(p_tenant) OR slug = p_tenant;
    IF t IS NULL OR (p_allowed IS NOT NULL AND t <> p_allowed) THEN
        RAISE EXCEPTION 'tenants: "%" is not a tenant you may grant', p_tenant
            USING ERRCODE = '42501';
    END IF;
    INSERT INTO token_tenants (token_id, tenant_id) VALUES (p_token, t) ON CONFLICT DO NOTHING;
    RETURN t;
END
$$;
REVOKE EXECUTE ON FUNCTION ims_token_add_tenant(uuid, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_token_add_tenant(uuid, text, uuid) TO ims_app;
