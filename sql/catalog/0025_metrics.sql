-- Metric definitions in the ISO/IEC 27004 style. target T and critical threshold K:
-- q = clamp((v - K) / (T - K), 0, 1), so lower-is-better metrics have T < K.
-- window_s and max_age_s are seconds. Each metric supports controls with a weight.

INSERT INTO metrics (id, name, description, unit, aggregation, window_s, target, threshold, max_age_s) VALUES
('patch_latency_days', 'Patch latency', 'Days between the release of a security update and its installation on the last affected system.', 'days', 'last', 86400, 7, 30, 172800),
('critical_vulnerabilities_open', 'Overdue critical vulnerabilities', 'Critical vulnerabilities open for more than 30 days.', 'count', 'last', 86400, 0, 10, 604800),
('staff_trained_pct', 'Staff trained', 'Share of staff who completed security awareness training in the last 12 months.', '%', 'last', 2592000, 100, 60, 3456000),
('phishing_click_rate_pct', 'Phishing click rate', 'Share of recipients who clicked in phishing simulations.', '%', 'mean', 15552000, 3, 20, 17280000),
('backup_success_pct', 'Backup success', 'Share of scheduled backup jobs that completed successfully.', '%', 'mean', 604800, 100, 90, 172800),
('restore_tests_passed_pct', 'Restore tests passed', 'Share of planned restore tests that restored data completely within the target time.', '%', 'last', 7776000, 100, 50, 8640000),
('mfa_coverage_pct', 'MFA coverage', 'Share of user accounts on email, cloud and remote access protected by multi-factor authentication.', '%', 'last', 86400, 100, 70, 604800),
('endpoint_protection_pct', 'Endpoint protection coverage', 'Share of devices with active, up-to-date anti-malware protection.', '%', 'last', 86400, 100, 85, 172800),
('incident_resolution_hours', 'Incident time to resolve', 'Mean hours from reporting to resolution of security incidents.', 'hours', 'mean', 7776000, 24, 120, 7776000),
('overdue_nonconformities', 'Overdue nonconformities', 'Nonconformities whose corrective action is past its due date.', 'count', 'last', 86400, 0, 5, 2592000),
('access_reviews_on_time_pct', 'Access reviews on time', 'Share of systems whose access review was done on schedule.', '%', 'last', 2592000, 100, 50, 16416000),
('leaver_access_removal_hours', 'Leaver access removal time', 'Mean hours between a person leaving and the removal of all their access.', 'hours', 'mean', 7776000, 4, 72, 8640000),
('critical_service_availability_pct', 'Availability of critical services', 'Availability of the services the business impact analysis marks critical.', '%', 'mean', 2592000, 99.9, 98, 172800),
('log_coverage_pct', 'Logging coverage', 'Share of critical systems whose logs are collected and kept.', '%', 'last', 86400, 100, 60, 604800),
('bc_exercises_on_schedule_pct', 'Continuity exercises on schedule', 'Share of the planned continuity exercises done in the last 12 months.', '%', 'last', 2592000, 100, 40, 34560000),
('bia_coverage_pct', 'BIA coverage', 'Share of critical processes whose impact analysis and plan were reviewed in the last 12 months.', '%', 'last', 2592000, 100, 50, 8640000),
('risk_treatment_on_time_pct', 'Risk treatment on time', 'Share of risk treatment actions completed by their due date.', '%', 'last', 2592000, 100, 50, 8640000),
('supplier_reviews_on_time_pct', 'Supplier reviews on time', 'Share of critical suppliers reviewed in the last 12 months.', '%', 'last', 2592000, 100, 50, 34560000);

INSERT INTO metric_controls (metric_id, control_id, weight)
SELECT v.m, split_part(x, ':', 1), split_part(x, ':', 2)::double precision
  FROM (VALUES
    ('patch_latency_days', 'A.8.8:1'),
    ('critical_vulnerabilities_open', 'A.8.8:1 A.5.7:0.5'),
    ('staff_trained_pct', 'A.6.3:1 27001-7.3:0.5 22301-7.3:0.5'),
    ('phishing_click_rate_pct', 'A.6.3:1 A.8.7:0.3'),
    ('backup_success_pct', 'A.8.13:1'),
    ('restore_tests_passed_pct', 'A.8.13:1 A.5.30:0.5 22301-8.5:0.5'),
    ('mfa_coverage_pct', 'A.8.5:1 A.5.17:0.5'),
    ('endpoint_protection_pct', 'A.8.7:1 A.8.1:0.5'),
    ('incident_resolution_hours', 'A.5.26:1 A.5.24:0.5'),
    ('overdue_nonconformities', '27001-10.2:1 22301-10.1:1'),
    ('access_reviews_on_time_pct', 'A.5.18:1 A.8.2:0.5'),
    ('leaver_access_removal_hours', 'A.5.18:1 A.5.11:0.5'),
    ('critical_service_availability_pct', 'A.8.14:1 A.8.6:0.5 A.5.30:0.5'),
    ('log_coverage_pct', 'A.8.15:1 A.8.16:0.5'),
    ('bc_exercises_on_schedule_pct', '22301-8.5:1 22301-8.6:0.5'),
    ('bia_coverage_pct', '22301-8.2.2:1 22301-8.4.4:0.5'),
    ('risk_treatment_on_time_pct', '27001-8.3:1 31000-6.5:1'),
    ('supplier_reviews_on_time_pct', 'A.5.22:1 A.5.19:0.5')
  ) v(m, l),
  unnest(string_to_array(v.l, ' ')) x;
