-- The person an action's or an objective's owner names (owner_person, migration 0129) in
-- the rows the Improvement service answers with (docs/people.md "Owners"): the views of
-- 0102 with one column added at the end ('' when the owner names no person).

CREATE OR REPLACE VIEW action_rows WITH (security_invoker = true) AS
SELECT tenant_id, action_id AS id, kind, source_kind, source_id, description, owner,
       ims_rfc3339(due) AS due, root_cause, status, coalesce(ims_rfc3339(done_at), '') AS done_at,
       verification, verified_by, cancel_reason, (status = 'open' AND due < now()) AS overdue,
       ims_rfc3339(created_at) AS created_at, ims_rfc3339(updated_at) AS updated_at,
       coalesce(owner_person, '') AS owner_person
  FROM actions;

CREATE OR REPLACE VIEW objective_rows WITH (security_invoker = true) AS
WITH q AS (
    SELECT o.tenant_id, o.objective_id,
           avg(least(1, greatest(0, (s.value - tm.threshold) / (tm.target - tm.threshold)))) AS actual
      FROM objectives o
      CROSS JOIN LATERAL unnest(o.metrics) m
      JOIN tenant_metrics tm ON tm.tenant_id = o.tenant_id AND tm.metric_id = m
      CROSS JOIN LATERAL (SELECT value FROM metric_samples ms
                           WHERE ms.tenant_id = o.tenant_id AND ms.metric_id = m AND ms.at <= now()
                           ORDER BY ms.at DESC LIMIT 1) s
     GROUP BY o.tenant_id, o.objective_id
)
SELECT o.tenant_id, o.objective_id AS id, o.title, o.owner, o.tier, o.target, ims_rfc3339(o.due) AS due,
       o.metrics, coalesce(q.actual, 0)::double precision AS actual,
       CASE WHEN q.actual IS NULL THEN 'no_data'
            WHEN q.actual >= o.target - 1e-9 THEN 'met'
            WHEN o.due < now() THEN 'missed'
            WHEN q.actual >= 0.9 * o.target THEN 'on_track'
            ELSE 'at_risk' END AS status,
       ims_rfc3339(o.updated_at) AS updated_at,
       coalesce(o.owner_person, '') AS owner_person
  FROM objectives o LEFT JOIN q ON q.tenant_id = o.tenant_id AND q.objective_id = o.objective_id;
