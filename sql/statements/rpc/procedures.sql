-- Statements of the Procedures service (server/rpc/procedures.c).

-- name: PROCEDURE_DEFINITIONS
-- -> one row per phase of each procedure of the tenant's schema (ims_procedure_definitions)
SELECT * FROM ims_procedure_definitions();

-- name: PROCEDURE_START
-- $1 instance id
-- $2 procedure id
-- $3 title
-- $4 person ('' for the token's)
-- $5 incident ('' for none)
-- $6 note
-- $7 calling token id ('' for none)
SELECT ims_procedure_start($1, $2, $3, ims_acting_person($4, $7, 'person'), $5, $6);

-- name: PROCEDURE_LINK_FINDING
-- $1 instance id (just started)
-- $2 finding ('' for none)
SELECT ims_procedure_link_finding($1, $2);

-- name: PROCEDURE_ADVANCE
-- $1 instance id
-- $2 next phase
-- $3 person ('' for the token's)
-- $4 note
-- $5 calling token id ('' for none)
SELECT ims_procedure_advance($1, $2, ims_acting_person($3, $5, 'person'), $4);

-- name: PROCEDURE_ASSIGN
-- $1 instance id
-- $2 the person who answers for the current phase ('' for the one who moved it there)
SELECT ims_procedure_assign($1, $2);

-- name: PROCEDURE_RECORD
-- $1 instance id
-- $2 artefact
-- $3 reference
-- $4 note
-- $5 person ('' for the token's)
-- $6 calling token id ('' for none)
SELECT ims_procedure_record($1, $2, $3, $4, ims_acting_person($5, $6, 'person'));

-- name: INSTANCE_GET
-- $1 instance id
-- -> the columns of ims_procedure_instances, then the finding (no row: no such instance)
SELECT x.*, coalesce(i.finding_id, '') AS finding
FROM ims_procedure_instances(NULL, 1, $1) x
JOIN procedure_instances i ON i.tenant_id = ims_current_tenant() AND i.instance_id = x.instance_id;

-- name: INSTANCE_LIST
-- $1 after id
-- $2 limit
-- -> the columns of ims_procedure_instances, then the finding
SELECT x.*, coalesce(i.finding_id, '') AS finding
FROM ims_procedure_instances($1, $2::int, NULL) x
JOIN procedure_instances i ON i.tenant_id = ims_current_tenant() AND i.instance_id = x.instance_id
ORDER BY x.instance_id;

-- name: INSTANCE_STEPS
-- $1 instance id
-- -> seq, from phase, to phase, person, at, due at, late, note
SELECT seq, coalesce(from_phase, ''), to_phase, person_id, ims_rfc3339(at),
       coalesce(ims_rfc3339(due_at), ''), late, note
FROM procedure_steps
WHERE tenant_id = ims_current_tenant() AND instance_id = $1
ORDER BY seq;

-- name: INSTANCE_RECORDS
-- $1 instance id
-- -> seq, phase, artefact, reference, note, person, at
SELECT seq, phase_id, artefact_id, reference, note, person_id, ims_rfc3339(at)
FROM procedure_records
WHERE tenant_id = ims_current_tenant() AND instance_id = $1
ORDER BY seq;
