#!/usr/bin/env bash
# The read path's answer, byte for byte, from two builds against the same tenant state:
# one stack (../ingest/stack.sh, the AFTER build's imsd), one tenant with an incident
# recorded, then a second imsd of the BEFORE build on the same database. answer.py asks
# both at the same moment (so the tenant's evaluation time is the same second in both),
# in four request forms, then once more with nghttp -v (the received headers, DATA frames
# with their bytes, and trailers); the two servers' answers are compared byte for byte.
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
awk -v dir="$WORK" '/^== /{n++; next} { print > (dir "/answer-" n ".txt") }' "$WORK/answers.txt"
# The plain request once more through nghttp -v (the tenant is loaded in both now): what
# was received, response headers, DATA bytes and trailers as they came, times taken out.
printf '\x00\x00\x00\x00\x26\x0a\x24%s' "$tenant" >"$WORK/request.bin"
n=0
for server in "$before" "$SERVER"; do
    n=$((n + 1))
    nghttp -v -H 'content-type: application/grpc' -H 'te: trailers' \
        -H "authorization: Bearer $TOKEN" -d "$WORK/request.bin" \
        "http://$server/ims.v1.Level/GetSecurityLevel" >"$WORK/nghttp-$n.raw" 2>&1 || true
    sed -n '/recv (stream_id=/,$p' "$WORK/nghttp-$n.raw" | grep -av -e GOAWAY -e last_stream_id |
        sed 's/\[ *[0-9.]*\] //g' >>"$WORK/answer-$n.txt"
done
grep -a -E '^(request|status)' "$WORK/answer-1.txt" | paste -sd' '
grep -a -E 'grpc-status|grpc-message|recv DATA' "$WORK/answer-1.txt"
if cmp -s "$WORK/answer-1.txt" "$WORK/answer-2.txt"; then
    echo "identical: $(grep -c '^message' "$WORK/answer-1.txt") answers through grpcio," \
        "$(awk '/^message/ { s += $2 } END { print s }' "$WORK/answer-1.txt") message bytes;" \
        "the plain one through nghttp: headers, DATA and trailers"
    exit 0
fi
echo "different:"
diff -a "$WORK/answer-1.txt" "$WORK/answer-2.txt" | cat -v || true
exit 1
