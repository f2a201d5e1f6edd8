-- The two functions as they were before migrations 0210 and 0211 (0001's
-- ims_audit_append, 0051's ims_commit_level), under other names, so that the "before"
-- scripts measure them whatever the cluster was migrated to.
CREATE OR REPLACE FUNCTION ims_audit_append_old(p_token uuid, p_role text, p_method text, p_object text)
    RETURNS bigint LANGUAGE plpgsql
    AS $$
DECLARE
    t     uuid := coalesce(ims_current_tenant(), '00000000-0000-0000-0000-000000000000');
    prev  bytea;
    n     bigint;
    now_  timestamptz := date_trunc('microseconds', clock_timestamp());
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(t::text, 7));
    SELECT seq, hash INTO n, prev FROM audit_log WHERE tenant_id = t ORDER BY seq DESC LIMIT 1;
    IF NOT FOUND THEN
        n := 0;
        prev := '\x'::bytea;
    END IF;
    n := n + 1;
    INSERT INTO audit_log (tenant_id, seq, at, token_id, role, method, object_id, prev_hash, hash)
    VALUES (t, n, now_, p_token, p_role, p_method, p_object, prev,
            ims_audit_hash(prev, t, n, now_, p_token, p_role, p_method, p_object));
    RETURN n;
END
$$;
GRANT EXECUTE ON FUNCTION ims_audit_append_old(uuid, text, text, text) TO ims_app;

CREATE OR REPLACE FUNCTION ims_commit_level_old(p_tenant uuid, p_expected bigint, p_level double precision,
                                 p_maturity int, p_cause text)
    RETURNS TABLE (revision bigint, at text) LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
DECLARE
    r  bigint;
    t  timestamptz := now();
BEGIN
    UPDATE tenants SET revision = tenants.revision + 1, security_level = p_level,
                       maturity = p_maturity
     WHERE id = p_tenant AND tenants.revision = p_expected
    RETURNING tenants.revision INTO r;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant % changed underneath (expected revision %)', p_tenant, p_expected
            USING ERRCODE = '40001';
    END IF;
    INSERT INTO level_history (tenant_id, revision, at, security_level, maturity, cause)
    VALUES (p_tenant, r, t, p_level, p_maturity, p_cause);
    -- Other daemons forward this to their watchers in commit order, then reload lazily.
    PERFORM pg_notify('ims_tenant', concat_ws(':', p_tenant::text, r::text, p_level::text,
                                              p_maturity::text, extract(epoch FROM t)::bigint::text,
                                              p_cause));
    revision := r;
    at := to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    RETURN NEXT;
END
$$;
GRANT EXECUTE ON FUNCTION ims_commit_level_old(uuid, bigint, double precision, int, text) TO ims_app;
