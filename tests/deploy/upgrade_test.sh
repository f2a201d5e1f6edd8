#!/usr/bin/env bash
# An installation upgraded, not made afresh: a database migrated with the migrations of an
# older release (those up to 0095) holds a tenant with a finding and its corrective action;
# `imsd migrate` with today's files then brings it up to date in a second run, as the owner
# role (subject to the tables' row-level security), and nothing the tenant held is lost:
# the corrective action is in `actions`, the computed metrics of 0101 reached the tenant,
# and a daemon serves it.
. "$(dirname "$0")/lib.sh"

imsd=$IMS_TEST_BUILD/server/imsd
imsctl=$IMS_TEST_BUILD/client/cli/imsctl
host=$IMS_TEST_PG_HOST_DSN
runtime() { echo "${host% user=*} dbname=$1 user=$2"; }
admin() { echo "$host dbname=$1"; }
db=ims-upgrade
T=cccccccc-0000-4000-8000-00000000000c

psql -X -q -d "$(admin postgres)" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null
psql -X -q -d "$(admin postgres)" -c "CREATE DATABASE \"$db\"" >/dev/null
for r in ims_upgrade_owner ims_upgrade_app; do
    psql -X -q -d "$(admin postgres)" -c "DROP ROLE IF EXISTS $r" >/dev/null
done

# The older release: its migrations and catalog files, those numbered up to 0095.
old=$test_work/sql-old
mkdir -p "$old/migrations" "$old/catalog"
for f in "$IMS_TEST_TOP"/sql/migrations/*.sql "$IMS_TEST_TOP"/sql/catalog/*.sql; do
    n=$(basename "$f")
    [ "${n%%_*}" -le 95 ] 2>/dev/null && cp "$f" "$old/$(basename "$(dirname "$f")")/$n"
done
check "the older release migrates" "$imsd" migrate --db "$(admin "$db")" --sql-dir "$old"
check "a tenant with a finding and a corrective action is stored" psql -X -q -v ON_ERROR_STOP=1 \
    -d "$(admin "$db")" -c "
BEGIN;
SELECT set_config('ims.all_tenants', 'on', true);
SELECT set_config('ims.tenant_id', '$T', true);
SELECT count(*) FROM ims_create_tenant('$T', 'upgraded', 'Upgraded Ltd', 'it-services', 'small', NULL, NULL);
INSERT INTO findings (tenant_id, finding_id, type, status) VALUES ('$T', 'F-1', 'minor_nc', 'open');
INSERT INTO corrective_actions (tenant_id, action_id, finding_id, description, owner, due, status)
    VALUES ('$T', 'CA-1', 'F-1', 'patch the servers', 'IT', now() + interval '30 days', 'open');
COMMIT;"

check "today's release migrates the same database" "$imsd" migrate --db "$(admin "$db")"
check "the corrective action is in actions, as corrective and of its finding" sql_is \
    "CA-1|corrective|finding|F-1|patch the servers|open" "$(admin "$db")" \
    "SELECT action_id, kind, source_kind, source_id, description, status FROM actions WHERE tenant_id = '$T'"
check "the tenant has the computed metrics 0101 brought" sql_is "4" "$(admin "$db")" \
    "SELECT count(*) FROM tenant_metrics WHERE tenant_id = '$T' AND metric_id IN
       ('overdue_actions', 'months_since_management_review', 'audit_programme_on_time_pct',
        'nonconformity_closure_days')"
check "running migrate again applies nothing" \
    bash -c "'$imsd' migrate --db '$(admin "$db")' 2>&1 | grep -q '0 applied'"

token=$("$imsd" token create --db "$(admin "$db")" --role operator --label upgrade 2>/dev/null)
if start_imsd upgraded "$imsd" --db "$(runtime "$db" ims_upgrade_app)"; then port=$PORT; else port=0; fi
check "the daemon serves the upgraded tenant's level" env IMS_SERVER=127.0.0.1:$port \
    IMS_TOKEN="$token" "$imsctl" level show upgraded
check "and its action" bash -c "IMS_SERVER=127.0.0.1:$port IMS_TOKEN='$token' \
    '$imsctl' action list upgraded | grep -q CA-1"

test_cleanup
trap - EXIT
psql -X -q -d "$(admin postgres)" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null
for r in ims_upgrade_owner ims_upgrade_app; do
    psql -X -q -d "$(admin postgres)" -c "DROP ROLE IF EXISTS $r" >/dev/null
done
finish
