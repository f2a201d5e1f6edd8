-- name: TENANT_EXPORT_HEAD
-- $1 tenant
-- -> snapshot without samples (json text), the export's start (timestamptz text)
SELECT ims_tenant_export_head($1::uuid)::text, now()::text;

-- name: TENANT_EXPORT_SAMPLES
-- $1 tenant
-- $2 metric id
-- $3 the export's start: samples received later are left out
-- $4 'true' for every sample, 'false' for the evaluation window alone
-- $5 after this time (NULL: from the first sample), with $6 and $7 the last page's key
-- $6 after this arrival time
-- $7 after this row
-- $8 page size
-- -> at (RFC 3339), value (text), at, received_at, row (the key, as text)
SELECT at_text, value_text, at::text, received_at::text, row_id::text
  FROM ims_tenant_export_samples($1::uuid, $2, $3::timestamptz, $4::boolean,
                                 $5::timestamptz, $6::timestamptz, $7::tid, $8::int);
