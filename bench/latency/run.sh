#!/usr/bin/env bash
# Real-time latency: SubmitIncident sent -> the watcher (WatchSecurityLevel, another
# connection) receives the level with that write's revision, sequentially COUNT times;
# beside it, the database's own single-row INSERT + commit latency, same count, same run.
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
stack_machine
timeout 600 "$BUILD/bench/latency/bench_latency" --server "$SERVER" --token "$TOKEN" \
    --tenant "$tenant" --control "$control" --count "$count" --key-prefix "latency-$$" \
    --db-dsn "$IMS_ADMIN_DSN"
