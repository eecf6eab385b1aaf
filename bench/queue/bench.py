"""The driver of bench/queue (see run.sh): one redis-server, the same no-op jobs, each worker in turn; the
runs of the two sides are interleaved and each figure is the median of --reps runs.

Throughput: the jobs are added while the queue is paused, the worker is started and left idle, then the
queue is resumed and the clock runs until the completed set holds every job. CPU is read from
/proc/<pid>/stat (user + system) of the worker process and of redis-server over the same span.
"""
import http.server
import json
import os
import signal
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.environ["QUEUE_FIXTURE_BIN"]
NODE_WORKER = os.path.join(ROOT, "tests", "interop", "bullmq_worker.js")
NODE_BENCH = os.path.join(ROOT, "bench", "queue", "bullmq_bench.js")
NODE_PATH = os.path.join(ROOT, "tests", "node_modules")
TICKS = os.sysconf("SC_CLK_TCK")
REPS = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 3
JOBS = {1: 5000, 16: 20000, 100: 20000}
if "--concurrency" in sys.argv:   # only these throughput cases, and nothing else
    JOBS = {int(c): JOBS.get(int(c), 20000) for c in sys.argv[sys.argv.index("--concurrency") + 1].split(",")}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Resp:
    """A minimal Redis client for the driver's own polling."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.file = self.sock.makefile("rb")

    def __call__(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self._read()

    def _read(self):
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind in (b"+", b"-"):
            return rest.decode()
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.file.read(n + 2)[:-2].decode()
        return [self._read() for _ in range(int(rest))]


class Bench:
    def __init__(self):
        self.port = free_port()
        self.redis_process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--loglevel", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                self.redis = Resp(self.port)
                break
            except OSError:
                time.sleep(0.05)
        self.env = {"PATH": os.environ["PATH"], "REDIS_URL": f"redis://127.0.0.1:{self.port}", "NODE_PATH": NODE_PATH}
        self.runs = 0

    def close(self):
        self.redis_process.terminate()
        self.redis_process.wait()

    def add(self, queue, count, name="noop", data=None):
        args = [FIXTURE, "add", "--name", name, "--bulk", "--count", str(count), "--time"]
        if data:
            args += ["--data", json.dumps(data)]
        done = subprocess.run(args, env=dict(self.env, GROWTH_QUEUE_NAME=queue), capture_output=True, text=True,
                              check=True)
        return float(done.stderr.split(" in ")[1].split()[0])

    def start_worker(self, kind, queue, concurrency):
        if kind == "growthd":
            args = [FIXTURE, "worker", "--concurrency", str(concurrency)]
        else:
            args = ["node", NODE_WORKER, queue, "--concurrency", str(concurrency)]
        process = subprocess.Popen(args, env=dict(self.env, GROWTH_QUEUE_NAME=queue), stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        if process.stdout.readline().strip() != "ready":
            raise SystemExit(f"{kind} worker did not start")
        return process

    def run_jobs(self, kind, concurrency, jobs, name="noop", data=None):
        """Returns (jobs/s, worker CPU s per 1000 jobs, Redis CPU s per 1000 jobs, worker peak RSS MB)."""
        self.runs += 1
        queue = f"bench{self.runs}"
        self.redis("FLUSHALL")
        self.redis("HSET", f"bull:{queue}:meta", "paused", "1")
        self.add(queue, jobs, name, data)
        worker = self.start_worker(kind, queue, concurrency)
        time.sleep(0.5)
        worker_cpu, redis_cpu = cpu_seconds(worker.pid), cpu_seconds(self.redis_process.pid)
        started = time.monotonic()
        self.redis("HDEL", f"bull:{queue}:meta", "paused")
        self.redis("ZADD", f"bull:{queue}:marker", "0", "0")
        while self.redis("ZCARD", f"bull:{queue}:completed") < jobs:
            time.sleep(0.005)
        elapsed = time.monotonic() - started
        worker_cpu = cpu_seconds(worker.pid) - worker_cpu
        redis_cpu = cpu_seconds(self.redis_process.pid) - redis_cpu
        rss = peak_rss_mb(worker.pid)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        return jobs / elapsed, worker_cpu / jobs * 1000, redis_cpu / jobs * 1000, rss

    def bulk_add(self, kind, count):
        """Returns (adds/s, Redis CPU s per 1000 adds)."""
        self.runs += 1
        queue = f"bench{self.runs}"
        self.redis("FLUSHALL")
        redis_cpu = cpu_seconds(self.redis_process.pid)
        if kind == "growthd":
            ms = self.add(queue, count)
        else:
            done = subprocess.run(["node", NODE_BENCH, "add", queue, str(count)], env=self.env, capture_output=True,
                                  text=True, check=True)
            ms = json.loads(done.stdout)["ms"]
        redis_cpu = cpu_seconds(self.redis_process.pid) - redis_cpu
        assert self.redis("LLEN", f"bull:{queue}:wait") == count
        return count / (ms / 1000), redis_cpu / count * 1000


class SlowHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(1.0)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class SlowServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024


def median(values):
    return statistics.median(values)


def interleaved(measure):
    """REPS runs of each side, interleaved and in alternating order (growthd first, then BullMQ first), so
    that a change in the machine's load over the run weighs on both sides alike."""
    runs = {"growthd": [], "bullmq": []}
    for rep in range(REPS):
        for kind in (("growthd", "bullmq") if rep % 2 == 0 else ("bullmq", "growthd")):
            runs[kind].append(measure(kind))
    return runs


def main():
    bench = Bench()
    rows = []
    try:
        print(f"bench/queue: {REPS} runs each, medians; redis-server on port {bench.port}", flush=True)
        print(f"{'case':<34}{'growthd':>14}{'BullMQ':>14}{'ratio':>9}")
        for concurrency, jobs in JOBS.items():
            runs = interleaved(lambda kind: bench.run_jobs(kind, concurrency, jobs))
            results = {kind: [median([r[i] for r in runs[kind]]) for i in range(4)] for kind in runs}
            g, b = results["growthd"], results["bullmq"]
            rows.append((f"no-op jobs/s, concurrency {concurrency}", g[0], b[0], g[0] / b[0]))
            rows.append((f"  worker CPU s / 1000 jobs", g[1], b[1], g[1] / b[1] if b[1] else 0))
            rows.append((f"  Redis CPU s / 1000 jobs", g[2], b[2], g[2] / b[2] if b[2] else 0))
            for row in rows[-3:]:
                print(f"{row[0]:<34}{row[1]:>14.3f}{row[2]:>14.3f}{row[3]:>8.2f}x", flush=True)
        if "--concurrency" in sys.argv:
            return
        adds = interleaved(lambda kind: bench.bulk_add(kind, 20000))
        g = [median([r[i] for r in adds["growthd"]]) for i in range(2)]
        b = [median([r[i] for r in adds["bullmq"]]) for i in range(2)]
        for label, gv, bv in (("bulk add 20,000: adds/s", g[0], b[0]), ("  Redis CPU s / 1000 adds", g[1], b[1])):
            print(f"{label:<34}{gv:>14.3f}{bv:>14.3f}{gv / bv if bv else 0:>8.2f}x", flush=True)
        server = SlowServer(("127.0.0.1", 0), SlowHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/slow"
        slow = {kind: bench.run_jobs(kind, 256, 1024, "http", {"url": url}) for kind in ("growthd", "bullmq")}
        g, b = slow["growthd"], slow["bullmq"]
        print(f"{'256 in flight, 1 s HTTP: jobs/s':<34}{g[0]:>14.1f}{b[0]:>14.1f}{g[0] / b[0]:>8.2f}x")
        print(f"{'  worker peak RSS (MB)':<34}{g[3]:>14.1f}{b[3]:>14.1f}{g[3] / b[3]:>8.2f}x", flush=True)
        server.shutdown()
    finally:
        bench.close()


if __name__ == "__main__":
    main()
