-- name: GAP
-- $1 first
-- $3 third, with no $2 documented
SELECT $1, $3;
