-- Catalog release 2 in the shipped schemas.
--  * base, it-services-small and retail-micro get version 2: the shared risk process items
--    (RK.*) replace the retired discipline-specific ones, and the SMS system is listed
--    (disabled, weight 0.25) so that a schema derived from them can enable it. Tenants
--    generated from version 1 keep their content until they are rebased.
--  * it-services-sms (it-services, medium), from it-services-small/2: the integrated system
--    of an IT service provider that also certifies its service management, ISO/IEC
--    20000-1:2018 enabled next to 27001, 22301 and 31000 (ISMS 0.4, BCMS 0.2, RMS 0.2,
--    SMS 0.2). Change, incident, service level and service continuity weigh 2, and the
--    availability and incident resolution metrics also feed the service processes.

CREATE FUNCTION pg_temp.release2(p_schema text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    v int;
BEGIN
    SELECT n.version INTO v FROM ims_new_schema_version(p_schema) n;
    DELETE FROM schema_subcontrols ss
     USING subcontrols s
     WHERE ss.schema_id = p_schema AND ss.version = v
       AND s.id = ss.subcontrol_id AND s.retired_release IS NOT NULL;
    INSERT INTO schema_subcontrols (schema_id, version, subcontrol_id, applicable, weight, effort)
    SELECT p_schema, v, s.id, true, s.weight, s.effort
      FROM subcontrols s WHERE s.id LIKE 'RK.%' AND s.retired_release IS NULL;
    INSERT INTO schema_systems (schema_id, version, system_id, enabled, weight)
    VALUES (p_schema, v, 'SMS', false, 0.25) ON CONFLICT DO NOTHING;
    RETURN v;
END
$$;

SELECT pg_temp.release2('base');
SELECT pg_temp.release2('it-services-small');
SELECT pg_temp.release2('retail-micro');

SELECT ims_clone_schema('it-services-small', 2, 'it-services-sms',
                        'IT services with service management (ISO/IEC 20000-1)');
UPDATE schemas
   SET sector = 'it-services', size_band = 'medium',
       description = 'For IT service providers of 50 to 249 staff that run their services under ISO/IEC 20000-1 as well as ISO/IEC 27001 and ISO 22301: change, incident, service level and continuity of the services are managed once for both systems.'
 WHERE schema_id = 'it-services-sms' AND version = 1;

UPDATE schema_systems SET enabled = true,
       weight = CASE system_id WHEN 'ISMS' THEN 0.4 ELSE 0.2 END
 WHERE schema_id = 'it-services-sms' AND version = 1;

INSERT INTO schema_frameworks (schema_id, version, framework_id, enabled)
VALUES ('it-services-sms', 1, 'iso20000-1-2018', true);

INSERT INTO schema_controls (schema_id, version, control_id, applicable, weight)
SELECT 'it-services-sms', 1, c.id, true,
       CASE WHEN c.id IN ('20000-8.5.1', '20000-8.6.1', '20000-8.3.3', '20000-8.7.2') THEN 2 ELSE 1 END
  FROM controls c WHERE c.framework_id = 'iso20000-1-2018';

INSERT INTO schema_subcontrols (schema_id, version, subcontrol_id, applicable, weight, effort)
SELECT 'it-services-sms', 1, s.id, true, s.weight, s.effort
  FROM subcontrols s WHERE s.id LIKE '20000-%' AND s.retired_release IS NULL;

INSERT INTO schema_metric_controls (schema_id, version, metric_id, control_id, weight)
SELECT 'it-services-sms', 1, v.m, v.c, 1
  FROM (VALUES ('critical_service_availability_pct', '20000-8.7.1'),
               ('incident_resolution_hours', '20000-8.6.1')) v(m, c)
 WHERE EXISTS (SELECT 1 FROM schema_metrics sm WHERE sm.schema_id = 'it-services-sms'
                  AND sm.version = 1 AND sm.metric_id = v.m);
