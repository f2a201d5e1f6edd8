-- name: TENANT_IMPORT_SAMPLES
-- One page of a streamed import's samples, in the document's order (ImportTenantStream).
-- $1 new tenant id
-- $2 the previous page's last arrival time (NULL for the first page)
-- $3 metric ids (text[] literal)
-- $4 times (timestamptz[] literal, RFC 3339)
-- $5 values (float8[] literal, 17 significant digits)
-- -> this page's last arrival time
SELECT ims_import_samples_page($1::uuid, $2::timestamptz, $3::text[], $4::timestamptz[],
                               $5::float8[])::text;
