-- The information repository: what the tenants generated from a schema have in common,
-- fed back to whoever recalibrates the schema. Three functions return aggregates only:
-- the answer distribution per sub-control, the most common gaps, and the average level
-- by sector and size band. Each refuses a schema with fewer than five tenants, and leaves
-- out any group (a sub-control, a sector and size) of fewer than five tenants, so that no
-- client's answers can be read from another's statistics.
--
-- They are SECURITY DEFINER functions owned by the schema owner: the one role that a
-- policy below lets read tenant rows across tenants. The daemon's role still reads one
-- tenant at a time; it only gets these aggregates.

CREATE FUNCTION ims_is_table_owner() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class
                            WHERE oid = 'tenant_subcontrols'::regclass)
$$;

CREATE POLICY owner_aggregates ON tenants FOR SELECT USING (ims_is_table_owner());
CREATE POLICY owner_aggregates ON tenant_params FOR SELECT USING (ims_is_table_owner());
CREATE POLICY owner_aggregates ON tenant_subcontrols FOR SELECT USING (ims_is_table_owner());
CREATE POLICY owner_aggregates ON level_history FOR SELECT USING (ims_is_table_owner());

-- The tenants generated from p_schema (any version), or the refusal when fewer than five.
CREATE FUNCTION ims_stats_tenants(p_schema text) RETURNS uuid[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ids uuid[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM schemas WHERE schema_id = p_schema) THEN
        RAISE EXCEPTION 'schema_id: no schema "%"', p_schema USING ERRCODE = 'P0002';
    END IF;
    SELECT coalesce(array_agg(tp.tenant_id), '{}') INTO ids
      FROM tenant_params tp WHERE tp.schema_id = p_schema;
    IF cardinality(ids) < 5 THEN
        RAISE EXCEPTION 'schema_id: statistics need at least five tenants generated from "%"; it has fewer',
            p_schema USING ERRCODE = '55000';
    END IF;
    RETURN ids;
END
$$;

-- Per sub-control: how many tenants hold it applicable, and how they answered.
CREATE FUNCTION ims_schema_stats_answers(p_schema text)
RETURNS TABLE (subcontrol_id text, tenants bigint, yes bigint, partial bigint, no bigint,
               na bigint, unanswered bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT ts.subcontrol_id, count(*),
           count(*) FILTER (WHERE ts.answer = 'yes'),
           count(*) FILTER (WHERE ts.answer = 'partial'),
           count(*) FILTER (WHERE ts.answer = 'no'),
           count(*) FILTER (WHERE ts.answer = 'na'),
           count(*) FILTER (WHERE ts.answer IS NULL)
      FROM tenant_subcontrols ts
     WHERE ts.tenant_id = ANY (ims_stats_tenants(p_schema)) AND ts.applicable
     GROUP BY ts.subcontrol_id
    HAVING count(*) >= 5
     ORDER BY ts.subcontrol_id
$$;

-- The sub-controls most often short (no, partial or unanswered) among the tenants that
-- hold them applicable, with the share of those tenants; ties by id.
CREATE FUNCTION ims_schema_stats_gaps(p_schema text, p_limit int)
RETURNS TABLE (subcontrol_id text, tenants bigint, gap_share double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.subcontrol_id, a.tenants,
           (a.no + a.unanswered + 0.5 * a.partial)::double precision / (a.tenants - a.na)
      FROM ims_schema_stats_answers(p_schema) a
     WHERE a.tenants - a.na >= 5
     ORDER BY 3 DESC, 1
     LIMIT greatest(1, least(p_limit, 1000))
$$;

-- The average security level and maturity by sector and size band, from each tenant's
-- latest level; groups of fewer than five tenants are left out.
CREATE FUNCTION ims_schema_stats_levels(p_schema text)
RETURNS TABLE (sector text, size_band text, tenants bigint, security_level double precision,
               maturity double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH latest AS (
        SELECT DISTINCT ON (h.tenant_id) h.tenant_id, h.security_level, h.maturity
          FROM level_history h
         WHERE h.tenant_id = ANY (ims_stats_tenants(p_schema))
         ORDER BY h.tenant_id, h.revision DESC
    )
    SELECT t.sector, t.size_band, count(*), avg(l.security_level), avg(l.maturity)
      FROM latest l JOIN tenants t ON t.id = l.tenant_id
     GROUP BY t.sector, t.size_band
    HAVING count(*) >= 5
     ORDER BY 1, 2
$$;

REVOKE EXECUTE ON FUNCTION ims_stats_tenants(text), ims_schema_stats_answers(text),
    ims_schema_stats_gaps(text, int), ims_schema_stats_levels(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_schema_stats_answers(text), ims_schema_stats_gaps(text, int),
    ims_schema_stats_levels(text) TO ims_app;
-- ims_stats_tenants is called inside the functions above (as their owner) only.
GRANT EXECUTE ON FUNCTION ims_is_table_owner() TO ims_app;
