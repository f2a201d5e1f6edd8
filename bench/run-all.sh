#!/usr/bin/env bash
# Runs the service and engine benchmarks one after another and prints the table of
# figures: imsd now, its floor measured in the same run, the ratio and the target.
#
#   bench/run-all.sh                 every row below (about 5 minutes on 2 vCPUs)
#   READ_N=100000 LATENCY_COUNT=2000 INGEST_BATCHES=400 SCALE_TENANTS="100 1000" \
#       IDLE_CONNECTIONS=10000 bench/run-all.sh
#   SCALE_TENANTS="" skips the scale rows; IMS_BENCH_BUILD / IMS_BENCH_NO_BUILD as for the
#   other scripts (bench/README.md). The raw output of each benchmark is kept in
#   $OUT (default a new /tmp/ims-bench-all.XXXXXX) and named at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${IMS_BENCH_BUILD:-$top/build-bench}
out=${OUT:-$(mktemp -d /tmp/ims-bench-all.XXXXXX)}
read_n=${READ_N:-100000}
latency_count=${LATENCY_COUNT:-2000}
ingest_batches=${INGEST_BATCHES:-400}
scale_tenants=${SCALE_TENANTS-100 1000}
scale_budget=${SCALE_BUDGET_MB:-1024}
idle_connections=${IDLE_CONNECTIONS:-10000}

if [ "${IMS_BENCH_NO_BUILD:-0}" != 1 ]; then
    cmake -S "$top" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j2 --target imsd imsctl bench_ingest bench_latency bench_engine \
        bench_scale >"$out/build.log" 2>&1 || { tail -30 "$out/build.log" >&2; exit 1; }
fi
export IMS_BENCH_BUILD=$BUILD IMS_BENCH_NO_BUILD=1

echo "machine: nproc=$(nproc) cpu=\"$(lscpu | sed -n 's/^Model name: *//p' | head -1)\"" \
    "load=\"$(cut -d' ' -f1-3 /proc/loadavg)\" date=$(date -u +%FT%TZ)"
"$BUILD/bench/engine/bench_engine" >"$out/engine.txt"
N=$read_n "$here/read/run.sh" >"$out/read.txt" 2>&1
N=$read_n "$here/read/floor.sh" >"$out/read-floor.txt" 2>&1
COUNT=$latency_count "$here/latency/run.sh" >"$out/latency.txt" 2>&1
BATCHES=$ingest_batches "$here/ingest/run.sh" >"$out/ingest.txt" 2>&1
# RSS per idle h2c connection: the idle scenario of the abuse benchmark (each connection
# sends the preface and its SETTINGS, then nothing).
"$here/abuse/run.sh" "idle_connections=$idle_connections" >"$out/idle.txt" 2>&1
for n in $scale_tenants; do
    TENANTS=$n BUDGET_MB=$scale_budget EVICTED_READS=0 "$here/scale/run.sh" \
        >"$out/scale-$n.txt" 2>&1
done

# key=value of the first line starting with $2 in file $1
kv() { sed -n "/^$2 /{s/.* $3=\([^ ]*\).*/\1/p;q}" "$1"; }
rps() { sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

read_now=$(rps "$out/read.txt")
read_floor=$(rps "$out/read-floor.txt")
lat_p99=$(kv "$out/latency.txt" submit_to_watcher p99_ms)
lat_p50=$(kv "$out/latency.txt" submit_to_watcher p50_ms)
db_p99=$(kv "$out/latency.txt" db_single_row_commit p99_ms)
ing=$(kv "$out/ingest.txt" daemon samples_per_s)
copy1=$(sed -n '/^copy connections=1 /{s/.*rows_per_s=\([0-9]*\).*/\1/p;q}' "$out/ingest.txt")
copy2=$(sed -n '/^copy connections=2 /{s/.*rows_per_s=\([0-9]*\).*/\1/p;q}' "$out/ingest.txt")
insert2=$(sed -n '/^insert connections=2 /{s/.*rows_per_s=\([0-9]*\).*/\1/p;q}' "$out/ingest.txt")
idle_kib=$(sed -n 's/^idle connections: .*, \([0-9.]*\) KiB each.*/\1/p' "$out/idle.txt")
eng=$(sed -n 's/^incremental update: *median *\([0-9.]*\) us.*/\1/p' "$out/engine.txt")

echo
echo "| figure | imsd now | floor in the same run | ratio | target |"
echo "|---|---|---|---|---|"
echo "| \`GetSecurityLevel\`, h2load \`-m100 -c4\`, $read_n calls | $read_now calls/s |" \
    "nghttpd, same POST, 6-byte file: $read_floor/s | $(ratio "$read_now" "$read_floor") | ≥ 0.5 |"
echo "| \`SubmitIncident\` → watcher, p99 | $lat_p99 ms (p50 $lat_p50) |" \
    "one-row INSERT + commit p99 $db_p99 ms | $(ratio "$lat_p99" "$db_p99")× |" \
    "p99 ≤ 1.0 ms and ≤ 3× |"
echo "| durable \`PushMetrics\` ingest | $ing samples/s | raw COPY 1 connection $copy1/s;" \
    "2 connections $copy2/s | $(ratio "$ing" "$copy1") / $(ratio "$ing" "$copy2") |" \
    "≥ 1.0 against 2 connections |"
echo "| (the same rows through INSERT, a transaction per batch, 2 connections) | — |" \
    "$insert2/s | $(ratio "$ing" "$insert2") | — |"
echo "| engine incremental update, large tenant | $eng µs median | — | — | ≤ 3 µs median |"
echo "| idle h2c connection | $idle_kib KiB RSS each at $idle_connections connections | — | — |" \
    "≤ 16 KiB at 10,000 |"
for n in $scale_tenants; do
    f=$out/scale-$n.txt
    echo "| $n tenants, budget ${scale_budget} MiB: first read (load) p50 / p99 |" \
        "$(kv "$f" first_read p50_ms) / $(kv "$f" first_read p99_ms) ms | — | — | — |"
    echo "| $n tenants: \`GetSecurityLevel\` at random, 4 connections |" \
        "$(kv "$f" random_reads calls_per_s) calls/s (p99 $(kv "$f" random_read p99_ms) ms) |" \
        "— | — | — |"
    echo "| $n tenants: imsd RSS after the reads | $(kv "$f" after rss_kib) KiB," \
        "$(kv "$f" after tenants_loaded) tenants in memory | — | — | under the budget |"
done
echo
echo "raw output: $out"
