#!/usr/bin/env bash
# Real-time latency: SubmitIncident sent -> the watcher (WatchSecurityLevel, another
# connection) receives the level with that write's revision, sequentially COUNT times;
# beside it, the database's own single-row INSERT + commit latency, same count, same run,
# and the CPU time imsd and the pool's backends spent per write (cpu_per_write).
#
#   bench/latency/run.sh            COUNT=3000 by default
#
# Sets up and tears down everything itself (../ingest/stack.sh). Prints the machine and
# the figures (milliseconds).
set -euo pipefail
. "$(dirname "$0")/../ingest/stack.sh"

count=${COUNT:-3000}

# shellcheck disable=SC2086
stack_start ${IMSD_ARGS:-}
tenant=$(stack_tenants 1 latency)
# An applicable control of the tenant, so that each incident moves the level.
control=$(psql "$IMS_ADMIN_DSN" -Atc "SELECT control_id FROM tenant_controls WHERE \
    tenant_id = '$tenant' AND applicable ORDER BY control_id LIMIT 1")
# The CPU time imsd and the pool's backends spend per write (utime + stime over the run;
# both are idle during the database's own part, which has its own connection).
read -r -a backends <<<"$(psql "$IMS_ADMIN_DSN" -Atc "SELECT string_agg(pid::text, ' ') \
    FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")"
ticks() {
    local t=0 p f
    for p in "$@"; do
        read -r -a f <"/proc/$p/stat" || continue
        t=$((t + f[13] + f[14]))
    done
    echo "$t"
}
i0=$(ticks "$IMSD_PID")
b0=$(ticks "${backends[@]}")
stack_machine
timeout 600 "$BUILD/bench/latency/bench_latency" --server "$SERVER" --token "$TOKEN" \
    --tenant "$tenant" --control "$control" --count "$count" --key-prefix "latency-$$" \
    --db-dsn "$IMS_ADMIN_DSN"
i1=$(ticks "$IMSD_PID")
b1=$(ticks "${backends[@]}")
awk -v i=$((i1 - i0)) -v b=$((b1 - b0)) -v n="$count" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "cpu_per_write imsd_us=%.0f backends_us=%.0f\n", i * 1e6 / hz / n, b * 1e6 / hz / n }'
