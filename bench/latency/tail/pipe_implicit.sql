\set n random(1, 2000000000)
SELECT set_config('ims.tenant_id', :t, false), set_config('ims.all_tenants', 'false', false);
SELECT revision AS rev FROM tenants WHERE id = :t \gset
\startpipeline
SELECT nextval('pgb_seq');
SELECT set_config('ims.tenant_id', :t, true), set_config('ims.all_tenants', 'false', true);
INSERT INTO incidents (tenant_id, incident_id, status, severity, threat_id, controls, assets, processes, detected_at, disruption_minutes, description) VALUES (:t, 'pgb-' || :n, 'open', 3::smallint, NULL, '{22301-10.1}'::text[], '{}'::text[], '{}'::text[], now(), 0::bigint, '') RETURNING incident_id, status, severity, coalesce(threat_id, ''), array_to_string(controls, ','), array_to_string(assets, ','), array_to_string(processes, ','), ims_rfc3339(detected_at), coalesce(ims_rfc3339(resolved_at), ''), disruption_minutes, description, ims_rfc3339(created_at), ims_rfc3339(updated_at);
SELECT ims_audit_append(NULL::uuid, 'operator', '/ims.v1.IncidentService/SubmitIncident', 'pgb-' || :n);
INSERT INTO idempotency_keys (tenant_id, key, method, request_hash, response) VALUES (:t, 'k-' || :n, '/ims.v1.IncidentService/SubmitIncident', decode('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex'), decode('0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a', 'hex'));
SELECT revision, at FROM ims_commit_level(:t::uuid, :rev::bigint, 0.5::float8, 2::int, 'incident');
\endpipeline
