-- People of a tenant and their security culture (docs/people.md).
--
-- A person is someone of the client organisation (not a login): name, contact, org unit,
-- manager, the method's client profiles, and whether they are still there. Owners of
-- assets, processes, risk treatments and documents reference people; the free-text owner
-- of earlier releases stays readable beside the reference. A token may be linked to a
-- person in a tenant, so that what it does (advancing a procedure, approving a document)
-- is attributed to that person. Culture certificates (what a person has shown of the
-- culture level their profile asks for) are kept per person with their renewals.

-- Catalog: the client profiles of the method, each with the security-culture level a
-- person holding it must show (0: no certificate needed).
CREATE TABLE profiles (
    id            text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]*$'),
    code          text NOT NULL,
    name          text NOT NULL,
    description   text NOT NULL,
    culture_level smallint NOT NULL CHECK (culture_level BETWEEN 0 AND 3),
    sort_order    int NOT NULL
);

-- Catalog: what each culture level means.
CREATE TABLE culture_levels (
    level       smallint PRIMARY KEY CHECK (level BETWEEN 1 AND 3),
    name        text NOT NULL,
    description text NOT NULL,
    valid_days  int NOT NULL CHECK (valid_days > 0)
);
GRANT SELECT ON profiles, culture_levels TO ims_app;

CREATE TABLE people (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    person_id  text NOT NULL CHECK (person_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email      text NOT NULL DEFAULT '' CHECK (length(email) <= 200),
    phone      text NOT NULL DEFAULT '' CHECK (length(phone) <= 64),
    org_unit   text NOT NULL DEFAULT '' CHECK (length(org_unit) <= 200),
    manager_id text,
    active     boolean NOT NULL DEFAULT true,
    left_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, person_id),
    FOREIGN KEY (tenant_id, manager_id) REFERENCES people (tenant_id, person_id),
    CHECK (manager_id IS DISTINCT FROM person_id),
    CHECK (active = (left_at IS NULL))
);

CREATE TABLE person_profiles (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    person_id  text NOT NULL,
    profile_id text NOT NULL REFERENCES profiles (id),
    PRIMARY KEY (tenant_id, person_id, profile_id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, person_id) ON DELETE CASCADE
);

-- A token acting as a person in a tenant (a token may span tenants: one link per tenant).
CREATE TABLE token_people (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_id  uuid NOT NULL REFERENCES tokens (id),
    person_id text NOT NULL,
    PRIMARY KEY (tenant_id, token_id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, person_id) ON DELETE CASCADE
);

-- Security-culture certificates. A renewal is a new certificate naming the one it renews.
CREATE TABLE culture_certificates (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    certificate_id text NOT NULL CHECK (certificate_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
    person_id      text NOT NULL,
    level          smallint NOT NULL REFERENCES culture_levels (level),
    issued_at      timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    evidence       text NOT NULL DEFAULT '' CHECK (length(evidence) <= 2000),
    renews         text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, certificate_id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, person_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, renews) REFERENCES culture_certificates (tenant_id, certificate_id),
    CHECK (expires_at > issued_at)
);
CREATE INDEX culture_certificates_person_idx ON culture_certificates (tenant_id, person_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['people', 'person_profiles', 'token_people', 'culture_certificates']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = ims_current_tenant()) '
                       'WITH CHECK (tenant_id = ims_current_tenant())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO ims_app', t);
    END LOOP;
END;
$$;

-- Owners as people. The free-text owner column stays (what clients sent and still send);
-- owner_person is the person it names: a person id, or exactly one person's name.
ALTER TABLE assets ADD COLUMN owner_person text;
ALTER TABLE assets ADD FOREIGN KEY (tenant_id, owner_person)
    REFERENCES people (tenant_id, person_id) ON DELETE SET NULL (owner_person);
ALTER TABLE processes ADD COLUMN owner_person text;
ALTER TABLE processes ADD FOREIGN KEY (tenant_id, owner_person)
    REFERENCES people (tenant_id, person_id) ON DELETE SET NULL (owner_person);
ALTER TABLE risk_treatments ADD COLUMN owner_person text;
ALTER TABLE risk_treatments ADD FOREIGN KEY (tenant_id, owner_person)
    REFERENCES people (tenant_id, person_id) ON DELETE SET NULL (owner_person);
ALTER TABLE tenant_artefacts ADD COLUMN owner_person text;
ALTER TABLE tenant_artefacts ADD FOREIGN KEY (tenant_id, owner_person)
    REFERENCES people (tenant_id, person_id) ON DELETE SET NULL (owner_person);

-- The person an owner text names in a tenant: by id, else the one person of that name.
CREATE FUNCTION ims_person_for(p_tenant uuid, p_owner text) RETURNS text
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT coalesce(
    (SELECT p.person_id FROM people p WHERE p.tenant_id = p_tenant AND p.person_id = p_owner),
    (SELECT min(p.person_id) FROM people p WHERE p.tenant_id = p_tenant
        AND lower(p.name) = lower(btrim(p_owner))
     HAVING count(*) = 1))
$$;

CREATE FUNCTION ims_owner_resolve() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF NEW.owner IS NULL OR btrim(NEW.owner) = '' THEN
        NEW.owner_person := NULL;
    ELSIF TG_OP = 'INSERT' OR NEW.owner IS DISTINCT FROM OLD.owner OR NEW.owner_person IS NULL THEN
        NEW.owner_person := ims_person_for(NEW.tenant_id, NEW.owner);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER assets_owner BEFORE INSERT OR UPDATE OF owner ON assets
    FOR EACH ROW EXECUTE FUNCTION ims_owner_resolve();
CREATE TRIGGER processes_owner BEFORE INSERT OR UPDATE OF owner ON processes
    FOR EACH ROW EXECUTE FUNCTION ims_owner_resolve();
CREATE TRIGGER risk_treatments_owner BEFORE INSERT OR UPDATE OF owner ON risk_treatments
    FOR EACH ROW EXECUTE FUNCTION ims_owner_resolve();
CREATE TRIGGER tenant_artefacts_owner BEFORE INSERT OR UPDATE OF owner ON tenant_artefacts
    FOR EACH ROW EXECUTE FUNCTION ims_owner_resolve();

-- A person created or renamed: the owners that named them by id or name now point at them.
CREATE FUNCTION ims_people_link_owners() RETURNS trigger
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
    RETURN NULL;
END
$$;
CREATE TRIGGER people_link_owners AFTER INSERT OR UPDATE OF name ON people
    FOR EACH ROW EXECUTE FUNCTION ims_people_link_owners();

-- A person id made from an owner text: lower case, other characters as '-', at most 48.
CREATE FUNCTION ims_person_id_from(p_text text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
SELECT coalesce(nullif(left(btrim(regexp_replace(lower(p_text), '[^a-z0-9._:-]+', '-', 'g'),
                                  '-'), 48), ''), 'person')
$$;

-- Existing owners become people: one person per distinct owner text of a tenant (same
-- text, same person), named as the owner was written. Row-level security is forced on
-- the owner too, so the block sets each tenant in turn.
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
        FOR r IN
            SELECT DISTINCT btrim(owner) AS owner FROM (
                SELECT owner FROM assets WHERE tenant_id = tn
                UNION ALL SELECT owner FROM processes WHERE tenant_id = tn
                UNION ALL SELECT owner FROM risk_treatments WHERE tenant_id = tn
                UNION ALL SELECT owner FROM tenant_artefacts WHERE tenant_id = tn) o
             WHERE owner IS NOT NULL AND btrim(owner) <> ''
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

-- A person put: created or replaced with their profiles (p_profiles: profile ids). p_left
-- marks them as gone (their ownerships stay, so a reader sees who owned what). Returns the
-- person id.
CREATE FUNCTION ims_person_put(p_id text, p_name text, p_email text, p_phone text,
                               p_org_unit text, p_manager text, p_profiles text[],
                               p_active boolean)
    RETURNS text LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid := ims_current_tenant();
    bad text;
BEGIN
    SELECT min(x) INTO bad FROM unnest(p_profiles) x WHERE NOT EXISTS (SELECT 1 FROM profiles WHERE id = x);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'person.profiles: unknown profile "%" (see imsctl person profiles)', bad
            USING ERRCODE = '22023';
    END IF;
    IF coalesce(p_manager, '') <> '' THEN
        IF p_manager = p_id THEN
            RAISE EXCEPTION 'person.manager: a person is not their own manager' USING ERRCODE = '22023';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = t AND person_id = p_manager) THEN
            RAISE EXCEPTION 'person.manager: no person "%"', p_manager USING ERRCODE = '22023';
        END IF;
    END IF;
    INSERT INTO people AS p (tenant_id, person_id, name, email, phone, org_unit, manager_id,
                             active, left_at)
    VALUES (t, p_id, p_name, p_email, p_phone, p_org_unit, nullif(p_manager, ''), p_active,
            CASE WHEN p_active THEN NULL ELSE now() END)
    ON CONFLICT (tenant_id, person_id) DO UPDATE
       SET name = EXCLUDED.name, email = EXCLUDED.email, phone = EXCLUDED.phone,
           org_unit = EXCLUDED.org_unit, manager_id = EXCLUDED.manager_id,
           active = EXCLUDED.active,
           left_at = CASE WHEN EXCLUDED.active THEN NULL ELSE coalesce(p.left_at, now()) END,
           updated_at = now();
    DELETE FROM person_profiles WHERE tenant_id = t AND person_id = p_id
       AND profile_id <> ALL (p_profiles);
    INSERT INTO person_profiles (tenant_id, person_id, profile_id)
    SELECT t, p_id, x FROM unnest(p_profiles) x ON CONFLICT DO NOTHING;
    RETURN p_id;
END
$$;

-- The culture level a person must show: the highest their profiles ask for (0: none).
CREATE FUNCTION ims_person_culture_required(p_tenant uuid, p_person text) RETURNS smallint
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT coalesce(max(pr.culture_level), 0)::smallint
  FROM person_profiles pp JOIN profiles pr ON pr.id = pp.profile_id
 WHERE pp.tenant_id = p_tenant AND pp.person_id = p_person
$$;

-- Whether a person holds, at p_at, a certificate of at least p_level.
CREATE FUNCTION ims_person_certified(p_tenant uuid, p_person text, p_level smallint,
                                     p_at timestamptz) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT EXISTS (SELECT 1 FROM culture_certificates c
                WHERE c.tenant_id = p_tenant AND c.person_id = p_person AND c.level >= p_level
                  AND c.issued_at <= p_at AND p_at < c.expires_at)
$$;

-- Issues a certificate (p_expires NULL: issued + the level's validity). p_renews names
-- the certificate it renews, of the same person.
CREATE FUNCTION ims_certificate_issue(p_id text, p_person text, p_level smallint,
                                      p_issued timestamptz, p_expires timestamptz,
                                      p_evidence text, p_renews text)
    RETURNS void LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid := ims_current_tenant();
    days int;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = t AND person_id = p_person) THEN
        RAISE EXCEPTION 'person: no person "%"', p_person USING ERRCODE = '22023';
    END IF;
    SELECT valid_days INTO days FROM culture_levels WHERE level = p_level;
    IF days IS NULL THEN
        RAISE EXCEPTION 'level: no culture level % (1 to 3)', p_level USING ERRCODE = '22023';
    END IF;
    IF coalesce(p_renews, '') <> '' AND NOT EXISTS (
        SELECT 1 FROM culture_certificates WHERE tenant_id = t AND certificate_id = p_renews
           AND person_id = p_person) THEN
        RAISE EXCEPTION 'renews: person "%" has no certificate "%"', p_person, p_renews
            USING ERRCODE = '22023';
    END IF;
    p_issued := coalesce(p_issued, now());
    p_expires := coalesce(p_expires, p_issued + make_interval(days => days));
    IF p_expires <= p_issued THEN
        RAISE EXCEPTION 'expires_at: must be after issued_at' USING ERRCODE = '22023';
    END IF;
    INSERT INTO culture_certificates (tenant_id, certificate_id, person_id, level, issued_at,
                                      expires_at, evidence, renews)
    VALUES (t, p_id, p_person, p_level, date_trunc('second', p_issued),
            date_trunc('second', p_expires), p_evidence, nullif(p_renews, ''));
END
$$;

REVOKE EXECUTE ON FUNCTION ims_person_for(uuid, text), ims_person_id_from(text),
    ims_person_put(text, text, text, text, text, text, text[], boolean),
    ims_person_culture_required(uuid, text), ims_person_certified(uuid, text, smallint, timestamptz),
    ims_certificate_issue(text, text, smallint, timestamptz, timestamptz, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_person_for(uuid, text), ims_person_id_from(text),
    ims_person_put(text, text, text, text, text, text, text[], boolean),
    ims_person_culture_required(uuid, text), ims_person_certified(uuid, text, smallint, timestamptz),
    ims_certificate_issue(text, text, smallint, timestamptz, timestamptz, text, text) TO ims_app;

-- The person acting: p_person, or the one the token is linked to in this tenant.
CREATE FUNCTION ims_acting_person(p_person text, p_token text, p_field text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    p text := nullif(p_person, '');
BEGIN
    IF p IS NULL AND coalesce(p_token, '') <> '' THEN
        SELECT tp.person_id INTO p FROM token_people tp
         WHERE tp.tenant_id = ims_current_tenant() AND tp.token_id = p_token::uuid;
    END IF;
    IF p IS NULL THEN
        RAISE EXCEPTION '%: required (the calling token is linked to no person of the tenant)',
            p_field USING ERRCODE = '22023';
    END IF;
    RETURN p;
END
$$;

-- People as the API shows them, by id after p_after (or only p_id).
CREATE FUNCTION ims_people_list(p_after text, p_limit int, p_id text)
    RETURNS TABLE (person_id text, name text, email text, phone text, org_unit text,
                   manager text, profiles text, active boolean, left_at text,
                   culture_required int, culture_valid boolean, created_at text, updated_at text)
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT p.person_id, p.name, p.email, p.phone, p.org_unit, coalesce(p.manager_id, ''),
       coalesce((SELECT string_agg(pp.profile_id, ' ' ORDER BY pp.profile_id) FROM person_profiles pp
                  WHERE pp.tenant_id = p.tenant_id AND pp.person_id = p.person_id), ''),
       p.active, coalesce(ims_rfc3339(p.left_at), ''),
       ims_person_culture_required(p.tenant_id, p.person_id)::int,
       ims_person_culture_required(p.tenant_id, p.person_id) = 0
         OR ims_person_certified(p.tenant_id, p.person_id,
                                 ims_person_culture_required(p.tenant_id, p.person_id), now()),
       ims_rfc3339(p.created_at), ims_rfc3339(p.updated_at)
  FROM people p
 WHERE p.tenant_id = ims_current_tenant()
   AND (p_id IS NULL OR p.person_id = p_id)
   AND p.person_id > coalesce(p_after, '')
 ORDER BY p.person_id
 LIMIT p_limit
$$;

-- Links a token to a person of this tenant (p_person empty: unlinks). The token must
-- reach the tenant (in its scope, or an operator's).
CREATE FUNCTION ims_token_person_link(p_token text, p_person text) RETURNS text
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid := ims_current_tenant();
    tok uuid;
BEGIN
    BEGIN
        tok := p_token::uuid;
    EXCEPTION WHEN invalid_text_representation THEN
        RAISE EXCEPTION 'token_id: not a token id' USING ERRCODE = '22023';
    END;
    IF NOT EXISTS (SELECT 1 FROM tokens k WHERE k.id = tok AND k.revoked_at IS NULL
                      AND (k.role = 'operator' OR EXISTS (SELECT 1 FROM token_tenants tt
                                WHERE tt.token_id = k.id AND tt.tenant_id = t))) THEN
        RAISE EXCEPTION 'token_id: no token "%" reaches this tenant', p_token USING ERRCODE = '22023';
    END IF;
    IF coalesce(p_person, '') = '' THEN
        DELETE FROM token_people WHERE tenant_id = t AND token_id = tok;
        RETURN '';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = t AND person_id = p_person) THEN
        RAISE EXCEPTION 'person: no person "%"', p_person USING ERRCODE = '22023';
    END IF;
    INSERT INTO token_people (tenant_id, token_id, person_id) VALUES (t, tok, p_person)
    ON CONFLICT (tenant_id, token_id) DO UPDATE SET person_id = EXCLUDED.person_id;
    RETURN p_person;
END
$$;

CREATE FUNCTION ims_certificates_list(p_after text, p_limit int, p_person text, p_id text)
    RETURNS TABLE (certificate_id text, person_id text, level int, issued_at text,
                   expires_at text, evidence text, renews text, valid boolean, created_at text)
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT c.certificate_id, c.person_id, c.level::int, ims_rfc3339(c.issued_at),
       ims_rfc3339(c.expires_at), c.evidence, coalesce(c.renews, ''),
       c.issued_at <= now() AND now() < c.expires_at, ims_rfc3339(c.created_at)
  FROM culture_certificates c
 WHERE c.tenant_id = ims_current_tenant()
   AND (coalesce(p_person, '') = '' OR c.person_id = p_person)
   AND (p_id IS NULL OR c.certificate_id = p_id)
   AND c.certificate_id > coalesce(p_after, '')
 ORDER BY c.certificate_id
 LIMIT p_limit
$$;

-- The culture share at p_at: active people whose profiles ask for a certificate, those of
-- them holding a valid one of the level asked, and the ids of the others.
CREATE FUNCTION ims_culture_summary(p_tenant uuid, p_at timestamptz)
    RETURNS TABLE (required int, certified int, missing text)
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
WITH need AS (
    SELECT p.person_id, ims_person_culture_required(p.tenant_id, p.person_id) AS level
      FROM people p
     WHERE p.tenant_id = p_tenant AND p.created_at <= p_at
       AND (p.active OR p.left_at > p_at)
), judged AS (
    SELECT n.person_id, ims_person_certified(p_tenant, n.person_id, n.level, p_at) AS ok
      FROM need n WHERE n.level > 0
)
SELECT count(*)::int, (count(*) FILTER (WHERE ok))::int,
       coalesce(string_agg(person_id, ' ' ORDER BY person_id) FILTER (WHERE NOT ok), '')
  FROM judged
$$;

REVOKE EXECUTE ON FUNCTION ims_acting_person(text, text, text), ims_people_list(text, int, text),
    ims_token_person_link(text, text), ims_certificates_list(text, int, text, text),
    ims_culture_summary(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_acting_person(text, text, text), ims_people_list(text, int, text),
    ims_token_person_link(text, text), ims_certificates_list(text, int, text, text),
    ims_culture_summary(uuid, timestamptz) TO ims_app;
