#!/usr/bin/env bash
# Soak: one `growthd serve` (API) and two `growthd worker`s on one Redis, launching agents steadily for
# N minutes (10 by default) while SSE clients stay connected, sampling throughput, API p99, the RSS of every
# process and Redis memory into soak.csv and soak.png; fails when RSS grows after warm-up or Redis memory is
# not bounded by the retention settings.
#   cmake --build build --target bench-soak
#   bash bench/soak/run.sh [--minutes N] [--rate JOBS_PER_S] [--sse-clients N] [--out DIR]
# The SSE clients (bench/soak/sse_clients.py, one asyncio process) count the events each receives; every client
# must stay connected and see them all.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export GROWTHD_BIN="${GROWTHD_BIN:-$here/../../build/growthd}"
export GROWTH_SOURCE_DIR="$(cd "$here/../.." && pwd)"
exec /usr/bin/python3 -u "$here/soak.py" "$@"
