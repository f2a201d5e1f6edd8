-- Streamed imports (ImportTenantStream): the document's samples are written page by page
-- as they arrive, inside the transaction that created the tenant and that imports the
-- rest of the document (ims_import_tenant with an empty "samples") at the end, so a
-- failed import leaves nothing. received_at keeps the document's order among samples of
-- equal time, as ims_import_tenant's own loop does: each page starts after the previous
-- page's last arrival time (p_after) and its rows are one microsecond apart.
CREATE FUNCTION ims_import_samples_page(p_tenant uuid, p_after timestamptz, p_metrics text[],
                                        p_ats timestamptz[], p_values double precision[])
    RETURNS timestamptz LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    n    int := coalesce(cardinality(p_metrics), 0);
    base timestamptz := greatest(clock_timestamp(), coalesce(p_after, '-infinity'));
BEGIN
    IF p_tenant IS NULL OR p_tenant IS DISTINCT FROM ims_current_tenant() THEN
        RAISE EXCEPTION 'ims_import_samples_page: ims.tenant_id must be set to tenant %', p_tenant
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF coalesce(cardinality(p_ats), 0) <> n OR coalesce(cardinality(p_values), 0) <> n THEN
        RAISE EXCEPTION 'ims_import_samples_page: arrays of different lengths'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO metric_samples (tenant_id, metric_id, at, value, received_at)
    SELECT p_tenant, m, a, v, base + o * interval '1 microsecond'
      FROM unnest(p_metrics, p_ats, p_values) WITH ORDINALITY AS t(m, a, v, o);
    RETURN base + n * interval '1 microsecond';
END
$$;

REVOKE EXECUTE ON FUNCTION ims_import_samples_page(uuid, timestamptz, text[], timestamptz[],
                                                   double precision[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_import_samples_page(uuid, timestamptz, text[], timestamptz[],
                                                  double precision[]) TO ims_app;
