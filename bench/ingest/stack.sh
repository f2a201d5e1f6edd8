# The stack every benchmark runs against, sourced by bench/*/run.sh: a Release build in
# build-bench/, a fresh throwaway PostgreSQL in .pg-bench/, a migrated database, an operator
# token and one imsd on a free loopback port. Everything started is stopped by its pid when
# the sourcing script exits.
#
# IMS_BENCH_BUILD names another build folder (default build-bench/); with IMS_BENCH_NO_BUILD=1
# it is used as it is, e.g. a Release build of a clean `git archive` of one commit.
# IMS_BENCH_SQL_DIR names the sql/ folder `imsd migrate` applies (default: the build's own).
#
#   stack_start             build, start PostgreSQL and imsd; sets SERVER, TOKEN,
#                           IMS_ADMIN_DSN, IMS_DB, IMSD_PID, BUILD, WORK
#   stack_tenants N PREFIX  creates N tenants PREFIX-1..N; prints their ids, comma-separated
#   stack_metrics           prints every metric id agents may push (not the computed ones)
#   stack_machine           prints nproc, the CPU model and the PostgreSQL version

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${IMS_BENCH_BUILD:-$top/build-bench}
PGDIR=${IMS_BENCH_PGDIR:-$top/.pg-bench}
IMSD_PID=""
WORK=""

stack_stop() {
    if [ -n "$IMSD_PID" ] && kill -0 "$IMSD_PID" 2>/dev/null; then
        kill -TERM "$IMSD_PID"
        for _ in $(seq 1 100); do
            kill -0 "$IMSD_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$IMSD_PID" 2>/dev/null && kill -KILL "$IMSD_PID"
        wait "$IMSD_PID" 2>/dev/null || true
    fi
    IMSD_PID=""
    "$top/deploy/pg.sh" remove "$PGDIR" || true
    if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
    WORK=""
}

stack_start() {
    trap stack_stop EXIT
    trap 'exit 130' INT TERM
    trap 'rc=$?; echo "bench: failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR
    if [ "${IMS_BENCH_NO_BUILD:-0}" != 1 ]; then
        cmake -S "$top" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
        cmake --build "$BUILD" -j2 --target imsd imsctl bench_ingest bench_latency \
            >"$BUILD/bench-build.log" 2>&1 || {
            tail -30 "$BUILD/bench-build.log" >&2
            echo "bench: the build failed (log: $BUILD/bench-build.log)" >&2
            exit 1
        }
    fi
    "$top/deploy/pg.sh" remove "$PGDIR"
    local pg_env
    pg_env=$("$top/deploy/pg.sh" start "$PGDIR") || {
        echo "bench: the database did not start (pg.sh said why above)" >&2
        exit 1
    }
    eval "$pg_env"
    export IMS_ADMIN_DSN IMS_DB
    "$BUILD/server/imsd" migrate --db "$IMS_ADMIN_DSN" \
        ${IMS_BENCH_SQL_DIR:+--sql-dir "$IMS_BENCH_SQL_DIR"} >/dev/null
    TOKEN=$("$BUILD/server/imsd" token create --db "$IMS_ADMIN_DSN" --role operator \
        --label bench 2>/dev/null)
    WORK=$(mktemp -d /tmp/ims-bench.XXXXXX)
    "$BUILD/server/imsd" --db "$IMS_DB" --listen 127.0.0.1:0 --ready-file "$WORK/ready" \
        "$@" >"$WORK/imsd.log" 2>&1 &
    IMSD_PID=$!
    for _ in $(seq 1 200); do
        [ -s "$WORK/ready" ] && break
        kill -0 "$IMSD_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ ! -s "$WORK/ready" ]; then
        echo "bench: imsd did not start:" >&2
        tail -20 "$WORK/imsd.log" >&2
        exit 1
    fi
    SERVER=127.0.0.1:$(head -1 "$WORK/ready")
    export IMS_SERVER=$SERVER IMS_TOKEN=$TOKEN
}

stack_tenants() {
    local n=$1 prefix=$2 i
    for i in $(seq 1 "$n"); do
        "$BUILD/client/cli/imsctl" tenant create --slug "$prefix-$i" --name "Bench $prefix $i" \
            --sector it-services --size small >/dev/null
    done
    psql "$IMS_ADMIN_DSN" -Atc "SELECT string_agg(id::text, ',' ORDER BY slug) FROM tenants \
        WHERE slug LIKE '$prefix-%'"
}

stack_metrics() {
    psql "$IMS_ADMIN_DSN" -Atc "SELECT string_agg(id, ',' ORDER BY id) FROM metrics \
        WHERE source = 'pushed'"
}

stack_machine() {
    echo "nproc=$(nproc) cpu=\"$(lscpu | sed -n 's/^Model name: *//p' | head -1)\"" \
        "postgres=\"$(psql "$IMS_ADMIN_DSN" -Atc 'SHOW server_version')\""
}
