-- Catalog release 2, part 2: risk as the link between the systems. The ISO 31000 process
-- (6.4 assessment: identification, analysis, evaluation; 6.5 treatment) is the one risk
-- process of the integrated system, so the risk assessment and treatment requirements of
-- ISO/IEC 27001 (6.1.2, 6.1.3, 8.2, 8.3) and ISO 22301 (8.2.3) hold the same items as
-- 31000 6.4.2-6.5: answered once, counted for all three. RK.<31000 clause>-n are those
-- shared items; the discipline-specific items they replace are retired in release 2
-- (they stay in the catalog, so schema versions and tenants made before keep resolving).
-- What stays discipline-specific: the 27001 method and its repeatability (6.1.2), the
-- statement of applicability (6.1.3), the planned intervals and records of 8.2 / 8.3,
-- and the use of a threat catalogue and data in the 31000 analysis.

INSERT INTO subcontrols (id, level, weight, effort, question, since_release)
SELECT id, level, weight, effort, question, 2 FROM (VALUES
('RK.6.4.2-1',1,2,2,'Are risks identified from assets, threats, past incidents and changes, covering both the loss of confidentiality, integrity or availability of information and the disruption of critical activities, each with an owner?'),
('RK.6.4.3-1',1,2,2,'Is each identified risk given a likelihood and a consequence on the agreed scales, taking the controls already in place into account?'),
('RK.6.4.4-1',1,1,1,'Are the analysed risks compared with the acceptance criteria to decide which need treatment and in what order, and is that decision recorded?'),
('RK.6.5-1',1,2,2,'For every risk above the appetite, is a treatment option chosen (reduce, avoid, transfer, accept) and planned with actions, owners and deadlines?'),
('RK.6.5-2',2,1,2,'Is the residual risk after treatment assessed and formally accepted by the risk owner?')
) v(id, level, weight, effort, question);

INSERT INTO subcontrol_controls (subcontrol_id, control_id)
SELECT v.s, v.c FROM (VALUES
    ('RK.6.4.2-1', '31000-6.4.2'), ('RK.6.4.2-1', '27001-6.1.2'), ('RK.6.4.2-1', '27001-8.2'),
    ('RK.6.4.2-1', '22301-8.2.3'),
    ('RK.6.4.3-1', '31000-6.4.3'), ('RK.6.4.3-1', '27001-6.1.2'), ('RK.6.4.3-1', '27001-8.2'),
    ('RK.6.4.3-1', '22301-8.2.3'),
    ('RK.6.4.4-1', '31000-6.4.4'), ('RK.6.4.4-1', '27001-6.1.2'), ('RK.6.4.4-1', '27001-8.2'),
    ('RK.6.4.4-1', '22301-8.2.3'),
    ('RK.6.5-1', '31000-6.5'), ('RK.6.5-1', '27001-6.1.3'), ('RK.6.5-1', '27001-8.3'),
    ('RK.6.5-1', '22301-8.2.3'),
    ('RK.6.5-2', '31000-6.5'), ('RK.6.5-2', '27001-6.1.3'), ('RK.6.5-2', '27001-8.3')
) v(s, c);

UPDATE subcontrols SET retired_release = 2
 WHERE id IN ('27001-6.1.2-2', '27001-6.1.3-1', '27001-6.1.3-3',
              '22301-8.2.3-1', '22301-8.2.3-2',
              '31000-6.4.2-1', '31000-6.4.3-1', '31000-6.4.4-1', '31000-6.5-1', '31000-6.5-2');
