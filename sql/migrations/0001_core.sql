-- Core: roles, the tenant registry, tokens, the audit trail, idempotency and level history.
--
-- Roles: ims_owner owns every object and never logs in; ims_app is what imsd connects as:
-- it owns nothing, has no BYPASSRLS, and sees a tenant's rows only while the transaction
-- has set ims.tenant_id (SET LOCAL) to that tenant.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_owner') THEN
        CREATE ROLE ims_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_app') THEN
        CREATE ROLE ims_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
END
$$;
GRANT CREATE, USAGE ON SCHEMA public TO ims_owner;
GRANT USAGE ON SCHEMA public TO ims_app;
SET LOCAL ROLE ims_owner;

-- The tenant the current transaction works for, or NULL when none was set.
CREATE FUNCTION ims_current_tenant() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('ims.tenant_id', true), '')::uuid $$;

-- 'on' only in the transactions an operator runs across tenants (create, list).
CREATE FUNCTION ims_all_tenants() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(current_setting('ims.all_tenants', true), '') = 'on' $$;

GRANT EXECUTE ON FUNCTION ims_current_tenant(), ims_all_tenants() TO ims_app;

CREATE TABLE tenants (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    display_name    text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    sector          text NOT NULL,
    size_band       text NOT NULL CHECK (size_band IN ('micro', 'small', 'medium')),
    schema_id       text NOT NULL,
    schema_version  int NOT NULL,
    revision        bigint NOT NULL DEFAULT 0,
    security_level  double precision,
    maturity        int,
    created_at      timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = ims_current_tenant() OR ims_all_tenants())
    WITH CHECK (id = ims_current_tenant() OR ims_all_tenants());
GRANT SELECT, INSERT, UPDATE ON tenants TO ims_app;

-- Access tokens. Only the SHA-256 of the secret is stored. Tokens are global: an operator's
-- or a consultant's token spans tenants; token_tenants holds the scope.
CREATE TABLE tokens (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    secret_hash   bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    role          text NOT NULL CHECK (role IN ('operator', 'consultant', 'auditor',
                                                'tenant_admin', 'agent', 'viewer')),
    label         text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    uuid,
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE TABLE token_tenants (
    token_id   uuid NOT NULL REFERENCES tokens (id),
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    PRIMARY KEY (token_id, tenant_id)
);
CREATE INDEX token_tenants_tenant ON token_tenants (tenant_id);
GRANT SELECT, INSERT, UPDATE ON tokens, token_tenants TO ims_app;

-- Append-only audit trail: each row's hash chains to the previous row of its tenant.
-- Changes that concern no tenant (an operator token) use the nil UUID as tenant.
CREATE TABLE audit_log (
    tenant_id   uuid NOT NULL,
    seq         bigint NOT NULL,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    token_id    uuid,
    role        text NOT NULL,
    method      text NOT NULL,
    object_id   text NOT NULL DEFAULT '',
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = ims_current_tenant())
    WITH CHECK (tenant_id = ims_current_tenant());
GRANT SELECT, INSERT ON audit_log TO ims_app;

-- The text a row's hash covers; verification recomputes it the same way.
CREATE FUNCTION ims_audit_hash(p_prev bytea, p_tenant uuid, p_seq bigint, p_at timestamptz,
                               p_token uuid, p_role text, p_method text, p_object text)
    RETURNS bytea LANGUAGE sql IMMUTABLE
    AS $$
    SELECT sha256(p_prev || convert_to(concat_ws('|', p_tenant::text, p_seq::text,
        to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(p_token::text, ''), p_role, p_method, p_object), 'UTF8'))
    $$;

-- Appends one row for the tenant set in ims.tenant_id. Serialized per tenant by an
-- advisory transaction lock so the chain never forks.
CREATE FUNCTION ims_audit_append(p_token uuid, p_role text, p_method text, p_object text)
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

-- Checks the chain of the current tenant: returns the first bad seq, or 0, and the count.
CREATE FUNCTION ims_audit_verify(OUT first_bad bigint, OUT total bigint)
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    r     record;
    prev  bytea := '\x'::bytea;
    want  bigint := 1;
BEGIN
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
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION ims_audit_hash(bytea, uuid, bigint, timestamptz, uuid, text, text, text),
    ims_audit_append(uuid, text, text, text), ims_audit_verify() TO ims_app;

-- Idempotent writes: the first result of a request, kept by (tenant, key).
CREATE TABLE idempotency_keys (
    tenant_id     uuid NOT NULL,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    method        text NOT NULL,
    request_hash  bytea NOT NULL,
    response      bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (tenant_id = ims_current_tenant())
    WITH CHECK (tenant_id = ims_current_tenant());
GRANT SELECT, INSERT ON idempotency_keys TO ims_app;
