-- The activities of the completion matrix (seed 003: an ISMS implementation as a list of
-- activities spread over five progressive implementation levels), in our own words. Level
-- 4 is the recommended target: a complete management system without internal audits and
-- technical compliance reviews; level 3 still lacks most of the check and act activities.

INSERT INTO completion_activities (id, name, outputs, from_level, sort_order) VALUES
('CA.01', 'Management commits to the project and names who leads information security', 'Appointment of the security lead', 1, 1),
('CA.02', 'Decide the scope of the management system', 'Scope statement', 1, 2),
('CA.03', 'Write and approve the information security policy', 'Security policy', 1, 3),
('CA.04', 'List the information assets and give each an owner', 'Asset inventory', 1, 4),
('CA.05', 'Put the basic technical protection in place: backups, malware protection, updates', 'Backup and patching instructions', 1, 5),
('CA.06', 'Manage accounts, access rights and passwords', 'Access rules', 1, 6),
('CA.07', 'Tell staff the security rules they must follow', 'Acceptable use rules', 1, 7),
('CA.08', 'Identify the context, the interested parties and their requirements', 'Context and requirements register', 2, 8),
('CA.09', 'Assign roles, responsibilities and authorities', 'Roles description', 2, 9),
('CA.10', 'Define the risk assessment method and the acceptance criteria', 'Risk method', 2, 10),
('CA.11', 'Identify and analyse the risks', 'Risk register', 2, 11),
('CA.12', 'Decide how each significant risk is treated and plan it', 'Risk treatment plan', 2, 12),
('CA.13', 'Report and handle security incidents', 'Incident procedure and log', 2, 13),
('CA.14', 'Set security requirements for suppliers', 'Supplier clauses', 2, 14),
('CA.15', 'Decide which controls apply and why', 'Statement of applicability', 3, 15),
('CA.16', 'Set security objectives and plan how to reach them', 'Objectives and plans', 3, 16),
('CA.17', 'Control documents and records', 'Document control procedure', 3, 17),
('CA.18', 'Run an awareness and training programme', 'Training plan and records', 3, 18),
('CA.19', 'Write the operating procedures of the selected controls', 'Operating procedures', 3, 19),
('CA.20', 'Prepare the continuity of ICT and of the critical activities', 'Continuity plan', 3, 20),
('CA.21', 'Have risk owners accept the residual risks', 'Risk acceptance record', 3, 21),
('CA.22', 'Measure whether the controls work, with indicators', 'Indicators and their results', 4, 22),
('CA.23', 'Hold the management review', 'Management review minutes', 4, 23),
('CA.24', 'Handle nonconformities with corrective actions', 'Corrective action log', 4, 24),
('CA.25', 'Improve the system from what was learned', 'Improvement log', 4, 25),
('CA.26', 'Reassess the risks at planned intervals and after changes', 'Updated risk register', 4, 26),
('CA.27', 'Plan internal and external communication on security', 'Communication plan', 4, 27),
('CA.28', 'Keep records of the competence of people in security roles', 'Competence records', 4, 28),
('CA.29', 'Plan and carry out internal audits', 'Audit programme and reports', 5, 29),
('CA.30', 'Have information security reviewed independently', 'Independent review report', 5, 30),
('CA.31', 'Review technical compliance (vulnerability scans, configuration checks)', 'Technical review reports', 5, 31),
('CA.32', 'Keep the evidence a certification audit asks for', 'Evidence index', 5, 32);
