-- The completion matrix (seed 003): an ISMS implementation modelled as activities, each
-- entering the implementation at one of five progressive levels (1 the essentials … 4 a
-- complete system without audits and technical reviews … 5 close to the whole standard).
-- Per tenant: the target level (default 4) and, per activity, the level to which the
-- consultant records it carried out (0: not yet). An activity is required at target T
-- when it enters at a level <= T, and met when it is carried out to level >= T; the tenant
-- stands at the largest level k whose activities are all carried out to level >= k.
-- Nothing here scores: it tracks the implementation project.

CREATE TABLE completion_activities (
    id         text PRIMARY KEY CHECK (id ~ '^CA\.[0-9]{2}$'),
    name       text NOT NULL,
    outputs    text NOT NULL,            -- the documents or records it produces
    from_level smallint NOT NULL CHECK (from_level BETWEEN 1 AND 5),
    sort_order int NOT NULL
);
GRANT SELECT ON completion_activities TO ims_app;

CREATE TABLE tenant_completion_target (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    target    smallint NOT NULL DEFAULT 4 CHECK (target BETWEEN 1 AND 5),
    set_by    text NOT NULL DEFAULT '',
    set_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

CREATE TABLE tenant_completion (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    activity_id text NOT NULL REFERENCES completion_activities (id),
    level       smallint NOT NULL CHECK (level BETWEEN 0 AND 5),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    recorded_by text NOT NULL DEFAULT '',
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, activity_id)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenant_completion_target', 'tenant_completion'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = ims_current_tenant()) '
                       'WITH CHECK (tenant_id = ims_current_tenant())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO ims_app', t);
    END LOOP;
END
$$;

-- Every activity for the tenant: its entry level, the level recorded, whether it is
-- required at the tenant's target and met.
CREATE FUNCTION ims_completion(p_tenant uuid)
RETURNS TABLE (activity_id text, name text, outputs text, from_level int, level int,
               required boolean, met boolean, note text, recorded_by text, recorded_at text)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    WITH tgt AS (SELECT coalesce((SELECT target FROM tenant_completion_target
                                   WHERE tenant_id = p_tenant), 4)::int AS t)
    SELECT a.id, a.name, a.outputs, a.from_level::int, coalesce(c.level, 0)::int,
           a.from_level <= tgt.t, a.from_level <= tgt.t AND coalesce(c.level, 0) >= tgt.t,
           coalesce(c.note, ''), coalesce(c.recorded_by, ''),
           coalesce(ims_rfc3339(c.recorded_at), '')
      FROM completion_activities a CROSS JOIN tgt
      LEFT JOIN tenant_completion c ON c.tenant_id = p_tenant AND c.activity_id = a.id
     ORDER BY a.sort_order
$$;

-- Where the implementation stands: the target, the largest level k such that every
-- activity entering at a level <= j is carried out to level >= j for every j <= k, and how
-- many activities the target requires and how many of those are met.
CREATE FUNCTION ims_completion_summary(p_tenant uuid)
RETURNS TABLE (target int, stands int, required bigint, met bigint)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    WITH r AS (SELECT * FROM ims_completion(p_tenant))
    SELECT coalesce((SELECT t.target FROM tenant_completion_target t
                      WHERE t.tenant_id = p_tenant), 4)::int,
           coalesce((SELECT max(k) FROM generate_series(1, 5) k
                      WHERE NOT EXISTS (SELECT 1 FROM r, generate_series(1, k) j
                                         WHERE r.from_level <= j AND r.level < j)), 0)::int,
           (SELECT count(*) FROM r WHERE r.required),
           (SELECT count(*) FROM r WHERE r.met)
$$;

CREATE FUNCTION ims_completion_set(p_tenant uuid, p_activity text, p_level int, p_note text,
                                   p_by text) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM completion_activities WHERE id = p_activity) THEN
        RAISE EXCEPTION 'activity: unknown activity "%" (imsctl completion show lists them)', p_activity
            USING ERRCODE = '22023';
    END IF;
    IF p_level NOT BETWEEN 0 AND 5 THEN
        RAISE EXCEPTION 'level: must be 0 to 5' USING ERRCODE = '22023';
    END IF;
    INSERT INTO tenant_completion (tenant_id, activity_id, level, note, recorded_by)
    VALUES (p_tenant, p_activity, p_level, coalesce(p_note, ''), coalesce(p_by, ''))
    ON CONFLICT (tenant_id, activity_id) DO UPDATE SET level = EXCLUDED.level,
        note = EXCLUDED.note, recorded_by = EXCLUDED.recorded_by, recorded_at = now();
END
$$;

CREATE FUNCTION ims_completion_target(p_tenant uuid, p_target int, p_by text) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF p_target NOT BETWEEN 1 AND 5 THEN
        RAISE EXCEPTION 'target: must be 1 to 5' USING ERRCODE = '22023';
    END IF;
    INSERT INTO tenant_completion_target (tenant_id, target, set_by)
    VALUES (p_tenant, p_target, coalesce(p_by, ''))
    ON CONFLICT (tenant_id) DO UPDATE SET target = EXCLUDED.target, set_by = EXCLUDED.set_by,
        set_at = now();
END
$$;

-- Records of exports (kind "completion", position 401): the target and the levels recorded.
CREATE FUNCTION ims_records_export_completion(p_tenant uuid) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT jsonb_agg(jsonb_build_object('activity', '', 'level', t.target,
                                                         'note', '', 'by', t.set_by,
                                                         'at', ims_rfc3339(t.set_at)))
                       FROM tenant_completion_target t WHERE t.tenant_id = p_tenant), '[]')
        || coalesce((SELECT jsonb_agg(jsonb_build_object('activity', c.activity_id,
                                                          'level', c.level, 'note', c.note,
                                                          'by', c.recorded_by,
                                                          'at', ims_rfc3339(c.recorded_at))
                                      ORDER BY c.activity_id)
                       FROM tenant_completion c WHERE c.tenant_id = p_tenant), '[]')
$$;

-- The row with activity '' is the target.
CREATE FUNCTION ims_records_import_completion(p_tenant uuid, p_rows jsonb) RETURNS void
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
        BEGIN
            at := (e ->> 'at')::timestamptz;
        EXCEPTION WHEN others THEN
            PERFORM ims_import_fail(path || '.at', 'must be an RFC 3339 time');
        END;
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

REVOKE EXECUTE ON FUNCTION ims_completion(uuid), ims_completion_summary(uuid),
    ims_completion_set(uuid, text, int, text, text), ims_completion_target(uuid, int, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_completion(uuid), ims_completion_summary(uuid),
    ims_completion_set(uuid, text, int, text, text),
    ims_completion_target(uuid, int, text), ims_records_export_completion(uuid),
    ims_records_import_completion(uuid, jsonb) TO ims_app;
INSERT INTO record_kinds (name, position, export_fn, import_fn) VALUES
    ('completion', 401, 'ims_records_export_completion(uuid)',
     'ims_records_import_completion(uuid,jsonb)');
