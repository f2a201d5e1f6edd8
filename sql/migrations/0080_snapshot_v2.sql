-- The snapshot format ims-snapshot/2 (SECURITY-LEVEL.md section 11, docs/model.md): the
-- SMS system and the evidence weight among a tenant's parameters, and the "records" of an
-- export, built from and restored by the record kinds registered in record_kinds.
--
-- record_kinds is global: an area that keeps records which do not score registers, per
-- kind, an export function ims_records_export_<kind>(p_tenant uuid) RETURNS jsonb (a JSON
-- array, rows in a stable order, every field, times as RFC 3339 UTC) and an import function
-- ims_records_import_<kind>(p_tenant uuid, p_rows jsonb) RETURNS void (validates, fails
-- through ims_import_fail('$.records.<kind>[i].field', ...), inserts). Imports run in
-- position order (model 100-199, Check/Act 200-299, people/documents 300-399, schema
-- 400-499).

CREATE TABLE record_kinds (
    name      text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
    position  int UNIQUE NOT NULL,
    export_fn regprocedure NOT NULL,
    import_fn regprocedure NOT NULL
);
GRANT SELECT ON record_kinds TO ims_app;

-- The service management system (ISO/IEC 20000-1) joins the systems a tenant may enable.
ALTER TABLE management_systems DROP CONSTRAINT IF EXISTS management_systems_id_check;
ALTER TABLE management_systems ADD CONSTRAINT management_systems_id_check
    CHECK (id IN ('ISMS', 'BCMS', 'RMS', 'SMS'));
ALTER TABLE tenant_params DROP CONSTRAINT IF EXISTS tenant_params_systems_check;
ALTER TABLE tenant_params ADD CONSTRAINT tenant_params_systems_check
    CHECK (systems <@ ARRAY['ISMS', 'BCMS', 'RMS', 'SMS']::text[]);
ALTER TABLE tenant_params
    ADD COLUMN weight_sms double precision NOT NULL DEFAULT 0.25 CHECK (weight_sms >= 0),
    ADD COLUMN evidence_weight double precision NOT NULL DEFAULT 0.2
        CHECK (evidence_weight BETWEEN 0 AND 1);

-- The records of a tenant: {"<kind>": [...], ...} over the registered kinds.
CREATE FUNCTION ims_tenant_records(p_tenant uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    k    record;
    rows jsonb;
    out  jsonb := '{}';
BEGIN
    FOR k IN SELECT name, export_fn::oid::regproc AS fn FROM record_kinds ORDER BY position LOOP
        EXECUTE format('SELECT %s($1)', k.fn) INTO rows USING p_tenant;
        out := out || jsonb_build_object(k.name, coalesce(rows, '[]'));
    END LOOP;
    RETURN out;
END
$$;

-- ims_tenant_snapshot as of version 1 stays, renamed; the function of that name now gives
-- version 2: the same content plus the parameters and sections version 2 added. The
-- records go into exports only (p_everything); the daemon's own load has no use for them.
ALTER FUNCTION ims_tenant_snapshot(uuid, boolean) RENAME TO ims_tenant_snapshot_v1;

CREATE FUNCTION ims_tenant_snapshot(p_tenant uuid, p_everything boolean) RETURNS json
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
        'records', CASE WHEN p_everything THEN ims_tenant_records(p_tenant) ELSE '{}' END))::json;
END
$$;

-- Likewise the import: version 1's function restores what version 1 holds; this one checks
-- the format, hands it the document without the keys of version 2, then restores those.
ALTER FUNCTION ims_import_tenant(uuid, jsonb) RENAME TO ims_import_tenant_v1;

CREATE FUNCTION ims_import_tenant(p_tenant uuid, p_doc jsonb)
    RETURNS bigint LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    n    bigint;
    prm  jsonb := coalesce(p_doc -> 'params', '{}');
    rec  jsonb := coalesce(p_doc -> 'records', '{}');
    k    record;
    kind text;
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

REVOKE EXECUTE ON FUNCTION ims_tenant_records(uuid), ims_tenant_snapshot_v1(uuid, boolean),
    ims_tenant_snapshot(uuid, boolean), ims_import_tenant_v1(uuid, jsonb),
    ims_import_tenant(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_tenant_records(uuid), ims_tenant_snapshot_v1(uuid, boolean),
    ims_tenant_snapshot(uuid, boolean), ims_import_tenant_v1(uuid, jsonb),
    ims_import_tenant(uuid, jsonb) TO ims_app;
