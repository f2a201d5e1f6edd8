-- Statements of the model's second version: risk treatment decisions and artefact status.

-- name: TREATMENT_LIST
-- $1 tenant
-- -> asset, threat, option, owner, due ('' when none), note, updated by, updated,
--    share ('' unless a transfer), controls (comma-separated), owner person ('' none)
SELECT asset_id, threat_id, option, owner, coalesce(ims_rfc3339(due), ''),
       note, updated_by, ims_rfc3339(updated_at),
       CASE WHEN option = 'transfer' THEN coalesce(share, 0.5)::text ELSE '' END,
       array_to_string(controls, ','), coalesce(owner_person, '')
FROM risk_treatments
WHERE tenant_id = $1;

-- name: TREATMENT_PUT
-- $1 tenant
-- $2 asset
-- $3 threat
-- $4 option
-- $5 owner
-- $6 due (or NULL)
-- $7 note
-- $8 updated by
-- $9 share (or NULL: not a transfer)
-- $10 controls (array literal)
-- -> the columns of TREATMENT_LIST
INSERT INTO risk_treatments AS r (tenant_id, asset_id, threat_id, option, owner, due, note,
                                  updated_by, share, controls)
VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8, $9::float8, $10::text[])
ON CONFLICT (tenant_id, asset_id, threat_id)
DO UPDATE SET option = EXCLUDED.option, owner = EXCLUDED.owner, due = EXCLUDED.due,
       note = EXCLUDED.note, updated_by = EXCLUDED.updated_by, share = EXCLUDED.share,
       controls = EXCLUDED.controls, updated_at = now()
RETURNING asset_id, threat_id, option, owner, coalesce(ims_rfc3339(due), ''),
       note, updated_by, ims_rfc3339(updated_at),
       CASE WHEN option = 'transfer' THEN coalesce(share, 0.5)::text ELSE '' END,
       array_to_string(controls, ','), coalesce(owner_person, '');

-- name: ARTEFACT_SET
-- $1 artefact
-- $2 status (or NULL: unchanged)
-- $3 'true' to set the review due time to $4
-- $4 review due (or NULL: none)
-- -> artefact, status, review due ('' when none)
UPDATE tenant_artefacts
SET status = coalesce($2, status),
    review_due = CASE WHEN $3::boolean THEN $4::timestamptz ELSE review_due END,
    updated_at = now()
WHERE tenant_id = ims_current_tenant() AND artefact_id = $1
RETURNING artefact_id, status, coalesce(ims_rfc3339(review_due), '');
