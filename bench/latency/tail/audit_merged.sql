\set n random(1, 2000000000)
BEGIN;
SELECT nextval('pgb_seq');
SELECT set_config('ims.tenant_id', :t, true), set_config('ims.all_tenants', 'false', true);
SELECT ims_audit_append(NULL::uuid, 'operator', '/ims.v1.IncidentService/SubmitIncident', 'pgb-' || :n);
ROLLBACK;
