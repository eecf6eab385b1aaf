"""The seed's Rollback Procedure as drills against a running `growthd serve --workers` with jobs in flight.

Emergency rollback: the flags go off by editing the --env-file and sending SIGHUP; the next request to
/api/orchestrator/ is 403 while /health, /api/agents and /api/dashboard stay 200 and /agents turns 404;
a bad value is refused and the old configuration stays; flags on again, and every job launched before
finishes, each exactly once.

Partial rollback: niche is disabled with `growthd agents disable` while a niche job runs and another
waits; the running one finishes, `growthd launch` launches the other four and says niche was skipped and
why, niche's queued job is held (neither run nor failed, no attempt used), a launch of only niche exits 1
with the reason; /api/agents and /metrics show niche disabled; enabled again, the held job completes.

The stand-in agents (rollback/agents/) keep running while their ctx.store key "hold" is set, so which
jobs are in flight is decided by the test, not by timing.
"""
import hashlib
import json
import os
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Growthd, Redis, run_growthd, wait_until  # noqa: E402

SCRIPTS = os.path.join(os.path.dirname(__file__), "rollback")
AGENTS = ["journal", "mindset", "niche", "purpose", "rhythm"]
Q = "bull:growth-agents"


class Drill(unittest.TestCase):
    workers = 1

    def setUp(self):
        self.redis = Redis().start()
        self.folder = tempfile.mkdtemp(prefix="growthd-rollback-")
        self.env_file = os.path.join(self.folder, ".env")
        self.write_env(agents="true", dashboard="true")
        self.env = {"REDIS_URL": self.redis.url, "GROWTH_SCRIPTS_DIR": SCRIPTS, "GROWTH_DATA_DIR": self.folder,
                    "GROWTH_HOT_RELOAD": "false", "GROWTH_SHUTDOWN_GRACE_S": "5"}
        self.server = Growthd(env=self.env, args=["--env-file", self.env_file, "serve", "--workers",
                                                  str(self.workers)]).start()

    def tearDown(self):
        for agent in AGENTS:
            self.release(agent)
        code = self.server.stop()
        self.server.cleanup()
        self.redis.stop()
        self.assertEqual(code, 0, "growthd serve did not stop cleanly")

    def write_env(self, agents, dashboard, extra=""):
        with open(self.env_file, "w") as f:
            f.write(f"ENABLE_GROWTH_AGENTS={agents}\nENABLE_GROWTH_DASHBOARD={dashboard}\n{extra}")

    def growthd(self, *args):
        return run_growthd(["--env-file", self.env_file] + list(args), env=self.env)

    def launch(self, *agents):
        args = ["launch"] + (["--agents", ",".join(agents)] if agents else [])
        result = self.growthd(*args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def hold(self, agent):
        self.redis.cli("HSET", f"{Q}:store:default:{agent}", "hold", "true")

    def release(self, agent):
        self.redis.cli("HDEL", f"{Q}:store:default:{agent}", "hold")

    def job(self, job_id):
        lines = self.redis.cli("HGETALL", f"{Q}:{job_id}").splitlines()
        return dict(zip(lines[0::2], lines[1::2]))

    def running(self, job_id):
        """The job is active and its agent has reported its first progress."""
        return self.redis.cli("LPOS", f"{Q}:active", job_id).strip() != "" and self.job(job_id).get("progress")

    def completed(self):
        return set(self.redis.cli("ZRANGE", f"{Q}:completed", 0, -1).split())

    def failed(self):
        return set(self.redis.cli("ZRANGE", f"{Q}:failed", 0, -1).split())

    def sighup(self):
        """SIGHUP, then wait for the configuration reload's last log line (done or refused)."""
        done = self.server.log().count("[Config] SIGHUP: reload ")
        self.server.process.send_signal(signal.SIGHUP)
        wait_until(lambda: self.server.log().count("[Config] SIGHUP: reload ") > done or None,
                   what="the SIGHUP reload")


class EmergencyRollback(Drill):
    workers = 5

    def test_flags_off_and_on_with_jobs_in_flight(self):
        for agent in AGENTS:
            self.hold(agent)
        first = self.launch()["jobIds"]
        queued = self.launch()["jobIds"]
        self.assertEqual(len(first) + len(queued), 10)
        for job_id in first:
            wait_until(lambda: self.running(job_id), what=f"{job_id} running")
        self.assertEqual(self.server.json("GET", "/api/orchestrator/health")[0], 200)
        self.assertEqual(self.server.request("GET", "/agents")[0], 200)

        # 1. Disable Feature Flags: edit the env file, SIGHUP instead of a restart
        self.write_env(agents="false", dashboard="false")
        sent = time.monotonic()
        self.sighup()
        # 2. Verify Rollback: the first request after the reload is refused
        status, body = self.server.json("GET", "/api/orchestrator/health")
        print(f"\n  flags off: 403 {time.monotonic() - sent:.3f}s after SIGHUP", file=sys.stderr)
        self.assertEqual(status, 403)
        self.assertEqual(body["error"]["code"], "growth_agents_disabled")
        self.assertEqual(self.server.json("POST", "/api/orchestrator/agents/niche/disable", {"reason": "x"})[0], 403)
        # 3. Core services continue normally
        self.assertEqual(self.server.json("GET", "/health")[0], 200)
        status, agents = self.server.json("GET", "/api/agents")
        self.assertEqual(status, 200)
        self.assertEqual(sorted(a["name"] for a in agents["agents"]), AGENTS)
        status, summary = self.server.json("GET", "/api/dashboard")
        self.assertEqual(status, 200)
        self.assertEqual(summary["flags"], {"growthAgents": False, "growthDashboard": False})
        self.assertEqual(self.server.request("GET", "/agents")[0], 404)
        log = self.server.log()
        self.assertIn("ENABLE_GROWTH_AGENTS true -> false", log)
        self.assertIn("ENABLE_GROWTH_DASHBOARD true -> false", log)

        # a bad value is refused, naming the variable; the configuration in use stays
        self.write_env(agents="maybe", dashboard="true")
        self.sighup()
        self.assertIn("reload refused", self.server.log())
        self.assertIn("ENABLE_GROWTH_AGENTS: 'maybe' is not a boolean", self.server.log())
        self.assertEqual(self.server.json("GET", "/api/orchestrator/health")[0], 403)
        self.assertEqual(self.server.request("GET", "/agents")[0], 404)
        # a setting that needs a restart is reported and kept
        self.write_env(agents="false", dashboard="false", extra="GROWTH_HTTP_THREADS=9\n")
        self.sighup()
        self.assertIn("GROWTH_HTTP_THREADS changed (0 -> 9) but takes effect only after a restart", self.server.log())

        # no job was lost while the flags were off: the held ones still run, none failed
        for job_id in first:
            self.assertTrue(self.running(job_id), job_id)
        self.assertEqual(self.failed(), set())

        # flags on again: the orchestrator answers, and every queued job finishes exactly once
        self.write_env(agents="true", dashboard="true")
        self.sighup()
        self.assertEqual(self.server.json("GET", "/api/orchestrator/health")[0], 200)
        self.assertEqual(self.server.request("GET", "/agents")[0], 200)
        for agent in AGENTS:
            self.release(agent)
        every = set(first + queued)
        wait_until(lambda: every <= self.completed(), timeout=30, what="all ten jobs to complete")
        self.assertEqual(self.failed(), set())
        for job_id in every:
            self.assertEqual(self.job(job_id)["atm"], "1", job_id)


class PartialRollback(Drill):
    workers = 1

    def test_disable_niche_mid_run(self):
        self.hold("niche")
        running = self.launch("niche")["jobIds"][0]
        wait_until(lambda: self.running(running), what="the first niche job running")
        waiting = self.launch("niche")["jobIds"][0]

        result = self.growthd("agents", "disable", "niche", "--reason", "drill: bad prompts", "--by", "ops")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("niche", result.stdout)
        self.assertIn("[Orchestrator] Agent niche disabled by ops: drill: bad prompts", result.stderr)
        # the job already running finishes
        self.release("niche")
        wait_until(lambda: running in self.completed(), what="the running niche job to finish")

        # launch all: the other four are launched, niche is skipped with its reason
        launched = self.launch()
        self.assertEqual(sorted(i.split("-")[0] for i in launched["jobIds"]),
                         ["journal", "mindset", "purpose", "rhythm"])
        self.assertEqual([s["agent"] for s in launched["skipped"]], ["niche"])
        self.assertEqual(launched["skipped"][0]["reason"], "drill: bad prompts")
        self.assertEqual(launched["skipped"][0]["disabledBy"], "ops")
        wait_until(lambda: set(launched["jobIds"]) <= self.completed(), what="the four jobs to complete")

        # niche's queued job is held: taken and handed back at least once, never run, no attempt used
        wait_until(lambda: self.redis.cli("ZSCORE", f"{Q}:delayed", waiting).strip() or None,
                   what="the queued niche job to be handed back")
        job = self.job(waiting)
        self.assertNotIn("finishedOn", job)
        self.assertNotIn("failedReason", job)
        self.assertEqual(job.get("atm", "0"), "0")
        self.assertNotIn(waiting, self.completed() | self.failed())
        self.assertIn(f"holding job {waiting}: agent niche is disabled by ops: drill: bad prompts", self.server.log())

        # a launch of only niche is refused with the reason
        only = self.growthd("launch", "--agents", "niche")
        self.assertEqual(only.returncode, 1)
        self.assertIn("niche is disabled by ops", only.stderr)
        self.assertIn("drill: bad prompts", only.stderr)

        # what the API and /metrics show
        status, agents = self.server.json("GET", "/api/agents")
        self.assertEqual(status, 200)
        niche = next(a for a in agents["agents"] if a["name"] == "niche")
        self.assertEqual((niche["disabled"], niche["reason"], niche["disabledBy"]), (True, "drill: bad prompts", "ops"))
        self.assertIn("disabledAt", niche)
        self.assertFalse(next(a for a in agents["agents"] if a["name"] == "journal")["disabled"])
        metrics = self.server.request("GET", "/metrics")[2].decode()
        self.assertIn('growth_agent_disabled{agent="niche"} 1', metrics)
        self.assertIn('growth_agent_disabled{agent="journal"} 0', metrics)
        listed = self.growthd("agents", "list", "--json")
        self.assertEqual([a["agent"] for a in json.loads(listed.stdout)["agents"]], ["niche"])

        # enable: the held job runs, on its first attempt
        result = self.growthd("agents", "enable", "niche", "--by", "ops")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("[Orchestrator] Agent niche enabled by ops", result.stderr)
        wait_until(lambda: waiting in self.completed(), timeout=20, what="the held niche job to complete")
        self.assertEqual(self.job(waiting)["atm"], "1")
        self.assertEqual(self.failed(), set())
        metrics = self.server.request("GET", "/metrics")[2].decode()
        self.assertIn('growth_agent_disabled{agent="niche"} 0', metrics)


class KillSwitchApi(Drill):
    workers = 0

    def test_author_is_the_api_key_when_access_control_is_on(self):
        self.assertEqual(self.server.stop(), 0)
        self.server.cleanup()
        key = "k-" + os.urandom(8).hex()
        env = dict(self.env, GROWTH_API_KEYS="oncall:" + hashlib.sha256(key.encode()).hexdigest())
        self.server = Growthd(env=env, args=["--env-file", self.env_file, "serve"]).start()
        bearer = {"Authorization": f"Bearer {key}"}
        self.assertEqual(self.server.json("POST", "/api/orchestrator/agents/niche/disable", {"reason": "x"})[0], 401)
        status, body = self.server.json("POST", "/api/orchestrator/agents/niche/disable",
                                        {"reason": "quota", "by": "someone-else"}, headers=bearer)
        self.assertEqual((status, body["disabledBy"]), (200, "oncall"))
        status, agents = self.server.json("GET", "/api/agents", headers=bearer)
        niche = next(a for a in agents["agents"] if a["name"] == "niche")
        self.assertEqual((niche["disabled"], niche["disabledBy"]), (True, "oncall"))
        status, body = self.server.json("POST", "/api/orchestrator/agents/niche/enable", {}, headers=bearer)
        self.assertEqual((status, body["enabledBy"]), (200, "oncall"))

    def test_disable_and_enable_over_http(self):
        post = self.server.json
        status, body = post("POST", "/api/orchestrator/agents/niche/disable", {"reason": "quota", "by": "alice"})
        self.assertEqual(status, 200, body)
        self.assertEqual((body["agent"], body["disabled"], body["disabledBy"], body["reason"]),
                         ("niche", True, "alice", "quota"))
        self.assertEqual(post("POST", "/api/orchestrator/agents/niche/disable", {})[0], 400)
        self.assertEqual(post("POST", "/api/orchestrator/agents/nosuch/disable", {"reason": "x"})[0], 404)
        status, listed = post("GET", "/api/orchestrator/agents/disabled")
        self.assertEqual((status, [a["agent"] for a in listed["agents"]]), (200, ["niche"]))
        status, summary = post("GET", "/api/dashboard")
        self.assertEqual([a["agent"] for a in summary["disabledAgents"]], ["niche"])
        # the CLI sees the change made over HTTP (the state is in Redis)
        self.assertIn("niche", self.growthd("agents", "list").stdout)
        refused = self.growthd("launch", "--agents", "niche")
        self.assertEqual(refused.returncode, 1)
        self.assertIn("quota", refused.stderr)
        status, body = post("POST", "/api/orchestrator/agents/niche/enable", {"by": "alice"})
        self.assertEqual((status, body["disabled"], body["wasDisabled"]), (200, False, True))
        self.assertEqual(post("POST", "/api/orchestrator/agents/niche/enable")[1]["wasDisabled"], False)
        self.assertIn("no agent is disabled", self.growthd("agents", "list").stdout)
        log = self.server.log()
        self.assertIn("[Orchestrator] Agent niche disabled by alice: quota", log)
        self.assertIn("[Orchestrator] Agent niche enabled by alice", log)

    def test_cli_refuses_bad_use(self):
        self.assertEqual(self.growthd("agents", "disable", "niche").returncode, 2)
        self.assertEqual(self.growthd("agents", "disable", "nosuch", "--reason", "x").returncode, 2)
        self.assertEqual(self.growthd("agents", "frobnicate").returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
