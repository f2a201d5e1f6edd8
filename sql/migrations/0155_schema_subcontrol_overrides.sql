-- A schema version's own wording, maturity level and harmonized links of a sub-control: an
-- override of the shared catalog item for that version (schema_subcontrol_overrides).
-- The schema document shows every sub-control's question, level and controls (the
-- override's, else the catalog's); a document or an edit that sets them differently from
-- the catalog stores an override, one equal to the catalog drops it. New versions (drafts,
-- clones) inherit the overrides of their parent. The tenant's snapshot takes the level and
-- the links of its schema version's overrides, so the engine scores with them and a rebase
-- (which moves the tenant to another version) applies them.
-- Wraps 0146's ims_schema_document / ims_schema_put_document / ims_schema_flat and 0082's
-- ims_tenant_snapshot (renamed, not replaced).

CREATE TABLE schema_subcontrol_overrides (
    schema_id     text NOT NULL,
    version       int NOT NULL,
    subcontrol_id text NOT NULL REFERENCES subcontrols (id),
    question      text NOT NULL CHECK (length(question) BETWEEN 10 AND 400),
    level         smallint NOT NULL REFERENCES maturity_levels (level),
    controls      text[] NOT NULL CHECK (cardinality(controls) > 0),
    PRIMARY KEY (schema_id, version, subcontrol_id),
    FOREIGN KEY (schema_id, version) REFERENCES schemas (schema_id, version) ON DELETE CASCADE
);
GRANT SELECT, INSERT, UPDATE, DELETE ON schema_subcontrol_overrides TO ims_app;

CREATE FUNCTION ims_schema_inherit_overrides() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL THEN
        INSERT INTO schema_subcontrol_overrides
        SELECT NEW.schema_id, NEW.version, o.subcontrol_id, o.question, o.level, o.controls
          FROM schema_subcontrol_overrides o
         WHERE o.schema_id = NEW.parent_id AND o.version = NEW.parent_version;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER schemas_inherit_overrides AFTER INSERT ON schemas
    FOR EACH ROW EXECUTE FUNCTION ims_schema_inherit_overrides();

-- A sub-control as a schema version has it: question, level, controls.
CREATE FUNCTION ims_schema_subcontrol(p_schema text, p_version int, p_sub text)
RETURNS TABLE (question text, level smallint, controls text[])
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce(o.question, s.question), coalesce(o.level, s.level),
           coalesce(o.controls, (SELECT array_agg(sc.control_id ORDER BY sc.control_id)
                                   FROM subcontrol_controls sc WHERE sc.subcontrol_id = s.id))
      FROM subcontrols s
      LEFT JOIN schema_subcontrol_overrides o
        ON o.schema_id = p_schema AND o.version = p_version AND o.subcontrol_id = s.id
     WHERE s.id = p_sub
$$;

ALTER FUNCTION ims_schema_document(text, int) RENAME TO ims_schema_document_0146;

CREATE FUNCTION ims_schema_document(p_schema text, p_version int) RETURNS jsonb
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    doc jsonb := ims_schema_document_0146(p_schema, p_version);
BEGIN
    RETURN jsonb_set(doc, '{subcontrols}', (
        SELECT coalesce(jsonb_agg(e || jsonb_build_object('question', x.question,
                                                          'level', x.level,
                                                          'controls', to_jsonb(x.controls))
                                  ORDER BY o), '[]')
          FROM jsonb_array_elements(doc -> 'subcontrols') WITH ORDINALITY t(e, o),
               LATERAL ims_schema_subcontrol(doc ->> 'id', (doc ->> 'version')::int, e ->> 'id') x));
END
$$;

ALTER FUNCTION ims_schema_put_document(text, int, jsonb) RENAME TO ims_schema_put_document_0146;

CREATE FUNCTION ims_schema_put_document(p_schema text, p_version int, p_doc jsonb)
    RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    e      jsonb;
    i      int;
    path   text;
    sub    text;
    q      text;
    lvl    int;
    ctls   text[];
    c      jsonb;
    j      int;
    cat    record;
    plain  jsonb := p_doc;
BEGIN
    IF jsonb_typeof(p_doc -> 'subcontrols') = 'array' THEN
        plain := jsonb_set(p_doc, '{subcontrols}', (
            SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(x) = 'object'
                                           THEN x - 'question' - 'level' - 'controls' ELSE x END
                                      ORDER BY o), '[]')
              FROM jsonb_array_elements(p_doc -> 'subcontrols') WITH ORDINALITY t(x, o)));
    END IF;
    -- Everything else (and the draft's lock, the ids of the sub-controls) is 0146's.
    PERFORM ims_schema_put_document_0146(p_schema, p_version, plain);
    IF NOT p_doc ? 'subcontrols' THEN
        RETURN;
    END IF;
    DELETE FROM schema_subcontrol_overrides WHERE schema_id = p_schema AND version = p_version;
    FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(p_doc -> 'subcontrols')
                WITH ORDINALITY t(x, o) LOOP
        path := format('$.subcontrols[%s]', i);
        sub := e ->> 'id';
        SELECT s.question, s.level,
               (SELECT array_agg(sc.control_id ORDER BY sc.control_id)
                  FROM subcontrol_controls sc WHERE sc.subcontrol_id = s.id) AS controls
          INTO cat FROM subcontrols s WHERE s.id = sub;
        q := cat.question;
        IF e ? 'question' THEN
            q := ims_doc_text(e -> 'question', path || '.question', 400, false);
            IF length(q) < 10 THEN
                PERFORM ims_import_fail(path || '.question', '10 to 400 characters');
            END IF;
        END IF;
        lvl := cat.level;
        IF e ? 'level' THEN
            lvl := ims_import_int(e -> 'level', path || '.level', 1, 5);
            IF NOT EXISTS (SELECT 1 FROM maturity_levels m WHERE m.level = lvl) THEN
                PERFORM ims_import_fail(path || '.level', format('no maturity level %s', lvl));
            END IF;
        END IF;
        ctls := cat.controls;
        IF e ? 'controls' THEN
            IF jsonb_typeof(e -> 'controls') <> 'array' OR jsonb_array_length(e -> 'controls') = 0 THEN
                PERFORM ims_import_fail(path || '.controls', 'a non-empty array of control ids');
            END IF;
            ctls := '{}';
            FOR c, j IN SELECT x, o - 1 FROM jsonb_array_elements(e -> 'controls')
                        WITH ORDINALITY t(x, o) LOOP
                IF jsonb_typeof(c) <> 'string'
                   OR NOT EXISTS (SELECT 1 FROM controls k WHERE k.id = c #>> '{}') THEN
                    PERFORM ims_import_fail(format('%s.controls[%s]', path, j),
                                            format('unknown control %s', c));
                END IF;
                IF (c #>> '{}') = ANY (ctls) THEN
                    PERFORM ims_import_fail(format('%s.controls[%s]', path, j), 'listed twice');
                END IF;
                ctls := ctls || (c #>> '{}');
            END LOOP;
            ctls := ARRAY(SELECT x FROM unnest(ctls) x ORDER BY x);
        END IF;
        IF q IS DISTINCT FROM cat.question OR lvl IS DISTINCT FROM cat.level
           OR ctls IS DISTINCT FROM cat.controls THEN
            INSERT INTO schema_subcontrol_overrides (schema_id, version, subcontrol_id, question,
                                                     level, controls)
            VALUES (p_schema, p_version, sub, q, lvl, ctls);
        END IF;
    END LOOP;
END
$$;

-- The diff compares the links of a sub-control too (0146's flattening leaves out every
-- item's "controls").
ALTER FUNCTION ims_schema_flat(jsonb) RENAME TO ims_schema_flat_0146;

CREATE FUNCTION ims_schema_flat(p_doc jsonb)
RETURNS TABLE (kind text, key text, field text, value text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT * FROM ims_schema_flat_0146(p_doc)
    UNION ALL
    SELECT 'subcontrols', e ->> 'id', 'controls', ims_doc_show(e -> 'controls')
      FROM jsonb_array_elements(coalesce(p_doc -> 'subcontrols', '[]')) e
     WHERE e ? 'controls'
$$;

-- The tenant's snapshot with the level and links of its schema version's overrides. A
-- sub-control keeps only links to controls the snapshot holds, and is left out when none
-- remains (as 0051 leaves out a sub-control serving no control of the tenant).
ALTER FUNCTION ims_tenant_snapshot(uuid, boolean) RENAME TO ims_tenant_snapshot_v2_computed;

CREATE FUNCTION ims_tenant_snapshot(p_tenant uuid, p_everything boolean) RETURNS json
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    doc jsonb := ims_tenant_snapshot_v2_computed(p_tenant, p_everything)::jsonb;
    p   tenant_params;
BEGIN
    SELECT * INTO p FROM tenant_params WHERE tenant_id = p_tenant;
    IF p.schema_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM schema_subcontrol_overrides o
             WHERE o.schema_id = p.schema_id AND o.version = p.schema_version) THEN
        RETURN doc::json;
    END IF;
    RETURN jsonb_set(doc, '{subcontrols}', (
        SELECT coalesce(jsonb_agg(x ORDER BY o), '[]') FROM (
            SELECT t.o, CASE WHEN ov.subcontrol_id IS NULL THEN t.e
                             ELSE t.e || jsonb_build_object(
                                 'level', ov.level,
                                 'controls', (SELECT coalesce(jsonb_agg(c ORDER BY c), '[]')
                                                FROM unnest(ov.controls) c
                                               WHERE c IN (SELECT k ->> 'id'
                                                             FROM jsonb_array_elements(doc -> 'controls') k)))
                        END AS x
              FROM jsonb_array_elements(doc -> 'subcontrols') WITH ORDINALITY t(e, o)
              LEFT JOIN schema_subcontrol_overrides ov
                ON ov.schema_id = p.schema_id AND ov.version = p.schema_version
               AND ov.subcontrol_id = t.e ->> 'id') y
         WHERE jsonb_array_length(x -> 'controls') > 0))::json;
END
$$;

REVOKE EXECUTE ON FUNCTION ims_schema_document(text, int),
    ims_schema_put_document(text, int, jsonb), ims_schema_subcontrol(text, int, text),
    ims_tenant_snapshot(uuid, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_schema_document(text, int),
    ims_schema_put_document(text, int, jsonb), ims_schema_subcontrol(text, int, text),
    ims_tenant_snapshot(uuid, boolean) TO ims_app;
