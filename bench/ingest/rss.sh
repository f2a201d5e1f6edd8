#!/usr/bin/env bash
# Sustained ingest: imsd's resident memory while the ingest benchmark runs in a loop
# (PushMetrics batches to a few tenants, no COPY), one line per round:
#   elapsed seconds, samples pushed so far, imsd VmRSS (KiB).
#
#   bench/ingest/rss.sh                 defaults below; override with the environment:
#   DURATION=180 TENANTS=5 CONNECTIONS=4 BATCHES=100 BATCH_SIZE=1000
#   AGGREGATION=last                    push only the catalog's metrics of that aggregation
#   PAUSE=3                             seconds to wait between rounds (default 0): a long
#                                       run then leaves the machine's CPUs to others part
#                                       of the time; memory depends on samples pushed, not rate
#
# Each round is a new bench_ingest run, so its samples are at times near that round's
# "now" (see bench_ingest.c): time moves on as it would under an agent pushing steadily.
# Sets up and tears down everything itself (stack.sh).
set -euo pipefail
. "$(dirname "$0")/stack.sh"

duration=${DURATION:-180}
tenants=${TENANTS:-5}
connections=${CONNECTIONS:-4}
batches=${BATCHES:-100}
batch_size=${BATCH_SIZE:-1000}
pause=${PAUSE:-0}

# shellcheck disable=SC2086
stack_start ${IMSD_ARGS:-}
ids=$(stack_tenants "$tenants" rss)
metrics=$(stack_metrics)
if [ -n "${AGGREGATION:-}" ]; then
    metrics=$(psql "$IMS_ADMIN_DSN" -Atc "SELECT string_agg(id, ',' ORDER BY id) FROM metrics \
        WHERE aggregation = '$AGGREGATION' AND source = 'pushed'")
fi
stack_machine
rss() { awk '/^VmRSS/ {print $2}' "/proc/$IMSD_PID/status"; }
start=$(date +%s)
pushed=0
round=0
echo "rss round=0 elapsed_s=0 samples=0 rss_kib=$(rss)"
while [ $(($(date +%s) - start)) -lt "$duration" ]; do
    round=$((round + 1))
    timeout 600 "$BUILD/bench/ingest/bench_ingest" --server "$SERVER" --token "$TOKEN" \
        --tenants "$ids" --metrics "$metrics" --connections "$connections" \
        --batches "$batches" --batch-size "$batch_size" --key-prefix "rss-$$-$round" \
        >"$WORK/round.log"
    pushed=$((pushed + batches * batch_size))
    echo "rss round=$round elapsed_s=$(($(date +%s) - start)) samples=$pushed rss_kib=$(rss)"
    [ "$pause" = 0 ] || sleep "$pause"
done
psql "$IMS_ADMIN_DSN" -Atc "SELECT 'stored rows=' || count(*) FROM metric_samples"
