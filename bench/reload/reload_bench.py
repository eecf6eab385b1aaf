"""Measures save-to-current latency of hot reload (see run.sh)."""
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "lib"))
import harness  # noqa: E402

AGENT = "return {{ name = 'timed', tier = 'rooted', title = 'Timed {n}', run = function(ctx) return {{ n = {n} }} end }}\n"
BROKEN = "return {{ name = 'timed', tier = 'rooted', title = 'Broken {n}', run = function(ctx) return {{ n = end }}\n"


def save(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def agent(server):
    status, body = server.json("GET", "/api/agents")
    return {a["name"]: a for a in body["agents"]}.get("timed", {})


def wait(predicate):
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > 10:
            raise SystemExit("bench/reload: no reload within 10 s")
        time.sleep(0.002)
    return time.monotonic() - start


def main():
    edits = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    scripts = tempfile.mkdtemp(prefix="growth-reload-bench-")
    os.makedirs(os.path.join(scripts, "agents"))
    path = os.path.join(scripts, "agents", "timed.lua")
    save(path, AGENT.format(n=0))
    server = harness.Growthd(env={"GROWTH_SCRIPTS_DIR": scripts, "GROWTH_LOG_LEVEL": "warn"}).start()
    good, broken = [], []
    try:
        for n in range(1, edits + 1):
            save(path, AGENT.format(n=n))
            good.append(wait(lambda: agent(server).get("title") == f"Timed {n}"))
            save(path, BROKEN.format(n=n))
            broken.append(wait(lambda: (agent(server).get("error") or "").startswith("agents/timed.lua:1:")))
    finally:
        server.cleanup()
        shutil.rmtree(scripts, ignore_errors=True)
    print(f"hot reload, {edits} edits each, save to visible in /api/agents (polled every 2 ms)")
    print(f"  {'':34} {'median ms':>10} {'max ms':>10}")
    for label, samples in (("good edit becomes current", good), ("broken edit refused, old kept", broken)):
        print(f"  {label:34} {statistics.median(samples) * 1000:10.1f} {max(samples) * 1000:10.1f}")
    print(f"target: a good version current within 1000 ms: {'met' if max(good) <= 1.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
