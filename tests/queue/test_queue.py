"""core/queue against a real redis-server: the producer's keys and fields, the worker's states, events,
retries, wake-up, pause, stalled recovery, graceful shutdown, bad input and Redis going away. Runs the
queue through tests/queue/queue_fixture_worker (core/queue with plain C handlers)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from queue_harness import Fixture, Keys, Redis, close_worker, stop, wait_until


class QueueTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = Redis().start()

    @classmethod
    def tearDownClass(cls):
        cls.redis.stop()

    def setUp(self):
        self.queue = self.id().rsplit(".", 1)[-1]
        self.fixture = Fixture(self.redis, self.queue)
        self.keys = Keys(self.redis, self.queue)
        self.workers = []

    def tearDown(self):
        for process in self.workers:
            close_worker(process)

    def worker(self, *args):
        process = self.fixture.worker(*args)
        self.workers.append(process)
        return process

    def completed(self, count):
        wait_until(lambda: len(self.keys.zset("completed")) >= count, timeout=30, what=f"{count} completed")

    def test_add_writes_bullmq_hash_and_events(self):
        ids = self.fixture.add("echo", data={"a": 1})
        self.assertEqual(ids, ["1"])
        job = self.keys.hash("1")
        self.assertEqual(job["name"], "echo")
        self.assertEqual(json.loads(job["data"]), {"a": 1})
        self.assertEqual(json.loads(job["opts"]), {"attempts": 0})
        self.assertEqual(job["delay"], "0")
        self.assertEqual(job["priority"], "0")
        self.assertTrue(job["timestamp"].isdigit())
        self.assertEqual(self.keys.list("wait"), ["1"])
        self.assertEqual(self.keys.cli("GET", self.keys.p + "id").strip(), "1")
        self.assertEqual(self.keys.zset_scores("marker"), {"0": 0.0})
        self.assertEqual(self.keys.cli("HGET", self.keys.p + "meta", "opts.maxLenEvents").strip(), "10000")
        self.assertEqual(self.keys.events(), [("added", {"jobId": "1", "name": "echo"}), ("waiting", {"jobId": "1"})])

    def test_read_events_newest_first_and_after_an_id(self):
        self.fixture.add("echo", "--count", 3)
        newest = self.fixture.read("events", "newest", 2)
        self.assertEqual([(e["event"], e["jobId"]) for e in newest], [("waiting", "3"), ("added", "3")])
        everything = self.fixture.read("events", "after", "0", 100)
        self.assertEqual(len(everything), 6)
        after = self.fixture.read("events", "after", everything[3]["id"], 100)
        self.assertEqual(after, everything[4:])
        self.assertEqual(everything[0], {"id": everything[0]["id"], "event": "added", "jobId": "1", "name": "echo"})
        # bounds on both sides, exclusive: newest first before an id (a monitor's next page), down to `after`
        ids = [e["id"] for e in everything]
        page = self.fixture.read("events", "newest", 100, ids[4])
        self.assertEqual([e["id"] for e in page], list(reversed(ids[:4])))
        page = self.fixture.read("events", "newest", 100, ids[4], ids[1])
        self.assertEqual([e["id"] for e in page], [ids[3], ids[2]])
        self.assertEqual(self.fixture.read("events", "newest", 1, ids[4], ids[1]), [everything[3]])
        self.assertEqual(self.fixture.read("events", "after", ids[0], 100, ids[3]), everything[1:3])
        with self.assertRaises(AssertionError):
            self.fixture.read("events", "newest", 10, "not-an-id")

    def test_worker_completes_with_return_value(self):
        self.fixture.add("echo", data={"a": 1})
        self.worker("--concurrency", 2)
        self.completed(1)
        job = self.keys.hash("1")
        self.assertEqual(json.loads(job["returnvalue"]), {"a": 1})
        self.assertEqual(job["atm"], "1")
        self.assertEqual(job["ats"], "1")
        self.assertLessEqual(int(job["processedOn"]), int(job["finishedOn"]))
        self.assertEqual(self.keys.zset_scores("completed"), {"1": float(job["finishedOn"])})
        self.assertEqual(self.keys.list("active"), [])
        self.assertEqual(self.keys.cli("EXISTS", self.keys.p + "1:lock").strip(), "0")
        names = [name for name, _ in self.keys.events()]
        self.assertEqual(names, ["added", "waiting", "active", "completed", "drained"])
        completed = self.keys.events()[3][1]
        self.assertEqual(completed, {"jobId": "1", "returnvalue": '{"a": 1}' if " " in completed["returnvalue"]
                                     else '{"a":1}', "prev": "active"})
        self.assertEqual(self.keys.events()[2][1], {"jobId": "1", "prev": "waiting"})

    def test_concurrency_bounds_the_jobs_held_at_once(self):
        # 5 slots: never more than 5 jobs active (also while a handler's direct step and the coordinator's
        # step both take jobs), all 5 in use while there is work, each job run once
        self.fixture.add("sleep", "--bulk", "--count", 20, data={"ms": 250})
        self.fixture.add("noop", "--bulk", "--count", 20)
        self.worker("--concurrency", 5)
        most, deadline = 0, time.monotonic() + 60
        while len(self.keys.zset("completed")) < 40:
            self.assertLess(time.monotonic(), deadline, "40 jobs not completed within 60 s")
            most = max(most, int(self.keys.cli("LLEN", self.keys.p + "active")))
            self.assertLessEqual(most, 5)
        self.assertEqual(most, 5)
        self.assertEqual({self.keys.hash(str(i))["ats"] for i in range(1, 41)}, {"1"})

    def test_worker_trims_the_event_stream(self):
        self.keys.cli("HSET", self.keys.p + "meta", "opts.maxLenEvents", "100")
        self.fixture.add("noop", "--bulk", "--count", 300)
        self.worker("--concurrency", 4)
        self.completed(300)
        # 600 events of the worker alone (active, completed); "~" trims whole stream nodes of 100 entries
        length = int(self.keys.cli("XLEN", self.keys.p + "events"))
        self.assertGreaterEqual(length, 100)
        self.assertLess(length, 400)

    def test_progress_and_logs(self):
        self.fixture.add("progress")
        self.worker()
        self.completed(1)
        self.assertEqual(self.keys.hash("1")["progress"], "100")
        self.assertEqual(self.keys.list("1:logs"), ["half way", "done"])
        progress = [fields for name, fields in self.keys.events() if name == "progress"]
        # the fixture passes a message with each progress: an extra field of the event, data stays the number
        self.assertEqual(progress, [{"jobId": "1", "data": "50", "message": "half way"},
                                    {"jobId": "1", "data": "100", "message": "done"}])

    def test_retries_with_exponential_backoff(self):
        self.fixture.add("fail", "--attempts", 3, "--backoff", "exponential", "--backoff-ms", 200,
                         data={"message": "boom"})
        self.worker()
        wait_until(lambda: self.keys.zset("failed") == ["1"], timeout=30, what="final failure")
        job = self.keys.hash("1")
        self.assertEqual(job["atm"], "3")
        self.assertEqual(job["ats"], "3")
        self.assertEqual(job["failedReason"], "boom")
        stack = json.loads(job["stacktrace"])
        self.assertEqual(len(stack), 3)
        self.assertIn("boom", stack[0])
        self.assertEqual(job["delay"], "0")      # reset when the last retry was promoted
        events = [(name, fields) for name, fields in self.keys.events() if fields.get("jobId") == "1"]
        names = [name for name, _ in events]
        self.assertEqual(names, ["added", "waiting", "active", "delayed", "waiting", "active", "delayed", "waiting",
                                 "active", "failed", "retries-exhausted"])
        delayed = [fields for name, fields in events if name == "delayed"]
        # the delayed event carries the absolute due time; backoffs 200 and 400 ms
        self.assertEqual(events[-2][1], {"jobId": "1", "failedReason": "boom", "prev": "active"})
        self.assertEqual(events[-1][1], {"jobId": "1", "attemptsMade": "3"})
        self.assertTrue(all(int(d["delay"]) > 1_700_000_000_000 for d in delayed))
        self.assertEqual([f.get("prev") for n, f in events if n == "waiting"], [None, "delayed", "delayed"])

    def test_unrecoverable_error_is_not_retried(self):
        self.fixture.add("fatal", "--attempts", 5, data={"message": "no way"})
        self.worker()
        wait_until(lambda: self.keys.zset("failed") == ["1"], timeout=30, what="failure")
        self.assertEqual(self.keys.hash("1")["atm"], "1")
        self.assertNotIn("retries-exhausted", self.keys.events_of("1"))

    def test_idle_worker_blocks_on_marker(self):
        self.worker("--name", "w1")
        name = "bull:" + __import__("base64").b64encode(self.queue.encode()).decode() + ":w:w1"

        def blocked_client():
            for line in self.keys.cli("CLIENT", "LIST").splitlines():
                fields = dict(item.split("=", 1) for item in line.split(" ") if "=" in item)
                if fields.get("name") == name and fields.get("cmd") == "bzpopmin":
                    return fields
            return None
        wait_until(blocked_client, what="a BZPOPMIN on the marker by the worker's named connection")
        self.fixture.add("echo", data={})
        self.completed(1)
        self.assertEqual(self.keys.hash("1").get("pb"), "w1")

    def test_step_results_survive_a_retry(self):
        self.fixture.add("step", "--attempts", 2)
        self.worker()
        self.completed(1)
        job = self.keys.hash("1")
        self.assertEqual(json.loads(job["returnvalue"]), {"charge": {"id": "ch_1"}, "reused": True})
        self.assertEqual(json.loads(job["step:charge"]), {"id": "ch_1"})
        self.assertEqual(job["atm"], "2")

    def test_store_outlives_jobs(self):
        self.fixture.add("store", "--remove-on-complete", 0, data={"owner": "ana:journal"})
        self.worker("--concurrency", 1)
        wait_until(lambda: "completed" in self.keys.events_of("1"), what="first run")
        self.fixture.add("store", data={"owner": "ana:journal"})
        self.completed(1)
        self.assertEqual(json.loads(self.keys.hash("2")["returnvalue"]), {"count": 2})
        self.assertEqual(self.keys.lines("HGETALL", self.keys.p + "store:ana:journal"), ["count", "2"])

    def test_deferred_job_waits_without_using_an_attempt(self):
        # the handler hands the job back while the gate is set: to delayed, BullMQ's way, no attempt counted
        self.keys.cli("HSET", self.keys.p + "store:fixture", "gate", "1")
        self.fixture.add("defer", "--attempts", 2)
        self.worker("--concurrency", 1)
        wait_until(lambda: self.keys.events_of("1").count("delayed") >= 2, what="the job handed back twice")
        job = self.keys.hash("1")
        self.assertNotIn("atm", job)
        self.assertNotIn("failedReason", job)
        self.assertNotIn("finishedOn", job)
        self.assertGreaterEqual(int(job["ats"]), 2)
        self.assertEqual(self.keys.zset("failed"), [])
        self.keys.cli("HDEL", self.keys.p + "store:fixture", "gate")
        self.completed(1)
        job = self.keys.hash("1")
        self.assertEqual(job["atm"], "1")
        self.assertEqual(json.loads(job["returnvalue"]), {"ran": True})
        self.assertNotIn("stacktrace", {k for k, v in job.items() if v not in ("", "[]")})

    def test_locks_are_renewed_while_a_long_job_runs(self):
        # the job outlives two lock durations; renewal every 750 ms leaves 750 ms of margin under load
        self.fixture.add("sleep", data={"ms": 3500})
        self.worker("--lock-ms", 1500, "--stalled-ms", 200)
        self.worker("--lock-ms", 1500, "--stalled-ms", 200)    # a second worker runs stalled checks too
        self.completed(1)
        job = self.keys.hash("1")
        self.assertNotIn("stc", job)
        self.assertEqual(job["ats"], "1")
        self.assertNotIn("stalled", self.keys.events_of("1"))

    def test_idle_worker_wakes_for_a_delayed_job(self):
        self.worker()
        wait_until(lambda: self.keys.events() == [] and self.keys.cli("EXISTS", self.keys.p + "stalled-check").strip()
                   == "1", what="the worker's first stalled check")
        self.fixture.add("noop", "--delay", 400)
        self.completed(1)
        job = self.keys.hash("1")
        self.assertGreaterEqual(int(job["processedOn"]), int(job["timestamp"]) + 400)

    def test_scripts_reload_after_script_flush(self):
        self.worker()
        self.fixture.add("echo", data={"n": 1})
        self.completed(1)
        self.keys.cli("SCRIPT", "FLUSH")
        self.fixture.add("echo", data={"n": 2})
        self.completed(2)
        self.assertEqual(json.loads(self.keys.hash("2")["returnvalue"]), {"n": 2})

    def test_delayed_job_is_promoted_when_due(self):
        self.fixture.add("noop", "--delay", 700)
        job = self.keys.hash("1")
        due = int(job["timestamp"]) + 700
        self.assertEqual(self.keys.zset_scores("delayed"), {"1": float(due * 4096)})
        self.assertEqual(self.keys.zset_scores("marker"), {"1": due * 4096 / 4096})
        self.assertEqual(self.keys.events()[1], ("delayed", {"jobId": "1", "delay": str(due)}))
        self.worker()
        self.completed(1)
        job = self.keys.hash("1")
        self.assertGreaterEqual(int(job["processedOn"]), due)
        self.assertEqual(job["delay"], "0")
        self.assertIn(("waiting", {"jobId": "1", "prev": "delayed"}), self.keys.events())

    def test_priority_order(self):
        self.fixture.add("noop", "--priority", 5)
        self.fixture.add("noop", "--priority", 1)
        self.fixture.add("noop")
        scores = self.keys.zset_scores("prioritized")
        self.assertEqual(scores, {"1": 5 * 2**32 + 1, "2": 1 * 2**32 + 2})
        self.worker("--concurrency", 1)
        self.completed(3)
        active = [fields["jobId"] for name, fields in self.keys.events() if name == "active"]
        self.assertEqual(active, ["3", "2", "1"])   # wait first, then lowest priority number

    def test_custom_ids(self):
        self.assertEqual(self.fixture.add("noop", "--job-id", "journal-1"), ["journal-1"])
        self.assertEqual(self.fixture.add("noop", "--job-id", "journal-1"), ["journal-1"])
        self.assertEqual(self.keys.list("wait"), ["journal-1"])
        self.assertEqual(self.keys.events()[-1], ("duplicated", {"jobId": "journal-1"}))
        self.assertEqual(self.keys.cli("GET", self.keys.p + "id").strip(), "2")   # each add takes a number
        refused = self.fixture.add_fails("noop", "--job-id", "42")
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("not allowed", refused.stderr)
        refused = self.fixture.add_fails("noop", data="{not json")
        self.assertIn("not JSON", refused.stderr)

    def test_bulk_add(self):
        ids = self.fixture.add("noop", "--bulk", "--count", 1201)
        self.assertEqual(ids, [str(i) for i in range(1, 1202)])
        self.assertEqual(int(self.keys.cli("LLEN", self.keys.p + "wait")), 1201)
        self.assertEqual(self.keys.lines("LINDEX", self.keys.p + "wait", -1), ["1"])   # FIFO: oldest at the tail

    def test_remove_on_complete(self):
        self.fixture.add("noop", "--remove-on-complete", 0)
        self.fixture.add("noop", "--count", 4, "--remove-on-complete", 2)
        self.worker("--concurrency", 1)
        wait_until(lambda: "completed" in self.keys.events_of("5"), what="job 5 completed")
        self.assertEqual(self.keys.hash("1"), {})
        self.assertIn("completed", self.keys.events_of("1"))
        self.assertEqual(sorted(self.keys.zset("completed")), ["4", "5"])
        self.assertEqual(self.keys.hash("2"), {})

    def test_pause_and_resume(self):
        self.keys.cli("HSET", self.keys.p + "meta", "paused", "1")
        self.worker()
        self.fixture.add("noop")
        self.assertEqual(self.keys.zset("marker"), [])           # no wake-up while paused
        time.sleep(0.5)
        self.assertEqual(self.keys.list("wait"), ["1"])          # and nothing taken
        self.keys.cli("HDEL", self.keys.p + "meta", "paused")
        self.keys.cli("ZADD", self.keys.p + "marker", "0", "0")
        self.completed(1)

    def test_global_rate_limit(self):
        self.keys.cli("HSET", self.keys.p + "meta", "max", "2", "duration", "3000")
        self.fixture.add("noop", "--count", 4)
        self.worker("--concurrency", 4)
        wait_until(lambda: len(self.keys.zset("completed")) >= 2, what="the first window's jobs")
        window = self.keys.lines("EVAL", "return {redis.call('PTTL', KEYS[1]), redis.call('ZCARD', KEYS[2])}", 2,
                                 self.keys.p + "limiter", self.keys.p + "completed")
        if int(window[0]) > 0:              # still inside the first window: no more than max jobs ran
            self.assertEqual(int(window[1]), 2)
        self.completed(4)

    def test_bad_input_fails_with_reason_and_worker_goes_on(self):
        p = self.keys.p
        cases = {
            "b1": ["name", "echo", "data", "{not json", "opts", "{}", "timestamp", "1", "delay", "0", "priority", "0"],
            "b2": ["data", "{}", "opts", "{}", "timestamp", "1", "delay", "0", "priority", "0"],
            "b3": ["name", "echo", "data", "{}", "opts", "garbage", "timestamp", "1", "delay", "0", "priority", "0"],
            "b4": ["name", "nosuch", "data", "{}", "opts", "{}", "timestamp", "1", "delay", "0", "priority", "0"],
        }
        for job_id, fields in cases.items():
            self.keys.cli("HSET", p + job_id, *fields)
            self.keys.cli("LPUSH", p + "wait", job_id)
        self.keys.cli("LPUSH", p + "wait", "ghost")       # an id whose hash is gone
        # attempt counters damaged by hand: the job still runs, and counts from 0 (no script error stops the step)
        self.keys.cli("HSET", p + "b5", "name", "echo", "data", "{}", "opts", "{}", "timestamp", "1", "delay", "0",
                      "priority", "0", "atm", "x", "ats", "y")
        self.keys.cli("LPUSH", p + "wait", "b5")
        self.worker()
        self.fixture.add("echo", data={"after": True})
        wait_until(lambda: len(self.keys.zset("failed")) == 4, what="4 failed")
        self.completed(2)
        self.assertEqual({k: self.keys.hash("b5")[k] for k in ("atm", "ats", "returnvalue")},
                         {"atm": "1", "ats": "1", "returnvalue": "{}"})
        reasons = {job_id: self.keys.hash(job_id)["failedReason"] for job_id in cases}
        self.assertIn("data is not valid JSON", reasons["b1"])
        self.assertIn("no name field", reasons["b2"])
        self.assertIn("opts field is not a JSON object", reasons["b3"])
        self.assertIn("no handler for the job name 'nosuch'", reasons["b4"])
        self.assertEqual(self.keys.list("active"), [])

    def test_kill_9_job_recovered_by_stalled_check(self):
        self.fixture.add("sleep", data={"ms": 1500})
        first = self.worker("--lock-ms", 1000, "--stalled-ms", 300)
        wait_until(lambda: self.keys.list("active") == ["1"], what="job active")
        first.kill()
        first.wait()
        self.worker("--lock-ms", 1000, "--stalled-ms", 300)
        self.completed(1)
        job = self.keys.hash("1")
        self.assertEqual(job["stc"], "1")
        self.assertEqual(job["ats"], "2")
        self.assertIn("stalled", self.keys.events_of("1"))
        self.assertIn(("waiting", {"jobId": "1", "prev": "active"}), self.keys.events())

    def test_stalled_past_limit_fails(self):
        self.fixture.add("sleep", data={"ms": 60000})
        first = self.worker("--lock-ms", 500, "--stalled-ms", 200, "--max-stalled", 0)
        wait_until(lambda: self.keys.list("active") == ["1"], what="job active")
        first.kill()
        first.wait()
        self.worker("--lock-ms", 500, "--stalled-ms", 200, "--max-stalled", 0)
        wait_until(lambda: self.keys.zset("failed") == ["1"], timeout=30, what="failure after stalling")
        self.assertEqual(self.keys.hash("1")["failedReason"], "job stalled more than allowable limit")
        self.assertNotIn("defa", self.keys.hash("1"))

    def test_graceful_shutdown_finishes_or_gives_back(self):
        self.fixture.add("sleep", data={"ms": 400})
        self.fixture.add("sleep", data={"ms": 60000})
        process = self.worker("--concurrency", 2, "--grace-ms", 1500)
        wait_until(lambda: len(self.keys.list("active")) == 2, what="2 jobs active")
        code, log = stop(process)
        self.assertEqual(code, 0, log)
        self.assertEqual(self.keys.zset("completed"), ["1"])
        self.assertEqual(self.keys.list("wait"), ["2"])
        self.assertEqual(self.keys.list("active"), [])
        self.assertEqual(self.keys.cli("EXISTS", self.keys.p + "2:lock").strip(), "0")
        self.assertIn(("waiting", {"jobId": "2", "prev": "active"}), self.keys.events())
        self.assertIn("given back", log)


class ReplyLosingProxy:
    """A TCP proxy in front of Redis that, once armed, loses the first reply carrying `marker`: Redis has run
    the command, and the client sees its connection close instead of the answer."""

    def __init__(self, upstream_port, marker):
        self.upstream_port = upstream_port
        self.marker = marker
        self.armed = True
        self.lost = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source, sink, replies):
        tail = b""
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if replies and self.armed and self.marker in tail + data:
                    self.armed = False
                    self.lost += 1
                    break
                tail = data[-len(self.marker):]
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def close(self):
        self.listener.close()


class LostReplyTest(unittest.TestCase):
    """Redis runs a step call that takes a job, but its answer never arrives: the worker takes that job back
    on its next connection and runs it once, instead of leaving it to the stalled checker for a second start."""

    def test_job_of_a_lost_step_reply_runs_once(self):
        redis = Redis().start()
        proxy = ReplyLosingProxy(redis.port, b"lose-this-reply")
        worker = None
        try:
            Fixture(redis, "lost").add("sleep", data={"ms": 50, "note": "lose-this-reply"})
            keys = Keys(redis, "lost")
            worker = Fixture(proxy, "lost").worker("--concurrency", 2, "--lock-ms", 4000, "--stalled-ms", 500)
            wait_until(lambda: keys.zset("completed") == ["1"], timeout=30, what="the job completed")
            self.assertEqual(proxy.lost, 1, "the step reply that took the job was lost")
            job = keys.hash("1")
            self.assertEqual(job["ats"], "1", "the job was started once")
            self.assertEqual(job["atm"], "1")
            self.assertNotIn("stalled", [name for name, _ in keys.events()])
            code, log = stop(worker)
            self.assertEqual(code, 0)
            self.assertIn("took back 1 job(s)", log)
        finally:
            if worker:
                close_worker(worker)
            proxy.close()
            redis.stop()


class RedisRestartTest(unittest.TestCase):
    """Redis stops and comes back (with its append-only file): the worker waits, reconnects and finishes
    every job exactly once."""

    def test_worker_survives_redis_restart(self):
        folder = tempfile.mkdtemp(prefix="queue-redis-")
        redis = Redis()
        args = ["redis-server", "--port", str(redis.port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                "yes", "--appendfsync", "always", "--dir", folder, "--loglevel", "warning"]

        def start():
            redis.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_until(redis.ping, what="redis")
        worker = None
        try:
            start()
            fixture = Fixture(redis, "restart")
            keys = Keys(redis, "restart")
            fixture.add("sleep", "--count", 20, data={"ms": 150})
            worker = fixture.worker("--concurrency", 2)
            wait_until(lambda: len(keys.zset("completed")) >= 4, what="some completed")
            redis.stop()
            time.sleep(1.5)
            start()
            wait_until(lambda: len(keys.zset("completed")) == 20, timeout=60, what="all 20 completed")
            for job_id in range(1, 21):
                self.assertEqual(keys.hash(str(job_id))["ats"], "1", f"job {job_id} ran more than once")
            self.assertEqual(keys.zset("failed"), [])
            code, log = stop(worker)
            self.assertEqual(code, 0)
            self.assertIn("trying again", log)
        finally:
            if worker:
                close_worker(worker)
            redis.stop()
            shutil.rmtree(folder, ignore_errors=True)

    def test_sigterm_while_redis_is_down_still_exits(self):
        redis = Redis().start()
        worker = None
        try:
            fixture = Fixture(redis, "down")
            keys = Keys(redis, "down")
            fixture.add("sleep", data={"ms": 60000})
            worker = fixture.worker("--grace-ms", 500)
            wait_until(lambda: keys.list("active") == ["1"], what="job active")
            redis.stop()
            code, log = stop(worker)
            self.assertEqual(code, 0, log)
            self.assertIn("Redis is unreachable", log)
        finally:
            if worker:
                close_worker(worker)
            redis.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
