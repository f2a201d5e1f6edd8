-- Real-time latency (bench/README.md "Real-time latency"). ims_audit_append (0001, the
-- latest definition) read the chain's head in one statement and inserted the new row in a
-- second one. The head is now read inside the INSERT: one statement, one executor start
-- and end less per audit row. The advisory lock on the tenant's chain is still taken first,
-- by its own statement: each statement of a volatile PL/pgSQL function takes a new snapshot,
-- so the INSERT sees every row committed by the holder of the lock before it, and the chain
-- never forks, also with several daemons on one database. Same rows, same hashes, same
-- ims_audit_verify.
CREATE OR REPLACE FUNCTION ims_audit_append(p_token uuid, p_role text, p_method text, p_object text)
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
      FROM ((SELECT l.seq, l.hash FROM audit_log l WHERE l.tenant_id = t
              ORDER BY l.seq DESC LIMIT 1)
            UNION ALL SELECT 0, '\x'::bytea
            ORDER BY 1 DESC LIMIT 1) AS h
    RETURNING seq INTO n;
    RETURN n;
END
$$;
