-- The "source": "computed" marker of SECURITY-LEVEL.md section 12 in the tenant's snapshot:
-- a metric registered in computed_metrics (the table the Check/Act area creates; until it
-- exists no metric is computed) is written with "source": "computed". The engine evaluates
-- it like any other; import keeps nothing of the marker (the registration is global), so
-- export -> import -> export stays the same. Otherwise ims_tenant_snapshot is 0081's.
CREATE OR REPLACE FUNCTION ims_tenant_snapshot(p_tenant uuid, p_everything boolean) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    doc      jsonb := ims_tenant_snapshot_v1(p_tenant, p_everything)::jsonb;
    p        tenant_params;
    computed text[] := '{}';
BEGIN
    SELECT * INTO p FROM tenant_params WHERE tenant_id = p_tenant;
    doc := jsonb_set(doc, '{params,system_weights,SMS}', to_jsonb(p.weight_sms));
    doc := jsonb_set(doc, '{params,evidence_weight}', to_jsonb(p.evidence_weight));
    IF to_regclass('computed_metrics') IS NOT NULL THEN
        EXECUTE 'SELECT coalesce(array_agg(metric_id::text), ''{}'') FROM computed_metrics'
           INTO computed;
    END IF;
    IF cardinality(computed) > 0 THEN
        doc := jsonb_set(doc, '{metrics}', (
            SELECT coalesce(jsonb_agg(CASE WHEN m ->> 'id' = ANY (computed)
                                           THEN m || '{"source": "computed"}' ELSE m END
                                      ORDER BY o), '[]')
              FROM jsonb_array_elements(doc -> 'metrics') WITH ORDINALITY AS t(m, o)));
    END IF;
    RETURN (doc || jsonb_build_object(
        'format', 'ims-snapshot/2',
        'artefacts', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                          'id', ta.artefact_id,
                          'controls', CASE WHEN ta.required THEN
                              (SELECT coalesce(jsonb_agg(ac.control_id ORDER BY ac.control_id), '[]')
                                 FROM artefact_controls ac
                                WHERE ac.artefact_id = ta.artefact_id
                                  AND ac.control_id IN (SELECT ims_snapshot_controls(p_tenant)))
                              ELSE '[]' END,
                          'status', ta.status,
                          'review_due', ims_rfc3339(ta.review_due)) ORDER BY ta.artefact_id), '[]')
                        FROM tenant_artefacts ta WHERE ta.tenant_id = p_tenant),
        'treatments', (SELECT coalesce(jsonb_agg(
                           jsonb_build_object('asset', rt.asset_id, 'threat', rt.threat_id,
                                              'decision', rt.option)
                           || CASE WHEN rt.option = 'transfer'
                                   THEN jsonb_build_object('share', coalesce(rt.share, 0.5))
                                   ELSE '{}' END
                           ORDER BY rt.asset_id, rt.threat_id), '[]')
                         FROM risk_treatments rt WHERE rt.tenant_id = p_tenant),
        'records', CASE WHEN p_everything THEN ims_tenant_records(p_tenant) ELSE '{}' END))::json;
END
$$;
