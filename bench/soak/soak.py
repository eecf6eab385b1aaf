"""The soak behind bench/soak/run.sh (see there). Prints one line per sample and a summary; writes
soak.csv and soak.png (gnuplot) into --out (default bench/soak/out). The SSE clients are one process
(sse_clients.py, asyncio) holding --sse-clients streams of /api/orchestrator/events; the events they
received are sampled with the rest, and every client must have stayed connected and seen the events the
others saw."""
import argparse
import csv
import http.client
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ["GROWTH_SOURCE_DIR"], "tests", "reliability"))
from fleet import Fleet  # noqa: E402

SAMPLE_S = 5
KEEP = 500
HERE = os.path.dirname(os.path.abspath(__file__))


class SseClients:
    """The sse_clients.py process and its status file."""

    def __init__(self, port, count, folder):
        self.status_path = os.path.join(folder, "sse-status.json")
        if os.path.exists(self.status_path):
            os.remove(self.status_path)
        self.process = subprocess.Popen([sys.executable, os.path.join(HERE, "sse_clients.py"), "--port", str(port),
                                         "--clients", str(count), "--status", self.status_path])
        self.count = count

    def status(self):
        try:
            with open(self.status_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {"clients": self.count, "connected": 0, "events": [0] * self.count, "reconnects": 0,
                    "heartbeats": 0, "errors": []}

    def wait_connected(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status()["connected"] == self.count:
                return True
            time.sleep(0.2)
        return False

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        return self.status()


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


class Prober(threading.Thread):
    """Asks the API for /api/orchestrator/health and /api/dashboard in turn, ten times a second, keeping the
    latencies of the current sample window."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.lock, self.latencies, self.errors, self.stopped = port, threading.Lock(), [], 0, False

    def run(self):
        paths = ["/api/orchestrator/health", "/api/dashboard"]
        n = 0
        while not self.stopped:
            start = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", paths[n % 2])
                status = conn.getresponse().status
                conn.close()
                ok = status == 200
            except OSError:
                ok = False
            with self.lock:
                self.latencies.append((time.monotonic() - start) * 1000)
                self.errors += 0 if ok else 1
            n += 1
            time.sleep(max(0, 0.1 - (time.monotonic() - start)))

    def take(self):
        with self.lock:
            values, errors = sorted(self.latencies), self.errors
            self.latencies, self.errors = [], 0
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))] if values else 0.0
        return p99, len(values), errors


def plot(csv_path, png_path, names):
    rss_columns = [f"rss_{n}_kb" for n in names]
    script = f"""set terminal pngcairo size 1200,900 noenhanced
set output '{png_path}'
set datafile separator ','
set key autotitle columnhead left top
set multiplot layout 3,2 title 'growthd soak'
set xlabel 'seconds'
set title 'throughput (jobs/s)'
plot '{csv_path}' using 1:4 with lines
set title 'SSE events received per second (all clients)'
plot '{csv_path}' using 1:(column('sse_events_per_s')) with lines title 'events/s'
set title 'SSE clients connected'
set yrange [0:*]
plot '{csv_path}' using 1:(column('sse_connected')) with lines title 'connected'
set autoscale y
set title 'API p99 (ms)'
plot '{csv_path}' using 1:5 with lines
set title 'RSS (MB)'
plot """ + ", ".join(f"'{csv_path}' using 1:(column('{c}')/1024) with lines title '{c}'" for c in rss_columns) + f"""
set title 'Redis used memory (MB)'
plot '{csv_path}' using 1:(column('redis_used_memory_b')/1048576) with lines title 'used_memory'
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def mean(values):
    return sum(values) / len(values) if values else 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=int, default=20, help="jobs launched a second")
    parser.add_argument("--sse-clients", type=int, default=30, help="clients on /api/orchestrator/events")
    parser.add_argument("--rss-check", action=argparse.BooleanOptionalAction, default=True,
                        help="fail when RSS grows after warm-up (off for sanitized builds, whose allocator keeps "
                             "freed memory in quarantine)")
    parser.add_argument("--out", default=os.path.join(HERE, "out"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    fleet = Fleet(extra_env={"GROWTH_KEEP_COMPLETED": str(KEEP), "GROWTH_KEEP_FAILED": str(KEEP),
                             "GROWTH_LOCK_DURATION_MS": "30000", "GROWTH_STALLED_INTERVAL_MS": "30000"})
    sse = None
    try:
        serve = fleet.start_serve()
        workers = [fleet.start_worker(concurrency=4) for _ in range(2)]
        processes = {"serve": serve.process.pid, "worker1": workers[0].process.pid,
                     "worker2": workers[1].process.pid, "redis": fleet.redis.process.pid}
        sse = SseClients(serve.port, args.sse_clients, args.out)
        processes["sse_clients"] = sse.process.pid
        if not sse.wait_connected():
            raise SystemExit(f"soak: the SSE clients did not all connect: {sse.status()}")
        print(f"soak: {args.sse_clients} SSE clients connected to /api/orchestrator/events")
        prober = Prober(serve.port)
        prober.start()
        csv_path = os.path.join(args.out, "soak.csv")
        columns = ["t_s", "launched", "finished", "jobs_per_s", "api_p99_ms", "api_requests", "api_errors"] + \
                  [f"rss_{n}_kb" for n in processes] + ["redis_used_memory_b", "completed_kept", "sse_connected",
                                                         "sse_events", "sse_events_per_s"]
        rows = []
        launched = 0
        start = time.monotonic()
        end = start + args.minutes * 60
        next_sample = start + SAMPLE_S
        last_finished, last_t, last_events = 0, start, 0
        names = ["sidefx", "noop"]
        with open(csv_path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(columns)
            while time.monotonic() < end:
                second = time.monotonic()
                launched += len(fleet.launch([names[i % 2] for i in range(args.rate)]))
                if time.monotonic() >= next_sample:
                    now = time.monotonic()
                    counts = fleet.counts()
                    finished = launched - counts["wait"] - counts["active"] - counts["delayed"] - counts["prioritized"]
                    info = fleet.redis.resp.call("INFO", "memory")
                    used = int(next(l.split(":")[1] for l in info.splitlines() if l.startswith("used_memory:")))
                    p99, requests, errors = prober.take()
                    streams = sse.status()
                    events = sum(streams["events"])
                    row = [round(now - start, 1), launched, finished, round((finished - last_finished) / (now - last_t), 1),
                           round(p99, 1), requests, errors] + [rss_kb(p) for p in processes.values()] + \
                          [used, counts["completed"], streams["connected"], events,
                           round((events - last_events) / (now - last_t), 1)]
                    writer.writerow(row)
                    f.flush()
                    rows.append(dict(zip(columns, row)))
                    print(" ".join(f"{c}={v}" for c, v in zip(columns, row)))
                    last_finished, last_t, last_events = finished, now, events
                    next_sample += SAMPLE_S
                time.sleep(max(0, 1 - (time.monotonic() - second)))
        prober.stopped = True
        time.sleep(2)   # the last events reach the clients
        streams = sse.stop()
        codes = fleet.stop_all()
        plot(csv_path, os.path.join(args.out, "soak.png"), list(processes))
        # checks: after warm-up (the first third, at least a minute when the run allows it)
        warm = [r for r in rows if r["t_s"] >= max(min(60, args.minutes * 20), args.minutes * 60 / 3)]
        half = len(warm) // 2
        failures = []
        if half < 2:
            failures.append("too few samples after warm-up to judge; run longer")
        else:
            early, late = warm[:half], warm[half:]
            for name in processes:
                column = f"rss_{name}_kb"
                a, b = mean([r[column] for r in early]), mean([r[column] for r in late])
                print(f"soak: {name} RSS after warm-up {a / 1024:.1f} MB -> {b / 1024:.1f} MB")
                if args.rss_check and name not in ("redis", "sse_clients") and b > a * 1.10 + 2048:
                    failures.append(f"{name} RSS grew from {a / 1024:.1f} to {b / 1024:.1f} MB after warm-up")
            a, b = mean([r["redis_used_memory_b"] for r in early]), mean([r["redis_used_memory_b"] for r in late])
            print(f"soak: Redis used memory after warm-up {a / 1048576:.1f} MB -> {b / 1048576:.1f} MB "
                  f"(completed jobs kept: {warm[-1]['completed_kept']}, retention {KEEP})")
            if b > a * 1.15 + 1048576:
                failures.append(f"Redis memory grew from {a / 1048576:.1f} to {b / 1048576:.1f} MB after warm-up")
            if warm[-1]["completed_kept"] > KEEP:
                failures.append(f"{warm[-1]['completed_kept']} completed jobs kept; retention is {KEEP}")
        total_s = rows[-1]["t_s"] if rows else 0
        print(f"soak: {launched} jobs launched in {total_s:.0f} s, {rows[-1]['finished'] if rows else 0} finished; "
              f"mean {mean([r['jobs_per_s'] for r in warm]):.1f} jobs/s after warm-up; API p99 max "
              f"{max([r['api_p99_ms'] for r in warm] or [0]):.1f} ms, mean {mean([r['api_p99_ms'] for r in warm]):.1f} ms; "
              f"API errors {sum(r['api_errors'] for r in rows)}; exit codes {codes}")
        per_client = streams["events"]
        print(f"soak: {len(per_client)} SSE clients received {sum(per_client)} events "
              f"({min(per_client)}..{max(per_client)} each), {streams['heartbeats']} heartbeats, "
              f"{streams['reconnects']} reconnects; least connected in a sample: "
              f"{min([r['sse_connected'] for r in rows] or [0])}")
        if streams["reconnects"] or min(per_client) == 0 or min(per_client) < 0.99 * max(per_client):
            failures.append(f"SSE clients lost their stream or events: {streams['reconnects']} reconnects, "
                            f"{min(per_client)}..{max(per_client)} events each; {streams['errors']}")
        print(f"soak: wrote {csv_path} and {os.path.join(args.out, 'soak.png')}")
        if any(codes):
            failures.append(f"processes exited with {codes}")
        for failure in failures:
            print("soak: FAIL " + failure)
        return 1 if failures else 0
    finally:
        if sse:
            sse.stop()
        fleet.cleanup()


if __name__ == "__main__":
    sys.exit(main())
