-- The computed metrics of 0101 for the tenants that existed then: 0101's loop over tenants
-- ran without ims.all_tenants under the migration role's row-level security, so on a
-- database upgraded through it no tenant got them. A tenant that has none of the four (it
-- existed before 0101) gets those its schema version has, with the schema's figures and
-- mapping; a tenant that has any of them (made since, or tuned) is left as it is.
DO $$
DECLARE
    t uuid;
BEGIN
    PERFORM set_config('ims.all_tenants', 'on', true);
    FOR t IN SELECT id FROM tenants ORDER BY id LOOP
        PERFORM set_config('ims.tenant_id', t::text, true);
        CONTINUE WHEN EXISTS (
            SELECT FROM tenant_metrics
             WHERE tenant_id = t
               AND metric_id IN ('overdue_actions', 'months_since_management_review',
                                 'audit_programme_on_time_pct', 'nonconformity_closure_days'));
        INSERT INTO tenant_metrics (tenant_id, metric_id, enabled, aggregation, window_s, target,
                                    threshold, max_age_s)
        SELECT t, sm.metric_id, sm.enabled, sm.aggregation, sm.window_s, sm.target,
               sm.threshold, sm.max_age_s
          FROM tenants tn
          JOIN schema_metrics sm ON sm.schema_id = tn.schema_id AND sm.version = tn.schema_version
         WHERE tn.id = t
           AND sm.metric_id IN ('overdue_actions', 'months_since_management_review',
                                'audit_programme_on_time_pct', 'nonconformity_closure_days')
        ON CONFLICT DO NOTHING;
        INSERT INTO tenant_metric_controls (tenant_id, metric_id, control_id, weight)
        SELECT t, smc.metric_id, smc.control_id, smc.weight
          FROM tenants tn
          JOIN schema_metric_controls smc
            ON smc.schema_id = tn.schema_id AND smc.version = tn.schema_version
          JOIN tenant_controls tc ON tc.tenant_id = t AND tc.control_id = smc.control_id
          JOIN tenant_metrics tm ON tm.tenant_id = t AND tm.metric_id = smc.metric_id
         WHERE tn.id = t
           AND smc.metric_id IN ('overdue_actions', 'months_since_management_review',
                                 'audit_programme_on_time_pct', 'nonconformity_closure_days')
        ON CONFLICT DO NOTHING;
    END LOOP;
    PERFORM set_config('ims.tenant_id', '', true);
    PERFORM set_config('ims.all_tenants', '', true);
END
$$;
