-- The client profiles of the SME method (MSGS, seed 001) and the security-culture levels a
-- person holding each must show. Descriptions in our own words.

INSERT INTO culture_levels (level, name, description, valid_days) VALUES
    (1, 'Aware', 'Knows the rules that apply to everyone, recognises suspicious events and reports them.', 730),
    (2, 'Practising', 'Applies the rules in their own work, handles the information and systems they are given safely and guides colleagues.', 365),
    (3, 'Leading', 'Runs security tasks for others: assesses risks, decides on incidents, checks that the rules are followed.', 365);

INSERT INTO profiles (id, code, name, description, culture_level, sort_order) VALUES
    ('security_officer', 'Cl/RS', 'Security officer', 'Answers for the management system, speaks for the organisation to the consultant and approves its results.', 3, 1),
    ('system_user', 'Cl/US', 'Information system user', 'Anyone who uses the organisation''s information and systems in their daily work.', 1, 2),
    ('systems_manager', 'Cl/GDS', 'Systems department manager', 'Runs the systems department: infrastructure, accounts, backups and the people who operate them.', 3, 3),
    ('service_provider', 'Cl/PS', 'Service provider', 'An outside company or person that runs a service the organisation depends on.', 1, 4),
    ('asset_owner', 'Cl/PA', 'Asset owner', 'Answers for an asset: its value, who may use it and how it is protected.', 2, 5),
    ('department_manager', 'Cl/GD', 'Department manager', 'Leads a department and answers for how its people handle information.', 2, 6),
    ('development_lead', 'Cl/RD', 'Development lead', 'Leads the building and changing of software and systems.', 2, 7),
    ('operations_lead', 'Cl/RE', 'Operations lead', 'Leads the day-to-day running of systems and services.', 2, 8),
    ('marketing_lead', 'Cl/RM', 'Marketing lead', 'Leads marketing and what the organisation publishes about itself.', 1, 9),
    ('hr_lead', 'Cl/RR', 'Human resources lead', 'Leads hiring, contracts, training and leaving.', 2, 10),
    ('third_party', 'Cl/T', 'Third party', 'Someone from outside with some access: a visitor, partner or contractor.', 0, 11);
