-- Documented information (ISO 27001 / 22301 clause 7.5, the method's contents manager;
-- docs/people.md). Each artefact a tenant keeps (tenant_artefacts, whose status and
-- review_due (0081) the model reads as evidence) has versions whose body is Markdown, a
-- status missing -> draft -> approved -> obsolete, an approver (a person), the approval
-- time, the review due time, a classification and a retention period. Every change is
-- appended to the document's history. Templates (catalog) fill in the tenant's
-- name and fields when a document is created from them.

ALTER TABLE tenant_artefacts
    ADD COLUMN title           text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
    ADD COLUMN current_version int,
    ADD COLUMN approver        text,
    ADD COLUMN approved_at     timestamptz,
    ADD COLUMN classification  text NOT NULL DEFAULT 'internal'
        CHECK (classification IN ('public', 'internal', 'confidential', 'restricted')),
    ADD COLUMN retention_days  int NOT NULL DEFAULT 1095 CHECK (retention_days BETWEEN 1 AND 36500);
ALTER TABLE tenant_artefacts ADD FOREIGN KEY (tenant_id, approver)
    REFERENCES people (tenant_id, person_id);

CREATE TABLE document_versions (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    artefact_id text NOT NULL,
    version     int  NOT NULL CHECK (version >= 1),
    body        text NOT NULL CHECK (length(body) <= 262144),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    author      text,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, artefact_id, version),
    FOREIGN KEY (tenant_id, artefact_id) REFERENCES tenant_artefacts (tenant_id, artefact_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, author) REFERENCES people (tenant_id, person_id)
);
ALTER TABLE tenant_artefacts ADD FOREIGN KEY (tenant_id, artefact_id, current_version)
    REFERENCES document_versions (tenant_id, artefact_id, version) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE document_history (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    artefact_id text NOT NULL,
    seq         int  NOT NULL CHECK (seq >= 1),
    at          timestamptz NOT NULL,
    action      text NOT NULL CHECK (action IN ('create', 'version', 'approve', 'obsolete')),
    version     int,
    status      text NOT NULL,
    person_id   text,
    note        text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, artefact_id, seq),
    FOREIGN KEY (tenant_id, artefact_id) REFERENCES tenant_artefacts (tenant_id, artefact_id) ON DELETE CASCADE
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['document_versions', 'document_history']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = ims_current_tenant()) '
                       'WITH CHECK (tenant_id = ims_current_tenant())', t);
        IF t = 'document_history' THEN
            EXECUTE format('GRANT SELECT, INSERT ON %I TO ims_app', t);
        ELSE
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO ims_app', t);
        END IF;
    END LOOP;
END;
$$;

-- Catalog: a template per core document, Markdown with {{placeholders}}.
CREATE TABLE document_templates (
    artefact_id text PRIMARY KEY REFERENCES artefacts (id),
    body        text NOT NULL
);
GRANT SELECT ON document_templates TO ims_app;

-- A template's text with the tenant's fields filled in: {{tenant.name}}, {{tenant.slug}},
-- {{tenant.sector}}, {{tenant.size_band}}, {{document.title}}, {{document.owner}},
-- {{document.classification}}, {{date}} (today, UTC), {{review_months}}.
CREATE FUNCTION ims_document_fill(p_template text, p_artefact text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    t uuid := ims_current_tenant();
    tn tenants%ROWTYPE;
    ta tenant_artefacts%ROWTYPE;
    sector text;
    owner text;
    months int;
BEGIN
    SELECT * INTO tn FROM tenants WHERE id = t;
    SELECT * INTO ta FROM tenant_artefacts WHERE tenant_id = t AND artefact_id = p_artefact;
    SELECT s.name INTO sector FROM sectors s WHERE s.id = tn.sector;
    SELECT coalesce((SELECT p.name FROM people p WHERE p.tenant_id = t AND p.person_id = ta.owner_person),
                    nullif(ta.owner, ''), '(to be named)') INTO owner;
    SELECT round(review_window_days / 30.4)::int INTO months FROM tenant_params WHERE tenant_id = t;
    RETURN replace(replace(replace(replace(replace(replace(replace(replace(replace(p_template,
        '{{tenant.name}}', tn.display_name),
        '{{tenant.slug}}', tn.slug),
        '{{tenant.sector}}', coalesce(sector, tn.sector)),
        '{{tenant.size_band}}', tn.size_band),
        '{{document.title}}', ta.title),
        '{{document.owner}}', owner),
        '{{document.classification}}', ta.classification),
        '{{date}}', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')),
        '{{review_months}}', coalesce(months, 12)::text);
END
$$;

-- Appends one line to a document's history.
CREATE FUNCTION ims_document_log(p_artefact text, p_action text, p_person text, p_note text)
    RETURNS void LANGUAGE sql
    SET search_path = public, pg_temp
    AS $$
INSERT INTO document_history (tenant_id, artefact_id, seq, at, action, version, status,
                              person_id, note)
SELECT ta.tenant_id, ta.artefact_id,
       coalesce((SELECT max(seq) FROM document_history h WHERE h.tenant_id = ta.tenant_id
                    AND h.artefact_id = ta.artefact_id), 0) + 1,
       date_trunc('second', now()), p_action, ta.current_version, ta.status,
       nullif(p_person, ''), coalesce(p_note, '')
  FROM tenant_artefacts ta
 WHERE ta.tenant_id = ims_current_tenant() AND ta.artefact_id = p_artefact
$$;

-- The document row, locked, or NOT_FOUND naming the artefact.
CREATE FUNCTION ims_document_lock(p_artefact text) RETURNS tenant_artefacts
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    ta tenant_artefacts%ROWTYPE;
BEGIN
    SELECT * INTO ta FROM tenant_artefacts
     WHERE tenant_id = ims_current_tenant() AND artefact_id = p_artefact FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'artefact: the tenant keeps no document "%"', p_artefact USING ERRCODE = 'P0002';
    END IF;
    RETURN ta;
END
$$;

CREATE FUNCTION ims_document_check_person(p_person text, p_field text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF coalesce(p_person, '') = '' THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM people WHERE tenant_id = ims_current_tenant()
                      AND person_id = p_person AND active) THEN
        RAISE EXCEPTION '%: no active person "%"', p_field, p_person USING ERRCODE = '22023';
    END IF;
END
$$;

-- Writes the first version of a document: p_body, or the artefact's template filled in
-- when p_body is empty. The document becomes a draft. p_title empty: the artefact's name.
CREATE FUNCTION ims_document_create(p_artefact text, p_title text, p_owner text,
                                    p_classification text, p_retention_days int, p_body text,
                                    p_person text)
    RETURNS void LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    ta tenant_artefacts%ROWTYPE := ims_document_lock(p_artefact);
    tpl text;
BEGIN
    IF ta.current_version IS NOT NULL THEN
        RAISE EXCEPTION 'artefact: document "%" exists already (add a version)', p_artefact
            USING ERRCODE = '23505';
    END IF;
    PERFORM ims_document_check_person(p_person, 'person');
    PERFORM ims_document_check_person(p_owner, 'owner');
    IF coalesce(p_body, '') = '' THEN
        SELECT body INTO tpl FROM document_templates WHERE artefact_id = p_artefact;
        IF tpl IS NULL THEN
            RAISE EXCEPTION 'body: required (there is no template for "%")', p_artefact
                USING ERRCODE = '22023';
        END IF;
    END IF;
    UPDATE tenant_artefacts
       SET title = coalesce(nullif(p_title, ''), (SELECT name FROM artefacts WHERE id = p_artefact)),
           owner = coalesce(nullif(p_owner, ''), owner),
           classification = coalesce(nullif(p_classification, ''), classification),
           retention_days = coalesce(nullif(p_retention_days, 0), retention_days),
           status = 'draft', current_version = 1, approver = NULL, approved_at = NULL,
           review_due = NULL, updated_at = now()
     WHERE tenant_id = ta.tenant_id AND artefact_id = p_artefact;
    INSERT INTO document_versions (tenant_id, artefact_id, version, body, note, author, created_at)
    VALUES (ta.tenant_id, p_artefact, 1,
            CASE WHEN tpl IS NULL THEN p_body ELSE ims_document_fill(tpl, p_artefact) END,
            CASE WHEN tpl IS NULL THEN '' ELSE 'from template' END, nullif(p_person, ''),
            date_trunc('second', now()));
    PERFORM ims_document_log(p_artefact, 'create', p_person, '');
END
$$;

-- A new version: the document becomes a draft again until it is approved.
CREATE FUNCTION ims_document_add_version(p_artefact text, p_body text, p_note text, p_person text)
    RETURNS void LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    ta tenant_artefacts%ROWTYPE := ims_document_lock(p_artefact);
    v int;
BEGIN
    PERFORM ims_document_check_person(p_person, 'person');
    v := coalesce(ta.current_version, 0) + 1;
    INSERT INTO document_versions (tenant_id, artefact_id, version, body, note, author, created_at)
    VALUES (ta.tenant_id, p_artefact, v, p_body, coalesce(p_note, ''), nullif(p_person, ''),
            date_trunc('second', now()));
    UPDATE tenant_artefacts
       SET status = 'draft', current_version = v, approver = NULL, approved_at = NULL,
           review_due = NULL,
           title = CASE WHEN title = '' THEN (SELECT name FROM artefacts WHERE id = p_artefact)
                        ELSE title END,
           updated_at = now()
     WHERE tenant_id = ta.tenant_id AND artefact_id = p_artefact;
    PERFORM ims_document_log(p_artefact, 'version', p_person, p_note);
END
$$;

-- Approves the current draft: p_approver (a person) at now, to be reviewed by p_review_due
-- (NULL: now + the tenant's review window).
CREATE FUNCTION ims_document_approve(p_artefact text, p_approver text, p_review_due timestamptz)
    RETURNS void LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    ta tenant_artefacts%ROWTYPE := ims_document_lock(p_artefact);
    days double precision;
BEGIN
    IF ta.status <> 'draft' THEN
        RAISE EXCEPTION 'artefact: document "%" is %; only a draft is approved', p_artefact,
            ta.status USING ERRCODE = '22023';
    END IF;
    IF coalesce(p_approver, '') = '' THEN
        RAISE EXCEPTION 'approver: required (a person)' USING ERRCODE = '22023';
    END IF;
    PERFORM ims_document_check_person(p_approver, 'approver');
    IF p_review_due IS NOT NULL AND p_review_due <= now() THEN
        RAISE EXCEPTION 'review_due: must be in the future' USING ERRCODE = '22023';
    END IF;
    SELECT review_window_days INTO days FROM tenant_params WHERE tenant_id = ta.tenant_id;
    UPDATE tenant_artefacts
       SET status = 'approved', approver = p_approver, approved_at = date_trunc('second', now()),
           review_due = date_trunc('second', coalesce(p_review_due,
                                   now() + make_interval(secs => coalesce(days, 365) * 86400))),
           reviewed_at = now(), updated_at = now()
     WHERE tenant_id = ta.tenant_id AND artefact_id = p_artefact;
    PERFORM ims_document_log(p_artefact, 'approve', p_approver, '');
END
$$;

CREATE FUNCTION ims_document_obsolete(p_artefact text, p_person text, p_note text)
    RETURNS void LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    ta tenant_artefacts%ROWTYPE := ims_document_lock(p_artefact);
BEGIN
    IF ta.status IN ('missing', 'obsolete') THEN
        RAISE EXCEPTION 'artefact: document "%" is %', p_artefact, ta.status USING ERRCODE = '22023';
    END IF;
    PERFORM ims_document_check_person(p_person, 'person');
    UPDATE tenant_artefacts SET status = 'obsolete', review_due = NULL, updated_at = now()
     WHERE tenant_id = ta.tenant_id AND artefact_id = p_artefact;
    PERFORM ims_document_log(p_artefact, 'obsolete', p_person, p_note);
END
$$;

REVOKE EXECUTE ON FUNCTION ims_document_fill(text, text), ims_document_log(text, text, text, text),
    ims_document_lock(text), ims_document_check_person(text, text),
    ims_document_create(text, text, text, text, int, text, text),
    ims_document_add_version(text, text, text, text),
    ims_document_approve(text, text, timestamptz), ims_document_obsolete(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_document_fill(text, text), ims_document_log(text, text, text, text),
    ims_document_lock(text), ims_document_check_person(text, text),
    ims_document_create(text, text, text, text, int, text, text),
    ims_document_add_version(text, text, text, text),
    ims_document_approve(text, text, timestamptz), ims_document_obsolete(text, text, text) TO ims_app;

-- Documents as the API shows them, by artefact id after p_after (or only p_id).
CREATE FUNCTION ims_documents(p_after text, p_limit int, p_id text)
    RETURNS TABLE (artefact_id text, kind text, title text, required boolean, status text,
                   current boolean, owner text, owner_person text, approver text,
                   approved_at text, review_due text, classification text, retention_days int,
                   version int, has_template boolean, controls text, updated_at text)
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT ta.artefact_id, a.kind, CASE WHEN ta.title = '' THEN a.name ELSE ta.title END,
       ta.required, ta.status,
       ta.status = 'approved' AND (ta.review_due IS NULL OR now() <= ta.review_due),
       coalesce(ta.owner, ''), coalesce(ta.owner_person, ''), coalesce(ta.approver, ''),
       coalesce(ims_rfc3339(ta.approved_at), ''), coalesce(ims_rfc3339(ta.review_due), ''),
       ta.classification, ta.retention_days, coalesce(ta.current_version, 0),
       EXISTS (SELECT 1 FROM document_templates d WHERE d.artefact_id = ta.artefact_id),
       coalesce((SELECT string_agg(ac.control_id, ' ' ORDER BY ac.control_id)
                   FROM artefact_controls ac WHERE ac.artefact_id = ta.artefact_id), ''),
       ims_rfc3339(ta.updated_at)
  FROM tenant_artefacts ta JOIN artefacts a ON a.id = ta.artefact_id
 WHERE ta.tenant_id = ims_current_tenant()
   AND (p_id IS NULL OR ta.artefact_id = p_id)
   AND ta.artefact_id > coalesce(p_after, '')
 ORDER BY ta.artefact_id
 LIMIT p_limit
$$;

REVOKE EXECUTE ON FUNCTION ims_documents(text, int, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_documents(text, int, text) TO ims_app;
