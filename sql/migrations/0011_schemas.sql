-- Schemas: reusable templates prepared once for a kind of company (sector, size band)
-- and applied to every client of that kind. A schema is versioned by
-- (schema_id, version); a version, once tenants were generated from it, should not
-- change: make a new version (ims_new_schema_version) or a clone (ims_clone_schema).
-- Every table below is keyed by (schema_id, version) and holds that version's copy.

CREATE TABLE schemas (
    schema_id      text NOT NULL CHECK (schema_id ~ '^[a-z][a-z0-9-]*$'),
    version        int  NOT NULL CHECK (version > 0),
    parent_id      text,
    parent_version int,
    name           text NOT NULL,
    description    text NOT NULL DEFAULT '',
    sector         text REFERENCES sectors (id),      -- NULL: any sector
    size_band      text REFERENCES size_bands (id),   -- NULL: any size
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- model parameters (SECURITY-LEVEL.md section 2)
    beta                   double precision NOT NULL DEFAULT 0.5  CHECK (beta BETWEEN 0 AND 1),
    gamma                  double precision NOT NULL DEFAULT 0.5  CHECK (gamma BETWEEN 0 AND 1),
    half_life_days         double precision NOT NULL DEFAULT 30   CHECK (half_life_days > 0),
    cap_major_nc           double precision NOT NULL DEFAULT 0.25 CHECK (cap_major_nc BETWEEN 0 AND 1),
    cap_minor_nc           double precision NOT NULL DEFAULT 0.75 CHECK (cap_minor_nc BETWEEN 0 AND 1),
    theta                  double precision NOT NULL DEFAULT 0.8  CHECK (theta > 0 AND theta <= 1),
    beta_risk              double precision NOT NULL DEFAULT 0.5  CHECK (beta_risk BETWEEN 0 AND 1),
    beta_bcms              double precision NOT NULL DEFAULT 0.5  CHECK (beta_bcms BETWEEN 0 AND 1),
    likelihood_window_days double precision NOT NULL DEFAULT 365  CHECK (likelihood_window_days > 0),
    review_window_days     double precision NOT NULL DEFAULT 365  CHECK (review_window_days > 0),
    appetite               smallint NOT NULL DEFAULT 2 CHECK (appetite BETWEEN 1 AND 5),
    PRIMARY KEY (schema_id, version),
    FOREIGN KEY (parent_id, parent_version) REFERENCES schemas (schema_id, version),
    CHECK ((parent_id IS NULL) = (parent_version IS NULL)),
    CHECK (cap_major_nc <= cap_minor_nc)
);
CREATE INDEX schemas_sector_idx ON schemas (sector, size_band);

-- Management systems of the schema: enabled or not, and the weight omega_S.
CREATE TABLE schema_systems (
    schema_id text NOT NULL,
    version   int  NOT NULL,
    system_id text NOT NULL REFERENCES management_systems (id),
    enabled   boolean NOT NULL,
    weight    double precision NOT NULL CHECK (weight >= 0),
    PRIMARY KEY (schema_id, version, system_id),
    FOREIGN KEY (schema_id, version) REFERENCES schemas (schema_id, version) ON DELETE CASCADE
);

CREATE TABLE schema_frameworks (
    schema_id    text NOT NULL,
    version      int  NOT NULL,
    framework_id text NOT NULL REFERENCES frameworks (id),
    enabled      boolean NOT NULL,
    PRIMARY KEY (schema_id, version, framework_id),
    FOREIGN KEY (schema_id, version) REFERENCES schemas (schema_id, version) ON DELETE CASCADE
);

CREATE TABLE schema_controls (
    schema_id     text NOT NULL,
    version       int  NOT NULL,
    control_id    text NOT NULL REFERENCES controls (id),
    applicable    boolean NOT NULL DEFAULT true,
    justification text,
    weight        double precision NOT NULL DEFAULT 1 CHECK (weight > 0),
    PRIMARY KEY (schema_id, version, control_id),
    FOREIGN KEY (schema_id, version) REFERENCES schemas (schema_id, version) ON DELETE CASCADE,
    CHECK (applicable OR length(btrim(coalesce(justification, ''))) > 0)
);

CREATE TABLE schema_subcontrols (
    schema_id     text NOT NULL,
    version       int  NOT NULL,
    subcontrol_id text NOT NULL REFERENCES subcontrols (id),
    applicable    boolean NOT NULL DEFAULT true,
    justification text,
    weight        double precision NOT NULL CHECK (weight > 0),
    effort        smallint NOT NULL CHECK (effort BETWEEN 1 AND 5),
    PRIMARY KEY (schema_id, version, subcontrol_id),
    FOREIGN KEY (schema_id, version) REFERENCES schemas (schema_id, version) ON DELETE CASCADE,
    CHECK (applicable OR length(btrim(coalesce(justification, ''))) > 0)
);

CREATE TABLE schema_threats (
    schema_id  text NOT NULL,
    version    int  NOT NULL,
    threat_id  text NOT NULL REFERENCES threats (id),
    likelihood double precision NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    dimensions text NOT NULL CHECK (dimensions IN ('C', 'I', 'A', 'CI', 'CA', 'IA', 'CIA')),
    PRIMARY KEY (schema_id, version, threat_id),
    FOREIGN KEY (schema_id, version) REFERENCES schemas (schema_id, version) ON DELETE CASCADE
);

CREATE TABLE schema_asset_type_threats (
    schema_id     text NOT NULL,
    version       int  NOT NULL,
    asset_type_id text NOT NULL REFERENCES asset_types (id),
    threat_id     text NOT NULL,
    degradation   double precision NOT NULL CHECK (degradation > 0 AND degradation <= 1),
    PRIMARY KEY (schema_id, version, asset_type_id, threat_id),
    FOREIGN KEY (schema_id, version, threat_id) REFERENCES schema_threats (schema_id, version, threat_id) ON DELETE CASCADE
);

CREATE TABLE schema_mitigations (
    schema_id     text NOT NULL,
    version       int  NOT NULL,
    threat_id     text NOT NULL,
    control_id    text NOT NULL,
    effectiveness double precision NOT NULL CHECK (effectiveness >= 0 AND effectiveness <= 1),
    PRIMARY KEY (schema_id, version, threat_id, control_id),
    FOREIGN KEY (schema_id, version, threat_id) REFERENCES schema_threats (schema_id, version, threat_id) ON DELETE CASCADE,
    FOREIGN KEY (schema_id, version, control_id) REFERENCES schema_controls (schema_id, version, control_id) ON DELETE CASCADE
);

CREATE TABLE schema_metrics (
    schema_id   text NOT NULL,
    version     int  NOT NULL,
    metric_id   text NOT NULL REFERENCES metrics (id),
    enabled     boolean NOT NULL DEFAULT true,
    aggregation text NOT NULL CHECK (aggregation IN ('last', 'mean', 'min', 'max')),
    window_s    bigint NOT NULL CHECK (window_s > 0),
    target      double precision NOT NULL,
    threshold   double precision NOT NULL,
    max_age_s   bigint NOT NULL CHECK (max_age_s > 0),
    PRIMARY KEY (schema_id, version, metric_id),
    FOREIGN KEY (schema_id, version) REFERENCES schemas (schema_id, version) ON DELETE CASCADE,
    CHECK (target <> threshold)
);

CREATE TABLE schema_metric_controls (
    schema_id  text NOT NULL,
    version    int  NOT NULL,
    metric_id  text NOT NULL,
    control_id text NOT NULL,
    weight     double precision NOT NULL CHECK (weight > 0),
    PRIMARY KEY (schema_id, version, metric_id, control_id),
    FOREIGN KEY (schema_id, version, metric_id) REFERENCES schema_metrics (schema_id, version, metric_id) ON DELETE CASCADE,
    FOREIGN KEY (schema_id, version, control_id) REFERENCES schema_controls (schema_id, version, control_id) ON DELETE CASCADE
);

CREATE TABLE schema_artefacts (
    schema_id   text NOT NULL,
    version     int  NOT NULL,
    artefact_id text NOT NULL REFERENCES artefacts (id),
    required    boolean NOT NULL DEFAULT true,
    PRIMARY KEY (schema_id, version, artefact_id),
    FOREIGN KEY (schema_id, version) REFERENCES schemas (schema_id, version) ON DELETE CASCADE
);

-- Copy every table of schema (src_id, src_version) to (dst_id, dst_version); the
-- schemas row itself is written by the caller. Internal helper.
CREATE FUNCTION ims_copy_schema_content(src_id text, src_version int, dst_id text, dst_version int)
RETURNS void
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO schema_systems (schema_id, version, system_id, enabled, weight)
    SELECT dst_id, dst_version, s.system_id, s.enabled, s.weight
      FROM schema_systems s WHERE s.schema_id = src_id AND s.version = src_version;

    INSERT INTO schema_frameworks (schema_id, version, framework_id, enabled)
    SELECT dst_id, dst_version, s.framework_id, s.enabled
      FROM schema_frameworks s WHERE s.schema_id = src_id AND s.version = src_version;

    INSERT INTO schema_controls (schema_id, version, control_id, applicable, justification, weight)
    SELECT dst_id, dst_version, s.control_id, s.applicable, s.justification, s.weight
      FROM schema_controls s WHERE s.schema_id = src_id AND s.version = src_version;

    INSERT INTO schema_subcontrols (schema_id, version, subcontrol_id, applicable, justification, weight, effort)
    SELECT dst_id, dst_version, s.subcontrol_id, s.applicable, s.justification, s.weight, s.effort
      FROM schema_subcontrols s WHERE s.schema_id = src_id AND s.version = src_version;

    INSERT INTO schema_threats (schema_id, version, threat_id, likelihood, dimensions)
    SELECT dst_id, dst_version, s.threat_id, s.likelihood, s.dimensions
      FROM schema_threats s WHERE s.schema_id = src_id AND s.version = src_version;

    INSERT INTO schema_asset_type_threats (schema_id, version, asset_type_id, threat_id, degradation)
    SELECT dst_id, dst_version, s.asset_type_id, s.threat_id, s.degradation
      FROM schema_asset_type_threats s WHERE s.schema_id = src_id AND s.version = src_version;

    INSERT INTO schema_mitigations (schema_id, version, threat_id, control_id, effectiveness)
    SELECT dst_id, dst_version, s.threat_id, s.control_id, s.effectiveness
      FROM schema_mitigations s WHERE s.schema_id = src_id AND s.version = src_version;

    INSERT INTO schema_metrics (schema_id, version, metric_id, enabled, aggregation, window_s,
                                target, threshold, max_age_s)
    SELECT dst_id, dst_version, s.metric_id, s.enabled, s.aggregation, s.window_s,
           s.target, s.threshold, s.max_age_s
      FROM schema_metrics s WHERE s.schema_id = src_id AND s.version = src_version;

    INSERT INTO schema_metric_controls (schema_id, version, metric_id, control_id, weight)
    SELECT dst_id, dst_version, s.metric_id, s.control_id, s.weight
      FROM schema_metric_controls s WHERE s.schema_id = src_id AND s.version = src_version;

    INSERT INTO schema_artefacts (schema_id, version, artefact_id, required)
    SELECT dst_id, dst_version, s.artefact_id, s.required
      FROM schema_artefacts s WHERE s.schema_id = src_id AND s.version = src_version;
END;
$$;

-- Clone (src_id, src_version) into a new schema new_id, version 1, whose parent is
-- the source. Sector and size band are inherited; change them afterwards if needed.
CREATE FUNCTION ims_clone_schema(src_id text, src_version int, new_id text, new_name text)
RETURNS TABLE (schema_id text, version int)
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    src schemas%ROWTYPE;
BEGIN
    SELECT * INTO src FROM schemas s WHERE s.schema_id = src_id AND s.version = src_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'schema %/% does not exist', src_id, src_version
            USING ERRCODE = 'no_data_found';
    END IF;
    IF EXISTS (SELECT 1 FROM schemas s WHERE s.schema_id = new_id) THEN
        RAISE EXCEPTION 'schema % already exists', new_id USING ERRCODE = 'unique_violation';
    END IF;

    INSERT INTO schemas (schema_id, version, parent_id, parent_version, name, description,
                         sector, size_band, beta, gamma, half_life_days, cap_major_nc,
                         cap_minor_nc, theta, beta_risk, beta_bcms, likelihood_window_days,
                         review_window_days, appetite)
    VALUES (new_id, 1, src.schema_id, src.version, new_name, src.description,
            src.sector, src.size_band, src.beta, src.gamma, src.half_life_days, src.cap_major_nc,
            src.cap_minor_nc, src.theta, src.beta_risk, src.beta_bcms, src.likelihood_window_days,
            src.review_window_days, src.appetite);

    PERFORM ims_copy_schema_content(src_id, src_version, new_id, 1);

    schema_id := new_id;
    version := 1;
    RETURN NEXT;
END;
$$;

-- Make version n+1 of p_schema_id as a copy of its latest version n.
CREATE FUNCTION ims_new_schema_version(p_schema_id text)
RETURNS TABLE (schema_id text, version int)
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    src schemas%ROWTYPE;
BEGIN
    -- Lock the latest version so two concurrent callers serialize; the loser then
    -- fails on the primary key instead of silently skipping a number.
    SELECT * INTO src FROM schemas s
     WHERE s.schema_id = p_schema_id
     ORDER BY s.version DESC LIMIT 1
     FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'schema % does not exist', p_schema_id USING ERRCODE = 'no_data_found';
    END IF;

    INSERT INTO schemas (schema_id, version, parent_id, parent_version, name, description,
                         sector, size_band, beta, gamma, half_life_days, cap_major_nc,
                         cap_minor_nc, theta, beta_risk, beta_bcms, likelihood_window_days,
                         review_window_days, appetite)
    VALUES (src.schema_id, src.version + 1, src.schema_id, src.version, src.name, src.description,
            src.sector, src.size_band, src.beta, src.gamma, src.half_life_days, src.cap_major_nc,
            src.cap_minor_nc, src.theta, src.beta_risk, src.beta_bcms, src.likelihood_window_days,
            src.review_window_days, src.appetite);

    PERFORM ims_copy_schema_content(src.schema_id, src.version, src.schema_id, src.version + 1);

    schema_id := src.schema_id;
    version := src.version + 1;
    RETURN NEXT;
END;
$$;

-- The most specific schema for a company, at its latest version:
--   1. a schema for exactly this sector and size band;
--   2. a schema for this sector with no size band (any size);
--   3. 'base' (or, failing that, any schema with neither sector nor size band).
-- Among several candidates of one rank the most recently created wins, then the id.
CREATE FUNCTION ims_best_schema(p_sector text, p_size_band text)
RETURNS TABLE (schema_id text, version int)
LANGUAGE sql STABLE
SET search_path = public, pg_temp
AS $$
    WITH latest AS (
        SELECT DISTINCT ON (s.schema_id) s.schema_id, s.version, s.sector, s.size_band, s.created_at
          FROM schemas s
         ORDER BY s.schema_id, s.version DESC
    ), ranked AS (
        SELECT l.schema_id, l.version, l.created_at,
               CASE
                   WHEN l.sector = p_sector AND l.size_band = p_size_band THEN 1
                   WHEN l.sector = p_sector AND l.size_band IS NULL THEN 2
                   WHEN l.schema_id = 'base' THEN 3
                   WHEN l.sector IS NULL AND l.size_band IS NULL THEN 4
               END AS rank
          FROM latest l
    )
    SELECT r.schema_id, r.version
      FROM ranked r
     WHERE r.rank IS NOT NULL
     ORDER BY r.rank, r.created_at DESC, r.schema_id
     LIMIT 1
$$;

REVOKE EXECUTE ON FUNCTION ims_copy_schema_content(text, int, text, int) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims_clone_schema(text, int, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims_new_schema_version(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims_best_schema(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_copy_schema_content(text, int, text, int) TO ims_app;
GRANT EXECUTE ON FUNCTION ims_clone_schema(text, int, text, text) TO ims_app;
GRANT EXECUTE ON FUNCTION ims_new_schema_version(text) TO ims_app;
GRANT EXECUTE ON FUNCTION ims_best_schema(text, text) TO ims_app;

-- Operators curate schemas through the daemon: it may read and edit schema content.
GRANT SELECT, INSERT, UPDATE, DELETE ON schemas, schema_systems, schema_frameworks,
    schema_controls, schema_subcontrols, schema_threats, schema_asset_type_threats,
    schema_mitigations, schema_metrics, schema_metric_controls, schema_artefacts
    TO ims_app;
