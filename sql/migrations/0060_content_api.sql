-- Functions behind the Assessments, Risk and Continuity services. They run as ims_app in
-- a transaction that has set ims.tenant_id; errors carry SQLSTATE 22023 with a message
-- that starts with the request field they concern (the daemon answers INVALID_ARGUMENT).

-- Stores one answer (NULL: unanswered) and appends it to the history. p_by is the token
-- id; the history keeps "label (id)" so a reader sees who answered without a join.
CREATE FUNCTION ims_set_answer(p_subcontrol text, p_answer text, p_token uuid, p_note text,
                               p_evidence text)
    RETURNS void LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    who text;
BEGIN
    SELECT CASE WHEN t.label = '' THEN t.id::text ELSE t.label || ' (' || t.id || ')' END
      INTO who FROM tokens t WHERE t.id = p_token;
    who := coalesce(who, 'imsd');
    UPDATE tenant_subcontrols
       SET answer = p_answer,
           answered_by = CASE WHEN p_answer IS NULL THEN NULL ELSE who END,
           answered_at = CASE WHEN p_answer IS NULL THEN NULL ELSE now() END,
           note = nullif(p_note, ''), evidence = nullif(p_evidence, '')
     WHERE tenant_id = ims_current_tenant() AND subcontrol_id = p_subcontrol;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'subcontrol: unknown sub-control "%"', p_subcontrol USING ERRCODE = '22023';
    END IF;
    INSERT INTO assessment_history (tenant_id, subcontrol_id, answer, answered_by, note, evidence)
    VALUES (ims_current_tenant(), p_subcontrol, p_answer, who, nullif(p_note, ''),
            nullif(p_evidence, ''));
END
$$;

-- Assessment progress: applicable sub-controls (SECURITY-LEVEL.md section 1: flag set, not
-- answered na, held by an applicable control) and how many are answered, overall, per
-- framework (a shared sub-control counts in each framework holding it) and per level.
CREATE FUNCTION ims_progress()
    RETURNS TABLE (kind text, key text, assessed int, applicable int)
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
WITH base AS (
    SELECT ts.subcontrol_id, ts.answer, s.level
      FROM tenant_subcontrols ts JOIN subcontrols s ON s.id = ts.subcontrol_id
     WHERE ts.tenant_id = ims_current_tenant() AND ts.applicable
       AND ts.answer IS DISTINCT FROM 'na'
), ctl AS (
    SELECT tc.control_id, c.framework_id
      FROM tenant_controls tc JOIN controls c ON c.id = tc.control_id
      JOIN tenant_params p ON p.tenant_id = tc.tenant_id
     WHERE tc.tenant_id = ims_current_tenant() AND tc.applicable
       AND c.framework_id = ANY (p.frameworks)
       AND EXISTS (SELECT 1 FROM subcontrol_controls sc JOIN base b ON b.subcontrol_id = sc.subcontrol_id
                    WHERE sc.control_id = tc.control_id)
), held AS (
    SELECT DISTINCT b.subcontrol_id, b.answer, b.level, ctl.framework_id
      FROM base b JOIN subcontrol_controls sc ON sc.subcontrol_id = b.subcontrol_id
      JOIN ctl ON ctl.control_id = sc.control_id
)
SELECT 'overall', '', (count(DISTINCT subcontrol_id) FILTER (WHERE answer IS NOT NULL))::int,
       (count(DISTINCT subcontrol_id))::int FROM held
UNION ALL
SELECT * FROM (SELECT 'framework', framework_id, (count(*) FILTER (WHERE answer IS NOT NULL))::int,
                      count(*)::int FROM held GROUP BY framework_id ORDER BY framework_id) f
UNION ALL
SELECT * FROM (SELECT 'level', level::text,
                      (count(DISTINCT subcontrol_id) FILTER (WHERE answer IS NOT NULL))::int,
                      (count(DISTINCT subcontrol_id))::int FROM held GROUP BY level ORDER BY level) l
$$;

-- The Statement of Applicability: every control of the tenant's frameworks in standard
-- order, paged by sort_key (framework / order in the standard).
CREATE FUNCTION ims_soa(p_framework text, p_after text, p_limit int)
    RETURNS TABLE (control_id text, framework_id text, title text, applicable boolean,
                   justification text, implementation_status text, threats text,
                   assessed int, subcontrols int, sort_key text)
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
SELECT tc.control_id, c.framework_id, c.title, tc.applicable, coalesce(tc.justification, ''),
       tc.implementation_status,
       coalesce((SELECT string_agg(m.threat_id, ' ' ORDER BY m.threat_id)
                   FROM tenant_mitigations m
                  WHERE m.tenant_id = tc.tenant_id AND m.control_id = tc.control_id), ''),
       (SELECT count(*) FROM subcontrol_controls sc JOIN tenant_subcontrols ts
                 ON ts.tenant_id = tc.tenant_id AND ts.subcontrol_id = sc.subcontrol_id
         WHERE sc.control_id = tc.control_id AND ts.applicable
           AND ts.answer IS NOT NULL AND ts.answer <> 'na')::int,
       (SELECT count(*) FROM subcontrol_controls sc JOIN tenant_subcontrols ts
                 ON ts.tenant_id = tc.tenant_id AND ts.subcontrol_id = sc.subcontrol_id
         WHERE sc.control_id = tc.control_id AND ts.applicable
           AND ts.answer IS DISTINCT FROM 'na')::int,
       c.framework_id || '/' || lpad(c.sort_order::text, 8, '0')
  FROM tenant_controls tc JOIN controls c ON c.id = tc.control_id
  JOIN tenant_params p ON p.tenant_id = tc.tenant_id
 WHERE tc.tenant_id = ims_current_tenant() AND c.framework_id = ANY (p.frameworks)
   AND (p_framework IS NULL OR c.framework_id = p_framework)
   AND c.framework_id || '/' || lpad(c.sort_order::text, 8, '0') > coalesce(p_after, '')
 ORDER BY 10
 LIMIT p_limit
$$;

-- Applicability of one control (p_kind 'control') or sub-control ('subcontrol').
CREATE FUNCTION ims_set_applicability(p_kind text, p_id text, p_applicable boolean,
                                      p_justification text, p_status text)
    RETURNS void LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF NOT p_applicable AND length(btrim(coalesce(p_justification, ''))) = 0 THEN
        RAISE EXCEPTION 'justification: required when excluding' USING ERRCODE = '22023';
    END IF;
    IF p_kind = 'control' THEN
        UPDATE tenant_controls
           SET applicable = p_applicable, justification = nullif(p_justification, ''),
               implementation_status = coalesce(nullif(p_status, ''), implementation_status),
               updated_at = now()
         WHERE tenant_id = ims_current_tenant() AND control_id = p_id;
    ELSE
        UPDATE tenant_subcontrols
           SET applicable = p_applicable, justification = nullif(p_justification, '')
         WHERE tenant_id = ims_current_tenant() AND subcontrol_id = p_id;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION '%: unknown % "%"', p_kind, p_kind, p_id USING ERRCODE = '22023';
    END IF;
END
$$;

REVOKE EXECUTE ON FUNCTION ims_set_answer(text, text, uuid, text, text), ims_progress(),
    ims_soa(text, text, int), ims_set_applicability(text, text, boolean, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims_set_answer(text, text, uuid, text, text), ims_progress(),
    ims_soa(text, text, int), ims_set_applicability(text, text, boolean, text, text) TO ims_app;
