-- Owners of the Check and Act records as people (docs/people.md): corrective, preventive
-- and improvement actions and objectives keep the owner text clients send and reference
-- the person it names (owner_person), like assets, processes, risk treatments and
-- documents (migration 0120). Owners already stored become people.

ALTER TABLE actions ADD COLUMN owner_person text;
ALTER TABLE actions ADD FOREIGN KEY (tenant_id, owner_person)
    REFERENCES people (tenant_id, person_id) ON DELETE SET NULL (owner_person);
ALTER TABLE objectives ADD COLUMN owner_person text;
ALTER TABLE objectives ADD FOREIGN KEY (tenant_id, owner_person)
    REFERENCES people (tenant_id, person_id) ON DELETE SET NULL (owner_person);

CREATE TRIGGER actions_owner BEFORE INSERT OR UPDATE OF owner ON actions
    FOR EACH ROW EXECUTE FUNCTION ims_owner_resolve();
CREATE TRIGGER objectives_owner BEFORE INSERT OR UPDATE OF owner ON objectives
    FOR EACH ROW EXECUTE FUNCTION ims_owner_resolve();

CREATE OR REPLACE FUNCTION ims_people_link_owners() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
BEGIN
    UPDATE assets SET owner_person = NEW.person_id
     WHERE tenant_id = NEW.tenant_id AND owner_person IS NULL
       AND ims_person_for(tenant_id, owner) = NEW.person_id;
    UPDATE processes SET owner_person = NEW.person_id
     WHERE tenant_id = NEW.tenant_id AND owner_person IS NULL
       AND ims_person_for(tenant_id, owner) = NEW.person_id;
    UPDATE risk_treatments SET owner_person = NEW.person_id
     WHERE tenant_id = NEW.tenant_id AND owner_person IS NULL
       AND ims_person_for(tenant_id, owner) = NEW.person_id;
    UPDATE tenant_artefacts SET owner_person = NEW.person_id
     WHERE tenant_id = NEW.tenant_id AND owner_person IS NULL
       AND ims_person_for(tenant_id, owner) = NEW.person_id;
    UPDATE actions SET owner_person = NEW.person_id
     WHERE tenant_id = NEW.tenant_id AND owner_person IS NULL
       AND ims_person_for(tenant_id, owner) = NEW.person_id;
    UPDATE objectives SET owner_person = NEW.person_id
     WHERE tenant_id = NEW.tenant_id AND owner_person IS NULL
       AND ims_person_for(tenant_id, owner) = NEW.person_id;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    tn uuid;
    r record;
    pid text;
    n int;
BEGIN
    PERFORM set_config('ims.all_tenants', 'on', true);
    FOR tn IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('ims.tenant_id', tn::text, true);
        UPDATE actions SET owner_person = ims_person_for(tenant_id, owner) WHERE tenant_id = tn;
        UPDATE objectives SET owner_person = ims_person_for(tenant_id, owner) WHERE tenant_id = tn;
        FOR r IN
            SELECT DISTINCT btrim(owner) AS owner FROM (
                SELECT owner FROM actions WHERE tenant_id = tn AND owner_person IS NULL
                UNION ALL SELECT owner FROM objectives WHERE tenant_id = tn AND owner_person IS NULL) o
             WHERE btrim(owner) <> ''
             ORDER BY 1
        LOOP
            IF ims_person_for(tn, r.owner) IS NOT NULL THEN
                CONTINUE;
            END IF;
            pid := ims_person_id_from(r.owner);
            n := 1;
            WHILE EXISTS (SELECT 1 FROM people WHERE tenant_id = tn AND person_id = pid) LOOP
                n := n + 1;
                pid := ims_person_id_from(r.owner) || '-' || n;
            END LOOP;
            INSERT INTO people (tenant_id, person_id, name) VALUES (tn, pid, left(r.owner, 200));
        END LOOP;
    END LOOP;
    PERFORM set_config('ims.tenant_id', '', true);
    PERFORM set_config('ims.all_tenants', '', true);
END;
$$;
