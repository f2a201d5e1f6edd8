-- Schema statistics over the tenants outside the caller's scope. Five tenants were enough
-- for 0148's functions to answer, whoever they belonged to: a consultant who made four
-- empty tenants on a client's schema read that client's answers from the counts. Now the
-- tenants a scoped token holds (p_token: its id; NULL for an operator, who reads every
-- tenant anyway) are left out, and the five are counted among the others.
DROP FUNCTION ims_schema_stats_gaps(text, int);
DROP FUNCTION ims_schema_stats_levels(text);
DROP FUNCTION ims_schema_stats_answers(text);
DROP FUNCTION ims_stats_tenants(text);

CREATE FUNCTION ims_stats_tenants(p_schema text, p_token uuid) RETURNS uuid[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ids uuid[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM schemas WHERE schema_id = p_schema) THEN
        RAISE EXCEPTION 'schema_id: no schema "%"', p_schema USING ERRCODE = 'P0002';
    END IF;
    SELECT coalesce(array_agg(tp.tenant_id), '{}') INTO ids
      FROM tenant_params tp
     WHERE tp.schema_id = p_schema
       AND NOT EXISTS (SELECT 1 FROM token_tenants tt
                        WHERE tt.token_id = p_token AND tt.tenant_id = tp.tenant_id);
    IF cardinality(ids) < 5 THEN
        RAISE EXCEPTION 'schema_id: statistics need at least five tenants generated from "%" outside your own; it has fewer',
            p_schema USING ERRCODE = '55000';
    END IF;
    RETURN ids;
END
$$;

CREATE FUNCTION ims_schema_stats_answers(p_schema text, p_token uuid)
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
     WHERE ts.tenant_id = ANY (ims_stats_tenants(p_schema, p_token)) AND ts.applicable
     GROUP BY ts.subcontrol_id
    HAVING count(*) >= 5
     ORDER BY ts.subcontrol_id
$$;

CREATE FUNCTION ims_schema_stats_gaps(p_schema text, p_token uuid, p_limit int)
RETURNS TABLE (subcontrol_id text, tenants bigint, gap_share double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.subcontrol_id, a.tenants,
           (a.no + a.unanswered + 0.5 * a.partial)::double precision / (a.tenants - a.na)
      FROM ims_schema_stats_answers(p_schema, p_token) a
     WHERE a.tenants - a.na >= 5
     ORDER BY 3 DESC, 1
     LIMIT greatest(1, least(p_limit, 1000))
$$;

CREATE FUNCTION ims_schema_stats_levels(p_schema text, p_token uuid)
RETURNS TABLE (sector text, size_band text, tenants bigint, security_level double precision,
               maturity double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH latest AS (
        SELECT DISTINCT ON (h.tenant_id) h.tenant_id, h.security_level, h.maturity
          FROM level_history h
         WHERE h.tenant_id = ANY (ims_stats_tenants(p_schema, p_token))
         ORDER BY h.tenant_id, h.revision DESC
    )
    SELECT t.sector, t.size_band, count(*), avg(l.security_level), avg(l.maturity)
      FROM latest l JOIN tenants t ON t.id = l.tenant_id
     GROUP BY t.sector, t.size_band
    HAVING count(*) >= 5
     ORDER BY 1, 2
$$;

REVOKE EXECUTE ON FUNCTION ims_stats_tenants(text, uuid), ims_schema_stats_answers(text, uuid),
    ims_schema_stats_gaps(text, uuid, int), ims_schema_stats_levels(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_schema_stats_answers(text, uuid),
    ims_schema_stats_gaps(text, uuid, int), ims_schema_stats_levels(text, uuid) TO ims_app;
