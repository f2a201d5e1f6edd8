-- What happens to a tenant: incidents, audit findings and their corrective actions, metric
-- samples (range-partitioned by time), and the history of its security level. Also the
-- revision bump every change commits with, and the snapshot the daemon loads a tenant from.

CREATE TABLE incidents (
    tenant_id           uuid NOT NULL REFERENCES tenants (id),
    incident_id         text NOT NULL,
    status              text NOT NULL CHECK (status IN ('open', 'contained', 'resolved', 'closed')),
    severity            smallint NOT NULL CHECK (severity BETWEEN 1 AND 5),
    threat_id           text,
    controls            text[] NOT NULL DEFAULT '{}',
    assets              text[] NOT NULL DEFAULT '{}',
    processes           text[] NOT NULL DEFAULT '{}',
    detected_at         timestamptz NOT NULL,
    resolved_at         timestamptz,
    disruption_minutes  bigint NOT NULL DEFAULT 0 CHECK (disruption_minutes >= 0),
    description         text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, incident_id),
    CHECK (resolved_at IS NULL OR resolved_at >= detected_at),
    CHECK ((status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL))
);

CREATE TABLE findings (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    finding_id   text NOT NULL,
    type         text NOT NULL CHECK (type IN ('major_nc', 'minor_nc', 'observation', 'opportunity')),
    controls     text[] NOT NULL DEFAULT '{}',
    audit        text NOT NULL DEFAULT '',
    description  text NOT NULL DEFAULT '',
    status       text NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at    timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz,
    PRIMARY KEY (tenant_id, finding_id),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);

CREATE TABLE corrective_actions (
    tenant_id    uuid NOT NULL,
    action_id    text NOT NULL,
    finding_id   text NOT NULL,
    description  text NOT NULL,
    owner        text NOT NULL,
    due          timestamptz NOT NULL,
    status       text NOT NULL CHECK (status IN ('open', 'done', 'verified')),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, action_id),
    FOREIGN KEY (tenant_id, finding_id) REFERENCES findings (tenant_id, finding_id)
);

-- Samples: no primary key (a partitioned table's key must hold the partition key, and
-- samples may repeat a time); retried batches are recognised by their idempotency key.
CREATE TABLE metric_samples (
    tenant_id    uuid NOT NULL,
    metric_id    text NOT NULL,
    at           timestamptz NOT NULL,
    value        double precision NOT NULL CHECK (value = value AND value <> 'Infinity'::float8
                                                  AND value <> '-Infinity'::float8),
    received_at  timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (at);
CREATE INDEX metric_samples_lookup ON metric_samples (tenant_id, metric_id, at);

CREATE TABLE level_history (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    revision        bigint NOT NULL,
    at              timestamptz NOT NULL,
    security_level  double precision NOT NULL,
    maturity        smallint NOT NULL,
    cause           text NOT NULL,
    PRIMARY KEY (tenant_id, revision)
);
CREATE INDEX level_history_at ON level_history (tenant_id, at);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['incidents', 'findings', 'corrective_actions', 'metric_samples',
                             'level_history'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = ims_current_tenant()) '
                       'WITH CHECK (tenant_id = ims_current_tenant())', t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE ON incidents, findings, corrective_actions TO ims_app;
GRANT SELECT, INSERT ON metric_samples, level_history TO ims_app;

-- Monthly partitions; ims_sample_partitions() keeps the next ones ready and drops those
-- wholly older than the retention. Anything outside lands in the default partition.
CREATE TABLE metric_samples_default PARTITION OF metric_samples DEFAULT;

CREATE FUNCTION ims_sample_partitions(p_retention_days int, p_months_ahead int DEFAULT 3)
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
SELECT * FROM ims_sample_partitions(400, 3);
-- The daemon keeps partitions and retention without owning the table: this one function
-- runs with the owner's rights, and does nothing else.
REVOKE EXECUTE ON FUNCTION ims_sample_partitions(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_sample_partitions(int, int) TO ims_app;

-- The revision bump every change commits with: fails with serialization_failure when the
-- tenant moved on since the daemon read it (another daemon wrote first), so the change
-- rolls back whole and is applied again on the fresh state.
CREATE FUNCTION ims_commit_level(p_tenant uuid, p_expected bigint, p_level double precision,
                                 p_maturity int, p_cause text)
    RETURNS TABLE (revision bigint, at text) LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    r  bigint;
    t  timestamptz := now();
BEGIN
    UPDATE tenants SET revision = tenants.revision + 1, security_level = p_level,
                       maturity = p_maturity
     WHERE id = p_tenant AND tenants.revision = p_expected
    RETURNING tenants.revision INTO r;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant % changed underneath (expected revision %)', p_tenant, p_expected
            USING ERRCODE = '40001';
    END IF;
    INSERT INTO level_history (tenant_id, revision, at, security_level, maturity, cause)
    VALUES (p_tenant, r, t, p_level, p_maturity, p_cause);
    -- Other daemons forward this to their watchers in commit order, then reload lazily.
    PERFORM pg_notify('ims_tenant', concat_ws(':', p_tenant::text, r::text, p_level::text,
                                              p_maturity::text, extract(epoch FROM t)::bigint::text,
                                              p_cause));
    revision := r;
    at := to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    RETURN NEXT;
END
$$;
REVOKE EXECUTE ON FUNCTION ims_commit_level(uuid, bigint, double precision, int, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_commit_level(uuid, bigint, double precision, int, text) TO ims_app;

CREATE FUNCTION ims_rfc3339(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;
GRANT EXECUTE ON FUNCTION ims_rfc3339(timestamptz) TO ims_app;

-- The tenant as a snapshot document (SECURITY-LEVEL.md section 11). With p_everything
-- false, samples are limited to what an evaluation from now on can use: those in the
-- larger of each metric's window and maximum age, and each metric's latest.
CREATE FUNCTION ims_tenant_snapshot(p_tenant uuid, p_everything boolean) RETURNS json
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
WITH p AS (
    SELECT * FROM tenant_params WHERE tenant_id = p_tenant
), fw AS (
    SELECT f.id, f.system_id FROM frameworks f, p
     WHERE f.id = ANY (p.frameworks) AND f.system_id = ANY (p.systems)
), ctl AS (
    SELECT tc.control_id, c.framework_id, c.domain_id, tc.weight, tc.applicable
      FROM tenant_controls tc JOIN controls c ON c.id = tc.control_id
      JOIN fw ON fw.id = c.framework_id
     WHERE tc.tenant_id = p_tenant
), sub AS (
    SELECT ts.subcontrol_id, s.level, ts.weight, ts.effort, ts.answer, ts.applicable,
           array_agg(sc.control_id ORDER BY sc.control_id) AS controls
      FROM tenant_subcontrols ts JOIN subcontrols s ON s.id = ts.subcontrol_id
      JOIN subcontrol_controls sc ON sc.subcontrol_id = ts.subcontrol_id
      JOIN ctl ON ctl.control_id = sc.control_id
     WHERE ts.tenant_id = p_tenant
     GROUP BY ts.subcontrol_id, s.level, ts.weight, ts.effort, ts.answer, ts.applicable
), met AS (
    SELECT m.* FROM tenant_metrics m WHERE m.tenant_id = p_tenant AND m.enabled
), smp AS (
    SELECT s.metric_id, s.at, s.value, row_number() OVER (ORDER BY s.at, s.received_at) AS n
      FROM metric_samples s JOIN met ON met.metric_id = s.metric_id
     WHERE s.tenant_id = p_tenant
       AND (p_everything
            OR s.at >= now() - make_interval(secs => greatest(met.window_s, met.max_age_s))
            OR s.at = (SELECT max(s2.at) FROM metric_samples s2
                        WHERE s2.tenant_id = p_tenant AND s2.metric_id = s.metric_id))
), thr AS (
    SELECT * FROM tenant_threats WHERE tenant_id = p_tenant
), ast AS (
    SELECT * FROM assets WHERE tenant_id = p_tenant
), prc AS (
    SELECT * FROM processes WHERE tenant_id = p_tenant
)
SELECT json_build_object(
    'format', 'ims-snapshot/1',
    'params', (SELECT json_build_object(
        'beta', beta, 'gamma', gamma, 'half_life_days', half_life_days,
        'cap_major_nc', cap_major_nc, 'cap_minor_nc', cap_minor_nc, 'theta', theta,
        'beta_risk', beta_risk, 'beta_bcms', beta_bcms,
        'likelihood_window_days', likelihood_window_days,
        'review_window_days', review_window_days, 'appetite', appetite,
        'system_weights', json_build_object('ISMS', weight_isms, 'BCMS', weight_bcms,
                                            'RMS', weight_rms)) FROM p),
    'systems', (SELECT coalesce(json_agg(x ORDER BY x), '[]') FROM p, unnest(p.systems) x),
    'frameworks', (SELECT coalesce(json_agg(json_build_object('id', id, 'system', system_id)
                                            ORDER BY id), '[]') FROM fw),
    'controls', (SELECT coalesce(json_agg(json_build_object(
                     'id', control_id, 'framework', framework_id, 'domain', domain_id,
                     'weight', weight, 'applicable', applicable) ORDER BY control_id), '[]')
                   FROM ctl),
    'subcontrols', (SELECT coalesce(json_agg(json_build_object(
                        'id', subcontrol_id, 'controls', controls, 'level', level,
                        'weight', weight, 'effort', effort, 'answer', answer,
                        'applicable', applicable) ORDER BY subcontrol_id), '[]') FROM sub),
    'metrics', (SELECT coalesce(json_agg(json_build_object(
                    'id', met.metric_id, 'target', target, 'threshold', threshold,
                    'aggregation', aggregation, 'window', window_s, 'max_age', max_age_s,
                    'controls', (SELECT coalesce(json_agg(json_build_object(
                                     'control', mc.control_id, 'weight', mc.weight)
                                     ORDER BY mc.control_id), '[]')
                                   FROM tenant_metric_controls mc JOIN ctl
                                     ON ctl.control_id = mc.control_id
                                  WHERE mc.tenant_id = p_tenant AND mc.metric_id = met.metric_id))
                    ORDER BY met.metric_id), '[]') FROM met),
    'samples', (SELECT coalesce(json_agg(json_build_object(
                    'metric', metric_id, 'at', ims_rfc3339(at), 'value', value) ORDER BY n),
                    '[]') FROM smp),
    'incidents', (SELECT coalesce(json_agg(json_build_object(
                      'id', i.incident_id, 'severity', i.severity,
                      'threat', (SELECT thr.threat_id FROM thr WHERE thr.threat_id = i.threat_id),
                      'controls', (SELECT coalesce(json_agg(c ORDER BY c), '[]')
                                     FROM unnest(i.controls) c
                                    WHERE c IN (SELECT control_id FROM ctl)),
                      'assets', (SELECT coalesce(json_agg(x ORDER BY x), '[]')
                                   FROM unnest(i.assets) x
                                  WHERE x IN (SELECT asset_id FROM ast)),
                      'processes', (SELECT coalesce(json_agg(x ORDER BY x), '[]')
                                      FROM unnest(i.processes) x
                                     WHERE x IN (SELECT process_id FROM prc)),
                      'opened_at', ims_rfc3339(i.detected_at),
                      'resolved_at', ims_rfc3339(i.resolved_at),
                      'disruption_minutes', i.disruption_minutes)
                      ORDER BY i.created_at, i.incident_id), '[]')
                    FROM incidents i WHERE i.tenant_id = p_tenant),
    'findings', (SELECT coalesce(json_agg(json_build_object(
                     'id', f.finding_id, 'type', f.type,
                     'controls', (SELECT coalesce(json_agg(c ORDER BY c), '[]')
                                    FROM unnest(f.controls) c
                                   WHERE c IN (SELECT control_id FROM ctl)),
                     'open', f.status = 'open') ORDER BY f.opened_at, f.finding_id), '[]')
                   FROM findings f WHERE f.tenant_id = p_tenant),
    'threats', (SELECT coalesce(json_agg(json_build_object(
                    'id', threat_id, 'likelihood', likelihood,
                    'dimensions', (SELECT json_agg(d) FROM regexp_split_to_table(dimensions, '') d))
                    ORDER BY threat_id), '[]') FROM thr),
    'asset_types', (SELECT coalesce(json_agg(json_build_object(
                        'id', at.id,
                        'threats', (SELECT coalesce(json_agg(json_build_object(
                                        'threat', t.threat_id, 'degradation', t.degradation)
                                        ORDER BY t.threat_id), '[]')
                                      FROM tenant_asset_type_threats t
                                     WHERE t.tenant_id = p_tenant AND t.asset_type_id = at.id))
                        ORDER BY at.id), '[]') FROM asset_types at),
    'assets', (SELECT coalesce(json_agg(json_build_object(
                   'id', asset_id, 'type', type, 'C', c, 'I', i, 'A', a) ORDER BY asset_id), '[]')
                 FROM ast),
    'mitigations', (SELECT coalesce(json_agg(json_build_object(
                        'threat', m.threat_id, 'control', m.control_id,
                        'effectiveness', m.effectiveness) ORDER BY m.threat_id, m.control_id), '[]')
                      FROM tenant_mitigations m JOIN ctl ON ctl.control_id = m.control_id
                     WHERE m.tenant_id = p_tenant),
    'processes', (SELECT coalesce(json_agg(json_build_object(
                      'id', process_id, 'criticality', criticality, 'mtpd_min', mtpd_min,
                      'rto_min', rto_min, 'rpo_min', rpo_min,
                      'plan_reviewed_at', ims_rfc3339(plan_reviewed_at),
                      'exercises', (SELECT coalesce(json_agg(json_build_object(
                                        'at', ims_rfc3339(e.at), 'recovery_min', e.recovery_min)
                                        ORDER BY e.at, e.seq), '[]')
                                      FROM exercises e
                                     WHERE e.tenant_id = p_tenant AND e.process_id = prc.process_id))
                      ORDER BY process_id), '[]') FROM prc))
$$;
REVOKE EXECUTE ON FUNCTION ims_tenant_snapshot(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_tenant_snapshot(uuid, boolean) TO ims_app;
