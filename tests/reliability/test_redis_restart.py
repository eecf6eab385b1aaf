"""Redis stopped for 10 s and restarted mid-run (with its append-only file, as in production): the API
answers 503 while it is away and 200 after, the workers reconnect by themselves, no job is lost, and no
process is restarted by hand."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fleet import Fleet, assert_exactly_once  # noqa: E402

OUTAGE_S = 10


class RedisRestart(unittest.TestCase):
    def setUp(self):
        self.fleet = Fleet(aof=True)

    def tearDown(self):
        self.fleet.cleanup()

    def health(self):
        try:
            return self.fleet.serve.json("GET", "/api/orchestrator/health", timeout=10)[0]
        except OSError as e:
            return f"no answer: {e}"

    def test_an_outage_of_ten_seconds_loses_nothing(self):
        fleet = self.fleet
        fleet.start_serve()
        workers = [fleet.start_worker(concurrency=4) for _ in range(2)]
        pids = [w.process.pid for w in workers] + [fleet.serve.process.pid]
        ids = fleet.launch(["slowfx"] * 150 + ["noop"] * 50)
        time.sleep(2)
        self.assertEqual(self.health(), 200)
        done_before = len(fleet.redis.resp.call("ZRANGE", fleet.key("completed"), 0, -1))
        self.assertLess(done_before, len(ids), "every job finished before Redis could be stopped")
        fleet.redis.stop()
        stopped = time.monotonic()
        statuses = set()
        while time.monotonic() - stopped < OUTAGE_S:
            statuses.add(self.health())
            time.sleep(0.5)
        fleet.redis.start()
        after = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not after or after[-1] != 200):
            after.append(self.health())
            time.sleep(0.2)
        fleet.wait_finished(ids, timeout=300)
        jobs = assert_exactly_once(self, fleet, ids)
        self.assertEqual(statuses, {503}, f"API answers while Redis was away: {statuses}")
        self.assertEqual(after[-1], 200, after)
        self.assertEqual([w.process.pid for w in workers] + [fleet.serve.process.pid], pids)
        log = fleet.logs()
        print(f"{done_before} of {len(ids)} jobs were done when Redis stopped; API answered {sorted(statuses)} "
              f"during the outage, then {after}; all jobs completed once", file=sys.stderr)
        codes = fleet.stop_all()
        self.assertEqual(codes, [0] * len(codes), log[-3000:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
