#!/usr/bin/env bash
# Hot-reload latency of `growthd serve`: the time from saving an agent file to /api/agents showing
# the new version, for good edits (target: within 1 s), next to the time a broken edit takes to be
# refused. Uses the real binary and a throwaway scripts folder.
#   cmake --build build --target bench-reload      (or: bash bench/reload/run.sh [EDITS])
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export GROWTHD_BIN="${GROWTHD_BIN:-$here/../../build/growthd}"
export GROWTH_SOURCE_DIR="$(cd "$here/../.." && pwd)"
exec /usr/bin/python3 "$here/reload_bench.py" "${1:-20}"
