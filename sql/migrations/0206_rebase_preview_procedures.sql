-- PreviewRebase lists what a rebase does to procedures too (the procedures came into
-- schema versions with 0156, after the preview's changes were written in 0147): each
-- procedure field and phase the versions differ in ('procedure', 'phase': 'old -> new',
-- a whole phase 'absent -> present' or the reverse), and each open instance of the tenant's
-- version, which moves to the new version or stays where it runs (its phase is not there).

ALTER FUNCTION ims_rebase_changes(uuid, int) RENAME TO ims_rebase_changes_0147;

CREATE FUNCTION ims_rebase_changes(p_tenant uuid, p_version int)
RETURNS TABLE (kind text, id text, change text)
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    tp tenant_params%ROWTYPE;
    s  schemas%ROWTYPE;
BEGIN
    RETURN QUERY SELECT * FROM ims_rebase_changes_0147(p_tenant, p_version);
    s := ims_rebase_target(p_tenant, p_version);
    SELECT * INTO tp FROM tenant_params WHERE tenant_id = p_tenant;
    RETURN QUERY
    SELECT CASE d.kind WHEN 'procedures' THEN 'procedure' ELSE 'phase' END,
           replace(d.key, ' ', '.') || CASE WHEN d.field = '' THEN '' ELSE '.' || d.field END,
           d.old || ' -> ' || d.new
      FROM ims_schema_diff(tp.schema_id, tp.schema_version, s.schema_id, s.version) d
     WHERE d.kind IN ('procedures', 'phases');
    RETURN QUERY
    SELECT 'procedure_instance', i.instance_id,
           CASE WHEN EXISTS (SELECT 1 FROM schema_procedure_phases ph
                              WHERE ph.schema_id = s.schema_id AND ph.version = s.version
                                AND ph.procedure_id = i.procedure_id AND ph.phase_id = i.phase_id)
                THEN format('moves to version %s', s.version)
                ELSE format('stays on version %s: version %s has no phase "%s" of "%s"',
                            i.schema_version, s.version, i.phase_id, i.procedure_id) END
      FROM procedure_instances i
     WHERE i.tenant_id = p_tenant AND i.status = 'open'
       AND i.schema_id = tp.schema_id AND i.schema_version = tp.schema_version
       AND s.version <> tp.schema_version;
END
$$;

REVOKE EXECUTE ON FUNCTION ims_rebase_changes(uuid, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_rebase_changes(uuid, int) TO ims_app;
