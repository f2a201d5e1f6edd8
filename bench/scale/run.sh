#!/usr/bin/env bash
# Tenants at scale: N tenants generated in the database in one statement, one imsd whose
# tenant-state cache holds at most BUDGET_MB, then bench_scale: the first read of every
# tenant (its load), GetSecurityLevel over all tenants at random, and reads of tenants
# evicted meanwhile; imsd's RSS and the tenants it holds after each phase.
#
#   bench/scale/run.sh                  defaults below; override with the environment:
#   TENANTS=1000 BUDGET_MB=1024 CONNECTIONS=4 READ_SECONDS=10 EVICTED_READS=200
#
# Sets up and tears down everything itself (bench/ingest/stack.sh). Prints key=value lines.
set -euo pipefail
. "$(dirname "$0")/../ingest/stack.sh"

tenants=${TENANTS:-1000}
budget=${BUDGET_MB:-1024}
connections=${CONNECTIONS:-4}
read_seconds=${READ_SECONDS:-10}
evicted=${EVICTED_READS:-200}

if [ "${IMS_BENCH_NO_BUILD:-0}" != 1 ]; then
    cmake -S "$top" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j2 --target bench_scale >"$BUILD/bench-scale-build.log" 2>&1
fi
# shellcheck disable=SC2086
stack_start --tenant-cache-mb "$budget" --ops-listen 127.0.0.1:0 ${IMSD_ARGS:-}
stack_machine
ops=$(sed -n 's/^ops=//p' "$WORK/ready")
rss() { awk '/^VmRSS/ {print $2}' "/proc/$IMSD_PID/status"; }
loaded() {
    curl -s "http://127.0.0.1:$ops/metrics" | awk '$1 == "ims_tenants_loaded" {print $2}'
}
t0=$(date +%s.%N)
psql "$IMS_ADMIN_DSN" -qAt -v ON_ERROR_STOP=1 -c "DO \$\$
DECLARE id uuid;
BEGIN
    FOR g IN 1..$tenants LOOP
        id := gen_random_uuid();
        PERFORM set_config('ims.tenant_id', id::text, true);
        PERFORM ims_create_tenant(id, 'scale-' || g, 'Scale ' || g, 'it-services', 'small', '', 0);
    END LOOP;
END \$\$" >/dev/null
t1=$(date +%s.%N)
echo "generated tenants=$tenants seconds=$(echo "$t1 - $t0" | bc)"
# Statistics for the planner, as autovacuum would gather them in a while: without them the
# load statement's plans, made against tables last seen nearly empty, scan every tenant's rows.
psql "$IMS_ADMIN_DSN" -qAt -c "ANALYZE" >/dev/null
psql "$IMS_ADMIN_DSN" -At -c "SELECT id FROM tenants WHERE slug LIKE 'scale-%'" >"$WORK/tenants"
echo "budget_mb=$budget rss_kib_idle=$(rss) tenants_loaded=$(loaded)"
# The database's share of a load: the statement a load runs, for 50 tenants one after
# another in one session, as the runtime role (TENANT stands for each tenant's id).
time_per_tenant() { # label statement
    local t s0 s1
    head -50 "$WORK/tenants" | while read -r t; do
        echo "SELECT set_config('ims.tenant_id', '$t', false);"
        echo "${2//TENANT/$t};"
    done >"$WORK/$1.sql"
    s0=$(date +%s.%N)
    psql "$IMS_DB" -qAt -f "$WORK/$1.sql" >/dev/null
    s1=$(date +%s.%N)
    echo "$1 tenants=50 mean_ms=$(echo "($s1 - $s0) * 1000 / 50" | bc -l | cut -c1-6)"
}
# As before migration 0220 (TENANT_LOAD's document with the window's samples in it) and,
# when this build has it, as since: the document without samples and the samples beside it.
time_per_tenant snapshot_sql "SELECT length(ims_tenant_snapshot('TENANT'::uuid, false)::text)"
if psql "$IMS_ADMIN_DSN" -qAt -c "SELECT to_regproc('ims_tenant_load_samples')" | grep -q .; then
    time_per_tenant load_sql "SELECT length(ims_tenant_snapshot('TENANT'::uuid, false, false)::text),
        (SELECT length(ats) FROM ims_tenant_load_samples('TENANT'::uuid))"
fi
timeout 3600 "$BUILD/bench/scale/bench_scale" --server "$SERVER" --token "$TOKEN" \
    --tenants-file "$WORK/tenants" --connections "$connections" --seconds "$read_seconds" \
    --evicted-reads "$evicted"
echo "after rss_kib=$(rss) tenants_loaded=$(loaded)"
