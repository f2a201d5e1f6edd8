-- A tenant moves to a newer published version of its schema (rebase), and tunes the model's
-- parameters and its metric targets and thresholds within the bounds its schema version
-- sets (tuning). Both run as the daemon's role with ims.tenant_id set to the tenant.
--
-- Rebase keeps everything the tenant did: answers, their history, events, documents. What
-- the schema owns follows the new version, except where the tenant decided otherwise (an
-- applicability, weight or effort that differs from what the old version said stays as the
-- tenant set it). An item the new version no longer holds is excluded with the reason,
-- never deleted, so its answers and history remain. Tuned values are kept while the new
-- version's bounds still allow them, and dropped (back to the schema's value) otherwise.

CREATE TABLE tenant_tuning (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name      text NOT NULL,   -- a model parameter, or target:<metric> / threshold:<metric>
    value     double precision NOT NULL,
    set_by    text NOT NULL DEFAULT '',
    set_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);
ALTER TABLE tenant_tuning ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_tuning FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_tuning USING (tenant_id = ims_current_tenant())
    WITH CHECK (tenant_id = ims_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_tuning TO ims_app;

-- Every control of a schema version as a tenant generated from it would hold it: excluded
-- when its system or framework is not enabled (ims_generate_tenant's rule).
CREATE FUNCTION ims_schema_effective_controls(p_schema text, p_version int)
RETURNS TABLE (control_id text, applicable boolean, justification text, weight double precision)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT sc.control_id,
           sc.applicable AND coalesce(sf.enabled, false) AND coalesce(ss.enabled, false),
           CASE
               WHEN NOT coalesce(ss.enabled, false) THEN 'Management system ' || f.system_id || ' is not in scope'
               WHEN NOT coalesce(sf.enabled, false) THEN 'Framework ' || f.id || ' is not in scope'
               ELSE sc.justification
           END,
           sc.weight
      FROM schema_controls sc
      JOIN controls c ON c.id = sc.control_id
      JOIN frameworks f ON f.id = c.framework_id
      LEFT JOIN schema_frameworks sf ON sf.schema_id = sc.schema_id AND sf.version = sc.version
                                    AND sf.framework_id = f.id
      LEFT JOIN schema_systems ss ON ss.schema_id = sc.schema_id AND ss.version = sc.version
                                 AND ss.system_id = f.system_id
     WHERE sc.schema_id = p_schema AND sc.version = p_version
$$;

-- The model parameters a tenant may tune, with the tenant_params column of each.
CREATE FUNCTION ims_tuning_params() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['beta', 'gamma', 'half_life_days', 'cap_major_nc', 'cap_minor_nc', 'theta',
                 'beta_risk', 'beta_bcms', 'likelihood_window_days', 'review_window_days',
                 'appetite']
$$;

-- Writes one tuned value into the tenant's tables (no bound check: the callers check).
CREATE FUNCTION ims_tuning_write(p_tenant uuid, p_name text, p_value double precision)
    RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    m text := split_part(p_name, ':', 2);
    n int;
BEGIN
    IF p_name = ANY (ims_tuning_params()) THEN
        IF p_name = 'appetite' AND p_value <> trunc(p_value) THEN
            RAISE EXCEPTION 'value: appetite must be a whole number' USING ERRCODE = '22023';
        END IF;
        EXECUTE format('UPDATE tenant_params SET %I = $1, updated_at = now() WHERE tenant_id = $2', p_name)
          USING p_value, p_tenant;
        IF EXISTS (SELECT 1 FROM tenant_params WHERE tenant_id = p_tenant
                      AND cap_major_nc > cap_minor_nc) THEN
            RAISE EXCEPTION 'value: cap_major_nc must not exceed cap_minor_nc' USING ERRCODE = '22023';
        END IF;
    ELSIF p_name LIKE 'target:%' OR p_name LIKE 'threshold:%' THEN
        IF EXISTS (SELECT 1 FROM tenant_metrics WHERE tenant_id = p_tenant AND metric_id = m
                      AND (CASE WHEN p_name LIKE 'target:%' THEN threshold ELSE target END) = p_value) THEN
            RAISE EXCEPTION 'value: the target and threshold of % must differ', m USING ERRCODE = '22023';
        END IF;
        IF p_name LIKE 'target:%' THEN
            UPDATE tenant_metrics SET target = p_value WHERE tenant_id = p_tenant AND metric_id = m;
        ELSE
            UPDATE tenant_metrics SET threshold = p_value WHERE tenant_id = p_tenant AND metric_id = m;
        END IF;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN
            RAISE EXCEPTION 'name: the tenant has no metric "%"', m USING ERRCODE = '22023';
        END IF;
    ELSE
        RAISE EXCEPTION 'name: "%" is not a model parameter or target:<metric> / threshold:<metric>', p_name
            USING ERRCODE = '22023';
    END IF;
END
$$;

-- The value schema p_schema/p_version gives tunable p_name (NULL if it has none).
CREATE FUNCTION ims_tuning_schema_value(p_schema text, p_version int, p_name text)
    RETURNS double precision LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    v double precision;
BEGIN
    IF p_name = ANY (ims_tuning_params()) THEN
        EXECUTE format('SELECT %I::double precision FROM schemas WHERE schema_id = $1 AND version = $2', p_name)
          INTO v USING p_schema, p_version;
    ELSIF p_name LIKE 'target:%' THEN
        SELECT target INTO v FROM schema_metrics WHERE schema_id = p_schema AND version = p_version
           AND metric_id = split_part(p_name, ':', 2);
    ELSIF p_name LIKE 'threshold:%' THEN
        SELECT threshold INTO v FROM schema_metrics WHERE schema_id = p_schema AND version = p_version
           AND metric_id = split_part(p_name, ':', 2);
    END IF;
    RETURN v;
END
$$;

-- Tunes p_name to p_value (NULL: back to the schema's value) within the schema's bounds.
CREATE FUNCTION ims_tenant_tune(p_tenant uuid, p_name text, p_value double precision, p_by text)
    RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    tp tenant_params%ROWTYPE;
    b  schema_tuning_bounds%ROWTYPE;
BEGIN
    SELECT * INTO tp FROM tenant_params WHERE tenant_id = p_tenant FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant: not found' USING ERRCODE = 'P0002';
    END IF;
    SELECT * INTO b FROM schema_tuning_bounds
     WHERE schema_id = tp.schema_id AND version = tp.schema_version AND name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'name: "%" is not tunable under schema %/% (its bounds name what is)',
            p_name, tp.schema_id, tp.schema_version USING ERRCODE = '22023';
    END IF;
    IF p_value IS NULL THEN
        PERFORM ims_tuning_write(p_tenant, p_name,
                                 ims_tuning_schema_value(tp.schema_id, tp.schema_version, p_name));
        DELETE FROM tenant_tuning WHERE tenant_id = p_tenant AND name = p_name;
        RETURN;
    END IF;
    IF p_value < b.lo OR p_value > b.hi THEN
        RAISE EXCEPTION 'value: % is outside the bounds [%, %] the schema sets for %', p_value,
            b.lo, b.hi, p_name USING ERRCODE = '22023';
    END IF;
    PERFORM ims_tuning_write(p_tenant, p_name, p_value);
    INSERT INTO tenant_tuning (tenant_id, name, value, set_by)
    VALUES (p_tenant, p_name, p_value, coalesce(p_by, ''))
    ON CONFLICT (tenant_id, name) DO UPDATE SET value = EXCLUDED.value, set_by = EXCLUDED.set_by,
        set_at = now();
END
$$;

-- What the tenant may tune: each bound of its schema version, the schema's value, the
-- tenant's current value, and whether the tenant tuned it.
CREATE FUNCTION ims_tenant_tuning(p_tenant uuid)
RETURNS TABLE (name text, lo double precision, hi double precision,
               schema_value double precision, value double precision, tuned boolean,
               set_by text, set_at text)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT b.name, b.lo, b.hi, ims_tuning_schema_value(tp.schema_id, tp.schema_version, b.name),
           coalesce(t.value, ims_tuning_schema_value(tp.schema_id, tp.schema_version, b.name)),
           t.name IS NOT NULL, coalesce(t.set_by, ''), coalesce(ims_rfc3339(t.set_at), '')
      FROM tenant_params tp
      JOIN schema_tuning_bounds b ON b.schema_id = tp.schema_id AND b.version = tp.schema_version
      LEFT JOIN tenant_tuning t ON t.tenant_id = tp.tenant_id AND t.name = b.name
     WHERE tp.tenant_id = p_tenant
     ORDER BY b.name
$$;

-- The target version of a rebase: p_version (0: the latest published), newer than the
-- tenant's and published.
CREATE FUNCTION ims_rebase_target(p_tenant uuid, p_version int) RETURNS schemas
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    tp tenant_params%ROWTYPE;
    s  schemas%ROWTYPE;
BEGIN
    SELECT * INTO tp FROM tenant_params WHERE tenant_id = p_tenant;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant: not found' USING ERRCODE = 'P0002';
    END IF;
    s := ims_schema_resolve(tp.schema_id, p_version);
    IF s.status <> 'published' THEN
        RAISE EXCEPTION 'version: %/% is a draft; publish it first', s.schema_id, s.version
            USING ERRCODE = '22023';
    END IF;
    IF s.version <= tp.schema_version THEN
        RAISE EXCEPTION 'version: the tenant is at %/% already; a rebase moves to a newer version',
            tp.schema_id, tp.schema_version USING ERRCODE = '22023';
    END IF;
    RETURN s;
END
$$;

-- What a rebase to p_version changes for the tenant: controls and sub-controls that become
-- applicable ('added') or stop being ('removed') by the schema, and each parameter, system
-- weight, framework or metric target the schema changes ('old -> new').
CREATE FUNCTION ims_rebase_changes(p_tenant uuid, p_version int)
RETURNS TABLE (kind text, id text, change text)
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    tp tenant_params%ROWTYPE;
    s  schemas%ROWTYPE;
BEGIN
    s := ims_rebase_target(p_tenant, p_version);
    SELECT * INTO tp FROM tenant_params WHERE tenant_id = p_tenant;
    RETURN QUERY
    WITH o AS (SELECT * FROM ims_schema_effective_controls(tp.schema_id, tp.schema_version)),
         n AS (SELECT * FROM ims_schema_effective_controls(s.schema_id, s.version))
    SELECT 'control', coalesce(n.control_id, o.control_id),
           CASE WHEN coalesce(n.applicable, false) THEN 'added' ELSE 'removed' END
      FROM o FULL JOIN n ON n.control_id = o.control_id
     WHERE coalesce(o.applicable, false) <> coalesce(n.applicable, false);
    RETURN QUERY
    WITH o AS (SELECT x.subcontrol_id, x.applicable FROM schema_subcontrols x
                WHERE x.schema_id = tp.schema_id AND x.version = tp.schema_version),
         n AS (SELECT x.subcontrol_id, x.applicable FROM schema_subcontrols x
                WHERE x.schema_id = s.schema_id AND x.version = s.version)
    SELECT 'subcontrol', coalesce(n.subcontrol_id, o.subcontrol_id),
           CASE WHEN coalesce(n.applicable, false) THEN 'added' ELSE 'removed' END
      FROM o FULL JOIN n ON n.subcontrol_id = o.subcontrol_id
     WHERE coalesce(o.applicable, false) <> coalesce(n.applicable, false);
    RETURN QUERY
    SELECT CASE d.kind WHEN 'params' THEN 'param' WHEN 'systems' THEN 'system'
                       WHEN 'frameworks' THEN 'framework' ELSE 'metric' END,
           CASE d.kind WHEN 'params' THEN d.field ELSE d.key || CASE WHEN d.field = '' THEN ''
                                                                   ELSE '.' || d.field END END,
           d.old || ' -> ' || d.new
      FROM ims_schema_diff(tp.schema_id, tp.schema_version, s.schema_id, s.version) d
     WHERE d.kind IN ('params', 'systems', 'frameworks', 'metrics');
END
$$;

-- Moves the tenant to version p_version of its schema (0: the latest published).
CREATE FUNCTION ims_rebase_tenant(p_tenant uuid, p_version int) RETURNS int
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    tp  tenant_params%ROWTYPE;
    s   schemas%ROWTYPE;
    ov  int;
    sys record;
    why text;
    t   record;
BEGIN
    IF p_tenant IS DISTINCT FROM ims_current_tenant() THEN
        RAISE EXCEPTION 'ims_rebase_tenant: ims.tenant_id must be set to tenant %', p_tenant
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO tp FROM tenant_params WHERE tenant_id = p_tenant FOR UPDATE;
    s := ims_rebase_target(p_tenant, p_version);
    ov := tp.schema_version;
    why := format('Not in schema %s version %s', s.schema_id, s.version);

    -- Systems, frameworks, weights and parameters follow the new version.
    UPDATE tenant_params SET schema_version = s.version,
        systems = coalesce((SELECT array_agg(ss.system_id ORDER BY ss.system_id) FROM schema_systems ss
                             WHERE ss.schema_id = s.schema_id AND ss.version = s.version AND ss.enabled), '{}'),
        frameworks = coalesce((SELECT array_agg(sf.framework_id ORDER BY sf.framework_id)
                                 FROM schema_frameworks sf
                                 JOIN frameworks f ON f.id = sf.framework_id
                                 JOIN schema_systems ss ON ss.schema_id = sf.schema_id AND ss.version = sf.version
                                                       AND ss.system_id = f.system_id AND ss.enabled
                                WHERE sf.schema_id = s.schema_id AND sf.version = s.version AND sf.enabled), '{}'),
        beta = s.beta, gamma = s.gamma, half_life_days = s.half_life_days,
        cap_major_nc = s.cap_major_nc, cap_minor_nc = s.cap_minor_nc, theta = s.theta,
        beta_risk = s.beta_risk, beta_bcms = s.beta_bcms,
        likelihood_window_days = s.likelihood_window_days,
        review_window_days = s.review_window_days, appetite = s.appetite, updated_at = now()
     WHERE tenant_id = p_tenant;
    -- One weight column per system the table has (weight_isms, weight_bcms, ...).
    FOR sys IN SELECT ss.system_id, ss.weight FROM schema_systems ss
                WHERE ss.schema_id = s.schema_id AND ss.version = s.version LOOP
        IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'tenant_params'::regclass
                      AND attname = 'weight_' || lower(sys.system_id) AND NOT attisdropped) THEN
            EXECUTE format('UPDATE tenant_params SET %I = $1 WHERE tenant_id = $2',
                           'weight_' || lower(sys.system_id)) USING sys.weight, p_tenant;
        END IF;
    END LOOP;

    -- Controls: new ones added; the schema's applicability and weight where the tenant kept
    -- the old version's; controls the new version lacks excluded.
    WITH o AS (SELECT * FROM ims_schema_effective_controls(tp.schema_id, ov)),
         n AS (SELECT * FROM ims_schema_effective_controls(s.schema_id, s.version))
    UPDATE tenant_controls tc SET
        applicable = CASE WHEN tc.applicable = o.applicable THEN n.applicable ELSE tc.applicable END,
        justification = CASE WHEN tc.applicable = o.applicable THEN n.justification ELSE tc.justification END,
        weight = CASE WHEN tc.weight = o.weight THEN n.weight ELSE tc.weight END,
        updated_at = now()
      FROM n LEFT JOIN o ON o.control_id = n.control_id
     WHERE tc.tenant_id = p_tenant AND tc.control_id = n.control_id AND o.control_id IS NOT NULL;
    INSERT INTO tenant_controls (tenant_id, control_id, applicable, justification, weight)
    SELECT p_tenant, n.control_id, n.applicable, n.justification, n.weight
      FROM ims_schema_effective_controls(s.schema_id, s.version) n
    ON CONFLICT (tenant_id, control_id) DO NOTHING;
    UPDATE tenant_controls tc SET applicable = false, justification = why, updated_at = now()
     WHERE tc.tenant_id = p_tenant AND tc.applicable
       AND NOT EXISTS (SELECT 1 FROM schema_controls x WHERE x.schema_id = s.schema_id
                          AND x.version = s.version AND x.control_id = tc.control_id);

    -- Sub-controls: the same rule; answers and history stay.
    UPDATE tenant_subcontrols ts SET
        applicable = CASE WHEN ts.applicable = o.applicable THEN n.applicable ELSE ts.applicable END,
        justification = CASE WHEN ts.applicable = o.applicable THEN n.justification ELSE ts.justification END,
        weight = CASE WHEN ts.weight = o.weight THEN n.weight ELSE ts.weight END,
        effort = CASE WHEN ts.effort = o.effort THEN n.effort ELSE ts.effort END
      FROM schema_subcontrols n
      JOIN schema_subcontrols o ON o.schema_id = tp.schema_id AND o.version = ov
                               AND o.subcontrol_id = n.subcontrol_id
     WHERE n.schema_id = s.schema_id AND n.version = s.version
       AND ts.tenant_id = p_tenant AND ts.subcontrol_id = n.subcontrol_id;
    INSERT INTO tenant_subcontrols (tenant_id, subcontrol_id, applicable, justification, weight, effort)
    SELECT p_tenant, n.subcontrol_id, n.applicable, n.justification, n.weight, n.effort
      FROM schema_subcontrols n WHERE n.schema_id = s.schema_id AND n.version = s.version
    ON CONFLICT (tenant_id, subcontrol_id) DO NOTHING;
    UPDATE tenant_subcontrols ts SET applicable = false, justification = why
     WHERE ts.tenant_id = p_tenant AND ts.applicable
       AND NOT EXISTS (SELECT 1 FROM schema_subcontrols x WHERE x.schema_id = s.schema_id
                          AND x.version = s.version AND x.subcontrol_id = ts.subcontrol_id);

    -- The risk catalog follows the new version (treatments refer to threats: kept).
    INSERT INTO tenant_threats (tenant_id, threat_id, likelihood, dimensions)
    SELECT p_tenant, x.threat_id, x.likelihood, x.dimensions
      FROM schema_threats x WHERE x.schema_id = s.schema_id AND x.version = s.version
    ON CONFLICT (tenant_id, threat_id) DO UPDATE
        SET likelihood = EXCLUDED.likelihood, dimensions = EXCLUDED.dimensions;
    DELETE FROM tenant_asset_type_threats a WHERE a.tenant_id = p_tenant AND NOT EXISTS (
        SELECT 1 FROM schema_asset_type_threats x WHERE x.schema_id = s.schema_id
           AND x.version = s.version AND x.asset_type_id = a.asset_type_id AND x.threat_id = a.threat_id);
    INSERT INTO tenant_asset_type_threats (tenant_id, asset_type_id, threat_id, degradation)
    SELECT p_tenant, x.asset_type_id, x.threat_id, x.degradation
      FROM schema_asset_type_threats x WHERE x.schema_id = s.schema_id AND x.version = s.version
    ON CONFLICT (tenant_id, asset_type_id, threat_id) DO UPDATE SET degradation = EXCLUDED.degradation;
    DELETE FROM tenant_mitigations m WHERE m.tenant_id = p_tenant AND NOT EXISTS (
        SELECT 1 FROM schema_mitigations x WHERE x.schema_id = s.schema_id
           AND x.version = s.version AND x.threat_id = m.threat_id AND x.control_id = m.control_id);
    INSERT INTO tenant_mitigations (tenant_id, threat_id, control_id, effectiveness)
    SELECT p_tenant, x.threat_id, x.control_id, x.effectiveness
      FROM schema_mitigations x WHERE x.schema_id = s.schema_id AND x.version = s.version
    ON CONFLICT (tenant_id, threat_id, control_id) DO UPDATE SET effectiveness = EXCLUDED.effectiveness;

    -- Metrics (samples and series maps refer to them: a metric the version drops is disabled).
    INSERT INTO tenant_metrics (tenant_id, metric_id, enabled, aggregation, window_s, target,
                                threshold, max_age_s)
    SELECT p_tenant, x.metric_id, x.enabled, x.aggregation, x.window_s, x.target, x.threshold,
           x.max_age_s
      FROM schema_metrics x WHERE x.schema_id = s.schema_id AND x.version = s.version
    ON CONFLICT (tenant_id, metric_id) DO UPDATE SET enabled = EXCLUDED.enabled,
        aggregation = EXCLUDED.aggregation, window_s = EXCLUDED.window_s,
        target = EXCLUDED.target, threshold = EXCLUDED.threshold, max_age_s = EXCLUDED.max_age_s;
    UPDATE tenant_metrics m SET enabled = false WHERE m.tenant_id = p_tenant AND NOT EXISTS (
        SELECT 1 FROM schema_metrics x WHERE x.schema_id = s.schema_id AND x.version = s.version
           AND x.metric_id = m.metric_id);
    DELETE FROM tenant_metric_controls m WHERE m.tenant_id = p_tenant;
    INSERT INTO tenant_metric_controls (tenant_id, metric_id, control_id, weight)
    SELECT p_tenant, x.metric_id, x.control_id, x.weight
      FROM schema_metric_controls x WHERE x.schema_id = s.schema_id AND x.version = s.version;

    -- Artefacts: their status and history stay; what the version no longer requires is not.
    INSERT INTO tenant_artefacts (tenant_id, artefact_id, required)
    SELECT p_tenant, x.artefact_id, x.required
      FROM schema_artefacts x WHERE x.schema_id = s.schema_id AND x.version = s.version
    ON CONFLICT (tenant_id, artefact_id) DO UPDATE SET required = EXCLUDED.required;
    UPDATE tenant_artefacts a SET required = false WHERE a.tenant_id = p_tenant AND NOT EXISTS (
        SELECT 1 FROM schema_artefacts x WHERE x.schema_id = s.schema_id AND x.version = s.version
           AND x.artefact_id = a.artefact_id);

    -- Tuning: kept within the new bounds, dropped otherwise.
    DELETE FROM tenant_tuning tt WHERE tt.tenant_id = p_tenant AND NOT EXISTS (
        SELECT 1 FROM schema_tuning_bounds b WHERE b.schema_id = s.schema_id
           AND b.version = s.version AND b.name = tt.name AND tt.value BETWEEN b.lo AND b.hi);
    FOR t IN SELECT tt.name, tt.value FROM tenant_tuning tt WHERE tt.tenant_id = p_tenant LOOP
        PERFORM ims_tuning_write(p_tenant, t.name, t.value);
    END LOOP;

    UPDATE tenants SET schema_version = s.version WHERE id = p_tenant;
    RETURN s.version;
END
$$;

-- The tenant as the engine reads it, before and after a rebase to p_version; the rebase
-- is undone (a subtransaction rolled back), so nothing changes.
CREATE FUNCTION ims_rebase_preview(p_tenant uuid, p_version int)
RETURNS TABLE (before text, after text, version int)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    before := ims_tenant_snapshot(p_tenant, false)::text;
    BEGIN
        version := ims_rebase_tenant(p_tenant, p_version);
        after := ims_tenant_snapshot(p_tenant, false)::text;
        RAISE EXCEPTION 'preview only' USING ERRCODE = 'IMSPV';
    EXCEPTION WHEN SQLSTATE 'IMSPV' THEN
        NULL;
    END;
    RETURN NEXT;
END
$$;

REVOKE EXECUTE ON FUNCTION ims_rebase_tenant(uuid, int), ims_rebase_preview(uuid, int),
    ims_rebase_changes(uuid, int), ims_rebase_target(uuid, int),
    ims_tenant_tune(uuid, text, double precision, text), ims_tenant_tuning(uuid),
    ims_tuning_write(uuid, text, double precision),
    ims_schema_effective_controls(text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_rebase_tenant(uuid, int), ims_rebase_preview(uuid, int),
    ims_rebase_changes(uuid, int), ims_rebase_target(uuid, int),
    ims_tenant_tune(uuid, text, double precision, text), ims_tenant_tuning(uuid),
    ims_tuning_write(uuid, text, double precision),
    ims_schema_effective_controls(text, int) TO ims_app;

-- The shipped schemas let a tenant tune what a consultant commonly adjusts for a client.
INSERT INTO schema_tuning_bounds (schema_id, version, name, lo, hi)
SELECT s.schema_id, s.version, b.name, b.lo, b.hi
  FROM schemas s,
       (VALUES ('beta', 0.2, 0.8), ('gamma', 0.2, 0.8), ('theta', 0.6, 0.95),
               ('appetite', 1, 3), ('half_life_days', 7, 90)) b(name, lo, hi)
 WHERE s.status = 'published';
INSERT INTO schema_tuning_bounds (schema_id, version, name, lo, hi)
SELECT m.schema_id, m.version, 'target:' || m.metric_id, 1, 14
  FROM schema_metrics m WHERE m.metric_id = 'patch_latency_days';
