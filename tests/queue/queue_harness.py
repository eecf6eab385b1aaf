"""Helpers of the queue suites: the fixture worker as a process, and reading BullMQ's keys with redis-cli."""
import json
import os
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import GROWTHD_BIN, SOURCE_DIR, Redis, wait_until  # noqa: E402,F401

FIXTURE_BIN = os.environ.get("QUEUE_FIXTURE_BIN",
                             os.path.join(SOURCE_DIR, "build", "tests", "queue", "queue_fixture_worker"))


class Fixture:
    """queue_fixture_worker against one Redis and queue."""

    def __init__(self, redis, queue):
        self.redis = redis
        self.queue = queue
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "REDIS_URL": redis.url,
                    "GROWTH_QUEUE_NAME": queue}
        for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            if name in os.environ:
                self.env[name] = os.environ[name]

    def add(self, name, *args, data=None):
        argv = [FIXTURE_BIN, "add", "--name", name] + [str(a) for a in args]
        if data is not None:
            argv += ["--data", data if isinstance(data, str) else json.dumps(data)]
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise AssertionError(f"fixture add failed: {done.stderr}")
        return json.loads(done.stdout)

    def read(self, *args):
        done = subprocess.run([FIXTURE_BIN] + [str(a) for a in args], env=self.env, capture_output=True, text=True,
                              timeout=60)
        if done.returncode != 0:
            raise AssertionError(f"fixture {args[0]} failed: {done.stderr}")
        return json.loads(done.stdout)

    def add_fails(self, name, *args, data=None):
        argv = [FIXTURE_BIN, "add", "--name", name] + [str(a) for a in args]
        if data is not None:
            argv += ["--data", data]
        return subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=60)

    def worker(self, *args):
        log_file = tempfile.TemporaryFile()
        process = subprocess.Popen([FIXTURE_BIN, "worker"] + [str(a) for a in args], env=self.env,
                                   stdout=subprocess.PIPE, stderr=log_file, text=True)
        process.log_file = log_file
        line = process.stdout.readline()
        if line.strip() != "ready":
            process.kill()
            process.wait()
            raise AssertionError(f"fixture worker did not start: {read_log(process)}")
        return process


def close_worker(process):
    """Kills a fixture worker still running and closes its pipe and log."""
    if process.poll() is None:
        process.kill()
        process.wait()
    process.stdout.close()
    process.log_file.close()


def read_log(process):
    process.log_file.seek(0)
    return process.log_file.read().decode(errors="replace")


def stop(process, sig=signal.SIGTERM, timeout=30):
    """Stops a process; returns (exit code, stderr text)."""
    if process.poll() is None:
        process.send_signal(sig)
    process.wait(timeout=timeout)
    return process.returncode, read_log(process)


class Keys:
    """BullMQ's keys of one queue, read with redis-cli."""

    def __init__(self, redis, queue, prefix="bull"):
        self.redis = redis
        self.p = f"{prefix}:{queue}:"

    def cli(self, *args):
        return self.redis.cli(*args)

    def lines(self, *args):
        out = self.cli(*args)
        return out.splitlines() if out.strip() else []

    def hash(self, job_id):
        items = self.lines("HGETALL", self.p + job_id)
        return dict(zip(items[0::2], items[1::2]))

    def zset(self, state):
        return self.lines("ZRANGE", self.p + state, 0, -1)

    def zset_scores(self, state):
        items = self.lines("ZRANGE", self.p + state, 0, -1, "WITHSCORES")
        return dict(zip(items[0::2], [float(s) for s in items[1::2]]))

    def list(self, state):
        return self.lines("LRANGE", self.p + state, 0, -1)

    def events(self):
        """Every entry of the events stream as (event name, fields dict), oldest first."""
        raw = subprocess.run(["redis-cli", "-p", str(self.redis.port), "--json", "XRANGE", self.p + "events", "-", "+"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
        entries = json.loads(raw) if raw.strip() else []
        result = []
        for _, fields in entries:
            pairs = dict(zip(fields[0::2], fields[1::2]))
            result.append((pairs.pop("event"), pairs))
        return result

    def events_of(self, job_id):
        return [name for name, fields in self.events() if fields.get("jobId") == job_id]
