-- The write's common tail as one call: the batch's audit rows, idempotency rows, the revision
-- bump with its check (40001), the history row and the NOTIFY. Measured, not kept.
CREATE OR REPLACE FUNCTION ims_commit_write(p_tenant uuid, p_expected bigint, p_level double precision,
    p_maturity int, p_cause text,
    p_audit_token uuid[], p_audit_role text[], p_audit_method text[], p_audit_object text[],
    p_idem_key text[], p_idem_method text[], p_idem_hash text[], p_idem_response text[])
    RETURNS TABLE (revision bigint, at text) LANGUAGE plpgsql
    AS $$
DECLARE
    r     bigint;
    t     timestamptz := now();
    a     uuid;
    prev  bytea;
    h     bytea;
    n     bigint;
    ts    timestamptz;
BEGIN
    IF cardinality(p_audit_role) > 0 THEN
        a := coalesce(public.ims_current_tenant(), '00000000-0000-0000-0000-000000000000');
        PERFORM pg_advisory_xact_lock(hashtextextended(a::text, 7));
        SELECT l.seq, l.hash INTO n, prev FROM public.audit_log l WHERE l.tenant_id = a
         ORDER BY l.seq DESC LIMIT 1;
        IF NOT FOUND THEN
            n := 0;
            prev := '\x'::bytea;
        END IF;
        FOR i IN 1 .. cardinality(p_audit_role) LOOP
            n := n + 1;
            ts := date_trunc('microseconds', clock_timestamp());
            h := public.ims_audit_hash(prev, a, n, ts, p_audit_token[i], p_audit_role[i],
                                       p_audit_method[i], p_audit_object[i]);
            INSERT INTO public.audit_log (tenant_id, seq, at, token_id, role, method, object_id,
                                          prev_hash, hash)
            VALUES (a, n, ts, p_audit_token[i], p_audit_role[i], p_audit_method[i],
                    p_audit_object[i], prev, h);
            prev := h;
        END LOOP;
    END IF;
    IF cardinality(p_idem_key) > 0 THEN
        INSERT INTO public.idempotency_keys (tenant_id, key, method, request_hash, response)
        SELECT p_tenant, k, m, decode(q, 'hex'), decode(s, 'hex')
          FROM unnest(p_idem_key, p_idem_method, p_idem_hash, p_idem_response) AS u(k, m, q, s);
    END IF;
    UPDATE public.tenants SET revision = tenants.revision + 1, security_level = p_level,
                              maturity = p_maturity
     WHERE id = p_tenant AND tenants.revision = p_expected
    RETURNING tenants.revision INTO r;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant % changed underneath (expected revision %)', p_tenant, p_expected
            USING ERRCODE = '40001';
    END IF;
    INSERT INTO public.level_history (tenant_id, revision, at, security_level, maturity, cause)
    VALUES (p_tenant, r, t, p_level, p_maturity, p_cause);
    PERFORM pg_notify('ims_tenant', concat_ws(':', p_tenant::text, r::text, p_level::text,
                                              p_maturity::text, extract(epoch FROM t)::bigint::text,
                                              p_cause));
    revision := r;
    at := to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    RETURN NEXT;
END
$$;
GRANT EXECUTE ON FUNCTION ims_commit_write(uuid, bigint, double precision, int, text, uuid[], text[], text[], text[], text[], text[], text[], text[]) TO ims_app;
