-- Tenant content: what a tenant's management system is made of, generated from a
-- schema version at tenant creation and then owned by the tenant.
-- Rules for every table here: tenant_id is the first column of the primary key,
-- every foreign key between tenant tables includes tenant_id, row-level security is
-- enabled and forced with the tenant_isolation policy on ims_current_tenant().

CREATE TABLE tenant_params (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    schema_id      text NOT NULL,
    schema_version int  NOT NULL,
    systems        text[] NOT NULL CHECK (systems <@ ARRAY['ISMS', 'BCMS', 'RMS']::text[]),
    frameworks     text[] NOT NULL,
    weight_isms    double precision NOT NULL CHECK (weight_isms >= 0),
    weight_bcms    double precision NOT NULL CHECK (weight_bcms >= 0),
    weight_rms     double precision NOT NULL CHECK (weight_rms >= 0),
    beta                   double precision NOT NULL CHECK (beta BETWEEN 0 AND 1),
    gamma                  double precision NOT NULL CHECK (gamma BETWEEN 0 AND 1),
    half_life_days         double precision NOT NULL CHECK (half_life_days > 0),
    cap_major_nc           double precision NOT NULL CHECK (cap_major_nc BETWEEN 0 AND 1),
    cap_minor_nc           double precision NOT NULL CHECK (cap_minor_nc BETWEEN 0 AND 1),
    theta                  double precision NOT NULL CHECK (theta > 0 AND theta <= 1),
    beta_risk              double precision NOT NULL CHECK (beta_risk BETWEEN 0 AND 1),
    beta_bcms              double precision NOT NULL CHECK (beta_bcms BETWEEN 0 AND 1),
    likelihood_window_days double precision NOT NULL CHECK (likelihood_window_days > 0),
    review_window_days     double precision NOT NULL CHECK (review_window_days > 0),
    appetite               smallint NOT NULL CHECK (appetite BETWEEN 1 AND 5),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id),
    FOREIGN KEY (schema_id, schema_version) REFERENCES schemas (schema_id, version)
);

CREATE TABLE tenant_controls (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    control_id    text NOT NULL REFERENCES controls (id),
    applicable    boolean NOT NULL DEFAULT true,
    justification text,
    weight        double precision NOT NULL DEFAULT 1 CHECK (weight > 0),
    implementation_status text NOT NULL DEFAULT 'not_started'
        CHECK (implementation_status IN ('not_started', 'planned', 'partial', 'implemented')),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, control_id),
    CHECK (applicable OR length(btrim(coalesce(justification, ''))) > 0)
);

CREATE TABLE tenant_subcontrols (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    subcontrol_id text NOT NULL REFERENCES subcontrols (id),
    applicable    boolean NOT NULL DEFAULT true,
    justification text,
    weight        double precision NOT NULL DEFAULT 1 CHECK (weight > 0),
    effort        smallint NOT NULL CHECK (effort BETWEEN 1 AND 5),
    answer        text CHECK (answer IN ('yes', 'partial', 'no', 'na')),
    answered_by   text,
    answered_at   timestamptz,
    note          text,
    evidence      text,
    PRIMARY KEY (tenant_id, subcontrol_id),
    CHECK (applicable OR length(btrim(coalesce(justification, ''))) > 0),
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);

-- Append-only: the daemon inserts one row per answer given; it is never updated.
CREATE TABLE assessment_history (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    seq           bigint GENERATED ALWAYS AS IDENTITY,
    subcontrol_id text NOT NULL,
    answer        text CHECK (answer IN ('yes', 'partial', 'no', 'na')),
    answered_by   text,
    answered_at   timestamptz NOT NULL DEFAULT now(),
    note          text,
    evidence      text,
    PRIMARY KEY (tenant_id, seq),
    FOREIGN KEY (tenant_id, subcontrol_id) REFERENCES tenant_subcontrols (tenant_id, subcontrol_id)
);
CREATE INDEX assessment_history_subcontrol_idx ON assessment_history (tenant_id, subcontrol_id, seq);

CREATE TABLE tenant_threats (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    threat_id  text NOT NULL REFERENCES threats (id),
    likelihood double precision NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    dimensions text NOT NULL CHECK (dimensions IN ('C', 'I', 'A', 'CI', 'CA', 'IA', 'CIA')),
    PRIMARY KEY (tenant_id, threat_id)
);

CREATE TABLE tenant_asset_type_threats (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    asset_type_id text NOT NULL REFERENCES asset_types (id),
    threat_id     text NOT NULL,
    degradation   double precision NOT NULL CHECK (degradation > 0 AND degradation <= 1),
    PRIMARY KEY (tenant_id, asset_type_id, threat_id),
    FOREIGN KEY (tenant_id, threat_id) REFERENCES tenant_threats (tenant_id, threat_id) ON DELETE CASCADE
);

CREATE TABLE tenant_mitigations (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    threat_id     text NOT NULL,
    control_id    text NOT NULL,
    effectiveness double precision NOT NULL CHECK (effectiveness >= 0 AND effectiveness <= 1),
    PRIMARY KEY (tenant_id, threat_id, control_id),
    FOREIGN KEY (tenant_id, threat_id) REFERENCES tenant_threats (tenant_id, threat_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, control_id) REFERENCES tenant_controls (tenant_id, control_id) ON DELETE CASCADE
);

CREATE TABLE tenant_metrics (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    metric_id   text NOT NULL REFERENCES metrics (id),
    enabled     boolean NOT NULL DEFAULT true,
    aggregation text NOT NULL CHECK (aggregation IN ('last', 'mean', 'min', 'max')),
    window_s    bigint NOT NULL CHECK (window_s > 0),
    target      double precision NOT NULL,
    threshold   double precision NOT NULL,
    max_age_s   bigint NOT NULL CHECK (max_age_s > 0),
    PRIMARY KEY (tenant_id, metric_id),
    CHECK (target <> threshold)
);

CREATE TABLE tenant_metric_controls (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    metric_id  text NOT NULL,
    control_id text NOT NULL,
    weight     double precision NOT NULL CHECK (weight > 0),
    PRIMARY KEY (tenant_id, metric_id, control_id),
    FOREIGN KEY (tenant_id, metric_id) REFERENCES tenant_metrics (tenant_id, metric_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, control_id) REFERENCES tenant_controls (tenant_id, control_id) ON DELETE CASCADE
);

CREATE TABLE tenant_artefacts (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    artefact_id text NOT NULL REFERENCES artefacts (id),
    required    boolean NOT NULL DEFAULT true,
    status      text NOT NULL DEFAULT 'missing'
        CHECK (status IN ('missing', 'draft', 'approved', 'obsolete')),
    owner       text,
    location    text,
    reviewed_at timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, artefact_id)
);

CREATE TABLE assets (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    asset_id   text NOT NULL CHECK (length(asset_id) BETWEEN 1 AND 128),
    name       text NOT NULL,
    type       text NOT NULL REFERENCES asset_types (id),
    owner      text,
    c          smallint NOT NULL DEFAULT 0 CHECK (c BETWEEN 0 AND 5),
    i          smallint NOT NULL DEFAULT 0 CHECK (i BETWEEN 0 AND 5),
    a          smallint NOT NULL DEFAULT 0 CHECK (a BETWEEN 0 AND 5),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, asset_id)
);

CREATE TABLE processes (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    process_id  text NOT NULL CHECK (length(process_id) BETWEEN 1 AND 128),
    name        text NOT NULL,
    owner       text,
    criticality smallint NOT NULL CHECK (criticality BETWEEN 1 AND 5),
    mtpd_min    integer NOT NULL CHECK (mtpd_min > 0),
    rto_min     integer NOT NULL CHECK (rto_min >= 0),
    rpo_min     integer NOT NULL CHECK (rpo_min >= 0),
    mbco        text,
    plan_reviewed_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, process_id),
    CHECK (rto_min <= mtpd_min)
);

CREATE TABLE exercises (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    process_id   text NOT NULL,
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    at           timestamptz NOT NULL,
    recovery_min integer NOT NULL CHECK (recovery_min >= 0),
    note         text,
    PRIMARY KEY (tenant_id, process_id, seq),
    FOREIGN KEY (tenant_id, process_id) REFERENCES processes (tenant_id, process_id) ON DELETE CASCADE
);
CREATE INDEX exercises_at_idx ON exercises (tenant_id, process_id, at);

-- Row-level security and grants on every tenant table.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenant_params', 'tenant_controls', 'tenant_subcontrols',
        'assessment_history', 'tenant_threats', 'tenant_asset_type_threats',
        'tenant_mitigations', 'tenant_metrics', 'tenant_metric_controls',
        'tenant_artefacts', 'assets', 'processes', 'exercises']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = ims_current_tenant()) '
                       'WITH CHECK (tenant_id = ims_current_tenant())', t);
        IF t = 'assessment_history' THEN
            EXECUTE format('GRANT SELECT, INSERT ON %I TO ims_app', t);
        ELSE
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO ims_app', t);
        END IF;
    END LOOP;
END;
$$;

-- Fill every tenant content table from schema (p_schema, p_version). Runs with the
-- caller's rights inside the caller's transaction, where ims.tenant_id is already
-- p_tenant so that the row-level security policies let the inserts through. The
-- caller records schema_id / schema_version on its tenants row. Returns the number
-- of rows written.
CREATE FUNCTION ims_generate_tenant(p_tenant uuid, p_schema text, p_version int)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    n     bigint := 0;
    k     bigint;
    sch   schemas%ROWTYPE;
BEGIN
    IF p_tenant IS NULL OR p_tenant IS DISTINCT FROM ims_current_tenant() THEN
        RAISE EXCEPTION 'ims_generate_tenant: ims.tenant_id must be set to tenant %', p_tenant
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO sch FROM schemas s WHERE s.schema_id = p_schema AND s.version = p_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'schema %/% does not exist', p_schema, p_version
            USING ERRCODE = 'no_data_found';
    END IF;

    INSERT INTO tenant_params (tenant_id, schema_id, schema_version, systems, frameworks,
        weight_isms, weight_bcms, weight_rms, beta, gamma, half_life_days, cap_major_nc,
        cap_minor_nc, theta, beta_risk, beta_bcms, likelihood_window_days,
        review_window_days, appetite)
    SELECT p_tenant, sch.schema_id, sch.version,
           coalesce((SELECT array_agg(ss.system_id ORDER BY ss.system_id) FROM schema_systems ss
                      WHERE ss.schema_id = p_schema AND ss.version = p_version AND ss.enabled), '{}'),
           coalesce((SELECT array_agg(sf.framework_id ORDER BY sf.framework_id) FROM schema_frameworks sf
                      JOIN frameworks f ON f.id = sf.framework_id
                      JOIN schema_systems ss ON ss.schema_id = sf.schema_id AND ss.version = sf.version
                                            AND ss.system_id = f.system_id AND ss.enabled
                      WHERE sf.schema_id = p_schema AND sf.version = p_version AND sf.enabled), '{}'),
           coalesce((SELECT ss.weight FROM schema_systems ss WHERE ss.schema_id = p_schema
                        AND ss.version = p_version AND ss.system_id = 'ISMS'), 0),
           coalesce((SELECT ss.weight FROM schema_systems ss WHERE ss.schema_id = p_schema
                        AND ss.version = p_version AND ss.system_id = 'BCMS'), 0),
           coalesce((SELECT ss.weight FROM schema_systems ss WHERE ss.schema_id = p_schema
                        AND ss.version = p_version AND ss.system_id = 'RMS'), 0),
           sch.beta, sch.gamma, sch.half_life_days, sch.cap_major_nc, sch.cap_minor_nc,
           sch.theta, sch.beta_risk, sch.beta_bcms, sch.likelihood_window_days,
           sch.review_window_days, sch.appetite;
    n := n + 1;

    -- A control of a framework or system the schema leaves off is excluded, with the
    -- reason written as its justification.
    INSERT INTO tenant_controls (tenant_id, control_id, applicable, justification, weight)
    SELECT p_tenant, sc.control_id,
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
     WHERE sc.schema_id = p_schema AND sc.version = p_version;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    INSERT INTO tenant_subcontrols (tenant_id, subcontrol_id, applicable, justification, weight, effort)
    SELECT p_tenant, s.subcontrol_id, s.applicable, s.justification, s.weight, s.effort
      FROM schema_subcontrols s
     WHERE s.schema_id = p_schema AND s.version = p_version;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    INSERT INTO tenant_threats (tenant_id, threat_id, likelihood, dimensions)
    SELECT p_tenant, s.threat_id, s.likelihood, s.dimensions
      FROM schema_threats s
     WHERE s.schema_id = p_schema AND s.version = p_version;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    INSERT INTO tenant_asset_type_threats (tenant_id, asset_type_id, threat_id, degradation)
    SELECT p_tenant, s.asset_type_id, s.threat_id, s.degradation
      FROM schema_asset_type_threats s
     WHERE s.schema_id = p_schema AND s.version = p_version;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    INSERT INTO tenant_mitigations (tenant_id, threat_id, control_id, effectiveness)
    SELECT p_tenant, s.threat_id, s.control_id, s.effectiveness
      FROM schema_mitigations s
     WHERE s.schema_id = p_schema AND s.version = p_version;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    INSERT INTO tenant_metrics (tenant_id, metric_id, enabled, aggregation, window_s,
                                target, threshold, max_age_s)
    SELECT p_tenant, s.metric_id, s.enabled, s.aggregation, s.window_s,
           s.target, s.threshold, s.max_age_s
      FROM schema_metrics s
     WHERE s.schema_id = p_schema AND s.version = p_version;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    INSERT INTO tenant_metric_controls (tenant_id, metric_id, control_id, weight)
    SELECT p_tenant, s.metric_id, s.control_id, s.weight
      FROM schema_metric_controls s
     WHERE s.schema_id = p_schema AND s.version = p_version;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    INSERT INTO tenant_artefacts (tenant_id, artefact_id, required)
    SELECT p_tenant, s.artefact_id, s.required
      FROM schema_artefacts s
     WHERE s.schema_id = p_schema AND s.version = p_version;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    RETURN n;
END;
$$;

REVOKE EXECUTE ON FUNCTION ims_generate_tenant(uuid, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_generate_tenant(uuid, text, int) TO ims_app;
