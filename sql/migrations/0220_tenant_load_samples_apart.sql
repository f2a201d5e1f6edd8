-- A tenant's load with its samples beside the document (bench/README.md "A tenant's load with
-- its samples apart"). The load's document (ims_tenant_snapshot with p_everything false)
-- carried the window's samples as JSON objects, one per sample: for a tenant with a long
-- window most of the statement's time went into building them, converting the whole
-- document to jsonb and back (ims_tenant_snapshot_v2_computed), and, in the daemon, into a
-- JSON tree of them as large as the rest of the state. The export's head made the same
-- samples only to replace them with an empty array.
--
-- ims_tenant_window_samples: a tenant's samples as the document lists them (0180's window
-- per metric, or every sample), with what orders them in the document (time, arrival,
-- metric, row). Plain SQL with qualified names and no settings, so that it is inlined into
-- its callers' queries and planned with their tenant (a function planned apart would not
-- know whose rows it reads). The three layers of ims_tenant_snapshot take p_samples: false
-- leaves "samples" empty without reading them (nor planning their query). The two-argument ims_tenant_snapshot stays
-- for its callers (import, rebase, the export and snapshot statements) as the
-- three-argument one with p_samples true: the same documents as before.
-- ims_tenant_load_samples: the window's samples for the load, as lists grouped by metric
-- (metric ids as a JSON array, in order; how many samples each; their times in seconds
-- since 1970, truncated as the document's times are, and their values, each list as the
-- text of an array), read in the load's statement so that the document and the samples
-- come from one snapshot.

CREATE FUNCTION ims_tenant_window_samples(p_tenant uuid, p_everything boolean)
    RETURNS TABLE (metric_id text, at timestamptz, value double precision,
                   received_at timestamptz, row_id tid)
    LANGUAGE sql STABLE AS $$
WITH met AS (
    SELECT m.metric_id, m.window_s, m.max_age_s FROM public.tenant_metrics m
     WHERE m.tenant_id = p_tenant AND m.enabled
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
                    SELECT 1 FROM public.metric_samples s3
                     WHERE s3.tenant_id = p_tenant AND s3.metric_id = win.metric_id
                       AND s3.at >= win.since)
                THEN (SELECT s2.at FROM public.metric_samples s2
                       WHERE s2.tenant_id = p_tenant AND s2.metric_id = win.metric_id
                       ORDER BY s2.at DESC LIMIT 1) END AS newest
      FROM win
), smp AS (
    -- Per metric, an index range from the earlier of the two (everything when p_everything);
    -- OFFSET 0 keeps the subquery a parameterised scan per metric rather than a join.
    SELECT s.metric_id, s.at, s.value, s.received_at, s.ctid AS row_id
      FROM bound b
      CROSS JOIN LATERAL (
          SELECT s1.metric_id, s1.at, s1.value, s1.received_at, s1.ctid
            FROM public.metric_samples s1
           WHERE s1.tenant_id = p_tenant AND s1.metric_id = b.metric_id
             AND s1.at >= CASE WHEN p_everything THEN '-infinity'::timestamptz
                               ELSE least(b.since, b.newest) END
          OFFSET 0) s
     WHERE p_everything OR s.at >= b.since OR s.at = b.newest
)
SELECT smp.metric_id, smp.at, smp.value, smp.received_at, smp.row_id FROM smp
$$;

DROP FUNCTION ims_tenant_snapshot_v1(uuid, boolean);
CREATE FUNCTION ims_tenant_snapshot_v1(p_tenant uuid, p_everything boolean, p_samples boolean)
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

DROP FUNCTION ims_tenant_snapshot_v2_computed(uuid, boolean);
CREATE FUNCTION ims_tenant_snapshot_v2_computed(p_tenant uuid, p_everything boolean,
                                                p_samples boolean) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    doc      jsonb := ims_tenant_snapshot_v1(p_tenant, p_everything, p_samples)::jsonb;
    p        tenant_params;
    computed text[] := '{}';
BEGIN
    SELECT * INTO p FROM tenant_params WHERE tenant_id = p_tenant;
    doc := jsonb_set(doc, '{params,system_weights,SMS}', to_jsonb(p.weight_sms));
    doc := jsonb_set(doc, '{params,evidence_weight}', to_jsonb(p.evidence_weight));
    IF to_regclass('computed_metrics') IS NOT NULL THEN
        EXECUTE 'SELECT coalesce(array_agg(metric_id::text), ''{}'') FROM computed_metrics'
           INTO computed;
    END IF;
    IF cardinality(computed) > 0 THEN
        doc := jsonb_set(doc, '{metrics}', (
            SELECT coalesce(jsonb_agg(CASE WHEN m ->> 'id' = ANY (computed)
                                           THEN m || '{"source": "computed"}' ELSE m END
                                      ORDER BY o), '[]')
              FROM jsonb_array_elements(doc -> 'metrics') WITH ORDINALITY AS t(m, o)));
    END IF;
    RETURN (doc || jsonb_build_object(
        'format', 'ims-snapshot/2',
        'artefacts', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                          'id', ta.artefact_id,
                          'controls', CASE WHEN ta.required THEN
                              (SELECT coalesce(jsonb_agg(ac.control_id ORDER BY ac.control_id), '[]')
                                 FROM artefact_controls ac
                                WHERE ac.artefact_id = ta.artefact_id
                                  AND ac.control_id IN (SELECT ims_snapshot_controls(p_tenant)))
                              ELSE '[]' END,
                          'status', ta.status,
                          'review_due', ims_rfc3339(ta.review_due)) ORDER BY ta.artefact_id), '[]')
                        FROM tenant_artefacts ta WHERE ta.tenant_id = p_tenant),
        'treatments', (SELECT coalesce(jsonb_agg(
                           jsonb_build_object('asset', rt.asset_id, 'threat', rt.threat_id,
                                              'decision', rt.option)
                           || CASE WHEN rt.option = 'transfer'
                                   THEN jsonb_build_object('share', coalesce(rt.share, 0.5))
                                   ELSE '{}' END
                           ORDER BY rt.asset_id, rt.threat_id), '[]')
                         FROM risk_treatments rt WHERE rt.tenant_id = p_tenant),
        'records', CASE WHEN p_everything THEN ims_tenant_records(p_tenant) ELSE '{}' END))::json;
END
$$;

CREATE FUNCTION ims_tenant_snapshot(p_tenant uuid, p_everything boolean, p_samples boolean)
    RETURNS json
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    doc jsonb;
    p   tenant_params;
BEGIN
    SELECT * INTO p FROM tenant_params WHERE tenant_id = p_tenant;
    IF p.schema_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM schema_subcontrol_overrides o
             WHERE o.schema_id = p.schema_id AND o.version = p.schema_version) THEN
        RETURN ims_tenant_snapshot_v2_computed(p_tenant, p_everything, p_samples);
    END IF;
    doc := ims_tenant_snapshot_v2_computed(p_tenant, p_everything, p_samples)::jsonb;
    RETURN jsonb_set(doc, '{subcontrols}', (
        SELECT coalesce(jsonb_agg(x ORDER BY o), '[]') FROM (
            SELECT t.o, CASE WHEN ov.subcontrol_id IS NULL THEN t.e
                             ELSE t.e || jsonb_build_object(
                                 'level', ov.level,
                                 'controls', (SELECT coalesce(jsonb_agg(c ORDER BY c), '[]')
                                                FROM unnest(ov.controls) c
                                               WHERE c IN (SELECT k ->> 'id'
                                                             FROM jsonb_array_elements(doc -> 'controls') k)))
                        END AS x
              FROM jsonb_array_elements(doc -> 'subcontrols') WITH ORDINALITY t(e, o)
              LEFT JOIN schema_subcontrol_overrides ov
                ON ov.schema_id = p.schema_id AND ov.version = p.schema_version
               AND ov.subcontrol_id = t.e ->> 'id') y
         WHERE jsonb_array_length(x -> 'controls') > 0))::json;
END
$$;

CREATE OR REPLACE FUNCTION ims_tenant_snapshot(p_tenant uuid, p_everything boolean) RETURNS json
    LANGUAGE sql STABLE SET search_path = public, pg_temp
    AS $$ SELECT ims_tenant_snapshot(p_tenant, p_everything, true) $$;

CREATE FUNCTION ims_tenant_load_samples(p_tenant uuid)
    RETURNS TABLE (metrics json, counts int[], ats text, vals text)
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    -- Each metric's samples in the document's order (time, arrival, row), sorted within
    -- the metric; the metrics' lists then joined in the order of their ids.
    RETURN QUERY
    WITH m AS (
        SELECT w.metric_id, count(*)::int AS c,
               array_agg(floor(date_part('epoch', w.at))::bigint
                         ORDER BY w.at, w.received_at, w.row_id) AS ats,
               array_agg(w.value ORDER BY w.at, w.received_at, w.row_id) AS vals
          FROM ims_tenant_window_samples(p_tenant, false) w
         GROUP BY w.metric_id
    )
    SELECT coalesce(json_agg(m.metric_id ORDER BY m.metric_id), '[]'),
           coalesce(array_agg(m.c ORDER BY m.metric_id), '{}'),
           '{' || coalesce(string_agg(btrim(m.ats::text, '{}'), ',' ORDER BY m.metric_id), '')
               || '}',
           '{' || coalesce(string_agg(btrim(m.vals::text, '{}'), ',' ORDER BY m.metric_id), '')
               || '}'
      FROM m;
END
$$;

-- The export's head: the document without samples, no longer made with them first.
CREATE OR REPLACE FUNCTION ims_tenant_export_head(p_tenant uuid) RETURNS json
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    doc jsonb := ims_tenant_snapshot(p_tenant, false, false)::jsonb;
BEGIN
    IF doc IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN jsonb_set(doc, '{records}', ims_tenant_records(p_tenant))::json;
END
$$;

REVOKE EXECUTE ON FUNCTION ims_tenant_window_samples(uuid, boolean),
    ims_tenant_snapshot_v1(uuid, boolean, boolean),
    ims_tenant_snapshot_v2_computed(uuid, boolean, boolean),
    ims_tenant_snapshot(uuid, boolean, boolean), ims_tenant_load_samples(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_tenant_window_samples(uuid, boolean),
    ims_tenant_snapshot_v1(uuid, boolean, boolean),
    ims_tenant_snapshot_v2_computed(uuid, boolean, boolean),
    ims_tenant_snapshot(uuid, boolean, boolean), ims_tenant_load_samples(uuid) TO ims_app;
