#!/usr/bin/env bash
# Where the ingest benchmark's time goes: runs bench/ingest/run.sh (BATCHES=1600 unless
# set, so that the imsd phase lasts long enough) and, a second into the imsd phase,
# `perf record -g` for SECS seconds (default 4) of imsd and the bench PostgreSQL's
# processes only (ALL=1: the whole machine, perf record -a); see ../profile.sh.
#
#   bench/ingest/profile.sh OUT         writes OUT.log (the bench's output), OUT.data
#   perf report -i OUT.data --no-children --sort comm        PostgreSQL against imsd
#   perf report -i OUT.data --children --comm postgres --sort sym -g none
#
# Takes the same environment as run.sh (IMS_BENCH_BUILD, IMS_BENCH_NO_BUILD, ...).
set -u
here=$(cd "$(dirname "$0")" && pwd)
BATCHES=${BATCHES:-1600} exec "$here/../profile.sh" "$here/run.sh" "${1:?usage: bench/ingest/profile.sh OUT}"
