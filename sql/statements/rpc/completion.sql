-- Statements of the completion matrix (server/rpc/completion.c).

-- name: COMPLETION_SUMMARY
-- $1 tenant
-- -> target, stands, required, met
SELECT target, stands, required, met FROM ims_completion_summary($1::uuid);

-- name: COMPLETION_ACTIVITIES
-- $1 tenant
-- -> id, name, outputs, from level, level, required, met, note, recorded by, recorded at
SELECT activity_id, name, outputs, from_level, level, required, met, note, recorded_by, recorded_at
FROM ims_completion($1::uuid);

-- name: COMPLETION_SET
-- $1 tenant
-- $2 activity
-- $3 level
-- $4 note
-- $5 recorded by
SELECT ims_completion_set($1::uuid, $2, $3::int, $4, $5);

-- name: COMPLETION_TARGET
-- $1 tenant
-- $2 target
-- $3 set by
SELECT ims_completion_target($1::uuid, $2::int, $3);
