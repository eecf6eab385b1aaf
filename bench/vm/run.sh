#!/usr/bin/env bash
# The per-job cost of growthd's Lua VM, side by side with the floor (luaL_newstate + luaL_openlibs +
# lua_close) measured in the same run: median and p90 time per job and peak VM memory.
# Target: <= 50 us and <= 200 KB per job.
#   cmake --build build --target bench-vm          (or: bash bench/vm/run.sh [ITERATIONS])
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
program="${BENCH_PROGRAM:-$here/../../build/bench/vm/bench_vm}"
if [[ ! -x "$program" ]]; then
  echo "bench/vm: $program is not built; run: cmake --build build --target bench_vm" >&2
  exit 1
fi
exec "$program" "${1:-20000}"
