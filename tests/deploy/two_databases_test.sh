#!/usr/bin/env bash
# Several ims databases on one cluster: each migrates whatever the cluster already holds
# (the test cluster of tests/run.sh holds the migrated "ims" with ims_owner and ims_app),
# each gets its own owner and runtime role, derived from its name or given, and the
# runtime role of one installation cannot connect to another's database.
. "$(dirname "$0")/lib.sh"

imsd=$IMS_TEST_BUILD/server/imsd
imsctl=$IMS_TEST_BUILD/client/cli/imsctl
host=$IMS_TEST_PG_HOST_DSN
# The runtime DSNs use the same socket and port as the admin one.
runtime() { echo "${host% user=*} dbname=$1 user=$2"; }
admin() { echo "$host dbname=$1"; }

for db in acme ims-beta gamma; do
    psql -X -q -d "$(admin postgres)" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null
    psql -X -q -d "$(admin postgres)" -c "CREATE DATABASE \"$db\"" >/dev/null
done
# A role left by an earlier run of this test would not be fresh: start without them.
for r in acme_owner acme_app ims_beta_owner ims_beta_app gamma_runtime; do
    psql -X -q -d "$(admin postgres)" -c "DROP ROLE IF EXISTS $r" >/dev/null
done

check "acme migrates on a cluster that already holds ims (roles derived: acme_owner, acme_app)" \
    "$imsd" migrate --db "$(admin acme)"
check "ims-beta migrates too (roles derived from the name: ims_beta_owner, ims_beta_app)" \
    "$imsd" migrate --db "$(admin ims-beta)"
check "gamma migrates with the given names: the cluster-wide ims_owner, and gamma_runtime" \
    "$imsd" migrate --db "$(admin gamma)" --db-owner-role ims_owner --db-app-role gamma_runtime
check "running migrate again applies nothing" \
    bash -c "'$imsd' migrate --db '$(admin acme)' 2>&1 | grep -q '0 applied'"

check "acme's objects belong to acme_owner" sql_is "t" "$(admin acme)" \
    "SELECT bool_and(relowner = 'acme_owner'::regrole) FROM pg_class WHERE relname IN ('tenants', 'tokens', 'audit_log')"
check "gamma's objects belong to ims_owner" sql_is "t" "$(admin gamma)" \
    "SELECT relowner = 'ims_owner'::regrole FROM pg_class WHERE relname = 'tenants'"
check "acme_app logs in, is no superuser, has no BYPASSRLS and owns nothing in acme" sql_is "t|f|f|t" "$(admin acme)" \
    "SELECT rolcanlogin, rolsuper, rolbypassrls, NOT EXISTS (SELECT FROM pg_class WHERE relowner = 'acme_app'::regrole) FROM pg_roles WHERE rolname = 'acme_app'"
check "acme_app reads its own database" sql_is "0" "$(runtime acme acme_app)" "SELECT count(*) FROM tenants"
check "ims_beta_app reads its own database" sql_is "0" "$(runtime ims-beta ims_beta_app)" "SELECT count(*) FROM tenants"
check "gamma_runtime reads its own database" sql_is "0" "$(runtime gamma gamma_runtime)" "SELECT count(*) FROM tenants"
check_fails "acme_app cannot connect to ims-beta" psql -X -d "$(runtime ims-beta acme_app)" -c "SELECT 1"
check_fails "acme_app cannot connect to ims" psql -X -d "$(runtime ims acme_app)" -c "SELECT 1"
check_fails "ims_app cannot connect to acme" psql -X -d "$(runtime acme ims_app)" -c "SELECT 1"
check_fails "ims_beta_app cannot connect to gamma" psql -X -d "$(runtime gamma ims_beta_app)" -c "SELECT 1"
check_fails "gamma_runtime cannot connect to acme" psql -X -d "$(runtime acme gamma_runtime)" -c "SELECT 1"
check_fails "a role name that is no plain identifier is refused" \
    "$imsd" migrate --db "$(admin acme)" --db-app-role 'x; DROP TABLE tenants'

# Two daemons, one per database, each as its own runtime role.
token_a=$("$imsd" token create --db "$(admin acme)" --role operator --label two-db 2>/dev/null)
token_b=$("$imsd" token create --db "$(admin ims-beta)" --role operator --label two-db 2>/dev/null)
if start_imsd acme "$imsd" --db "$(runtime acme acme_app)"; then port_a=$PORT; else port_a=0; fi
if start_imsd beta "$imsd" --db "$(runtime ims-beta ims_beta_app)"; then port_b=$PORT; else port_b=0; fi
check "a tenant is created through the acme daemon" env IMS_SERVER=127.0.0.1:$port_a IMS_TOKEN="$token_a" \
    "$imsctl" tenant create --slug only-in-acme --name "Acme" --sector it-services --size small
check "the ims-beta daemon serves its own database" env IMS_SERVER=127.0.0.1:$port_b IMS_TOKEN="$token_b" \
    "$imsctl" tenant list
check "the tenant is in acme and in no other database" bash -c \
    "[ \"\$(psql -X -At -d '$(admin acme)' -c \"SELECT count(*) FROM tenants WHERE slug = 'only-in-acme'\")\" = 1 ] &&
     [ \"\$(psql -X -At -d '$(admin ims-beta)' -c \"SELECT count(*) FROM tenants WHERE slug = 'only-in-acme'\")\" = 0 ]"
check_fails "the acme token is refused by the ims-beta daemon" env IMS_SERVER=127.0.0.1:$port_b IMS_TOKEN="$token_a" \
    "$imsctl" tenant list

test_cleanup
trap - EXIT
for db in acme ims-beta gamma; do
    psql -X -q -d "$(admin postgres)" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null
done
for r in acme_owner acme_app ims_beta_owner ims_beta_app gamma_runtime; do
    psql -X -q -d "$(admin postgres)" -c "DROP ROLE IF EXISTS $r" >/dev/null
done
finish
