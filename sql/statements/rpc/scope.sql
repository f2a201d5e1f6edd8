-- Statements of the consultant's creation scope (server/rpc/tenants.c, tokens.c).

-- name: TENANT_CREATE_SCOPED
-- $1 consultant token id
-- $2 id
-- $3 slug
-- $4 display name
-- $5 sector
-- $6 size band
-- $7 schema
-- $8 schema version
-- -> the columns of TENANT_CREATE
SELECT id, slug, display_name, sector, size_band, schema_id, schema_version,
       ims_rfc3339(created_at),
       revision
FROM ims_consultant_create_tenant($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8::int);

-- name: TOKEN_ADD_SECTOR
-- $1 token id
-- $2 sector
SELECT ims_token_add_sector($1::uuid, $2);
