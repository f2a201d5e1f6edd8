-- Streamed exports (ExportTenantStream). ims_tenant_export: the whole document in one
-- value, the evaluation window alone (the samples the daemon itself loads: each metric's
-- window or maximum age, and its newest sample) or every sample, records kept either way.
-- ims_tenant_export_head: the same document with no samples, which the daemon sends
-- first, its samples then read in pages (ims_tenant_export_samples) and written as they come.
CREATE FUNCTION ims_tenant_export(p_tenant uuid, p_all boolean) RETURNS json
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    doc jsonb;
BEGIN
    IF p_all THEN
        RETURN ims_tenant_snapshot(p_tenant, true);
    END IF;
    doc := ims_tenant_snapshot(p_tenant, false)::jsonb;
    IF doc IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN jsonb_set(doc, '{records}', ims_tenant_records(p_tenant))::json;
END
$$;

CREATE FUNCTION ims_tenant_export_head(p_tenant uuid) RETURNS json
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    doc jsonb := ims_tenant_snapshot(p_tenant, false)::jsonb;
BEGIN
    IF doc IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN jsonb_set(jsonb_set(doc, '{records}', ims_tenant_records(p_tenant)),
                     '{samples}', '[]')::json;
END
$$;

-- One page of a metric's samples in the document's order (time, then arrival), after the
-- key (p_at, p_received, p_row) or from the start when p_at is NULL; only samples received
-- by p_until (the export's start), and with p_all false only those of the window.
CREATE FUNCTION ims_tenant_export_samples(p_tenant uuid, p_metric text, p_until timestamptz,
                                          p_all boolean, p_at timestamptz,
                                          p_received timestamptz, p_row tid, p_limit int)
    RETURNS TABLE (at_text text, value_text text, at timestamptz, received_at timestamptz,
                   row_id tid)
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT ims_rfc3339(s.at), s.value::text, s.at, s.received_at, s.ctid
      FROM metric_samples s
      JOIN tenant_metrics m ON m.tenant_id = s.tenant_id AND m.metric_id = s.metric_id
     WHERE s.tenant_id = p_tenant AND s.metric_id = p_metric AND s.received_at <= p_until
       AND (p_at IS NULL OR (s.at, s.received_at, s.ctid) > (p_at, p_received, p_row))
       AND (p_all
            OR s.at >= now() - make_interval(secs => greatest(m.window_s, m.max_age_s))
            OR s.at = (SELECT max(s2.at) FROM metric_samples s2
                        WHERE s2.tenant_id = p_tenant AND s2.metric_id = p_metric))
     ORDER BY s.at, s.received_at, s.ctid
     LIMIT p_limit
$$;

REVOKE EXECUTE ON FUNCTION ims_tenant_export(uuid, boolean), ims_tenant_export_head(uuid),
    ims_tenant_export_samples(uuid, text, timestamptz, boolean, timestamptz, timestamptz, tid,
                              int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_tenant_export(uuid, boolean), ims_tenant_export_head(uuid),
    ims_tenant_export_samples(uuid, text, timestamptz, boolean, timestamptz, timestamptz, tid,
                              int) TO ims_app;
