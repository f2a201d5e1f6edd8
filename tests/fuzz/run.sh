#!/usr/bin/env bash
# Builds the libFuzzer targets with Debian's clang-14 (AddressSanitizer and
# UndefinedBehaviorSanitizer) in their own build folder, build/fuzz, and runs each for
# IMS_FUZZ_SECONDS (default 10) over its seed corpus, its regression inputs and its
# dictionary (<target>.dict, when there is one), one after the other. Exits non-zero when
# a target crashes, leaks or hangs; the input that did it is kept in <build>/crashes/ and
# belongs, once the bug is fixed, in tests/fuzz/regressions/<target>/.
#   IMS_FUZZ_SECONDS=0 runs only the committed inputs (seeds and regressions).
#   IMS_FUZZ_TARGETS="grpc_frame snapshot" runs only those.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/fuzz
build=${IMS_FUZZ_BUILD_DIR:-$top/build/fuzz}
seconds=${IMS_FUZZ_SECONDS:-10}
targets=${IMS_FUZZ_TARGETS:-grpc_frame connection grpc_headers client_wire request snapshot metric_csv answers_csv config remote_write series_matcher board_json snapshot_split}

cmake -S "$top" -B "$build" -DIMS_FUZZ=ON -DIMS_TESTS=OFF -DCMAKE_C_COMPILER="${IMS_FUZZ_CC:-clang-14}" \
    -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j "${IMS_JOBS:-2}" --target fuzz_all >/dev/null

export ASAN_OPTIONS=${IMS_FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${IMS_FUZZ_UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$build/crashes" "$build/logs"
failed=()
for t in $targets; do
    # New inputs go to the first (build) folder; the committed ones are only read.
    work=$build/corpus/$t
    mkdir -p "$work"
    dirs=("$work" "$here/corpus/$t")
    [ -d "$here/regressions/$t" ] && dirs+=("$here/regressions/$t")
    if [ "$seconds" -gt 0 ]; then
        limit=(-max_total_time="$seconds")
    else
        limit=(-runs=0)
    fi
    # A dictionary of the format's keywords, where the mutations alone rarely find them.
    [ -f "$here/$t.dict" ] && limit+=(-dict="$here/$t.dict")
    log=$build/logs/$t.log
    if "$build/tests/fuzz/fuzz_$t" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$build/crashes/$t-" -print_final_stats=1 "${dirs[@]}" >"$log" 2>&1; then
        echo "fuzz $t: ok ($(grep -a -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
            grep -o '[0-9]*$') runs in ${seconds}s)"
    else
        echo "fuzz $t: FAILED, log $log:" >&2
        tail -40 "$log" >&2
        failed+=("$t")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "tests/fuzz/run.sh: failed: ${failed[*]}" >&2
    exit 1
fi
