-- Global catalog: management systems, frameworks, domains, controls, sub-controls,
-- the risk catalog (threats, asset types, degradation, mitigation), metric
-- definitions, master tables and the artefacts library.
-- Reference tables: shared by every tenant, no row-level security, read-only for
-- the daemon. Rows carry the catalog release that introduced them (since_release)
-- and, once withdrawn, the release that retired them (retired_release); rows are
-- never deleted so that old schema versions and tenants keep resolving.

CREATE TABLE catalog_releases (
    release     int PRIMARY KEY CHECK (release > 0),
    released_at timestamptz NOT NULL DEFAULT now(),
    note        text NOT NULL
);

-- Master tables ---------------------------------------------------------------

CREATE TABLE management_systems (
    id    text PRIMARY KEY CHECK (id IN ('ISMS', 'BCMS', 'RMS')),
    name  text NOT NULL,
    default_weight double precision NOT NULL CHECK (default_weight >= 0)
);

CREATE TABLE sectors (
    id   text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]*$'),
    name text NOT NULL
);

CREATE TABLE size_bands (
    id        text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]*$'),
    name      text NOT NULL,
    min_staff int  NOT NULL CHECK (min_staff >= 0),
    max_staff int  CHECK (max_staff IS NULL OR max_staff > min_staff)  -- exclusive upper bound
);

CREATE TABLE maturity_levels (
    level       smallint PRIMARY KEY CHECK (level BETWEEN 1 AND 3),
    name        text NOT NULL,
    description text NOT NULL
);

CREATE TABLE roles (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]*$'),
    name        text NOT NULL,
    description text NOT NULL
);

-- ISO/IEC 27005 style 5x5 grid: risk level at (likelihood, impact).
CREATE TABLE risk_levels (
    level smallint PRIMARY KEY CHECK (level BETWEEN 1 AND 5),
    name  text NOT NULL,
    color text NOT NULL CHECK (color ~ '^#[0-9A-F]{6}$')
);

CREATE TABLE risk_grid (
    likelihood smallint NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    impact     smallint NOT NULL CHECK (impact BETWEEN 1 AND 5),
    level      smallint NOT NULL REFERENCES risk_levels (level),
    PRIMARY KEY (likelihood, impact)
);

-- Frameworks, domains, controls, sub-controls ---------------------------------

CREATE TABLE frameworks (
    id        text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]*$'),
    system_id text NOT NULL REFERENCES management_systems (id),
    name      text NOT NULL,
    edition   text NOT NULL,
    since_release   int NOT NULL DEFAULT 1 REFERENCES catalog_releases (release),
    retired_release int REFERENCES catalog_releases (release)
);

CREATE TABLE domains (
    id           text PRIMARY KEY,             -- e.g. 'A.5', '27001-9', '31000-6'
    framework_id text NOT NULL REFERENCES frameworks (id),
    code         text NOT NULL,                -- the number inside its framework: '5', '9'
    title        text NOT NULL,
    sort_order   int  NOT NULL,
    UNIQUE (framework_id, code)
);

CREATE TABLE controls (
    id           text PRIMARY KEY CHECK (id ~ '^(A\.[5-8]\.[0-9]+|(27001|22301|31000)-[0-9]+(\.[0-9]+)*)$'),
    framework_id text NOT NULL REFERENCES frameworks (id),
    domain_id    text NOT NULL REFERENCES domains (id),
    code         text NOT NULL,                -- as printed in the standard: '5.1', '8.2.2'
    title        text NOT NULL,
    harmonized   text,                         -- harmonized-structure clause it answers ('9.2'), NULL if discipline-specific
    sort_order   int  NOT NULL,
    since_release   int NOT NULL DEFAULT 1 REFERENCES catalog_releases (release),
    retired_release int REFERENCES catalog_releases (release),
    UNIQUE (framework_id, code)
);
CREATE INDEX controls_domain_idx ON controls (domain_id);

CREATE TABLE subcontrols (
    id       text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9.]+(-[0-9.]+)*-[0-9]+$'),
    question text NOT NULL CHECK (length(question) BETWEEN 10 AND 400),
    level    smallint NOT NULL REFERENCES maturity_levels (level),
    weight   smallint NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 5),
    effort   smallint NOT NULL CHECK (effort BETWEEN 1 AND 5),
    since_release   int NOT NULL DEFAULT 1 REFERENCES catalog_releases (release),
    retired_release int REFERENCES catalog_releases (release)
);

-- A sub-control may serve several controls (harmonized clauses): one answer counts
-- for every control that holds it.
CREATE TABLE subcontrol_controls (
    subcontrol_id text NOT NULL REFERENCES subcontrols (id),
    control_id    text NOT NULL REFERENCES controls (id),
    PRIMARY KEY (subcontrol_id, control_id)
);
CREATE INDEX subcontrol_controls_control_idx ON subcontrol_controls (control_id);

-- Risk catalog -------------------------------------------------------------------

CREATE TABLE threat_families (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    sort_order int  NOT NULL
);

CREATE TABLE threats (
    id         text PRIMARY KEY CHECK (id ~ '^T\.[a-z][a-z0-9_]*$'),
    family_id  text NOT NULL REFERENCES threat_families (id),
    name       text NOT NULL,
    dimensions text NOT NULL CHECK (dimensions IN ('C', 'I', 'A', 'CI', 'CA', 'IA', 'CIA')),
    likelihood smallint NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    description text NOT NULL,
    since_release   int NOT NULL DEFAULT 1 REFERENCES catalog_releases (release),
    retired_release int REFERENCES catalog_releases (release)
);

CREATE TABLE asset_types (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]*$'),
    name        text NOT NULL,
    description text NOT NULL
);

-- degradation delta in (0, 1]: the share of an asset's value a threat destroys.
CREATE TABLE asset_type_threats (
    asset_type_id text NOT NULL REFERENCES asset_types (id),
    threat_id     text NOT NULL REFERENCES threats (id),
    degradation   double precision NOT NULL CHECK (degradation > 0 AND degradation <= 1),
    PRIMARY KEY (asset_type_id, threat_id)
);

-- effectiveness epsilon in [0, 1] of a control against a threat.
CREATE TABLE mitigations (
    threat_id     text NOT NULL REFERENCES threats (id),
    control_id    text NOT NULL REFERENCES controls (id),
    effectiveness double precision NOT NULL CHECK (effectiveness >= 0 AND effectiveness <= 1),
    PRIMARY KEY (threat_id, control_id)
);
CREATE INDEX mitigations_control_idx ON mitigations (control_id);

-- Metrics (ISO/IEC 27004 style) ----------------------------------------------------

CREATE TABLE metrics (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]*$'),
    name        text NOT NULL,
    description text NOT NULL,
    unit        text NOT NULL,
    aggregation text NOT NULL CHECK (aggregation IN ('last', 'mean', 'min', 'max')),
    window_s    bigint NOT NULL CHECK (window_s > 0),
    target      double precision NOT NULL,   -- T
    threshold   double precision NOT NULL,   -- K, critical threshold
    max_age_s   bigint NOT NULL CHECK (max_age_s > 0),
    since_release   int NOT NULL DEFAULT 1 REFERENCES catalog_releases (release),
    retired_release int REFERENCES catalog_releases (release),
    CHECK (target <> threshold)
);

CREATE TABLE metric_controls (
    metric_id  text NOT NULL REFERENCES metrics (id),
    control_id text NOT NULL REFERENCES controls (id),
    weight     double precision NOT NULL DEFAULT 1 CHECK (weight > 0),
    PRIMARY KEY (metric_id, control_id)
);

-- Artefacts library ------------------------------------------------------------------

CREATE TABLE artefacts (
    id          text PRIMARY KEY CHECK (id ~ '^ART\.[a-z][a-z0-9_]*$'),
    kind        text NOT NULL CHECK (kind IN ('policy', 'procedure', 'template', 'record', 'instruction')),
    name        text NOT NULL,
    description text NOT NULL,
    owner_role  text REFERENCES roles (id),
    since_release   int NOT NULL DEFAULT 1 REFERENCES catalog_releases (release),
    retired_release int REFERENCES catalog_releases (release)
);

CREATE TABLE artefact_controls (
    artefact_id text NOT NULL REFERENCES artefacts (id),
    control_id  text NOT NULL REFERENCES controls (id),
    PRIMARY KEY (artefact_id, control_id)
);

GRANT SELECT ON catalog_releases, management_systems, sectors, size_bands, maturity_levels,
    roles, risk_levels, risk_grid, frameworks, domains, controls, subcontrols,
    subcontrol_controls, threat_families, threats, asset_types, asset_type_threats,
    mitigations, metrics, metric_controls, artefacts, artefact_controls
    TO ims_app;
