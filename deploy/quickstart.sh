#!/usr/bin/env bash
# Quickstart: installs missing Debian packages, builds, starts a throwaway PostgreSQL,
# migrates it, starts imsd, creates an operator token and a demo tenant from a sector
# schema, and shows the security level moving as an incident and metric samples arrive.
#
#   deploy/quickstart.sh            keep serving until Ctrl-C, then stop everything
#   deploy/quickstart.sh --no-wait  stop everything it started and exit 0
set -euo pipefail
trap 'rc=$?; echo "quickstart: failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR

wait_for_ctrl_c=1
[ "${1:-}" = "--no-wait" ] && wait_for_ctrl_c=0

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/deploy/install-deps.sh"

build=$top/build/release
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DIMS_TESTS=OFF >/dev/null
cmake --build "$build" -j "${IMS_JOBS:-2}" >"$top/build/release.log" 2>&1 || {
    tail -30 "$top/build/release.log" >&2
    echo "quickstart: the build failed (log: $top/build/release.log)" >&2
    exit 1
}
imsd=$build/server/imsd
imsctl=$build/client/cli/imsctl

run=$top/.run
pgdir=$top/.pg
mkdir -p "$run"
imsd_pid=""
cleanup() {
    if [ -n "$imsd_pid" ] && kill -0 "$imsd_pid" 2>/dev/null; then
        kill -TERM "$imsd_pid"
        wait "$imsd_pid" 2>/dev/null || true
    fi
    "$top/deploy/pg.sh" remove "$pgdir" || true
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# A throwaway database: every quickstart begins from nothing.
"$top/deploy/pg.sh" remove "$pgdir"
pg_env=$("$top/deploy/pg.sh" start "$pgdir") || {
    echo "quickstart: the database did not start (pg.sh said why above)" >&2
    exit 1
}
eval "$pg_env"
"$imsd" migrate --db "$IMS_ADMIN_DSN"

rm -f "$run/ready"
"$imsd" --db "$IMS_DB" --listen 127.0.0.1:0 --listen "unix:$run/imsd.sock" \
    --ops-listen 127.0.0.1:0 --ready-file "$run/ready" >"$run/imsd.log" 2>&1 &
imsd_pid=$!
for _ in $(seq 1 200); do
    [ -f "$run/ready" ] && break
    kill -0 "$imsd_pid" 2>/dev/null || {
        cat "$run/imsd.log" >&2
        echo "quickstart: imsd exited before serving (log above)" >&2
        exit 1
    }
    sleep 0.05
done
[ -s "$run/ready" ] || { echo "quickstart: imsd did not start within 10 s (log: $run/imsd.log)" >&2; exit 1; }
port=$(head -1 "$run/ready")
ops=127.0.0.1:$(sed -n 's/^ops=//p' "$run/ready")
export IMS_SERVER=127.0.0.1:$port
"$imsd" token create --db "$IMS_ADMIN_DSN" --role operator --label quickstart >"$run/operator.token"
export IMS_TOKEN
IMS_TOKEN=$(cat "$run/operator.token")

say() { printf '\n== %s\n' "$*"; }
say "imsd is serving on $IMS_SERVER (and unix:$run/imsd.sock); log in $run/imsd.log"
"$imsctl" health

say "A demo tenant generated from the IT-services schema (10-49 staff)"
"$imsctl" tenant create --slug demo --name "Demo Consulting Ltd" --sector it-services --size small
"$imsctl" tenant list

say "The first assessment interview: 318 checklist answers imported from CSV"
"$imsctl" assess import demo "$top/deploy/demo/answers.csv"
"$imsctl" assess progress demo
say "Statement of Applicability (first controls)"
"$imsctl" soa show demo >"$run/soa.txt"
head -12 "$run/soa.txt"

say "Assets and a business process for the risk register and the BIA"
"$imsctl" asset put demo srv-erp --name "ERP server" --type server --owner "IT lead" --c 4 --i 4 --a 5
"$imsctl" asset put demo laptops --name "Staff laptops" --type endpoint --owner "IT lead" --c 3 --i 3 --a 3
"$imsctl" process put demo billing --name "Billing" --criticality 4 --mtpd 1440 --rto 240 --rpo 60
"$imsctl" exercise record demo billing --recovery 200 --note "restore drill"

say "Security level before anything happens"
"$imsctl" level show demo --explain 3
say "A severity-4 ransomware incident on the laptops"
"$imsctl" incident open demo --severity 4 --threat T.malware --control A.8.7 --asset laptops \
    --description "Ransomware on a laptop"
say "Security level after the incident"
"$imsctl" level show demo
say "The patch agent reports: critical patches now take 5 days (target 7)"
"$imsctl" metric push demo patch_latency_days 5
say "Security level after the metric sample, and how it got there"
"$imsctl" level show demo
"$imsctl" level history demo
say "The improvement plan: what raises the level fastest"
"$imsctl" plan show demo --steps 5
# Check and Act: audit, corrective action, management review, a level-1 award.
. "$top/deploy/demo/act.sh" demo
. "$top/deploy/demo/people.sh"

say "What Prometheus sees on the ops listener: http://$ops/metrics (also /healthz, /readyz)"
curl -sf "http://$ops/readyz" || true
curl -sf "http://$ops/metrics" | grep -E '^ims_(security_level|maturity_level|revision)\{' || true

. "$top/deploy/demo/board.sh"

if [ "$wait_for_ctrl_c" = 1 ]; then
    say "Serving until Ctrl-C. Try: IMS_SERVER=$IMS_SERVER IMS_TOKEN=\$(cat $run/operator.token) $imsctl level watch demo"
    wait "$imsd_pid" || true
fi
