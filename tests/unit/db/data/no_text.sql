-- name: EMPTY
-- $1 something
;

-- name: NEXT
SELECT 1;
