-- The audit append with the chain's head read inside its INSERT (what migration 0210 made of
-- ims_audit_append), under another name.
CREATE OR REPLACE FUNCTION ims_audit_append2(p_token uuid, p_role text, p_method text, p_object text)
    RETURNS bigint LANGUAGE plpgsql
    AS $$
DECLARE
    t     uuid := coalesce(ims_current_tenant(), '00000000-0000-0000-0000-000000000000');
    n     bigint;
    now_  timestamptz := date_trunc('microseconds', clock_timestamp());
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(t::text, 7));
    INSERT INTO audit_log (tenant_id, seq, at, token_id, role, method, object_id, prev_hash, hash)
    SELECT t, h.seq + 1, now_, p_token, p_role, p_method, p_object, h.hash,
           ims_audit_hash(h.hash, t, h.seq + 1, now_, p_token, p_role, p_method, p_object)
      FROM ((SELECT l.seq, l.hash FROM audit_log l WHERE l.tenant_id = t ORDER BY l.seq DESC LIMIT 1)
            UNION ALL SELECT 0, '\x'::bytea ORDER BY 1 DESC LIMIT 1) h
    RETURNING seq INTO n;
    RETURN n;
END
$$;
GRANT EXECUTE ON FUNCTION ims_audit_append2(uuid, text, text, text) TO ims_app;
