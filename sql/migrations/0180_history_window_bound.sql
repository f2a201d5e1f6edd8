-- History at scale (bench/README.md "Long history"): a tenant's window of samples read per
-- metric with the index instead of filtering every stored sample. 0175's
-- ims_tenant_snapshot_v1 (the latest definition; ims_tenant_snapshot wraps it through 0082
-- and 0155) evaluated, for every sample outside the window, the metric's newest time -- a
-- max(at) over every monthly partition -- so a tenant with a million samples took over a
-- minute to load and hit the 15 s statement timeout. Now each metric's window start and
-- newest time are found once (the newest with one backward index read) and its samples read
-- as one index range from the earlier of the two. Same samples, same order (time, then
-- arrival; rows equal in both, which the old order left to the plan, now by metric and
-- row as the streamed export pages them), same document. ims_tenant_export_samples (0177),
-- one page of a metric for the streamed export, gets the same bound and its page's key as
-- the start of an index range (below). The rest of ims_tenant_snapshot_v1 is unchanged.

CREATE OR REPLACE FUNCTION ims_tenant_snapshot_v1(p_tenant uuid, p_everything boolean) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
BEGIN
    RETURN (
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
), win AS (
    SELECT met.metric_id,
           now() - make_interval(secs => greatest(met.window_s, met.max_age_s)) AS since
      FROM met
), bound AS MATERIALIZED (
    -- Per metric, once: the window's start and, only when no sample is in the window, the
    -- newest sample's time (the index read backwards, one row); with a sample in the window
    -- the newest is in it too. Materialized: not evaluated again per sample.
    SELECT win.metric_id, win.since,
           CASE WHEN NOT p_everything AND NOT EXISTS (
                    SELECT 1 FROM metric_samples s3
                     WHERE s3.tenant_id = p_tenant AND s3.metric_id = win.metric_id
                       AND s3.at >= win.since)
                THEN (SELECT s2.at FROM metric_samples s2
                       WHERE s2.tenant_id = p_tenant AND s2.metric_id = win.metric_id
                       ORDER BY s2.at DESC LIMIT 1) END AS newest
      FROM win
), smp AS (
    -- Per metric, an index range from the earlier of the two (everything when p_everything);
    -- OFFSET 0 keeps the subquery a parameterised scan per metric rather than a join.
    SELECT s.metric_id, s.at, s.value,
           row_number() OVER (ORDER BY s.at, s.received_at, s.metric_id, s.ctid) AS n
      FROM bound b
      CROSS JOIN LATERAL (
          SELECT s1.metric_id, s1.at, s1.value, s1.received_at, s1.ctid
            FROM metric_samples s1
           WHERE s1.tenant_id = p_tenant AND s1.metric_id = b.metric_id
             AND s1.at >= CASE WHEN p_everything THEN '-infinity'::timestamptz
                               ELSE least(b.since, b.newest) END
          OFFSET 0) s
     WHERE p_everything OR s.at >= b.since OR s.at = b.newest
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
);
END
$$;


-- 0177's page of a metric. Its plan walked the metric's samples from the first one on every
-- page (neither the window's bound nor the page's key was an index condition: the key's
-- test was "no key, or after it"), so a metric's export cost grew with the square of its
-- samples. Now the bound is worked out first -- the window's start and the newest sample,
-- once per page, and the page's key -- and the samples read as an index range from there.
-- Same rows, same order.
CREATE OR REPLACE FUNCTION ims_tenant_export_samples(p_tenant uuid, p_metric text,
                                                     p_until timestamptz, p_all boolean,
                                                     p_at timestamptz, p_received timestamptz,
                                                     p_row tid, p_limit int)
    RETURNS TABLE (at_text text, value_text text, at timestamptz, received_at timestamptz,
                   row_id tid)
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v_since  timestamptz;
    v_newest timestamptz;
    v_from   timestamptz := coalesce(p_at, '-infinity');
BEGIN
    SELECT now() - make_interval(secs => greatest(m.window_s, m.max_age_s)) INTO v_since
      FROM tenant_metrics m
     WHERE m.tenant_id = p_tenant AND m.metric_id = p_metric;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF NOT p_all THEN
        SELECT s2.at INTO v_newest FROM metric_samples s2
         WHERE s2.tenant_id = p_tenant AND s2.metric_id = p_metric
         ORDER BY s2.at DESC LIMIT 1;
        v_from := greatest(v_from, least(v_since, v_newest));
    END IF;
    RETURN QUERY
    SELECT ims_rfc3339(s.at), s.value::text, s.at, s.received_at, s.ctid
      FROM metric_samples s
     WHERE s.tenant_id = p_tenant AND s.metric_id = p_metric AND s.at >= v_from
       AND s.received_at <= p_until
       AND (p_at IS NULL OR (s.at, s.received_at, s.ctid) > (p_at, p_received, p_row))
       AND (p_all OR s.at >= v_since OR s.at = v_newest)
     ORDER BY s.at, s.received_at, s.ctid
     LIMIT p_limit;
END
$$;
