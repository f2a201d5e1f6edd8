-- Sector schema retail-micro, version 1: shops and web shops with fewer than 10 staff.
-- Derived from base/1. The shop platform, payments and IT are bought as services, so
-- in-house development and secure-area controls are excluded with a justification;
-- the remaining development controls weigh less; payment, e-commerce, supplier,
-- malware, backup and awareness controls weigh more; ISMS carries more weight.

SELECT ims_clone_schema('base', 1, 'retail-micro', 'Retail and e-commerce, micro (under 10 staff)');

UPDATE schemas
   SET sector = 'retail', size_band = 'micro',
       description = 'For shops and web shops with fewer than 10 staff using a hosted shop platform and a payment provider: protect card payments, customer data, accounts and backups; no in-house development.'
 WHERE schema_id = 'retail-micro' AND version = 1;

UPDATE schema_systems s SET weight = v.w
  FROM (VALUES ('ISMS', 0.6), ('BCMS', 0.2), ('RMS', 0.2)) v(id, w)
 WHERE s.schema_id = 'retail-micro' AND s.version = 1 AND s.system_id = v.id;

UPDATE schema_controls c SET applicable = false, justification = v.j
  FROM (VALUES
    ('A.8.4',  'No software is developed in house: the web shop runs on a hosted platform, so there is no source code to protect.'),
    ('A.8.25', 'No software is developed in house; the shop platform provider''s development is covered by the supplier controls.'),
    ('A.8.28', 'No software is written in house.'),
    ('A.8.31', 'No development or test environments exist; only the hosted shop and its vendor-managed staging are used.'),
    ('A.8.33', 'No testing with company data is done in house.'),
    ('A.8.11', 'No test or analysis copies of personal data are made; data stays in the shop and accounting services.'),
    ('A.7.6',  'There is no server room or other secure area: all IT is hosted by providers.')
  ) v(id, j)
 WHERE c.schema_id = 'retail-micro' AND c.version = 1 AND c.control_id = v.id;

-- The sub-controls of an excluded control are excluded with the same reason.
UPDATE schema_subcontrols s SET applicable = false, justification = c.justification
  FROM subcontrol_controls sc
  JOIN schema_controls c ON c.control_id = sc.control_id
 WHERE s.schema_id = 'retail-micro' AND s.version = 1
   AND c.schema_id = 'retail-micro' AND c.version = 1
   AND sc.subcontrol_id = s.subcontrol_id AND NOT c.applicable;

UPDATE schema_controls SET weight = 0.5
 WHERE schema_id = 'retail-micro' AND version = 1
   AND control_id IN ('A.5.8', 'A.8.26', 'A.8.27', 'A.8.29', 'A.8.30', 'A.8.6', 'A.8.34',
                      'A.7.12', 'A.5.6', 'A.5.35');

UPDATE schema_controls SET weight = 2
 WHERE schema_id = 'retail-micro' AND version = 1
   AND control_id IN ('A.5.19', 'A.5.20', 'A.5.23', 'A.5.14', 'A.5.34', 'A.5.3',
                      'A.6.3', 'A.8.5', 'A.8.7', 'A.8.8', 'A.8.13', 'A.8.20', 'A.8.24',
                      'A.7.9');

UPDATE schema_threats t SET likelihood = v.l
  FROM (VALUES ('T.web_attack', 4), ('T.fraud', 4), ('T.phishing', 4),
               ('T.equipment_theft', 3), ('T.physical_intrusion', 2),
               ('T.supplier_failure', 3), ('T.software_defect', 2), ('T.change_failure', 2)) v(id, l)
 WHERE t.schema_id = 'retail-micro' AND t.version = 1 AND t.threat_id = v.id;

-- Indicators a micro company can rarely collect are off by default.
UPDATE schema_metrics SET enabled = false
 WHERE schema_id = 'retail-micro' AND version = 1
   AND metric_id IN ('critical_vulnerabilities_open', 'phishing_click_rate_pct', 'log_coverage_pct',
                     'access_reviews_on_time_pct');

UPDATE schema_artefacts SET required = false
 WHERE schema_id = 'retail-micro' AND version = 1
   AND artefact_id IN ('ART.secure_development');
