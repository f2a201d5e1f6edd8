#!/usr/bin/env bash
# Where a service benchmark's time goes: runs RUN (a bench script on ../ingest/stack.sh,
# which prints the machine's "nproc=" line once its stack is up) and, a second after that,
# `perf record -g` for SECS seconds (default 4) of imsd and the bench PostgreSQL's processes
# only (ALL=1: the whole machine, perf record -a). bench/ingest/profile.sh and
# bench/latency/profile.sh call it with their own defaults.
#
#   bench/profile.sh RUN OUT            writes OUT.log (the bench's output), OUT.data
#
# Takes the same environment as RUN (IMS_BENCH_BUILD, IMS_BENCH_NO_BUILD, ...).
set -u
run=${1:?usage: bench/profile.sh RUN OUT}
out=${2:?usage: bench/profile.sh RUN OUT}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${IMS_BENCH_BUILD:-$top/build-bench}
pgdir=${IMS_BENCH_PGDIR:-$top/.pg-bench}
"$run" >"$out.log" 2>&1 &
bench=$!
for _ in $(seq 1 1200); do
    grep -q '^nproc=' "$out.log" && break
    kill -0 "$bench" 2>/dev/null || break
    sleep 0.1
done
sleep 1
pm=$(head -1 "$pgdir/data/postmaster.pid")
pids=$( (echo "$pm"; pgrep -P "$pm"; pgrep -f "^$build/server/imsd --db") | sort -u | paste -sd,)
if [ "${ALL:-0}" = 1 ]; then
    perf record -g -a -o "$out.data" -- sleep "${SECS:-4}" >/dev/null 2>&1
else
    perf record -g -p "$pids" -o "$out.data" -- sleep "${SECS:-4}" >/dev/null 2>&1
fi
wait "$bench"
cat "$out.log"
