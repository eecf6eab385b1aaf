#!/usr/bin/env bash
# Runs every test: builds growthd plainly (build/) and with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/), runs ctest in both, then builds the libFuzzer
# targets with clang (build-fuzz/) and runs each for GROWTH_FUZZ_SECONDS (default 20).
# Each suite starts the servers it needs (redis-server, stand-ins) on free loopback ports.
# Arguments go to the two main ctest runs (e.g. -L unit); the fuzz run is skipped then.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/npm-deps.sh

jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGROWTH_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
echo "== ctest (plain build)"
ctest --test-dir build --output-on-failure -j"$jobs" "$@"
echo "== ctest (sanitized build)"
ctest --test-dir build-asan --output-on-failure -j"$jobs" "$@"

if [ "$#" -eq 0 ]; then
  echo "== fuzz targets (clang, ${GROWTH_FUZZ_SECONDS:-20}s each)"
  CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DGROWTH_FUZZ=ON \
    -DGROWTH_FUZZ_SECONDS="${GROWTH_FUZZ_SECONDS:-20}" >/dev/null
  cmake --build build-fuzz -j"$jobs"
  ctest --test-dir build-fuzz -L fuzz --output-on-failure -j"$jobs"
fi
