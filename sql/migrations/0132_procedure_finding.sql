-- A procedure instance's finding (docs/people.md "Procedures"): an instance may handle a
-- finding of the tenant, as one may handle an incident; a procedure whose definition links
-- findings needs one. Kept in the instance, answered, and carried by the snapshot records
-- (the procedure_instance kind's functions of 0126 wrapped to add the `finding` field).

ALTER TABLE procedure_instances ADD COLUMN finding_id text;
ALTER TABLE procedure_instances ADD FOREIGN KEY (tenant_id, finding_id)
    REFERENCES findings (tenant_id, finding_id);

-- Links the new instance p_instance to finding p_finding ('' none) when it starts.
CREATE FUNCTION ims_procedure_link_finding(p_instance text, p_finding text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid := ims_current_tenant();
    links text;
BEGIN
    SELECT p.links INTO links
      FROM procedure_instances i
      JOIN schema_procedures p ON p.schema_id = i.schema_id AND p.version = i.schema_version
                              AND p.procedure_id = i.procedure_id
     WHERE i.tenant_id = t AND i.instance_id = p_instance;
    IF links = 'finding' AND coalesce(p_finding, '') = '' THEN
        RAISE EXCEPTION 'finding: the procedure of instance "%" is linked to a finding; name one',
            p_instance USING ERRCODE = '22023';
    END IF;
    IF coalesce(p_finding, '') = '' THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM findings WHERE tenant_id = t AND finding_id = p_finding) THEN
        RAISE EXCEPTION 'finding: no finding "%"', p_finding USING ERRCODE = '22023';
    END IF;
    UPDATE procedure_instances SET finding_id = p_finding
     WHERE tenant_id = t AND instance_id = p_instance;
END
$$;

-- The records of 0126 with the finding added.
ALTER FUNCTION ims_records_export_procedure_instance(uuid)
    RENAME TO ims_records_export_procedure_instance_0126;
ALTER FUNCTION ims_records_import_procedure_instance(uuid, jsonb)
    RENAME TO ims_records_import_procedure_instance_0126;

CREATE FUNCTION ims_records_export_procedure_instance(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT coalesce(jsonb_agg(a.e || jsonb_build_object('finding',
           (SELECT i.finding_id FROM procedure_instances i
             WHERE i.tenant_id = p_tenant AND i.instance_id = a.e ->> 'id')) ORDER BY a.n), '[]')
  FROM jsonb_array_elements(ims_records_export_procedure_instance_0126(p_tenant))
       WITH ORDINALITY AS a(e, n)
$$;

CREATE FUNCTION ims_records_import_procedure_instance(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    x jsonb;
    i int := 0;
BEGIN
    PERFORM ims_records_import_procedure_instance_0126(p_tenant, p_rows);
    FOR x IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
        IF coalesce(x ->> 'finding', '') <> '' THEN
            IF NOT EXISTS (SELECT 1 FROM findings
                            WHERE tenant_id = p_tenant AND finding_id = x ->> 'finding') THEN
                PERFORM ims_import_fail(format('$.records.procedure_instance[%s].finding', i),
                                        format('no finding "%s"', x ->> 'finding'));
            END IF;
            UPDATE procedure_instances SET finding_id = x ->> 'finding'
             WHERE tenant_id = p_tenant AND instance_id = x ->> 'id';
        END IF;
        i := i + 1;
    END LOOP;
END
$$;

UPDATE record_kinds
   SET export_fn = 'ims_records_export_procedure_instance(uuid)',
       import_fn = 'ims_records_import_procedure_instance(uuid,jsonb)'
 WHERE name = 'procedure_instance';

REVOKE EXECUTE ON FUNCTION ims_procedure_link_finding(text, text),
    ims_records_export_procedure_instance(uuid),
    ims_records_import_procedure_instance(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_procedure_link_finding(text, text),
    ims_records_export_procedure_instance(uuid),
    ims_records_import_procedure_instance(uuid, jsonb) TO ims_app;
