#!/usr/bin/env bash
# Where a write's time goes: runs bench/latency/run.sh (COUNT=8000 unless set, so that the
# writes last long enough) and, a second after the writes start, `perf record -g` for SECS
# seconds (default 4) of imsd and the bench PostgreSQL's processes only (ALL=1: the whole
# machine, perf record -a); see ../profile.sh.
#
#   bench/latency/profile.sh OUT        writes OUT.log (the bench's output), OUT.data
#   perf report -i OUT.data --no-children --sort comm        PostgreSQL against imsd
#   perf report -i OUT.data --no-children --comm imsd --sort sym
#   perf report -i OUT.data --children --comm postgres --sort sym -g none
#
# Takes the same environment as run.sh (IMS_BENCH_BUILD, IMS_BENCH_NO_BUILD, ...).
set -u
here=$(cd "$(dirname "$0")" && pwd)
COUNT=${COUNT:-8000} exec "$here/../profile.sh" "$here/run.sh" "${1:?usage: bench/latency/profile.sh OUT}"
