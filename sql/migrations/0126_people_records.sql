-- The records of people, security culture, procedures and documents in a snapshot (the
-- "records" of ims-snapshot/2, SECURITY-LEVEL.md section 11; layout in docs/people.md).
-- Kinds, in import order: person (300), certificate (310), procedure (320: the definitions
-- of the tenant's schema, checked on import, not stored per tenant), procedure_instance
-- (330, with its steps and register entries), document (340: a document's versions,
-- history, approval, title, classification and retention; its status and review due time
-- are the snapshot's "artefacts", its owner the record "artefact"). Tokens linked to
-- people are not exported: tokens belong to the server.

-- Fails the import at path unless v is a string matching the identifier pattern.
CREATE FUNCTION ims_people_ident(v jsonb, p_path text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF jsonb_typeof(v) IS DISTINCT FROM 'string' OR NOT (v #>> '{}') ~ '^[A-Za-z0-9._:-]{1,64}$' THEN
        PERFORM ims_import_fail(p_path, 'must be 1 to 64 characters of A-Z a-z 0-9 . _ : -');
    END IF;
    RETURN v #>> '{}';
END
$$;

-- A time of the document at path (NULL when JSON null and p_null).
CREATE FUNCTION ims_people_time(v jsonb, p_path text, p_null boolean) RETURNS timestamptz
    LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        IF NOT p_null THEN
            PERFORM ims_import_fail(p_path, 'required');
        END IF;
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) <> 'string' OR NOT (v #>> '{}') ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' THEN
        PERFORM ims_import_fail(p_path, 'must be an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)');
    END IF;
    RETURN (v #>> '{}')::timestamptz;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    PERFORM ims_import_fail(p_path, 'not a valid time');
    RETURN NULL;
END
$$;

-- --- person ---

CREATE FUNCTION ims_records_export_person(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id', p.person_id, 'name', p.name, 'email', p.email, 'phone', p.phone,
           'org_unit', p.org_unit, 'manager', p.manager_id,
           'profiles', coalesce((SELECT jsonb_agg(pp.profile_id ORDER BY pp.profile_id)
                                   FROM person_profiles pp
                                  WHERE pp.tenant_id = p.tenant_id AND pp.person_id = p.person_id),
                                '[]'),
           'active', p.active, 'left_at', ims_rfc3339(p.left_at),
           'created_at', ims_rfc3339(p.created_at), 'updated_at', ims_rfc3339(p.updated_at))
         ORDER BY p.person_id), '[]')
  FROM people p WHERE p.tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_person(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    x jsonb;
    i int := 0;
    path text;
    id text;
    prof text;
BEGIN
    FOR x IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        path := format('$.records.person[%s]', i);
        id := ims_people_ident(x -> 'id', path || '.id');
        IF coalesce(length(x ->> 'name'), 0) NOT BETWEEN 1 AND 200 THEN
            PERFORM ims_import_fail(path || '.name', 'must be 1 to 200 characters');
        END IF;
        IF EXISTS (SELECT 1 FROM people WHERE tenant_id = p_tenant AND person_id = id) THEN
            PERFORM ims_import_fail(path || '.id', format('person "%s" appears twice', id));
        END IF;
        INSERT INTO people (tenant_id, person_id, name, email, phone, org_unit, active, left_at,
                            created_at, updated_at)
        VALUES (p_tenant, id, x ->> 'name', coalesce(x ->> 'email', ''),
                coalesce(x ->> 'phone', ''), coalesce(x ->> 'org_unit', ''),
                coalesce((x ->> 'active')::boolean, true),
                ims_people_time(x -> 'left_at', path || '.left_at', true),
                coalesce(ims_people_time(x -> 'created_at', path || '.created_at', true), now()),
                coalesce(ims_people_time(x -> 'updated_at', path || '.updated_at', true), now()));
        FOR prof IN SELECT * FROM jsonb_array_elements_text(coalesce(x -> 'profiles', '[]')) LOOP
            IF NOT EXISTS (SELECT 1 FROM profiles WHERE profiles.id = prof) THEN
                PERFORM ims_import_fail(path || '.profiles', format('unknown profile "%s"', prof));
            END IF;
            INSERT INTO person_profiles (tenant_id, person_id, profile_id)
            VALUES (p_tenant, id, prof) ON CONFLICT DO NOTHING;
        END LOOP;
        i := i + 1;
    END LOOP;
    i := 0;
    FOR x IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        IF coalesce(x ->> 'manager', '') <> '' THEN
            IF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = p_tenant
                              AND person_id = x ->> 'manager') THEN
                PERFORM ims_import_fail(format('$.records.person[%s].manager', i),
                                        format('no person "%s"', x ->> 'manager'));
            END IF;
            UPDATE people SET manager_id = x ->> 'manager'
             WHERE tenant_id = p_tenant AND person_id = x ->> 'id';
        END IF;
        i := i + 1;
    END LOOP;
EXCEPTION WHEN check_violation THEN
    PERFORM ims_import_fail(format('$.records.person[%s]', i), SQLERRM);
END
$$;

-- --- certificate ---

CREATE FUNCTION ims_records_export_certificate(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id', c.certificate_id, 'person', c.person_id, 'level', c.level,
           'issued_at', ims_rfc3339(c.issued_at), 'expires_at', ims_rfc3339(c.expires_at),
           'evidence', c.evidence, 'renews', c.renews, 'created_at', ims_rfc3339(c.created_at))
         ORDER BY c.certificate_id), '[]')
  FROM culture_certificates c WHERE c.tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_certificate(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    x jsonb;
    i int := 0;
    path text;
    id text;
    person text;
    issued timestamptz;
    expires timestamptz;
BEGIN
    FOR x IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        path := format('$.records.certificate[%s]', i);
        id := ims_people_ident(x -> 'id', path || '.id');
        person := ims_people_ident(x -> 'person', path || '.person');
        IF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = p_tenant AND person_id = person) THEN
            PERFORM ims_import_fail(path || '.person', format('no person "%s"', person));
        END IF;
        IF jsonb_typeof(x -> 'level') IS DISTINCT FROM 'number'
           OR (x ->> 'level') NOT IN ('1', '2', '3') THEN
            PERFORM ims_import_fail(path || '.level', 'must be 1, 2 or 3');
        END IF;
        issued := ims_people_time(x -> 'issued_at', path || '.issued_at', false);
        expires := ims_people_time(x -> 'expires_at', path || '.expires_at', false);
        IF expires <= issued THEN
            PERFORM ims_import_fail(path || '.expires_at', 'must be after issued_at');
        END IF;
        INSERT INTO culture_certificates (tenant_id, certificate_id, person_id, level, issued_at,
                                          expires_at, evidence, created_at)
        VALUES (p_tenant, id, person, (x ->> 'level')::smallint, issued, expires,
                coalesce(x ->> 'evidence', ''),
                coalesce(ims_people_time(x -> 'created_at', path || '.created_at', true), now()));
        i := i + 1;
    END LOOP;
    i := 0;
    FOR x IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        IF coalesce(x ->> 'renews', '') <> '' THEN
            IF NOT EXISTS (SELECT 1 FROM culture_certificates WHERE tenant_id = p_tenant
                              AND certificate_id = x ->> 'renews'
                              AND person_id = x ->> 'person') THEN
                PERFORM ims_import_fail(format('$.records.certificate[%s].renews', i),
                                        'no certificate of the same person with that id');
            END IF;
            UPDATE culture_certificates SET renews = x ->> 'renews'
             WHERE tenant_id = p_tenant AND certificate_id = x ->> 'id';
        END IF;
        i := i + 1;
    END LOOP;
END
$$;

-- --- procedure (definitions of the tenant's schema) ---

CREATE FUNCTION ims_records_export_procedure(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id', p.procedure_id, 'name', p.name, 'description', p.description, 'links', p.links,
           'phases', (SELECT jsonb_agg(jsonb_build_object(
                         'id', ph.phase_id, 'position', ph.position, 'type', ph.type,
                         'name', ph.name, 'description', ph.description,
                         'due_hours', ph.due_hours,
                         'profiles', coalesce((SELECT jsonb_agg(x.profile_id ORDER BY x.profile_id)
                                                 FROM schema_phase_profiles x
                                                WHERE (x.schema_id, x.version, x.procedure_id, x.phase_id)
                                                    = (ph.schema_id, ph.version, ph.procedure_id, ph.phase_id)), '[]'),
                         'paths', coalesce((SELECT jsonb_agg(x.next_phase ORDER BY x.next_phase)
                                              FROM schema_phase_paths x
                                             WHERE (x.schema_id, x.version, x.procedure_id, x.phase_id)
                                                 = (ph.schema_id, ph.version, ph.procedure_id, ph.phase_id)), '[]'),
                         'objects', coalesce((SELECT jsonb_agg(jsonb_build_object('artefact', x.artefact_id,
                                                                                  'use', x.use)
                                                                ORDER BY x.artefact_id)
                                                FROM schema_phase_objects x
                                               WHERE (x.schema_id, x.version, x.procedure_id, x.phase_id)
                                                   = (ph.schema_id, ph.version, ph.procedure_id, ph.phase_id)), '[]'))
                         ORDER BY ph.position)
                        FROM schema_procedure_phases ph
                       WHERE (ph.schema_id, ph.version, ph.procedure_id)
                           = (p.schema_id, p.version, p.procedure_id)))
         ORDER BY p.procedure_id), '[]')
  FROM tenant_params tp
  JOIN schema_procedures p ON p.schema_id = tp.schema_id AND p.version = tp.schema_version
 WHERE tp.tenant_id = p_tenant
$$;

-- The definitions belong to the schema: an import checks that the tenant's schema holds
-- each procedure and phase the document names, and stores nothing.
CREATE FUNCTION ims_records_import_procedure(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    x jsonb;
    ph jsonb;
    i int := 0;
    j int;
    tp tenant_params%ROWTYPE;
BEGIN
    SELECT * INTO tp FROM tenant_params WHERE tenant_id = p_tenant;
    FOR x IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        IF NOT EXISTS (SELECT 1 FROM schema_procedures WHERE schema_id = tp.schema_id
                          AND version = tp.schema_version AND procedure_id = x ->> 'id') THEN
            PERFORM ims_import_fail(format('$.records.procedure[%s].id', i),
                                    format('the tenant''s schema has no procedure "%s"', x ->> 'id'));
        END IF;
        j := 0;
        FOR ph IN SELECT * FROM jsonb_array_elements(coalesce(x -> 'phases', '[]')) LOOP
            IF NOT EXISTS (SELECT 1 FROM schema_procedure_phases WHERE schema_id = tp.schema_id
                              AND version = tp.schema_version AND procedure_id = x ->> 'id'
                              AND phase_id = ph ->> 'id') THEN
                PERFORM ims_import_fail(format('$.records.procedure[%s].phases[%s].id', i, j),
                                        format('the tenant''s schema has no phase "%s"', ph ->> 'id'));
            END IF;
            j := j + 1;
        END LOOP;
        i := i + 1;
    END LOOP;
END
$$;

-- --- procedure_instance ---

CREATE FUNCTION ims_records_export_procedure_instance(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id', i.instance_id, 'procedure', i.procedure_id, 'title', i.title,
           'phase', i.phase_id, 'status', i.status, 'incident', i.incident_id,
           'started_at', ims_rfc3339(i.started_at), 'started_by', i.started_by,
           'phase_since', ims_rfc3339(i.phase_since), 'phase_due_at', ims_rfc3339(i.phase_due_at),
           'completed_at', ims_rfc3339(i.completed_at), 'late_steps', i.late_steps,
           'phase_owner', i.phase_owner,
           'steps', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                  'seq', s.seq, 'from_phase', s.from_phase, 'to_phase', s.to_phase,
                                  'person', s.person_id, 'at', ims_rfc3339(s.at),
                                  'due_at', ims_rfc3339(s.due_at), 'late', s.late, 'note', s.note)
                                  ORDER BY s.seq)
                                FROM procedure_steps s
                               WHERE s.tenant_id = i.tenant_id AND s.instance_id = i.instance_id), '[]'),
           'records', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                    'seq', r.seq, 'phase', r.phase_id, 'artefact', r.artefact_id,
                                    'reference', r.reference, 'note', r.note, 'person', r.person_id,
                                    'at', ims_rfc3339(r.at))
                                    ORDER BY r.seq)
                                  FROM procedure_records r
                                 WHERE r.tenant_id = i.tenant_id AND r.instance_id = i.instance_id), '[]'))
         ORDER BY i.instance_id), '[]')
  FROM procedure_instances i WHERE i.tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_procedure_instance(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    x jsonb;
    s jsonb;
    i int := 0;
    path text;
    id text;
    tp tenant_params%ROWTYPE;
BEGIN
    SELECT * INTO tp FROM tenant_params WHERE tenant_id = p_tenant;
    FOR x IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        path := format('$.records.procedure_instance[%s]', i);
        id := ims_people_ident(x -> 'id', path || '.id');
        IF NOT EXISTS (SELECT 1 FROM schema_procedure_phases WHERE schema_id = tp.schema_id
                          AND version = tp.schema_version AND procedure_id = x ->> 'procedure'
                          AND phase_id = x ->> 'phase') THEN
            PERFORM ims_import_fail(path || '.phase', format('the tenant''s schema has no phase "%s" of procedure "%s"',
                                                           x ->> 'phase', x ->> 'procedure'));
        END IF;
        IF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = p_tenant AND person_id = x ->> 'started_by') THEN
            PERFORM ims_import_fail(path || '.started_by', format('no person "%s"', x ->> 'started_by'));
        END IF;
        IF coalesce(x ->> 'incident', '') <> '' AND NOT EXISTS (
            SELECT 1 FROM incidents WHERE tenant_id = p_tenant AND incident_id = x ->> 'incident') THEN
            PERFORM ims_import_fail(path || '.incident', format('no incident "%s"', x ->> 'incident'));
        END IF;
        IF (x ->> 'status') IS DISTINCT FROM 'open' AND (x ->> 'status') IS DISTINCT FROM 'completed' THEN
            PERFORM ims_import_fail(path || '.status', 'must be open or completed');
        END IF;
        INSERT INTO procedure_instances (tenant_id, instance_id, schema_id, schema_version,
            procedure_id, title, phase_id, status, incident_id, started_at, started_by,
            phase_since, phase_due_at, completed_at, late_steps, phase_owner)
        VALUES (p_tenant, id, tp.schema_id, tp.schema_version, x ->> 'procedure',
                coalesce(x ->> 'title', ''), x ->> 'phase', x ->> 'status', nullif(x ->> 'incident', ''),
                ims_people_time(x -> 'started_at', path || '.started_at', false), x ->> 'started_by',
                ims_people_time(x -> 'phase_since', path || '.phase_since', false),
                ims_people_time(x -> 'phase_due_at', path || '.phase_due_at', true),
                ims_people_time(x -> 'completed_at', path || '.completed_at', true),
                coalesce((x ->> 'late_steps')::int, 0), nullif(x ->> 'phase_owner', ''));
        FOR s IN SELECT * FROM jsonb_array_elements(coalesce(x -> 'steps', '[]')) LOOP
            IF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = p_tenant AND person_id = s ->> 'person') THEN
                PERFORM ims_import_fail(path || '.steps', format('no person "%s"', s ->> 'person'));
            END IF;
            INSERT INTO procedure_steps (tenant_id, instance_id, seq, from_phase, to_phase,
                                         person_id, at, due_at, late, note)
            VALUES (p_tenant, id, (s ->> 'seq')::int, s ->> 'from_phase', s ->> 'to_phase',
                    s ->> 'person', ims_people_time(s -> 'at', path || '.steps.at', false),
                    ims_people_time(s -> 'due_at', path || '.steps.due_at', true),
                    coalesce((s ->> 'late')::boolean, false), coalesce(s ->> 'note', ''));
        END LOOP;
        FOR s IN SELECT * FROM jsonb_array_elements(coalesce(x -> 'records', '[]')) LOOP
            IF NOT EXISTS (SELECT 1 FROM artefacts WHERE artefacts.id = s ->> 'artefact') THEN
                PERFORM ims_import_fail(path || '.records', format('unknown artefact "%s"', s ->> 'artefact'));
            END IF;
            IF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = p_tenant AND person_id = s ->> 'person') THEN
                PERFORM ims_import_fail(path || '.records', format('no person "%s"', s ->> 'person'));
            END IF;
            INSERT INTO procedure_records (tenant_id, instance_id, seq, phase_id, artefact_id,
                                           reference, note, person_id, at)
            VALUES (p_tenant, id, (s ->> 'seq')::int, s ->> 'phase', s ->> 'artefact',
                    s ->> 'reference', coalesce(s ->> 'note', ''), s ->> 'person',
                    ims_people_time(s -> 'at', path || '.records.at', false));
        END LOOP;
        i := i + 1;
    END LOOP;
EXCEPTION WHEN unique_violation OR check_violation OR not_null_violation OR foreign_key_violation
          OR invalid_text_representation THEN
    PERFORM ims_import_fail(format('$.records.procedure_instance[%s]', i), SQLERRM);
END
$$;

-- --- document ---

CREATE FUNCTION ims_records_export_document(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'artefact', ta.artefact_id, 'title', ta.title, 'approver', ta.approver,
           'approved_at', ims_rfc3339(ta.approved_at),
           'classification', ta.classification, 'retention_days', ta.retention_days,
           'version', ta.current_version,
           'versions', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                     'version', v.version, 'body', v.body, 'note', v.note,
                                     'author', v.author, 'created_at', ims_rfc3339(v.created_at))
                                     ORDER BY v.version)
                                   FROM document_versions v
                                  WHERE v.tenant_id = ta.tenant_id AND v.artefact_id = ta.artefact_id), '[]'),
           'history', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                    'seq', h.seq, 'at', ims_rfc3339(h.at), 'action', h.action,
                                    'version', h.version, 'status', h.status, 'person', h.person_id,
                                    'note', h.note)
                                    ORDER BY h.seq)
                                  FROM document_history h
                                 WHERE h.tenant_id = ta.tenant_id AND h.artefact_id = ta.artefact_id), '[]'))
         ORDER BY ta.artefact_id), '[]')
  FROM tenant_artefacts ta
 WHERE ta.tenant_id = p_tenant
   AND ta.current_version IS NOT NULL
$$;

CREATE FUNCTION ims_records_import_document(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    x jsonb;
    v jsonb;
    i int := 0;
    path text;
    art text;
BEGIN
    FOR x IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        path := format('$.records.document[%s]', i);
        art := x ->> 'artefact';
        IF NOT EXISTS (SELECT 1 FROM tenant_artefacts WHERE tenant_id = p_tenant AND artefact_id = art) THEN
            PERFORM ims_import_fail(path || '.artefact', format('the tenant keeps no document "%s"', art));
        END IF;
        IF coalesce(x ->> 'approver', '') <> '' AND NOT EXISTS (
            SELECT 1 FROM people WHERE tenant_id = p_tenant AND person_id = x ->> 'approver') THEN
            PERFORM ims_import_fail(path || '.approver', format('no person "%s"', x ->> 'approver'));
        END IF;
        FOR v IN SELECT * FROM jsonb_array_elements(coalesce(x -> 'versions', '[]')) LOOP
            INSERT INTO document_versions (tenant_id, artefact_id, version, body, note, author, created_at)
            VALUES (p_tenant, art, (v ->> 'version')::int, coalesce(v ->> 'body', ''),
                    coalesce(v ->> 'note', ''), v ->> 'author',
                    ims_people_time(v -> 'created_at', path || '.versions.created_at', false));
        END LOOP;
        UPDATE tenant_artefacts
           SET title = coalesce(x ->> 'title', ''), approver = x ->> 'approver',
               approved_at = ims_people_time(x -> 'approved_at', path || '.approved_at', true),
               classification = coalesce(x ->> 'classification', 'internal'),
               retention_days = coalesce((x ->> 'retention_days')::int, 1095),
               current_version = (x ->> 'version')::int
         WHERE tenant_id = p_tenant AND artefact_id = art;
        FOR v IN SELECT * FROM jsonb_array_elements(coalesce(x -> 'history', '[]')) LOOP
            INSERT INTO document_history (tenant_id, artefact_id, seq, at, action, version, status,
                                          person_id, note)
            VALUES (p_tenant, art, (v ->> 'seq')::int,
                    ims_people_time(v -> 'at', path || '.history.at', false), v ->> 'action',
                    (v ->> 'version')::int, v ->> 'status', v ->> 'person', coalesce(v ->> 'note', ''));
        END LOOP;
        i := i + 1;
    END LOOP;
EXCEPTION WHEN unique_violation OR check_violation OR not_null_violation OR foreign_key_violation
          OR invalid_text_representation THEN
    PERFORM ims_import_fail(format('$.records.document[%s]', i), SQLERRM);
END
$$;

DO $$
DECLARE
    k text;
BEGIN
    FOREACH k IN ARRAY ARRAY['person', 'certificate', 'procedure', 'procedure_instance', 'document'] LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION ims_records_export_%s(uuid), '
                       'ims_records_import_%s(uuid, jsonb) FROM PUBLIC', k, k);
        EXECUTE format('GRANT EXECUTE ON FUNCTION ims_records_export_%s(uuid), '
                       'ims_records_import_%s(uuid, jsonb) TO ims_app', k, k);
    END LOOP;
END;
$$;
GRANT EXECUTE ON FUNCTION ims_people_ident(jsonb, text), ims_people_time(jsonb, text, boolean) TO ims_app;

INSERT INTO record_kinds (name, position, export_fn, import_fn) VALUES
    ('person', 300, 'ims_records_export_person(uuid)', 'ims_records_import_person(uuid,jsonb)'),
    ('certificate', 310, 'ims_records_export_certificate(uuid)', 'ims_records_import_certificate(uuid,jsonb)'),
    ('procedure', 320, 'ims_records_export_procedure(uuid)', 'ims_records_import_procedure(uuid,jsonb)'),
    ('procedure_instance', 330, 'ims_records_export_procedure_instance(uuid)',
     'ims_records_import_procedure_instance(uuid,jsonb)'),
    ('document', 340, 'ims_records_export_document(uuid)', 'ims_records_import_document(uuid,jsonb)');
