-- A procedure instance keeps the schema version it runs under: a rebase leaves an instance
-- whose phase the new version dropped on its old version (0156). The procedure_instance
-- record now carries `schema_version`, and an import puts each instance on the version it
-- names when the importing tenant's schema holds its phase there (at or before the tenant's
-- own version), else on the newest version that does; a record without the field (an older
-- document) prefers the tenant's version, as before. The export is 0132's with the field
-- added; the import replaces 0132's, which read every phase against the tenant's version,
-- so an instance left on an older version could not be imported.

ALTER FUNCTION ims_records_export_procedure_instance(uuid)
    RENAME TO ims_records_export_procedure_instance_0132;
ALTER FUNCTION ims_records_import_procedure_instance(uuid, jsonb)
    RENAME TO ims_records_import_procedure_instance_0132;

CREATE FUNCTION ims_records_export_procedure_instance(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT coalesce(jsonb_agg(a.e || jsonb_build_object('schema_version',
           (SELECT i.schema_version FROM procedure_instances i
             WHERE i.tenant_id = p_tenant AND i.instance_id = a.e ->> 'id')) ORDER BY a.n), '[]')
  FROM jsonb_array_elements(ims_records_export_procedure_instance_0132(p_tenant))
       WITH ORDINALITY AS a(e, n)
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
    v int;
    tp tenant_params%ROWTYPE;
BEGIN
    SELECT * INTO tp FROM tenant_params WHERE tenant_id = p_tenant;
    FOR x IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        path := format('$.records.procedure_instance[%s]', i);
        id := ims_people_ident(x -> 'id', path || '.id');
        IF x ? 'schema_version' AND jsonb_typeof(x -> 'schema_version') <> 'null'
           AND ((x ->> 'schema_version') !~ '^[0-9]{1,9}$'
                OR jsonb_typeof(x -> 'schema_version') <> 'number') THEN
            PERFORM ims_import_fail(path || '.schema_version', 'must be a version number');
        END IF;
        -- The version the record names when the tenant's schema holds the phase there (at
        -- or before the tenant's own version), else the newest such version.
        SELECT p.version INTO v FROM schema_procedure_phases p
         WHERE p.schema_id = tp.schema_id AND p.version <= tp.schema_version
           AND p.procedure_id = x ->> 'procedure' AND p.phase_id = x ->> 'phase'
         ORDER BY p.version = coalesce((x ->> 'schema_version')::int, tp.schema_version) DESC,
                  p.version DESC
         LIMIT 1;
        IF v IS NULL THEN
            PERFORM ims_import_fail(path || '.phase',
                format('the tenant''s schema has no phase "%s" of procedure "%s"',
                       x ->> 'phase', x ->> 'procedure'));
        END IF;
        IF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = p_tenant AND person_id = x ->> 'started_by') THEN
            PERFORM ims_import_fail(path || '.started_by', format('no person "%s"', x ->> 'started_by'));
        END IF;
        IF coalesce(x ->> 'incident', '') <> '' AND NOT EXISTS (
            SELECT 1 FROM incidents WHERE tenant_id = p_tenant AND incident_id = x ->> 'incident') THEN
            PERFORM ims_import_fail(path || '.incident', format('no incident "%s"', x ->> 'incident'));
        END IF;
        IF coalesce(x ->> 'finding', '') <> '' AND NOT EXISTS (
            SELECT 1 FROM findings WHERE tenant_id = p_tenant AND finding_id = x ->> 'finding') THEN
            PERFORM ims_import_fail(path || '.finding', format('no finding "%s"', x ->> 'finding'));
        END IF;
        IF (x ->> 'status') IS DISTINCT FROM 'open' AND (x ->> 'status') IS DISTINCT FROM 'completed' THEN
            PERFORM ims_import_fail(path || '.status', 'must be open or completed');
        END IF;
        INSERT INTO procedure_instances (tenant_id, instance_id, schema_id, schema_version,
            procedure_id, title, phase_id, status, incident_id, started_at, started_by,
            phase_since, phase_due_at, completed_at, late_steps, phase_owner, finding_id)
        VALUES (p_tenant, id, tp.schema_id, v, x ->> 'procedure',
                coalesce(x ->> 'title', ''), x ->> 'phase', x ->> 'status', nullif(x ->> 'incident', ''),
                ims_people_time(x -> 'started_at', path || '.started_at', false), x ->> 'started_by',
                ims_people_time(x -> 'phase_since', path || '.phase_since', false),
                ims_people_time(x -> 'phase_due_at', path || '.phase_due_at', true),
                ims_people_time(x -> 'completed_at', path || '.completed_at', true),
                coalesce((x ->> 'late_steps')::int, 0), nullif(x ->> 'phase_owner', ''),
                nullif(x ->> 'finding', ''));
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

UPDATE record_kinds
   SET export_fn = 'ims_records_export_procedure_instance(uuid)',
       import_fn = 'ims_records_import_procedure_instance(uuid,jsonb)'
 WHERE name = 'procedure_instance';

REVOKE EXECUTE ON FUNCTION ims_records_export_procedure_instance(uuid),
    ims_records_import_procedure_instance(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_records_export_procedure_instance(uuid),
    ims_records_import_procedure_instance(uuid, jsonb) TO ims_app;
