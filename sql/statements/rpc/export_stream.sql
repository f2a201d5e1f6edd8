-- name: TENANT_EXPORT
-- $1 tenant
-- $2 'true' for the whole history, 'false' for the evaluation window alone
-- -> snapshot (json text)
SELECT ims_tenant_export($1::uuid, $2::boolean)::text;
