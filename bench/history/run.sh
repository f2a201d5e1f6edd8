#!/usr/bin/env bash
# A tenant with a long history (SAMPLES samples, default 1,000,000, bulk-inserted with SQL),
# exported with `imsctl export --history all` (ExportTenantStream) and the window alone,
# then both re-imported with `imsctl import` (ImportTenantStream): wall time, peak resident
# memory (VmHWM) of imsd and imsctl, and the longest GetSecurityLevel call meanwhile (a bound on the longest loop
# pause). Release build and own PostgreSQL (../ingest/stack.sh). See bench/README.md.
#
#   SAMPLES=1000000 IMPORT_SAMPLES=20000 bench/history/run.sh    # imsd's default timeouts
#   SAMPLES=10000000 IMPORT_SAMPLES=20000 bench/history/run.sh   # ~5 GB of disk
#   IMSD_ARGS="--db-statement-timeout-ms 600000" bench/history/run.sh   # other imsd options
set -euo pipefail
. "$(dirname "$0")/../ingest/stack.sh"

SAMPLES=${SAMPLES:-1000000}
IMPORT_SAMPLES=${IMPORT_SAMPLES:-100000}
stack_start ${IMSD_ARGS:-}
cmake --build "$BUILD" --target ims_proto_python >/dev/null
TENANT=$(stack_tenants 1 history)
SMALL=$(stack_tenants 1 history-small)
stack_machine
export TENANT IMS_BENCH_PYGEN=$BUILD/gen-python
IMSCTL=$BUILD/client/cli/imsctl

# Samples one minute apart, ending now, on the tenant's metrics in turn.
fill() { # tenant count
    psql "$IMS_ADMIN_DSN" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO metric_samples (tenant_id, metric_id, at, value, received_at)
SELECT '$1', m.ids[1 + i % array_length(m.ids, 1)], now() - i * interval '1 minute',
       (i % 1000) / 7.0, now() - i * interval '1 minute'
  FROM generate_series(1, $2) i,
       (SELECT array_agg(metric_id ORDER BY metric_id) ids FROM tenant_metrics
         WHERE tenant_id = '$1' AND enabled
           AND metric_id NOT IN (SELECT metric_id FROM computed_metrics)) m;
ANALYZE metric_samples;
SQL
}
t0=$(date +%s.%N)
fill "$TENANT" "$SAMPLES"
echo "history: $SAMPLES samples inserted in $(echo "$(date +%s.%N) - $t0" | bc) s"
fill "$SMALL" "$IMPORT_SAMPLES"

hwm() { awk '/VmHWM/ {print $2 " kB"}' "/proc/$1/status"; }
# Runs imsctl with the prober alongside; prints time, imsctl's peak RSS, the prober's line.
measure() { # label args...
    local label=$1
    shift
    exec 3> >(/usr/bin/python3 "$top/bench/history/prober.py" >"$WORK/probe.txt")
    sleep 1
    local t0 t1 peak
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$WORK/time.txt" "$IMSCTL" "$@"
    t1=$(date +%s.%N)
    exec 3>&-
    sleep 2
    echo "$label: $(echo "$t1 - $t0" | bc) s, imsctl peak RSS $(cat "$WORK/time.txt") kB," \
        "imsd VmHWM so far $(hwm "$IMSD_PID"); $(cat "$WORK/probe.txt")"
}
echo "imsd VmHWM before: $(hwm "$IMSD_PID")"
measure "export window" export "$TENANT" --history window --out "$WORK/window.json"
measure "export all ($SAMPLES samples)" export "$TENANT" --history all --out "$WORK/all.json"
echo "document: $(stat -c %s "$WORK/all.json") bytes"
measure "export all ($IMPORT_SAMPLES samples)" export "$SMALL" --history all \
    --out "$WORK/small.json"
echo "document: $(stat -c %s "$WORK/small.json") bytes"
# imsctl import streams the file (ImportTenantStream); the copy must export the same bytes.
import_and_check() { # label file slug
    measure "$1" import "$2" --slug "$3" --name Copy --sector retail --size small
    "$IMSCTL" export "$3" --history all --out "$WORK/copy.json"
    cmp -s "$2" "$WORK/copy.json" && echo "$3: export of the copy is byte-identical" ||
        echo "$3: export of the copy DIFFERS"
}
import_and_check "import ($IMPORT_SAMPLES samples, ImportTenantStream)" "$WORK/small.json" \
    history-copy
import_and_check "import ($SAMPLES samples, ImportTenantStream)" "$WORK/all.json" \
    history-copy-all
