"""Launching with a profile and with the kill switch, through both doors: `growthd launch` and
POST /api/orchestrator/launch.

A profile {"user": {...}, "inputs": {"<agent>": {...}}} gives every job the user and each agent its own
input; a disabled agent is skipped with who and why, and a launch of only disabled agents is refused
(409 over HTTP, a non-zero exit on the command line) with nothing queued.
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Growthd, Redis, run_growthd  # noqa: E402

SCRIPTS = os.path.join(os.path.dirname(__file__), "agent_jobs")
PROFILE = {"user": {"id": "u-7", "name": "Grace"}, "inputs": {"echo": {"words": ["left", "right"]}}}


class LaunchProfiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = Redis().start()
        cls.data = tempfile.mkdtemp(prefix="growthd-launch-")
        cls.profile = os.path.join(cls.data, "profile.json")
        with open(cls.profile, "w") as f:
            json.dump(PROFILE, f)
        cls.env = {"REDIS_URL": cls.redis.url, "GROWTH_SCRIPTS_DIR": SCRIPTS, "GROWTH_DATA_DIR": cls.data,
                   "GROWTH_PROFILE": cls.profile, "GROWTH_HOT_RELOAD": "false", "ENABLE_GROWTH_AGENTS": "true"}
        cls.api = Growthd(env=cls.env).start()

    @classmethod
    def tearDownClass(cls):
        cls.api.cleanup()
        cls.redis.stop()

    def data_of(self, job_id):
        return json.loads(self.redis.cli("HGET", f"bull:growth-agents:{job_id}", "data"))

    def test_the_command_gives_each_agent_its_input(self):
        result = run_growthd(["launch", "--agents", "echo,flaky"], env=self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        echo_id, flaky_id = json.loads(result.stdout)["jobIds"]
        self.assertEqual(self.data_of(echo_id), {"user": PROFILE["user"], "input": {"words": ["left", "right"]}})
        self.assertEqual(self.data_of(flaky_id), {"user": PROFILE["user"], "input": {}})

    def test_disabled_agents_are_skipped_or_refused(self):
        disable = run_growthd(["agents", "disable", "broken", "--reason", "bad output in staging"], env=self.env)
        self.assertEqual(disable.returncode, 0, disable.stderr)
        try:
            status, body = self.api.json("POST", "/api/orchestrator/launch", body={"agents": ["broken"]})
            self.assertEqual(status, 409, body)
            self.assertEqual(body["error"]["code"], "agent_disabled")
            self.assertIn("bad output in staging", body["error"]["message"])
            status, body = self.api.json("POST", "/api/orchestrator/launch", body={"agents": ["broken", "echo"]})
            self.assertEqual(status, 202, body)
            self.assertEqual(body["agents"], ["echo"])
            self.assertEqual(len(body["jobIds"]), 1)
            self.assertEqual([s["agent"] for s in body["skipped"]], ["broken"])
            self.assertEqual(body["skipped"][0]["reason"], "bad output in staging")
            only = run_growthd(["launch", "--agents", "broken"], env=self.env)
            self.assertNotEqual(only.returncode, 0)
            self.assertIn("bad output in staging", only.stderr)
            waiting = self.redis.cli("LRANGE", "bull:growth-agents:wait", 0, -1).split()
            self.assertFalse([job for job in waiting if job.startswith("broken-")], waiting)
        finally:
            run_growthd(["agents", "enable", "broken"], env=self.env)


if __name__ == "__main__":
    unittest.main(verbosity=2)
