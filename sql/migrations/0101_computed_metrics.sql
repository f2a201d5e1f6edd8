-- Computed metrics (SECURITY-LEVEL.md section 12, docs/model.md "Computed metrics"): catalog
-- metrics whose samples imsd writes from the records it holds, never a client. Each has a
-- SQL function ims_computed_<metric>(tenant, at) -> double precision (NULL: nothing to
-- measure, no sample) and the record kinds whose change moves it ('time': time alone).

ALTER TABLE metrics ADD COLUMN source text NOT NULL DEFAULT 'pushed'
    CHECK (source IN ('pushed', 'computed'));

CREATE TABLE computed_metrics (
    metric_id  text PRIMARY KEY REFERENCES metrics (id),
    fn         regprocedure NOT NULL,
    triggers   text[] NOT NULL CHECK (cardinality(triggers) >= 1)
);
GRANT SELECT ON computed_metrics TO ims_app;

-- A metric registered here is computed: the catalog says so.
CREATE FUNCTION ims_computed_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE metrics SET source = 'computed' WHERE id = NEW.metric_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER computed_metrics_mark AFTER INSERT OR UPDATE ON computed_metrics
    FOR EACH ROW EXECUTE FUNCTION ims_computed_mark();

-- Refuses a batch of pushed samples that names a computed metric (SQLSTATE 22023, which the
-- daemon answers INVALID_ARGUMENT with this message). Called once per batch.
CREATE FUNCTION ims_samples_pushable(p_metrics text[]) RETURNS boolean LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    i int;
BEGIN
    -- The common case, no computed metric in the batch, is one overlap test.
    IF NOT p_metrics && (SELECT array_agg(metric_id) FROM computed_metrics) THEN
        RETURN true;
    END IF;
    SELECT x.n INTO i FROM unnest(p_metrics) WITH ORDINALITY AS x (m, n)
      JOIN computed_metrics c ON c.metric_id = x.m ORDER BY x.n LIMIT 1;
    IF i IS NOT NULL THEN
        RAISE EXCEPTION 'samples[%].metric: "%" is computed by the server from its records and cannot be pushed',
            i - 1, p_metrics[i] USING ERRCODE = '22023';
    END IF;
    RETURN true;
END
$$;
GRANT EXECUTE ON FUNCTION ims_samples_pushable(text[]) TO ims_app;

-- The same for one metric named by p_field (a remote_write mapping may not feed a computed
-- metric: its samples would be refused at every push).
CREATE FUNCTION ims_metric_pushable(p_field text, p_metric text) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM computed_metrics WHERE metric_id = p_metric) THEN
        RAISE EXCEPTION '%: "%" is computed by the server from its records and cannot be pushed',
            p_field, p_metric USING ERRCODE = '22023';
    END IF;
    RETURN true;
END
$$;
GRANT EXECUTE ON FUNCTION ims_metric_pushable(text, text) TO ims_app;

-- One computed metric's value for the tenant at a time (NULL: nothing to measure).
CREATE FUNCTION ims_computed_value(p_metric text, p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    f  regprocedure;
    v  double precision;
BEGIN
    SELECT fn INTO f FROM computed_metrics WHERE metric_id = p_metric;
    IF f IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT %s($1, $2)', f::oid::regproc) INTO v USING p_tenant, p_at;
    RETURN v;
END
$$;
GRANT EXECUTE ON FUNCTION ims_computed_value(text, uuid, timestamptz) TO ims_app;

-- Writes, in the caller's transaction, a sample of every computed metric of the tenant that
-- a change of one of p_kinds moves, and returns them (the daemon applies them to the model).
-- With 'time' in p_kinds (the daemon's sweep), a time-moved metric gets a sample only when
-- its value changed since its latest sample or that sample is older than half its max age.
CREATE FUNCTION ims_computed_write(p_tenant uuid, p_kinds text[])
    RETURNS TABLE (metric text, at text, value double precision) LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t     timestamptz := now();
    r     record;
    v     double precision;
    last  record;
BEGIN
    FOR r IN SELECT c.metric_id, tm.max_age_s
               FROM computed_metrics c
               JOIN tenant_metrics tm ON tm.tenant_id = p_tenant AND tm.metric_id = c.metric_id
              WHERE tm.enabled AND c.triggers && p_kinds
              ORDER BY c.metric_id LOOP
        v := ims_computed_value(r.metric_id, p_tenant, t);
        IF v IS NULL OR v <> v THEN
            CONTINUE;
        END IF;
        IF p_kinds = ARRAY['time'] THEN
            SELECT s.at, s.value INTO last FROM metric_samples s
             WHERE s.tenant_id = p_tenant AND s.metric_id = r.metric_id
             ORDER BY s.at DESC LIMIT 1;
            IF FOUND AND last.value = v AND last.at > t - make_interval(secs => r.max_age_s / 2.0) THEN
                CONTINUE;
            END IF;
        END IF;
        INSERT INTO metric_samples (tenant_id, metric_id, at, value) VALUES (p_tenant, r.metric_id, t, v);
        metric := r.metric_id;
        at := ims_rfc3339(t);
        value := v;
        RETURN NEXT;
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION ims_computed_write(uuid, text[]) TO ims_app;

-- The metrics ------------------------------------------------------------------------

-- Actions (any kind, any source) still open after their due date.
CREATE FUNCTION ims_computed_overdue_actions(p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE sql STABLE AS $$
SELECT count(*)::double precision FROM actions
 WHERE tenant_id = p_tenant AND status = 'open' AND due < p_at
$$;

-- Open nonconformities with at least one corrective action still open after its due date.
CREATE FUNCTION ims_computed_overdue_nonconformities(p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE sql STABLE AS $$
SELECT count(DISTINCT f.finding_id)::double precision
  FROM findings f JOIN actions a ON a.tenant_id = f.tenant_id AND a.source_kind = 'finding'
                                AND a.source_id = f.finding_id
 WHERE f.tenant_id = p_tenant AND f.type IN ('major_nc', 'minor_nc') AND f.status = 'open'
   AND a.status = 'open' AND a.due < p_at
$$;

-- Months (of 30.436875 days) since the latest management review held at or before p_at;
-- with none, since the tenant was created. Whole days are counted, so the value moves once
-- a day (and the sweep writes a sample a day, not one per sweep).
CREATE FUNCTION ims_computed_months_since_management_review(p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE sql STABLE AS $$
SELECT (greatest(0, floor(extract(epoch FROM p_at - coalesce(
           (SELECT max(held_at) FROM reviews WHERE tenant_id = p_tenant AND held_at <= p_at),
           (SELECT created_at FROM tenants WHERE id = p_tenant))) / 86400)) / 30.436875)::double precision
$$;

-- Of the audits planned in the last 365 days up to p_at, the share (%) held by the end of
-- their planned day. NULL when none was due.
CREATE FUNCTION ims_computed_audit_programme_on_time_pct(p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE sql STABLE AS $$
SELECT CASE WHEN count(*) = 0 THEN NULL
            ELSE 100.0 * count(*) FILTER (WHERE held_at IS NOT NULL AND held_at <= p_at
                  AND held_at < date_trunc('day', planned_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                                + interval '1 day') / count(*) END
  FROM audits
 WHERE tenant_id = p_tenant AND planned_at <= p_at AND planned_at > p_at - interval '365 days'
$$;

-- Mean days from opening to closing of the nonconformities closed in the last 365 days.
CREATE FUNCTION ims_computed_nonconformity_closure_days(p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE sql STABLE AS $$
SELECT avg(extract(epoch FROM closed_at - opened_at) / 86400)::double precision
  FROM findings
 WHERE tenant_id = p_tenant AND type IN ('major_nc', 'minor_nc') AND status = 'closed'
   AND closed_at <= p_at AND closed_at > p_at - interval '365 days'
$$;

-- Of the critical processes (criticality 4 or 5), the share (%) whose continuity plan was
-- reviewed in the last 365 days. NULL without critical processes.
CREATE FUNCTION ims_computed_bia_coverage_pct(p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE sql STABLE AS $$
SELECT CASE WHEN count(*) = 0 THEN NULL
            ELSE 100.0 * count(*) FILTER (WHERE plan_reviewed_at <= p_at
                                            AND plan_reviewed_at > p_at - interval '365 days')
                 / count(*) END
  FROM processes WHERE tenant_id = p_tenant AND criticality >= 4
$$;

-- Of the critical processes, the share (%) exercised in the last 365 days.
CREATE FUNCTION ims_computed_bc_exercises_on_schedule_pct(p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE sql STABLE AS $$
SELECT CASE WHEN count(*) = 0 THEN NULL
            ELSE 100.0 * count(*) FILTER (WHERE EXISTS (
                     SELECT 1 FROM exercises e WHERE e.tenant_id = p.tenant_id
                        AND e.process_id = p.process_id AND e.at <= p_at
                        AND e.at > p_at - interval '365 days')) / count(*) END
  FROM processes p WHERE p.tenant_id = p_tenant AND p.criticality >= 4
$$;

-- Of the actions raised by risk treatments and due by p_at (not cancelled), the share (%)
-- done by their due date. NULL when none was due.
CREATE FUNCTION ims_computed_risk_treatment_on_time_pct(p_tenant uuid, p_at timestamptz)
    RETURNS double precision LANGUAGE sql STABLE AS $$
SELECT CASE WHEN count(*) = 0 THEN NULL
            ELSE 100.0 * count(*) FILTER (WHERE done_at IS NOT NULL AND done_at <= due) / count(*) END
  FROM actions
 WHERE tenant_id = p_tenant AND source_kind = 'treatment' AND status <> 'cancelled' AND due <= p_at
$$;

DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['overdue_actions', 'overdue_nonconformities',
                             'months_since_management_review', 'audit_programme_on_time_pct',
                             'nonconformity_closure_days', 'bia_coverage_pct',
                             'bc_exercises_on_schedule_pct', 'risk_treatment_on_time_pct'] LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION ims_computed_%s(uuid, timestamptz) FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION ims_computed_%s(uuid, timestamptz) TO ims_app', f);
    END LOOP;
END
$$;

INSERT INTO metrics (id, name, description, unit, aggregation, window_s, target, threshold, max_age_s) VALUES
('overdue_actions', 'Overdue actions', 'Corrective, preventive and improvement actions still open after their due date, computed by the server from its action tracker.', 'count', 'last', 86400, 0, 5, 172800),
('months_since_management_review', 'Time since the management review', 'Months since the latest management review was held, computed by the server from its reviews.', 'months', 'last', 86400, 12, 18, 2592000),
('audit_programme_on_time_pct', 'Audit programme on time', 'Share of the audits planned in the last 12 months that were held by their planned day, computed by the server from its audit programme.', '%', 'last', 86400, 100, 50, 2592000),
('nonconformity_closure_days', 'Nonconformity closure time', 'Mean days from raising to closing the nonconformities closed in the last 12 months, computed by the server from its findings.', 'days', 'last', 86400, 30, 120, 2592000);

INSERT INTO metric_controls (metric_id, control_id, weight) VALUES
('overdue_actions', '27001-10.2', 1), ('overdue_actions', '22301-10.1', 1),
('overdue_actions', '27001-10.1', 0.5),
('months_since_management_review', '27001-9.3', 1), ('months_since_management_review', '22301-9.3', 1),
('audit_programme_on_time_pct', '27001-9.2', 1), ('audit_programme_on_time_pct', '22301-9.2', 1),
('nonconformity_closure_days', '27001-10.2', 0.5), ('nonconformity_closure_days', '22301-10.1', 0.5);

INSERT INTO computed_metrics (metric_id, fn, triggers) VALUES
('overdue_actions', 'ims_computed_overdue_actions(uuid, timestamptz)', '{action,time}'),
('overdue_nonconformities', 'ims_computed_overdue_nonconformities(uuid, timestamptz)', '{action,finding,time}'),
('months_since_management_review', 'ims_computed_months_since_management_review(uuid, timestamptz)', '{review,time}'),
('audit_programme_on_time_pct', 'ims_computed_audit_programme_on_time_pct(uuid, timestamptz)', '{audit,time}'),
('nonconformity_closure_days', 'ims_computed_nonconformity_closure_days(uuid, timestamptz)', '{finding,time}'),
('bia_coverage_pct', 'ims_computed_bia_coverage_pct(uuid, timestamptz)', '{process,time}'),
('bc_exercises_on_schedule_pct', 'ims_computed_bc_exercises_on_schedule_pct(uuid, timestamptz)', '{process,exercise,time}'),
('risk_treatment_on_time_pct', 'ims_computed_risk_treatment_on_time_pct(uuid, timestamptz)', '{action,time}');

-- The new metrics join every schema version that has metrics (with the catalog's figures
-- and mapping), and every existing tenant.
INSERT INTO schema_metrics (schema_id, version, metric_id, enabled, aggregation, window_s, target,
                            threshold, max_age_s)
SELECT s.schema_id, s.version, m.id, true, m.aggregation, m.window_s, m.target, m.threshold, m.max_age_s
  FROM (SELECT DISTINCT schema_id, version FROM schema_metrics) s, metrics m
 WHERE m.id IN ('overdue_actions', 'months_since_management_review', 'audit_programme_on_time_pct',
                'nonconformity_closure_days')
ON CONFLICT DO NOTHING;
INSERT INTO schema_metric_controls (schema_id, version, metric_id, control_id, weight)
SELECT sm.schema_id, sm.version, mc.metric_id, mc.control_id, mc.weight
  FROM schema_metrics sm JOIN metric_controls mc ON mc.metric_id = sm.metric_id
 WHERE sm.metric_id IN ('overdue_actions', 'months_since_management_review',
                        'audit_programme_on_time_pct', 'nonconformity_closure_days')
ON CONFLICT DO NOTHING;

DO $$
DECLARE
    t uuid;
BEGIN
    PERFORM set_config('ims.all_tenants', 'on', true); /* every tenant row, then each one's */
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('ims.tenant_id', t::text, true);
        INSERT INTO tenant_metrics (tenant_id, metric_id, enabled, aggregation, window_s, target,
                                    threshold, max_age_s)
        SELECT t, m.id, true, m.aggregation, m.window_s, m.target, m.threshold, m.max_age_s
          FROM metrics m
         WHERE m.id IN ('overdue_actions', 'months_since_management_review',
                        'audit_programme_on_time_pct', 'nonconformity_closure_days')
        ON CONFLICT DO NOTHING;
        INSERT INTO tenant_metric_controls (tenant_id, metric_id, control_id, weight)
        SELECT t, mc.metric_id, mc.control_id, mc.weight
          FROM metric_controls mc JOIN tenant_controls tc ON tc.tenant_id = t AND tc.control_id = mc.control_id
         WHERE mc.metric_id IN ('overdue_actions', 'months_since_management_review',
                                'audit_programme_on_time_pct', 'nonconformity_closure_days')
        ON CONFLICT DO NOTHING;
    END LOOP;
    PERFORM set_config('ims.tenant_id', '', true);
    PERFORM set_config('ims.all_tenants', '', true);
END
$$;
