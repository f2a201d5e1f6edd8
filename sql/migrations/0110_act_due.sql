-- Due times of Check and Act (docs/act.md "Due times"): the instants at which a tenant's
-- computed metric that moves with time alone changes value, or an award expires, so that
-- the daemon writes them then rather than at its next sweep; and award expiry ('expired').

-- Each instant in (p_from, p_to] at which the tenant's time-moved computed metrics may change
-- value or one of its awards expires (an instant may repeat).
CREATE FUNCTION ims_act_due_times(p_tenant uuid, p_from timestamptz, p_to timestamptz)
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

-- The first of them after p_at (NULL: none).
CREATE FUNCTION ims_act_next_due(p_tenant uuid, p_at timestamptz, OUT due timestamptz)
    LANGUAGE sql STABLE AS $$
SELECT min(d.due) FROM ims_act_due_times(p_tenant, p_at, 'infinity') d
$$;

-- Awards whose expiry passed become 'expired' (a new award renews them).
ALTER TABLE awards DROP CONSTRAINT awards_status_check;
ALTER TABLE awards ADD CONSTRAINT awards_status_check
    CHECK (status IN ('active', 'suspended', 'withdrawn', 'expired'));

-- The tenant's active or suspended awards whose expiry passed, now expired; their ids.
CREATE FUNCTION ims_awards_expire(p_tenant uuid) RETURNS SETOF text LANGUAGE sql AS $$
UPDATE awards SET status = 'expired', updated_at = now(),
       status_reason = 'expired: ' || ims_rfc3339(expires_at) || ' passed'
 WHERE tenant_id = p_tenant AND status IN ('active', 'suspended') AND expires_at <= now()
RETURNING award_id
$$;

-- An expired award is not reinstated nor withdrawn: a new award renews it.
CREATE OR REPLACE FUNCTION ims_award_update(p_tenant uuid, p_id text, p_status text, p_reason text,
                                            p_maturity int)
    RETURNS SETOF award_rows LANGUAGE plpgsql AS $$
DECLARE
    w awards%ROWTYPE;
    why text;
BEGIN
    SELECT * INTO w FROM awards WHERE tenant_id = p_tenant AND award_id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM ims_act_fail('P0002', 'id: no award ' || p_id);
    END IF;
    IF p_status NOT IN ('active', 'withdrawn') THEN
        PERFORM ims_act_fail('22023', 'status: must be active (reinstate) or withdrawn');
    END IF;
    IF w.status = 'withdrawn' THEN
        PERFORM ims_act_fail('55000', 'id: award ' || p_id || ' is withdrawn');
    END IF;
    IF w.status = 'expired' OR w.expires_at <= now() THEN
        PERFORM ims_act_fail('55000', 'id: award ' || p_id || ' expired; a new award renews it');
    END IF;
    IF p_status = 'withdrawn' AND p_reason = '' THEN
        PERFORM ims_act_fail('22023', 'reason: withdrawing an award needs a reason');
    END IF;
    IF p_status = 'active' THEN
        IF w.status <> 'suspended' THEN
            PERFORM ims_act_fail('55000', 'status: only a suspended award is reinstated');
        END IF;
        why := ims_award_blocker(p_tenant, w.framework, w.level, p_maturity);
        IF why IS NOT NULL THEN
            PERFORM ims_act_fail('55000', 'status: cannot reinstate: ' || why);
        END IF;
    END IF;
    UPDATE awards SET status = p_status, status_reason = p_reason,
           below_since = CASE WHEN p_status = 'active' THEN NULL ELSE below_since END,
           updated_at = now()
     WHERE tenant_id = p_tenant AND award_id = p_id;
    RETURN QUERY SELECT * FROM award_rows WHERE tenant_id = p_tenant AND id = p_id;
END
$$;

REVOKE EXECUTE ON FUNCTION ims_act_due_times(uuid, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_act_due_times(uuid, timestamptz, timestamptz) TO ims_app;
REVOKE EXECUTE ON FUNCTION ims_act_next_due(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_act_next_due(uuid, timestamptz) TO ims_app;
REVOKE EXECUTE ON FUNCTION ims_awards_expire(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_awards_expire(uuid) TO ims_app;
