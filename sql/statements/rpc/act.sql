-- Check and Act (server/rpc/actions.c, audits.c, awards.c, reviews.c, objectives.c,
-- computed.c): each change is one function of migration 0102 answering with a row of its
-- *_rows view, whose columns are named as the fields of its message (rowmsg.c).

-- name: COMPUTED_WRITE
-- Samples of the computed metrics a change of these record kinds moves, written now.
-- $1 tenant
-- $2 record kinds (text[] literal)
-- -> metric, at, value
SELECT metric, at, value FROM ims_computed_write($1, $2::text[]);

-- name: ACT_TENANTS
-- Every tenant, for the sweep of time-moved metrics and awards.
-- -> id
SELECT id FROM tenants ORDER BY id;

-- name: AWARDS_ACTIVE
-- $1 tenant
-- -> how many of the tenant's awards are active (the sweep checks them)
SELECT count(*) FROM awards WHERE tenant_id = $1 AND status = 'active';

-- name: AWARDS_SWEEP
-- $1 tenant
-- $2 computed maturities ({"": tenant, "<framework>": ...})
-- -> ids of the awards suspended
SELECT * FROM ims_awards_sweep($1, $2::jsonb);

-- name: AWARDS_NC_CHECK
-- Suspends the active awards whose scope holds an open major nonconformity.
-- $1 tenant
-- -> how many
SELECT ims_awards_nc_check($1);

-- name: ACTION_RAISE
-- $1 tenant
-- $2 action id
-- $3 kind
-- $4 source kind
-- $5 source id
-- $6 description
-- $7 owner
-- $8 due
-- $9 root cause
-- -> an action_rows row
SELECT id, kind, source_kind, source_id, description, owner, due, root_cause, status, done_at,
       verification, verified_by, cancel_reason, overdue, created_at, updated_at, owner_person
FROM ims_action_raise($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: ACTION_PROGRESS
-- $1 tenant
-- $2 action id
-- $3 status ('' unchanged)
-- $4 owner ('' unchanged)
-- $5 due ('' unchanged)
-- $6 root cause ('' unchanged)
-- $7 note (verification note or cancel reason)
-- $8 who (the caller's principal)
-- $9 'true' when the caller may verify
-- -> an action_rows row
SELECT id, kind, source_kind, source_id, description, owner, due, root_cause, status, done_at,
       verification, verified_by, cancel_reason, overdue, created_at, updated_at, owner_person
FROM ims_action_progress($1, $2, $3, $4, $5, $6, $7, $8, $9::boolean);

-- name: ACTION_ROW
-- $1 tenant
-- $2 action id
-- -> an action_rows row
SELECT id, kind, source_kind, source_id, description, owner, due, root_cause, status, done_at,
       verification, verified_by, cancel_reason, overdue, created_at, updated_at, owner_person
FROM action_rows WHERE tenant_id = $1 AND id = $2;

-- name: ACTION_ROWS
-- $1 tenant
-- $2 status ('' all)
-- $3 source kind ('' all)
-- $4 source id ('' all)
-- $5 'true': overdue only
-- $6 after id
-- $7 limit
-- -> action_rows rows
SELECT id, kind, source_kind, source_id, description, owner, due, root_cause, status, done_at,
       verification, verified_by, cancel_reason, overdue, created_at, updated_at, owner_person
FROM action_rows
WHERE tenant_id = $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR source_kind = $3)
  AND ($4 = '' OR source_id = $4) AND (NOT $5::boolean OR overdue) AND id > $6
ORDER BY id
LIMIT $7::int;

-- name: AUDIT_PLAN
-- $1 tenant
-- $2 audit id
-- $3 kind
-- $4 title
-- $5 frameworks (text[] literal)
-- $6 controls (text[] literal)
-- $7 processes (text[] literal)
-- $8 planned at
-- $9 auditor
-- -> an audit_rows row
SELECT id, kind, title, frameworks, controls, processes, planned_at, held_at, auditor, status,
       report, evidence, overdue, findings, created_at, updated_at
FROM ims_audit_plan($1, $2, $3, $4, $5::text[], $6::text[], $7::text[], $8, $9);

-- name: AUDIT_UPDATE
-- $1 tenant
-- $2 audit id
-- $3 status ('' unchanged)
-- $4 planned at ('' unchanged)
-- $5 auditor ('' unchanged)
-- $6 report ('' unchanged)
-- $7 evidence (text[] literal; empty unchanged)
-- $8 who (the caller's principal)
-- -> an audit_rows row
SELECT id, kind, title, frameworks, controls, processes, planned_at, held_at, auditor, status,
       report, evidence, overdue, findings, created_at, updated_at
FROM ims_audit_update($1, $2, $3, $4, $5, $6, $7::text[], $8);

-- name: AUDIT_ROW
-- $1 tenant
-- $2 audit id
-- -> an audit_rows row
SELECT id, kind, title, frameworks, controls, processes, planned_at, held_at, auditor, status,
       report, evidence, overdue, findings, created_at, updated_at
FROM audit_rows WHERE tenant_id = $1 AND id = $2;

-- name: AUDIT_ROWS
-- $1 tenant
-- $2 status ('' all)
-- $3 after id
-- $4 limit
-- -> audit_rows rows
SELECT id, kind, title, frameworks, controls, processes, planned_at, held_at, auditor, status,
       report, evidence, overdue, findings, created_at, updated_at
FROM audit_rows WHERE tenant_id = $1 AND ($2 = '' OR status = $2) AND id > $3
ORDER BY id
LIMIT $4::int;

-- name: AWARD_LEVEL
-- $1 tenant
-- $2 award id
-- $3 level
-- $4 framework ('' the tenant)
-- $5 expires at ('' three years)
-- $6 grace days
-- $7 auditor
-- $8 the computed maturity of the scope now
-- $9 the tenant revision it was read at
-- -> an award_rows row
SELECT id, level, framework, awarded_at, auditor, expires_at, revision, maturity, status,
       status_reason, below_since, grace_days, updated_at
FROM ims_award_level($1, $2, $3::int, $4, $5, $6::int, $7, $8::int, $9::bigint);

-- name: AWARD_UPDATE
-- $1 tenant
-- $2 award id
-- $3 status (active or withdrawn)
-- $4 reason
-- $5 the computed maturity of its scope now
-- -> an award_rows row
SELECT id, level, framework, awarded_at, auditor, expires_at, revision, maturity, status,
       status_reason, below_since, grace_days, updated_at
FROM ims_award_update($1, $2, $3, $4, $5::int);

-- name: AWARD_ROW
-- $1 tenant
-- $2 award id
-- -> an award_rows row
SELECT id, level, framework, awarded_at, auditor, expires_at, revision, maturity, status,
       status_reason, below_since, grace_days, updated_at
FROM award_rows WHERE tenant_id = $1 AND id = $2;

-- name: AWARD_SCOPE
-- $1 tenant
-- $2 award id
-- -> framework ('' the tenant)
SELECT framework FROM awards WHERE tenant_id = $1 AND award_id = $2;

-- name: AWARD_ROWS
-- $1 tenant
-- $2 after id
-- $3 limit
-- -> award_rows rows
SELECT id, level, framework, awarded_at, auditor, expires_at, revision, maturity, status,
       status_reason, below_since, grace_days, updated_at
FROM award_rows WHERE tenant_id = $1 AND id > $2
ORDER BY id
LIMIT $3::int;

-- name: REVIEW_HOLD
-- $1 tenant
-- $2 review id
-- $3 chair
-- $4 attendees (text[] literal)
-- $5 decisions
-- $6 scores read from the evaluated state (JSON object)
-- $7 who (the caller's principal)
-- $8 actions raised (JSON array of {id, kind, description, owner, due})
-- -> a review_rows row
SELECT id, held_at, chair, attendees, inputs, decisions, held_by, actions
FROM ims_review_hold($1, $2, $3, $4::text[], $5, $6::jsonb, $7, $8::jsonb);

-- name: REVIEW_ROW
-- $1 tenant
-- $2 review id
-- -> a review_rows row
SELECT id, held_at, chair, attendees, inputs, decisions, held_by, actions
FROM review_rows WHERE tenant_id = $1 AND id = $2;

-- name: REVIEW_ROWS
-- $1 tenant
-- $2 after id
-- $3 limit
-- -> review_rows rows
SELECT id, held_at, chair, attendees, inputs, decisions, held_by, actions
FROM review_rows WHERE tenant_id = $1 AND id > $2
ORDER BY id
LIMIT $3::int;

-- name: OBJECTIVE_PUT
-- $1 tenant
-- $2 objective id
-- $3 title
-- $4 owner
-- $5 tier
-- $6 target
-- $7 due
-- $8 metrics (text[] literal)
-- -> an objective_rows row
SELECT id, title, owner, tier, target, due, metrics, actual, status, updated_at, owner_person
FROM ims_objective_put($1, $2, $3, $4, $5, $6::float8, $7, $8::text[]);

-- name: OBJECTIVE_ROWS
-- $1 tenant
-- $2 tier ('' all)
-- $3 after id
-- $4 limit
-- -> objective_rows rows
SELECT id, title, owner, tier, target, due, metrics, actual, status, updated_at, owner_person
FROM objective_rows WHERE tenant_id = $1 AND ($2 = '' OR tier = $2) AND id > $3
ORDER BY id
LIMIT $4::int;

-- name: SCORECARD
-- $1 tenant
-- -> objective_rows rows by tier (strategic, functional, operational), then id
SELECT id, title, owner, tier, target, due, metrics, actual, status, updated_at, owner_person
FROM objective_rows WHERE tenant_id = $1
ORDER BY array_position(ARRAY['strategic', 'functional', 'operational'], tier), id;

-- name: OBJECTIVE_ROW
-- $1 tenant
-- $2 objective id
-- -> an objective_rows row
SELECT id, title, owner, tier, target, due, metrics, actual, status, updated_at, owner_person
FROM objective_rows WHERE tenant_id = $1 AND id = $2;

-- name: ACT_NEXT_DUE
-- The tenant's first instant after now at which a time-moved computed metric may change or
-- an award expires.
-- $1 tenant
-- -> due (RFC 3339, NULL: none), milliseconds from now until it
SELECT ims_rfc3339(due), greatest(0, ceil(extract(epoch FROM due - now()) * 1000))::bigint
FROM ims_act_next_due($1, now());

-- name: AWARDS_EXPIRE
-- $1 tenant
-- -> ids of the awards that expired now
SELECT * FROM ims_awards_expire($1);
