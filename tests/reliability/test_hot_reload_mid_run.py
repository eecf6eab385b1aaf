"""A hot reload that breaks a script mid-run: the jobs running keep the version they started with and
finish; the broken file is refused with file:line; new jobs run the last good version; a good fix is
taken up again. Two workers: one reloads by inotify (GROWTH_HOT_RELOAD), the other on SIGHUP."""
import hashlib
import json
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fleet import Fleet  # noqa: E402
from harness import wait_until  # noqa: E402

VERSION = """-- version {tag}
local time = require "growth.time"
return {{
  name = "reloadme", tier = "rooted",
  run = function(ctx)
    local stop = time.monotonic_ms() + 400
    while time.monotonic_ms() < stop do end
    return {{ version = "{tag}" }}
  end,
}}
"""
BROKEN = """-- version broken
return {
  name = "reloadme", tier = "rooted",
  run = function(ctx)
    return { version = "broken" 
  end,
}
"""


class HotReloadMidRun(unittest.TestCase):
    def setUp(self):
        self.fleet = Fleet()
        self.path = os.path.join(self.fleet.scripts, "agents", "reloadme.lua")
        self.write(VERSION.format(tag="A"))

    def tearDown(self):
        self.fleet.cleanup()

    def write(self, text):
        temp = self.path + ".new"
        with open(temp, "w") as f:
            f.write(text)
        os.rename(temp, self.path)
        return hashlib.sha256(text.encode()).hexdigest()

    def results(self, ids):
        jobs = self.fleet.wait_finished(ids, timeout=120)
        for job_id, job in jobs.items():
            self.assertIn("returnvalue", job, job)
        return [(json.loads(j["returnvalue"])["version"], j["scriptVersion"]) for j in jobs.values()]

    def test_a_broken_reload_keeps_the_last_good_version(self):
        fleet = self.fleet
        watching = fleet.start_worker(concurrency=3, env={"GROWTH_HOT_RELOAD": "true"})
        hup = fleet.start_worker(concurrency=3)
        version_a = hashlib.sha256(VERSION.format(tag="A").encode()).hexdigest()
        running = fleet.launch(["reloadme"] * 12)
        wait_until(lambda: fleet.redis.resp.call("LLEN", fleet.key("active")) > 0, what="jobs running")
        self.write(BROKEN)
        hup.process.send_signal(signal.SIGHUP)
        wait_until(lambda: watching.log().count("Refused reloadme") >= 1 and hup.log().count("Refused reloadme") >= 1,
                   timeout=20, what="both workers to refuse the broken file")
        self.assertRegex(watching.log(), r"Refused reloadme: .*agents/reloadme\.lua:\d+")
        after_break = fleet.launch(["reloadme"] * 6)
        self.assertEqual(set(self.results(running)), {("A", version_a)})
        self.assertEqual(set(self.results(after_break)), {("A", version_a)})
        version_b = self.write(VERSION.format(tag="B"))
        hup.process.send_signal(signal.SIGHUP)
        wait_until(lambda: "Loaded reloadme" in watching.log().split("Refused reloadme")[-1] and
                   "Loaded reloadme" in hup.log().split("Refused reloadme")[-1], timeout=20,
                   what="both workers to load the fix")
        fixed = fleet.launch(["reloadme"] * 6)
        self.assertEqual(set(self.results(fixed)), {("B", version_b)})
        self.assertEqual(fleet.stop_all(), [0, 0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
