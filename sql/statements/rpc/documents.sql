-- Statements of the Documents service (server/rpc/documents.c).

-- name: DOCUMENT_GET
-- $1 artefact id
-- -> the columns of ims_documents (no row: the tenant keeps no such document)
SELECT * FROM ims_documents(NULL, 1, $1);

-- name: DOCUMENT_LIST
-- $1 after id
-- $2 limit
-- -> the columns of ims_documents
SELECT * FROM ims_documents($1, $2::int, NULL);

-- name: DOCUMENT_STATE
-- What a change of the document needs to know first.
-- $1 artefact id
-- -> status, current version (0: none), review window in seconds, has template, the
--    controls it evidences that the tenant's model holds (space-separated)
SELECT ta.status, coalesce(ta.current_version, 0),
       (SELECT (review_window_days * 86400)::bigint FROM tenant_params p
         WHERE p.tenant_id = ta.tenant_id),
       EXISTS (SELECT 1 FROM document_templates d WHERE d.artefact_id = ta.artefact_id),
       coalesce((SELECT string_agg(ac.control_id, ' ' ORDER BY ac.control_id)
                   FROM artefact_controls ac
                   JOIN tenant_controls tc ON tc.tenant_id = ta.tenant_id
                                          AND tc.control_id = ac.control_id
                   JOIN controls c ON c.id = ac.control_id
                   JOIN frameworks f ON f.id = c.framework_id
                   JOIN tenant_params p ON p.tenant_id = ta.tenant_id
                  WHERE ac.artefact_id = ta.artefact_id AND f.id = ANY (p.frameworks)
                    AND f.system_id = ANY (p.systems)), '')
FROM tenant_artefacts ta
WHERE ta.tenant_id = ims_current_tenant() AND ta.artefact_id = $1;

-- name: DOCUMENT_BODY
-- $1 artefact id
-- $2 version (0: the current one)
-- -> the version's Markdown (no row: no such version)
SELECT v.body
FROM document_versions v JOIN tenant_artefacts ta
  ON ta.tenant_id = v.tenant_id AND ta.artefact_id = v.artefact_id
WHERE v.tenant_id = ims_current_tenant() AND v.artefact_id = $1
  AND v.version = CASE WHEN $2::int = 0 THEN ta.current_version ELSE $2::int END;

-- name: DOCUMENT_VERSIONS
-- $1 artefact id
-- -> version, note, author, created at
SELECT version, note, coalesce(author, ''), ims_rfc3339(created_at)
FROM document_versions
WHERE tenant_id = ims_current_tenant() AND artefact_id = $1
ORDER BY version;

-- name: DOCUMENT_HISTORY
-- $1 artefact id
-- -> seq, at, action, version, status, person, note
SELECT seq, ims_rfc3339(at), action, coalesce(version, 0), status, coalesce(person_id, ''), note
FROM document_history
WHERE tenant_id = ims_current_tenant() AND artefact_id = $1
ORDER BY seq;

-- name: DOCUMENT_CREATE
-- $1 artefact id
-- $2 title
-- $3 owner (a person id, '' for none)
-- $4 classification ('' for internal)
-- $5 retention days (0 for the default)
-- $6 body ('' for the template)
-- $7 author ('' for the token's person)
-- $8 calling token id ('' for none)
SELECT ims_document_create($1, $2, $3, $4, $5::int, $6, ims_acting_person($7, $8, 'person'));

-- name: DOCUMENT_ADD_VERSION
-- $1 artefact id
-- $2 body
-- $3 note
-- $4 author ('' for the token's person)
-- $5 calling token id ('' for none)
SELECT ims_document_add_version($1, $2, $3, ims_acting_person($4, $5, 'person'));

-- name: DOCUMENT_APPROVE
-- $1 artefact id
-- $2 approver ('' for the token's person)
-- $3 review due
-- $4 calling token id ('' for none)
SELECT ims_document_approve($1, ims_acting_person($2, $4, 'approver'), $3::timestamptz);

-- name: DOCUMENT_OBSOLETE
-- $1 artefact id
-- $2 person ('' for the token's person, or none)
-- $3 note
-- $4 calling token id ('' for none)
SELECT ims_document_obsolete($1, coalesce((SELECT person_id FROM token_people
    WHERE tenant_id = ims_current_tenant() AND token_id::text = $4 AND $2 = ''), $2), $3);

-- name: DOCUMENT_TENANT_LEVEL
-- The tenant's level as last committed (the answer to a retried document change).
-- -> security level, maturity, revision
SELECT coalesce(security_level, 0), coalesce(maturity, 0), revision
FROM tenants WHERE id = ims_current_tenant();

-- name: DOCUMENT_TEMPLATE_LIST
-- The catalogue's document templates (global).
-- $1 'true': with their bodies
-- -> artefact, kind, name, body ('' without)
SELECT t.artefact_id, a.kind, a.name, CASE WHEN $1::boolean THEN t.body ELSE '' END
FROM document_templates t JOIN artefacts a ON a.id = t.artefact_id
ORDER BY t.artefact_id;
