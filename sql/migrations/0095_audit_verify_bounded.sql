-- VerifyAuditLog with bounds: the chain's hashing runs in PostgreSQL (the daemon's loop only
-- waits on the socket), but one call must not hold a pool connection for as long as the
-- chain is long. The daemon passes its limits (audit_verify_max_rows, audit_verify_timeout_ms);
-- over either, the function stops with SQLSTATE 54000 (program_limit_exceeded) and a
-- message naming the limit, which the daemon returns as RESOURCE_EXHAUSTED.
CREATE FUNCTION ims_audit_verify_bounded(p_max_rows bigint, p_max_ms int,
                                         OUT first_bad bigint, OUT total bigint)
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    r       record;
    prev    bytea := '\x'::bytea;
    want    bigint := 1;
    rows_   bigint;
    started timestamptz := clock_timestamp();
BEGIN
    SELECT count(*) INTO rows_ FROM audit_log WHERE tenant_id = ims_current_tenant();
    IF rows_ > p_max_rows THEN
        RAISE EXCEPTION USING ERRCODE = '54000',
            MESSAGE = format('audit chain: %s rows, over the limit audit_verify_max_rows (%s)',
                             rows_, p_max_rows);
    END IF;
    first_bad := 0;
    total := 0;
    FOR r IN SELECT * FROM audit_log WHERE tenant_id = ims_current_tenant() ORDER BY seq LOOP
        total := total + 1;
        IF first_bad = 0 AND (r.seq <> want OR r.prev_hash <> prev OR r.hash <>
                ims_audit_hash(prev, r.tenant_id, r.seq, r.at, r.token_id, r.role, r.method,
                               r.object_id)) THEN
            first_bad := r.seq;
        END IF;
        prev := r.hash;
        want := r.seq + 1;
        IF total % 1000 = 0 AND clock_timestamp() - started > p_max_ms * interval '1 ms' THEN
            RAISE EXCEPTION USING ERRCODE = '54000',
                MESSAGE = format('audit chain: verification stopped after %s of %s rows, over '
                                 'the limit audit_verify_timeout_ms (%s ms)', total, rows_,
                                 p_max_ms);
        END IF;
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION ims_audit_verify_bounded(bigint, int) TO ims_app;
