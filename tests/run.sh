#!/usr/bin/env bash
# Runs every test of ims: installs missing packages, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer, starts a throwaway PostgreSQL, migrates it, runs ctest
# (unit, integration, conformance, SQL), and stops everything it started.
# Exits non-zero on any failure.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/deploy/install-deps.sh"

build=${IMS_BUILD_DIR:-$top/build/test}
cmake -S "$top" -B "$build" -DIMS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j "$(nproc)"

pgdir=$top/.pg-test
"$top/deploy/pg.sh" stop "$pgdir" 2>/dev/null || true
rm -rf "$pgdir"
cleanup() {
    "$top/deploy/pg.sh" stop "$pgdir" || true
    rm -rf "$pgdir"
}
trap cleanup EXIT
eval "$("$top/deploy/pg.sh" start "$pgdir")"
"$build/server/imsd" migrate --db "$IMS_ADMIN_DSN"

export IMS_TEST_ADMIN_DSN=$IMS_ADMIN_DSN
export IMS_TEST_DSN=$IMS_ADMIN_DSN
export IMS_TEST_DB=$IMS_DB
export IMS_TEST_PG_DIR=$pgdir
export IMS_TEST_BUILD=$build
export IMS_TEST_TOP=$top
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Tests that share the database and the PostgreSQL fault test must not overlap.
ctest --test-dir "$build" --output-on-failure --timeout 600 "$@"
