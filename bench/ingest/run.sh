#!/usr/bin/env bash
# Ingest benchmark: durable samples/s through imsd (PushMetrics batches of 1,000 samples
# with idempotency keys, several connections, many tenants) beside a raw COPY of the same
# number of rows into metric_samples, in the same run on the same database, and (unless
# INSERT_FLOOR=0) the same rows through INSERT, one transaction per batch on
# COPY_CONNECTIONS connections, without row-level security: PostgreSQL's INSERT path.
#
#   bench/ingest/run.sh                 defaults below; override with the environment:
#   CONNECTIONS=8 TENANTS=20 BATCHES=400 BATCH_SIZE=1000 COPY_CONNECTIONS=2
#   IMSD_ARGS="--ingest-batch 256"      extra imsd options
#
# Sets up and tears down everything itself (stack.sh). Prints the machine and the figures.
set -euo pipefail
. "$(dirname "$0")/stack.sh"

connections=${CONNECTIONS:-8}
tenants=${TENANTS:-20}
batches=${BATCHES:-400}
batch_size=${BATCH_SIZE:-1000}
copy_connections=${COPY_CONNECTIONS:-2}
insert_floor=${INSERT_FLOOR:-1}

# shellcheck disable=SC2086
stack_start ${IMSD_ARGS:-}
ids=$(stack_tenants "$tenants" ingest)
metrics=$(stack_metrics)
stack_machine
timeout 600 "$BUILD/bench/ingest/bench_ingest" --server "$SERVER" --token "$TOKEN" \
    --tenants "$ids" --metrics "$metrics" --connections "$connections" --batches "$batches" \
    --batch-size "$batch_size" --key-prefix "ingest-$$" --copy-dsn "$IMS_ADMIN_DSN" \
    --copy-connections "$copy_connections" --insert-floor "$insert_floor"
# Every acknowledged sample is stored once: the daemon's rows (value < 1e9), COPY's and
# INSERT's (>= 2e9).
psql "$IMS_ADMIN_DSN" -Atc "SELECT 'stored daemon_rows=' || count(*) FILTER (WHERE value < 1e9) \
    || ' copy_rows=' || count(*) FILTER (WHERE value >= 1e9 AND value < 2e9) \
    || ' insert_rows=' || count(*) FILTER (WHERE value >= 2e9) FROM metric_samples"
