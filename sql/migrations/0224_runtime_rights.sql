-- What the runtime role may do, narrowed to what it does:
-- * step and record history of procedures, and document versions, are appended, never
--   changed or removed; token scopes are added and removed, never rewritten;
-- * a tenant's slug may not look like a tenant id (a UUID): lookups take an id or a slug,
--   and such a slug would hide the tenant whose id it copies; a tenant given by id or slug
--   is resolved by its id first;
-- * the partition upkeep keeps its own bounds: the daemon's configuration bounds the
--   retention, and now the function does too.
REVOKE UPDATE, DELETE ON procedure_steps, procedure_records, document_versions FROM ims_app;
REVOKE UPDATE ON token_tenants FROM ims_app;

ALTER TABLE tenants ADD CONSTRAINT tenants_slug_not_an_id
    CHECK (slug !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') NOT VALID;

CREATE OR REPLACE FUNCTION ims_token_add_tenant(p_token uuid, p_tenant text, p_allowed uuid)
    RETURNS uuid LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid;
BEGIN
    SELECT id INTO t FROM tenants WHERE id::text = lower(p_tenant) OR slug = p_tenant
     ORDER BY id::text = lower(p_tenant) DESC LIMIT 1;
    IF t IS NULL OR (p_allowed IS NOT NULL AND t <> p_allowed) THEN
        RAISE EXCEPTION 'tenants: "%" is not a tenant you may grant', p_tenant
            USING ERRCODE = '42501';
    END IF;
    INSERT INTO token_tenants (token_id, tenant_id) VALUES (p_token, t) ON CONFLICT DO NOTHING;
    RETURN t;
END
$$;

CREATE OR REPLACE FUNCTION ims_sample_partitions(p_retention_days int, p_months_ahead int DEFAULT 3)
    RETURNS TABLE (created int, dropped int) LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
DECLARE
    m     date := date_trunc('month', now() - make_interval(days => p_retention_days))::date;
    last  date := date_trunc('month', now())::date + make_interval(months => p_months_ahead);
    name  text;
    r     record;
BEGIN
    -- The daemon's own bounds (sample_retention_days, 1-36500), held here too: a retention
    -- of 0 or less would drop every tenant's samples.
    IF p_retention_days IS NULL OR p_retention_days NOT BETWEEN 1 AND 36500 THEN
        RAISE EXCEPTION 'retention: % days is outside [1, 36500]', p_retention_days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_months_ahead IS NULL OR p_months_ahead NOT BETWEEN 0 AND 24 THEN
        RAISE EXCEPTION 'months ahead: % is outside [0, 24]', p_months_ahead
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    created := 0;
    dropped := 0;
    WHILE m <= last LOOP
        name := format('metric_samples_%s', to_char(m, 'YYYYMM'));
        IF to_regclass(name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF metric_samples FOR VALUES FROM (%L) TO (%L)',
                           name, m, (m + interval '1 month')::date);
            created := created + 1;
        END IF;
        m := (m + interval '1 month')::date;
    END LOOP;
    FOR r IN SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'metric_samples'::regclass
                AND c.relname ~ '^metric_samples_[0-9]{6}$' LOOP
        IF to_date(substr(r.relname, 16), 'YYYYMM') + interval '1 month'
               <= now() - make_interval(days => p_retention_days) THEN
            EXECUTE format('DROP TABLE %I', r.relname);
            dropped := dropped + 1;
        END IF;
    END LOOP;
    RETURN NEXT;
END
$$;
