-- Findings in a snapshot ordered by the second they were opened, then by id: a snapshot
-- carries times to the second, so an imported finding comes back with its opening second,
-- and two findings opened within one second were written in one order (by microseconds)
-- and read back in another (by id). Export -> import -> export is exact for them now.
CREATE OR REPLACE FUNCTION ims_tenant_snapshot_v1(p_tenant uuid, p_everything boolean, p_samples boolean)
    RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    v_samples json := '[]';
BEGIN
    -- A statement of its own, planned and run only when the samples are asked for (a
    -- STABLE function's statements all read the calling query's snapshot).
    IF p_samples THEN
        v_samples := (SELECT coalesce(json_agg(json_build_object(
                               'metric', w.metric_id, 'at', ims_rfc3339(w.at), 'value', w.value)
                               ORDER BY w.at, w.received_at, w.metric_id, w.row_id), '[]')
                      FROM ims_tenant_window_samples(p_tenant, p_everything) w);
    END IF;
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
    'samples', v_samples,
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
                     'open', f.status = 'open') ORDER BY date_trunc('second', f.opened_at), f.finding_id), '[]')
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
