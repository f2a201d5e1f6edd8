-- Procedures (the method's A3.2, docs/people.md): definitions belong to a schema version
-- (catalog side, edited with the schema), instances to a tenant.
--
-- A procedure is made of phases. Each phase has a type (start: where an instance begins,
-- task, decision, end: reaching it completes the instance), the profiles allowed to
-- execute it, the phases it may lead to (its paths), the objects it uses (artefacts used
-- as templates, registers or technical instructions) and the hours it may take. An
-- instance moves along the paths only by a person one of whose profiles the phase entered
-- allows; each step is kept, with whether it left the previous phase after its due time.

CREATE TABLE schema_procedures (
    schema_id    text NOT NULL,
    version      int  NOT NULL,
    procedure_id text NOT NULL CHECK (procedure_id ~ '^[a-z][a-z0-9_]{0,63}$'),
    name         text NOT NULL,
    description  text NOT NULL,
    links        text NOT NULL DEFAULT 'none' CHECK (links IN ('none', 'incident', 'finding')),
    PRIMARY KEY (schema_id, version, procedure_id),
    FOREIGN KEY (schema_id, version) REFERENCES schemas (schema_id, version) ON DELETE CASCADE
);

CREATE TABLE schema_procedure_phases (
    schema_id    text NOT NULL,
    version      int  NOT NULL,
    procedure_id text NOT NULL,
    phase_id     text NOT NULL CHECK (phase_id ~ '^[a-z][a-z0-9_]{0,63}$'),
    position     int  NOT NULL,
    type         text NOT NULL CHECK (type IN ('start', 'task', 'decision', 'end')),
    name         text NOT NULL,
    description  text NOT NULL,
    due_hours    int CHECK (due_hours > 0),
    PRIMARY KEY (schema_id, version, procedure_id, phase_id),
    UNIQUE (schema_id, version, procedure_id, position),
    FOREIGN KEY (schema_id, version, procedure_id)
        REFERENCES schema_procedures (schema_id, version, procedure_id) ON DELETE CASCADE
);
-- One start phase per procedure.
CREATE UNIQUE INDEX schema_procedure_start_idx
    ON schema_procedure_phases (schema_id, version, procedure_id) WHERE type = 'start';

CREATE TABLE schema_phase_profiles (
    schema_id    text NOT NULL,
    version      int  NOT NULL,
    procedure_id text NOT NULL,
    phase_id     text NOT NULL,
    profile_id   text NOT NULL REFERENCES profiles (id),
    PRIMARY KEY (schema_id, version, procedure_id, phase_id, profile_id),
    FOREIGN KEY (schema_id, version, procedure_id, phase_id)
        REFERENCES schema_procedure_phases (schema_id, version, procedure_id, phase_id) ON DELETE CASCADE
);

CREATE TABLE schema_phase_paths (
    schema_id    text NOT NULL,
    version      int  NOT NULL,
    procedure_id text NOT NULL,
    phase_id     text NOT NULL,
    next_phase   text NOT NULL,
    PRIMARY KEY (schema_id, version, procedure_id, phase_id, next_phase),
    FOREIGN KEY (schema_id, version, procedure_id, phase_id)
        REFERENCES schema_procedure_phases (schema_id, version, procedure_id, phase_id) ON DELETE CASCADE,
    FOREIGN KEY (schema_id, version, procedure_id, next_phase)
        REFERENCES schema_procedure_phases (schema_id, version, procedure_id, phase_id) ON DELETE CASCADE
);

CREATE TABLE schema_phase_objects (
    schema_id    text NOT NULL,
    version      int  NOT NULL,
    procedure_id text NOT NULL,
    phase_id     text NOT NULL,
    artefact_id  text NOT NULL REFERENCES artefacts (id),
    use          text NOT NULL CHECK (use IN ('template', 'register', 'instruction')),
    PRIMARY KEY (schema_id, version, procedure_id, phase_id, artefact_id),
    FOREIGN KEY (schema_id, version, procedure_id, phase_id)
        REFERENCES schema_procedure_phases (schema_id, version, procedure_id, phase_id) ON DELETE CASCADE
);

GRANT SELECT, INSERT, UPDATE, DELETE ON schema_procedures, schema_procedure_phases, schema_phase_profiles,
    schema_phase_paths, schema_phase_objects TO ims_app;

-- Instances: which definition (the tenant's schema version when started), where they are.
CREATE TABLE procedure_instances (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    instance_id    text NOT NULL CHECK (instance_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
    schema_id      text NOT NULL,
    schema_version int  NOT NULL,
    procedure_id   text NOT NULL,
    title          text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
    phase_id       text NOT NULL,
    status         text NOT NULL CHECK (status IN ('open', 'completed')),
    incident_id    text,
    started_at     timestamptz NOT NULL,
    started_by     text NOT NULL,
    phase_since    timestamptz NOT NULL,
    phase_due_at   timestamptz,
    completed_at   timestamptz,
    late_steps     int NOT NULL DEFAULT 0,
    phase_owner    text,    -- the person who answers for the current phase
    PRIMARY KEY (tenant_id, instance_id),
    FOREIGN KEY (schema_id, schema_version, procedure_id, phase_id)
        REFERENCES schema_procedure_phases (schema_id, version, procedure_id, phase_id),
    FOREIGN KEY (tenant_id, started_by) REFERENCES people (tenant_id, person_id),
    FOREIGN KEY (tenant_id, phase_owner) REFERENCES people (tenant_id, person_id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES incidents (tenant_id, incident_id),
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);

-- Every step: the start (from_phase NULL) and each move along a path.
CREATE TABLE procedure_steps (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    instance_id text NOT NULL,
    seq         int  NOT NULL CHECK (seq >= 1),
    from_phase  text,
    to_phase    text NOT NULL,
    person_id   text NOT NULL,
    at          timestamptz NOT NULL,
    due_at      timestamptz,
    late        boolean NOT NULL DEFAULT false,
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    PRIMARY KEY (tenant_id, instance_id, seq),
    FOREIGN KEY (tenant_id, instance_id) REFERENCES procedure_instances (tenant_id, instance_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, person_id)
);

-- Register entries attached to an instance in one of its phases.
CREATE TABLE procedure_records (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    instance_id text NOT NULL,
    seq         int  NOT NULL CHECK (seq >= 1),
    phase_id    text NOT NULL,
    artefact_id text NOT NULL REFERENCES artefacts (id),
    reference   text NOT NULL CHECK (length(reference) BETWEEN 1 AND 500),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    person_id   text NOT NULL,
    at          timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, instance_id, seq),
    FOREIGN KEY (tenant_id, instance_id) REFERENCES procedure_instances (tenant_id, instance_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, person_id)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['procedure_instances', 'procedure_steps', 'procedure_records']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = ims_current_tenant()) '
                       'WITH CHECK (tenant_id = ims_current_tenant())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO ims_app', t);
    END LOOP;
END;
$$;

-- Refuses (42501, PERMISSION_DENIED) a person none of whose profiles phase p_phase allows,
-- naming the phase and the profiles; refuses a person who is unknown or has left (22023).
CREATE FUNCTION ims_phase_check_person(p_schema text, p_version int, p_procedure text,
                                       p_phase text, p_person text, p_field text)
    RETURNS void LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid := ims_current_tenant();
    active boolean;
    has text;
    allowed text;
BEGIN
    SELECT p.active INTO active FROM people p WHERE p.tenant_id = t AND p.person_id = p_person;
    IF active IS NULL THEN
        RAISE EXCEPTION '%: no person "%"', p_field, p_person USING ERRCODE = '22023';
    ELSIF NOT active THEN
        RAISE EXCEPTION '%: person "%" has left', p_field, p_person USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM person_profiles pp JOIN schema_phase_profiles sp
                 ON sp.profile_id = pp.profile_id
                WHERE pp.tenant_id = t AND pp.person_id = p_person
                  AND sp.schema_id = p_schema AND sp.version = p_version
                  AND sp.procedure_id = p_procedure AND sp.phase_id = p_phase) THEN
        RETURN;
    END IF;
    SELECT coalesce(string_agg(profile_id, ', ' ORDER BY profile_id), 'none') INTO has
      FROM person_profiles WHERE tenant_id = t AND person_id = p_person;
    SELECT coalesce(string_agg(profile_id, ', ' ORDER BY profile_id), 'none') INTO allowed
      FROM schema_phase_profiles
     WHERE schema_id = p_schema AND version = p_version AND procedure_id = p_procedure
       AND phase_id = p_phase;
    RAISE EXCEPTION 'phase "%" of procedure "%" may not be executed by person "%" with profile %; it allows %',
        p_phase, p_procedure, p_person, has, allowed USING ERRCODE = '42501';
END
$$;

-- Starts an instance of p_procedure (of the tenant's schema version) in its start phase,
-- by p_person. p_incident links an incident (procedures that link incidents need one).
CREATE FUNCTION ims_procedure_start(p_instance text, p_procedure text, p_title text,
                                    p_person text, p_incident text, p_note text)
    RETURNS void LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid := ims_current_tenant();
    prm tenant_params%ROWTYPE;
    proc schema_procedures%ROWTYPE;
    ph schema_procedure_phases%ROWTYPE;
    due timestamptz;
    now_s timestamptz := date_trunc('second', now());
BEGIN
    SELECT * INTO prm FROM tenant_params WHERE tenant_id = t;
    SELECT * INTO proc FROM schema_procedures
     WHERE schema_id = prm.schema_id AND version = prm.schema_version AND procedure_id = p_procedure;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'procedure: the tenant''s schema has no procedure "%" (see imsctl procedure definitions)',
            p_procedure USING ERRCODE = '22023';
    END IF;
    IF proc.links = 'incident' AND coalesce(p_incident, '') = '' THEN
        RAISE EXCEPTION 'incident: procedure "%" is linked to an incident; name one', p_procedure
            USING ERRCODE = '22023';
    END IF;
    IF coalesce(p_incident, '') <> '' AND NOT EXISTS (
        SELECT 1 FROM incidents WHERE tenant_id = t AND incident_id = p_incident) THEN
        RAISE EXCEPTION 'incident: no incident "%"', p_incident USING ERRCODE = '22023';
    END IF;
    SELECT * INTO ph FROM schema_procedure_phases
     WHERE schema_id = proc.schema_id AND version = proc.version AND procedure_id = p_procedure
       AND type = 'start';
    PERFORM ims_phase_check_person(proc.schema_id, proc.version, p_procedure, ph.phase_id,
                                   p_person, 'person');
    IF EXISTS (SELECT 1 FROM procedure_instances WHERE tenant_id = t AND instance_id = p_instance) THEN
        RAISE EXCEPTION 'instance: an instance "%" exists already', p_instance USING ERRCODE = '23505';
    END IF;
    due := now_s + make_interval(hours => ph.due_hours);
    INSERT INTO procedure_instances (tenant_id, instance_id, schema_id, schema_version,
        procedure_id, title, phase_id, status, incident_id, started_at, started_by,
        phase_since, phase_due_at)
    VALUES (t, p_instance, proc.schema_id, proc.version, p_procedure, coalesce(p_title, ''),
            ph.phase_id, 'open', nullif(p_incident, ''), now_s, p_person, now_s, due);
    INSERT INTO procedure_steps (tenant_id, instance_id, seq, from_phase, to_phase, person_id,
                                 at, due_at, late, note)
    VALUES (t, p_instance, 1, NULL, ph.phase_id, p_person, now_s, NULL, false, coalesce(p_note, ''));
END
$$;

-- Moves an instance from its phase to p_to along a path, by p_person (allowed by p_to).
-- Reaching an end phase completes it. Returns the instance's status.
CREATE FUNCTION ims_procedure_advance(p_instance text, p_to text, p_person text, p_note text)
    RETURNS text LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid := ims_current_tenant();
    i procedure_instances%ROWTYPE;
    ph schema_procedure_phases%ROWTYPE;
    paths text;
    now_s timestamptz := date_trunc('second', now());
    is_late boolean;
    n int;
BEGIN
    SELECT * INTO i FROM procedure_instances WHERE tenant_id = t AND instance_id = p_instance
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'instance: no procedure instance "%"', p_instance USING ERRCODE = 'P0002';
    END IF;
    IF i.status <> 'open' THEN
        RAISE EXCEPTION 'instance: "%" is completed', p_instance USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM schema_phase_paths
                    WHERE schema_id = i.schema_id AND version = i.schema_version
                      AND procedure_id = i.procedure_id AND phase_id = i.phase_id
                      AND next_phase = p_to) THEN
        SELECT coalesce(string_agg(next_phase, ', ' ORDER BY next_phase), 'none') INTO paths
          FROM schema_phase_paths
         WHERE schema_id = i.schema_id AND version = i.schema_version
           AND procedure_id = i.procedure_id AND phase_id = i.phase_id;
        RAISE EXCEPTION 'to: phase "%" has no path to "%" (its paths: %)', i.phase_id, p_to, paths
            USING ERRCODE = '22023';
    END IF;
    PERFORM ims_phase_check_person(i.schema_id, i.schema_version, i.procedure_id, p_to,
                                   p_person, 'person');
    SELECT * INTO ph FROM schema_procedure_phases
     WHERE schema_id = i.schema_id AND version = i.schema_version
       AND procedure_id = i.procedure_id AND phase_id = p_to;
    is_late := i.phase_due_at IS NOT NULL AND now_s > i.phase_due_at;
    SELECT coalesce(max(seq), 0) + 1 INTO n FROM procedure_steps
     WHERE tenant_id = t AND instance_id = p_instance;
    INSERT INTO procedure_steps (tenant_id, instance_id, seq, from_phase, to_phase, person_id,
                                 at, due_at, late, note)
    VALUES (t, p_instance, n, i.phase_id, p_to, p_person, now_s, i.phase_due_at, is_late,
            coalesce(p_note, ''));
    UPDATE procedure_instances
       SET phase_id = p_to, phase_since = now_s,
           phase_due_at = CASE WHEN ph.type = 'end' THEN NULL
                               ELSE now_s + make_interval(hours => ph.due_hours) END,
           status = CASE WHEN ph.type = 'end' THEN 'completed' ELSE 'open' END,
           completed_at = CASE WHEN ph.type = 'end' THEN now_s END,
           late_steps = late_steps + is_late::int
     WHERE tenant_id = t AND instance_id = p_instance;
    RETURN CASE WHEN ph.type = 'end' THEN 'completed' ELSE 'open' END;
END
$$;

-- Attaches a register entry (p_reference: where it is, an id in the register) to an open
-- instance in its current phase; the artefact must be one the phase uses.
CREATE FUNCTION ims_procedure_record(p_instance text, p_artefact text, p_reference text,
                                     p_note text, p_person text)
    RETURNS int LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid := ims_current_tenant();
    i procedure_instances%ROWTYPE;
    uses text;
    n int;
BEGIN
    SELECT * INTO i FROM procedure_instances WHERE tenant_id = t AND instance_id = p_instance
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'instance: no procedure instance "%"', p_instance USING ERRCODE = 'P0002';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM schema_phase_objects
                    WHERE schema_id = i.schema_id AND version = i.schema_version
                      AND procedure_id = i.procedure_id AND phase_id = i.phase_id
                      AND artefact_id = p_artefact) THEN
        SELECT coalesce(string_agg(artefact_id, ', ' ORDER BY artefact_id), 'none') INTO uses
          FROM schema_phase_objects
         WHERE schema_id = i.schema_id AND version = i.schema_version
           AND procedure_id = i.procedure_id AND phase_id = i.phase_id;
        RAISE EXCEPTION 'artefact: phase "%" does not use "%" (it uses %)', i.phase_id, p_artefact,
            uses USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = t AND person_id = p_person) THEN
        RAISE EXCEPTION 'person: no person "%"', p_person USING ERRCODE = '22023';
    END IF;
    SELECT coalesce(max(seq), 0) + 1 INTO n FROM procedure_records
     WHERE tenant_id = t AND instance_id = p_instance;
    INSERT INTO procedure_records (tenant_id, instance_id, seq, phase_id, artefact_id,
                                   reference, note, person_id, at)
    VALUES (t, p_instance, n, i.phase_id, p_artefact, p_reference, coalesce(p_note, ''),
            p_person, date_trunc('second', now()));
    RETURN n;
END
$$;

-- Names the person who answers for an instance's current phase (p_owner empty: the
-- person who moved it there). They must be a person of the tenant who has not left.
CREATE FUNCTION ims_procedure_assign(p_instance text, p_owner text)
    RETURNS void LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid := ims_current_tenant();
    o text := nullif(p_owner, '');
BEGIN
    IF o IS NULL THEN
        SELECT person_id INTO o FROM procedure_steps
         WHERE tenant_id = t AND instance_id = p_instance ORDER BY seq DESC LIMIT 1;
    ELSIF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = t AND person_id = o AND active) THEN
        RAISE EXCEPTION 'assignee: no active person "%"', o USING ERRCODE = '22023';
    END IF;
    UPDATE procedure_instances SET phase_owner = CASE WHEN status = 'open' THEN o END
     WHERE tenant_id = t AND instance_id = p_instance;
END
$$;
REVOKE EXECUTE ON FUNCTION ims_procedure_assign(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_procedure_assign(text, text) TO ims_app;

REVOKE EXECUTE ON FUNCTION ims_phase_check_person(text, int, text, text, text, text),
    ims_procedure_start(text, text, text, text, text, text),
    ims_procedure_advance(text, text, text, text),
    ims_procedure_record(text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_phase_check_person(text, int, text, text, text, text),
    ims_procedure_start(text, text, text, text, text, text),
    ims_procedure_advance(text, text, text, text),
    ims_procedure_record(text, text, text, text, text) TO ims_app;

-- The procedure definitions of the tenant's schema version, one row per phase.
CREATE FUNCTION ims_procedure_definitions()
    RETURNS TABLE (procedure_id text, name text, description text, links text, phase_id text,
                   phase_position int, phase_type text, phase_name text, phase_description text,
                   due_hours int, profiles text, paths text, objects text)
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT p.procedure_id, p.name, p.description, p.links, ph.phase_id, ph.position, ph.type,
       ph.name, ph.description, coalesce(ph.due_hours, 0),
       coalesce((SELECT string_agg(x.profile_id, ' ' ORDER BY x.profile_id) FROM schema_phase_profiles x
                  WHERE (x.schema_id, x.version, x.procedure_id, x.phase_id)
                      = (ph.schema_id, ph.version, ph.procedure_id, ph.phase_id)), ''),
       coalesce((SELECT string_agg(x.next_phase, ' ' ORDER BY x.next_phase) FROM schema_phase_paths x
                  WHERE (x.schema_id, x.version, x.procedure_id, x.phase_id)
                      = (ph.schema_id, ph.version, ph.procedure_id, ph.phase_id)), ''),
       coalesce((SELECT string_agg(x.artefact_id || '=' || x.use, ' ' ORDER BY x.artefact_id)
                   FROM schema_phase_objects x
                  WHERE (x.schema_id, x.version, x.procedure_id, x.phase_id)
                      = (ph.schema_id, ph.version, ph.procedure_id, ph.phase_id)), '')
  FROM tenant_params tp
  JOIN schema_procedures p ON p.schema_id = tp.schema_id AND p.version = tp.schema_version
  JOIN schema_procedure_phases ph ON (ph.schema_id, ph.version, ph.procedure_id)
                                   = (p.schema_id, p.version, p.procedure_id)
 WHERE tp.tenant_id = ims_current_tenant()
 ORDER BY p.procedure_id, ph.position
$$;

CREATE FUNCTION ims_procedure_instances(p_after text, p_limit int, p_id text)
    RETURNS TABLE (instance_id text, procedure_id text, title text, phase_id text, status text,
                   incident_id text, started_at text, started_by text, phase_since text,
                   phase_due_at text, completed_at text, late_steps int, phase_owner text)
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT i.instance_id, i.procedure_id, i.title, i.phase_id, i.status, coalesce(i.incident_id, ''),
       ims_rfc3339(i.started_at), i.started_by, ims_rfc3339(i.phase_since),
       coalesce(ims_rfc3339(i.phase_due_at), ''), coalesce(ims_rfc3339(i.completed_at), ''),
       i.late_steps, coalesce(i.phase_owner, '')
  FROM procedure_instances i
 WHERE i.tenant_id = ims_current_tenant()
   AND (p_id IS NULL OR i.instance_id = p_id)
   AND i.instance_id > coalesce(p_after, '')
 ORDER BY i.instance_id
 LIMIT p_limit
$$;

REVOKE EXECUTE ON FUNCTION ims_procedure_definitions(), ims_procedure_instances(text, int, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_procedure_definitions(), ims_procedure_instances(text, int, text) TO ims_app;
