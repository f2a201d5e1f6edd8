-- Catalog release 1 and the master tables: management systems, frameworks, domains,
-- sectors, size bands, maturity levels, people roles, the 5x5 risk grid.

INSERT INTO catalog_releases (release, note) VALUES
    (1, 'Initial catalog: ISO/IEC 27001:2022, ISO 22301:2019, ISO 31000:2018, risk catalog, metrics, artefacts');

INSERT INTO management_systems (id, name, default_weight) VALUES
    ('ISMS', 'Information security management system', 0.5),
    ('BCMS', 'Business continuity management system', 0.25),
    ('RMS',  'Risk management system', 0.25);

INSERT INTO frameworks (id, system_id, name, edition) VALUES
    ('iso27001-2022', 'ISMS', 'ISO/IEC 27001 Information security management systems - Requirements', '2022'),
    ('iso22301-2019', 'BCMS', 'ISO 22301 Business continuity management systems - Requirements', '2019'),
    ('iso31000-2018', 'RMS',  'ISO 31000 Risk management - Guidelines', '2018');

INSERT INTO domains (id, framework_id, code, title, sort_order) VALUES
    ('27001-4',  'iso27001-2022', '4',  'Context of the organization', 4),
    ('27001-5',  'iso27001-2022', '5',  'Leadership', 5),
    ('27001-6',  'iso27001-2022', '6',  'Planning', 6),
    ('27001-7',  'iso27001-2022', '7',  'Support', 7),
    ('27001-8',  'iso27001-2022', '8',  'Operation', 8),
    ('27001-9',  'iso27001-2022', '9',  'Performance evaluation', 9),
    ('27001-10', 'iso27001-2022', '10', 'Improvement', 10),
    ('A.5', 'iso27001-2022', 'A.5', 'Organizational controls', 15),
    ('A.6', 'iso27001-2022', 'A.6', 'People controls', 16),
    ('A.7', 'iso27001-2022', 'A.7', 'Physical controls', 17),
    ('A.8', 'iso27001-2022', 'A.8', 'Technological controls', 18),
    ('22301-4',  'iso22301-2019', '4',  'Context of the organization', 4),
    ('22301-5',  'iso22301-2019', '5',  'Leadership', 5),
    ('22301-6',  'iso22301-2019', '6',  'Planning', 6),
    ('22301-7',  'iso22301-2019', '7',  'Support', 7),
    ('22301-8',  'iso22301-2019', '8',  'Operation', 8),
    ('22301-9',  'iso22301-2019', '9',  'Performance evaluation', 9),
    ('22301-10', 'iso22301-2019', '10', 'Improvement', 10),
    ('31000-4', 'iso31000-2018', '4', 'Principles', 4),
    ('31000-5', 'iso31000-2018', '5', 'Framework', 5),
    ('31000-6', 'iso31000-2018', '6', 'Process', 6);

INSERT INTO sectors (id, name) VALUES
    ('it-services', 'IT services and software'),
    ('retail', 'Retail and e-commerce'),
    ('professional-services', 'Professional services (legal, accounting, consulting)'),
    ('manufacturing', 'Manufacturing'),
    ('health', 'Health and social care'),
    ('finance', 'Financial services and insurance intermediaries'),
    ('logistics', 'Transport and logistics'),
    ('hospitality', 'Hospitality and tourism'),
    ('education', 'Education and training'),
    ('public', 'Public sector and non-profit');

INSERT INTO size_bands (id, name, min_staff, max_staff) VALUES
    ('micro',  'Micro (fewer than 10 staff)', 0, 10),
    ('small',  'Small (10 to 49 staff)', 10, 50),
    ('medium', 'Medium (50 to 249 staff)', 50, 250);

INSERT INTO maturity_levels (level, name, description) VALUES
    (1, 'basic', 'The essential practice exists and is done, even if informally.'),
    (2, 'managed', 'The practice is documented, assigned, recorded and reviewed.'),
    (3, 'optimised', 'The practice is measured, automated where sensible and improved from experience.');

INSERT INTO roles (id, name, description) VALUES
    ('management', 'Management', 'Owner or managing director: approves policy, accepts risks, provides resources, chairs the management review.'),
    ('security_officer', 'Information security officer', 'Coordinates the ISMS, keeps the risk register and the statement of applicability, reports to management.'),
    ('continuity_manager', 'Business continuity manager', 'Coordinates the BCMS: business impact analysis, continuity plans, exercises (often the security officer in an SME).'),
    ('risk_owner', 'Risk owner', 'Person accountable for a risk and for deciding its treatment.'),
    ('it_admin', 'IT administrator', 'Runs systems, accounts, backups and patches, in house or at a provider.'),
    ('data_protection', 'Data protection contact', 'Handles personal-data questions and data subject requests.'),
    ('hr', 'Human resources', 'Hiring, contracts, onboarding and leaving, training records.'),
    ('process_owner', 'Process owner', 'Responsible for a business process and its continuity requirements.'),
    ('internal_auditor', 'Internal auditor', 'Plans and performs internal audits independently of the audited work.'),
    ('staff', 'Staff', 'Every employee and contractor: follows the rules and reports events.'),
    ('supplier_manager', 'Supplier manager', 'Selects suppliers and follows their contracts and service.');

-- Levels and grid from reference/risk-matrix-5x5-iso27005.txt (grid[likelihood][impact]).
INSERT INTO risk_levels (level, name, color) VALUES
    (1, 'very low', '#D3FF4E'),
    (2, 'low', '#02A45A'),
    (3, 'medium', '#FFA600'),
    (4, 'high', '#FF1A00'),
    (5, 'very high', '#C00000');

INSERT INTO risk_grid (likelihood, impact, level)
SELECT l, i, (ARRAY[
        ARRAY[1, 1, 2, 2, 2],
        ARRAY[1, 2, 2, 3, 3],
        ARRAY[2, 2, 3, 4, 4],
        ARRAY[2, 3, 4, 4, 5],
        ARRAY[3, 4, 4, 5, 5]])[l][i]
  FROM generate_series(1, 5) l, generate_series(1, 5) i;
