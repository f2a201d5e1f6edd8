#!/usr/bin/env bash
# The read path's answer, byte for byte, from two builds against the same tenant state:
# one stack (../ingest/stack.sh, the AFTER build's imsd), one tenant with an incident
# recorded, then a second imsd of the BEFORE build on the same database. answer.py asks
# both at the same moment (so the tenant's evaluation time is the same second in both),
# in four request forms, and the two answers (status, headers, trailers, message bytes)
# are compared.
#
#   BEFORE=/path/to/build AFTER=/path/to/build bench/read/identity.sh
#
# Prints "identical" (exit 0) or the difference (exit 1). Needs both builds made
# (IMS_BENCH_NO_BUILD is implied).
set -euo pipefail
: "${BEFORE:?BEFORE=build folder of the reference build}"
: "${AFTER:?AFTER=build folder of the build under test}"
export IMS_BENCH_BUILD=$AFTER IMS_BENCH_NO_BUILD=1
. "$(dirname "$0")/../ingest/stack.sh"

other_pid=""
stop_other() {
    if [ -n "$other_pid" ]; then
        kill -TERM "$other_pid" 2>/dev/null || true
        wait "$other_pid" 2>/dev/null || true
    fi
    other_pid=""
    stack_stop
}
stack_start
trap stop_other EXIT
tenant=$(stack_tenants 1 identity)
control=$(psql "$IMS_ADMIN_DSN" -Atc "SELECT control_id FROM tenant_controls \
    WHERE tenant_id = '$tenant' ORDER BY control_id LIMIT 1")
"$BUILD/client/cli/imsctl" incident open "$tenant" --severity 3 --control "$control" \
    --key identity-1 >/dev/null

"$BEFORE/server/imsd" --db "$IMS_DB" --listen 127.0.0.1:0 --ready-file "$WORK/ready-before" \
    >"$WORK/imsd-before.log" 2>&1 &
other_pid=$!
for _ in $(seq 1 200); do
    [ -s "$WORK/ready-before" ] && break
    sleep 0.1
done
before=127.0.0.1:$(head -1 "$WORK/ready-before")

# A fresh imsd of the AFTER build too, so that both load the tenant on the same call.
stack_restart_imsd() {
    kill -TERM "$IMSD_PID"
    wait "$IMSD_PID" 2>/dev/null || true
    rm -f "$WORK/ready"
    "$BUILD/server/imsd" --db "$IMS_DB" --listen 127.0.0.1:0 --ready-file "$WORK/ready" \
        >"$WORK/imsd.log" 2>&1 &
    IMSD_PID=$!
    for _ in $(seq 1 200); do
        [ -s "$WORK/ready" ] && break
        sleep 0.1
    done
    SERVER=127.0.0.1:$(head -1 "$WORK/ready")
}
stack_restart_imsd

/usr/bin/python3 "$top/bench/read/answer.py" "$TOKEN" "$tenant" "$before" "$SERVER" \
    >"$WORK/answers.txt"
awk '/^== /{n++; next} { print > (ENVIRON["WORK"] "/answer-" n ".txt") }' "$WORK/answers.txt"
grep -E '^(request|status|trailers)' "$WORK/answer-1.txt"
if cmp -s "$WORK/answer-1.txt" "$WORK/answer-2.txt"; then
    echo "identical: $(grep -c '^message' "$WORK/answer-1.txt") answers," \
        "$(awk '/^message/ { s += $2 } END { print s }' "$WORK/answer-1.txt") message bytes"
    exit 0
fi
echo "different:"
diff "$WORK/answer-1.txt" "$WORK/answer-2.txt" || true
exit 1
