-- ISO/IEC 27001:2013 identifiers in answers and findings: each is translated through
-- control_predecessors (catalog release 2) into the 2022 controls that replace it and,
-- for a tenant, the applicable sub-controls of those controls it holds, so that an
-- assessment or an audit report keyed by 2013 ids is imported into the 2022 checklist.
-- Runs with ims.tenant_id set to the tenant.

CREATE FUNCTION ims_translate_controls(p_edition text, p_ids text[])
RETURNS TABLE (idx int, id text, controls text, subcontrols text)
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    i int;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM control_predecessors p WHERE p.edition = p_edition) THEN
        RAISE EXCEPTION 'edition: no mapping from edition "%" (2013 is known)', p_edition
            USING ERRCODE = '22023';
    END IF;
    FOR i IN 1 .. coalesce(cardinality(p_ids), 0) LOOP
        IF NOT EXISTS (SELECT 1 FROM control_predecessors p
                        WHERE p.edition = p_edition AND p.predecessor = p_ids[i]) THEN
            RAISE EXCEPTION 'ids[%]: "%" is not an identifier of the % edition the mapping knows',
                i - 1, p_ids[i], p_edition USING ERRCODE = '22023';
        END IF;
        idx := i - 1;
        id := p_ids[i];
        SELECT string_agg(p.control_id, ',' ORDER BY p.control_id) INTO controls
          FROM control_predecessors p WHERE p.edition = p_edition AND p.predecessor = p_ids[i];
        SELECT coalesce(string_agg(DISTINCT ts.subcontrol_id, ',' ORDER BY ts.subcontrol_id), '')
          INTO subcontrols
          FROM control_predecessors p
          JOIN subcontrol_controls sc ON sc.control_id = p.control_id
          JOIN tenant_subcontrols ts ON ts.subcontrol_id = sc.subcontrol_id
                                    AND ts.tenant_id = ims_current_tenant() AND ts.applicable
          JOIN tenant_controls tc ON tc.control_id = p.control_id
                                 AND tc.tenant_id = ims_current_tenant() AND tc.applicable
         WHERE p.edition = p_edition AND p.predecessor = p_ids[i];
        RETURN NEXT;
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION ims_translate_controls(text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_translate_controls(text, text[]) TO ims_app;
