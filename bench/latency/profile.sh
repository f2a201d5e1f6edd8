#!/usr/bin/env bash
# Where a write's time goes: runs bench/latency/run.sh (COUNT=8000 unless set, so that the
# writes last long enough) and, a second after the writes start, `perf record -g` for SECS
# seconds (default 4) of imsd and the bench PostgreSQL's processes only (ALL=1: the whole
# machine, perf record -a).
#
#   bench/latency/profile.sh OUT        writes OUT.log (the bench's output), OUT.data
#   perf report -i OUT.data --no-children --sort comm        PostgreSQL against imsd
#   perf report -i OUT.data --no-children --comm imsd --sort sym
#   perf report -i OUT.data --children --comm postgres --sort sym -g none
#
# Takes the same environment as run.sh (IMS_BENCH_BUILD, IMS_BENCH_NO_BUILD, ...).
set -u
out=${1:?usage: bench/latency/profile.sh OUT}
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${IMS_BENCH_BUILD:-$top/build-bench}
pgdir=${IMS_BENCH_PGDIR:-$top/.pg-bench}
COUNT=${COUNT:-8000} "$top/bench/latency/run.sh" >"$out.log" 2>&1 &
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
