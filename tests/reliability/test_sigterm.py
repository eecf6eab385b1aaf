"""SIGTERM during jobs: the worker takes no new job, finishes or hands back the ones it holds within
GROWTH_SHUTDOWN_GRACE_S, and exits 0; another worker finishes the rest; nothing is lost or repeated."""
import os
import re
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fleet import Fleet, assert_exactly_once  # noqa: E402


class Sigterm(unittest.TestCase):
    def tearDown(self):
        self.fleet.cleanup()

    def stop_in_the_middle(self, grace_s):
        self.fleet = fleet = Fleet(extra_env={"GROWTH_SHUTDOWN_GRACE_S": str(grace_s)})
        ids = fleet.launch(["slowfx"] * 120)
        stopping = fleet.start_worker(concurrency=4)
        pid = stopping.process.pid
        def holding():
            active = fleet.redis.resp.call("LRANGE", fleet.key("active"), 0, -1)
            return [i for i, j in fleet.jobs(active).items() if j.get("pb", "").endswith(f"-{pid}")]
        time.sleep(1.0)
        held = holding()
        self.assertTrue(held, "the worker held no job when it was stopped")
        fleet.start_worker(concurrency=4)
        signalled_ms = time.time() * 1000
        stopping.process.send_signal(signal.SIGTERM)
        code = stopping.process.wait(timeout=grace_s + 15)
        stopped_ms = time.time() * 1000
        fleet.wait_finished(ids, timeout=120)
        jobs = assert_exactly_once(self, fleet, ids)
        self.assertEqual(code, 0, stopping.log()[-2000:])
        self.assertLessEqual(stopped_ms - signalled_ms, (grace_s + 5) * 1000)
        started_after = [i for i, j in jobs.items()
                         if j["pb"].endswith(f"-{pid}") and int(j["processedOn"]) > signalled_ms + 50]
        self.assertEqual(started_after, [], "jobs the stopping worker took after SIGTERM")
        self.assertIn("taking no new jobs", stopping.log())
        self.log = stopping.log()
        return jobs, held, pid

    def given_back(self):
        return re.findall(r"job (\S+) did not finish within the grace time; given back", self.log)

    def test_running_jobs_finish_within_the_grace(self):
        jobs, held, pid = self.stop_in_the_middle(grace_s=10)
        self.assertEqual(self.given_back(), [])
        self.assertRegex(self.log, r"stopped: \d+ completed, 0 failed, 0 retried, 0 given back, 0 lost")

    def test_without_grace_held_jobs_go_back_to_the_queue(self):
        jobs, held, pid = self.stop_in_the_middle(grace_s=0)
        back = self.given_back()
        self.assertTrue(back, "with no grace, no held job was given back:\n" + self.log)
        self.assertEqual([i for i in back if jobs[i]["pb"].endswith(f"-{pid}")], [],
                         "jobs given back but finished by the stopping worker")


if __name__ == "__main__":
    unittest.main(verbosity=2)
