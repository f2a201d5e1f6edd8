-- Due times of the people area (docs/people.md "Due times"): the instants at which
-- culture_certified_pct, procedures_on_time_pct and documents_current_pct move with time
-- alone join the tenant's due times (0110), so that the daemon writes those metrics then
-- rather than at its next sweep. The function is 0110's, with these instants added.

CREATE OR REPLACE FUNCTION ims_act_due_times(p_tenant uuid, p_from timestamptz, p_to timestamptz)
    RETURNS TABLE (due timestamptz) LANGUAGE sql STABLE AS $$
SELECT d.due FROM (
    -- an action's due time passing (overdue actions and nonconformities, treatments on time)
    SELECT a.due FROM actions a WHERE a.tenant_id = p_tenant AND a.status <> 'cancelled'
    UNION ALL
    -- an audit's planned day entering and leaving the programme's 365 days
    SELECT u.planned_at FROM audits u WHERE u.tenant_id = p_tenant
    UNION ALL
    SELECT u.planned_at + interval '365 days' FROM audits u WHERE u.tenant_id = p_tenant
    -- a closed nonconformity, a plan review or an exercise leaving the 365 days
    UNION ALL
    SELECT f.closed_at + interval '365 days' FROM findings f
     WHERE f.tenant_id = p_tenant AND f.closed_at IS NOT NULL AND f.type IN ('major_nc', 'minor_nc')
    UNION ALL
    SELECT p.plan_reviewed_at + interval '365 days' FROM processes p
     WHERE p.tenant_id = p_tenant AND p.plan_reviewed_at IS NOT NULL
    UNION ALL
    SELECT e.at + interval '365 days' FROM exercises e WHERE e.tenant_id = p_tenant
    UNION ALL
    -- an award's expiry
    SELECT w.expires_at FROM awards w
     WHERE w.tenant_id = p_tenant AND w.status IN ('active', 'suspended')
    UNION ALL
    -- a security-culture certificate becoming valid or expiring (culture_certified_pct)
    SELECT c.issued_at FROM culture_certificates c WHERE c.tenant_id = p_tenant
    UNION ALL
    SELECT c.expires_at FROM culture_certificates c WHERE c.tenant_id = p_tenant
    UNION ALL
    -- an open procedure instance's phase falling due, a completed one leaving the 365 days
    -- (procedures_on_time_pct)
    SELECT i.phase_due_at FROM procedure_instances i
     WHERE i.tenant_id = p_tenant AND i.completed_at IS NULL AND i.phase_due_at IS NOT NULL
    UNION ALL
    SELECT i.completed_at + interval '365 days' FROM procedure_instances i
     WHERE i.tenant_id = p_tenant AND i.completed_at IS NOT NULL
    UNION ALL
    -- an approved document's review due time passing (documents_current_pct); the metric
    -- counts it current up to that instant, so just after it
    SELECT ta.review_due + interval '1 millisecond' FROM tenant_artefacts ta
     WHERE ta.tenant_id = p_tenant AND ta.status = 'approved' AND ta.review_due IS NOT NULL
    UNION ALL
    -- the age of the latest management review (or of the tenant) crossing a whole day
    SELECT b.base + make_interval(days => (floor(extract(epoch FROM p_from - b.base) / 86400)
                                           + 1)::int)
      FROM (SELECT coalesce((SELECT max(r.held_at) FROM reviews r
                              WHERE r.tenant_id = p_tenant AND r.held_at <= p_from),
                             (SELECT t.created_at FROM tenants t WHERE t.id = p_tenant)) AS base) b
     WHERE b.base <= p_from
) d
WHERE d.due > p_from AND d.due <= p_to
$$;

REVOKE EXECUTE ON FUNCTION ims_act_due_times(uuid, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_act_due_times(uuid, timestamptz, timestamptz) TO ims_app;
