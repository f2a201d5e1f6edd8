-- Computed metrics of people, procedures and documents (SECURITY-LEVEL.md section 12,
-- docs/people.md): catalog metrics whose samples the server computes, and per metric the
-- function ims_computed_<metric>(p_tenant, p_at) the computed-metrics framework calls. Each
-- returns a percentage, or NULL when there is nothing to measure (no sample is written then).
--
--   culture_certified_pct     people whose profiles ask for a security-culture certificate
--                             and who hold a valid one of the level asked, over those people
--                             (triggers: person, certificate, time — certificates expire)
--   procedures_on_time_pct    procedure instances completed in the last 365 days with no
--                             phase left after its due time, over those plus the open ones
--                             whose current phase is overdue (triggers: procedure, time)
--   documents_current_pct     required documents approved and not past their review due
--                             time, over the required documents (triggers: document, time)

INSERT INTO metrics (id, name, description, unit, aggregation, window_s, target, threshold, max_age_s) VALUES
('culture_certified_pct', 'Security-culture certificates held',
 'Share of the people whose profiles ask for a security-culture certificate who hold a valid one of the level asked.',
 '%', 'last', 86400, 100, 50, 34560000),
('procedures_on_time_pct', 'Procedures completed on time',
 'Share of procedure instances of the last year completed without a phase overrunning its due time (open overdue ones count against).',
 '%', 'last', 86400, 100, 60, 34560000),
('documents_current_pct', 'Documents current',
 'Share of the required documents that are approved and not past their review date.',
 '%', 'last', 86400, 100, 50, 34560000);

INSERT INTO metric_controls (metric_id, control_id, weight) VALUES
    ('culture_certified_pct', 'A.6.3', 1), ('culture_certified_pct', '27001-7.2', 1),
    ('culture_certified_pct', '27001-7.3', 1), ('culture_certified_pct', '22301-7.2', 1),
    ('culture_certified_pct', '22301-7.3', 1),
    ('procedures_on_time_pct', 'A.5.26', 1), ('procedures_on_time_pct', 'A.5.24', 1),
    ('procedures_on_time_pct', '27001-8.1', 1), ('procedures_on_time_pct', '22301-8.1', 1),
    ('documents_current_pct', '27001-7.5', 1), ('documents_current_pct', '22301-7.5', 1),
    ('documents_current_pct', 'A.5.37', 1);

CREATE FUNCTION ims_computed_culture_certified_pct(p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT CASE WHEN s.required = 0 THEN NULL ELSE 100.0 * s.certified / s.required END
  FROM ims_culture_summary(p_tenant, p_at) s
$$;

CREATE FUNCTION ims_computed_procedures_on_time_pct(p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
WITH judged AS (
    SELECT i.instance_id,
           NOT EXISTS (SELECT 1 FROM procedure_steps s
                        WHERE s.tenant_id = i.tenant_id AND s.instance_id = i.instance_id
                          AND s.at <= p_at AND s.late) AS on_time,
           i.completed_at IS NOT NULL AND i.completed_at <= p_at AS completed
      FROM procedure_instances i
     WHERE i.tenant_id = p_tenant AND i.started_at <= p_at
       AND ((i.completed_at IS NOT NULL AND i.completed_at <= p_at
             AND i.completed_at > p_at - interval '365 days')
            OR ((i.completed_at IS NULL OR i.completed_at > p_at)
                AND i.phase_due_at IS NOT NULL AND i.phase_due_at < p_at))
)
SELECT CASE WHEN count(*) = 0 THEN NULL
            ELSE 100.0 * count(*) FILTER (WHERE completed AND on_time) / count(*) END
  FROM judged
$$;

CREATE FUNCTION ims_computed_documents_current_pct(p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT CASE WHEN count(*) = 0 THEN NULL
            ELSE 100.0 * count(*) FILTER (WHERE ta.status = 'approved'
                                            AND ta.approved_at <= p_at
                                            AND (ta.review_due IS NULL OR p_at <= ta.review_due))
                 / count(*) END
  FROM tenant_artefacts ta
 WHERE ta.tenant_id = p_tenant AND ta.required
$$;

REVOKE EXECUTE ON FUNCTION ims_computed_culture_certified_pct(uuid, timestamptz),
    ims_computed_procedures_on_time_pct(uuid, timestamptz),
    ims_computed_documents_current_pct(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_computed_culture_certified_pct(uuid, timestamptz),
    ims_computed_procedures_on_time_pct(uuid, timestamptz),
    ims_computed_documents_current_pct(uuid, timestamptz) TO ims_app;

-- Every schema version carries them (a tenant made from it then has them; until a sample
-- is written a metric is not deployed and the engine leaves it out).
INSERT INTO schema_metrics (schema_id, version, metric_id, enabled, aggregation, window_s,
                            target, threshold, max_age_s)
SELECT s.schema_id, s.version, m.id, true, m.aggregation, m.window_s, m.target, m.threshold,
       m.max_age_s
  FROM schemas s CROSS JOIN metrics m
 WHERE m.id IN ('culture_certified_pct', 'procedures_on_time_pct', 'documents_current_pct')
ON CONFLICT DO NOTHING;
INSERT INTO schema_metric_controls (schema_id, version, metric_id, control_id, weight)
SELECT s.schema_id, s.version, mc.metric_id, mc.control_id, mc.weight
  FROM schemas s CROSS JOIN metric_controls mc
 WHERE mc.metric_id IN ('culture_certified_pct', 'procedures_on_time_pct', 'documents_current_pct')
   AND EXISTS (SELECT 1 FROM schema_controls sc WHERE sc.schema_id = s.schema_id
                  AND sc.version = s.version AND sc.control_id = mc.control_id)
ON CONFLICT DO NOTHING;

-- Tenants that exist already carry them too.
DO $$
DECLARE
    t uuid;
BEGIN
    PERFORM set_config('ims.all_tenants', 'on', true);
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('ims.tenant_id', t::text, true);
        INSERT INTO tenant_metrics (tenant_id, metric_id, enabled, aggregation, window_s, target,
                                    threshold, max_age_s)
        SELECT t, m.id, true, m.aggregation, m.window_s, m.target, m.threshold, m.max_age_s
          FROM metrics m
         WHERE m.id IN ('culture_certified_pct', 'procedures_on_time_pct', 'documents_current_pct')
        ON CONFLICT DO NOTHING;
        INSERT INTO tenant_metric_controls (tenant_id, metric_id, control_id, weight)
        SELECT t, mc.metric_id, mc.control_id, mc.weight
          FROM metric_controls mc
          JOIN tenant_controls tc ON tc.tenant_id = t AND tc.control_id = mc.control_id
         WHERE mc.metric_id IN ('culture_certified_pct', 'procedures_on_time_pct',
                                'documents_current_pct')
        ON CONFLICT DO NOTHING;
    END LOOP;
    PERFORM set_config('ims.tenant_id', '', true);
    PERFORM set_config('ims.all_tenants', '', true);
END;
$$;

-- Registration with the computed-metrics framework (migration 0101).
INSERT INTO computed_metrics (metric_id, fn, triggers) VALUES
    ('culture_certified_pct', 'ims_computed_culture_certified_pct(uuid,timestamptz)',
     ARRAY['person', 'certificate', 'time']),
    ('procedures_on_time_pct', 'ims_computed_procedures_on_time_pct(uuid,timestamptz)',
     ARRAY['procedure', 'time']),
    ('documents_current_pct', 'ims_computed_documents_current_pct(uuid,timestamptz)',
     ARRAY['document', 'time']);
