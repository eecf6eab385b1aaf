"""kill -9 of a worker in the middle of jobs, 20 times during a run: the stalled jobs are found and
finished by the other workers, nothing is lost, and no side effect is repeated: ctx.step's record holds
between steps, and a kill between a send and its record is covered by the send's idempotency key."""
import os
import random
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fleet import Fleet, assert_exactly_once  # noqa: E402

KILLS = 20


class KillWorkers(unittest.TestCase):
    def setUp(self):
        self.fleet = Fleet()

    def tearDown(self):
        self.fleet.cleanup()

    def active_on(self, worker):
        """Job ids a worker holds right now (their lock is taken and processedBy names its pid)."""
        active = self.fleet.redis.resp.call("LRANGE", self.fleet.key("active"), 0, -1)
        jobs = self.fleet.jobs(active)
        return [i for i, j in jobs.items() if j.get("pb", "").endswith(f"-{worker.process.pid}")]

    def test_twenty_kills_lose_nothing_and_repeat_nothing(self):
        fleet = self.fleet
        for _ in range(3):
            fleet.start_worker(concurrency=4)
        ids = fleet.launch(["slowfx"] * 500 + ["noop"] * 100)
        rng = random.Random(9)
        killed_holding = []
        held_by = []
        for kill in range(KILLS):
            live = [w for w in fleet.workers if w.process is not None]
            victim = rng.choice(live)
            deadline = time.monotonic() + 10
            while not self.active_on(victim) and time.monotonic() < deadline:
                time.sleep(0.05)
            holding = self.active_on(victim)
            self.assertTrue(holding, f"kill {kill}: the worker had no job to be killed in the middle of")
            pid = victim.process.pid
            fleet.kill_worker(victim)
            killed_ms = time.time() * 1000
            killed_holding += holding
            held_by += [(i, pid, killed_ms) for i in holding]
            fleet.start_worker(concurrency=4)
            time.sleep(rng.uniform(0.1, 0.4))
        self.assertGreaterEqual(len(killed_holding), KILLS)
        fleet.wait_finished(ids, timeout=300)
        jobs = assert_exactly_once(self, fleet, ids)
        # the jobs held by killed workers were taken over and finished by another process
        # (or had finished in the instant between the look and the kill)
        lost = [(i, pid) for i, pid, killed_ms in held_by
                if jobs[i]["pb"].endswith(f"-{pid}") and int(jobs[i]["finishedOn"]) > killed_ms]
        self.assertEqual(lost, [], "jobs finished by a worker after it was killed?")
        taken_over = {i for i, pid, _ in held_by if not jobs[i]["pb"].endswith(f"-{pid}")}
        self.assertGreater(len(taken_over), KILLS, "too few jobs were taken over from killed workers")
        print(f"{KILLS} kills; {len(set(killed_holding))} jobs were in flight on the killed workers, "
              f"{len(taken_over)} finished by another worker; "
              f"all {len(ids)} jobs completed once, each mail and SMS sent once", file=sys.stderr)
        codes = fleet.stop_all()
        self.assertEqual(codes, [0] * len(codes))


if __name__ == "__main__":
    unittest.main(verbosity=2)
