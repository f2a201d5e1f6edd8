#!/usr/bin/env bash
# Two Release builds of imsd on the read path, alternated, with the floor measured in the
# same round: per round the load average, then bench/read/run.sh with BEFORE, with AFTER
# (the order swaps every round), and bench/read/floor.sh; requests/s and each build's
# ratio to the floor of its round.
#
#   BEFORE=/path/build AFTER=/path/build bench/read/compare.sh     ROUNDS=3 N=100000
#
# Each build is used as it is (IMS_BENCH_NO_BUILD=1). Raw outputs stay in $OUT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${BEFORE:?BEFORE=build folder of the reference build}"
: "${AFTER:?AFTER=build folder of the build under test}"
rounds=${ROUNDS:-3}
n=${N:-100000}
out=${OUT:-$(mktemp -d /tmp/ims-read-compare.XXXXXX)}
export IMS_BENCH_NO_BUILD=1

rps() { sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$1"; }
cpu() { sed -n 's/^cpu .*cpu_us_per_call=\([0-9.]*\).*/\1/p' "$1"; }
p99() { sed -n 's/^latency .*p99_ms=\([0-9.]*\).*/\1/p' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }

echo "| round | load (1/5/15 min) | before req/s (p99 ms) | after req/s (p99 ms) | floor req/s |" \
    "before/floor | after/floor | CPU µs per call: before / after / floor |"
echo "|---|---|---|---|---|---|---|---|"
for r in $(seq 1 "$rounds"); do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    if [ $((r % 2)) = 1 ]; then order="before after"; else order="after before"; fi
    for which in $order; do
        build=$BEFORE
        [ "$which" = after ] && build=$AFTER
        IMS_BENCH_BUILD=$build N=$n "$here/run.sh" >"$out/$which-$r.txt" 2>&1
    done
    N=$n "$here/floor.sh" >"$out/floor-$r.txt" 2>&1
    b=$(rps "$out/before-$r.txt") a=$(rps "$out/after-$r.txt") f=$(rps "$out/floor-$r.txt")
    echo "| $r | $load | $b ($(p99 "$out/before-$r.txt")) | $a ($(p99 "$out/after-$r.txt")) |" \
        "$f | $(ratio "$b" "$f") | $(ratio "$a" "$f") |" \
        "$(cpu "$out/before-$r.txt") / $(cpu "$out/after-$r.txt") / $(cpu "$out/floor-$r.txt") |"
done
echo "raw output: $out"
