-- name: TOKEN_REVOKED_NOTIFY
-- Tells every daemon, at commit, that a token was revoked: each forgets it and ends the
-- streams it holds open.
-- $1 token id
SELECT pg_notify('ims_tenant', 'revoked:' || $1::uuid::text);
