"""growthd's queue commands against a real redis-server: launch, worker, serve --workers."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import unittest

from queue_harness import GROWTHD_BIN, Keys, Redis, wait_until

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import Growthd, run_growthd  # noqa: E402


class CommandsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = Redis().start()
        cls.scripts = tempfile.mkdtemp(prefix="queue-scripts-")
        os.makedirs(os.path.join(cls.scripts, "agents"))
        for name in ("journal", "niche", "custom_agent"):
            with open(os.path.join(cls.scripts, "agents", name + ".lua"), "w") as f:
                f.write("return { name = %r }\n" % name)
        cls.profile = os.path.join(cls.scripts, "profile.json")
        with open(cls.profile, "w") as f:
            json.dump({"name": "Ana", "goals": ["write"]}, f)

    @classmethod
    def tearDownClass(cls):
        cls.redis.stop()
        shutil.rmtree(cls.scripts, ignore_errors=True)

    def env(self, queue, **extra):
        env = {"REDIS_URL": self.redis.url, "GROWTH_QUEUE_NAME": queue, "GROWTH_SCRIPTS_DIR": self.scripts}
        for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            if name in os.environ:
                env[name] = os.environ[name]
        env.update(extra)
        return env

    def test_launch_all_agents_with_profile(self):
        done = run_growthd(["launch"], env=self.env("l1", GROWTH_PROFILE=self.profile))
        self.assertEqual(done.returncode, 0, done.stderr)
        ids = json.loads(done.stdout)["jobIds"]
        self.assertEqual([i.split("-")[0] for i in ids], ["custom_agent", "journal", "niche"])
        keys = Keys(self.redis, "l1")
        job = keys.hash(ids[1])
        self.assertEqual(job["name"], "journal")
        self.assertEqual(json.loads(job["data"]), {"user": {"name": "Ana", "goals": ["write"]}, "input": {}})
        opts = json.loads(job["opts"])
        self.assertEqual(opts["attempts"], 3)
        self.assertEqual(opts["backoff"], {"type": "exponential", "delay": 2000})
        self.assertEqual(sorted(keys.list("wait")), sorted(ids))

    def test_launch_some_agents_without_profile(self):
        done = run_growthd(["launch", "--agents", "niche"], env=self.env("l2"))
        self.assertEqual(done.returncode, 0, done.stderr)
        ids = json.loads(done.stdout)["jobIds"]
        self.assertEqual(len(ids), 1)
        self.assertEqual(json.loads(Keys(self.redis, "l2").hash(ids[0])["data"]), {"user": {}, "input": {}})

    def test_launch_refuses_unknown_agent_and_bad_profile(self):
        done = run_growthd(["launch", "--agents", "niche,nope"], env=self.env("l3"))
        self.assertEqual(done.returncode, 2)
        self.assertIn("no agent 'nope'", done.stderr)
        self.assertEqual(Keys(self.redis, "l3").list("wait"), [])
        bad = os.path.join(self.scripts, "bad.json")
        with open(bad, "w") as f:
            f.write("[1,")
        done = run_growthd(["launch"], env=self.env("l3", GROWTH_PROFILE=bad))
        self.assertEqual(done.returncode, 2)
        self.assertIn("GROWTH_PROFILE", done.stderr)

    def test_worker_fails_unknown_names_and_stops_cleanly(self):
        ids = json.loads(run_growthd(["launch", "--agents", "journal"], env=self.env("w1")).stdout)["jobIds"]
        log = tempfile.TemporaryFile()
        process = subprocess.Popen([GROWTHD_BIN, "worker", "--concurrency", "3"], env=self.env("w1"),
                                   stdout=subprocess.DEVNULL, stderr=log)
        try:
            keys = Keys(self.redis, "w1")
            wait_until(lambda: keys.zset("failed") == ids, what="the job failed")
            self.assertIn("no handler for the job name 'journal' in this worker", keys.hash(ids[0])["failedReason"])
            self.assertEqual(keys.hash(ids[0])["atm"], "1")     # final at once: no retry
            self.assertTrue(keys.hash(ids[0])["pb"].startswith("growthd-"))
            process.send_signal(signal.SIGTERM)
            self.assertEqual(process.wait(timeout=20), 0)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()

    def test_bad_settings_are_refused(self):
        done = run_growthd(["worker"], env=self.env("w2", GROWTH_WORKER_CONCURRENCY="0"))
        self.assertEqual(done.returncode, 2)
        self.assertIn("GROWTH_WORKER_CONCURRENCY", done.stderr)
        done = run_growthd(["worker", "--concurrency", "x"], env=self.env("w2"))
        self.assertEqual(done.returncode, 2)
        self.assertIn("--concurrency", done.stderr)

    def test_serve_with_workers_takes_jobs(self):
        ids = json.loads(run_growthd(["launch", "--agents", "niche"], env=self.env("s1")).stdout)["jobIds"]
        server = Growthd(env=self.env("s1"), args=["serve", "--workers", "2"]).start()
        try:
            keys = Keys(self.redis, "s1")
            wait_until(lambda: keys.zset("failed") == ids, what="the in-process worker took the job")
            self.assertEqual(server.stop(), 0)
            self.assertIn("taking jobs from queue s1", server.log())
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
