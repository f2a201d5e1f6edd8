-- Findings keyed by ISO/IEC 27001:2013 control ids: the 2022 controls a finding names,
-- from the controls given and the 2013 ids given (through control_predecessors).

-- The given controls in their order, then the 2022 controls the 2013 ids map to that are
-- not among them (in id order), as one comma-separated list. An id the mapping lacks is
-- an error naming p_field[i].
CREATE FUNCTION ims_controls_with_2013(p_field text, p_controls text[], p_ids text[])
RETURNS text LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    i int;
    mapped text[];
BEGIN
    FOR i IN 1 .. coalesce(cardinality(p_ids), 0) LOOP
        IF NOT EXISTS (SELECT 1 FROM control_predecessors p
                        WHERE p.edition = '2013' AND p.predecessor = p_ids[i]) THEN
            RAISE EXCEPTION '%[%]: "%" is not an ISO/IEC 27001:2013 control the mapping knows',
                p_field, i - 1, p_ids[i] USING ERRCODE = '22023';
        END IF;
    END LOOP;
    SELECT coalesce(array_agg(DISTINCT p.control_id ORDER BY p.control_id), '{}') INTO mapped
      FROM control_predecessors p
     WHERE p.edition = '2013' AND p.predecessor = ANY (p_ids)
       AND p.control_id <> ALL (coalesce(p_controls, '{}'));
    RETURN array_to_string(coalesce(p_controls, '{}') || mapped, ',');
END
$$;
REVOKE EXECUTE ON FUNCTION ims_controls_with_2013(text, text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_controls_with_2013(text, text[], text[]) TO ims_app;
