"""A fleet for the reliability suite: one Redis, N `growthd worker` processes and optionally one
`growthd serve`, sharing a scripts folder (a copy of tests/reliability/agents, so a test may break it)
and a data folder whose outboxes the tests count side effects in.

Every secret setting gets a distinctive test value (SECRETS), so the security test can grep every log,
job record and Lua value for them. Redis is read through a tiny RESP client (pipelined HGETALLs of
1,000 jobs would take a redis-cli process each otherwise).
"""
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Growthd, free_port, run_growthd, wait_until  # noqa: E402

AGENTS = os.path.join(os.path.dirname(__file__), "agents")
QUEUE = "growth-agents"

SECRETS = {
    "OPENAI_API_KEY": "sk-reltest-OPENAI-9f8e7d6c5b4a",
    "SMTP_PASS": "reltest-SMTP-PASS-31415926",
    "TWILIO_AUTH_TOKEN": "reltest-TWILIO-TOKEN-27182818",
    "GROWTH_API_KEYS": "reltest-APIKEY-16180339",
    "DATABASE_URL": "postgres://u:reltest-DBPASS-14142135@127.0.0.1/x",
    "GOOGLE_SERVICE_ACCOUNT_JSON_B64": "cmVsdGVzdC1HT09HTEUtS0VZLTE3MzIwNTA4",
}
# what must never appear anywhere (the base64 one also decoded)
SECRET_MARKERS = ["sk-reltest-OPENAI", "reltest-SMTP-PASS", "reltest-TWILIO-TOKEN", "reltest-APIKEY",
                  "reltest-DBPASS", "cmVsdGVzdC1HT09HTEUtS0VZ", "reltest-GOOGLE-KEY"]


class Resp:
    """A minimal RESP2 client: enough for HGETALL, ZRANGE, LLEN and friends, pipelined."""

    def __init__(self, port):
        self.port = port
        self.sock = None
        self.buffer = b""

    def _connect(self):
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            self.buffer = b""

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = None

    def _line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buffer) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ValueError(f"bad RESP reply {line[:50]!r}")

    def pipeline(self, commands):
        self._connect()
        out = bytearray()
        for command in commands:
            out += b"*%d\r\n" % len(command)
            for arg in command:
                arg = str(arg).encode()
                out += b"$%d\r\n%s\r\n" % (len(arg), arg)
        try:
            self.sock.sendall(out)
            return [self._reply() for _ in commands]
        except OSError:
            self.close()
            raise

    def call(self, *command):
        return self.pipeline([command])[0]


class Redis:
    """redis-server on a loopback port; with aof=True it keeps its data across a stop (appendfsync always)."""

    def __init__(self, aof=False):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="growthd-rel-redis-")
        self.aof = aof
        self.process = None
        self.resp = Resp(self.port)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir, "--save", "",
                "--daemonize", "no", "--loglevel", "warning", "--maxmemory-policy", "noeviction"]
        args += ["--appendonly", "yes", "--appendfsync", "always"] if self.aof else ["--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._ping, what=f"redis on port {self.port}")
        return self

    def _ping(self):
        try:
            return self.resp.call("PING") == "PONG"
        except OSError:
            self.resp.close()
            return False

    def stop(self):
        self.resp.close()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Fleet:
    def __init__(self, aof=False, data_dir=None, extra_env=None, agents=AGENTS):
        self.redis = Redis(aof=aof).start()
        self.root = tempfile.mkdtemp(prefix="growthd-rel-")
        self.scripts = os.path.join(self.root, "scripts")
        shutil.copytree(agents, os.path.join(self.scripts, "agents"))
        os.makedirs(os.path.join(self.scripts, "lib"))
        self.data = data_dir or os.path.join(self.root, "data")
        os.makedirs(self.data, exist_ok=True)
        profile = os.path.join(self.root, "profile.json")
        with open(profile, "w") as f:
            json.dump({"id": "u-7", "name": "Ada", "email": "ada@example.com", "phone": "+14155550123"}, f)
        self.env = {"REDIS_URL": self.redis.url, "GROWTH_SCRIPTS_DIR": self.scripts, "GROWTH_DATA_DIR": self.data,
                    "GROWTH_PROFILE": profile, "GROWTH_HOT_RELOAD": "false", "ENABLE_GROWTH_AGENTS": "true",
                    "TWILIO_FROM_NUMBER": "+14155550100", "GROWTH_LOCK_DURATION_MS": "3000",
                    "GROWTH_STALLED_INTERVAL_MS": "1000", "GROWTH_MAX_STALLED_COUNT": "50",
                    "GROWTH_SHUTDOWN_GRACE_S": "10", "GROWTH_REDIS_CONNECT_TIMEOUT_MS": "500",
                    "GROWTH_REDIS_COMMAND_TIMEOUT_MS": "2000",
                    "GROWTH_KEEP_COMPLETED": "0", "GROWTH_KEEP_FAILED": "0"}
        self.env.update(extra_env or {})
        self.workers = []
        self.serve = None
        self.exits = []

    # processes
    def start_worker(self, concurrency=4, env=None):
        worker = Growthd(env=dict(self.env, **(env or {})), args=["worker", "--concurrency", str(concurrency)])
        worker.start(wait=False)
        wait_until(lambda: "worker on queue" in worker.log() or worker.process.poll() is not None,
                   timeout=30, what="worker start")
        assert worker.process.poll() is None, f"worker exited at start:\n{worker.log()}"
        self.workers.append(worker)
        return worker

    def start_serve(self, workers=0):
        self.serve = Growthd(env=self.env, args=["serve", "--workers", str(workers)]).start()
        return self.serve

    def logs(self):
        texts = [w.log() for w in self.workers] + ([self.serve.log()] if self.serve else [])
        return "\n".join(texts)

    def stop_all(self):
        """Stops every process with SIGTERM; returns their exit codes (the killed ones were recorded before)."""
        codes = []
        for process in self.workers + ([self.serve] if self.serve else []):
            if process.process is not None:
                codes.append(process.stop(timeout=60))
        return codes

    def cleanup(self):
        for process in self.workers + ([self.serve] if self.serve else []):
            try:
                process.cleanup()
            except AssertionError:
                raise
            except Exception:
                pass
        self.redis.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)

    def kill_worker(self, worker):
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(timeout=10)
        worker.log_file.close()
        worker.process = None
        self.exits.append(-9)

    # jobs
    def launch(self, names):
        """Enqueues one job per name (repeats allowed), 200 per `growthd launch`; returns the job ids."""
        ids = []
        for start in range(0, len(names), 200):
            result = run_growthd(["launch", "--agents", ",".join(names[start:start + 200])], env=self.env, timeout=60)
            assert result.returncode == 0, result.stderr
            ids += json.loads(result.stdout)["jobIds"]
        return ids

    def key(self, suffix):
        return f"bull:{QUEUE}:{suffix}"

    def jobs(self, ids):
        replies = []
        for start in range(0, len(ids), 500):
            replies += self.redis.resp.pipeline([("HGETALL", self.key(i)) for i in ids[start:start + 500]])
        return {i: dict(zip(r[0::2], r[1::2])) for i, r in zip(ids, replies)}

    def finished(self, ids):
        try:
            jobs = self.jobs(ids)
        except OSError:
            return False
        return all("finishedOn" in j for j in jobs.values())

    def wait_finished(self, ids, timeout=300):
        wait_until(lambda: self.finished(ids), timeout=timeout, interval=0.5, what=f"{len(ids)} jobs to finish")
        return self.jobs(ids)

    def counts(self):
        names = ["wait", "active", "delayed", "completed", "failed", "paused", "prioritized"]
        replies = self.redis.resp.pipeline(
            [("LLEN" if n in ("wait", "active", "paused") else "ZCARD", self.key(n)) for n in names])
        return dict(zip(names, replies))

    def completed_events(self):
        """job id -> number of 'completed' events in the queue's event stream (None when it was trimmed)."""
        entries = self.redis.resp.call("XRANGE", self.key("events"), "-", "+")
        counts = {}
        for _, fields in entries:
            event = dict(zip(fields[0::2], fields[1::2]))
            if event.get("event") == "completed":
                counts[event["jobId"]] = counts.get(event["jobId"], 0) + 1
        return counts

    # side effects
    def mail_subjects(self):
        subjects = []
        for path in glob.glob(os.path.join(self.data, "outbox", "mail", "*")):
            with open(path, "rb") as f:
                for line in f.read().decode(errors="replace").splitlines():
                    if line.startswith("Subject: "):
                        subjects.append(line[9:])
                        break
                else:
                    subjects.append(f"<no subject in {os.path.basename(path)}>")
        return subjects

    def sms_bodies(self):
        path = os.path.join(self.data, "outbox", "sms.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, "rb") as f:
            return [json.loads(line)["body"] for line in f.read().decode().splitlines()]

    def side_effects(self, agent):
        """(mail count per job id, sms count per job id) for the jobs of agent."""
        prefix = agent + " "
        mails, texts = {}, {}
        for subject in self.mail_subjects():
            if subject.startswith(prefix):
                mails[subject[len(prefix):]] = mails.get(subject[len(prefix):], 0) + 1
        for body in self.sms_bodies():
            if body.startswith(prefix):
                job = body[len(prefix):].split(" ")[0]
                texts[job] = texts.get(job, 0) + 1
        return mails, texts


def assert_exactly_once(test, fleet, ids, agents_with_effects=("sidefx", "slowfx"), delayed=0):
    """Every job completed (returnvalue, in the completed set, nothing left elsewhere), at most one completed
    event each, and each side-effect agent's job sent exactly one mail and one SMS — also a job recovered
    after its worker died between a send and the write of its ctx.step record: the sends inside a step
    carry an idempotency key, so the local outboxes keep one message per key. `delayed` is how many
    follow-up jobs the jobs scheduled for later. Returns the jobs."""
    jobs = fleet.jobs(ids)
    failed = {i: j.get("failedReason") for i, j in jobs.items() if "returnvalue" not in j}
    test.assertEqual(failed, {}, "jobs that did not complete")
    completed = set(fleet.redis.resp.call("ZRANGE", fleet.key("completed"), 0, -1))
    test.assertEqual(set(ids) - completed, set(), "jobs missing from the completed set")
    counts = fleet.counts()
    test.assertEqual((counts["wait"], counts["active"], counts["delayed"], counts["failed"]), (0, 0, delayed, 0), counts)
    events = fleet.completed_events()
    test.assertEqual({i: n for i, n in events.items() if n > 1}, {}, "jobs completed more than once")
    for agent in agents_with_effects:
        agent_ids = [i for i in ids if i.startswith(agent + "-")]
        if not agent_ids:
            continue
        mails, texts = fleet.side_effects(agent)
        test.assertEqual(set(mails) - set(agent_ids), set(), "mail for jobs that were never launched")
        test.assertEqual({i: mails.get(i, 0) for i in agent_ids if mails.get(i, 0) != 1}, {},
                         f"{agent}: jobs whose mail was not sent exactly once")
        test.assertEqual({i: texts.get(i, 0) for i in agent_ids if texts.get(i, 0) != 1}, {},
                         f"{agent}: jobs whose SMS was not sent exactly once")
    return jobs
