-- Evidence and risk treatment in the tenant's snapshot (SECURITY-LEVEL.md sections 3, 5 and
-- 11; docs/model.md): an artefact's review due time, a transfer's share and the controls a
-- mitigation relies on; ims_tenant_snapshot gives "artefacts" and "treatments", which the
-- daemon's load uses too (so they count in the live level), and the import restores them.
-- Then the model's record kinds (positions 100-199): what a tenant keeps about its
-- controls, answers, artefacts, assets, processes, exercises, incidents, findings and
-- treatments that does not score, so that an export is a complete archive.

ALTER TABLE tenant_artefacts ADD COLUMN review_due timestamptz;

ALTER TABLE risk_treatments
    ADD COLUMN share double precision CHECK (share BETWEEN 0 AND 1),
    ADD COLUMN controls text[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT risk_treatments_share_transfer CHECK (share IS NULL OR option = 'transfer'),
    ADD CONSTRAINT risk_treatments_controls_mitigate
        CHECK (controls = '{}' OR option = 'mitigate');

-- The controls a snapshot of the tenant holds: those of its enabled frameworks.
CREATE FUNCTION ims_snapshot_controls(p_tenant uuid) RETURNS SETOF text
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT tc.control_id
  FROM tenant_controls tc
  JOIN controls c ON c.id = tc.control_id
  JOIN frameworks f ON f.id = c.framework_id
  JOIN tenant_params p ON p.tenant_id = tc.tenant_id
 WHERE tc.tenant_id = p_tenant AND f.id = ANY (p.frameworks) AND f.system_id = ANY (p.systems)
$$;

-- Version 2 with its artefacts and treatments. An artefact that the tenant does not require
-- evidences nothing (no controls); a required one evidences the catalog's controls of it
-- that the snapshot holds. A transfer without a recorded share transfers half.
CREATE OR REPLACE FUNCTION ims_tenant_snapshot(p_tenant uuid, p_everything boolean) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    doc jsonb := ims_tenant_snapshot_v1(p_tenant, p_everything)::jsonb;
    p   tenant_params;
BEGIN
    SELECT * INTO p FROM tenant_params WHERE tenant_id = p_tenant;
    doc := jsonb_set(doc, '{params,system_weights,SMS}', to_jsonb(p.weight_sms));
    doc := jsonb_set(doc, '{params,evidence_weight}', to_jsonb(p.evidence_weight));
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

CREATE OR REPLACE FUNCTION ims_import_tenant(p_tenant uuid, p_doc jsonb)
    RETURNS bigint LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    n    bigint;
    prm  jsonb := coalesce(p_doc -> 'params', '{}');
    rec  jsonb := coalesce(p_doc -> 'records', '{}');
    k    record;
    kind text;
    x    jsonb;
    i    bigint;
    path text;
    bad  text;
BEGIN
    IF p_doc ->> 'format' IS DISTINCT FROM 'ims-snapshot/1'
       AND p_doc ->> 'format' IS DISTINCT FROM 'ims-snapshot/2' THEN
        PERFORM ims_import_fail('$.format', 'must be "ims-snapshot/1" or "ims-snapshot/2"');
    END IF;
    IF jsonb_typeof(rec) <> 'object' THEN
        PERFORM ims_import_fail('$.records', 'must be an object');
    END IF;
    FOR kind IN SELECT jsonb_object_keys(rec) ORDER BY 1 LOOP
        IF NOT EXISTS (SELECT 1 FROM record_kinds r WHERE r.name = kind) THEN
            PERFORM ims_import_fail('$.records.' || kind, 'unknown record kind');
        END IF;
        IF jsonb_typeof(rec -> kind) <> 'array' THEN
            PERFORM ims_import_fail('$.records.' || kind, 'must be an array');
        END IF;
    END LOOP;
    n := ims_import_tenant_v1(p_tenant,
                              (p_doc - 'artefacts' - 'treatments' - 'records')
                              || '{"format": "ims-snapshot/1"}');
    UPDATE tenant_params SET
        weight_sms = coalesce((prm -> 'system_weights' ->> 'SMS')::float8, 0.25),
        evidence_weight = coalesce((prm ->> 'evidence_weight')::float8, 0.2)
     WHERE tenant_id = p_tenant;

    -- Artefacts: the document's replace the schema's. "required" is what the document says
    -- through the controls; the records of kind "artefact" restore it exactly.
    DELETE FROM tenant_artefacts WHERE tenant_id = p_tenant;
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'artefacts', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.artefacts[%s]', i);
        IF NOT EXISTS (SELECT 1 FROM artefacts a WHERE a.id = x ->> 'id') THEN
            PERFORM ims_import_fail(path || '.id', format('unknown artefact "%s"', x ->> 'id'));
        END IF;
        SELECT c INTO bad FROM jsonb_array_elements_text(coalesce(x -> 'controls', '[]')) c
         WHERE NOT EXISTS (SELECT 1 FROM artefact_controls ac
                            WHERE ac.artefact_id = x ->> 'id' AND ac.control_id = c)
         LIMIT 1;
        IF bad IS NOT NULL THEN
            PERFORM ims_import_fail(path || '.controls',
                                    format('artefact "%s" does not evidence "%s" in the catalog',
                                           x ->> 'id', bad));
        END IF;
        INSERT INTO tenant_artefacts (tenant_id, artefact_id, required, status, review_due)
        VALUES (p_tenant, x ->> 'id', jsonb_array_length(coalesce(x -> 'controls', '[]')) > 0,
                x ->> 'status', (x ->> 'review_due')::timestamptz);
        n := n + 1;
    END LOOP;

    -- Treatments: the decision; the records of kind "treatment" restore who answers for it.
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(coalesce(p_doc -> 'treatments', '[]'))
                                     WITH ORDINALITY AS t(e, o) LOOP
        INSERT INTO risk_treatments (tenant_id, asset_id, threat_id, option, share, owner,
                                     updated_by)
        VALUES (p_tenant, x ->> 'asset', x ->> 'threat', x ->> 'decision',
                CASE WHEN x ->> 'decision' = 'transfer'
                     THEN coalesce((x ->> 'share')::float8, 0.5) END,
                'import', 'import');
        n := n + 1;
    END LOOP;

    FOR k IN SELECT r.name, r.import_fn::oid::regproc AS fn FROM record_kinds r
              ORDER BY r.position LOOP
        IF rec ? k.name THEN
            EXECUTE format('SELECT %s($1, $2)', k.fn) USING p_tenant, rec -> k.name;
            n := n + jsonb_array_length(rec -> k.name);
        END IF;
    END LOOP;
    RETURN n;
END
$$;

-- ---- record kinds of the model area ---------------------------------------------------
-- Each import function finds the rows the import made from the document and completes
-- them; a row it cannot find, or a value the table refuses, is an error naming its path.

-- A text value, or NULL; anything else is an error naming the path.
CREATE FUNCTION ims_records_text(p_row jsonb, p_key text, p_path text, p_max int)
    RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_row -> p_key IS NULL OR jsonb_typeof(p_row -> p_key) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p_row -> p_key) <> 'string' THEN
        PERFORM ims_import_fail(p_path || '.' || p_key, 'must be a string or null');
    END IF;
    IF length(p_row ->> p_key) > p_max THEN
        PERFORM ims_import_fail(p_path || '.' || p_key, format('longer than %s characters', p_max));
    END IF;
    RETURN p_row ->> p_key;
END
$$;

-- A time (RFC 3339 UTC) or NULL.
CREATE FUNCTION ims_records_time(p_row jsonb, p_key text, p_path text)
    RETURNS timestamptz LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    s text := ims_records_text(p_row, p_key, p_path, 40);
BEGIN
    IF s IS NULL THEN
        RETURN NULL;
    END IF;
    IF s !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' THEN
        PERFORM ims_import_fail(p_path || '.' || p_key, 'must be an RFC 3339 UTC time');
    END IF;
    RETURN s::timestamptz;
END
$$;

-- A row's key naming the object it completes: a string, else the error.
CREATE FUNCTION ims_records_key(p_row jsonb, p_key text, p_path text)
    RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF jsonb_typeof(p_row) IS DISTINCT FROM 'object' THEN
        PERFORM ims_import_fail(p_path, 'must be an object');
    END IF;
    IF jsonb_typeof(p_row -> p_key) IS DISTINCT FROM 'string' THEN
        PERFORM ims_import_fail(p_path || '.' || p_key, 'must be a string');
    END IF;
    RETURN p_row ->> p_key;
END
$$;

-- Unknown keys of a row are an error naming the first.
CREATE FUNCTION ims_records_keys(p_row jsonb, p_path text, p_allowed text[])
    RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    k text;
BEGIN
    SELECT key INTO k FROM jsonb_object_keys(p_row) key WHERE key <> ALL (p_allowed)
     ORDER BY 1 LIMIT 1;
    IF k IS NOT NULL THEN
        PERFORM ims_import_fail(p_path || '.' || k, 'unknown key');
    END IF;
END
$$;

-- control: the statement of applicability's text (justification) and the implementation
-- status of each control the snapshot holds.
CREATE FUNCTION ims_records_export_control(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'control', tc.control_id, 'justification', tc.justification,
           'implementation_status', tc.implementation_status) ORDER BY tc.control_id), '[]')
  FROM tenant_controls tc
 WHERE tc.tenant_id = p_tenant AND tc.control_id IN (SELECT ims_snapshot_controls(p_tenant))
$$;

CREATE FUNCTION ims_records_import_control(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    x jsonb; i bigint; path text; id text; st text; just text; app boolean;
BEGIN
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.records.control[%s]', i);
        id := ims_records_key(x, 'control', path);
        PERFORM ims_records_keys(x, path, ARRAY['control', 'justification', 'implementation_status']);
        SELECT applicable INTO app FROM tenant_controls WHERE tenant_id = p_tenant AND control_id = id;
        IF NOT FOUND THEN
            PERFORM ims_import_fail(path || '.control', format('no control "%s" in the snapshot', id));
        END IF;
        just := ims_records_text(x, 'justification', path, 4000);
        IF NOT app AND length(btrim(coalesce(just, ''))) = 0 THEN
            PERFORM ims_import_fail(path || '.justification', 'an excluded control needs one');
        END IF;
        st := coalesce(ims_records_text(x, 'implementation_status', path, 20), 'not_started');
        IF st NOT IN ('not_started', 'planned', 'partial', 'implemented') THEN
            PERFORM ims_import_fail(path || '.implementation_status',
                                    'must be not_started, planned, partial or implemented');
        END IF;
        UPDATE tenant_controls SET justification = just, implementation_status = st
         WHERE tenant_id = p_tenant AND control_id = id;
    END LOOP;
END
$$;

-- answer: who answered, when, the note and the evidence reference, and an exclusion's
-- justification, of each sub-control the snapshot holds.
CREATE FUNCTION ims_records_export_answer(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'subcontrol', ts.subcontrol_id, 'answered_by', ts.answered_by,
           'answered_at', ims_rfc3339(ts.answered_at), 'note', ts.note, 'evidence', ts.evidence,
           'justification', ts.justification) ORDER BY ts.subcontrol_id), '[]')
  FROM tenant_subcontrols ts
 WHERE ts.tenant_id = p_tenant
   AND EXISTS (SELECT 1 FROM subcontrol_controls sc
                WHERE sc.subcontrol_id = ts.subcontrol_id
                  AND sc.control_id IN (SELECT ims_snapshot_controls(p_tenant)))
$$;

CREATE FUNCTION ims_records_import_answer(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    x jsonb; i bigint; path text; id text; ans text; app boolean; v_at timestamptz; just text;
BEGIN
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.records.answer[%s]', i);
        id := ims_records_key(x, 'subcontrol', path);
        PERFORM ims_records_keys(x, path, ARRAY['subcontrol', 'answered_by', 'answered_at',
                                                'note', 'evidence', 'justification']);
        SELECT answer, applicable INTO ans, app FROM tenant_subcontrols
         WHERE tenant_id = p_tenant AND subcontrol_id = id;
        IF NOT FOUND THEN
            PERFORM ims_import_fail(path || '.subcontrol',
                                    format('no sub-control "%s" in the snapshot', id));
        END IF;
        v_at := ims_records_time(x, 'answered_at', path);
        IF (ans IS NULL) <> (v_at IS NULL) THEN
            PERFORM ims_import_fail(path || '.answered_at',
                                    'must be given exactly when the sub-control is answered');
        END IF;
        just := ims_records_text(x, 'justification', path, 4000);
        IF NOT app AND length(btrim(coalesce(just, ''))) = 0 THEN
            PERFORM ims_import_fail(path || '.justification', 'an excluded sub-control needs one');
        END IF;
        UPDATE tenant_subcontrols SET
            answered_by = ims_records_text(x, 'answered_by', path, 200), answered_at = v_at,
            note = ims_records_text(x, 'note', path, 4000),
            evidence = ims_records_text(x, 'evidence', path, 4000), justification = just
         WHERE tenant_id = p_tenant AND subcontrol_id = id;
    END LOOP;
END
$$;

-- artefact: whether the tenant requires it, its owner, where it is kept, its last review.
CREATE FUNCTION ims_records_export_artefact(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'artefact', artefact_id, 'required', required, 'owner', owner, 'location', location,
           'reviewed_at', ims_rfc3339(reviewed_at)) ORDER BY artefact_id), '[]')
  FROM tenant_artefacts WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_artefact(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    x jsonb; i bigint; path text; id text;
BEGIN
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.records.artefact[%s]', i);
        id := ims_records_key(x, 'artefact', path);
        PERFORM ims_records_keys(x, path, ARRAY['artefact', 'required', 'owner', 'location',
                                                'reviewed_at']);
        IF jsonb_typeof(x -> 'required') IS DISTINCT FROM 'boolean' THEN
            PERFORM ims_import_fail(path || '.required', 'must be true or false');
        END IF;
        UPDATE tenant_artefacts SET
            required = (x ->> 'required')::boolean,
            owner = ims_records_text(x, 'owner', path, 200),
            location = ims_records_text(x, 'location', path, 2000),
            reviewed_at = ims_records_time(x, 'reviewed_at', path)
         WHERE tenant_id = p_tenant AND artefact_id = id;
        IF NOT FOUND THEN
            PERFORM ims_import_fail(path || '.artefact',
                                    format('no artefact "%s" in the snapshot', id));
        END IF;
    END LOOP;
END
$$;

-- asset: its name and owner.
CREATE FUNCTION ims_records_export_asset(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object('asset', asset_id, 'name', name, 'owner', owner)
                          ORDER BY asset_id), '[]')
  FROM assets WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_asset(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    x jsonb; i bigint; path text; id text; nm text;
BEGIN
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.records.asset[%s]', i);
        id := ims_records_key(x, 'asset', path);
        PERFORM ims_records_keys(x, path, ARRAY['asset', 'name', 'owner']);
        nm := ims_records_text(x, 'name', path, 200);
        IF nm IS NULL OR nm = '' THEN
            PERFORM ims_import_fail(path || '.name', 'must be 1..200 characters');
        END IF;
        UPDATE assets SET name = nm, owner = ims_records_text(x, 'owner', path, 200)
         WHERE tenant_id = p_tenant AND asset_id = id;
        IF NOT FOUND THEN
            PERFORM ims_import_fail(path || '.asset', format('no asset "%s" in the snapshot', id));
        END IF;
    END LOOP;
END
$$;

-- process: its name, owner and minimum business continuity objective.
CREATE FUNCTION ims_records_export_process(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object('process', process_id, 'name', name,
                                             'owner', owner, 'mbco', mbco)
                          ORDER BY process_id), '[]')
  FROM processes WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_process(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    x jsonb; i bigint; path text; id text; nm text;
BEGIN
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.records.process[%s]', i);
        id := ims_records_key(x, 'process', path);
        PERFORM ims_records_keys(x, path, ARRAY['process', 'name', 'owner', 'mbco']);
        nm := ims_records_text(x, 'name', path, 200);
        IF nm IS NULL OR nm = '' THEN
            PERFORM ims_import_fail(path || '.name', 'must be 1..200 characters');
        END IF;
        UPDATE processes SET name = nm, owner = ims_records_text(x, 'owner', path, 200),
                             mbco = ims_records_text(x, 'mbco', path, 4000)
         WHERE tenant_id = p_tenant AND process_id = id;
        IF NOT FOUND THEN
            PERFORM ims_import_fail(path || '.process',
                                    format('no process "%s" in the snapshot', id));
        END IF;
    END LOOP;
END
$$;

-- exercise: the note of each exercise, in the snapshot's order (by process, time, then the
-- order they were recorded in); the n-th row of a process and time is its n-th exercise.
CREATE FUNCTION ims_records_export_exercise(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object('process', process_id, 'at', ims_rfc3339(at),
                                             'note', note)
                          ORDER BY process_id, at, seq), '[]')
  FROM exercises WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_exercise(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    x jsonb; i bigint; path text; id text; v_at timestamptz; nth bigint; s bigint;
BEGIN
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.records.exercise[%s]', i);
        id := ims_records_key(x, 'process', path);
        PERFORM ims_records_keys(x, path, ARRAY['process', 'at', 'note']);
        v_at := ims_records_time(x, 'at', path);
        SELECT count(*) INTO nth FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS t(e, o)
         WHERE o - 1 < i AND e ->> 'process' = id AND e ->> 'at' = x ->> 'at';
        SELECT e.seq INTO s FROM exercises e
         WHERE e.tenant_id = p_tenant AND e.process_id = id AND e.at = v_at
         ORDER BY e.seq OFFSET nth LIMIT 1;
        IF NOT FOUND THEN
            PERFORM ims_import_fail(path, format('no exercise of "%s" at %s in the snapshot',
                                                 id, x ->> 'at'));
        END IF;
        UPDATE exercises SET note = ims_records_text(x, 'note', path, 4000)
         WHERE tenant_id = p_tenant AND process_id = id AND seq = s;
    END LOOP;
END
$$;

-- incident: its status (open or contained; resolved or closed) and description.
CREATE FUNCTION ims_records_export_incident(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object('incident', incident_id, 'status', status,
                                             'description', description)
                          ORDER BY incident_id), '[]')
  FROM incidents WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_incident(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    x jsonb; i bigint; path text; id text; st text; resolved boolean;
BEGIN
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.records.incident[%s]', i);
        id := ims_records_key(x, 'incident', path);
        PERFORM ims_records_keys(x, path, ARRAY['incident', 'status', 'description']);
        SELECT resolved_at IS NOT NULL INTO resolved FROM incidents
         WHERE tenant_id = p_tenant AND incident_id = id;
        IF NOT FOUND THEN
            PERFORM ims_import_fail(path || '.incident',
                                    format('no incident "%s" in the snapshot', id));
        END IF;
        st := ims_records_text(x, 'status', path, 20);
        IF resolved AND st IS DISTINCT FROM 'resolved' AND st IS DISTINCT FROM 'closed' THEN
            PERFORM ims_import_fail(path || '.status', 'a resolved incident is resolved or closed');
        ELSIF NOT resolved AND st IS DISTINCT FROM 'open' AND st IS DISTINCT FROM 'contained' THEN
            PERFORM ims_import_fail(path || '.status', 'an unresolved incident is open or contained');
        END IF;
        UPDATE incidents SET status = st,
                             description = coalesce(ims_records_text(x, 'description', path, 4000), '')
         WHERE tenant_id = p_tenant AND incident_id = id;
    END LOOP;
END
$$;

-- finding: the audit it came from, its description, when it was opened and closed.
CREATE FUNCTION ims_records_export_finding(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object('finding', finding_id, 'audit', audit,
                                             'description', description,
                                             'opened_at', ims_rfc3339(opened_at),
                                             'closed_at', ims_rfc3339(closed_at))
                          ORDER BY finding_id), '[]')
  FROM findings WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_finding(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    x jsonb; i bigint; path text; id text; st text; closed timestamptz; opened timestamptz;
BEGIN
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.records.finding[%s]', i);
        id := ims_records_key(x, 'finding', path);
        PERFORM ims_records_keys(x, path, ARRAY['finding', 'audit', 'description', 'opened_at',
                                                'closed_at']);
        SELECT status INTO st FROM findings WHERE tenant_id = p_tenant AND finding_id = id;
        IF NOT FOUND THEN
            PERFORM ims_import_fail(path || '.finding',
                                    format('no finding "%s" in the snapshot', id));
        END IF;
        opened := ims_records_time(x, 'opened_at', path);
        IF opened IS NULL THEN
            PERFORM ims_import_fail(path || '.opened_at', 'required');
        END IF;
        closed := ims_records_time(x, 'closed_at', path);
        IF (st = 'closed') <> (closed IS NOT NULL) THEN
            PERFORM ims_import_fail(path || '.closed_at',
                                    'must be given exactly when the finding is closed');
        END IF;
        UPDATE findings SET audit = coalesce(ims_records_text(x, 'audit', path, 200), ''),
                            description = coalesce(ims_records_text(x, 'description', path, 4000), ''),
                            opened_at = opened, closed_at = closed
         WHERE tenant_id = p_tenant AND finding_id = id;
    END LOOP;
END
$$;

-- treatment: who answers for the decision, by when, its note, the controls a mitigation
-- relies on and who recorded it.
CREATE FUNCTION ims_records_export_treatment(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'asset', asset_id, 'threat', threat_id, 'owner', owner, 'due', ims_rfc3339(due),
           'note', note, 'controls', to_jsonb(controls), 'updated_by', updated_by)
           ORDER BY asset_id, threat_id), '[]')
  FROM risk_treatments WHERE tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_treatment(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    x jsonb; i bigint; path text; v_asset text; v_threat text; own text; opt text; ctl text[];
    bad text;
BEGIN
    FOR x, i IN SELECT e, o - 1 FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS t(e, o) LOOP
        path := format('$.records.treatment[%s]', i);
        v_asset := ims_records_key(x, 'asset', path);
        v_threat := ims_records_key(x, 'threat', path);
        PERFORM ims_records_keys(x, path, ARRAY['asset', 'threat', 'owner', 'due', 'note',
                                                'controls', 'updated_by']);
        SELECT option INTO opt FROM risk_treatments
         WHERE tenant_id = p_tenant AND asset_id = v_asset AND threat_id = v_threat;
        IF NOT FOUND THEN
            PERFORM ims_import_fail(path, format('no treatment of %s x %s in the snapshot',
                                                 v_asset, v_threat));
        END IF;
        own := ims_records_text(x, 'owner', path, 200);
        IF own IS NULL OR own = '' THEN
            PERFORM ims_import_fail(path || '.owner', 'must be 1..200 characters');
        END IF;
        IF jsonb_typeof(coalesce(x -> 'controls', '[]')) <> 'array' THEN
            PERFORM ims_import_fail(path || '.controls', 'must be an array');
        END IF;
        ctl := ARRAY(SELECT jsonb_array_elements_text(coalesce(x -> 'controls', '[]')));
        IF cardinality(ctl) > 0 AND opt <> 'mitigate' THEN
            PERFORM ims_import_fail(path || '.controls', 'only a mitigation names controls');
        END IF;
        SELECT c INTO bad FROM unnest(ctl) c
         WHERE NOT EXISTS (SELECT 1 FROM tenant_controls tc
                            WHERE tc.tenant_id = p_tenant AND tc.control_id = c) LIMIT 1;
        IF bad IS NOT NULL THEN
            PERFORM ims_import_fail(path || '.controls', format('no control "%s" in the snapshot', bad));
        END IF;
        UPDATE risk_treatments SET owner = own, due = ims_records_time(x, 'due', path),
                                   note = coalesce(ims_records_text(x, 'note', path, 4000), ''),
                                   controls = ctl,
                                   updated_by = coalesce(ims_records_text(x, 'updated_by', path, 200), '')
         WHERE tenant_id = p_tenant AND asset_id = v_asset AND threat_id = v_threat;
    END LOOP;
END
$$;

INSERT INTO record_kinds (name, position, export_fn, import_fn) VALUES
    ('control', 100, 'ims_records_export_control(uuid)', 'ims_records_import_control(uuid,jsonb)'),
    ('answer', 105, 'ims_records_export_answer(uuid)', 'ims_records_import_answer(uuid,jsonb)'),
    ('artefact', 110, 'ims_records_export_artefact(uuid)', 'ims_records_import_artefact(uuid,jsonb)'),
    ('asset', 120, 'ims_records_export_asset(uuid)', 'ims_records_import_asset(uuid,jsonb)'),
    ('process', 125, 'ims_records_export_process(uuid)', 'ims_records_import_process(uuid,jsonb)'),
    ('exercise', 126, 'ims_records_export_exercise(uuid)', 'ims_records_import_exercise(uuid,jsonb)'),
    ('incident', 130, 'ims_records_export_incident(uuid)', 'ims_records_import_incident(uuid,jsonb)'),
    ('finding', 135, 'ims_records_export_finding(uuid)', 'ims_records_import_finding(uuid,jsonb)'),
    ('treatment', 140, 'ims_records_export_treatment(uuid)',
     'ims_records_import_treatment(uuid,jsonb)');

DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY[
        'ims_snapshot_controls(uuid)', 'ims_records_text(jsonb,text,text,int)',
        'ims_records_time(jsonb,text,text)', 'ims_records_key(jsonb,text,text)',
        'ims_records_keys(jsonb,text,text[])',
        'ims_records_export_control(uuid)', 'ims_records_import_control(uuid,jsonb)',
        'ims_records_export_answer(uuid)', 'ims_records_import_answer(uuid,jsonb)',
        'ims_records_export_artefact(uuid)', 'ims_records_import_artefact(uuid,jsonb)',
        'ims_records_export_asset(uuid)', 'ims_records_import_asset(uuid,jsonb)',
        'ims_records_export_process(uuid)', 'ims_records_import_process(uuid,jsonb)',
        'ims_records_export_exercise(uuid)', 'ims_records_import_exercise(uuid,jsonb)',
        'ims_records_export_incident(uuid)', 'ims_records_import_incident(uuid,jsonb)',
        'ims_records_export_finding(uuid)', 'ims_records_import_finding(uuid,jsonb)',
        'ims_records_export_treatment(uuid)', 'ims_records_import_treatment(uuid,jsonb)'] LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO ims_app', f);
    END LOOP;
END
$$;
