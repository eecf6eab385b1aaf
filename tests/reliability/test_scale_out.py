"""Scale-out: three `growthd worker` processes and one `growthd serve` against one Redis run 1,000 jobs
(side-effect agents and no-op jobs). Every job completes exactly once as the queue sees it, and no mail or
SMS is sent twice."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fleet import Fleet, assert_exactly_once  # noqa: E402


class ScaleOut(unittest.TestCase):
    def setUp(self):
        self.fleet = Fleet()

    def tearDown(self):
        self.fleet.cleanup()

    def test_three_workers_and_the_api_run_1000_jobs_once(self):
        fleet = self.fleet
        fleet.start_serve()
        for _ in range(3):
            fleet.start_worker(concurrency=4)
        ids = fleet.launch(["sidefx", "noop"] * 500)
        self.assertEqual(len(set(ids)), 1000)
        fleet.wait_finished(ids, timeout=400)
        jobs = assert_exactly_once(self, fleet, ids)
        workers = {j.get("pb", "").rsplit("-", 1)[-1] for j in jobs.values()}
        self.assertEqual(len(workers), 3, f"jobs were not spread over the three workers: {workers}")
        self.assertEqual({j["atm"] for j in jobs.values()}, {"1"})
        status, health = fleet.serve.json("GET", "/api/orchestrator/health")
        self.assertEqual(status, 200, health)
        self.assertEqual(fleet.stop_all(), [0, 0, 0, 0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
