-- Catalog release 2, part 1: ISO/IEC 20000-1:2018 (service management) as a fourth
-- management system, SMS. Clauses 4-10 at requirement level (8.3.1 "General" adds no
-- separate requirement). Identifiers and titles from reference/iso20000-1-2018-clauses.txt;
-- every question is our own. The harmonized clauses (4.1-4.4, 5.1-5.3, 6.1, 6.2, 7.1-7.5,
-- 8.1, 9.1-9.3, 10.1, 10.2) hold the HS items 27001 and 22301 already share, so an
-- integrated system answers them once for three standards. 20000 numbers its clause 10
-- like the older Annex SL text: 10.1 nonconformity (HS.10.2), 10.2 improvement (HS.10.1).

INSERT INTO catalog_releases (release, note) VALUES
    (2, 'ISO/IEC 20000-1:2018 (SMS), shared risk process items for 27001/22301/31000, Annex A to service-management relations, ISO/IEC 27001:2013 predecessors');

INSERT INTO management_systems (id, name, default_weight, sort_order) VALUES
    ('SMS', 'Service management system', 0.25, 4);
UPDATE management_systems SET sort_order = CASE id WHEN 'ISMS' THEN 1 WHEN 'BCMS' THEN 2
                                                   WHEN 'RMS' THEN 3 ELSE sort_order END;

INSERT INTO frameworks (id, system_id, name, edition, since_release) VALUES
    ('iso20000-1-2018', 'SMS', 'ISO/IEC 20000-1 Service management - Part 1: Service management system requirements', '2018', 2);

INSERT INTO domains (id, framework_id, code, title, sort_order) VALUES
    ('20000-4',  'iso20000-1-2018', '4',  'Context of the organization', 4),
    ('20000-5',  'iso20000-1-2018', '5',  'Leadership', 5),
    ('20000-6',  'iso20000-1-2018', '6',  'Planning', 6),
    ('20000-7',  'iso20000-1-2018', '7',  'Support of the service management system', 7),
    ('20000-8',  'iso20000-1-2018', '8',  'Operation of the service management system', 8),
    ('20000-9',  'iso20000-1-2018', '9',  'Performance evaluation', 9),
    ('20000-10', 'iso20000-1-2018', '10', 'Improvement', 10);

INSERT INTO controls (id, framework_id, domain_id, code, title, harmonized, sort_order, since_release) VALUES
    ('20000-4.1', 'iso20000-1-2018', '20000-4', '4.1', 'Understanding the organization and its context', '4.1', 1, 2),
    ('20000-4.2', 'iso20000-1-2018', '20000-4', '4.2', 'Understanding the needs and expectations of interested parties', '4.2', 2, 2),
    ('20000-4.3', 'iso20000-1-2018', '20000-4', '4.3', 'Determining the scope of the service management system', '4.3', 3, 2),
    ('20000-4.4', 'iso20000-1-2018', '20000-4', '4.4', 'Service management system', '4.4', 4, 2),
    ('20000-5.1', 'iso20000-1-2018', '20000-5', '5.1', 'Leadership and commitment', '5.1', 5, 2),
    ('20000-5.2', 'iso20000-1-2018', '20000-5', '5.2', 'Policy', '5.2', 6, 2),
    ('20000-5.3', 'iso20000-1-2018', '20000-5', '5.3', 'Organizational roles, responsibilities and authorities', '5.3', 7, 2),
    ('20000-6.1', 'iso20000-1-2018', '20000-6', '6.1', 'Actions to address risks and opportunities', '6.1', 8, 2),
    ('20000-6.2', 'iso20000-1-2018', '20000-6', '6.2', 'Service management objectives and planning to achieve them', '6.2', 9, 2),
    ('20000-6.3', 'iso20000-1-2018', '20000-6', '6.3', 'Plan the service management system', NULL, 10, 2),
    ('20000-7.1', 'iso20000-1-2018', '20000-7', '7.1', 'Resources', '7.1', 11, 2),
    ('20000-7.2', 'iso20000-1-2018', '20000-7', '7.2', 'Competence', '7.2', 12, 2),
    ('20000-7.3', 'iso20000-1-2018', '20000-7', '7.3', 'Awareness', '7.3', 13, 2),
    ('20000-7.4', 'iso20000-1-2018', '20000-7', '7.4', 'Communication', '7.4', 14, 2),
    ('20000-7.5', 'iso20000-1-2018', '20000-7', '7.5', 'Documented information', '7.5', 15, 2),
    ('20000-7.6', 'iso20000-1-2018', '20000-7', '7.6', 'Knowledge', NULL, 16, 2),
    ('20000-8.1', 'iso20000-1-2018', '20000-8', '8.1', 'Operational planning and control', '8.1', 17, 2),
    ('20000-8.2.1', 'iso20000-1-2018', '20000-8', '8.2.1', 'Service delivery', NULL, 18, 2),
    ('20000-8.2.2', 'iso20000-1-2018', '20000-8', '8.2.2', 'Plan the services', NULL, 19, 2),
    ('20000-8.2.3', 'iso20000-1-2018', '20000-8', '8.2.3', 'Control of parties involved in the service lifecycle', NULL, 20, 2),
    ('20000-8.2.4', 'iso20000-1-2018', '20000-8', '8.2.4', 'Service catalogue management', NULL, 21, 2),
    ('20000-8.2.5', 'iso20000-1-2018', '20000-8', '8.2.5', 'Asset management', NULL, 22, 2),
    ('20000-8.2.6', 'iso20000-1-2018', '20000-8', '8.2.6', 'Configuration management', NULL, 23, 2),
    ('20000-8.3.2', 'iso20000-1-2018', '20000-8', '8.3.2', 'Business relationship management', NULL, 24, 2),
    ('20000-8.3.3', 'iso20000-1-2018', '20000-8', '8.3.3', 'Service level management', NULL, 25, 2),
    ('20000-8.3.4', 'iso20000-1-2018', '20000-8', '8.3.4', 'Supplier management', NULL, 26, 2),
    ('20000-8.4.1', 'iso20000-1-2018', '20000-8', '8.4.1', 'Budgeting and accounting for services', NULL, 27, 2),
    ('20000-8.4.2', 'iso20000-1-2018', '20000-8', '8.4.2', 'Demand management', NULL, 28, 2),
    ('20000-8.4.3', 'iso20000-1-2018', '20000-8', '8.4.3', 'Capacity management', NULL, 29, 2),
    ('20000-8.5.1', 'iso20000-1-2018', '20000-8', '8.5.1', 'Change management', NULL, 30, 2),
    ('20000-8.5.2', 'iso20000-1-2018', '20000-8', '8.5.2', 'Service design and transition', NULL, 31, 2),
    ('20000-8.5.3', 'iso20000-1-2018', '20000-8', '8.5.3', 'Release and deployment management', NULL, 32, 2),
    ('20000-8.6.1', 'iso20000-1-2018', '20000-8', '8.6.1', 'Incident management', NULL, 33, 2),
    ('20000-8.6.2', 'iso20000-1-2018', '20000-8', '8.6.2', 'Service request management', NULL, 34, 2),
    ('20000-8.6.3', 'iso20000-1-2018', '20000-8', '8.6.3', 'Problem management', NULL, 35, 2),
    ('20000-8.7.1', 'iso20000-1-2018', '20000-8', '8.7.1', 'Service availability management', NULL, 36, 2),
    ('20000-8.7.2', 'iso20000-1-2018', '20000-8', '8.7.2', 'Service continuity management', NULL, 37, 2),
    ('20000-8.7.3', 'iso20000-1-2018', '20000-8', '8.7.3', 'Information security management', NULL, 38, 2),
    ('20000-9.1', 'iso20000-1-2018', '20000-9', '9.1', 'Monitoring, measurement, analysis and evaluation', '9.1', 39, 2),
    ('20000-9.2', 'iso20000-1-2018', '20000-9', '9.2', 'Internal audit', '9.2', 40, 2),
    ('20000-9.3', 'iso20000-1-2018', '20000-9', '9.3', 'Management review', '9.3', 41, 2),
    ('20000-9.4', 'iso20000-1-2018', '20000-9', '9.4', 'Service reporting', NULL, 42, 2),
    ('20000-10.1', 'iso20000-1-2018', '20000-10', '10.1', 'Nonconformity and corrective action', '10.2', 43, 2),
    ('20000-10.2', 'iso20000-1-2018', '20000-10', '10.2', 'Continual improvement', '10.1', 44, 2);

-- Service-management items: (id, level, weight, effort, question).
INSERT INTO subcontrols (id, level, weight, effort, question, since_release)
SELECT id, level, weight, effort, question, 2 FROM (VALUES
('20000-6.3-1',1,2,2,'Is there a plan for the service management system saying which services it covers, who runs each process and with what resources?'),
('20000-6.3-2',2,1,2,'Does the plan name the known limits of the system (budget, staff, tools, suppliers) and how they are handled?'),
('20000-7.6-1',1,1,2,'Is the know-how needed to run the services (runbooks, known errors, workarounds) written down where staff can find it?'),
('20000-7.6-2',2,1,2,'Is that knowledge kept current when services, suppliers or staff change?'),
('20000-8.2.1-1',1,2,2,'Are the services delivered as planned, with day-to-day operation assigned to named people?'),
('20000-8.2.1-2',2,1,2,'Are deviations from planned delivery noticed and acted on?'),
('20000-8.2.2-1',1,1,2,'Are service requirements (what the customers need, how much, how available) gathered before a service is offered?'),
('20000-8.2.2-2',2,1,2,'Are new or changed service requirements prioritised against capacity, budget and risk?'),
('20000-8.2.3-1',1,1,1,'Is it known which processes or parts of the service lifecycle are run by suppliers or customers?'),
('20000-8.2.3-2',2,1,2,'Does the company stay accountable for those parts, with requirements and checks on how they are run?'),
('20000-8.2.4-1',1,2,2,'Is there a service catalogue describing each service, what it includes and who may use it?'),
('20000-8.2.4-2',2,1,1,'Is the catalogue kept up to date and made available to customers?'),
('20000-8.2.5-1',1,1,2,'Are the assets that services depend on (hardware, software licences, accounts) known and managed?'),
('20000-8.2.5-2',2,1,2,'Do asset records meet the legal and contractual requirements (licences, data location)?'),
('20000-8.2.6-1',1,2,2,'Are the configuration items of the services (systems, versions, relations) recorded?'),
('20000-8.2.6-2',2,1,2,'Are configuration records updated through change management and checked for accuracy?'),
('20000-8.2.6-3',3,1,3,'Is configuration data collected or verified automatically?'),
('20000-8.3.2-1',1,1,1,'Does each customer have a named contact in the company who follows their needs and satisfaction?'),
('20000-8.3.2-2',2,1,2,'Are customer complaints recorded, investigated and answered?'),
('20000-8.3.2-3',3,1,2,'Is customer satisfaction measured at planned intervals and used for improvement?'),
('20000-8.3.3-1',1,2,2,'Are service levels (availability, response and resolution times) agreed with customers in writing?'),
('20000-8.3.3-2',2,1,2,'Is performance against the agreed service levels monitored and reported to the customer?'),
('20000-8.3.3-3',2,1,2,'Are breaches of service levels reviewed and followed by actions?'),
('20000-8.3.4-1',1,2,2,'Does every supplier that contributes to the services have a contract stating what it must deliver?'),
('20000-8.3.4-2',2,1,2,'Is supplier performance checked against the contract and discussed with the supplier?'),
('20000-8.3.4-3',2,1,1,'Are contract changes and disputes with suppliers recorded?'),
('20000-8.4.1-1',1,1,2,'Are the costs of providing each service budgeted and followed?'),
('20000-8.4.1-2',2,1,2,'Are actual costs compared with the budget and differences explained?'),
('20000-8.4.2-1',1,1,1,'Is current and expected demand for the services known?'),
('20000-8.4.2-2',2,1,2,'Are changes in demand anticipated and passed on to capacity planning?'),
('20000-8.4.3-1',1,2,2,'Is the capacity of systems, staff and suppliers planned against expected demand?'),
('20000-8.4.3-2',2,1,2,'Is capacity usage monitored and acted on before it limits the service?'),
('20000-8.4.3-3',3,1,3,'Are capacity trends forecast from measured data?'),
('20000-8.5.1-1',1,2,2,'Are changes to services and systems requested, assessed for risk and impact, and approved before they are made?'),
('20000-8.5.1-2',2,1,2,'Is there a record of changes with their outcome, and can failed changes be rolled back?'),
('20000-8.5.1-3',3,1,2,'Are change success rates reviewed to improve how changes are made?'),
('20000-8.5.2-1',1,1,2,'Are new or changed services designed and tested against their requirements before they go live?'),
('20000-8.5.2-2',2,1,2,'Is the move into live operation planned, including handover to support staff?'),
('20000-8.5.3-1',1,1,2,'Are releases planned, built and tested in a controlled way before deployment?'),
('20000-8.5.3-2',2,1,2,'Is each deployment verified afterwards and can it be reverted?'),
('20000-8.6.1-1',1,2,1,'Are incidents recorded, classified and prioritised by their impact on the service?'),
('20000-8.6.1-2',1,1,2,'Are incidents resolved within the agreed times, with the customer kept informed?'),
('20000-8.6.1-3',2,1,2,'Is there a procedure for major incidents with named people and escalation?'),
('20000-8.6.2-1',1,1,1,'Are service requests recorded, prioritised and fulfilled?'),
('20000-8.6.2-2',2,1,2,'Are standard requests described so that they are handled the same way each time?'),
('20000-8.6.3-1',1,1,2,'Are the root causes of recurring or serious incidents investigated?'),
('20000-8.6.3-2',2,1,2,'Are known errors recorded with workarounds and followed until they are removed?'),
('20000-8.7.1-1',1,1,2,'Are availability requirements and targets set for each service?'),
('20000-8.7.1-2',2,1,2,'Is actual availability measured against the targets and reported?'),
('20000-8.7.2-1',1,2,2,'Are continuity requirements for the services agreed and covered by a plan?'),
('20000-8.7.2-2',2,1,2,'Is the service continuity plan tested and updated after tests and major changes?'),
('20000-8.7.3-1',1,2,2,'Are information security requirements of the services managed through the information security policy and risk process?'),
('20000-8.7.3-2',2,1,2,'Are security controls for the services reviewed and security incidents handled with the incident process?'),
('20000-9.4-1',1,1,2,'Are reports on service performance, trends and incidents produced for customers and management?'),
('20000-9.4-2',2,1,1,'Are the reports used to take decisions and to set improvement actions?')
) v(id, level, weight, effort, question);

INSERT INTO subcontrol_controls (subcontrol_id, control_id)
SELECT s.id, regexp_replace(s.id, '-[0-9]+$', '')
  FROM subcontrols s
 WHERE s.id LIKE '20000-%';

-- Harmonized items of 27001 and 22301 also serve the same clause of 20000.
INSERT INTO subcontrol_controls (subcontrol_id, control_id)
SELECT s.id, c.id
  FROM subcontrols s
  JOIN controls c ON c.harmonized = regexp_replace(substr(s.id, 4), '-[0-9]+$', '')
 WHERE s.id LIKE 'HS.%' AND c.framework_id = 'iso20000-1-2018';
