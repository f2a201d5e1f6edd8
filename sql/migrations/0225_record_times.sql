-- The times of imported records as strict as those an export writes (YYYY-MM-DDTHH:MM:SSZ,
-- years 0001-9999). A bare cast took "infinity", which exports as null and cannot be
-- imported back, and far years, on which the due times of the Check/Act records fail
-- ("timestamp out of range") at every sweep. The Check/Act records (ims_act_ts, inside each
-- kind's handler, which names the record), tuning and completion.
CREATE OR REPLACE FUNCTION ims_act_ts(p_value jsonb) RETURNS timestamptz
    LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF p_value IS NULL OR jsonb_typeof(p_value) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p_value) <> 'string'
       OR NOT (p_value #>> '{}') ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
       OR (p_value #>> '{}') LIKE '0000-%' THEN
        RAISE EXCEPTION 'time %: must be an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)', p_value
            USING ERRCODE = 'invalid_datetime_format';
    END IF;
    RETURN (p_value #>> '{}')::timestamptz;
EXCEPTION WHEN datetime_field_overflow THEN
    RAISE EXCEPTION 'time %: not a valid date and time', p_value
        USING ERRCODE = 'invalid_datetime_format';
END
$$;

CREATE OR REPLACE FUNCTION ims_records_import_tuning(p_tenant uuid, p_rows jsonb) RETURNS void
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
        at := ims_people_time(e -> 'set_at', path || '.set_at', false);
        IF EXISTS (SELECT 1 FROM tenant_tuning WHERE tenant_id = p_tenant AND name = e ->> 'name') THEN
            PERFORM ims_import_fail(path || '.name', 'listed twice');
        END IF;
        INSERT INTO tenant_tuning (tenant_id, name, value, set_by, set_at)
        VALUES (p_tenant, e ->> 'name', ims_doc_num(e -> 'value', path || '.value', -1e12, 1e12),
                ims_doc_text(e -> 'set_by', path || '.set_by', 200, false), at);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION ims_records_import_completion(p_tenant uuid, p_rows jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    e    jsonb;
    i    int;
    path text;
    at   timestamptz;
    lv   bigint;
BEGIN
    FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(p_rows) WITH ORDINALITY t(x, o) LOOP
        path := format('$.records.completion[%s]', i);
        PERFORM ims_doc_object(e, path, ARRAY['activity', 'level', 'note', 'by', 'at'],
                               ARRAY['activity', 'level', 'note', 'by', 'at']);
        at := ims_people_time(e -> 'at', path || '.at', false);
        IF e ->> 'activity' = '' THEN
            lv := ims_import_int(e -> 'level', path || '.level', 1, 5);
            INSERT INTO tenant_completion_target (tenant_id, target, set_by, set_at)
            VALUES (p_tenant, lv, ims_doc_text(e -> 'by', path || '.by', 200, false), at);
            CONTINUE;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM completion_activities WHERE id = e ->> 'activity') THEN
            PERFORM ims_import_fail(path || '.activity', 'unknown activity');
        END IF;
        lv := ims_import_int(e -> 'level', path || '.level', 0, 5);
        INSERT INTO tenant_completion (tenant_id, activity_id, level, note, recorded_by, recorded_at)
        VALUES (p_tenant, e ->> 'activity', lv, ims_doc_text(e -> 'note', path || '.note', 2000, false),
                ims_doc_text(e -> 'by', path || '.by', 200, false), at);
    END LOOP;
END
$$;
