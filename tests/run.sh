#!/usr/bin/env bash
# Runs every test of ims: installs missing packages, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer, fuzzes the parsers for a bounded time (tests/fuzz/run.sh),
# starts a throwaway PostgreSQL, migrates it, runs ctest (unit, integration, conformance,
# SQL), and stops everything it started.
# Exits non-zero on any failure.
set -euo pipefail
trap 'rc=$?; echo "tests/run.sh: failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/deploy/install-deps.sh"

build=${IMS_BUILD_DIR:-$top/build/test}
cmake -S "$top" -B "$build" -DIMS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j "${IMS_JOBS:-2}"

# The parsers under libFuzzer, IMS_FUZZ_SECONDS (default 10) each, in their own clang build.
"$top/tests/fuzz/run.sh"

pgdir=$top/.pg-test
"$top/deploy/pg.sh" remove "$pgdir"
cleanup() {
    "$top/deploy/pg.sh" remove "$pgdir" || true
}
trap cleanup EXIT
pg_env=$("$top/deploy/pg.sh" start "$pgdir") || {
    echo "tests/run.sh: the test database did not start (pg.sh said why above)" >&2
    exit 1
}
eval "$pg_env"
"$build/server/imsd" migrate --db "$IMS_ADMIN_DSN"

export IMS_TEST_ADMIN_DSN=$IMS_ADMIN_DSN
export IMS_TEST_DSN=$IMS_ADMIN_DSN
export IMS_TEST_DB=$IMS_DB
export IMS_TEST_PG_DIR=$pgdir
export IMS_TEST_PG_HOST_DSN=$IMS_PG_HOST_DSN
export IMS_TEST_BUILD=$build
export IMS_TEST_TOP=$top
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Tests that share the database and the PostgreSQL fault test must not overlap.
ctest --test-dir "$build" --output-on-failure --timeout 600 "$@"
