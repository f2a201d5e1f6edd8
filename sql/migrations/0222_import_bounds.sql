-- Imports of tenants whose schema version changes sub-controls, and bounds on what an
-- import stores:
-- * a sub-control's level and controls are checked against the tenant's schema version
--   (ims_schema_subcontrol: the catalog's, or the version's override), as an export of such
--   a tenant writes them; before, the catalog's alone refused that export back;
-- * a metric's window and max_age are at most 100 years (3,155,760,000 s): a longer one
--   made every later read of the tenant's window fail ("timestamp out of range");
-- * a sample at most 300 s in the future, as PushMetrics takes (one further ahead would
--   sit in the default partition, where the month's partition could not be made).
-- The same bounds hold for rows written otherwise, from now on.
ALTER TABLE tenant_metrics ADD CONSTRAINT tenant_metrics_window_bounded
    CHECK (window_s <= 3155760000 AND max_age_s <= 3155760000) NOT VALID;

CREATE OR REPLACE FUNCTION ims_import_tenant_v1(p_tenant uuid, p_doc jsonb)
    RETURNS bigint LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    n      bigint := 0;
    prm    jsonb := coalesce(p_doc -> 'params', '{}');
    sw     jsonb := coalesce(p_doc -> 'params' -> 'system_weights', '{}');
    x      jsonb;
    y      jsonb;
    i      bigint;
    j      bigint;
    path   text;
    cat    text[];
    mine   text[];
    lvl    int;
    sub    record;
    sch    text;
    ver    int;
    excluded constant text := 'Excluded in the imported snapshot';
BEGIN
    IF p_tenant IS NULL OR p_tenant IS DISTINCT FROM ims_current_tenant() THEN
        RAISE EXCEPTION 'ims_import_tenant: ims.tenant_id must be set to tenant %', p_tenant
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_doc ->> 'format' IS DISTINCT FROM 'ims-snapshot/1' THEN
        PERFORM ims_import_fail('$.format', 'must be "ims-snapshot/1"');
    END IF;

    SELECT t.schema_id, t.schema_version INTO sch, ver FROM tenants t WHERE t.id = p_tenant;

    -- The generated content goes; the document's takes its place.
    DELETE FROM exercises WHERE tenant_id = p_tenant;
    DELETE FROM processes WHERE tenant_id = p_tenant;
    DELETE FROM assets WHERE tenant_id = p_tenant;
    DELETE FROM tenant_metric_controls WHERE tenant_id = p_tenant;
    DELETE FROM tenant_metrics WHERE tenant_id = p_tenant;
    DELETE FROM tenant_mitigations WHERE tenant_id = p_tenant;
    DELETE FROM tenant_asset_type_threats WHERE tenant_id = p_tenant;
    DELETE FROM tenant_threats WHERE tenant_id = p_tenant;
    DELETE FROM tenant_subcontrols WHERE tenant_id = p_tenant;
    DELETE FROM tenant_controls WHERE tenant_id = p_tenant;

    -- Systems, frameworks and parameters.
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'frameworks', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.frameworks[%s]', i);
        IF NOT EXISTS (SELECT 1 FROM frameworks f WHERE f.id = x ->> 'id') THEN
            PERFORM ims_import_fail(path || '.id', format('unknown framework "%s"', x ->> 'id'));
        END IF;
        IF NOT EXISTS (SELECT 1 FROM frameworks f WHERE f.id = x ->> 'id'
                          AND f.system_id = x ->> 'system') THEN
            PERFORM ims_import_fail(path || '.system',
                                    format('framework "%s" belongs to another system', x ->> 'id'));
        END IF;
    END LOOP;
    UPDATE tenant_params SET
        systems = ARRAY(SELECT jsonb_array_elements_text(coalesce(p_doc -> 'systems', '[]'))
                         ORDER BY 1),
        frameworks = ARRAY(SELECT e ->> 'id' FROM jsonb_array_elements(
                               coalesce(p_doc -> 'frameworks', '[]')) e ORDER BY 1),
        weight_isms = coalesce((sw ->> 'ISMS')::float8, 0.5),
        weight_bcms = coalesce((sw ->> 'BCMS')::float8, 0.25),
        weight_rms = coalesce((sw ->> 'RMS')::float8, 0.25),
        beta = coalesce((prm ->> 'beta')::float8, 0.5),
        gamma = coalesce((prm ->> 'gamma')::float8, 0.5),
        half_life_days = coalesce((prm ->> 'half_life_days')::float8, 30),
        cap_major_nc = coalesce((prm ->> 'cap_major_nc')::float8, 0.25),
        cap_minor_nc = coalesce((prm ->> 'cap_minor_nc')::float8, 0.75),
        theta = coalesce((prm ->> 'theta')::float8, 0.8),
        beta_risk = coalesce((prm ->> 'beta_risk')::float8, 0.5),
        beta_bcms = coalesce((prm ->> 'beta_bcms')::float8, 0.5),
        likelihood_window_days = coalesce((prm ->> 'likelihood_window_days')::float8, 365),
        review_window_days = coalesce((prm ->> 'review_window_days')::float8, 365),
        appetite = ims_import_int(coalesce(prm -> 'appetite', '2'), '$.params.appetite', 1, 5),
        updated_at = now()
     WHERE tenant_id = p_tenant;
    n := n + 1;

    -- Controls: catalog controls of the framework the document names.
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'controls', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.controls[%s]', i);
        IF NOT EXISTS (SELECT 1 FROM controls c WHERE c.id = x ->> 'id') THEN
            PERFORM ims_import_fail(path || '.id', format('unknown control "%s"', x ->> 'id'));
        END IF;
        IF NOT EXISTS (SELECT 1 FROM controls c WHERE c.id = x ->> 'id'
                          AND c.framework_id = x ->> 'framework') THEN
            PERFORM ims_import_fail(path || '.framework',
                                    format('control "%s" is not part of "%s"', x ->> 'id',
                                           x ->> 'framework'));
        END IF;
        IF coalesce(x ->> 'domain', '') <> '' AND NOT EXISTS (
               SELECT 1 FROM controls c WHERE c.id = x ->> 'id' AND c.domain_id = x ->> 'domain') THEN
            PERFORM ims_import_fail(path || '.domain',
                                    format('control "%s" is not in domain "%s"', x ->> 'id',
                                           x ->> 'domain'));
        END IF;
        INSERT INTO tenant_controls (tenant_id, control_id, applicable, justification, weight)
        VALUES (p_tenant, x ->> 'id', coalesce((x ->> 'applicable')::boolean, true),
                CASE WHEN coalesce((x ->> 'applicable')::boolean, true) THEN NULL ELSE excluded END,
                coalesce((x ->> 'weight')::float8, 1));
        n := n + 1;
    END LOOP;

    -- Sub-controls: their level and controls must be those the tenant's schema version
    -- gives the sub-control (the catalog's, or the version's override: what an export
    -- writes), its controls among those the document holds.
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'subcontrols', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.subcontrols[%s]', i);
        SELECT * INTO sub FROM ims_schema_subcontrol(sch, ver, x ->> 'id');
        IF NOT FOUND THEN
            PERFORM ims_import_fail(path || '.id', format('unknown sub-control "%s"', x ->> 'id'));
        END IF;
        lvl := sub.level;
        IF (x ->> 'level')::int <> lvl THEN
            PERFORM ims_import_fail(path || '.level',
                                    format('sub-control "%s" has level %s in schema %s version %s',
                                           x ->> 'id', lvl, sch, ver));
        END IF;
        cat := ARRAY(SELECT c FROM unnest(sub.controls) c
                       JOIN tenant_controls tc ON tc.tenant_id = p_tenant AND tc.control_id = c
                      ORDER BY 1);
        mine := ARRAY(SELECT jsonb_array_elements_text(x -> 'controls') ORDER BY 1);
        IF cat IS DISTINCT FROM mine THEN
            PERFORM ims_import_fail(path || '.controls',
                                    format('sub-control "%s" belongs to %s in schema %s version %s',
                                           x ->> 'id', array_to_string(cat, ', '), sch, ver));
        END IF;
        INSERT INTO tenant_subcontrols (tenant_id, subcontrol_id, applicable, justification,
                                        weight, effort, answer, answered_by, answered_at)
        VALUES (p_tenant, x ->> 'id', coalesce((x ->> 'applicable')::boolean, true),
                CASE WHEN coalesce((x ->> 'applicable')::boolean, true) THEN NULL ELSE excluded END,
                coalesce((x ->> 'weight')::float8, 1),
                CASE WHEN x -> 'effort' IS NULL OR (x ->> 'effort')::float8 = 0 THEN lvl
                     ELSE ims_import_int(x -> 'effort', path || '.effort', 1, 5) END,
                x ->> 'answer',
                CASE WHEN x ->> 'answer' IS NULL THEN NULL ELSE 'import' END,
                CASE WHEN x ->> 'answer' IS NULL THEN NULL ELSE now() END);
        IF x ->> 'answer' IS NOT NULL THEN
            INSERT INTO assessment_history (tenant_id, subcontrol_id, answer, answered_by, note)
            VALUES (p_tenant, x ->> 'id', x ->> 'answer', 'import', 'imported snapshot');
        END IF;
        n := n + 1;
    END LOOP;

    -- Risk: threats, degradation by asset type, mitigations, assets.
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'threats', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        IF NOT EXISTS (SELECT 1 FROM threats t WHERE t.id = x ->> 'id') THEN
            PERFORM ims_import_fail(format('$.threats[%s].id', i),
                                    format('unknown threat "%s"', x ->> 'id'));
        END IF;
        INSERT INTO tenant_threats (tenant_id, threat_id, likelihood, dimensions)
        VALUES (p_tenant, x ->> 'id', (x ->> 'likelihood')::float8,
                CASE WHEN x -> 'dimensions' ? 'C' THEN 'C' ELSE '' END ||
                CASE WHEN x -> 'dimensions' ? 'I' THEN 'I' ELSE '' END ||
                CASE WHEN x -> 'dimensions' ? 'A' THEN 'A' ELSE '' END);
        n := n + 1;
    END LOOP;
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'asset_types', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        IF NOT EXISTS (SELECT 1 FROM asset_types a WHERE a.id = x ->> 'id') THEN
            PERFORM ims_import_fail(format('$.asset_types[%s].id', i),
                                    format('unknown asset type "%s"', x ->> 'id'));
        END IF;
        INSERT INTO tenant_asset_type_threats (tenant_id, asset_type_id, threat_id, degradation)
        SELECT p_tenant, x ->> 'id', d ->> 'threat', (d ->> 'degradation')::float8
          FROM jsonb_array_elements(coalesce(x -> 'threats', '[]')) d;
        n := n + 1;
    END LOOP;
    INSERT INTO tenant_mitigations (tenant_id, threat_id, control_id, effectiveness)
    SELECT p_tenant, e ->> 'threat', e ->> 'control', (e ->> 'effectiveness')::float8
      FROM jsonb_array_elements(coalesce(p_doc -> 'mitigations', '[]')) e;
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'assets', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.assets[%s]', i);
        IF length(x ->> 'id') NOT BETWEEN 1 AND 128 THEN
            PERFORM ims_import_fail(path || '.id', 'must be 1..128 characters');
        END IF;
        IF NOT EXISTS (SELECT 1 FROM asset_types a WHERE a.id = x ->> 'type') THEN
            PERFORM ims_import_fail(path || '.type', format('unknown asset type "%s"', x ->> 'type'));
        END IF;
        INSERT INTO assets (tenant_id, asset_id, name, type, c, i, a)
        VALUES (p_tenant, x ->> 'id', x ->> 'id', x ->> 'type',
                ims_import_int(x -> 'C', path || '.C', 0, 5),
                ims_import_int(x -> 'I', path || '.I', 0, 5),
                ims_import_int(x -> 'A', path || '.A', 0, 5));
        n := n + 1;
    END LOOP;

    -- Metrics and their samples.
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'metrics', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.metrics[%s]', i);
        IF NOT EXISTS (SELECT 1 FROM metrics m WHERE m.id = x ->> 'id') THEN
            PERFORM ims_import_fail(path || '.id', format('unknown metric "%s"', x ->> 'id'));
        END IF;
        INSERT INTO tenant_metrics (tenant_id, metric_id, enabled, aggregation, window_s, target,
                                    threshold, max_age_s)
        VALUES (p_tenant, x ->> 'id', true, x ->> 'aggregation',
                ims_import_int(coalesce(x -> 'window', '0'), path || '.window', 1, 3155760000),
                (x ->> 'target')::float8, (x ->> 'threshold')::float8,
                ims_import_int(x -> 'max_age', path || '.max_age', 1, 3155760000));
        INSERT INTO tenant_metric_controls (tenant_id, metric_id, control_id, weight)
        SELECT p_tenant, x ->> 'id', m ->> 'control', coalesce((m ->> 'weight')::float8, 1)
          FROM jsonb_array_elements(coalesce(x -> 'controls', '[]')) m;
        n := n + 1;
    END LOOP;
    -- received_at keeps the document's order among samples of equal time.
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'samples', '[]'))
                                     WITH ORDINALITY AS t(e, o) ORDER BY o LOOP
        -- (The document's samples come here in the canonical order, by time: the sample is
        -- named by its metric and time rather than its index.)
        IF (x ->> 'at')::timestamptz > now() + interval '300 seconds' THEN
            PERFORM ims_import_fail('$.samples',
                                    format('the sample of %s at %s is more than 300 s in the future',
                                           x ->> 'metric', x ->> 'at'));
        END IF;
        INSERT INTO metric_samples (tenant_id, metric_id, at, value, received_at)
        VALUES (p_tenant, x ->> 'metric', (x ->> 'at')::timestamptz, (x ->> 'value')::float8,
                clock_timestamp());
        n := n + 1;
    END LOOP;

    -- Incidents and findings, in the document's order.
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'incidents', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.incidents[%s]', i);
        INSERT INTO incidents (tenant_id, incident_id, status, severity, threat_id, controls,
                               assets, processes, detected_at, resolved_at, disruption_minutes,
                               created_at, updated_at)
        VALUES (p_tenant, x ->> 'id',
                CASE WHEN x ->> 'resolved_at' IS NULL THEN 'open' ELSE 'resolved' END,
                (x ->> 'severity')::smallint, x ->> 'threat',
                ARRAY(SELECT jsonb_array_elements_text(coalesce(x -> 'controls', '[]'))),
                ARRAY(SELECT jsonb_array_elements_text(coalesce(x -> 'assets', '[]'))),
                ARRAY(SELECT jsonb_array_elements_text(coalesce(x -> 'processes', '[]'))),
                (x ->> 'opened_at')::timestamptz, (x ->> 'resolved_at')::timestamptz,
                ims_import_int(coalesce(x -> 'disruption_minutes', '0'), path || '.disruption_minutes',
                               0, 9223372036854775807),
                clock_timestamp(), now());
        n := n + 1;
    END LOOP;
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'findings', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        INSERT INTO findings (tenant_id, finding_id, type, controls, status, opened_at, closed_at)
        VALUES (p_tenant, x ->> 'id', x ->> 'type',
                ARRAY(SELECT jsonb_array_elements_text(coalesce(x -> 'controls', '[]'))),
                CASE WHEN coalesce((x ->> 'open')::boolean, true) THEN 'open' ELSE 'closed' END,
                clock_timestamp(),
                CASE WHEN coalesce((x ->> 'open')::boolean, true) THEN NULL ELSE now() END);
        n := n + 1;
    END LOOP;

    -- Processes and their exercises.
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'processes', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.processes[%s]', i);
        IF length(x ->> 'id') NOT BETWEEN 1 AND 128 THEN
            PERFORM ims_import_fail(path || '.id', 'must be 1..128 characters');
        END IF;
        INSERT INTO processes (tenant_id, process_id, name, criticality, mtpd_min, rto_min,
                               rpo_min, plan_reviewed_at)
        VALUES (p_tenant, x ->> 'id', x ->> 'id', (x ->> 'criticality')::smallint,
                ims_import_int(x -> 'mtpd_min', path || '.mtpd_min', 1, 2147483647),
                ims_import_int(x -> 'rto_min', path || '.rto_min', 0, 2147483647),
                ims_import_int(coalesce(x -> 'rpo_min', '0'), path || '.rpo_min', 0, 2147483647),
                (x ->> 'plan_reviewed_at')::timestamptz);
        FOR y, j IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(x -> 'exercises', '[]'))
                                         WITH ORDINALITY AS t(e, o) LOOP
            INSERT INTO exercises (tenant_id, process_id, at, recovery_min)
            VALUES (p_tenant, x ->> 'id', (y ->> 'at')::timestamptz,
                    ims_import_int(y -> 'recovery_min',
                                   format('%s.exercises[%s].recovery_min', path, j), 0, 2147483647));
        END LOOP;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

