-- Statements of the People and Culture services (server/rpc/people.c, culture.c).

-- name: PERSON_PUT
-- Creates or replaces a person of the tenant in ims.tenant_id.
-- $1 person id
-- $2 name
-- $3 email
-- $4 phone
-- $5 org unit
-- $6 manager ('' for none)
-- $7 profiles (array literal)
-- $8 active (true / false)
-- -> the person id
SELECT ims_person_put($1, $2, $3, $4, $5, $6, $7::text[], $8::boolean);

-- name: PERSON_GET
-- $1 person id
-- -> the columns of ims_people_list (no row: no such person)
SELECT * FROM ims_people_list(NULL, 1, $1);

-- name: PERSON_LIST
-- $1 after id
-- $2 limit
-- -> the columns of ims_people_list
SELECT * FROM ims_people_list($1, $2::int, NULL);

-- name: PROFILE_LIST
-- -> id, code, name, description, culture level
SELECT id, code, name, description, culture_level FROM profiles ORDER BY sort_order, id;

-- name: CULTURE_LEVEL_LIST
-- -> level, name, description, valid days
SELECT level, name, description, valid_days FROM culture_levels ORDER BY level;

-- name: TOKEN_PERSON_LINK
-- $1 token id
-- $2 person id ('' to unlink)
-- -> the person linked ('' when unlinked)
SELECT ims_token_person_link($1, $2);

-- name: CERTIFICATE_ISSUE
-- $1 certificate id
-- $2 person id
-- $3 level
-- $4 issued at ('' for now)
-- $5 expires at ('' for the level's validity)
-- $6 evidence
-- $7 certificate renewed ('' for none)
SELECT ims_certificate_issue($1, $2, $3::smallint, nullif($4, '')::timestamptz,
                             nullif($5, '')::timestamptz, $6, $7);

-- name: CERTIFICATE_GET
-- $1 certificate id
-- -> the columns of ims_certificates_list
SELECT * FROM ims_certificates_list(NULL, 1, NULL, $1);

-- name: CERTIFICATE_LIST
-- $1 after id
-- $2 limit
-- $3 person ('' for everyone)
-- -> the columns of ims_certificates_list
SELECT * FROM ims_certificates_list($1, $2::int, $3, NULL);

-- name: CULTURE_SUMMARY
-- -> people required, certified, missing (space-separated ids), at
SELECT s.required, s.certified, s.missing, ims_rfc3339(now())
FROM ims_culture_summary(ims_current_tenant(), now()) s;
