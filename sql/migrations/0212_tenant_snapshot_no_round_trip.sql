-- Tenant load speed (bench/README.md "Tenants at scale"). ims_tenant_snapshot (0155, the
-- latest definition) turned the document of ims_tenant_snapshot_v2_computed into jsonb and
-- back to json even for a tenant whose schema version overrides no sub-control, which is
-- most of them: two conversions of the whole document on every load. That document is
-- already jsonb's text (v2_computed returns a jsonb cast to json), so the round trip gave
-- the same bytes; it is now taken only when there are overrides to apply. Same documents.
CREATE OR REPLACE FUNCTION ims_tenant_snapshot(p_tenant uuid, p_everything boolean) RETURNS json
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    doc jsonb;
    p   tenant_params;
BEGIN
    SELECT * INTO p FROM tenant_params WHERE tenant_id = p_tenant;
    IF p.schema_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM schema_subcontrol_overrides o
             WHERE o.schema_id = p.schema_id AND o.version = p.schema_version) THEN
        RETURN ims_tenant_snapshot_v2_computed(p_tenant, p_everything);
    END IF;
    doc := ims_tenant_snapshot_v2_computed(p_tenant, p_everything)::jsonb;
    RETURN jsonb_set(doc, '{subcontrols}', (
        SELECT coalesce(jsonb_agg(x ORDER BY o), '[]') FROM (
            SELECT t.o, CASE WHEN ov.subcontrol_id IS NULL THEN t.e
                             ELSE t.e || jsonb_build_object(
                                 'level', ov.level,
                                 'controls', (SELECT coalesce(jsonb_agg(c ORDER BY c), '[]')
                                                FROM unnest(ov.controls) c
                                               WHERE c IN (SELECT k ->> 'id'
                                                             FROM jsonb_array_elements(doc -> 'controls') k)))
                        END AS x
              FROM jsonb_array_elements(doc -> 'subcontrols') WITH ORDINALITY t(e, o)
              LEFT JOIN schema_subcontrol_overrides ov
                ON ov.schema_id = p.schema_id AND ov.version = p.schema_version
               AND ov.subcontrol_id = t.e ->> 'id') y
         WHERE jsonb_array_length(x -> 'controls') > 0))::json;
END
$$;
