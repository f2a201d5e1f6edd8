-- Management systems, frameworks and control identifiers are catalog data, not CHECK
-- constraints: a new system (SMS, ISO/IEC 20000-1) or framework is a catalog release that
-- adds rows. What a tenant enables is checked against those rows by a trigger.
-- Also the catalog tables that relate controls across frameworks and editions:
--   control_relations     an Annex A control and a service-management process that
--                         manage the same thing (one document, one practice);
--   control_predecessors  the ISO/IEC 27001:2013 identifiers each 2022 control replaces.

ALTER TABLE management_systems DROP CONSTRAINT IF EXISTS management_systems_id_check;
ALTER TABLE management_systems ADD CONSTRAINT management_systems_id_check
    CHECK (id ~ '^[A-Z][A-Z0-9]{1,15}$');
ALTER TABLE management_systems ADD COLUMN IF NOT EXISTS sort_order int NOT NULL DEFAULT 0;

ALTER TABLE controls DROP CONSTRAINT IF EXISTS controls_id_check;
ALTER TABLE controls ADD CONSTRAINT controls_id_check
    CHECK (id ~ '^(A\.[5-8]\.[0-9]+|[0-9]{4,5}-[0-9]+(\.[0-9]+)*)$');

ALTER TABLE tenant_params DROP CONSTRAINT IF EXISTS tenant_params_systems_check;

-- Systems and frameworks a tenant enables must exist in the catalog.
CREATE FUNCTION ims_check_tenant_systems() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    bad text;
BEGIN
    SELECT x INTO bad FROM unnest(NEW.systems) x
     WHERE NOT EXISTS (SELECT 1 FROM management_systems m WHERE m.id = x) LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'systems: unknown management system "%"', bad USING ERRCODE = '23514';
    END IF;
    SELECT x INTO bad FROM unnest(NEW.frameworks) x
     WHERE NOT EXISTS (SELECT 1 FROM frameworks f WHERE f.id = x) LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'frameworks: unknown framework "%"', bad USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER tenant_params_systems BEFORE INSERT OR UPDATE OF systems, frameworks
    ON tenant_params FOR EACH ROW EXECUTE FUNCTION ims_check_tenant_systems();

CREATE TABLE control_relations (
    control_id text NOT NULL REFERENCES controls (id),   -- e.g. 'A.8.32'
    related_id text NOT NULL REFERENCES controls (id),   -- e.g. '20000-8.5.1'
    relation   text NOT NULL CHECK (relation IN ('part_of', 'overlaps')),
    note       text NOT NULL,
    PRIMARY KEY (control_id, related_id),
    CHECK (control_id <> related_id)
);
CREATE INDEX control_relations_related_idx ON control_relations (related_id);

CREATE TABLE control_predecessors (
    edition     text NOT NULL CHECK (edition ~ '^[0-9]{4}$'),  -- '2013'
    predecessor text NOT NULL,                                 -- 'A.12.1.2', '6.1.2'
    title       text NOT NULL,
    relation    text NOT NULL CHECK (relation IN ('equal', 'subset', 'superset', 'intersect')),
    control_id  text NOT NULL REFERENCES controls (id),
    PRIMARY KEY (edition, predecessor, control_id)
);
CREATE INDEX control_predecessors_control_idx ON control_predecessors (control_id);

GRANT SELECT ON control_relations, control_predecessors TO ims_app;
