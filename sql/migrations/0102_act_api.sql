-- What the Improvement service (proto/ims/v1/improvement.proto) does in the database: each
-- change is one function that checks its input against the tenant's records and writes,
-- answering with a row of the *_rows views, whose columns are the message's fields.
-- Refusals: 22023 (invalid argument, "field: reason"), P0002 (not found), 55000 (not in a
-- state that allows it). Everything runs as the caller, under row-level security.

CREATE VIEW action_rows WITH (security_invoker = true) AS
SELECT tenant_id, action_id AS id, kind, source_kind, source_id, description, owner,
       ims_rfc3339(due) AS due, root_cause, status, coalesce(ims_rfc3339(done_at), '') AS done_at,
       verification, verified_by, cancel_reason, (status = 'open' AND due < now()) AS overdue,
       ims_rfc3339(created_at) AS created_at, ims_rfc3339(updated_at) AS updated_at
  FROM actions;

CREATE VIEW audit_rows WITH (security_invoker = true) AS
SELECT a.tenant_id, a.audit_id AS id, a.kind, a.title, a.frameworks, a.controls, a.processes,
       ims_rfc3339(a.planned_at) AS planned_at, coalesce(ims_rfc3339(a.held_at), '') AS held_at,
       a.auditor, a.status, a.report, a.evidence,
       (a.status = 'planned' AND a.planned_at < now()) AS overdue,
       (SELECT count(*) FROM findings f WHERE f.tenant_id = a.tenant_id AND f.audit_id = a.audit_id)::int
           AS findings,
       ims_rfc3339(a.created_at) AS created_at, ims_rfc3339(a.updated_at) AS updated_at
  FROM audits a;

CREATE VIEW award_rows WITH (security_invoker = true) AS
SELECT tenant_id, award_id AS id, level, framework, ims_rfc3339(awarded_at) AS awarded_at, auditor,
       ims_rfc3339(expires_at) AS expires_at, revision, maturity, status, status_reason,
       coalesce(ims_rfc3339(below_since), '') AS below_since, grace_days,
       ims_rfc3339(updated_at) AS updated_at
  FROM awards;

CREATE VIEW review_rows WITH (security_invoker = true) AS
SELECT r.tenant_id, r.review_id AS id, ims_rfc3339(r.held_at) AS held_at, r.chair, r.attendees,
       r.inputs::text AS inputs, r.decisions, r.held_by,
       coalesce((SELECT array_agg(a.action_id ORDER BY a.action_id) FROM actions a
                  WHERE a.tenant_id = r.tenant_id AND a.source_kind = 'review'
                    AND a.source_id = r.review_id), '{}') AS actions
  FROM reviews r;

-- An objective's actual: the mean, over its metrics that have a sample, of the indicator of
-- the latest sample, clamp((v - K) / (T - K), 0, 1) with the tenant's target T and threshold K.
CREATE VIEW objective_rows WITH (security_invoker = true) AS
WITH q AS (
    SELECT o.tenant_id, o.objective_id,
           avg(least(1, greatest(0, (s.value - tm.threshold) / (tm.target - tm.threshold)))) AS actual
      FROM objectives o
      CROSS JOIN LATERAL unnest(o.metrics) m
      JOIN tenant_metrics tm ON tm.tenant_id = o.tenant_id AND tm.metric_id = m
      CROSS JOIN LATERAL (SELECT value FROM metric_samples ms
                           WHERE ms.tenant_id = o.tenant_id AND ms.metric_id = m AND ms.at <= now()
                           ORDER BY ms.at DESC LIMIT 1) s
     GROUP BY o.tenant_id, o.objective_id
)
SELECT o.tenant_id, o.objective_id AS id, o.title, o.owner, o.tier, o.target, ims_rfc3339(o.due) AS due,
       o.metrics, coalesce(q.actual, 0)::double precision AS actual,
       CASE WHEN q.actual IS NULL THEN 'no_data'
            WHEN q.actual >= o.target - 1e-9 THEN 'met'
            WHEN o.due < now() THEN 'missed'
            WHEN q.actual >= 0.9 * o.target THEN 'on_track'
            ELSE 'at_risk' END AS status,
       ims_rfc3339(o.updated_at) AS updated_at
  FROM objectives o LEFT JOIN q ON q.tenant_id = o.tenant_id AND q.objective_id = o.objective_id;

GRANT SELECT ON action_rows, audit_rows, award_rows, review_rows, objective_rows TO ims_app;

CREATE FUNCTION ims_act_fail(p_code text, p_message text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', p_message USING ERRCODE = p_code;
END
$$;

CREATE FUNCTION ims_act_time(p_field text, p_value text) RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
    IF p_value !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$' THEN
        PERFORM ims_act_fail('22023', p_field || ': not an RFC 3339 time');
    END IF;
    RETURN p_value::timestamptz;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    PERFORM ims_act_fail('22023', p_field || ': not an RFC 3339 time');
    RETURN NULL;
END
$$;

-- Actions ----------------------------------------------------------------------------

-- Checks that the source of an action exists (and a finding is open).
CREATE FUNCTION ims_action_source_check(p_tenant uuid, p_kind text, p_id text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    st text;
BEGIN
    IF p_kind = 'none' THEN
        IF p_id <> '' THEN
            PERFORM ims_act_fail('22023', 'action.source_id: must be empty when source_kind is none');
        END IF;
        RETURN;
    END IF;
    IF p_id = '' THEN
        PERFORM ims_act_fail('22023', 'action.source_id: required with source_kind ' || p_kind);
    END IF;
    IF p_kind = 'finding' THEN
        SELECT status INTO st FROM findings WHERE tenant_id = p_tenant AND finding_id = p_id;
        IF st IS NULL THEN
            PERFORM ims_act_fail('22023', 'action.source_id: no finding ' || p_id);
        ELSIF st <> 'open' THEN
            PERFORM ims_act_fail('55000', 'action.source_id: finding ' || p_id || ' is closed');
        END IF;
    ELSIF p_kind = 'incident' THEN
        PERFORM 1 FROM incidents WHERE tenant_id = p_tenant AND incident_id = p_id;
        IF NOT FOUND THEN PERFORM ims_act_fail('22023', 'action.source_id: no incident ' || p_id); END IF;
    ELSIF p_kind = 'review' THEN
        PERFORM 1 FROM reviews WHERE tenant_id = p_tenant AND review_id = p_id;
        IF NOT FOUND THEN PERFORM ims_act_fail('22023', 'action.source_id: no review ' || p_id); END IF;
    ELSIF p_kind = 'objective' THEN
        PERFORM 1 FROM objectives WHERE tenant_id = p_tenant AND objective_id = p_id;
        IF NOT FOUND THEN PERFORM ims_act_fail('22023', 'action.source_id: no objective ' || p_id); END IF;
    ELSIF p_kind = 'treatment' THEN
        PERFORM 1 FROM risk_treatments WHERE tenant_id = p_tenant
           AND asset_id || ':' || threat_id = p_id;
        IF NOT FOUND THEN
            PERFORM ims_act_fail('22023', 'action.source_id: no risk treatment ' || p_id
                                 || ' (ASSET:THREAT of a treated pair)');
        END IF;
    ELSIF p_kind = 'plan' THEN
        -- An improvement-plan step names a sub-control, a finding or an artefact of the tenant.
        PERFORM 1 WHERE EXISTS (SELECT 1 FROM tenant_subcontrols WHERE tenant_id = p_tenant AND subcontrol_id = p_id)
                     OR EXISTS (SELECT 1 FROM findings WHERE tenant_id = p_tenant AND finding_id = p_id)
                     OR EXISTS (SELECT 1 FROM artefacts WHERE id = p_id);
        IF NOT FOUND THEN
            PERFORM ims_act_fail('22023', 'action.source_id: ' || p_id
                                 || ' is not a sub-control, finding or artefact of an improvement-plan step');
        END IF;
    ELSE
        PERFORM ims_act_fail('22023', 'action.source_kind: must be finding, incident, review, treatment, plan, objective or none');
    END IF;
END
$$;

CREATE FUNCTION ims_action_raise(p_tenant uuid, p_id text, p_kind text, p_source_kind text,
                                 p_source_id text, p_description text, p_owner text, p_due text,
                                 p_root_cause text)
    RETURNS SETOF action_rows LANGUAGE plpgsql AS $$
BEGIN
    IF p_kind NOT IN ('corrective', 'preventive', 'improvement') THEN
        PERFORM ims_act_fail('22023', 'action.kind: must be corrective, preventive or improvement');
    END IF;
    IF p_root_cause <> '' AND p_kind <> 'corrective' THEN
        PERFORM ims_act_fail('22023', 'action.root_cause: only a corrective action has a root cause');
    END IF;
    PERFORM ims_action_source_check(p_tenant, p_source_kind, p_source_id);
    INSERT INTO actions (tenant_id, action_id, kind, source_kind, source_id, description, owner,
                         due, root_cause, status)
    VALUES (p_tenant, p_id, p_kind, p_source_kind, p_source_id, p_description, p_owner,
            ims_act_time('action.due', p_due), p_root_cause, 'open');
    RETURN QUERY SELECT * FROM action_rows WHERE tenant_id = p_tenant AND id = p_id;
END
$$;

-- open -> done -> verified; done -> open (reopened); open|done -> cancelled (with a reason).
-- Verification is someone else's check: p_may_verify says whether the caller may.
CREATE FUNCTION ims_action_progress(p_tenant uuid, p_id text, p_status text, p_owner text,
                                    p_due text, p_root_cause text, p_note text, p_by text,
                                    p_may_verify boolean)
    RETURNS SETOF action_rows LANGUAGE plpgsql AS $$
DECLARE
    a actions%ROWTYPE;
    s text;
BEGIN
    SELECT * INTO a FROM actions WHERE tenant_id = p_tenant AND action_id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM ims_act_fail('P0002', 'id: no action ' || p_id);
    END IF;
    s := coalesce(nullif(p_status, ''), a.status);
    IF s NOT IN ('open', 'done', 'verified', 'cancelled') THEN
        PERFORM ims_act_fail('22023', 'status: must be open, done, verified or cancelled');
    END IF;
    IF a.status IN ('verified', 'cancelled') AND (s <> a.status OR p_owner <> '' OR p_due <> ''
                                                  OR p_root_cause <> '') THEN
        PERFORM ims_act_fail('55000', 'id: action ' || p_id || ' is ' || a.status);
    END IF;
    IF p_root_cause <> '' AND a.kind <> 'corrective' THEN
        PERFORM ims_act_fail('22023', 'root_cause: only a corrective action has a root cause');
    END IF;
    IF s <> a.status THEN
        IF s = 'verified' THEN
            IF a.status <> 'done' THEN
                PERFORM ims_act_fail('55000', 'status: an open action is done before it is verified');
            END IF;
            IF NOT p_may_verify THEN
                PERFORM ims_act_fail('42501', 'status: only an auditor or an operator verifies an action');
            END IF;
        ELSIF s = 'cancelled' AND coalesce(p_note, '') = '' THEN
            PERFORM ims_act_fail('22023', 'note: cancelling an action needs a reason');
        END IF;
    END IF;
    UPDATE actions SET status = s,
           owner = coalesce(nullif(p_owner, ''), owner),
           due = CASE WHEN p_due <> '' THEN ims_act_time('due', p_due) ELSE due END,
           root_cause = coalesce(nullif(p_root_cause, ''), root_cause),
           done_at = CASE WHEN s = 'open' THEN NULL WHEN s = 'done' AND a.status <> 'done' THEN now()
                          ELSE done_at END,
           verification = CASE WHEN s = 'verified' AND a.status <> 'verified' THEN p_note ELSE verification END,
           verified_by = CASE WHEN s = 'verified' AND a.status <> 'verified' THEN p_by ELSE verified_by END,
           cancel_reason = CASE WHEN s = 'cancelled' AND a.status <> 'cancelled' THEN p_note ELSE cancel_reason END,
           updated_at = now()
     WHERE tenant_id = p_tenant AND action_id = p_id;
    RETURN QUERY SELECT * FROM action_rows WHERE tenant_id = p_tenant AND id = p_id;
END
$$;

-- Audits -----------------------------------------------------------------------------

CREATE FUNCTION ims_audit_scope_check(p_tenant uuid, p_frameworks text[], p_controls text[],
                                      p_processes text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    x text;
BEGIN
    SELECT f INTO x FROM unnest(p_frameworks) f
     WHERE f NOT IN (SELECT unnest(frameworks) FROM tenant_params WHERE tenant_id = p_tenant) LIMIT 1;
    IF x IS NOT NULL THEN PERFORM ims_act_fail('22023', 'audit.frameworks: not a framework of the tenant: ' || x); END IF;
    SELECT c INTO x FROM unnest(p_controls) c
     WHERE c NOT IN (SELECT control_id FROM tenant_controls WHERE tenant_id = p_tenant) LIMIT 1;
    IF x IS NOT NULL THEN PERFORM ims_act_fail('22023', 'audit.controls: not a control of the tenant: ' || x); END IF;
    SELECT p INTO x FROM unnest(p_processes) p
     WHERE p NOT IN (SELECT process_id FROM processes WHERE tenant_id = p_tenant) LIMIT 1;
    IF x IS NOT NULL THEN PERFORM ims_act_fail('22023', 'audit.processes: no process ' || x); END IF;
END
$$;

CREATE FUNCTION ims_audit_plan(p_tenant uuid, p_id text, p_kind text, p_title text,
                               p_frameworks text[], p_controls text[], p_processes text[],
                               p_planned_at text, p_auditor text)
    RETURNS SETOF audit_rows LANGUAGE plpgsql AS $$
BEGIN
    IF p_kind NOT IN ('internal', 'external', 'certification', 'maturity-level', 'supplier') THEN
        PERFORM ims_act_fail('22023', 'audit.kind: must be internal, external, certification, maturity-level or supplier');
    END IF;
    PERFORM ims_audit_scope_check(p_tenant, p_frameworks, p_controls, p_processes);
    INSERT INTO audits (tenant_id, audit_id, kind, title, frameworks, controls, processes,
                        planned_at, auditor, status)
    VALUES (p_tenant, p_id, p_kind, p_title, p_frameworks, p_controls, p_processes,
            ims_act_time('audit.planned_at', p_planned_at), p_auditor, 'planned');
    RETURN QUERY SELECT * FROM audit_rows WHERE tenant_id = p_tenant AND id = p_id;
END
$$;

-- planned -> in_progress (held now; the auditor, if none was named, is p_by) -> reported
-- (a report is required) -> closed. A closed audit no longer changes.
CREATE FUNCTION ims_audit_update(p_tenant uuid, p_id text, p_status text, p_planned_at text,
                                 p_auditor text, p_report text, p_evidence text[], p_by text)
    RETURNS SETOF audit_rows LANGUAGE plpgsql AS $$
DECLARE
    a audits%ROWTYPE;
    s text;
    nxt text;
BEGIN
    SELECT * INTO a FROM audits WHERE tenant_id = p_tenant AND audit_id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM ims_act_fail('P0002', 'id: no audit ' || p_id);
    END IF;
    s := coalesce(nullif(p_status, ''), a.status);
    IF s NOT IN ('planned', 'in_progress', 'reported', 'closed') THEN
        PERFORM ims_act_fail('22023', 'status: must be planned, in_progress, reported or closed');
    END IF;
    IF a.status = 'closed' THEN
        PERFORM ims_act_fail('55000', 'id: audit ' || p_id || ' is closed');
    END IF;
    nxt := CASE a.status WHEN 'planned' THEN 'in_progress' WHEN 'in_progress' THEN 'reported'
                         ELSE 'closed' END;
    IF s <> a.status AND s <> nxt THEN
        PERFORM ims_act_fail('55000', 'status: a ' || a.status || ' audit goes to ' || nxt || ' next');
    END IF;
    IF p_planned_at <> '' AND a.status <> 'planned' THEN
        PERFORM ims_act_fail('55000', 'planned_at: the audit is no longer planned');
    END IF;
    IF (p_report <> '' OR cardinality(p_evidence) > 0) AND s NOT IN ('in_progress', 'reported') THEN
        PERFORM ims_act_fail('55000', 'report: an audit is reported once it is in progress');
    END IF;
    IF s = 'reported' AND coalesce(nullif(p_report, ''), a.report) = '' THEN
        PERFORM ims_act_fail('22023', 'report: required to report an audit');
    END IF;
    UPDATE audits SET status = s,
           planned_at = CASE WHEN p_planned_at <> '' THEN ims_act_time('planned_at', p_planned_at) ELSE planned_at END,
           held_at = CASE WHEN s = 'in_progress' AND a.status = 'planned' THEN now() ELSE held_at END,
           auditor = CASE WHEN p_auditor <> '' THEN p_auditor
                          WHEN auditor = '' AND s = 'in_progress' THEN p_by ELSE auditor END,
           report = coalesce(nullif(p_report, ''), report),
           evidence = CASE WHEN cardinality(p_evidence) > 0 THEN p_evidence ELSE evidence END,
           updated_at = now()
     WHERE tenant_id = p_tenant AND audit_id = p_id;
    RETURN QUERY SELECT * FROM audit_rows WHERE tenant_id = p_tenant AND id = p_id;
END
$$;

-- Awards -----------------------------------------------------------------------------

-- p_maturity and p_revision: the computed maturity of the scope and the tenant revision
-- the daemon read them at (the evidence snapshot).
CREATE FUNCTION ims_award_level(p_tenant uuid, p_id text, p_level int, p_framework text,
                                p_expires_at text, p_grace_days int, p_auditor text,
                                p_maturity int, p_revision bigint)
    RETURNS SETOF award_rows LANGUAGE plpgsql AS $$
BEGIN
    IF p_level NOT BETWEEN 1 AND 3 THEN
        PERFORM ims_act_fail('22023', 'level: must be 1, 2 or 3');
    END IF;
    IF p_framework <> '' AND NOT EXISTS (SELECT 1 FROM tenant_params WHERE tenant_id = p_tenant
                                                  AND p_framework = ANY (frameworks)) THEN
        PERFORM ims_act_fail('22023', 'framework: not a framework of the tenant: ' || p_framework);
    END IF;
    IF p_grace_days NOT BETWEEN 0 AND 3650 THEN
        PERFORM ims_act_fail('22023', 'grace_days: 0..3650');
    END IF;
    IF p_maturity < p_level THEN
        PERFORM ims_act_fail('55000', format('level: the computed maturity of %s is %s, below %s',
                             coalesce(nullif(p_framework, ''), 'the tenant'), p_maturity, p_level));
    END IF;
    IF EXISTS (SELECT 1 FROM awards WHERE tenant_id = p_tenant AND framework = p_framework
                  AND level = p_level AND status <> 'withdrawn' AND expires_at > now()) THEN
        PERFORM ims_act_fail('55000', 'level: this level is awarded already for this scope');
    END IF;
    INSERT INTO awards (tenant_id, award_id, level, framework, auditor, expires_at, revision,
                        maturity, status, grace_days)
    VALUES (p_tenant, p_id, p_level, p_framework, p_auditor,
            CASE WHEN p_expires_at = '' THEN now() + interval '3 years'
                 ELSE ims_act_time('expires_at', p_expires_at) END,
            p_revision, p_maturity, 'active', p_grace_days);
    RETURN QUERY SELECT * FROM award_rows WHERE tenant_id = p_tenant AND id = p_id;
END
$$;

-- An auditor reinstates a suspended award (only when nothing suspends it any more) or
-- withdraws an award.
CREATE FUNCTION ims_award_update(p_tenant uuid, p_id text, p_status text, p_reason text,
                                 p_maturity int)
    RETURNS SETOF award_rows LANGUAGE plpgsql AS $$
DECLARE
    w awards%ROWTYPE;
    why text;
BEGIN
    SELECT * INTO w FROM awards WHERE tenant_id = p_tenant AND award_id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM ims_act_fail('P0002', 'id: no award ' || p_id);
    END IF;
    IF p_status NOT IN ('active', 'withdrawn') THEN
        PERFORM ims_act_fail('22023', 'status: must be active (reinstate) or withdrawn');
    END IF;
    IF w.status = 'withdrawn' THEN
        PERFORM ims_act_fail('55000', 'id: award ' || p_id || ' is withdrawn');
    END IF;
    IF p_status = 'withdrawn' AND p_reason = '' THEN
        PERFORM ims_act_fail('22023', 'reason: withdrawing an award needs a reason');
    END IF;
    IF p_status = 'active' THEN
        IF w.status <> 'suspended' THEN
            PERFORM ims_act_fail('55000', 'status: only a suspended award is reinstated');
        END IF;
        why := ims_award_blocker(p_tenant, w.framework, w.level, p_maturity);
        IF why IS NOT NULL THEN
            PERFORM ims_act_fail('55000', 'status: cannot reinstate: ' || why);
        END IF;
    END IF;
    UPDATE awards SET status = p_status, status_reason = p_reason,
           below_since = CASE WHEN p_status = 'active' THEN NULL ELSE below_since END,
           updated_at = now()
     WHERE tenant_id = p_tenant AND award_id = p_id;
    RETURN QUERY SELECT * FROM award_rows WHERE tenant_id = p_tenant AND id = p_id;
END
$$;

-- What keeps an award of (framework, level) from standing now: an open major nonconformity
-- in its scope, or a computed maturity below the level; NULL when nothing does.
CREATE FUNCTION ims_award_blocker(p_tenant uuid, p_framework text, p_level int, p_maturity int)
    RETURNS text LANGUAGE sql STABLE AS $$
SELECT CASE
    WHEN EXISTS (SELECT 1 FROM findings f WHERE f.tenant_id = p_tenant AND f.type = 'major_nc'
                    AND f.status = 'open'
                    AND (p_framework = '' OR EXISTS (
                        SELECT 1 FROM unnest(f.controls) c JOIN controls k ON k.id = c
                         WHERE k.framework_id = p_framework)))
        THEN 'a major nonconformity is open in its scope'
    WHEN p_maturity < p_level THEN format('the computed maturity is %s', p_maturity)
END
$$;

-- The sweep of a tenant's active awards with the maturities the daemon computed now
-- (p_maturities: {"": tenant, "<framework>": ...}): an open major nonconformity in scope
-- suspends at once; a maturity below the level for longer than the award's grace suspends.
-- Returns the ids of the awards it suspended.
CREATE FUNCTION ims_awards_sweep(p_tenant uuid, p_maturities jsonb)
    RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    w awards%ROWTYPE;
    m int;
BEGIN
    FOR w IN SELECT * FROM awards WHERE tenant_id = p_tenant AND status = 'active'
              ORDER BY award_id FOR UPDATE LOOP
        m := coalesce((p_maturities ->> w.framework)::int, 0);
        IF ims_award_blocker(p_tenant, w.framework, w.level, 99) IS NOT NULL THEN
            UPDATE awards SET status = 'suspended', updated_at = now(),
                   status_reason = 'suspended: a major nonconformity is open in its scope'
             WHERE tenant_id = p_tenant AND award_id = w.award_id;
            RETURN NEXT w.award_id;
        ELSIF m >= w.level THEN
            IF w.below_since IS NOT NULL THEN
                UPDATE awards SET below_since = NULL, updated_at = now()
                 WHERE tenant_id = p_tenant AND award_id = w.award_id;
            END IF;
        ELSIF w.below_since IS NULL THEN
            UPDATE awards SET below_since = now(), updated_at = now()
             WHERE tenant_id = p_tenant AND award_id = w.award_id;
            IF w.grace_days = 0 THEN
                UPDATE awards SET status = 'suspended',
                       status_reason = format('suspended: the computed maturity is %s', m)
                 WHERE tenant_id = p_tenant AND award_id = w.award_id;
                RETURN NEXT w.award_id;
            END IF;
        ELSIF w.below_since + make_interval(days => w.grace_days) <= now() THEN
            UPDATE awards SET status = 'suspended', updated_at = now(),
                   status_reason = format('suspended: the computed maturity stayed at %s for %s days',
                                          m, w.grace_days)
             WHERE tenant_id = p_tenant AND award_id = w.award_id;
            RETURN NEXT w.award_id;
        END IF;
    END LOOP;
END
$$;

-- At once, with the change that opens a major nonconformity: the tenant's active awards
-- whose scope holds it are suspended (the sweep does the rest). Returns how many.
CREATE FUNCTION ims_awards_nc_check(p_tenant uuid) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    n int;
BEGIN
    UPDATE awards w SET status = 'suspended', updated_at = now(),
           status_reason = 'suspended: a major nonconformity is open in its scope'
     WHERE w.tenant_id = p_tenant AND w.status = 'active'
       AND ims_award_blocker(p_tenant, w.framework, w.level, 99) IS NOT NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Management reviews -----------------------------------------------------------------

-- Holds a review: its inputs frozen now (p_scores: what the daemon's evaluated state says —
-- level, maturity, systems, frameworks, risks above appetite), its decisions and the actions
-- it raises (p_actions: [{"id","kind","description","owner","due"}]).
CREATE FUNCTION ims_review_hold(p_tenant uuid, p_id text, p_chair text, p_attendees text[],
                                p_decisions text, p_scores jsonb, p_by text, p_actions jsonb)
    RETURNS SETOF review_rows LANGUAGE plpgsql AS $$
DECLARE
    last_at  timestamptz;
    inputs   jsonb;
    a        jsonb;
    i        int := 0;
BEGIN
    SELECT max(held_at) INTO last_at FROM reviews WHERE tenant_id = p_tenant;
    inputs := p_scores || jsonb_build_object(
        'previous_review', (SELECT review_id FROM reviews WHERE tenant_id = p_tenant
                             ORDER BY held_at DESC, review_id DESC LIMIT 1),
        'open_findings', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', finding_id, 'type', type)
                                                    ORDER BY finding_id), '[]')
                            FROM findings WHERE tenant_id = p_tenant AND status = 'open'),
        'open_incidents', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', incident_id,
                                                     'severity', severity, 'status', status)
                                                     ORDER BY incident_id), '[]')
                             FROM incidents WHERE tenant_id = p_tenant AND status IN ('open', 'contained')),
        'objectives', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'tier', tier,
                                                 'target', target, 'actual', actual, 'status', status)
                                                 ORDER BY id), '[]')
                         FROM objective_rows WHERE tenant_id = p_tenant),
        'audits_since_last_review', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', audit_id,
                                             'kind', kind, 'status', status, 'held_at', ims_rfc3339(held_at),
                                             'findings', (SELECT count(*) FROM findings f
                                                           WHERE f.tenant_id = p_tenant AND f.audit_id = au.audit_id))
                                             ORDER BY audit_id), '[]')
                                       FROM audits au WHERE tenant_id = p_tenant AND held_at IS NOT NULL
                                        AND (last_at IS NULL OR held_at > last_at)),
        'actions', (SELECT jsonb_build_object(
                        'open', count(*) FILTER (WHERE status = 'open'),
                        'overdue', count(*) FILTER (WHERE status = 'open' AND due < now()),
                        'done', count(*) FILTER (WHERE status = 'done'),
                        'verified', count(*) FILTER (WHERE status = 'verified'),
                        'cancelled', count(*) FILTER (WHERE status = 'cancelled'))
                      FROM actions WHERE tenant_id = p_tenant),
        'awards', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', award_id, 'level', level,
                                             'framework', framework, 'status', status)
                                             ORDER BY award_id), '[]')
                     FROM awards WHERE tenant_id = p_tenant));
    INSERT INTO reviews (tenant_id, review_id, chair, attendees, inputs, decisions, held_by)
    VALUES (p_tenant, p_id, p_chair, p_attendees, inputs, p_decisions, p_by);
    FOR a IN SELECT * FROM jsonb_array_elements(p_actions) LOOP
        IF coalesce(a ->> 'kind', '') NOT IN ('corrective', 'preventive', 'improvement') THEN
            PERFORM ims_act_fail('22023', format('actions[%s].kind: must be corrective, preventive or improvement', i));
        END IF;
        IF coalesce(a ->> 'description', '') = '' THEN
            PERFORM ims_act_fail('22023', format('actions[%s].description: required', i));
        END IF;
        IF coalesce(a ->> 'owner', '') = '' THEN
            PERFORM ims_act_fail('22023', format('actions[%s].owner: required', i));
        END IF;
        INSERT INTO actions (tenant_id, action_id, kind, source_kind, source_id, description,
                             owner, due, status)
        VALUES (p_tenant, a ->> 'id', a ->> 'kind', 'review', p_id, a ->> 'description',
                a ->> 'owner', ims_act_time(format('actions[%s].due', i), a ->> 'due'), 'open');
        i := i + 1;
    END LOOP;
    RETURN QUERY SELECT * FROM review_rows WHERE tenant_id = p_tenant AND id = p_id;
END
$$;

-- Objectives -------------------------------------------------------------------------

CREATE FUNCTION ims_objective_put(p_tenant uuid, p_id text, p_title text, p_owner text,
                                  p_tier text, p_target double precision, p_due text,
                                  p_metrics text[])
    RETURNS SETOF objective_rows LANGUAGE plpgsql AS $$
DECLARE
    x text;
BEGIN
    IF p_id !~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' THEN
        PERFORM ims_act_fail('22023', 'objective.id: 1..64 of A-Z a-z 0-9 . _ -, starting with a letter or digit');
    END IF;
    IF p_tier NOT IN ('strategic', 'functional', 'operational') THEN
        PERFORM ims_act_fail('22023', 'objective.tier: must be strategic, functional or operational');
    END IF;
    IF NOT (p_target > 0 AND p_target <= 1) THEN
        PERFORM ims_act_fail('22023', 'objective.target: a share in (0, 1]');
    END IF;
    IF cardinality(p_metrics) NOT BETWEEN 1 AND 16 THEN
        PERFORM ims_act_fail('22023', 'objective.metrics: 1..16 metrics');
    END IF;
    SELECT m INTO x FROM unnest(p_metrics) m
     WHERE m NOT IN (SELECT metric_id FROM tenant_metrics WHERE tenant_id = p_tenant) LIMIT 1;
    IF x IS NOT NULL THEN
        PERFORM ims_act_fail('22023', 'objective.metrics: not a metric of the tenant: ' || x);
    END IF;
    INSERT INTO objectives (tenant_id, objective_id, title, owner, tier, target, due, metrics)
    VALUES (p_tenant, p_id, p_title, p_owner, p_tier, p_target,
            ims_act_time('objective.due', p_due), p_metrics)
    ON CONFLICT (tenant_id, objective_id) DO UPDATE
       SET title = EXCLUDED.title, owner = EXCLUDED.owner, tier = EXCLUDED.tier,
           target = EXCLUDED.target, due = EXCLUDED.due, metrics = EXCLUDED.metrics,
           updated_at = now();
    RETURN QUERY SELECT * FROM objective_rows WHERE tenant_id = p_tenant AND id = p_id;
END
$$;

DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['ims_act_fail(text, text)', 'ims_act_time(text, text)',
                             'ims_action_source_check(uuid, text, text)',
                             'ims_action_raise(uuid, text, text, text, text, text, text, text, text)',
                             'ims_action_progress(uuid, text, text, text, text, text, text, text, boolean)',
                             'ims_audit_scope_check(uuid, text[], text[], text[])',
                             'ims_audit_plan(uuid, text, text, text, text[], text[], text[], text, text)',
                             'ims_audit_update(uuid, text, text, text, text, text, text[], text)',
                             'ims_award_level(uuid, text, int, text, text, int, text, int, bigint)',
                             'ims_award_update(uuid, text, text, text, int)',
                             'ims_award_blocker(uuid, text, int, int)',
                             'ims_awards_sweep(uuid, jsonb)', 'ims_awards_nc_check(uuid)',
                             'ims_review_hold(uuid, text, text, text[], text, jsonb, text, jsonb)',
                             'ims_objective_put(uuid, text, text, text, text, double precision, text, text[])'] LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO ims_app', f);
    END LOOP;
END
$$;
