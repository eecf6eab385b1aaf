"""The hostile Lua corpus (tests/lua/hostile/) run inside `growthd worker`, through the queue: each job ends
as its case file says (the failure reason holding the expected message, the error code in the job's
stack trace; `ok` cases complete), nothing is retried that is final, and the worker survives the whole
corpus and still runs a clean job afterwards."""
import glob
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fleet import AGENTS, Fleet  # noqa: E402

HOSTILE = os.path.join(os.path.dirname(__file__), "..", "lua", "hostile")


def read_case(path):
    expect = {}
    with open(path) as f:
        for line in f:
            match = re.match(r"-- (expect|message): (.*)", line.rstrip("\n"))
            if not match:
                break
            expect[match.group(1)] = match.group(2)
    return expect


class HostileLuaThroughTheQueue(unittest.TestCase):
    def setUp(self):
        self.agents = tempfile.mkdtemp(prefix="growthd-rel-hostile-")
        for path in glob.glob(os.path.join(HOSTILE, "*.lua")):
            shutil.copy(path, self.agents)
        shutil.copy(os.path.join(AGENTS, "noop.lua"), self.agents)
        # the driver's budget (tests/lua/hostile_driver.c), so the loops end in a second, not in minutes
        self.fleet = Fleet(agents=self.agents, extra_env={"GROWTH_LUA_INSTRUCTION_LIMIT": "50000000",
                                                          "GROWTH_LOCK_DURATION_MS": "30000"})

    def tearDown(self):
        self.fleet.cleanup()
        shutil.rmtree(self.agents, ignore_errors=True)

    def test_every_case_ends_as_expected_and_the_worker_survives(self):
        fleet = self.fleet
        worker = fleet.start_worker(concurrency=2)
        cases = {os.path.basename(p)[:-4]: read_case(p) for p in sorted(glob.glob(os.path.join(HOSTILE, "*.lua")))}
        self.assertGreaterEqual(len(cases), 30)
        ids = fleet.launch(list(cases))
        jobs = fleet.wait_finished(ids, timeout=400)
        problems = []
        for job_id, name in zip(ids, cases):
            expect, job = cases[name], jobs[job_id]
            message = expect.get("message", "").replace("hostile/", "agents/")
            if expect["expect"] == "ok":
                if "returnvalue" not in job or message not in job["returnvalue"]:
                    problems.append(f"{name}: expected to complete with {message!r}; got {job}")
                continue
            reason = job.get("failedReason", "")
            if "returnvalue" in job:
                problems.append(f"{name}: expected {expect['expect']}, but it completed: {job['returnvalue'][:200]}")
            elif expect["expect"] == "refused":
                if name not in reason:
                    problems.append(f"{name}: refused by the loader, the reason should name it: {reason}")
            else:
                if message not in reason:
                    problems.append(f"{name}: reason {reason!r} lacks {message!r}")
                if f"Error [{expect['expect']}]" not in job.get("stacktrace", ""):
                    problems.append(f"{name}: expected code {expect['expect']} in {job.get('stacktrace', '')[:300]}")
                if job.get("atm") != "1":
                    problems.append(f"{name}: a final failure was retried ({job.get('atm')} attempts)")
        self.assertEqual(problems, [], "\n".join(problems))
        self.assertIsNone(worker.process.poll(), "the worker died during the corpus")
        canary = fleet.launch(["noop"])
        self.assertIn("returnvalue", fleet.wait_finished(canary, timeout=60)[canary[0]])
        self.assertEqual(fleet.stop_all(), [0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
