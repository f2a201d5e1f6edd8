-- The Check and Act records in exports (SECURITY-LEVEL.md section 11, docs/act.md): the
-- audits, the links of findings to their audit and incident, the management reviews, the
-- objectives, the actions and the awards of a tenant (kinds audit, finding_link, review,
-- objective, action, award), each kind exported as a JSON array in
-- id order with every field (times RFC 3339 UTC) and restored by import, so that export,
-- import, export gives the same document. Registered in record_kinds (positions 200-205:
-- audits before the findings' links to them, reviews and objectives before the actions they
-- raised). (A computed metric's "source": "computed" in the snapshot is 0082's.)

-- Every key of a record known, every required one present; or the error naming it.
CREATE FUNCTION ims_act_import_keys(p_row jsonb, p_path text, p_keys text[]) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    k text;
BEGIN
    IF jsonb_typeof(p_row) IS DISTINCT FROM 'object' THEN
        PERFORM ims_import_fail(p_path, 'must be an object');
    END IF;
    FOR k IN SELECT jsonb_object_keys(p_row) ORDER BY 1 LOOP
        IF NOT k = ANY (p_keys) THEN
            PERFORM ims_import_fail(p_path || '.' || k, 'unknown key');
        END IF;
    END LOOP;
    FOREACH k IN ARRAY p_keys LOOP
        IF NOT p_row ? k THEN
            PERFORM ims_import_fail(p_path || '.' || k, 'required');
        END IF;
    END LOOP;
END
$$;

CREATE FUNCTION ims_act_text_array(p_value jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
SELECT coalesce(array_agg(x ORDER BY n), '{}') FROM jsonb_array_elements_text(p_value) WITH ORDINALITY a (x, n)
$$;

CREATE FUNCTION ims_act_ts(p_value jsonb) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN p_value IS NULL OR jsonb_typeof(p_value) = 'null' THEN NULL
            ELSE (p_value #>> '{}')::timestamptz END
$$;

-- Audits ------------------------------------------------------------------------------

CREATE FUNCTION ims_records_export_audit(p_tenant uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
    'id', audit_id, 'kind', kind, 'title', title, 'frameworks', to_jsonb(frameworks),
    'controls', to_jsonb(controls), 'processes', to_jsonb(processes),
    'planned_at', ims_rfc3339(planned_at), 'held_at', ims_rfc3339(held_at), 'auditor', auditor,
    'status', status, 'report', report, 'evidence', to_jsonb(evidence),
    'created_at', ims_rfc3339(created_at), 'updated_at', ims_rfc3339(updated_at))
    ORDER BY audit_id), '[]')
  FROM audits WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_audit(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    i int := 0;
    path text;
BEGIN
    FOR r IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        path := format('$.records.audit[%s]', i);
        PERFORM ims_act_import_keys(r, path, ARRAY['id', 'kind', 'title', 'frameworks', 'controls',
            'processes', 'planned_at', 'held_at', 'auditor', 'status', 'report', 'evidence',
            'created_at', 'updated_at']);
        BEGIN
            INSERT INTO audits (tenant_id, audit_id, kind, title, frameworks, controls, processes,
                                planned_at, held_at, auditor, status, report, evidence,
                                created_at, updated_at)
            VALUES (p_tenant, r ->> 'id', r ->> 'kind', r ->> 'title',
                    ims_act_text_array(r -> 'frameworks'), ims_act_text_array(r -> 'controls'),
                    ims_act_text_array(r -> 'processes'), ims_act_ts(r -> 'planned_at'),
                    ims_act_ts(r -> 'held_at'), r ->> 'auditor', r ->> 'status', r ->> 'report',
                    ims_act_text_array(r -> 'evidence'), ims_act_ts(r -> 'created_at'),
                    ims_act_ts(r -> 'updated_at'));
        EXCEPTION WHEN OTHERS THEN
            PERFORM ims_import_fail(path, SQLERRM);
        END;
        i := i + 1;
    END LOOP;
END
$$;

-- Which audit and which incident a finding belongs to (the findings are in the snapshot).

CREATE FUNCTION ims_records_export_finding_link(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object('finding', finding_id, 'audit', audit_id,
                                             'incident', incident_id) ORDER BY finding_id), '[]')
  FROM findings WHERE tenant_id = p_tenant AND (audit_id IS NOT NULL OR incident_id IS NOT NULL)
$$;

CREATE FUNCTION ims_records_import_finding_link(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    i int := 0;
    path text;
BEGIN
    FOR r IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        path := format('$.records.finding_link[%s]', i);
        PERFORM ims_act_import_keys(r, path, ARRAY['finding', 'audit', 'incident']);
        BEGIN
            UPDATE findings SET audit_id = r ->> 'audit', incident_id = r ->> 'incident'
             WHERE tenant_id = p_tenant AND finding_id = r ->> 'finding';
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no finding %', r ->> 'finding';
            END IF;
        EXCEPTION WHEN OTHERS THEN
            PERFORM ims_import_fail(path, SQLERRM);
        END;
        i := i + 1;
    END LOOP;
END
$$;

-- Management reviews ------------------------------------------------------------------

CREATE FUNCTION ims_records_export_review(p_tenant uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
    'id', review_id, 'held_at', ims_rfc3339(held_at), 'chair', chair,
    'attendees', to_jsonb(attendees), 'inputs', inputs, 'decisions', decisions,
    'held_by', held_by) ORDER BY review_id), '[]')
  FROM reviews WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_review(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    i int := 0;
    path text;
BEGIN
    FOR r IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        path := format('$.records.review[%s]', i);
        PERFORM ims_act_import_keys(r, path, ARRAY['id', 'held_at', 'chair', 'attendees', 'inputs',
                                                   'decisions', 'held_by']);
        IF jsonb_typeof(r -> 'inputs') <> 'object' THEN
            PERFORM ims_import_fail(path || '.inputs', 'must be an object');
        END IF;
        BEGIN
            INSERT INTO reviews (tenant_id, review_id, held_at, chair, attendees, inputs,
                                 decisions, held_by)
            VALUES (p_tenant, r ->> 'id', ims_act_ts(r -> 'held_at'), r ->> 'chair',
                    ims_act_text_array(r -> 'attendees'), r -> 'inputs', r ->> 'decisions',
                    r ->> 'held_by');
        EXCEPTION WHEN OTHERS THEN
            PERFORM ims_import_fail(path, SQLERRM);
        END;
        i := i + 1;
    END LOOP;
END
$$;

-- Objectives --------------------------------------------------------------------------

CREATE FUNCTION ims_records_export_objective(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
    'id', objective_id, 'title', title, 'owner', owner, 'tier', tier, 'target', target,
    'due', ims_rfc3339(due), 'metrics', to_jsonb(metrics), 'created_at', ims_rfc3339(created_at),
    'updated_at', ims_rfc3339(updated_at)) ORDER BY objective_id), '[]')
  FROM objectives WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_objective(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    i int := 0;
    path text;
BEGIN
    FOR r IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        path := format('$.records.objective[%s]', i);
        PERFORM ims_act_import_keys(r, path, ARRAY['id', 'title', 'owner', 'tier', 'target', 'due',
                                                   'metrics', 'created_at', 'updated_at']);
        IF jsonb_typeof(r -> 'target') <> 'number' THEN
            PERFORM ims_import_fail(path || '.target', 'must be a number');
        END IF;
        BEGIN
            INSERT INTO objectives (tenant_id, objective_id, title, owner, tier, target, due,
                                    metrics, created_at, updated_at)
            VALUES (p_tenant, r ->> 'id', r ->> 'title', r ->> 'owner', r ->> 'tier',
                    (r ->> 'target')::float8, ims_act_ts(r -> 'due'),
                    ims_act_text_array(r -> 'metrics'), ims_act_ts(r -> 'created_at'),
                    ims_act_ts(r -> 'updated_at'));
        EXCEPTION WHEN OTHERS THEN
            PERFORM ims_import_fail(path, SQLERRM);
        END;
        i := i + 1;
    END LOOP;
END
$$;

-- Actions -----------------------------------------------------------------------------

CREATE FUNCTION ims_records_export_action(p_tenant uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
    'id', action_id, 'kind', kind, 'source_kind', source_kind, 'source_id', source_id,
    'description', description, 'owner', owner, 'due', ims_rfc3339(due),
    'root_cause', root_cause, 'status', status, 'done_at', ims_rfc3339(done_at),
    'verification', verification, 'verified_by', verified_by, 'cancel_reason', cancel_reason,
    'created_at', ims_rfc3339(created_at), 'updated_at', ims_rfc3339(updated_at))
    ORDER BY action_id), '[]')
  FROM actions WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_action(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    i int := 0;
    path text;
BEGIN
    FOR r IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        path := format('$.records.action[%s]', i);
        PERFORM ims_act_import_keys(r, path, ARRAY['id', 'kind', 'source_kind', 'source_id',
            'description', 'owner', 'due', 'root_cause', 'status', 'done_at', 'verification',
            'verified_by', 'cancel_reason', 'created_at', 'updated_at']);
        BEGIN
            INSERT INTO actions (tenant_id, action_id, kind, source_kind, source_id, description,
                                 owner, due, root_cause, status, done_at, verification,
                                 verified_by, cancel_reason, created_at, updated_at)
            VALUES (p_tenant, r ->> 'id', r ->> 'kind', r ->> 'source_kind', r ->> 'source_id',
                    r ->> 'description', r ->> 'owner', ims_act_ts(r -> 'due'),
                    r ->> 'root_cause', r ->> 'status', ims_act_ts(r -> 'done_at'),
                    r ->> 'verification', r ->> 'verified_by', r ->> 'cancel_reason',
                    ims_act_ts(r -> 'created_at'), ims_act_ts(r -> 'updated_at'));
        EXCEPTION WHEN OTHERS THEN
            PERFORM ims_import_fail(path, SQLERRM);
        END;
        i := i + 1;
    END LOOP;
END
$$;

-- Awards ------------------------------------------------------------------------------

CREATE FUNCTION ims_records_export_award(p_tenant uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
    'id', award_id, 'level', level, 'framework', framework, 'awarded_at', ims_rfc3339(awarded_at),
    'auditor', auditor, 'expires_at', ims_rfc3339(expires_at), 'revision', revision,
    'maturity', maturity, 'status', status, 'status_reason', status_reason,
    'below_since', ims_rfc3339(below_since), 'grace_days', grace_days,
    'updated_at', ims_rfc3339(updated_at)) ORDER BY award_id), '[]')
  FROM awards WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_award(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    i int := 0;
    path text;
BEGIN
    FOR r IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        path := format('$.records.award[%s]', i);
        PERFORM ims_act_import_keys(r, path, ARRAY['id', 'level', 'framework', 'awarded_at',
            'auditor', 'expires_at', 'revision', 'maturity', 'status', 'status_reason',
            'below_since', 'grace_days', 'updated_at']);
        BEGIN
            INSERT INTO awards (tenant_id, award_id, level, framework, awarded_at, auditor,
                                expires_at, revision, maturity, status, status_reason,
                                below_since, grace_days, updated_at)
            VALUES (p_tenant, r ->> 'id', ims_import_int(r -> 'level', path || '.level', 1, 3),
                    r ->> 'framework', ims_act_ts(r -> 'awarded_at'), r ->> 'auditor',
                    ims_act_ts(r -> 'expires_at'),
                    ims_import_int(r -> 'revision', path || '.revision', 0, 9223372036854775807),
                    ims_import_int(r -> 'maturity', path || '.maturity', 0, 3), r ->> 'status',
                    r ->> 'status_reason', ims_act_ts(r -> 'below_since'),
                    ims_import_int(r -> 'grace_days', path || '.grace_days', 0, 3650),
                    ims_act_ts(r -> 'updated_at'));
        EXCEPTION WHEN OTHERS THEN
            IF SQLSTATE = '22023' THEN
                RAISE;
            END IF;
            PERFORM ims_import_fail(path, SQLERRM);
        END;
        i := i + 1;
    END LOOP;
END
$$;

INSERT INTO record_kinds (name, position, export_fn, import_fn) VALUES
('audit', 200, 'ims_records_export_audit(uuid)', 'ims_records_import_audit(uuid,jsonb)'),
('finding_link', 201, 'ims_records_export_finding_link(uuid)', 'ims_records_import_finding_link(uuid,jsonb)'),
('review', 202, 'ims_records_export_review(uuid)', 'ims_records_import_review(uuid,jsonb)'),
('objective', 203, 'ims_records_export_objective(uuid)', 'ims_records_import_objective(uuid,jsonb)'),
('action', 204, 'ims_records_export_action(uuid)', 'ims_records_import_action(uuid,jsonb)'),
('award', 205, 'ims_records_export_award(uuid)', 'ims_records_import_award(uuid,jsonb)');

DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['ims_act_import_keys(jsonb, text, text[])', 'ims_act_text_array(jsonb)',
                             'ims_act_ts(jsonb)',
                             'ims_records_export_audit(uuid)', 'ims_records_import_audit(uuid, jsonb)',
                             'ims_records_export_finding_link(uuid)', 'ims_records_import_finding_link(uuid, jsonb)',
                             'ims_records_export_review(uuid)', 'ims_records_import_review(uuid, jsonb)',
                             'ims_records_export_objective(uuid)', 'ims_records_import_objective(uuid, jsonb)',
                             'ims_records_export_action(uuid)', 'ims_records_import_action(uuid, jsonb)',
                             'ims_records_export_award(uuid)', 'ims_records_import_award(uuid, jsonb)'] LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO ims_app', f);
    END LOOP;
END
$$;
