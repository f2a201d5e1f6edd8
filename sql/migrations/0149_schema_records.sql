-- A tenant generated or rebased from a schema takes the schema's SMS weight (the column
-- weight_sms came with the SMS system in 0080), and the tenant's tuning is one of the
-- records an export carries (kind "tuning", position 400): who set which value when.
-- The values themselves are in the snapshot's params and metrics already.

CREATE FUNCTION ims_tenant_params_sms_weight() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    NEW.weight_sms := coalesce((SELECT ss.weight FROM schema_systems ss
                                 WHERE ss.schema_id = NEW.schema_id
                                   AND ss.version = NEW.schema_version
                                   AND ss.system_id = 'SMS'), NEW.weight_sms);
    RETURN NEW;
END
$$;
CREATE TRIGGER tenant_params_sms_weight BEFORE INSERT ON tenant_params
    FOR EACH ROW EXECUTE FUNCTION ims_tenant_params_sms_weight();

CREATE FUNCTION ims_records_export_tuning(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('name', t.name, 'value', t.value,
                                                 'set_by', t.set_by,
                                                 'set_at', ims_rfc3339(t.set_at))
                              ORDER BY t.name), '[]')
      FROM tenant_tuning t WHERE t.tenant_id = p_tenant
$$;

CREATE FUNCTION ims_records_import_tuning(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    e    jsonb;
    i    int;
    path text;
    at   timestamptz;
BEGIN
    FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(p_rows) WITH ORDINALITY t(x, o) LOOP
        path := format('$.records.tuning[%s]', i);
        PERFORM ims_doc_object(e, path, ARRAY['name', 'value', 'set_by', 'set_at'],
                               ARRAY['name', 'value', 'set_by', 'set_at']);
        IF NOT ((e ->> 'name') = ANY (ims_tuning_params())
                OR (e ->> 'name') ~ '^(target|threshold):[a-z][a-z0-9_]*$') THEN
            PERFORM ims_import_fail(path || '.name', 'not a model parameter or target:/threshold:<metric>');
        END IF;
        BEGIN
            at := (e ->> 'set_at')::timestamptz;
        EXCEPTION WHEN others THEN
            PERFORM ims_import_fail(path || '.set_at', 'must be an RFC 3339 time');
        END;
        IF EXISTS (SELECT 1 FROM tenant_tuning WHERE tenant_id = p_tenant AND name = e ->> 'name') THEN
            PERFORM ims_import_fail(path || '.name', 'listed twice');
        END IF;
        INSERT INTO tenant_tuning (tenant_id, name, value, set_by, set_at)
        VALUES (p_tenant, e ->> 'name', ims_doc_num(e -> 'value', path || '.value', -1e12, 1e12),
                ims_doc_text(e -> 'set_by', path || '.set_by', 200, false), at);
    END LOOP;
END
$$;

GRANT EXECUTE ON FUNCTION ims_records_export_tuning(uuid), ims_records_import_tuning(uuid, jsonb)
    TO ims_app;
INSERT INTO record_kinds (name, position, export_fn, import_fn) VALUES
    ('tuning', 400, 'ims_records_export_tuning(uuid)', 'ims_records_import_tuning(uuid,jsonb)');
