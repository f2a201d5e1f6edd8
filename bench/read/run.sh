#!/usr/bin/env bash
# Read path: h2load against ims.v1.Level/GetSecurityLevel over h2c, 100 concurrent streams
# on each of 4 connections, N requests; requests/s and latency percentiles (from h2load's
# per-request log), and one request with nghttp -v to check that the answer is
# grpc-status 0 (h2load's 2xx count says only that HTTP went well).
#
#   bench/read/run.sh               N=20000 STREAMS=100 CONNECTIONS=4 by default
#   SCRAPE_MS=100 bench/read/run.sh the same with the ops listener on and /metrics scraped
#                                   every SCRAPE_MS ms meanwhile (its cost on the read path)
#   PERF_OUT=/tmp/imsd.perf bench/read/run.sh   (PERF_ARGS="--call-graph dwarf -F 2000")
#                                   the same with `perf record -g` of imsd during the h2load
#                                   run, written to PERF_OUT (read it with perf report -i)
#
# Sets up and tears down everything itself (../ingest/stack.sh).
set -euo pipefail
. "$(dirname "$0")/../ingest/stack.sh"

n=${N:-20000}
streams=${STREAMS:-100}
connections=${CONNECTIONS:-4}

scrape_ms=${SCRAPE_MS:-}
ops_args=""
[ -n "$scrape_ms" ] && ops_args="--ops-listen 127.0.0.1:0"
# shellcheck disable=SC2086
stack_start ${IMSD_ARGS:-} $ops_args
tenant=$(stack_tenants 1 read)
stack_machine

# The gRPC request body: 5-byte prefix (not compressed, big-endian length) and the
# serialized GetSecurityLevelRequest{tenant} (field 1, length-delimited: 0x0a, 36).
body=$WORK/request.bin
printf '\x00\x00\x00\x00\x26\x0a\x24%s' "$tenant" >"$body"
[ "$(stat -c %s "$body")" = 43 ]
url=http://$SERVER/ims.v1.Level/GetSecurityLevel
headers=(-H 'content-type: application/grpc' -H 'te: trailers' -H "authorization: Bearer $TOKEN")

# One request, every frame shown: the trailers must say grpc-status: 0.
nghttp -v "${headers[@]}" -d "$body" "$url" >"$WORK/nghttp.txt" 2>&1 || true
if grep -q 'grpc-status: 0' "$WORK/nghttp.txt"; then
    echo "nghttp: grpc-status: 0"
else
    echo "nghttp: no grpc-status 0 in the answer:" >&2
    grep -E 'grpc-|:status' "$WORK/nghttp.txt" >&2 || true
    exit 1
fi

scraper=""
if [ -n "$scrape_ms" ]; then
    ops=127.0.0.1:$(sed -n 's/^ops=//p' "$WORK/ready")
    curl -sf "http://$ops/metrics" >"$WORK/metrics.txt"
    echo "scraping http://$ops/metrics every ${scrape_ms} ms ($(wc -l <"$WORK/metrics.txt") lines)"
    pause=$(awk "BEGIN { print $scrape_ms / 1000 }")
    (
        while :; do
            curl -sf "http://$ops/metrics" >/dev/null || true
            sleep "$pause"
        done
    ) &
    scraper=$!
fi
perf_pid=""
if [ -n "${PERF_OUT:-}" ]; then
    # shellcheck disable=SC2086
    perf record ${PERF_ARGS:--g} -o "$PERF_OUT" -p "$IMSD_PID" >"$WORK/perf.txt" 2>&1 &
    perf_pid=$!
    sleep 1
fi
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
cpu_before=$(cpu_ticks "$IMSD_PID")
timeout 300 h2load "${headers[@]}" -d "$body" -m "$streams" -c "$connections" -n "$n" \
    --log-file "$WORK/h2load.log" "$url" >"$WORK/h2load.txt"
if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
fi
if [ -n "$scraper" ]; then
    kill "$scraper" 2>/dev/null || true
    wait "$scraper" 2>/dev/null || true
fi
cpu_after=$(cpu_ticks "$IMSD_PID")
grep -E '^finished in|^requests:|^status codes:|^time for request:' "$WORK/h2load.txt"
# Per request: start (us), HTTP status, duration (us).
sort -n -k3 "$WORK/h2load.log" | awk '{ d[NR] = $3 } END {
    printf "latency count=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", NR,
        d[int(NR * 0.50 + 0.5)] / 1000, d[int(NR * 0.90 + 0.5)] / 1000,
        d[int(NR * 0.99 + 0.5)] / 1000, d[NR] / 1000 }'
# imsd's own CPU time (user + system) during the h2load run, per call: less sensitive to
# other work on the machine than requests/s (a single-threaded server at saturation does
# about 1 / cpu_us_per_call calls per microsecond).
awk -v t0="$cpu_before" -v t1="$cpu_after" -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN {
    printf "cpu seconds=%.2f cpu_us_per_call=%.2f\n", (t1 - t0) / hz, (t1 - t0) / hz * 1e6 / n }'
