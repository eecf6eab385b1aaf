#!/usr/bin/env bash
# Calls per second through growthd's HTTP client (core/net/http_client) against a stand-in that
# answers every call in 50 ms, at 1, 16 and 64 concurrent callers sharing one client, printed
# beside the ideal (callers / 50 ms) and the number of TCP connections the stand-in accepted,
# which shows that connections are reused (one per caller at most) and that calls overlap.
# Target: at least 80% of the ideal at every level.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${GROWTH_BUILD_DIR:-$(dirname "${GROWTHD_BIN:-$root/build/growthd}")}"
cmake --build "$build" --target google_fixture -j2 >/dev/null
fixture="$build/tests/google/google_fixture"
seconds="${BENCH_SECONDS:-5}"
delay_ms=50

/usr/bin/python3 - "$fixture" "$seconds" "$delay_ms" "$root" <<'PY'
import json, subprocess, sys
fixture, seconds, delay_ms, root = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, f"{root}/tests/standins")
from standin import EchoStandIn
server = EchoStandIn().start()
print(f"http-client: GET {server.url}/delay/{delay_ms}, {seconds:g} s per level, one shared client")
print(f"{'callers':>8} {'calls/s':>10} {'ideal/s':>10} {'of ideal':>9} {'errors':>7} {'connections':>12}")
worst = 1.0
try:
    for callers in (1, 16, 64):
        before = server.connections
        out = subprocess.run([fixture, "http-load", f"{server.url}/delay/{delay_ms}", str(callers), str(seconds)],
                             capture_output=True, text=True, check=True,
                             env={"GROWTH_LOG_LEVEL": "warn", "GROWTH_HTTP_TIMEOUT_MS": "10000"}).stdout
        result = json.loads(out.splitlines()[-1])["result"]
        ideal = callers * 1000.0 / delay_ms
        share = result["calls_per_s"] / ideal
        worst = min(worst, share)
        print(f"{callers:>8} {result['calls_per_s']:>10.1f} {ideal:>10.1f} {share:>8.0%} {result['errors']:>7} "
              f"{server.connections - before:>12}")
finally:
    server.stop()
print(f"target: >= 80% of ideal at every level; worst {worst:.0%} -> {'met' if worst >= 0.8 else 'NOT met'}")
PY
