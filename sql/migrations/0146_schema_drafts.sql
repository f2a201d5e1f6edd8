-- Schema editing: a version is a draft (editable) or published (immutable, tenants are
-- generated from it). A draft is made from a published version (ims_schema_draft), edited
-- as a whole document (ims_schema_document / ims_schema_put_document: the "ims-schema/1"
-- format of docs/schemas.md, the same file imsctl edits offline), compared with any other
-- version (ims_schema_diff) and published (ims_schema_publish). One open draft per schema.
-- Also the bounds within which a tenant may tune the model's parameters and its metric
-- targets and thresholds (schema_tuning_bounds, part of the document).
-- Errors carry SQLSTATE 22023 and start with the field or the document path they concern.

ALTER TABLE schemas ADD COLUMN status text NOT NULL DEFAULT 'published'
    CHECK (status IN ('draft', 'published'));
ALTER TABLE schemas ADD COLUMN published_at timestamptz;
UPDATE schemas SET published_at = created_at;
CREATE UNIQUE INDEX schemas_one_draft ON schemas (schema_id) WHERE status = 'draft';

-- name: a model parameter ('beta', 'appetite', ...) or 'target:<metric>' / 'threshold:<metric>'.
CREATE TABLE schema_tuning_bounds (
    schema_id text NOT NULL,
    version   int  NOT NULL,
    name      text NOT NULL CHECK (name ~ '^([a-z_]+|(target|threshold):[a-z][a-z0-9_]*)$'),
    lo        double precision NOT NULL,
    hi        double precision NOT NULL,
    PRIMARY KEY (schema_id, version, name),
    FOREIGN KEY (schema_id, version) REFERENCES schemas (schema_id, version) ON DELETE CASCADE,
    CHECK (lo <= hi)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON schema_tuning_bounds TO ims_app;

-- A version made from another (new version, clone, draft) inherits its bounds.
CREATE FUNCTION ims_schema_inherit_bounds() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL THEN
        INSERT INTO schema_tuning_bounds (schema_id, version, name, lo, hi)
        SELECT NEW.schema_id, NEW.version, b.name, b.lo, b.hi
          FROM schema_tuning_bounds b
         WHERE b.schema_id = NEW.parent_id AND b.version = NEW.parent_version;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER schemas_inherit_bounds AFTER INSERT ON schemas
    FOR EACH ROW EXECUTE FUNCTION ims_schema_inherit_bounds();

-- Drafts are never chosen for a new tenant.
CREATE OR REPLACE FUNCTION ims_best_schema(p_sector text, p_size_band text)
RETURNS TABLE (schema_id text, version int)
LANGUAGE sql STABLE
SET search_path = public, pg_temp
AS $$
    WITH latest AS (
        SELECT DISTINCT ON (s.schema_id) s.schema_id, s.version, s.sector, s.size_band, s.created_at
          FROM schemas s
         WHERE s.status = 'published'
         ORDER BY s.schema_id, s.version DESC
    ), ranked AS (
        SELECT l.schema_id, l.version, l.created_at,
               CASE
                   WHEN l.sector = p_sector AND l.size_band = p_size_band THEN 1
                   WHEN l.sector = p_sector AND l.size_band IS NULL THEN 2
                   WHEN l.schema_id = 'base' THEN 3
                   WHEN l.sector IS NULL AND l.size_band IS NULL THEN 4
               END AS rank
          FROM latest l
    )
    SELECT r.schema_id, r.version
      FROM ranked r
     WHERE r.rank IS NOT NULL
     ORDER BY r.rank, r.created_at DESC, r.schema_id
     LIMIT 1
$$;

CREATE OR REPLACE FUNCTION ims_create_tenant(p_id uuid, p_slug text, p_name text, p_sector text,
                                             p_size_band text, p_schema text, p_version int)
    RETURNS SETOF tenants LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    s_id   text := p_schema;
    s_ver  int := p_version;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM sectors WHERE id = p_sector) THEN
        RAISE EXCEPTION 'sector: unknown sector "%" (see ListSchemas or docs/catalog.md)', p_sector
            USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM size_bands WHERE id = p_size_band) THEN
        RAISE EXCEPTION 'size_band: unknown size band "%" (micro, small, medium)', p_size_band
            USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM tenants WHERE slug = p_slug) THEN
        RAISE EXCEPTION 'slug: a tenant "%" exists already', p_slug USING ERRCODE = '23505';
    END IF;
    IF coalesce(s_id, '') = '' THEN
        SELECT b.schema_id, b.version INTO s_id, s_ver FROM ims_best_schema(p_sector, p_size_band) b;
        IF s_id IS NULL THEN
            RAISE EXCEPTION 'schema_id: no schema fits sector "%" and size band "%"', p_sector,
                p_size_band USING ERRCODE = '22023';
        END IF;
    ELSIF s_ver = 0 THEN
        SELECT max(version) INTO s_ver FROM schemas WHERE schema_id = s_id AND status = 'published';
        IF s_ver IS NULL THEN
            RAISE EXCEPTION 'schema_id: unknown schema "%"', s_id USING ERRCODE = '22023';
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM schemas WHERE schema_id = s_id AND version = s_ver) THEN
        RAISE EXCEPTION 'schema_version: schema "%" has no version %', s_id, s_ver
            USING ERRCODE = '22023';
    ELSIF EXISTS (SELECT 1 FROM schemas WHERE schema_id = s_id AND version = s_ver
                     AND status = 'draft') THEN
        RAISE EXCEPTION 'schema_version: version % of schema "%" is a draft; publish it first',
            s_ver, s_id USING ERRCODE = '22023';
    END IF;
    INSERT INTO tenants (id, slug, display_name, sector, size_band, schema_id, schema_version)
    VALUES (p_id, p_slug, p_name, p_sector, p_size_band, s_id, s_ver);
    PERFORM ims_generate_tenant(p_id, s_id, s_ver);
    RETURN QUERY SELECT * FROM tenants WHERE id = p_id;
END
$$;

-- A clone starts from a published version: a draft's content is published only by
-- publishing it. Otherwise as in 0011.
CREATE OR REPLACE FUNCTION ims_clone_schema(src_id text, src_version int, new_id text, new_name text)
RETURNS TABLE (schema_id text, version int)
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    src schemas%ROWTYPE;
BEGIN
    SELECT * INTO src FROM schemas s WHERE s.schema_id = src_id AND s.version = src_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'schema %/% does not exist', src_id, src_version
            USING ERRCODE = 'no_data_found';
    END IF;
    IF src.status = 'draft' THEN
        RAISE EXCEPTION 'source_version: %/% is a draft; publish it or clone a published version',
            src_id, src_version USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM schemas s WHERE s.schema_id = new_id) THEN
        RAISE EXCEPTION 'schema % already exists', new_id USING ERRCODE = 'unique_violation';
    END IF;

    INSERT INTO schemas (schema_id, version, parent_id, parent_version, name, description,
                         sector, size_band, beta, gamma, half_life_days, cap_major_nc,
                         cap_minor_nc, theta, beta_risk, beta_bcms, likelihood_window_days,
                         review_window_days, appetite)
    VALUES (new_id, 1, src.schema_id, src.version, new_name, src.description,
            src.sector, src.size_band, src.beta, src.gamma, src.half_life_days, src.cap_major_nc,
            src.cap_minor_nc, src.theta, src.beta_risk, src.beta_bcms, src.likelihood_window_days,
            src.review_window_days, src.appetite);

    PERFORM ims_copy_schema_content(src_id, src_version, new_id, 1);

    schema_id := new_id;
    version := 1;
    RETURN NEXT;
END;
$$;

-- A new version is made from a published one only: while a draft is open, the draft is
-- the way to the next version. Otherwise as in 0011.
CREATE OR REPLACE FUNCTION ims_new_schema_version(p_schema_id text)
RETURNS TABLE (schema_id text, version int)
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    src schemas%ROWTYPE;
BEGIN
    SELECT * INTO src FROM schemas s
     WHERE s.schema_id = p_schema_id
     ORDER BY s.version DESC LIMIT 1
     FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'schema % does not exist', p_schema_id USING ERRCODE = 'no_data_found';
    END IF;
    IF src.status = 'draft' THEN
        RAISE EXCEPTION 'id: schema "%" has an open draft (version %): edit or publish it',
            p_schema_id, src.version USING ERRCODE = '23505';
    END IF;

    INSERT INTO schemas (schema_id, version, parent_id, parent_version, name, description,
                         sector, size_band, beta, gamma, half_life_days, cap_major_nc,
                         cap_minor_nc, theta, beta_risk, beta_bcms, likelihood_window_days,
                         review_window_days, appetite)
    VALUES (src.schema_id, src.version + 1, src.schema_id, src.version, src.name, src.description,
            src.sector, src.size_band, src.beta, src.gamma, src.half_life_days, src.cap_major_nc,
            src.cap_minor_nc, src.theta, src.beta_risk, src.beta_bcms, src.likelihood_window_days,
            src.review_window_days, src.appetite);

    PERFORM ims_copy_schema_content(src.schema_id, src.version, src.schema_id, src.version + 1);

    schema_id := src.schema_id;
    version := src.version + 1;
    RETURN NEXT;
END;
$$;

-- A version p_version of p_schema (0: the latest published), or the error naming the field.
CREATE FUNCTION ims_schema_resolve(p_schema text, p_version int) RETURNS schemas
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    s schemas%ROWTYPE;
BEGIN
    IF p_version = 0 THEN
        SELECT * INTO s FROM schemas WHERE schema_id = p_schema AND status = 'published'
         ORDER BY version DESC LIMIT 1;
    ELSE
        SELECT * INTO s FROM schemas WHERE schema_id = p_schema AND version = p_version;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'id: no schema "%" version %', p_schema, p_version USING ERRCODE = 'P0002';
    END IF;
    RETURN s;
END
$$;

-- The draft p_schema/p_version, locked, or the error saying why it is not editable.
CREATE FUNCTION ims_schema_lock_draft(p_schema text, p_version int) RETURNS schemas
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    s schemas%ROWTYPE;
BEGIN
    SELECT * INTO s FROM schemas WHERE schema_id = p_schema AND version = p_version FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'id: no schema "%" version %', p_schema, p_version USING ERRCODE = 'P0002';
    END IF;
    IF s.status <> 'draft' THEN
        RAISE EXCEPTION 'version: %/% is published and cannot change; make a draft', p_schema,
            p_version USING ERRCODE = '22023';
    END IF;
    RETURN s;
END
$$;

-- A draft of p_schema made from version p_from (0: the latest published): version max+1.
CREATE FUNCTION ims_schema_draft(p_schema text, p_from int)
RETURNS TABLE (schema_id text, version int)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    src schemas%ROWTYPE;
    d   int;
    n   int;
BEGIN
    PERFORM 1 FROM schemas s WHERE s.schema_id = p_schema FOR UPDATE;
    src := ims_schema_resolve(p_schema, p_from);
    SELECT s.version INTO d FROM schemas s WHERE s.schema_id = p_schema AND s.status = 'draft';
    IF d IS NOT NULL THEN
        RAISE EXCEPTION 'id: schema "%" has an open draft (version %): edit or publish it', p_schema, d
            USING ERRCODE = '23505';
    END IF;
    SELECT max(s.version) + 1 INTO n FROM schemas s WHERE s.schema_id = p_schema;
    INSERT INTO schemas (schema_id, version, parent_id, parent_version, name, description,
                         sector, size_band, beta, gamma, half_life_days, cap_major_nc,
                         cap_minor_nc, theta, beta_risk, beta_bcms, likelihood_window_days,
                         review_window_days, appetite, status, published_at)
    VALUES (src.schema_id, n, src.schema_id, src.version, src.name, src.description,
            src.sector, src.size_band, src.beta, src.gamma, src.half_life_days, src.cap_major_nc,
            src.cap_minor_nc, src.theta, src.beta_risk, src.beta_bcms, src.likelihood_window_days,
            src.review_window_days, src.appetite, 'draft', NULL);
    PERFORM ims_copy_schema_content(src.schema_id, src.version, src.schema_id, n);
    schema_id := p_schema;
    version := n;
    RETURN NEXT;
END
$$;

CREATE FUNCTION ims_schema_publish(p_schema text, p_version int) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM ims_schema_lock_draft(p_schema, p_version);
    UPDATE schemas SET status = 'published', published_at = now()
     WHERE schema_id = p_schema AND version = p_version;
END
$$;

-- The whole version as one document (format ims-schema/1), arrays in id order.
CREATE FUNCTION ims_schema_document(p_schema text, p_version int) RETURNS jsonb
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    s schemas%ROWTYPE;
BEGIN
    s := ims_schema_resolve(p_schema, p_version);
    RETURN jsonb_build_object(
        'format', 'ims-schema/1',
        'id', s.schema_id, 'version', s.version, 'status', s.status,
        'name', s.name, 'description', s.description,
        'sector', s.sector, 'size_band', s.size_band,
        'params', jsonb_build_object(
            'beta', s.beta, 'gamma', s.gamma, 'half_life_days', s.half_life_days,
            'cap_major_nc', s.cap_major_nc, 'cap_minor_nc', s.cap_minor_nc, 'theta', s.theta,
            'beta_risk', s.beta_risk, 'beta_bcms', s.beta_bcms,
            'likelihood_window_days', s.likelihood_window_days,
            'review_window_days', s.review_window_days, 'appetite', s.appetite),
        'systems', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.system_id,
                        'enabled', x.enabled, 'weight', x.weight) ORDER BY x.system_id), '[]')
                      FROM schema_systems x WHERE x.schema_id = s.schema_id AND x.version = s.version),
        'frameworks', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.framework_id,
                        'enabled', x.enabled) ORDER BY x.framework_id), '[]')
                      FROM schema_frameworks x WHERE x.schema_id = s.schema_id AND x.version = s.version),
        'controls', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.control_id,
                        'applicable', x.applicable, 'justification', x.justification,
                        'weight', x.weight) ORDER BY x.control_id), '[]')
                      FROM schema_controls x WHERE x.schema_id = s.schema_id AND x.version = s.version),
        'subcontrols', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.subcontrol_id,
                        'applicable', x.applicable, 'justification', x.justification,
                        'weight', x.weight, 'effort', x.effort) ORDER BY x.subcontrol_id), '[]')
                      FROM schema_subcontrols x WHERE x.schema_id = s.schema_id AND x.version = s.version),
        'threats', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.threat_id,
                        'likelihood', x.likelihood, 'dimensions', x.dimensions) ORDER BY x.threat_id), '[]')
                      FROM schema_threats x WHERE x.schema_id = s.schema_id AND x.version = s.version),
        'degradations', (SELECT coalesce(jsonb_agg(jsonb_build_object('asset_type', x.asset_type_id,
                        'threat', x.threat_id, 'degradation', x.degradation)
                        ORDER BY x.asset_type_id, x.threat_id), '[]')
                      FROM schema_asset_type_threats x WHERE x.schema_id = s.schema_id AND x.version = s.version),
        'mitigations', (SELECT coalesce(jsonb_agg(jsonb_build_object('threat', x.threat_id,
                        'control', x.control_id, 'effectiveness', x.effectiveness)
                        ORDER BY x.threat_id, x.control_id), '[]')
                      FROM schema_mitigations x WHERE x.schema_id = s.schema_id AND x.version = s.version),
        'metrics', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.metric_id,
                        'enabled', x.enabled, 'aggregation', x.aggregation, 'window_s', x.window_s,
                        'target', x.target, 'threshold', x.threshold, 'max_age_s', x.max_age_s,
                        'controls', (SELECT coalesce(jsonb_agg(jsonb_build_object('control', y.control_id,
                                         'weight', y.weight) ORDER BY y.control_id), '[]')
                                       FROM schema_metric_controls y
                                      WHERE y.schema_id = x.schema_id AND y.version = x.version
                                        AND y.metric_id = x.metric_id))
                        ORDER BY x.metric_id), '[]')
                      FROM schema_metrics x WHERE x.schema_id = s.schema_id AND x.version = s.version),
        'artefacts', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.artefact_id,
                        'required', x.required) ORDER BY x.artefact_id), '[]')
                      FROM schema_artefacts x WHERE x.schema_id = s.schema_id AND x.version = s.version),
        'bounds', (SELECT coalesce(jsonb_agg(jsonb_build_object('name', x.name, 'lo', x.lo,
                        'hi', x.hi) ORDER BY x.name), '[]')
                      FROM schema_tuning_bounds x WHERE x.schema_id = s.schema_id AND x.version = s.version));
END
$$;

-- Document checking helpers: each fails with the path of what it refuses.
CREATE FUNCTION ims_doc_object(p_v jsonb, p_path text, p_allowed text[], p_required text[])
    RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    k text;
BEGIN
    IF p_v IS NULL OR jsonb_typeof(p_v) <> 'object' THEN
        PERFORM ims_import_fail(p_path, 'must be an object');
    END IF;
    FOR k IN SELECT jsonb_object_keys(p_v) LOOP
        IF NOT k = ANY (p_allowed) THEN
            PERFORM ims_import_fail(p_path || '.' || k, 'unknown key');
        END IF;
    END LOOP;
    FOREACH k IN ARRAY p_required LOOP
        IF NOT p_v ? k THEN
            PERFORM ims_import_fail(p_path || '.' || k, 'is required');
        END IF;
    END LOOP;
    RETURN p_v;
END
$$;

CREATE FUNCTION ims_doc_array(p_v jsonb, p_path text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_v IS NULL OR jsonb_typeof(p_v) <> 'array' THEN
        PERFORM ims_import_fail(p_path, 'must be an array');
    END IF;
    RETURN p_v;
END
$$;

-- A number in [lo, hi] (lo excluded when p_lo_open).
CREATE FUNCTION ims_doc_num(p_v jsonb, p_path text, p_lo double precision, p_hi double precision,
                            p_lo_open boolean DEFAULT false)
    RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v double precision;
BEGIN
    IF p_v IS NULL OR jsonb_typeof(p_v) <> 'number' THEN
        PERFORM ims_import_fail(p_path, 'must be a number');
    END IF;
    v := p_v::text::double precision;
    IF v < p_lo OR v > p_hi OR (p_lo_open AND v = p_lo) THEN
        PERFORM ims_import_fail(p_path, format('must be in %s%s, %s]',
                                               CASE WHEN p_lo_open THEN '(' ELSE '[' END, p_lo, p_hi));
    END IF;
    RETURN v;
END
$$;

CREATE FUNCTION ims_doc_bool(p_v jsonb, p_path text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_v IS NULL OR jsonb_typeof(p_v) <> 'boolean' THEN
        PERFORM ims_import_fail(p_path, 'must be true or false');
    END IF;
    RETURN p_v::text::boolean;
END
$$;

-- A string of 1..p_max characters, or NULL when p_v is JSON null / absent and p_nullable.
CREATE FUNCTION ims_doc_text(p_v jsonb, p_path text, p_max int, p_nullable boolean)
    RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_v IS NULL OR jsonb_typeof(p_v) = 'null' THEN
        IF p_nullable THEN
            RETURN NULL;
        END IF;
        PERFORM ims_import_fail(p_path, 'must be a string');
    END IF;
    IF jsonb_typeof(p_v) <> 'string' THEN
        PERFORM ims_import_fail(p_path, 'must be a string');
    END IF;
    IF length(p_v #>> '{}') > p_max THEN
        PERFORM ims_import_fail(p_path, format('longer than %s characters', p_max));
    END IF;
    RETURN p_v #>> '{}';
END
$$;

-- Applicability with its justification (required when excluded).
CREATE FUNCTION ims_doc_justification(p_e jsonb, p_path text, p_applicable boolean)
    RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    j text := ims_doc_text(p_e -> 'justification', p_path || '.justification', 1000, true);
BEGIN
    IF NOT p_applicable AND length(btrim(coalesce(j, ''))) = 0 THEN
        PERFORM ims_import_fail(p_path || '.justification', 'required when not applicable');
    END IF;
    RETURN j;
END
$$;

-- Text as a JSON document, or the error naming p_path.
CREATE FUNCTION ims_doc_parse(p_text text, p_path text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN p_text::jsonb;
EXCEPTION WHEN invalid_text_representation THEN
    PERFORM ims_import_fail(p_path, 'is not a JSON document');
    RETURN NULL;
END
$$;
GRANT EXECUTE ON FUNCTION ims_doc_parse(text, text) TO ims_app;

-- Replaces the content of draft p_schema/p_version by document p_doc. The document's id
-- and version, when present, must be the draft's; its status is ignored.
CREATE FUNCTION ims_schema_put_document(p_schema text, p_version int, p_doc jsonb)
    RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    s    schemas%ROWTYPE;
    p    jsonb;
    e    jsonb;
    c    jsonb;
    i    int;
    j    int;
    path text;
    ids  text[];
    key  text;
    a    boolean;
    tgt  double precision;
    thr  double precision;
BEGIN
    s := ims_schema_lock_draft(p_schema, p_version);
    PERFORM ims_doc_object(p_doc, '$', ARRAY['format', 'id', 'version', 'status', 'name',
        'description', 'sector', 'size_band', 'params', 'systems', 'frameworks', 'controls',
        'subcontrols', 'threats', 'degradations', 'mitigations', 'metrics', 'artefacts',
        'bounds'], ARRAY['format']);
    IF p_doc ->> 'format' IS DISTINCT FROM 'ims-schema/1' THEN
        PERFORM ims_import_fail('$.format', 'must be "ims-schema/1"');
    END IF;
    IF p_doc ? 'id' AND p_doc ->> 'id' IS DISTINCT FROM p_schema THEN
        PERFORM ims_import_fail('$.id', format('is not the draft''s id "%s"', p_schema));
    END IF;
    IF p_doc ? 'version' AND (p_doc -> 'version')::text IS DISTINCT FROM p_version::text THEN
        PERFORM ims_import_fail('$.version', format('is not the draft''s version %s', p_version));
    END IF;

    -- The schema row: names and parameters.
    IF p_doc ? 'name' THEN
        s.name := ims_doc_text(p_doc -> 'name', '$.name', 200, false);
        IF length(btrim(s.name)) = 0 THEN
            PERFORM ims_import_fail('$.name', 'must not be empty');
        END IF;
    END IF;
    IF p_doc ? 'description' THEN
        s.description := coalesce(ims_doc_text(p_doc -> 'description', '$.description', 2000, true), '');
    END IF;
    IF p_doc ? 'sector' THEN
        s.sector := ims_doc_text(p_doc -> 'sector', '$.sector', 63, true);
        IF s.sector IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sectors WHERE id = s.sector) THEN
            PERFORM ims_import_fail('$.sector', format('unknown sector "%s"', s.sector));
        END IF;
    END IF;
    IF p_doc ? 'size_band' THEN
        s.size_band := ims_doc_text(p_doc -> 'size_band', '$.size_band', 20, true);
        IF s.size_band IS NOT NULL AND NOT EXISTS (SELECT 1 FROM size_bands WHERE id = s.size_band) THEN
            PERFORM ims_import_fail('$.size_band', format('unknown size band "%s"', s.size_band));
        END IF;
    END IF;
    IF p_doc ? 'params' THEN
        p := ims_doc_object(p_doc -> 'params', '$.params', ARRAY['beta', 'gamma', 'half_life_days',
            'cap_major_nc', 'cap_minor_nc', 'theta', 'beta_risk', 'beta_bcms',
            'likelihood_window_days', 'review_window_days', 'appetite'], ARRAY[]::text[]);
        IF p ? 'beta' THEN s.beta := ims_doc_num(p -> 'beta', '$.params.beta', 0, 1); END IF;
        IF p ? 'gamma' THEN s.gamma := ims_doc_num(p -> 'gamma', '$.params.gamma', 0, 1); END IF;
        IF p ? 'half_life_days' THEN
            s.half_life_days := ims_doc_num(p -> 'half_life_days', '$.params.half_life_days', 0, 36500, true);
        END IF;
        IF p ? 'cap_major_nc' THEN s.cap_major_nc := ims_doc_num(p -> 'cap_major_nc', '$.params.cap_major_nc', 0, 1); END IF;
        IF p ? 'cap_minor_nc' THEN s.cap_minor_nc := ims_doc_num(p -> 'cap_minor_nc', '$.params.cap_minor_nc', 0, 1); END IF;
        IF s.cap_major_nc > s.cap_minor_nc THEN
            PERFORM ims_import_fail('$.params.cap_major_nc', 'must not exceed cap_minor_nc');
        END IF;
        IF p ? 'theta' THEN s.theta := ims_doc_num(p -> 'theta', '$.params.theta', 0, 1, true); END IF;
        IF p ? 'beta_risk' THEN s.beta_risk := ims_doc_num(p -> 'beta_risk', '$.params.beta_risk', 0, 1); END IF;
        IF p ? 'beta_bcms' THEN s.beta_bcms := ims_doc_num(p -> 'beta_bcms', '$.params.beta_bcms', 0, 1); END IF;
        IF p ? 'likelihood_window_days' THEN
            s.likelihood_window_days := ims_doc_num(p -> 'likelihood_window_days',
                '$.params.likelihood_window_days', 0, 36500, true);
        END IF;
        IF p ? 'review_window_days' THEN
            s.review_window_days := ims_doc_num(p -> 'review_window_days',
                '$.params.review_window_days', 0, 36500, true);
        END IF;
        IF p ? 'appetite' THEN s.appetite := ims_import_int(p -> 'appetite', '$.params.appetite', 1, 5); END IF;
    END IF;
    UPDATE schemas SET name = s.name, description = s.description, sector = s.sector,
           size_band = s.size_band, beta = s.beta, gamma = s.gamma,
           half_life_days = s.half_life_days, cap_major_nc = s.cap_major_nc,
           cap_minor_nc = s.cap_minor_nc, theta = s.theta, beta_risk = s.beta_risk,
           beta_bcms = s.beta_bcms, likelihood_window_days = s.likelihood_window_days,
           review_window_days = s.review_window_days, appetite = s.appetite
     WHERE schema_id = p_schema AND version = p_version;

    -- Content: each array given replaces the version's rows of that kind. Dependent rows
    -- go first so that references are checked against the new content.
    IF p_doc ? 'metrics' THEN
        DELETE FROM schema_metric_controls WHERE schema_id = p_schema AND version = p_version;
        DELETE FROM schema_metrics WHERE schema_id = p_schema AND version = p_version;
    END IF;
    IF p_doc ? 'mitigations' OR p_doc ? 'threats' OR p_doc ? 'controls' THEN
        DELETE FROM schema_mitigations WHERE schema_id = p_schema AND version = p_version;
    END IF;
    IF p_doc ? 'degradations' OR p_doc ? 'threats' THEN
        DELETE FROM schema_asset_type_threats WHERE schema_id = p_schema AND version = p_version;
    END IF;
    IF (p_doc ? 'threats' OR p_doc ? 'controls') AND NOT (p_doc ? 'mitigations') THEN
        PERFORM ims_import_fail('$.mitigations', 'required when threats or controls change');
    END IF;
    IF p_doc ? 'threats' AND NOT (p_doc ? 'degradations') THEN
        PERFORM ims_import_fail('$.degradations', 'required when threats change');
    END IF;
    IF p_doc ? 'controls' AND NOT (p_doc ? 'metrics') THEN
        PERFORM ims_import_fail('$.metrics', 'required when controls change');
    END IF;

    IF p_doc ? 'systems' THEN
        DELETE FROM schema_systems WHERE schema_id = p_schema AND version = p_version;
        ids := '{}';
        FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(ims_doc_array(p_doc -> 'systems', '$.systems'))
                    WITH ORDINALITY t(x, o) LOOP
            path := format('$.systems[%s]', i);
            PERFORM ims_doc_object(e, path, ARRAY['id', 'enabled', 'weight'], ARRAY['id', 'enabled', 'weight']);
            key := ims_doc_text(e -> 'id', path || '.id', 16, false);
            IF NOT EXISTS (SELECT 1 FROM management_systems WHERE id = key) THEN
                PERFORM ims_import_fail(path || '.id', format('unknown management system "%s"', key));
            END IF;
            IF key = ANY (ids) THEN PERFORM ims_import_fail(path || '.id', 'listed twice'); END IF;
            ids := ids || key;
            INSERT INTO schema_systems (schema_id, version, system_id, enabled, weight)
            VALUES (p_schema, p_version, key, ims_doc_bool(e -> 'enabled', path || '.enabled'),
                    ims_doc_num(e -> 'weight', path || '.weight', 0, 1000));
        END LOOP;
    END IF;

    IF p_doc ? 'frameworks' THEN
        DELETE FROM schema_frameworks WHERE schema_id = p_schema AND version = p_version;
        ids := '{}';
        FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(ims_doc_array(p_doc -> 'frameworks', '$.frameworks'))
                    WITH ORDINALITY t(x, o) LOOP
            path := format('$.frameworks[%s]', i);
            PERFORM ims_doc_object(e, path, ARRAY['id', 'enabled'], ARRAY['id', 'enabled']);
            key := ims_doc_text(e -> 'id', path || '.id', 63, false);
            IF NOT EXISTS (SELECT 1 FROM frameworks WHERE id = key) THEN
                PERFORM ims_import_fail(path || '.id', format('unknown framework "%s"', key));
            END IF;
            IF key = ANY (ids) THEN PERFORM ims_import_fail(path || '.id', 'listed twice'); END IF;
            ids := ids || key;
            INSERT INTO schema_frameworks (schema_id, version, framework_id, enabled)
            VALUES (p_schema, p_version, key, ims_doc_bool(e -> 'enabled', path || '.enabled'));
        END LOOP;
    END IF;

    IF p_doc ? 'controls' THEN
        DELETE FROM schema_controls WHERE schema_id = p_schema AND version = p_version;
        ids := '{}';
        FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(ims_doc_array(p_doc -> 'controls', '$.controls'))
                    WITH ORDINALITY t(x, o) LOOP
            path := format('$.controls[%s]', i);
            PERFORM ims_doc_object(e, path, ARRAY['id', 'applicable', 'justification', 'weight'],
                                   ARRAY['id', 'applicable', 'weight']);
            key := ims_doc_text(e -> 'id', path || '.id', 63, false);
            IF NOT EXISTS (SELECT 1 FROM controls WHERE id = key) THEN
                PERFORM ims_import_fail(path || '.id', format('unknown control "%s"', key));
            END IF;
            IF key = ANY (ids) THEN PERFORM ims_import_fail(path || '.id', 'listed twice'); END IF;
            ids := ids || key;
            a := ims_doc_bool(e -> 'applicable', path || '.applicable');
            INSERT INTO schema_controls (schema_id, version, control_id, applicable, justification, weight)
            VALUES (p_schema, p_version, key, a, ims_doc_justification(e, path, a),
                    ims_doc_num(e -> 'weight', path || '.weight', 0, 100, true));
        END LOOP;
    END IF;

    IF p_doc ? 'subcontrols' THEN
        DELETE FROM schema_subcontrols WHERE schema_id = p_schema AND version = p_version;
        ids := '{}';
        FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(ims_doc_array(p_doc -> 'subcontrols', '$.subcontrols'))
                    WITH ORDINALITY t(x, o) LOOP
            path := format('$.subcontrols[%s]', i);
            PERFORM ims_doc_object(e, path, ARRAY['id', 'applicable', 'justification', 'weight', 'effort'],
                                   ARRAY['id', 'applicable', 'weight', 'effort']);
            key := ims_doc_text(e -> 'id', path || '.id', 63, false);
            IF NOT EXISTS (SELECT 1 FROM subcontrols WHERE id = key) THEN
                PERFORM ims_import_fail(path || '.id', format('unknown sub-control "%s"', key));
            END IF;
            IF key = ANY (ids) THEN PERFORM ims_import_fail(path || '.id', 'listed twice'); END IF;
            ids := ids || key;
            a := ims_doc_bool(e -> 'applicable', path || '.applicable');
            INSERT INTO schema_subcontrols (schema_id, version, subcontrol_id, applicable,
                                            justification, weight, effort)
            VALUES (p_schema, p_version, key, a, ims_doc_justification(e, path, a),
                    ims_doc_num(e -> 'weight', path || '.weight', 0, 100, true),
                    ims_import_int(e -> 'effort', path || '.effort', 1, 5));
        END LOOP;
    END IF;

    IF p_doc ? 'threats' THEN
        DELETE FROM schema_threats WHERE schema_id = p_schema AND version = p_version;
        ids := '{}';
        FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(ims_doc_array(p_doc -> 'threats', '$.threats'))
                    WITH ORDINALITY t(x, o) LOOP
            path := format('$.threats[%s]', i);
            PERFORM ims_doc_object(e, path, ARRAY['id', 'likelihood', 'dimensions'],
                                   ARRAY['id', 'likelihood', 'dimensions']);
            key := ims_doc_text(e -> 'id', path || '.id', 63, false);
            IF NOT EXISTS (SELECT 1 FROM threats WHERE id = key) THEN
                PERFORM ims_import_fail(path || '.id', format('unknown threat "%s"', key));
            END IF;
            IF key = ANY (ids) THEN PERFORM ims_import_fail(path || '.id', 'listed twice'); END IF;
            ids := ids || key;
            IF NOT (e ->> 'dimensions') = ANY (ARRAY['C', 'I', 'A', 'CI', 'CA', 'IA', 'CIA']) THEN
                PERFORM ims_import_fail(path || '.dimensions', 'must be C, I, A, CI, CA, IA or CIA');
            END IF;
            INSERT INTO schema_threats (schema_id, version, threat_id, likelihood, dimensions)
            VALUES (p_schema, p_version, key, ims_doc_num(e -> 'likelihood', path || '.likelihood', 1, 5),
                    e ->> 'dimensions');
        END LOOP;
    END IF;

    IF p_doc ? 'degradations' THEN
        FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(ims_doc_array(p_doc -> 'degradations', '$.degradations'))
                    WITH ORDINALITY t(x, o) LOOP
            path := format('$.degradations[%s]', i);
            PERFORM ims_doc_object(e, path, ARRAY['asset_type', 'threat', 'degradation'],
                                   ARRAY['asset_type', 'threat', 'degradation']);
            IF NOT EXISTS (SELECT 1 FROM asset_types WHERE id = e ->> 'asset_type') THEN
                PERFORM ims_import_fail(path || '.asset_type', 'unknown asset type');
            END IF;
            IF NOT EXISTS (SELECT 1 FROM schema_threats WHERE schema_id = p_schema
                              AND version = p_version AND threat_id = e ->> 'threat') THEN
                PERFORM ims_import_fail(path || '.threat', 'not a threat of this schema');
            END IF;
            IF EXISTS (SELECT 1 FROM schema_asset_type_threats WHERE schema_id = p_schema
                          AND version = p_version AND asset_type_id = e ->> 'asset_type'
                          AND threat_id = e ->> 'threat') THEN
                PERFORM ims_import_fail(path, 'listed twice');
            END IF;
            INSERT INTO schema_asset_type_threats (schema_id, version, asset_type_id, threat_id, degradation)
            VALUES (p_schema, p_version, e ->> 'asset_type', e ->> 'threat',
                    ims_doc_num(e -> 'degradation', path || '.degradation', 0, 1, true));
        END LOOP;
    END IF;

    IF p_doc ? 'mitigations' THEN
        FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(ims_doc_array(p_doc -> 'mitigations', '$.mitigations'))
                    WITH ORDINALITY t(x, o) LOOP
            path := format('$.mitigations[%s]', i);
            PERFORM ims_doc_object(e, path, ARRAY['threat', 'control', 'effectiveness'],
                                   ARRAY['threat', 'control', 'effectiveness']);
            IF NOT EXISTS (SELECT 1 FROM schema_threats WHERE schema_id = p_schema
                              AND version = p_version AND threat_id = e ->> 'threat') THEN
                PERFORM ims_import_fail(path || '.threat', 'not a threat of this schema');
            END IF;
            IF NOT EXISTS (SELECT 1 FROM schema_controls WHERE schema_id = p_schema
                              AND version = p_version AND control_id = e ->> 'control') THEN
                PERFORM ims_import_fail(path || '.control', 'not a control of this schema');
            END IF;
            IF EXISTS (SELECT 1 FROM schema_mitigations WHERE schema_id = p_schema
                          AND version = p_version AND threat_id = e ->> 'threat'
                          AND control_id = e ->> 'control') THEN
                PERFORM ims_import_fail(path, 'listed twice');
            END IF;
            INSERT INTO schema_mitigations (schema_id, version, threat_id, control_id, effectiveness)
            VALUES (p_schema, p_version, e ->> 'threat', e ->> 'control',
                    ims_doc_num(e -> 'effectiveness', path || '.effectiveness', 0, 1));
        END LOOP;
    END IF;

    IF p_doc ? 'metrics' THEN
        ids := '{}';
        FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(ims_doc_array(p_doc -> 'metrics', '$.metrics'))
                    WITH ORDINALITY t(x, o) LOOP
            path := format('$.metrics[%s]', i);
            PERFORM ims_doc_object(e, path, ARRAY['id', 'enabled', 'aggregation', 'window_s', 'target',
                                   'threshold', 'max_age_s', 'controls'],
                                   ARRAY['id', 'enabled', 'aggregation', 'window_s', 'target',
                                   'threshold', 'max_age_s']);
            key := ims_doc_text(e -> 'id', path || '.id', 63, false);
            IF NOT EXISTS (SELECT 1 FROM metrics WHERE id = key) THEN
                PERFORM ims_import_fail(path || '.id', format('unknown metric "%s"', key));
            END IF;
            IF key = ANY (ids) THEN PERFORM ims_import_fail(path || '.id', 'listed twice'); END IF;
            ids := ids || key;
            IF NOT (e ->> 'aggregation') = ANY (ARRAY['last', 'mean', 'min', 'max']) THEN
                PERFORM ims_import_fail(path || '.aggregation', 'must be last, mean, min or max');
            END IF;
            tgt := ims_doc_num(e -> 'target', path || '.target', -1e12, 1e12);
            thr := ims_doc_num(e -> 'threshold', path || '.threshold', -1e12, 1e12);
            IF tgt = thr THEN
                PERFORM ims_import_fail(path || '.threshold', 'must differ from the target');
            END IF;
            INSERT INTO schema_metrics (schema_id, version, metric_id, enabled, aggregation,
                                        window_s, target, threshold, max_age_s)
            VALUES (p_schema, p_version, key, ims_doc_bool(e -> 'enabled', path || '.enabled'),
                    e ->> 'aggregation',
                    ims_import_int(e -> 'window_s', path || '.window_s', 1, 315360000),
                    tgt, thr, ims_import_int(e -> 'max_age_s', path || '.max_age_s', 1, 315360000));
            FOR c, j IN SELECT x, o - 1 FROM jsonb_array_elements(
                            ims_doc_array(coalesce(e -> 'controls', '[]'), path || '.controls'))
                        WITH ORDINALITY t(x, o) LOOP
                PERFORM ims_doc_object(c, format('%s.controls[%s]', path, j), ARRAY['control', 'weight'],
                                       ARRAY['control', 'weight']);
                IF NOT EXISTS (SELECT 1 FROM schema_controls WHERE schema_id = p_schema
                                  AND version = p_version AND control_id = c ->> 'control') THEN
                    PERFORM ims_import_fail(format('%s.controls[%s].control', path, j),
                                            'not a control of this schema');
                END IF;
                IF EXISTS (SELECT 1 FROM schema_metric_controls WHERE schema_id = p_schema
                              AND version = p_version AND metric_id = key
                              AND control_id = c ->> 'control') THEN
                    PERFORM ims_import_fail(format('%s.controls[%s]', path, j), 'listed twice');
                END IF;
                INSERT INTO schema_metric_controls (schema_id, version, metric_id, control_id, weight)
                VALUES (p_schema, p_version, key, c ->> 'control',
                        ims_doc_num(c -> 'weight', format('%s.controls[%s].weight', path, j), 0, 100, true));
            END LOOP;
        END LOOP;
    END IF;

    IF p_doc ? 'artefacts' THEN
        DELETE FROM schema_artefacts WHERE schema_id = p_schema AND version = p_version;
        ids := '{}';
        FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(ims_doc_array(p_doc -> 'artefacts', '$.artefacts'))
                    WITH ORDINALITY t(x, o) LOOP
            path := format('$.artefacts[%s]', i);
            PERFORM ims_doc_object(e, path, ARRAY['id', 'required'], ARRAY['id', 'required']);
            key := ims_doc_text(e -> 'id', path || '.id', 63, false);
            IF NOT EXISTS (SELECT 1 FROM artefacts WHERE id = key) THEN
                PERFORM ims_import_fail(path || '.id', format('unknown artefact "%s"', key));
            END IF;
            IF key = ANY (ids) THEN PERFORM ims_import_fail(path || '.id', 'listed twice'); END IF;
            ids := ids || key;
            INSERT INTO schema_artefacts (schema_id, version, artefact_id, required)
            VALUES (p_schema, p_version, key, ims_doc_bool(e -> 'required', path || '.required'));
        END LOOP;
    END IF;

    IF p_doc ? 'bounds' THEN
        DELETE FROM schema_tuning_bounds WHERE schema_id = p_schema AND version = p_version;
        ids := '{}';
        FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(ims_doc_array(p_doc -> 'bounds', '$.bounds'))
                    WITH ORDINALITY t(x, o) LOOP
            path := format('$.bounds[%s]', i);
            PERFORM ims_doc_object(e, path, ARRAY['name', 'lo', 'hi'], ARRAY['name', 'lo', 'hi']);
            key := ims_doc_text(e -> 'name', path || '.name', 100, false);
            IF NOT (key = ANY (ARRAY['beta', 'gamma', 'half_life_days', 'cap_major_nc',
                    'cap_minor_nc', 'theta', 'beta_risk', 'beta_bcms', 'likelihood_window_days',
                    'review_window_days', 'appetite'])
                    OR (key ~ '^(target|threshold):' AND EXISTS (
                        SELECT 1 FROM schema_metrics WHERE schema_id = p_schema AND version = p_version
                           AND metric_id = split_part(key, ':', 2)))) THEN
                PERFORM ims_import_fail(path || '.name',
                    'must be a model parameter or target:<metric> / threshold:<metric> of this schema');
            END IF;
            IF key = ANY (ids) THEN PERFORM ims_import_fail(path || '.name', 'listed twice'); END IF;
            ids := ids || key;
            tgt := ims_doc_num(e -> 'lo', path || '.lo', -1e12, 1e12);
            thr := ims_doc_num(e -> 'hi', path || '.hi', -1e12, 1e12);
            IF tgt > thr THEN
                PERFORM ims_import_fail(path || '.hi', 'must not be below lo');
            END IF;
            INSERT INTO schema_tuning_bounds (schema_id, version, name, lo, hi)
            VALUES (p_schema, p_version, key, tgt, thr);
        END LOOP;
    END IF;
END
$$;

-- A JSON value as text: strings without their quotes.
CREATE FUNCTION ims_doc_show(p_v jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(p_v) = 'string' THEN p_v #>> '{}' ELSE p_v::text END
$$;

-- Flattens a document to (kind, key, field, value) rows: what ims_schema_diff compares.
-- A row with field '' stands for the item itself.
CREATE FUNCTION ims_schema_flat(p_doc jsonb)
RETURNS TABLE (kind text, key text, field text, value text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'schema', '', k, ims_doc_show(v) FROM jsonb_each(p_doc) x(k, v)
     WHERE k IN ('name', 'description', 'sector', 'size_band')
    UNION ALL
    SELECT 'params', '', k, ims_doc_show(v) FROM jsonb_each(p_doc -> 'params') x(k, v)
    UNION ALL
    SELECT a.kind, a.key, f.k, ims_doc_show(f.v)
      FROM (SELECT kinds.kind, e,
                   CASE kinds.kind
                       WHEN 'degradations' THEN (e ->> 'asset_type') || ' ' || (e ->> 'threat')
                       WHEN 'mitigations' THEN (e ->> 'threat') || ' ' || (e ->> 'control')
                       WHEN 'bounds' THEN e ->> 'name'
                       ELSE e ->> 'id' END AS key
              FROM unnest(ARRAY['systems', 'frameworks', 'controls', 'subcontrols', 'threats',
                                'degradations', 'mitigations', 'metrics', 'artefacts', 'bounds'])
                   kinds(kind),
                   jsonb_array_elements(coalesce(p_doc -> kinds.kind, '[]')) e) a,
           LATERAL (SELECT '' AS k, '"present"'::jsonb AS v
                    UNION ALL
                    SELECT k, v FROM jsonb_each(a.e) x(k, v)
                     WHERE k <> ALL (CASE a.kind
                                         WHEN 'degradations' THEN ARRAY['asset_type', 'threat']
                                         WHEN 'mitigations' THEN ARRAY['threat', 'control']
                                         WHEN 'bounds' THEN ARRAY['name']
                                         ELSE ARRAY['id', 'controls'] END)) f
    UNION ALL
    SELECT 'metric_controls', (m ->> 'id') || ' ' || (c ->> 'control'), f.k, ims_doc_show(f.v)
      FROM jsonb_array_elements(coalesce(p_doc -> 'metrics', '[]')) m,
           jsonb_array_elements(coalesce(m -> 'controls', '[]')) c,
           LATERAL (SELECT '' AS k, '"present"'::jsonb AS v UNION ALL SELECT 'weight', c -> 'weight') f
$$;

-- What changes from version a to version b (of the same or another schema): one row per
-- changed field; field '' with old 'absent' / new 'present' (or the reverse) for an item
-- added (removed) as a whole.
CREATE FUNCTION ims_schema_diff(p_a text, p_va int, p_b text, p_vb int)
RETURNS TABLE (kind text, key text, field text, old text, new text)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    WITH a AS (SELECT * FROM ims_schema_flat(ims_schema_document(p_a, p_va))),
         b AS (SELECT * FROM ims_schema_flat(ims_schema_document(p_b, p_vb))),
         items_a AS (SELECT kind, key FROM a WHERE field = ''),
         items_b AS (SELECT kind, key FROM b WHERE field = '')
    SELECT coalesce(a.kind, b.kind), coalesce(a.key, b.key), coalesce(a.field, b.field),
           coalesce(a.value, 'absent'), coalesce(b.value, 'absent')
      FROM a FULL JOIN b ON a.kind = b.kind AND a.key = b.key AND a.field = b.field
     WHERE a.value IS DISTINCT FROM b.value
       -- a field of an item added or removed as a whole is not repeated
       AND (coalesce(a.field, b.field) = ''
            OR coalesce(a.kind, b.kind) IN ('schema', 'params')
            OR ((coalesce(a.kind, b.kind), coalesce(a.key, b.key)) IN (SELECT * FROM items_a)
                AND (coalesce(a.kind, b.kind), coalesce(a.key, b.key)) IN (SELECT * FROM items_b)))
     ORDER BY 1, 2, 3
$$;

-- Edits of draft p_schema/p_version, applied in order to its document and then stored
-- like a whole document (all or nothing). p_edits: [{"kind", "key", "field", "value" (JSON
-- text), "op": "set" | "add" | "remove"}]. Errors name the edit ("edits[2].key: ...") or,
-- for a value the document check refuses, the document path.
CREATE FUNCTION ims_schema_edit(p_schema text, p_version int, p_edits jsonb)
    RETURNS void LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    doc   jsonb;
    e     jsonb;
    i     int;
    path  text;
    kind  text;
    k     text;
    fld   text;
    op    text;
    v     jsonb;
    arr   jsonb;
    idx   int;
    kinds text[] := ARRAY['systems', 'frameworks', 'controls', 'subcontrols', 'threats',
                          'degradations', 'mitigations', 'metrics', 'artefacts', 'bounds'];
BEGIN
    PERFORM ims_schema_lock_draft(p_schema, p_version);
    doc := ims_schema_document(p_schema, p_version);
    FOR e, i IN SELECT x, o - 1 FROM jsonb_array_elements(p_edits) WITH ORDINALITY t(x, o) LOOP
        path := format('edits[%s]', i);
        kind := coalesce(e ->> 'kind', '');
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
        IF kind IN ('schema', 'params') THEN
            IF op <> 'set' OR fld = '' THEN
                PERFORM ims_import_fail(path || '.field', format('%s takes set with a field', kind));
            END IF;
            IF kind = 'schema' AND NOT fld = ANY (ARRAY['name', 'description', 'sector', 'size_band']) THEN
                PERFORM ims_import_fail(path || '.field', 'must be name, description, sector or size_band');
            END IF;
            IF kind = 'schema' THEN
                doc := jsonb_set(doc, ARRAY[fld], v);
            ELSE
                IF NOT (doc -> 'params') ? fld THEN
                    PERFORM ims_import_fail(path || '.field', format('unknown parameter "%s"', fld));
                END IF;
                doc := jsonb_set(doc, ARRAY['params', fld], v);
            END IF;
            CONTINUE;
        END IF;
        IF NOT kind = ANY (kinds) THEN
            PERFORM ims_import_fail(path || '.kind', 'must be schema, params, ' || array_to_string(kinds, ', '));
        END IF;
        arr := doc -> kind;
        IF op = 'add' AND k = '' AND jsonb_typeof(v) = 'object' THEN
            k := CASE kind
                     WHEN 'degradations' THEN (v ->> 'asset_type') || ' ' || (v ->> 'threat')
                     WHEN 'mitigations' THEN (v ->> 'threat') || ' ' || (v ->> 'control')
                     WHEN 'bounds' THEN v ->> 'name'
                     ELSE v ->> 'id' END;
        END IF;
        SELECT o - 1 INTO idx FROM jsonb_array_elements(arr) WITH ORDINALITY t(x, o)
         WHERE CASE kind
                   WHEN 'degradations' THEN (x ->> 'asset_type') || ' ' || (x ->> 'threat')
                   WHEN 'mitigations' THEN (x ->> 'threat') || ' ' || (x ->> 'control')
                   WHEN 'bounds' THEN x ->> 'name'
                   ELSE x ->> 'id' END = k;
        IF op = 'add' THEN
            IF idx IS NOT NULL THEN
                PERFORM ims_import_fail(path || '.key', format('%s holds "%s" already', kind, k));
            END IF;
            IF jsonb_typeof(v) <> 'object' THEN
                PERFORM ims_import_fail(path || '.value', 'must be the whole item as an object');
            END IF;
            doc := jsonb_set(doc, ARRAY[kind], arr || jsonb_build_array(v));
            CONTINUE;
        END IF;
        IF idx IS NULL THEN
            PERFORM ims_import_fail(path || '.key', format('%s holds no "%s"', kind, k));
        END IF;
        IF op = 'remove' THEN
            doc := jsonb_set(doc, ARRAY[kind], arr - idx);
        ELSE
            IF fld = '' OR NOT (arr -> idx) ? fld THEN
                PERFORM ims_import_fail(path || '.field', format('"%s" is not a field of %s', fld, kind));
            END IF;
            doc := jsonb_set(doc, ARRAY[kind, idx::text, fld], v);
        END IF;
    END LOOP;
    PERFORM ims_schema_put_document(p_schema, p_version, doc);
END
$$;

REVOKE EXECUTE ON FUNCTION ims_schema_draft(text, int), ims_schema_publish(text, int),
    ims_schema_document(text, int), ims_schema_put_document(text, int, jsonb),
    ims_schema_diff(text, int, text, int), ims_schema_resolve(text, int),
    ims_schema_lock_draft(text, int), ims_schema_edit(text, int, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_schema_draft(text, int), ims_schema_publish(text, int),
    ims_schema_document(text, int), ims_schema_put_document(text, int, jsonb),
    ims_schema_diff(text, int, text, int), ims_schema_resolve(text, int),
    ims_schema_lock_draft(text, int), ims_schema_edit(text, int, jsonb) TO ims_app;
