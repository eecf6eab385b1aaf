#!/usr/bin/env bash
# PDF benchmark: a 5-page report with a bar chart and the Ikigai diagram, built by the
# cairo/pango provider (tests/media/media_tool) and, in the same run, printed from the
# same content as HTML by headless Chromium (what the replaced system did with
# Puppeteer). Prints median time and peak memory of each, and the ratios.
#   cmake --build build --target bench-pdf        or   bash bench/pdf/run.sh [RUNS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(dirname "${GROWTHD_BIN:-$root/build/growthd}")"
cmake --build "$build" --target media_tool >/dev/null
command -v chromium >/dev/null || { echo "bench-pdf: chromium is not installed (scripts/install-deps.sh)"; exit 1; }
exec /usr/bin/python3 -u "$here/bench.py" --tool "$build/tests/media/media_tool" --runs "${1:-5}"
