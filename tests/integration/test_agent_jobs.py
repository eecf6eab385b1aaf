"""Agent jobs through the queue: `growthd launch` enqueues, `growthd worker` runs them in the Lua runtime.

Checks the return value, progress, job log lines, the recorded script version, artifacts under
GROWTH_DATA_DIR/artifacts/<job id>/, a retryable failure retried without repeating its ctx.step side
effect, a script error failing at once with file:line, and a job naming no agent.
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Growthd, Redis, run_growthd, wait_until  # noqa: E402

SCRIPTS = os.path.join(os.path.dirname(__file__), "agent_jobs")


class AgentJobs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = Redis().start()
        cls.data = tempfile.mkdtemp(prefix="growthd-data-")
        profile = os.path.join(cls.data, "profile.json")
        with open(profile, "w") as f:
            json.dump({"id": "u-42", "name": "Ada"}, f)
        cls.env = {"REDIS_URL": cls.redis.url, "GROWTH_SCRIPTS_DIR": SCRIPTS, "GROWTH_DATA_DIR": cls.data,
                   "GROWTH_PROFILE": profile, "GROWTH_HOT_RELOAD": "false"}
        cls.worker = Growthd(env=cls.env, args=["worker", "--concurrency", "4"])
        cls.worker.start(wait=False)
        wait_until(lambda: "worker on queue" in cls.worker.log(), what="worker start")

    @classmethod
    def tearDownClass(cls):
        code = cls.worker.stop()
        cls.worker.cleanup()
        cls.redis.stop()
        assert code == 0, f"worker exited with {code}"

    def launch(self, agent):
        result = run_growthd(["launch", "--agents", agent], env=self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)["jobIds"][0]

    def job(self, job_id):
        text = self.redis.cli("HGETALL", f"bull:growth-agents:{job_id}")
        lines = text.splitlines()
        return dict(zip(lines[0::2], lines[1::2]))

    def wait_finished(self, job_id, timeout=20):
        return wait_until(lambda: self.job(job_id) if "finishedOn" in self.job(job_id) else None,
                          timeout=timeout, what=f"job {job_id} to finish")

    def logs(self, job_id):
        return self.redis.cli("LRANGE", f"bull:growth-agents:{job_id}:logs", 0, -1).splitlines()

    def test_a_job_runs_its_agent(self):
        job_id = self.launch("echo")
        job = self.wait_finished(job_id)
        self.assertIn("returnvalue", job, job)
        result = json.loads(job["returnvalue"])
        self.assertEqual(result["user"], "Ada")
        self.assertEqual(result["count"], 0)
        self.assertEqual(result["file"], os.path.join(self.data, "artifacts", job_id, "words.txt"))
        self.assertTrue(os.path.isfile(result["file"]))
        self.assertEqual(job["progress"], "50")   # as the job last reported it, as in BullMQ
        self.assertRegex(job["scriptVersion"], r"^[0-9a-f]{64}$")
        self.assertIn("[EchoAgent] echoing 0 words", self.logs(job_id))
        self.assertIn("[EchoAgent] 50% halfway", self.logs(job_id))

    def test_a_retryable_failure_is_retried_without_repeating_its_step(self):
        job_id = self.launch("flaky")
        job = self.wait_finished(job_id, timeout=30)
        self.assertIn("returnvalue", job, job)
        result = json.loads(job["returnvalue"])
        self.assertEqual(result, {"attempt": 2, "sends": 1, "stored": 1})
        self.assertEqual(job["atm"], "2")
        self.assertEqual(self.redis.cli("HGET", "bull:growth-agents:store:u-42:flaky", "sends").strip(), "1")

    def test_a_script_error_fails_at_once_with_file_and_line(self):
        job_id = self.launch("broken")
        job = self.wait_finished(job_id)
        self.assertNotIn("returnvalue", job)
        self.assertIn("agents/broken.lua:7", job["failedReason"])
        self.assertEqual(job["atm"], "1")   # not retried, although launch allows 3 attempts
        self.assertTrue(any("stack traceback" in line for line in self.logs(job_id)), self.logs(job_id))

    def test_a_job_naming_no_agent_fails_with_its_name(self):
        add = run_growthd(["launch", "--agents", "nosuch"], env=self.env)
        self.assertEqual(add.returncode, 2)
        self.assertIn("nosuch", add.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
