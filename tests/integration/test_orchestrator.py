"""The orchestrator endpoints against a real Redis: launch (validation, idempotency, default profile), health,
readiness, monitor, the live event stream with Last-Event-ID, jobs, retry, pause/resume, artifacts, the
dashboard summary and the queue-depth metrics.

The agents are the two test agents of tests/integration/orchestrator_agents/. With `serve --workers 1` the
jobs are taken by the in-process worker; the tests only rely on what holds whether the job then runs the
agent or fails: a job asked to fail ends failed.
"""
import json
import os
import socket
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
from test_metrics import parse_exposition  # noqa: E402

SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "orchestrator_agents")
QUEUE = "growth-agents"
GOOD_PROFILE = {"user": {"id": "u1", "name": "Alex"}, "inputs": {"alpha": {"days": 3}, "beta": {"beliefs": ["I am late"]}}}


class Orchestrator(unittest.TestCase):
    workers = 0

    def setUp(self):
        self.redis = harness.Redis().start()
        self.tmp = tempfile.mkdtemp(prefix="growth-orch-")
        self.profile_path = os.path.join(self.tmp, "profile.json")
        with open(self.profile_path, "w") as f:
            json.dump(GOOD_PROFILE, f)
        self.data_dir = os.path.join(self.tmp, "data")
        self.server = None

    def start(self, **env):
        settings = {"REDIS_URL": self.redis.url, "ENABLE_GROWTH_AGENTS": "true", "ENABLE_GROWTH_DASHBOARD": "true",
                    "GROWTH_SCRIPTS_DIR": SCRIPTS, "GROWTH_DATA_DIR": self.data_dir, "GROWTH_HOT_RELOAD": "false",
                    "GROWTH_PROFILE": self.profile_path, "GROWTH_REDIS_COMMAND_TIMEOUT_MS": "500",
                    "GROWTH_REDIS_CONNECT_TIMEOUT_MS": "300"}
        settings.update(env)
        args = ["serve"] + (["--workers", str(self.workers)] if self.workers else [])
        self.server = harness.Growthd(env=settings, args=args).start()
        return self.server

    def tearDown(self):
        if self.server:
            self.server.cleanup()
        self.redis.stop()

    def waiting(self):
        return int(self.redis.cli("LLEN", f"bull:{QUEUE}:wait"))

    def launch(self, body=None, headers=None):
        if body is None:
            return self.server.json("POST", "/api/orchestrator/launch", headers=headers)
        return self.server.json("POST", "/api/orchestrator/launch", body, headers)


class Launch(Orchestrator):
    def test_no_body_launches_every_agent_with_the_default_profile(self):
        self.start()
        status, body = self.launch()
        self.assertEqual(status, 202, body)
        self.assertEqual(body["agents"], ["alpha", "beta"])
        self.assertEqual(len(body["jobIds"]), 2)
        self.assertTrue(body["jobIds"][0].startswith("alpha-"))
        self.assertTrue(body["launchId"].startswith("launch-"))
        self.assertEqual(self.waiting(), 2)
        data = json.loads(self.redis.cli("HGET", f"bull:{QUEUE}:{body['jobIds'][0]}", "data"))
        self.assertEqual(data["user"], GOOD_PROFILE["user"])
        self.assertEqual(data["input"], {"days": 3})
        self.assertEqual(data["launchId"], body["launchId"])
        beta = json.loads(self.redis.cli("HGET", f"bull:{QUEUE}:{body['jobIds'][1]}", "data"))
        self.assertEqual(beta["input"], {"beliefs": ["I am late"], "fail": False})
        opts = json.loads(self.redis.cli("HGET", f"bull:{QUEUE}:{body['jobIds'][0]}", "opts"))
        self.assertEqual(opts["attempts"], 3)
        log = self.server.log()
        self.assertIn("[Orchestrator] Launching 2 agents", log)
        self.assertIn(f"[BullMQ] Job {body['jobIds'][0]} added to queue", log)
        self.assertIn(f"[BullMQ] Job {body['jobIds'][1]} added to queue", log)

    def test_every_bad_field_is_listed_and_nothing_is_queued(self):
        self.start()
        status, body = self.launch({"user": "me", "inputs": {"alpha": {"days": 99, "mood": "angry"}, "gamma": {},
                                                            "beta": {"fail": 3}},
                                    "agents": ["alpha", "beta", "nobody", 7], "extra": 1})
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["code"], "validation_failed")
        problems = body["error"]["problems"]
        for expected in ("extra: unknown field", "user: expected an object", "inputs.gamma: no agent",
                         "agents[3]: no agent 'nobody'", "agents[4]: expected an agent name", "inputs.alpha.days",
                         "inputs.alpha.mood", "inputs.beta.beliefs", "inputs.beta.fail"):
            self.assertTrue(any(p.startswith(expected) for p in problems), (expected, problems))
        self.assertEqual(self.waiting(), 0)
        self.assertEqual(self.redis.cli("EXISTS", f"bull:{QUEUE}:events").strip(), "0")
        self.assertIn("[Orchestrator] Launch failed: validation failed", self.server.log())

    def test_default_profile_that_fails_validation_queues_nothing(self):
        with open(self.profile_path, "w") as f:
            json.dump({"user": {}}, f)
        self.start()
        status, body = self.launch()
        self.assertEqual(status, 400)
        self.assertEqual(len(body["error"]["problems"]), 1)
        self.assertIn("inputs.beta.beliefs", body["error"]["problems"][0])
        self.assertEqual(self.waiting(), 0)

    def test_chosen_agents_only(self):
        self.start()
        status, body = self.launch({"agents": ["alpha"], "inputs": {"alpha": {"mood": "calm"}}})
        self.assertEqual(status, 202, body)
        self.assertEqual(body["agents"], ["alpha"])
        self.assertEqual(self.waiting(), 1)
        data = json.loads(self.redis.cli("HGET", f"bull:{QUEUE}:{body['jobIds'][0]}", "data"))
        self.assertEqual(data["input"], {"mood": "calm", "days": 7})
        self.assertEqual(data["user"], GOOD_PROFILE["user"])
        # inputs left out come from the default profile too
        status, body = self.launch({"agents": ["beta"], "user": {"id": "u2"}})
        self.assertEqual(status, 202, body)
        data = json.loads(self.redis.cli("HGET", f"bull:{QUEUE}:{body['jobIds'][0]}", "data"))
        self.assertEqual(data["input"]["beliefs"], ["I am late"])
        self.assertEqual(data["user"], {"id": "u2"})

    def test_bad_bodies(self):
        self.start()
        for raw in (b"[1,2]", b"\"x\""):
            status, _, data = self.server.request("POST", "/api/orchestrator/launch", raw,
                                                  {"Content-Type": "application/json"})
            self.assertEqual(status, 400, data)
        status, _, data = self.server.request("POST", "/api/orchestrator/launch", b"agents=alpha",
                                              {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 415, data)
        status, body = self.launch({"agents": []})
        self.assertEqual(status, 400)
        status, body = self.launch({"agents": ["alpha", "alpha"]})
        self.assertEqual(status, 400)
        self.assertIn("listed twice", body["error"]["problems"][0])
        self.assertEqual(self.waiting(), 0)

    def test_idempotency_key_gives_the_same_ids(self):
        self.start()
        headers = {"Idempotency-Key": "launch-42"}
        first = self.launch({"agents": ["alpha"]}, headers)
        second = self.launch({"agents": ["alpha"]}, headers)
        self.assertEqual(first[0], 202)
        self.assertEqual(second, first)
        self.assertEqual(self.waiting(), 1)
        status, body = self.launch({"agents": ["beta"], "inputs": {"beta": {"beliefs": ["x"]}}}, headers)
        self.assertEqual(status, 422, body)
        self.assertEqual(body["error"]["code"], "idempotency_key_reused")
        keys = self.redis.cli("KEYS", f"bull:{QUEUE}:idempotency:*").split()
        self.assertEqual(len(keys), 1)
        ttl = int(self.redis.cli("TTL", keys[0]))
        self.assertTrue(0 < ttl <= 86400, ttl)
        other = self.launch({"agents": ["alpha"]}, {"Idempotency-Key": "launch-43"})
        self.assertNotEqual(other[1]["jobIds"], first[1]["jobIds"])
        self.assertEqual(self.waiting(), 2)
        status, body = self.launch({"agents": ["alpha"]}, {"Idempotency-Key": "x" * 201})
        self.assertEqual(status, 400)

    def test_failed_validation_does_not_spend_the_key(self):
        self.start()
        headers = {"Idempotency-Key": "k1"}
        self.assertEqual(self.launch({"agents": ["beta"], "inputs": {}}, headers)[0], 400)
        status, body = self.launch({"agents": ["alpha"]}, headers)
        self.assertEqual(status, 202, body)

    def test_redis_down_is_503_and_logged(self):
        self.start()
        self.redis.stop()
        status, body = self.launch({"agents": ["alpha"]})
        self.assertEqual(status, 503, body)
        self.assertIn("[Orchestrator] Launch failed:", self.server.log())

    def test_flag_off_refuses_every_orchestrator_endpoint(self):
        self.start(ENABLE_GROWTH_AGENTS="false")
        for method, path in (("POST", "/api/orchestrator/launch"), ("GET", "/api/orchestrator/readiness"),
                             ("GET", "/api/orchestrator/monitor"), ("GET", "/api/orchestrator/events"),
                             ("GET", "/api/orchestrator/jobs/x"), ("POST", "/api/orchestrator/pause")):
            status, _ = self.server.json(method, path)
            self.assertEqual(status, 403, path)
        self.assertEqual(self.waiting(), 0)


class Status(Orchestrator):
    def test_health_counts_registry_and_redis_down(self):
        self.start()
        self.launch()
        status, body = self.server.json("GET", "/api/orchestrator/health")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["queue"]["waiting"], 2)
        for key in ("active", "delayed", "completed", "failed", "paused"):
            self.assertEqual(body["queue"][key], 0)
        agents = {a["name"]: a for a in body["agentRegistry"]["agents"]}
        self.assertEqual(len(agents["alpha"]["version"]), 64)
        self.assertTrue(agents["alpha"]["loaded"])
        self.assertEqual(body["workers"], [])
        self.assertGreaterEqual(body["redis"]["latencyMs"], 0)
        self.redis.stop()
        status, body = self.server.json("GET", "/api/orchestrator/health")
        self.assertEqual(status, 503)
        self.assertFalse(body["redis"]["connected"])
        self.assertIn("queue", body)

    def test_readiness_and_dashboard(self):
        self.start()
        status, body = self.server.json("GET", "/api/orchestrator/readiness")
        self.assertEqual(status, 200, body)
        agents = {a["name"]: a for a in body["agents"]}
        self.assertTrue(agents["alpha"]["scriptLoaded"])
        self.assertEqual(agents["alpha"]["integrations"]["llm"]["status"], "local")
        self.assertEqual(agents["alpha"]["integrations"]["sheets"]["status"], "local")
        self.assertIn(agents["beta"]["integrations"]["mail"]["status"], ("local", "live"))
        self.assertIsNone(agents["alpha"]["lastRun"])
        self.assertTrue(body["ready"])
        self.launch()
        status, body = self.server.json("GET", "/api/dashboard")
        self.assertEqual(status, 200)
        self.assertEqual(body["queue"]["counts"]["waiting"], 2)
        self.assertEqual(len(body["readiness"]["agents"]), 2)

    def test_production_without_credentials_is_not_ready(self):
        self.start(GROWTH_ENV="production", GROWTH_AUTH="off")
        status, body = self.server.json("GET", "/api/orchestrator/readiness")
        self.assertEqual(status, 200, body)
        agents = {a["name"]: a for a in body["agents"]}
        self.assertEqual(agents["alpha"]["integrations"]["llm"]["status"], "missing")
        self.assertEqual(agents["alpha"]["integrations"]["sheets"]["status"], "missing")
        self.assertFalse(agents["alpha"]["ready"])
        self.assertFalse(body["ready"])

    def test_metrics_has_queue_depth(self):
        self.start()
        self.launch()
        status, _, data = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertIn(f'growth_queue_jobs{{queue="{QUEUE}",state="wait"}} 2', data.decode())

    def test_pause_and_resume(self):
        self.start()
        status, body = self.server.json("POST", "/api/orchestrator/pause")
        self.assertEqual((status, body["paused"]), (200, True))
        self.assertEqual(self.redis.cli("HGET", f"bull:{QUEUE}:meta", "paused").strip(), "1")
        self.assertTrue(self.server.json("GET", "/api/orchestrator/health")[1]["queue"]["isPaused"])
        status, body = self.server.json("POST", "/api/orchestrator/resume")
        self.assertEqual((status, body["paused"]), (200, False))
        self.assertEqual(self.redis.cli("HGET", f"bull:{QUEUE}:meta", "paused").strip(), "")


class Events(Orchestrator):
    def test_monitor_newest_first_with_since_agent_and_limit(self):
        self.start()
        ids = self.launch()[1]["jobIds"]
        status, body = self.server.json("GET", "/api/orchestrator/monitor?limit=100")
        self.assertEqual(status, 200, body)
        events = body["events"]
        self.assertEqual([e["event"] for e in events], ["waiting", "added", "waiting", "added"])
        self.assertEqual(events[0]["jobId"], ids[1])
        self.assertEqual(events[0]["agent"], "beta")
        newest = events[0]["id"]
        self.assertEqual(len(self.server.json("GET", "/api/orchestrator/monitor?limit=1")[1]["events"]), 1)
        alpha = self.server.json("GET", "/api/orchestrator/monitor?agent=alpha")[1]["events"]
        self.assertEqual({e["jobId"] for e in alpha}, {ids[0]})
        self.assertEqual(self.server.json("GET", f"/api/orchestrator/monitor?since={newest}")[1]["events"], [])
        since = self.server.json("GET", f"/api/orchestrator/monitor?since={events[2]['id']}")[1]["events"]
        self.assertEqual([e["id"] for e in since], [events[0]["id"], events[1]["id"]])
        for bad in ("limit=0", "limit=abc", "limit=100000", "since=xyz", "agent=../x"):
            self.assertEqual(self.server.json("GET", f"/api/orchestrator/monitor?{bad}")[0], 400, bad)

    def read_events(self, sock, count, timeout=10, until=None):
        """Frames (id, type, data) read until count have come (or one of type `until`)."""
        sock.settimeout(timeout)
        data = b""
        deadline = time.monotonic() + timeout
        while data.count(b"\nevent: ") < count and time.monotonic() < deadline:
            if until and f"event: {until}\n".encode() in data:
                break
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        frames = []
        for block in data.split(b"\n\n"):
            fields = dict(line.split(b": ", 1) for line in block.split(b"\n") if b": " in line and not line.startswith(b":"))
            if b"event" in fields:
                frames.append((fields.get(b"id", b"").decode(), fields[b"event"].decode(),
                               json.loads(fields[b"data"])))
        return frames

    def open_stream(self, last_id=None):
        sock = socket.create_connection(("127.0.0.1", self.server.port))
        extra = f"Last-Event-ID: {last_id}\r\n" if last_id else ""
        sock.sendall(f"GET /api/orchestrator/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n{extra}\r\n"
                     .encode())
        return sock

    def test_live_stream_and_resume(self):
        self.start()
        sock = self.open_stream()
        harness.wait_until(lambda: self.server.json("GET", "/api/orchestrator/health")[1]["eventStream"]["clients"] == 1,
                           what="the client to subscribe")
        ids = self.launch()[1]["jobIds"]
        frames = self.read_events(sock, 4)
        sock.close()
        self.assertEqual([f[1] for f in frames], ["added", "waiting", "added", "waiting"])
        self.assertEqual(frames[0][2]["jobId"], ids[0])
        # small frames: the id and type are the frame's lines, the data only what a client uses
        self.assertEqual(frames[0][2], {"jobId": ids[0]})
        monitor = self.server.json("GET", "/api/orchestrator/monitor?limit=4")[1]["events"]
        self.assertEqual([f[0] for f in frames], [e["id"] for e in reversed(monitor)])
        # resume after the first event: the three after it, from memory
        sock = self.open_stream(frames[0][0])
        again = self.read_events(sock, 3)
        sock.close()
        self.assertEqual([f[0] for f in again], [f[0] for f in frames[1:]])

    def test_resume_from_an_id_older_than_memory_reads_redis(self):
        self.start(GROWTH_SSE_HISTORY="0")
        first = self.launch({"agents": ["alpha"]})[1]["jobIds"][0]
        events = self.server.json("GET", "/api/orchestrator/monitor")[1]["events"]
        harness.wait_until(lambda: True)
        time.sleep(1.5)  # let the reader pass the first launch's events
        self.launch({"agents": ["alpha"]})
        harness.wait_until(lambda: len(self.server.json("GET", "/api/orchestrator/monitor")[1]["events"]) == 4,
                           what="four events")
        sock = self.open_stream(events[-1]["id"])
        frames = self.read_events(sock, 3)
        sock.close()
        self.assertEqual([f[1] for f in frames], ["waiting", "added", "waiting"])
        self.assertEqual(frames[0][2]["jobId"], first)

    def test_bad_last_event_id(self):
        self.start()
        status, _ = self.server.json("GET", "/api/orchestrator/events", headers={"Last-Event-ID": "nope"})
        self.assertEqual(status, 400)


class Jobs(Orchestrator):
    def test_job_detail_and_unknown_job(self):
        self.start()
        job_id = self.launch({"agents": ["alpha"]})[1]["jobIds"][0]
        self.redis.cli("RPUSH", f"bull:{QUEUE}:{job_id}:logs", "line one")
        status, body = self.server.json("GET", f"/api/orchestrator/jobs/{job_id}")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["state"], "waiting")
        self.assertEqual(body["name"], "alpha")
        self.assertEqual(body["logs"], ["line one"])
        self.assertEqual(body["attempts"], 3)
        self.assertEqual(body["artifacts"], [])
        self.assertEqual(len(body["currentScriptVersion"]), 64)
        self.assertEqual(self.server.json("GET", "/api/orchestrator/jobs/nope-1")[0], 404)
        self.assertEqual(self.server.json("POST", "/api/orchestrator/jobs/nope-1/retry")[0], 404)
        status, body = self.server.json("POST", f"/api/orchestrator/jobs/{job_id}/retry")
        self.assertEqual(status, 409, body)

    def test_artifacts_and_traversal(self):
        self.start()
        folder = os.path.join(self.data_dir, "artifacts", "alpha-1-abc")
        os.makedirs(folder)
        with open(os.path.join(folder, "purpose.pdf"), "wb") as f:
            f.write(b"%PDF-1.4\n%%EOF\n")
        with open(os.path.join(folder, "blob.bin"), "wb") as f:
            f.write(b"\x00\x01")
        with open(os.path.join(self.tmp, "secret.txt"), "w") as f:
            f.write("TOPSECRET-CONTENT")
        os.symlink(os.path.join(self.tmp, "secret.txt"), os.path.join(folder, "link.txt"))
        status, headers, data = self.server.request("GET", "/api/artifacts/alpha-1-abc/purpose.pdf")
        self.assertEqual((status, data), (200, b"%PDF-1.4\n%%EOF\n"))
        self.assertEqual(headers["content-type"], "application/pdf")
        self.assertTrue(headers["content-disposition"].startswith("inline"))
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        status, headers, _ = self.server.request("GET", "/api/artifacts/alpha-1-abc/blob.bin")
        self.assertEqual((status, headers["content-type"]), (200, "application/octet-stream"))
        self.assertTrue(headers["content-disposition"].startswith("attachment"))
        for path in ("/api/artifacts/alpha-1-abc/link.txt", "/api/artifacts/alpha-1-abc/..%2F..%2Fsecret.txt",
                     "/api/artifacts/../secret.txt", "/api/artifacts/alpha-1-abc/.hidden",
                     "/api/artifacts/alpha-1-abc/missing.pdf", "/api/artifacts/..%2Fdata/x",
                     "/api/artifacts/alpha-1-abc/%2e%2e"):
            status, _, data = self.server.request("GET", path)
            self.assertIn(status, (400, 404), path)
            self.assertNotIn(b"TOPSECRET", data)


class Retry(Orchestrator):
    workers = 1

    def test_a_job_runs_to_completion_with_its_artifact(self):
        self.start()
        job_id = self.launch({"agents": ["alpha"]})[1]["jobIds"][0]
        harness.wait_until(lambda: self.server.json("GET", f"/api/orchestrator/jobs/{job_id}")[1]["state"] == "completed",
                           timeout=60, what="the alpha job to complete")
        status, body = self.server.json("GET", f"/api/orchestrator/jobs/{job_id}")
        self.assertEqual(body["returnvalue"], {"days": 3})
        self.assertEqual(len(body["scriptVersion"]), 64)
        self.assertEqual(body["scriptVersion"], body["currentScriptVersion"])
        self.assertEqual(body["artifacts"], [{"name": "note.txt", "url": f"/api/artifacts/{job_id}/note.txt"}])
        status, headers, data = self.server.request("GET", body["artifacts"][0]["url"])
        self.assertEqual((status, data), (200, b"alpha ran for 3 days\n"))
        self.assertEqual(headers["content-type"], "text/plain; charset=utf-8")
        events = self.server.json("GET", "/api/orchestrator/monitor?agent=alpha")[1]["events"]
        progress = [e for e in events if e["event"] == "progress"]
        self.assertEqual([e["percent"] for e in progress], [100, 50])
        # the message rides in the event; BullMQ's progress stays the bar's number, the log keeps the line
        self.assertEqual([e["message"] for e in progress], ["done", "halfway"])
        self.assertEqual([e["data"] for e in progress], ["100", "50"])
        self.assertEqual(body["progress"], 100)
        self.assertEqual([line.split("] ", 1)[1] for line in body["logs"] if "%" in line], ["50% halfway", "100% done"])
        self.assertEqual(events[0]["event"], "completed")
        readiness = {a["name"]: a for a in self.server.json("GET", "/api/orchestrator/readiness")[1]["agents"]}
        self.assertEqual(readiness["alpha"]["lastRun"]["state"], "completed")
        self.assertGreaterEqual(readiness["alpha"]["lastRun"]["durationMs"], 0)

    def metrics(self):
        status, _, text = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        return parse_exposition(text.decode())

    def sample(self, families, family, name, **labels):
        values = [v for n, l, v in families[family]["samples"] if n == name and l == labels]
        return values[0] if values else None

    def test_live_feed_carries_progress_messages_and_metrics_count_runs(self):
        self.start()
        sock = socket.create_connection(("127.0.0.1", self.server.port))
        sock.sendall(b"GET /api/orchestrator/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        harness.wait_until(lambda: self.server.json("GET", "/api/orchestrator/health")[1]["eventStream"]["clients"] == 1,
                           what="the client to subscribe")
        job_id = self.launch({"agents": ["alpha"]})[1]["jobIds"][0]
        frames = Events.read_events(self, sock, 100, timeout=60, until="completed")
        sock.close()
        progress = [data for _, kind, data in frames if kind == "progress"]
        self.assertEqual(progress, [{"jobId": job_id, "percent": 50, "message": "halfway"},
                                    {"jobId": job_id, "percent": 100, "message": "done"}])
        completed = [data for _, kind, data in frames if kind == "completed"]
        self.assertEqual(completed, [{"jobId": job_id}])
        families = self.metrics()
        self.assertEqual(families["growth_jobs_total"]["type"], "counter")
        self.assertEqual(self.sample(families, "growth_jobs_total", "growth_jobs_total", agent="alpha",
                                     state="completed"), 1)
        self.assertEqual(families["growth_job_duration_seconds"]["type"], "histogram")
        self.assertEqual(self.sample(families, "growth_job_duration_seconds", "growth_job_duration_seconds_count",
                                     agent="alpha"), 1)
        self.assertEqual(self.sample(families, "growth_job_duration_seconds", "growth_job_duration_seconds_bucket",
                                     agent="alpha", le="+Inf"), 1)

    def test_failed_job_is_retried_and_workers_are_seen(self):
        self.start()
        job_id = self.launch({"agents": ["beta"], "inputs": {"beta": {"beliefs": ["x"], "fail": True}}})[1]["jobIds"][0]
        harness.wait_until(lambda: self.server.json("GET", f"/api/orchestrator/jobs/{job_id}")[1]["state"] == "failed",
                           timeout=60, what="the job to fail for good")
        status, body = self.server.json("GET", f"/api/orchestrator/jobs/{job_id}")
        self.assertGreaterEqual(body["attemptsMade"], 1)
        first_finish = body["finishedOn"]
        self.assertTrue(body["failedReason"])
        families = self.metrics()
        # a script error is final at once: one run, failed for good, counted by its code
        self.assertEqual(self.sample(families, "growth_jobs_total", "growth_jobs_total", agent="beta", state="failed"), 1)
        self.assertIsNone(self.sample(families, "growth_jobs_total", "growth_jobs_total", agent="beta", state="retried"))
        self.assertEqual(self.sample(families, "growth_job_failures_total", "growth_job_failures_total", agent="beta",
                                     code="script_error"), 1)
        readiness = {a["name"]: a for a in self.server.json("GET", "/api/orchestrator/readiness")[1]["agents"]}
        self.assertEqual(readiness["beta"]["lastRun"]["state"], "failed")
        self.assertEqual(readiness["beta"]["lastRun"]["jobId"], job_id)
        self.assertTrue(readiness["beta"]["lastRun"]["failedReason"])
        workers = self.server.json("GET", "/api/orchestrator/health")[1]["workers"]
        self.assertTrue(any(w["name"].startswith("growthd-") for w in workers), workers)
        status, body = self.server.json("POST", f"/api/orchestrator/jobs/{job_id}/retry")
        self.assertEqual(status, 202, body)
        events = self.server.json("GET", "/api/orchestrator/monitor?agent=beta")[1]["events"]
        self.assertTrue(any(e["event"] == "waiting" and e.get("prev") == "failed" for e in events), events)

        def ran_again():
            job = self.server.json("GET", f"/api/orchestrator/jobs/{job_id}")[1]
            return job["state"] == "failed" and job["finishedOn"] > first_finish
        harness.wait_until(ran_again, timeout=60, what="the retried job to run and fail again")


if __name__ == "__main__":
    harness.main()
