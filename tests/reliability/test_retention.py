"""Retention bounds Redis: with GROWTH_KEEP_COMPLETED=10 and GROWTH_KEEP_FAILED=5, `growthd launch` jobs
carry removeOnComplete/removeOnFail counts, and after 60 completed and 20 failed jobs Redis holds the newest
10 and 5 of them (their hashes and logs; the rest are gone)."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fleet import Fleet  # noqa: E402
from harness import wait_until  # noqa: E402


class Retention(unittest.TestCase):
    def setUp(self):
        self.fleet = Fleet(extra_env={"GROWTH_KEEP_COMPLETED": "10", "GROWTH_KEEP_FAILED": "5"})

    def tearDown(self):
        self.fleet.cleanup()

    def test_finished_jobs_are_trimmed_to_the_settings(self):
        fleet = self.fleet
        with open(os.path.join(fleet.scripts, "agents", "fails.lua"), "w") as f:
            f.write('return { name = "fails", tier = "rooted", run = function(ctx) local x = nil; return x.y end }\n')
        ids = fleet.launch(["noop"] * 60 + ["fails"] * 20)
        opts = json.loads(fleet.jobs(ids[:1])[ids[0]]["opts"])   # no worker yet: the job is still there
        self.assertEqual((opts["removeOnComplete"], opts["removeOnFail"]), (10, 5), opts)
        fleet.start_worker(concurrency=2)
        wait_until(lambda: fleet.counts()["wait"] == 0 and fleet.counts()["active"] == 0, timeout=120,
                   what="the queue to drain")
        counts = fleet.counts()
        self.assertEqual((counts["completed"], counts["failed"]), (10, 5), counts)
        present = [i for i, j in fleet.jobs(ids).items() if j]
        self.assertEqual(len(present), 15, "job hashes left in Redis")
        self.assertEqual(set(present), set(fleet.redis.resp.call("ZRANGE", fleet.key("completed"), 0, -1)) |
                         set(fleet.redis.resp.call("ZRANGE", fleet.key("failed"), 0, -1)))
        self.assertEqual(fleet.stop_all(), [0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
