#!/bin/sh
# Row-level security as the runtime role sees it: the second wall between tenants.
#
# Usage: IMS_TEST_ADMIN_DSN='host=/tmp/pg dbname=ims user=postgres' tests/sql/rls_test.sh
# The DSN must be a superuser's (it seeds two tenants and then runs as ims_app with
# SET ROLE). Every check runs in its own transaction and rolls back, so the database is
# left unchanged. A "tenant table" is every table of the public schema with a tenant_id
# column, found in pg_class, so a table added later is checked without editing this file.
# Exits non-zero when a check fails; the last line is "N passed, M failed".

set -u

dsn=${IMS_TEST_ADMIN_DSN:-${IMS_TEST_DSN:-}}
if [ -z "$dsn" ]; then
    echo "IMS_TEST_ADMIN_DSN is not set" >&2
    exit 2
fi

passed=0
failed=0

A=aaaaaaaa-0000-4000-8000-00000000000a
B=bbbbbbbb-0000-4000-8000-00000000000b

# token_tenants holds the scope of tokens, which are global: the daemon reads it to
# authenticate a call, before any tenant is known. It is the one table with a tenant_id
# column that is not tenant content; every other check still applies to it.
not_content="'token_tenants'"

# Two tenants, and for A at least one row in every table a tenant fills as it works.
seed="
SELECT set_config('ims.all_tenants', 'on', true);
SELECT set_config('ims.tenant_id', '$B', true);
SELECT count(*) FROM ims_create_tenant('$B', 'rls-test-b', 'RLS B', 'retail', 'micro', NULL, NULL);
SELECT set_config('ims.tenant_id', '$A', true);
SELECT count(*) FROM ims_create_tenant('$A', 'rls-test-a', 'RLS A', 'retail', 'micro', NULL, NULL);
INSERT INTO incidents (tenant_id, incident_id, status, severity, detected_at)
    VALUES ('$A', 'INC-1', 'open', 3, now());
INSERT INTO findings (tenant_id, finding_id, type, status) VALUES ('$A', 'F-1', 'minor_nc', 'open');
INSERT INTO actions (tenant_id, action_id, kind, source_kind, source_id, description, owner, due, status)
    VALUES ('$A', 'CA-1', 'corrective', 'finding', 'F-1', 'fix', 'someone', now(), 'open');
INSERT INTO audits (tenant_id, audit_id, kind, title, planned_at, status)
    VALUES ('$A', 'AU-1', 'internal', 'Audit', now(), 'planned');
INSERT INTO awards (tenant_id, award_id, level, auditor, expires_at, revision, maturity, status)
    VALUES ('$A', 'AW-1', 1, 'auditor', now() + interval '1 year', 1, 1, 'active');
INSERT INTO reviews (tenant_id, review_id, chair, inputs) VALUES ('$A', 'MR-1', 'CEO', '{}');
INSERT INTO objectives (tenant_id, objective_id, title, owner, tier, target, due, metrics)
    VALUES ('$A', 'O-1', 'Objective', 'CEO', 'strategic', 0.8, now(), ARRAY['m']);
INSERT INTO metric_samples (tenant_id, metric_id, at, value) VALUES ('$A', 'm', now(), 1);
INSERT INTO level_history (tenant_id, revision, at, security_level, maturity, cause)
    VALUES ('$A', 1, now(), 0.5, 1, 'test');
INSERT INTO assets (tenant_id, asset_id, name, type) SELECT '$A', 'asset-1', 'Asset', min(id) FROM asset_types;
INSERT INTO processes (tenant_id, process_id, name, criticality, mtpd_min, rto_min, rpo_min)
    VALUES ('$A', 'proc-1', 'Process', 3, 240, 60, 30);
INSERT INTO exercises (tenant_id, process_id, at, recovery_min) VALUES ('$A', 'proc-1', now(), 30);
INSERT INTO risk_treatments (tenant_id, asset_id, threat_id, option, owner)
    SELECT '$A', 'asset-1', min(threat_id), 'mitigate', 'IT' FROM tenant_threats WHERE tenant_id = '$A';
INSERT INTO assessment_history (tenant_id, subcontrol_id, answer)
    SELECT tenant_id, subcontrol_id, 'yes' FROM tenant_subcontrols WHERE tenant_id = '$A' LIMIT 1;
INSERT INTO metric_series_maps (tenant_id, map_id, metric_id, matchers)
    SELECT '$A', '$A', min(metric_id), ARRAY['job="x"'] FROM tenant_metrics WHERE tenant_id = '$A';
INSERT INTO idempotency_keys (tenant_id, key, method, request_hash, response)
    VALUES ('$A', 'k', 'm', '\\x00', '\\x00');
INSERT INTO tenant_tuning (tenant_id, name, value) VALUES ('$A', 'beta', 0.5);
INSERT INTO tenant_completion_target (tenant_id, target) VALUES ('$A', 4);
INSERT INTO tenant_completion (tenant_id, activity_id, level) VALUES ('$A', 'CA.01', 1);
SELECT ims_audit_append(NULL, 'operator', 'rls-test', 'x');
INSERT INTO tokens (id, secret_hash, role) VALUES ('$A', sha256('rls-test'), 'viewer');
INSERT INTO token_tenants (token_id, tenant_id) VALUES ('$A', '$A');
INSERT INTO people (tenant_id, person_id, name) VALUES ('$A', 'p-1', 'Person');
INSERT INTO person_profiles (tenant_id, person_id, profile_id) VALUES ('$A', 'p-1', 'security_officer');
INSERT INTO token_people (tenant_id, token_id, person_id) VALUES ('$A', '$A', 'p-1');
INSERT INTO culture_certificates (tenant_id, certificate_id, person_id, level, issued_at, expires_at)
    VALUES ('$A', 'C-1', 'p-1', 1, now(), now() + interval '1 year');
SELECT ims_procedure_start('PI-1', 'incident', '', 'p-1', 'INC-1', '');
SELECT ims_procedure_record('PI-1', 'ART.incident_log', 'LOG-1', '', 'p-1');
SELECT ims_document_create('ART.security_policy', '', '', '', 0, '', 'p-1');
SELECT set_config('ims.tenant_id', '', true);
SELECT set_config('ims.all_tenants', '', true);
"

# check NAME: reads SQL on stdin; passes when psql succeeds and every line it prints is 't'.
check() {
    name=$1
    sql=$(cat)
    out=$(printf 'BEGIN;\n\\o /dev/null\n%s\n\\o\n%s\nROLLBACK;\n' "$seed" "$sql" |
          psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$dsn" 2>&1)
    rc=$?
    bad=$(printf '%s\n' "$out" | grep -cvx 't')
    if [ $rc -eq 0 ] && [ -n "$out" ] && [ "$bad" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        printf '%s\n' "$out" | sed 's/^/     /' | tail -n 8
    fi
}

tables=$(psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$dsn" -c "
SELECT c.relname FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
 ORDER BY 1")
if [ -z "$tables" ]; then
    echo "FAIL no tenant tables found (is the database migrated?)"
    echo "0 passed, 1 failed"
    exit 1
fi

check "the runtime role ims_app logs in, is no superuser, has no BYPASSRLS and owns nothing" <<'SQL'
SELECT rolcanlogin AND NOT rolsuper AND NOT rolbypassrls AND NOT rolcreaterole AND NOT rolcreatedb
  FROM pg_roles WHERE rolname = 'ims_app';
SELECT NOT EXISTS (SELECT 1 FROM pg_class WHERE relowner = 'ims_app'::regrole);
SELECT NOT EXISTS (SELECT 1 FROM pg_proc WHERE proowner = 'ims_app'::regrole);
SELECT NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspowner = 'ims_app'::regrole);
SELECT NOT EXISTS (SELECT 1 FROM pg_auth_members WHERE member = 'ims_app'::regrole);
SQL

check "every tenant table has row-level security enabled and forced, with a policy" <<SQL
SELECT c.relname || ': rls=' || c.relrowsecurity || ' force=' || c.relforcerowsecurity
       || ' policies=' || (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname NOT IN ($not_content)
   AND NOT (c.relrowsecurity AND c.relforcerowsecurity
            AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid));
SELECT true;
SQL

check "partitions of tenant tables grant ims_app nothing (rows are reached through the parent)" <<'SQL'
SELECT c.relname FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
 WHERE c.relispartition
   AND (has_table_privilege('ims_app', c.oid, 'SELECT') OR has_table_privilege('ims_app', c.oid, 'INSERT')
        OR has_table_privilege('ims_app', c.oid, 'UPDATE') OR has_table_privilege('ims_app', c.oid, 'DELETE'));
SELECT true;
SQL

check "every foreign key between tenant tables includes tenant_id on both sides" <<'SQL'
SELECT con.conname || ' on ' || con.conrelid::regclass
  FROM pg_constraint con
 WHERE con.contype = 'f'
   AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = con.conrelid AND attname = 'tenant_id')
   AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = con.confrelid AND attname = 'tenant_id')
   AND NOT EXISTS (
       SELECT 1 FROM unnest(con.conkey, con.confkey) AS k(l, r)
         JOIN pg_attribute la ON la.attrelid = con.conrelid AND la.attnum = k.l
         JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.r
        WHERE la.attname = 'tenant_id' AND ra.attname = 'tenant_id');
SELECT true;
SQL

check "no SECURITY DEFINER function ims_app may run belongs to a role that bypasses RLS" <<'SQL'
SELECT p.oid::regprocedure::text || ' owned by ' || r.rolname
  FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
 WHERE p.prosecdef AND has_function_privilege('ims_app', p.oid, 'EXECUTE')
   AND (r.rolsuper OR r.rolbypassrls);
SELECT true;
SQL

for t in $tables; do
    # The seed must have given A a row here, or hiding it proves nothing.
    check "$t: the seed holds rows of tenant A" <<SQL
SELECT count(*) > 0 FROM $t WHERE tenant_id = '$A';
SQL
    [ "$t" = token_tenants ] && continue

    for setting in "wrong:$B" "missing:" "nil:00000000-0000-0000-0000-000000000000"; do
        label=${setting%%:*}
        value=${setting#*:}
        check "$t: as ims_app with a $label ims.tenant_id, A's rows are invisible and cannot be written" <<SQL
CREATE TEMP TABLE rls_copy ON COMMIT DROP AS SELECT * FROM $t WHERE tenant_id = '$A' LIMIT 1;
GRANT SELECT ON rls_copy TO ims_app;
SET LOCAL ROLE ims_app;
SELECT set_config('ims.tenant_id', '$value', true) = '$value';
SELECT count(*) = 0 FROM $t WHERE tenant_id = '$A';
SELECT count(*) = 0 FROM $t WHERE tenant_id IS DISTINCT FROM nullif('$value', '')::uuid;
DO \$\$
DECLARE n bigint;
BEGIN
    BEGIN
        EXECUTE 'UPDATE $t SET tenant_id = tenant_id WHERE tenant_id = ''$A''';
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n <> 0 THEN RAISE EXCEPTION 'UPDATE touched % rows of A', n; END IF;
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        EXECUTE 'DELETE FROM $t WHERE tenant_id = ''$A''';
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n <> 0 THEN RAISE EXCEPTION 'DELETE removed % rows of A', n; END IF;
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        EXECUTE 'INSERT INTO $t OVERRIDING SYSTEM VALUE SELECT * FROM rls_copy';
        RAISE EXCEPTION 'INSERT of a row of A was accepted';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
END
\$\$;
SELECT true;
RESET ROLE;
SELECT count(*) > 0 FROM $t WHERE tenant_id = '$A';
SQL
    done
done

check "as ims_app with tenant A set, A's own rows are visible (the policy is not simply closed)" <<SQL
SET LOCAL ROLE ims_app;
SELECT set_config('ims.tenant_id', '$A', true) = '$A';
SELECT count(*) = 1 FROM tenants;
SELECT count(*) = 1 FROM incidents WHERE tenant_id = '$A';
SELECT count(*) > 0 FROM tenant_subcontrols;
SELECT NOT EXISTS (SELECT 1 FROM tenant_subcontrols WHERE tenant_id <> '$A');
SQL

check "history tables are appended to, never changed: ims_app may not update or delete them" <<'SQL'
SELECT NOT has_table_privilege('ims_app', t, p)
  FROM unnest(ARRAY['procedure_steps', 'procedure_records', 'document_versions',
                    'document_history', 'audit_log', 'level_history', 'assessment_history']) t,
       unnest(ARRAY['UPDATE', 'DELETE']) p;
SELECT NOT has_table_privilege('ims_app', 'token_tenants', 'UPDATE');
SQL

check "the partition upkeep refuses a retention that would drop every tenant's samples" <<'SQL'
SET LOCAL ROLE ims_app;
DO $$
BEGIN
    PERFORM ims_sample_partitions(0, 3);
    RAISE EXCEPTION 'a retention of 0 days was taken';
EXCEPTION WHEN invalid_parameter_value THEN
    NULL;
END
$$;
SELECT true;
SQL

check "a slug with the form of a tenant id is refused" <<SQL
DO \$\$
BEGIN
    INSERT INTO tenants (slug, display_name, sector, size_band, schema_id, schema_version)
        VALUES ('$B', 'Copy', 'retail', 'micro', 'base', 1);
    RAISE EXCEPTION 'a UUID-shaped slug was taken';
EXCEPTION WHEN check_violation THEN
    NULL;
END
\$\$;
SELECT true;
SQL

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
