\set n random(1, 2000000000)
BEGIN;
SELECT nextval('pgb_seq');
SELECT set_config('ims.tenant_id', :t, true), set_config('ims.all_tenants', 'false', true);
SELECT revision AS rev FROM tenant_revisions_x WHERE tenant_id = :t \gset
SELECT revision, at FROM ims_commit_level_narrow(:t::uuid, :rev::bigint, 0.5::float8, 2::int, 'incident');
ROLLBACK;
