-- name: SAME
SELECT 1;

-- name: SAME
SELECT 2;
