#!/usr/bin/env bash
# bench/queue: growthd's queue worker (core/queue through tests/queue/queue_fixture_worker) beside a
# BullMQ 6.7.0 Node worker, on one redis-server started here: no-op jobs/s at concurrency 1, 16 and 100,
# CPU seconds per 1,000 jobs of the worker and of Redis, 20,000 adds in bulk from each, and 256 jobs in
# flight each waiting 1 s on a slow local HTTP endpoint (jobs/s, peak RSS). Prints medians and ratios.
#   bash bench/queue/run.sh [--reps N] [--concurrency 1,16]   (or: cmake --build build --target bench-queue)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(dirname "${GROWTHD_BIN:-$root/build/growthd}")
cmake --build "$build" --target queue_fixture_worker >/dev/null
bash "$root/scripts/npm-deps.sh"
QUEUE_FIXTURE_BIN="$build/tests/queue/queue_fixture_worker" exec /usr/bin/python3 "$here/bench.py" "$@"
