-- Procedure definitions as part of a schema document (ims-schema/1 "procedures"): shown by
-- ims_schema_document, stored and checked by ims_schema_put_document (errors name the path,
-- e.g. $.procedures[0].phases[1].next[0]: unknown phase), editable edit by edit with kind
-- "procedures" (key: the procedure id), compared by ims_schema_diff (kinds "procedures" and
-- "phases", key "procedure phase"). A rebase moves the tenant's open procedure instances to
-- the new version where their procedure and current phase still exist there; an instance
-- whose procedure or phase the new version no longer holds stays on the version it runs
-- under (still published, never deleted) and finishes there; completed instances keep the
-- version they ran under.
-- Wraps 0155's ims_schema_document / ims_schema_put_document / ims_schema_flat, 0146's
-- ims_schema_edit and 0147's ims_rebase_tenant (renamed, not replaced).

-- The procedures of a version as the document shows them: phases in their order, "next"
-- their paths.
CREATE FUNCTION ims_schema_procedures_doc(p_schema text, p_version int) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id', p.procedure_id, 'name', p.name, 'description', p.description, 'links', p.links,
           'phases', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                         'id', ph.phase_id, 'type', ph.type, 'name', ph.name,
                         'description', ph.description, 'due_hours', ph.due_hours,
                         'profiles', coalesce((SELECT jsonb_agg(x.profile_id ORDER BY x.profile_id)
                                                 FROM schema_phase_profiles x
                                                WHERE (x.schema_id, x.version, x.procedure_id, x.phase_id)
                                                    = (ph.schema_id, ph.version, ph.procedure_id, ph.phase_id)), '[]'),
                         'next', coalesce((SELECT jsonb_agg(x.next_phase ORDER BY x.next_phase)
                                             FROM schema_phase_paths x
                                            WHERE (x.schema_id, x.version, x.procedure_id, x.phase_id)
                                                = (ph.schema_id, ph.version, ph.procedure_id, ph.phase_id)), '[]'),
                         'objects', coalesce((SELECT jsonb_agg(jsonb_build_object('artefact', x.artefact_id,
                                                                                  'use', x.use)
                                                                ORDER BY x.artefact_id)
                                                FROM schema_phase_objects x
                                               WHERE (x.schema_id, x.version, x.procedure_id, x.phase_id)
                                                   = (ph.schema_id, ph.version, ph.procedure_id, ph.phase_id)), '[]'))
                         ORDER BY ph.position), '[]')
                        FROM schema_procedure_phases ph
                       WHERE (ph.schema_id, ph.version, ph.procedure_id)
                           = (p.schema_id, p.version, p.procedure_id)))
         ORDER BY p.procedure_id), '[]')
  FROM schema_procedures p
 WHERE p.schema_id = p_schema AND p.version = p_version
$$;

-- Checks p_procs (the document's "procedures") and stores it as the draft's procedures,
-- replacing what it had. Nothing is written when a check fails (the caller's transaction).
CREATE FUNCTION ims_schema_put_procedures(p_schema text, p_version int, p_procs jsonb)
    RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    p     jsonb;
    ph    jsonb;
    x     jsonb;
    i     int;
    j     int;
    k     int;
    path  text;
    ppath text;
    pid   text;
    pids  text[] := '{}';
    phids text[];
    starts int;
    ends  int;
BEGIN
    PERFORM ims_doc_array(p_procs, '$.procedures');
    DELETE FROM schema_procedures WHERE schema_id = p_schema AND version = p_version;
    FOR p, i IN SELECT e, o - 1 FROM jsonb_array_elements(p_procs) WITH ORDINALITY t(e, o) LOOP
        path := format('$.procedures[%s]', i);
        PERFORM ims_doc_object(p, path, ARRAY['id', 'name', 'description', 'links', 'phases'],
                               ARRAY['id', 'name', 'phases']);
        pid := ims_doc_text(p -> 'id', path || '.id', 64, false);
        IF pid !~ '^[a-z][a-z0-9_]{0,63}$' THEN
            PERFORM ims_import_fail(path || '.id', 'lower-case letters, digits and _, starting with a letter');
        END IF;
        IF pid = ANY (pids) THEN
            PERFORM ims_import_fail(path || '.id', format('procedure "%s" listed twice', pid));
        END IF;
        pids := pids || pid;
        IF coalesce(p ->> 'links', 'none') NOT IN ('none', 'incident', 'finding') THEN
            PERFORM ims_import_fail(path || '.links', 'must be none, incident or finding');
        END IF;
        INSERT INTO schema_procedures (schema_id, version, procedure_id, name, description, links)
        VALUES (p_schema, p_version, pid, ims_doc_text(p -> 'name', path || '.name', 200, false),
                coalesce(ims_doc_text(p -> 'description', path || '.description', 2000, true), ''),
                coalesce(p ->> 'links', 'none'));
        PERFORM ims_doc_array(p -> 'phases', path || '.phases');
        IF jsonb_array_length(p -> 'phases') = 0 THEN
            PERFORM ims_import_fail(path || '.phases', 'a procedure needs a start and an end phase');
        END IF;
        phids := '{}';
        starts := 0;
        ends := 0;
        -- Phases first (paths may lead forward), then their profiles, paths and objects.
        FOR ph, j IN SELECT e, o - 1 FROM jsonb_array_elements(p -> 'phases') WITH ORDINALITY t(e, o) LOOP
            ppath := format('%s.phases[%s]', path, j);
            PERFORM ims_doc_object(ph, ppath, ARRAY['id', 'type', 'name', 'description', 'due_hours',
                                                    'profiles', 'next', 'objects'],
                                   ARRAY['id', 'type', 'name']);
            IF coalesce(ph ->> 'id', '') !~ '^[a-z][a-z0-9_]{0,63}$' THEN
                PERFORM ims_import_fail(ppath || '.id', 'lower-case letters, digits and _, starting with a letter');
            END IF;
            IF (ph ->> 'id') = ANY (phids) THEN
                PERFORM ims_import_fail(ppath || '.id', format('phase "%s" listed twice', ph ->> 'id'));
            END IF;
            phids := phids || (ph ->> 'id');
            IF coalesce(ph ->> 'type', '') NOT IN ('start', 'task', 'decision', 'end') THEN
                PERFORM ims_import_fail(ppath || '.type', 'must be start, task, decision or end');
            END IF;
            starts := starts + (ph ->> 'type' = 'start')::int;
            ends := ends + (ph ->> 'type' = 'end')::int;
            IF starts > 1 AND ph ->> 'type' = 'start' THEN
                PERFORM ims_import_fail(ppath || '.type', 'a procedure has one start phase');
            END IF;
            INSERT INTO schema_procedure_phases (schema_id, version, procedure_id, phase_id, position,
                                                 type, name, description, due_hours)
            VALUES (p_schema, p_version, pid, ph ->> 'id', j + 1, ph ->> 'type',
                    ims_doc_text(ph -> 'name', ppath || '.name', 200, false),
                    coalesce(ims_doc_text(ph -> 'description', ppath || '.description', 2000, true), ''),
                    CASE WHEN ph ? 'due_hours' AND jsonb_typeof(ph -> 'due_hours') <> 'null'
                         THEN ims_import_int(ph -> 'due_hours', ppath || '.due_hours', 1, 87600) END);
        END LOOP;
        IF starts = 0 THEN
            PERFORM ims_import_fail(path || '.phases', 'a procedure needs a start phase');
        END IF;
        IF ends = 0 THEN
            PERFORM ims_import_fail(path || '.phases', 'a procedure needs an end phase');
        END IF;
        FOR ph, j IN SELECT e, o - 1 FROM jsonb_array_elements(p -> 'phases') WITH ORDINALITY t(e, o) LOOP
            ppath := format('%s.phases[%s]', path, j);
            FOR x, k IN SELECT e, o - 1 FROM jsonb_array_elements(ims_doc_array(coalesce(ph -> 'profiles', '[]'),
                                                                  ppath || '.profiles')) WITH ORDINALITY t(e, o) LOOP
                IF jsonb_typeof(x) <> 'string' OR NOT EXISTS (SELECT 1 FROM profiles f WHERE f.id = x #>> '{}') THEN
                    PERFORM ims_import_fail(format('%s.profiles[%s]', ppath, k), format('unknown profile %s', x));
                END IF;
                INSERT INTO schema_phase_profiles (schema_id, version, procedure_id, phase_id, profile_id)
                VALUES (p_schema, p_version, pid, ph ->> 'id', x #>> '{}') ON CONFLICT DO NOTHING;
            END LOOP;
            FOR x, k IN SELECT e, o - 1 FROM jsonb_array_elements(ims_doc_array(coalesce(ph -> 'next', '[]'),
                                                                  ppath || '.next')) WITH ORDINALITY t(e, o) LOOP
                IF jsonb_typeof(x) <> 'string' OR NOT (x #>> '{}') = ANY (phids) THEN
                    PERFORM ims_import_fail(format('%s.next[%s]', ppath, k), format('unknown phase %s', x));
                END IF;
                IF ph ->> 'type' = 'end' THEN
                    PERFORM ims_import_fail(format('%s.next[%s]', ppath, k), 'an end phase leads nowhere');
                END IF;
                INSERT INTO schema_phase_paths (schema_id, version, procedure_id, phase_id, next_phase)
                VALUES (p_schema, p_version, pid, ph ->> 'id', x #>> '{}') ON CONFLICT DO NOTHING;
            END LOOP;
            FOR x, k IN SELECT e, o - 1 FROM jsonb_array_elements(ims_doc_array(coalesce(ph -> 'objects', '[]'),
                                                                  ppath || '.objects')) WITH ORDINALITY t(e, o) LOOP
                PERFORM ims_doc_object(x, format('%s.objects[%s]', ppath, k), ARRAY['artefact', 'use'],
                                       ARRAY['artefact', 'use']);
                IF NOT EXISTS (SELECT 1 FROM artefacts a WHERE a.id = x ->> 'artefact') THEN
                    PERFORM ims_import_fail(format('%s.objects[%s].artefact', ppath, k),
                                            format('unknown artefact %s', x -> 'artefact'));
                END IF;
                IF x ->> 'use' NOT IN ('template', 'register', 'instruction') THEN
                    PERFORM ims_import_fail(format('%s.objects[%s].use', ppath, k),
                                            'must be template, register or instruction');
                END IF;
                INSERT INTO schema_phase_objects (schema_id, version, procedure_id, phase_id, artefact_id, use)
                VALUES (p_schema, p_version, pid, ph ->> 'id', x ->> 'artefact', x ->> 'use')
                ON CONFLICT DO NOTHING;
            END LOOP;
        END LOOP;
    END LOOP;
END
$$;

ALTER FUNCTION ims_schema_document(text, int) RENAME TO ims_schema_document_0155;

CREATE FUNCTION ims_schema_document(p_schema text, p_version int) RETURNS jsonb
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    doc jsonb := ims_schema_document_0155(p_schema, p_version);
BEGIN
    RETURN doc || jsonb_build_object('procedures',
        ims_schema_procedures_doc(doc ->> 'id', (doc ->> 'version')::int));
END
$$;

ALTER FUNCTION ims_schema_put_document(text, int, jsonb) RENAME TO ims_schema_put_document_0155;

CREATE FUNCTION ims_schema_put_document(p_schema text, p_version int, p_doc jsonb)
    RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    -- The rest of the document (and the draft's lock) is 0155's.
    PERFORM ims_schema_put_document_0155(p_schema, p_version,
                                         CASE WHEN jsonb_typeof(p_doc) = 'object'
                                              THEN p_doc - 'procedures' ELSE p_doc END);
    IF p_doc ? 'procedures' THEN
        PERFORM ims_schema_put_procedures(p_schema, p_version, p_doc -> 'procedures');
    END IF;
END
$$;

-- The diff: a procedure's fields (kind "procedures", key its id) and each phase's (kind
-- "phases", key "procedure phase").
ALTER FUNCTION ims_schema_flat(jsonb) RENAME TO ims_schema_flat_0155;

CREATE FUNCTION ims_schema_flat(p_doc jsonb)
RETURNS TABLE (kind text, key text, field text, value text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT * FROM ims_schema_flat_0155(p_doc)
    UNION ALL
    SELECT 'procedures', p ->> 'id', f.k, ims_doc_show(f.v)
      FROM jsonb_array_elements(coalesce(p_doc -> 'procedures', '[]')) p,
           LATERAL (SELECT '' AS k, '"present"'::jsonb AS v
                    UNION ALL
                    SELECT k, v FROM jsonb_each(p) x(k, v) WHERE k NOT IN ('id', 'phases')) f
    UNION ALL
    SELECT 'phases', (p ->> 'id') || ' ' || (ph ->> 'id'), f.k, ims_doc_show(f.v)
      FROM jsonb_array_elements(coalesce(p_doc -> 'procedures', '[]')) p,
           jsonb_array_elements(coalesce(p -> 'phases', '[]')) WITH ORDINALITY q(ph, o),
           LATERAL (SELECT '' AS k, '"present"'::jsonb AS v
                    UNION ALL
                    SELECT 'position', to_jsonb(q.o)
                    UNION ALL
                    SELECT k, v FROM jsonb_each(ph) x(k, v) WHERE k <> 'id') f
$$;

-- Edits of kind "procedures" (key: the procedure id; set a field of it, such as "phases"
-- with the whole list, add a whole procedure, remove one); the others are 0146's.
ALTER FUNCTION ims_schema_edit(text, int, jsonb) RENAME TO ims_schema_edit_0146;

CREATE FUNCTION ims_schema_edit(p_schema text, p_version int, p_edits jsonb)
    RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    procs  jsonb;
    e      jsonb;
    i      int;
    path   text;
    k      text;
    fld    text;
    op     text;
    v      jsonb;
    idx    int;
    others jsonb := '[]';
    map    int[] := '{}';
    any_p  boolean := false;
    msg    text;
    m      text[];
BEGIN
    PERFORM ims_schema_lock_draft(p_schema, p_version);
    IF jsonb_typeof(p_edits) <> 'array' THEN
        PERFORM ims_schema_edit_0146(p_schema, p_version, p_edits);
        RETURN;
    END IF;
    procs := ims_schema_procedures_doc(p_schema, p_version);
    FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(p_edits) WITH ORDINALITY t(x, o) LOOP
        IF coalesce(e ->> 'kind', '') <> 'procedures' THEN
            others := others || jsonb_build_array(e);
            map := map || i;
            CONTINUE;
        END IF;
        any_p := true;
        path := format('edits[%s]', i);
        k := coalesce(e ->> 'key', '');
        fld := coalesce(e ->> 'field', '');
        op := coalesce(nullif(e ->> 'op', ''), 'set');
        IF NOT op = ANY (ARRAY['set', 'add', 'remove']) THEN
            PERFORM ims_import_fail(path || '.op', 'must be set, add or remove');
        END IF;
        v := NULL;
        IF op <> 'remove' THEN
            BEGIN
                v := (e ->> 'value')::jsonb;
            EXCEPTION WHEN invalid_text_representation THEN
                PERFORM ims_import_fail(path || '.value', 'is not JSON (a string needs its quotes)');
            END;
            IF v IS NULL THEN
                PERFORM ims_import_fail(path || '.value', 'is required');
            END IF;
        END IF;
        IF op = 'add' AND k = '' AND jsonb_typeof(v) = 'object' THEN
            k := coalesce(v ->> 'id', '');
        END IF;
        idx := NULL;
        SELECT o - 1 INTO idx FROM jsonb_array_elements(procs) WITH ORDINALITY t(x, o)
         WHERE x ->> 'id' = k;
        IF op = 'add' THEN
            IF idx IS NOT NULL THEN
                PERFORM ims_import_fail(path || '.key', format('procedures holds "%s" already', k));
            END IF;
            IF jsonb_typeof(v) <> 'object' THEN
                PERFORM ims_import_fail(path || '.value', 'must be the whole item as an object');
            END IF;
            procs := procs || jsonb_build_array(v);
            CONTINUE;
        END IF;
        IF idx IS NULL THEN
            PERFORM ims_import_fail(path || '.key', format('procedures holds no "%s"', k));
        END IF;
        IF op = 'remove' THEN
            procs := procs - idx;
        ELSE
            IF fld = '' OR fld = 'id' OR NOT (procs -> idx) ? fld THEN
                PERFORM ims_import_fail(path || '.field', format('"%s" is not a field of procedures', fld));
            END IF;
            procs := jsonb_set(procs, ARRAY[idx::text, fld], v);
        END IF;
    END LOOP;
    IF jsonb_array_length(others) > 0 THEN
        BEGIN
            PERFORM ims_schema_edit_0146(p_schema, p_version, others);
        EXCEPTION WHEN invalid_parameter_value THEN
            -- 0146 numbers the edits it was given: name them as the caller did.
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
            m := regexp_match(msg, '^edits\[(\d+)\](.*)$', 's');
            IF m IS NOT NULL THEN
                msg := format('edits[%s]%s', map[m[1]::int + 1], m[2]);
            END IF;
            RAISE EXCEPTION '%', msg USING ERRCODE = 'invalid_parameter_value';
        END;
    END IF;
    IF any_p THEN
        PERFORM ims_schema_put_procedures(p_schema, p_version, procs);
    END IF;
END
$$;

-- A rebase moves the tenant's open instances whose procedure and current phase the new
-- version still holds; the others stay on the version they run under.
ALTER FUNCTION ims_rebase_tenant(uuid, int) RENAME TO ims_rebase_tenant_0147;

CREATE FUNCTION ims_rebase_tenant(p_tenant uuid, p_version int) RETURNS int
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    sid text;
    ov  int;
    nv  int;
BEGIN
    SELECT schema_id, schema_version INTO sid, ov FROM tenant_params WHERE tenant_id = p_tenant;
    nv := ims_rebase_tenant_0147(p_tenant, p_version);
    UPDATE procedure_instances i SET schema_version = nv
     WHERE i.tenant_id = p_tenant AND i.status = 'open'
       AND i.schema_id = sid AND i.schema_version = ov
       AND EXISTS (SELECT 1 FROM schema_procedure_phases ph
                    WHERE ph.schema_id = sid AND ph.version = nv
                      AND ph.procedure_id = i.procedure_id AND ph.phase_id = i.phase_id);
    RETURN nv;
END
$$;

REVOKE EXECUTE ON FUNCTION ims_schema_procedures_doc(text, int),
    ims_schema_put_procedures(text, int, jsonb), ims_schema_document(text, int),
    ims_schema_put_document(text, int, jsonb), ims_schema_edit(text, int, jsonb),
    ims_rebase_tenant(uuid, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_schema_procedures_doc(text, int),
    ims_schema_put_procedures(text, int, jsonb), ims_schema_document(text, int),
    ims_schema_put_document(text, int, jsonb), ims_schema_edit(text, int, jsonb),
    ims_rebase_tenant(uuid, int) TO ims_app;
