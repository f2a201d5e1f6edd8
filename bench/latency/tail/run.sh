#!/usr/bin/env bash
# The write's statements alone, as the runtime role under row-level security: backend CPU
# per transaction (pgbench, one client, -M prepared), the variants alternated ROUNDS
# times. Each script ends in ROLLBACK (the statements' cost without the commit's WAL
# flush; a sequence, which a rollback does not undo, counts the transactions). Sets up and
# tears down its own stack (../../ingest/stack.sh).
#
#   bench/latency/tail/run.sh        ROUNDS=6 COUNT=6000 SCRIPTS="separate one_call"
#
# Scripts (SCRIPTS, names of the .sql files here):
#   separate          the pipeline imsd sends for a new incident (incident, ims_audit_append,
#                     idempotency row, ims_commit_level)
#   proposed          the same with the two functions as migrations 0210 and 0211 made them
#                     (the cluster's own, migrated by this tree)
#   one_call          audit, idempotency row and revision/history/NOTIFY in one function
#                     (one_call_function.sql; measured, not kept)
#   narrow            the same as proposed with the revision and level in a narrow table of
#                     their own instead of the tenants row (narrow_function.sql; measured,
#                     not kept)
#   audit_now, audit_merged        the audit append alone, before and after 0210
#   commit_now, commit_qualified   ims_commit_level alone, before and after 0211
#   commit_narrow                  ims_commit_level alone on the narrow table
#   pipe_explicit, pipe_implicit   the pipeline committed (these two do not roll back), in
#                                  pgbench's pipeline mode, with BEGIN and COMMIT or in the
#                                  implicit transaction a pipeline's Sync ends
# The variant functions, and the two functions as they were before 0210 and 0211
# (before_functions.sql), are created under other names on the throwaway cluster only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../ingest/stack.sh"
rounds=${ROUNDS:-6}
count=${COUNT:-6000}
scripts=${SCRIPTS:-separate one_call}
stack_start
tenant=$(stack_tenants 1 tail)
psql "$IMS_ADMIN_DSN" -qX -v ON_ERROR_STOP=1 -f "$here/before_functions.sql" -f "$here/one_call_function.sql" -f "$here/narrow_function.sql" \
    -c "CREATE SEQUENCE pgb_seq; GRANT USAGE, SELECT ON pgb_seq TO ims_app"
seq_now() { psql "$IMS_ADMIN_DSN" -AtXc "SELECT last_value FROM pgb_seq"; }
# The backend's CPU time (utime + stime, /proc) between the 300th transaction and the
# last fifth, divided by the transactions in between (a sequence counts them).
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo -1; }
measure() {
    local f=$here/$1.sql b c0 c1 t0 t1 pid pp
    b=$(seq_now)
    pgbench "$IMS_DB" -n -M prepared -D t="$tenant" -f "$f" -t "$count" -c 1 >/dev/null 2>&1 &
    pp=$!
    while [ $(($(seq_now) - b)) -lt 300 ]; do sleep 0.02; done
    pid=$(psql "$IMS_ADMIN_DSN" -AtXc "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench' LIMIT 1")
    c0=$(seq_now) t0=$(ticks "$pid")
    while [ $(($(seq_now) - b)) -lt $((count - count / 5)) ]; do sleep 0.02; done
    c1=$(seq_now) t1=$(ticks "$pid")
    wait "$pp"
    awk -v n=$((c1 - c0)) -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$1" \
        'BEGIN { printf "%s txns=%d cpu_us_per_txn=%.1f\n", s, n, t * 1e6 / hz / n }'
}
stack_machine
for r in $(seq 1 "$rounds"); do
    echo "round $r load $(cut -d' ' -f1-3 /proc/loadavg)"
    for s in $scripts; do measure "$s"; done
done
