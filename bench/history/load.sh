#!/usr/bin/env bash
# The loop while a tenant with a long history loads: two builds of imsd (BEFORE and AFTER,
# e.g. Release builds of two commits) alternated over ROUNDS rounds against one database
# holding a tenant with SAMPLES samples (bulk-inserted with SQL), a watched tenant and
# SMALL_DURING + SMALL_AFTER small tenants. Each round starts a fresh imsd of each build (in
# an order that swaps every round) and runs load_probe.py: the longest gap between the
# levels a watcher of another tenant receives while the large tenant is read for the first
# time, and the first-read latency of small tenants during that load and after it. The load
# average and imsd's peak resident memory are printed with each run. Own PostgreSQL
# (../ingest/stack.sh). See bench/README.md.
#
#   BEFORE=/path/build-before AFTER=/path/build-after ROUNDS=3 SAMPLES=1000000 \
#       bench/history/load.sh
#   IMSD_ARGS="--log-level debug" LOAD_LOG=/tmp/loads.txt ...   # each load's size and time
#   PERF_DIR=/tmp/perf ...          # perf record -g of imsd during each round
#
# Both builds need the targets imsd, imsctl and ims_proto_python; AFTER's migrations are
# applied (use two commits with the same migrations).
set -euo pipefail
: "${BEFORE:?BEFORE=build folder}" "${AFTER:?AFTER=build folder}"
export IMS_BENCH_BUILD=$AFTER IMS_BENCH_NO_BUILD=1
. "$(dirname "$0")/../ingest/stack.sh"

ROUNDS=${ROUNDS:-3}
SAMPLES=${SAMPLES:-1000000}
SMALL_DURING=${SMALL_DURING:-300}
SMALL_AFTER=${SMALL_AFTER:-200}
# shellcheck disable=SC2086
stack_start ${IMSD_ARGS:-}
stack_machine
BIG=$(stack_tenants 1 load-big)
WATCHED=$(stack_tenants 1 load-watched)
small=$((SMALL_DURING + SMALL_AFTER))
psql "$IMS_ADMIN_DSN" -qAt -v ON_ERROR_STOP=1 -c "DO \$\$
DECLARE id uuid;
BEGIN
    FOR g IN 1..$small LOOP
        id := gen_random_uuid();
        PERFORM set_config('ims.tenant_id', id::text, true);
        PERFORM ims_create_tenant(id, 'load-small-' || g, 'Small ' || g, 'it-services',
                                  'small', '', 0);
    END LOOP;
END \$\$" >/dev/null
psql "$IMS_ADMIN_DSN" -At -c "SELECT id FROM tenants WHERE slug LIKE 'load-small-%' ORDER BY id" \
    >"$WORK/small"
export BIG WATCHED IMS_BENCH_PYGEN=$AFTER/gen-python
SMALL_DURING=$(head -n "$SMALL_DURING" "$WORK/small" | paste -sd,)
SMALL_AFTER=$(tail -n "$SMALL_AFTER" "$WORK/small" | paste -sd,)
export SMALL_DURING SMALL_AFTER
t0=$(date +%s.%N)
psql "$IMS_ADMIN_DSN" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO metric_samples (tenant_id, metric_id, at, value, received_at)
SELECT '$BIG', m.ids[1 + i % array_length(m.ids, 1)], now() - i * interval '1 minute',
       (i % 1000) / 7.0, now() - i * interval '1 minute'
  FROM generate_series(1, $SAMPLES) i,
       (SELECT array_agg(metric_id ORDER BY metric_id) ids FROM tenant_metrics
         WHERE tenant_id = '$BIG' AND enabled
           AND metric_id NOT IN (SELECT metric_id FROM computed_metrics)) m;
ANALYZE metric_samples;
SQL
echo "load: $SAMPLES samples inserted in $(echo "$(date +%s.%N) - $t0" | bc) s"
# The statement a load runs, for the large tenant, once (as the runtime role).
s0=$(date +%s.%N)
bytes=$(psql "$IMS_DB" -qAt -c "SELECT set_config('ims.tenant_id', '$BIG', false)" \
    -c "SELECT length(ims_tenant_snapshot('$BIG'::uuid, false)::text)" | tail -1)
echo "load: snapshot statement $(echo "$(date +%s.%N) - $s0" | bc) s, document $bytes bytes"
# The same as the load runs it since migration 0220 (when AFTER has it): the document
# without samples, and the window's samples beside it as arrays.
if psql "$IMS_ADMIN_DSN" -qAt -c "SELECT to_regproc('ims_tenant_load_samples')" | grep -q .; then
    s0=$(date +%s.%N)
    bytes=$(psql "$IMS_DB" -qAt -c "SELECT set_config('ims.tenant_id', '$BIG', false)" \
        -c "SELECT length(ims_tenant_snapshot('$BIG'::uuid, false, false)::text) || ' ' ||
                   (SELECT length(metrics::text) + length(counts::text) + length(ats::text)
                           + length(vals::text) FROM ims_tenant_load_samples('$BIG'::uuid))" |
        tail -1)
    echo "load: statement with the samples apart $(echo "$(date +%s.%N) - $s0" | bc) s," \
        "document and samples ${bytes% *} + ${bytes#* } bytes"
fi
stack_imsd_stop() {
    kill -TERM "$IMSD_PID"
    wait "$IMSD_PID" 2>/dev/null || true
    IMSD_PID=""
}
stack_imsd_stop
run_one() { # label build
    rm -f "$WORK/ready"
    # shellcheck disable=SC2086
    "$2/server/imsd" --db "$IMS_DB" --listen 127.0.0.1:0 --ready-file "$WORK/ready" \
        ${IMSD_ARGS:-} >"$WORK/imsd-$1.log" 2>&1 &
    IMSD_PID=$!
    for _ in $(seq 1 200); do
        [ -s "$WORK/ready" ] && break
        sleep 0.1
    done
    local perf=""
    if [ -n "${PERF_DIR:-}" ]; then # perf record of imsd over the round, one file per build
        perf record -q -g -o "$PERF_DIR/imsd-$1-$r.data" -p "$IMSD_PID" 2>/dev/null &
        perf=$!
    fi
    IMS_SERVER=127.0.0.1:$(head -1 "$WORK/ready") IMS_BENCH_PYGEN=$2/gen-python \
        /usr/bin/python3 "$top/bench/history/load_probe.py" >"$WORK/probe.txt"
    if [ -n "$perf" ]; then
        kill -INT "$perf"
        wait "$perf" 2>/dev/null || true
    fi
    # imsd's peak resident memory over the round (the loads included).
    echo "round=$r build=$1 loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\" $(cat "$WORK/probe.txt")" \
        "imsd_hwm_kib=$(awk '/^VmHWM/ { print $2 }' "/proc/$IMSD_PID/status")"
    stack_imsd_stop
    # With IMSD_ARGS="--log-level debug": the loads' own lines, kept in LOAD_LOG.
    if [ -n "${LOAD_LOG:-}" ]; then
        grep -h 'tenant load' "$WORK/imsd-$1.log" | sed "s/^/round=$r build=$1 /" \
            >>"$LOAD_LOG" || true
    fi
}
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then
        run_one before "$BEFORE"
        run_one after "$AFTER"
    else
        run_one after "$AFTER"
        run_one before "$BEFORE"
    fi
done
