-- Check and Act of the management system (docs/act.md): the audit programme and its audits,
-- awards of a maturity level (certification by levels), management reviews, objectives,
-- and one tracker of corrective, preventive and improvement actions whatever raised them.
-- The corrective actions of findings (0051) move into the tracker with their ids.

CREATE TABLE audits (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    audit_id     text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('internal', 'external', 'certification',
                                               'maturity-level', 'supplier')),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    frameworks   text[] NOT NULL DEFAULT '{}',
    controls     text[] NOT NULL DEFAULT '{}',
    processes    text[] NOT NULL DEFAULT '{}',
    planned_at   timestamptz NOT NULL,
    held_at      timestamptz,
    auditor      text NOT NULL DEFAULT '' CHECK (length(auditor) <= 200),
    status       text NOT NULL CHECK (status IN ('planned', 'in_progress', 'reported', 'closed')),
    report       text NOT NULL DEFAULT '' CHECK (length(report) <= 20000),
    evidence     text[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, audit_id),
    CHECK ((status = 'planned') = (held_at IS NULL))
);

ALTER TABLE findings ADD COLUMN audit_id text, ADD COLUMN incident_id text,
    ADD FOREIGN KEY (tenant_id, audit_id) REFERENCES audits (tenant_id, audit_id),
    ADD FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, incident_id);

-- One tracker. source_kind names what raised the action, source_id which one of it;
-- 'none' is an improvement raised on its own.
CREATE TABLE actions (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    action_id     text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('corrective', 'preventive', 'improvement')),
    source_kind   text NOT NULL CHECK (source_kind IN ('finding', 'incident', 'review', 'treatment',
                                                       'plan', 'objective', 'none')),
    source_id     text NOT NULL DEFAULT '' CHECK (length(source_id) <= 200),
    description   text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    owner         text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
    due           timestamptz NOT NULL,
    root_cause    text NOT NULL DEFAULT '' CHECK (length(root_cause) <= 4000),
    status        text NOT NULL CHECK (status IN ('open', 'done', 'verified', 'cancelled')),
    done_at       timestamptz,
    verification  text NOT NULL DEFAULT '' CHECK (length(verification) <= 4000),
    verified_by   text NOT NULL DEFAULT '',
    cancel_reason text NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 4000),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, action_id),
    CHECK (status <> 'cancelled' OR cancel_reason <> ''),
    CHECK ((source_kind = 'none') = (source_id = ''))
);
CREATE INDEX actions_source ON actions (tenant_id, source_kind, source_id);

-- The rows are copied tenant by tenant: the migration's role is subject to the tables'
-- row-level security, so each tenant's rows are visible only while it is the current one.
-- The old table goes only when every row it held is in the new one.
DO $$
DECLARE
    t uuid;
    copied bigint := 0;
    n bigint;
    held bigint := 0;
BEGIN
    PERFORM set_config('ims.all_tenants', 'on', true);
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('ims.tenant_id', t::text, true);
        INSERT INTO actions (tenant_id, action_id, kind, source_kind, source_id, description,
                             owner, due, status, done_at, created_at, updated_at)
        SELECT tenant_id, action_id, 'corrective', 'finding', finding_id, description, owner,
               due, status, CASE WHEN status <> 'open' THEN updated_at END, updated_at,
               updated_at
          FROM corrective_actions
         WHERE tenant_id = t;
        GET DIAGNOSTICS n = ROW_COUNT;
        copied := copied + n;
        held := held + (SELECT count(*) FROM corrective_actions WHERE tenant_id = t);
    END LOOP;
    PERFORM set_config('ims.tenant_id', '', true);
    PERFORM set_config('ims.all_tenants', '', true);
    IF copied <> held THEN
        RAISE EXCEPTION 'corrective actions: % copied of %', copied, held;
    END IF;
END
$$;
DROP TABLE corrective_actions;

-- A level awarded by an auditor when the computed maturity reached it. framework '' is the
-- whole tenant. below_since: since when the computed maturity is below the level.
CREATE TABLE awards (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    award_id        text NOT NULL,
    level           smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
    framework       text NOT NULL DEFAULT '',
    awarded_at      timestamptz NOT NULL DEFAULT now(),
    auditor         text NOT NULL CHECK (length(auditor) BETWEEN 1 AND 200),
    expires_at      timestamptz NOT NULL,
    revision        bigint NOT NULL,
    maturity        smallint NOT NULL,
    status          text NOT NULL CHECK (status IN ('active', 'suspended', 'withdrawn')),
    status_reason   text NOT NULL DEFAULT '' CHECK (length(status_reason) <= 4000),
    below_since     timestamptz,
    grace_days      int NOT NULL DEFAULT 30 CHECK (grace_days BETWEEN 0 AND 3650),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, award_id),
    CHECK (expires_at > awarded_at)
);

-- A management review: its inputs frozen when it was held, its decisions; the actions it
-- raised are actions with source_kind 'review'.
CREATE TABLE reviews (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    review_id   text NOT NULL,
    held_at     timestamptz NOT NULL DEFAULT now(),
    chair       text NOT NULL CHECK (length(chair) BETWEEN 1 AND 200),
    attendees   text[] NOT NULL DEFAULT '{}',
    inputs      jsonb NOT NULL,
    decisions   text NOT NULL DEFAULT '' CHECK (length(decisions) <= 20000),
    held_by     text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, review_id)
);

-- Objectives (clause 6.2): the status is computed from the linked metrics' latest samples.
CREATE TABLE objectives (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    objective_id text NOT NULL CHECK (objective_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    owner        text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
    tier         text NOT NULL CHECK (tier IN ('strategic', 'functional', 'operational')),
    target       double precision NOT NULL CHECK (target > 0 AND target <= 1),
    due          timestamptz NOT NULL,
    metrics      text[] NOT NULL CHECK (cardinality(metrics) BETWEEN 1 AND 16),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, objective_id)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['audits', 'actions', 'awards', 'reviews', 'objectives'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = ims_current_tenant()) '
                       'WITH CHECK (tenant_id = ims_current_tenant())', t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE ON audits, actions, awards, reviews, objectives TO ims_app;
