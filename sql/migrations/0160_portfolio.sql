-- The portfolio's figures of several tenants in one statement. Runs with the caller's
-- rights (no SECURITY DEFINER): it enters each listed tenant in turn by setting
-- ims.tenant_id, exactly what the daemon does for a transaction of that tenant, so
-- row-level security decides what it reads. The caller lists only tenants in its scope.
CREATE FUNCTION ims_portfolio(p_ids uuid[], p_days int)
    RETURNS TABLE (tenant_id uuid, open_nonconformities bigint, overdue_actions bigint,
                   trend text)
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    saved text := coalesce(current_setting('ims.tenant_id', true), '');
    t     uuid;
BEGIN
    FOREACH t IN ARRAY p_ids LOOP
        PERFORM set_config('ims.tenant_id', t::text, true);
        tenant_id := t;
        SELECT count(*) INTO open_nonconformities FROM findings f
         WHERE f.tenant_id = t AND f.status = 'open' AND f.type IN ('major_nc', 'minor_nc');
        SELECT count(*) INTO overdue_actions FROM actions a
         WHERE a.tenant_id = t AND a.status = 'open' AND a.due < now();
        -- The level at the end of each day that had a change, as "YYYY-MM-DD=level,...",
        -- opened by the level the window starts with (when the tenant had one then).
        SELECT coalesce(string_agg(d.day || '=' || d.security_level::text, ',' ORDER BY d.day), '')
          INTO trend
          FROM (SELECT to_char((now() - make_interval(days => p_days)) AT TIME ZONE 'UTC',
                               'YYYY-MM-DD') AS day, b.security_level
                  FROM (SELECT h.security_level FROM level_history h
                         WHERE h.tenant_id = t AND h.at < now() - make_interval(days => p_days)
                         ORDER BY h.revision DESC LIMIT 1) b
                UNION ALL
                SELECT * FROM (SELECT DISTINCT ON (1) to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                                      h.security_level
                                 FROM level_history h
                                WHERE h.tenant_id = t
                                  AND h.at >= now() - make_interval(days => p_days)
                                ORDER BY 1, h.revision DESC) w) d;
        RETURN NEXT;
    END LOOP;
    PERFORM set_config('ims.tenant_id', saved, true);
END
$$;
REVOKE EXECUTE ON FUNCTION ims_portfolio(uuid[], int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_portfolio(uuid[], int) TO ims_app;
