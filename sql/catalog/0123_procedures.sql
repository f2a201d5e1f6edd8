-- The procedures every shipped schema carries (the method's A3.2), in our own words, and
-- their copy into a schema made from another (a new version or a clone copies its
-- parent's procedures, whichever function makes it).

CREATE FUNCTION ims_copy_schema_procedures(src_id text, src_version int, dst_id text, dst_version int)
    RETURNS void LANGUAGE sql
    SET search_path = public, pg_temp
    AS $$
INSERT INTO schema_procedures (schema_id, version, procedure_id, name, description, links)
SELECT dst_id, dst_version, procedure_id, name, description, links FROM schema_procedures
 WHERE schema_id = src_id AND version = src_version ON CONFLICT DO NOTHING;
INSERT INTO schema_procedure_phases (schema_id, version, procedure_id, phase_id, position, type,
                                     name, description, due_hours)
SELECT dst_id, dst_version, procedure_id, phase_id, position, type, name, description, due_hours
  FROM schema_procedure_phases WHERE schema_id = src_id AND version = src_version
ON CONFLICT DO NOTHING;
INSERT INTO schema_phase_profiles (schema_id, version, procedure_id, phase_id, profile_id)
SELECT dst_id, dst_version, procedure_id, phase_id, profile_id FROM schema_phase_profiles
 WHERE schema_id = src_id AND version = src_version ON CONFLICT DO NOTHING;
INSERT INTO schema_phase_paths (schema_id, version, procedure_id, phase_id, next_phase)
SELECT dst_id, dst_version, procedure_id, phase_id, next_phase FROM schema_phase_paths
 WHERE schema_id = src_id AND version = src_version ON CONFLICT DO NOTHING;
INSERT INTO schema_phase_objects (schema_id, version, procedure_id, phase_id, artefact_id, use)
SELECT dst_id, dst_version, procedure_id, phase_id, artefact_id, use FROM schema_phase_objects
 WHERE schema_id = src_id AND version = src_version ON CONFLICT DO NOTHING;
$$;

CREATE FUNCTION ims_schema_inherit_procedures() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL THEN
        PERFORM ims_copy_schema_procedures(NEW.parent_id, NEW.parent_version, NEW.schema_id,
                                           NEW.version);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER schemas_inherit_procedures AFTER INSERT ON schemas
    FOR EACH ROW EXECUTE FUNCTION ims_schema_inherit_procedures();

-- The definitions, written once and given to every schema version that exists now.
CREATE TEMPORARY TABLE ship_procedures (procedure_id text, name text, description text, links text);
CREATE TEMPORARY TABLE ship_phases (procedure_id text, phase_id text, position int, type text,
                                    name text, description text, due_hours int,
                                    profiles text, paths text, objects text);

INSERT INTO ship_procedures VALUES
('incident', 'Incident and anomaly handling',
 'From the first report of an event to its closure: what happened is confirmed, judged, escalated when it threatens continuity, put right and closed with its lessons.', 'incident'),
('nonconformity', 'Nonconformity handling',
 'A nonconformity found by an audit, a review or anyone at work is recorded, its cause found, corrected, and the correction checked before it is closed.', 'none'),
('access_review', 'Access review',
 'Who may use what is checked against what they need: each owner confirms or withdraws access and the withdrawals are carried out.', 'none'),
('backup_restore_test', 'Backup restore test',
 'A copy is restored as it would be after a loss and checked by the people who use the data, so that backups are known to work.', 'none'),
('supplier_onboarding', 'Supplier onboarding',
 'A new supplier is checked for security before it is given information or access, contracted with the clauses it needs and entered in the register.', 'none');

-- profiles: space-separated; paths: next phases; objects: artefact:use pairs.
INSERT INTO ship_phases VALUES
('incident', 'detect', 1, 'start', 'Detect and report', 'Someone notices something wrong and reports it at once, with what they saw and when.', 2,
 'system_user security_officer systems_manager operations_lead service_provider department_manager', 'diagnose', 'ART.incident_log:register'),
('incident', 'diagnose', 2, 'task', 'Diagnose', 'Confirm whether it is an incident, how severe it is and what it touches.', 4,
 'security_officer systems_manager operations_lead', 'escalate resolve', 'ART.incident_procedure:instruction ART.incident_log:register'),
('incident', 'escalate', 3, 'decision', 'Escalate', 'Decide whether continuity plans or outside help are needed and tell those who must know.', 2,
 'security_officer', 'resolve', 'ART.bc_plan:instruction'),
('incident', 'resolve', 4, 'task', 'Resolve', 'Contain the incident, remove its cause and bring the service back.', 24,
 'systems_manager operations_lead service_provider', 'close', 'ART.backup_instruction:instruction ART.incident_log:register'),
('incident', 'close', 5, 'end', 'Close', 'Record what was done and what is learned, and open corrective actions where needed.', NULL,
 'security_officer', '', 'ART.incident_log:register ART.corrective_actions:register'),

('nonconformity', 'record', 1, 'start', 'Record', 'Write down the nonconformity, where it was found and the requirement it breaks.', 72,
 'security_officer department_manager asset_owner system_user', 'analyse', 'ART.corrective_actions:register'),
('nonconformity', 'analyse', 2, 'task', 'Find the cause', 'Find why it happened and whether it could happen elsewhere.', 168,
 'security_officer department_manager', 'plan', 'ART.corrective_actions:register'),
('nonconformity', 'plan', 3, 'task', 'Plan the correction', 'Decide the actions, who does them and by when.', 168,
 'security_officer', 'implement', 'ART.corrective_actions:register'),
('nonconformity', 'implement', 4, 'task', 'Correct', 'Carry out the planned actions.', 720,
 'department_manager systems_manager operations_lead', 'verify', ''),
('nonconformity', 'verify', 5, 'decision', 'Check effectiveness', 'Check that the actions removed the cause; if not, plan again.', 720,
 'security_officer', 'close plan', 'ART.corrective_actions:register'),
('nonconformity', 'close', 6, 'end', 'Close', 'Close the nonconformity with the evidence of its correction.', NULL,
 'security_officer', '', 'ART.corrective_actions:register'),

('access_review', 'prepare', 1, 'start', 'Prepare the lists', 'Export the accounts and rights of each system in scope.', 72,
 'security_officer systems_manager', 'review', 'ART.access_control_policy:instruction'),
('access_review', 'review', 2, 'task', 'Owners review', 'Each asset owner or manager confirms the access that is needed and marks what is not.', 336,
 'department_manager asset_owner', 'revoke close', 'ART.asset_inventory:register'),
('access_review', 'revoke', 3, 'task', 'Withdraw access', 'Remove or reduce the access marked as not needed.', 72,
 'systems_manager operations_lead', 'close', 'ART.user_lifecycle:instruction'),
('access_review', 'close', 4, 'end', 'Close', 'Keep the reviewed lists and the changes made as the record of the review.', NULL,
 'security_officer', '', 'ART.training_record:register'),

('backup_restore_test', 'plan', 1, 'start', 'Plan the test', 'Choose what to restore, where, and who will check it.', 168,
 'systems_manager operations_lead', 'restore', 'ART.backup_instruction:instruction'),
('backup_restore_test', 'restore', 2, 'task', 'Restore', 'Restore the chosen copy into a safe place, timing how long it takes.', 48,
 'operations_lead systems_manager service_provider', 'check', 'ART.backup_instruction:instruction'),
('backup_restore_test', 'check', 3, 'decision', 'Check the data', 'The people who use the data confirm it is complete and usable; if not, restore again after fixing the cause.', 24,
 'asset_owner systems_manager', 'close restore', 'ART.exercise_report:template'),
('backup_restore_test', 'close', 4, 'end', 'Report', 'Record the result, the time taken and any fixes in the test report.', NULL,
 'systems_manager security_officer', '', 'ART.exercise_report:template'),

('supplier_onboarding', 'request', 1, 'start', 'Request', 'A department asks to use a supplier and says what information and access it will get.', 72,
 'department_manager security_officer', 'assess', 'ART.supplier_register:register'),
('supplier_onboarding', 'assess', 2, 'decision', 'Assess', 'Check the supplier''s security against the supplier rules and decide whether it may be used.', 336,
 'security_officer', 'contract reject', 'ART.supplier_policy:instruction'),
('supplier_onboarding', 'contract', 3, 'task', 'Contract', 'Sign the contract with the security and continuity clauses the assessment asks for.', 336,
 'department_manager security_officer', 'register', 'ART.supplier_policy:instruction'),
('supplier_onboarding', 'register', 4, 'end', 'Register', 'Enter the supplier in the register with its review date.', NULL,
 'security_officer', '', 'ART.supplier_register:register'),
('supplier_onboarding', 'reject', 5, 'end', 'Reject', 'Record why the supplier may not be used.', NULL,
 'security_officer', '', 'ART.supplier_register:register');

INSERT INTO schema_procedures (schema_id, version, procedure_id, name, description, links)
SELECT s.schema_id, s.version, p.procedure_id, p.name, p.description, p.links
  FROM schemas s CROSS JOIN ship_procedures p;
INSERT INTO schema_procedure_phases (schema_id, version, procedure_id, phase_id, position, type,
                                     name, description, due_hours)
SELECT s.schema_id, s.version, p.procedure_id, p.phase_id, p.position, p.type, p.name,
       p.description, p.due_hours
  FROM schemas s CROSS JOIN ship_phases p;
INSERT INTO schema_phase_profiles (schema_id, version, procedure_id, phase_id, profile_id)
SELECT s.schema_id, s.version, p.procedure_id, p.phase_id, x
  FROM schemas s CROSS JOIN ship_phases p
 CROSS JOIN LATERAL regexp_split_to_table(p.profiles, ' ') x WHERE x <> '';
INSERT INTO schema_phase_paths (schema_id, version, procedure_id, phase_id, next_phase)
SELECT s.schema_id, s.version, p.procedure_id, p.phase_id, x
  FROM schemas s CROSS JOIN ship_phases p
 CROSS JOIN LATERAL regexp_split_to_table(p.paths, ' ') x WHERE x <> '';
INSERT INTO schema_phase_objects (schema_id, version, procedure_id, phase_id, artefact_id, use)
SELECT s.schema_id, s.version, p.procedure_id, p.phase_id, split_part(x, ':', 1), split_part(x, ':', 2)
  FROM schemas s CROSS JOIN ship_phases p
 CROSS JOIN LATERAL regexp_split_to_table(p.objects, ' ') x WHERE x <> '';

DROP TABLE ship_procedures, ship_phases;
