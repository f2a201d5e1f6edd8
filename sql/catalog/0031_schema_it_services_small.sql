-- Sector schema it-services-small, version 1: IT service and software companies with
-- 10 to 49 staff. Derived from base/1. Everything stays applicable; development,
-- cloud, access and vulnerability controls weigh more, and the attacks that hit IT
-- providers (and through them their customers) are more likely.

SELECT ims_clone_schema('base', 1, 'it-services-small', 'IT services, small (10-49 staff)');

UPDATE schemas
   SET sector = 'it-services', size_band = 'small',
       description = 'For IT service providers and software houses of 10 to 49 staff: customers depend on their systems and code, so secure development, cloud administration, access and patching weigh more.'
 WHERE schema_id = 'it-services-small' AND version = 1;

UPDATE schema_controls SET weight = 2
 WHERE schema_id = 'it-services-small' AND version = 1
   AND control_id IN ('A.5.15', 'A.5.18', 'A.5.23', 'A.5.24', 'A.5.26', 'A.5.30',
                      'A.8.2', 'A.8.5', 'A.8.8', 'A.8.9', 'A.8.13', 'A.8.15', 'A.8.16',
                      'A.8.25', 'A.8.26', 'A.8.28', 'A.8.29', 'A.8.31', 'A.8.32',
                      '27001-6.1.2', '22301-8.2.2');

UPDATE schema_controls SET weight = 0.5
 WHERE schema_id = 'it-services-small' AND version = 1
   AND control_id IN ('A.7.4', 'A.7.6', 'A.7.12');

UPDATE schema_threats t SET likelihood = v.l
  FROM (VALUES ('T.vulnerability_exploit', 4), ('T.account_takeover', 4),
               ('T.supply_chain_compromise', 3), ('T.misconfiguration', 4),
               ('T.change_failure', 4), ('T.denial_of_service', 3)) v(id, l)
 WHERE t.schema_id = 'it-services-small' AND t.version = 1 AND t.threat_id = v.id;

-- A service provider is expected to patch faster than the base target.
UPDATE schema_metrics SET target = 3, threshold = 14
 WHERE schema_id = 'it-services-small' AND version = 1 AND metric_id = 'patch_latency_days';
