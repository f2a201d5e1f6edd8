# Shared by tests/deploy/*.sh: checks counted as "N passed, M failed", and imsd daemons
# started on a free loopback port and stopped by their pid when the test exits.
#
# Environment (set by tests/run.sh): IMS_TEST_TOP, IMS_TEST_BUILD, IMS_TEST_ADMIN_DSN,
# IMS_TEST_PG_DIR, IMS_TEST_PG_HOST_DSN ('host=… port=… user=…' without a database).

set -uo pipefail
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
: "${IMS_TEST_TOP:?run through tests/run.sh (IMS_TEST_TOP is not set)}"
: "${IMS_TEST_BUILD:?run through tests/run.sh (IMS_TEST_BUILD is not set)}"
: "${IMS_TEST_PG_HOST_DSN:?run through tests/run.sh (IMS_TEST_PG_HOST_DSN is not set)}"

passed=0
failed=0
daemon_pids=()
test_work=$(mktemp -d /tmp/ims-deploy-test.XXXXXX)
chmod 0755 "$test_work"

test_cleanup() {
    local pid
    for pid in "${daemon_pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$test_work"
}
trap test_cleanup EXIT

# check NAME COMMAND...: passes when COMMAND exits 0; its output is shown when it fails.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        printf '%s\n' "$out" | tail -n 12 | sed 's/^/     /'
    fi
}

# check_fails NAME COMMAND...: passes when COMMAND fails.
check_fails() {
    local name=$1
    shift
    if "$@" >/dev/null 2>&1; then
        failed=$((failed + 1))
        echo "FAIL $name (it succeeded)"
    else
        passed=$((passed + 1))
        echo "ok   $name"
    fi
}

# sql_is EXPECTED DSN SQL: psql's unaligned answer equals EXPECTED.
sql_is() {
    local want=$1 got
    got=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$2" -c "$3" 2>&1) || {
        echo "$got"
        return 1
    }
    [ "$got" = "$want" ] || {
        echo "expected: $want"
        echo "got:      $got"
        return 1
    }
}

# start_imsd NAME IMSD ARGS...: starts it on a free loopback port; sets PORT.
start_imsd() {
    local name=$1 bin=$2
    shift 2
    local ready=$test_work/$name.ready log=$test_work/$name.log
    rm -f "$ready"
    "$bin" --listen 127.0.0.1:0 --ready-file "$ready" "$@" >"$log" 2>&1 &
    local pid=$!
    daemon_pids+=("$pid")
    for _ in $(seq 1 200); do
        [ -s "$ready" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if [ ! -s "$ready" ]; then
        echo "imsd $name did not start:" >&2
        tail -20 "$log" >&2
        return 1
    fi
    PORT=$(head -1 "$ready")
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# release_build: a Release build for installing, configured for prefix /usr, in RELEASE
# (incremental: the second test reuses it).
RELEASE=$IMS_TEST_BUILD/release-install
release_build() {
    cmake -S "$IMS_TEST_TOP" -B "$RELEASE" -DCMAKE_BUILD_TYPE=Release -DIMS_TESTS=OFF \
        -DCMAKE_INSTALL_PREFIX=/usr >"$test_work/configure.log" 2>&1 &&
        cmake --build "$RELEASE" -j "${IMS_JOBS:-2}" >"$test_work/build.log" 2>&1 || {
        tail -30 "$test_work/configure.log" "$test_work/build.log" >&2
        echo "release build in $RELEASE failed" >&2
        return 1
    }
}

# fresh_database NAME: drops and creates NAME on the test cluster (and its derived roles).
fresh_database() {
    local admin="$IMS_TEST_PG_HOST_DSN dbname=postgres" role
    psql -X -q -d "$admin" -c "DROP DATABASE IF EXISTS \"$1\"" &&
        for role in "${1//-/_}_owner" "${1//-/_}_app"; do
            psql -X -q -d "$admin" -c "DROP ROLE IF EXISTS $role" || return 1
        done &&
        psql -X -q -d "$admin" -c "CREATE DATABASE \"$1\""
}

drop_database() {
    local admin="$IMS_TEST_PG_HOST_DSN dbname=postgres" role
    psql -X -q -d "$admin" -c "DROP DATABASE IF EXISTS \"$1\""
    for role in "${1//-/_}_owner" "${1//-/_}_app"; do
        psql -X -q -d "$admin" -c "DROP ROLE IF EXISTS $role"
    done
}

# runtime_dsn DB ROLE: the test cluster's socket and port, as ROLE.
runtime_dsn() { echo "${IMS_TEST_PG_HOST_DSN% user=*} dbname=$1 user=$2"; }
