#!/usr/bin/env bash
# Hostile peers against one imsd (Release build, own PostgreSQL: ../ingest/stack.sh), with
# figures: the unauthenticated flood, slowloris, a token flood, an oversized prefix, a
# header flood, a client-stream flood, 20-step plans (a viewer's cap) in parallel while a
# prober measures the longest pause, and resident memory per idle connection. See bench/README.md.
#
#   bench/abuse/run.sh                      every scenario
#   bench/abuse/run.sh flood token_flood=20000
#
# imsd runs with limits raised where a scenario needs many connections from one address
# (loopback): max_connections 20000, max_connections_per_address 20000, and a 3 s
# preface timeout so that slowloris ends within the run.
set -euo pipefail
. "$(dirname "$0")/../ingest/stack.sh"

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(flood slowloris token_flood oversized_prefix
    header_flood client_stream_flood plan_pause idle_connections)

ulimit -n 20000
stack_start --max-connections 20000 --max-connections-per-address 20000 \
    --preface-timeout-ms 3000 ${IMSD_ARGS:-}
cmake --build "$BUILD" --target ims_proto_python >/dev/null
TENANT=$(stack_tenants 1 abuse)
VIEWER=$("$BUILD/server/imsd" token create --db "$IMS_ADMIN_DSN" --role viewer \
    --tenant "$TENANT" --label bench-viewer 2>/dev/null)
stack_machine
export TENANT VIEWER IMSD_PID IMS_BENCH_PYGEN=$BUILD/gen-python IMS_BENCH_TOP=$top
/usr/bin/python3 "$top/bench/abuse/abuse.py" "${scenarios[@]}"
