"""Hot reload of agent scripts in `growthd serve`: inotify, SIGHUP and POST /api/orchestrator/reload.

A good edit becomes the current version, a broken one is refused with file:line and the last good
version keeps serving; /api/agents shows both.
"""
import os
import shutil
import signal
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402
from test_metrics import parse_exposition  # noqa: E402

EXAMPLE_SCRIPTS = os.path.join(harness.SOURCE_DIR, "tests", "lua", "scripts")

BROKEN = "return {\n  name = 'broken',\n  tier = 'rooted',\n  run = 42,\n}\n"


class HotReload(unittest.TestCase):
    def setUp(self):
        self.scripts = tempfile.mkdtemp(prefix="growth-reload-")
        shutil.copytree(os.path.join(EXAMPLE_SCRIPTS, "agents"), os.path.join(self.scripts, "agents"))
        shutil.copytree(os.path.join(EXAMPLE_SCRIPTS, "lib"), os.path.join(self.scripts, "lib"))
        self.write("agents/broken.lua", BROKEN)
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.cleanup()
        shutil.rmtree(self.scripts, ignore_errors=True)

    def write(self, relative, text):
        path = os.path.join(self.scripts, relative)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.rename(path + ".tmp", path)   # the way editors save

    def read(self, relative):
        with open(os.path.join(self.scripts, relative)) as f:
            return f.read()

    def start(self, **env):
        settings = {"GROWTH_SCRIPTS_DIR": self.scripts, "ENABLE_GROWTH_AGENTS": "true"}
        settings.update(env)
        self.server = harness.Growthd(env=settings).start()
        return self.server

    def agents(self):
        status, body = self.server.json("GET", "/api/agents")
        self.assertEqual(status, 200)
        return {agent["name"]: agent for agent in body["agents"]}

    def test_start_loads_good_agents_and_refuses_broken_ones(self):
        self.start()
        agents = self.agents()
        self.assertTrue(agents["example"]["loaded"])
        self.assertEqual(agents["example"]["title"], "Example Agent")
        self.assertEqual(agents["example"]["tier"], "rooted")
        self.assertEqual(len(agents["example"]["version"]), 64)
        self.assertIsNone(agents["example"]["error"])
        self.assertFalse(agents["broken"]["loaded"])
        self.assertEqual(agents["broken"]["error"], "agents/broken.lua:4: run must be a function(ctx), got number")
        self.assertIn("Refused broken: agents/broken.lua:4: run must be a function(ctx), got number",
                      self.server.log())

    def test_inotify_picks_up_edits_and_keeps_the_last_good_version(self):
        self.start()
        first = self.agents()["example"]["version"]
        original = self.read("agents/example.lua")

        self.write("agents/example.lua", original.replace('title = "Example Agent"', 'title = "Edited Agent"'))
        harness.wait_until(lambda: self.agents()["example"]["title"] == "Edited Agent", what="the edit to load")
        second = self.agents()["example"]["version"]
        self.assertNotEqual(second, first)

        self.write("agents/example.lua", original.replace('tier = "rooted",', 'tier = = "rooted",'))
        harness.wait_until(lambda: self.agents()["example"]["error"], what="the broken edit to be refused")
        agent = self.agents()["example"]
        self.assertTrue(agent["error"].startswith("agents/example.lua:18:"), agent["error"])
        self.assertEqual(agent["version"], second)
        self.assertTrue(agent["loaded"])
        self.assertEqual(agent["title"], "Edited Agent")
        self.assertIn("Refused example: agents/example.lua:18:", self.server.log())
        self.assertIn("(the last good version stays current)", self.server.log())

        self.write("agents/broken.lua", BROKEN.replace("run = 42", "run = function(ctx) return {} end"))
        harness.wait_until(lambda: self.agents()["broken"]["loaded"], what="the fixed agent to load")
        self.assertIsNone(self.agents()["broken"]["error"])

    def test_lib_edit_changes_the_version(self):
        self.start()
        first = self.agents()["example"]["version"]
        self.write("lib/greeting.lua", self.read("lib/greeting.lua").replace("Hello, ", "Hi, "))
        harness.wait_until(lambda: self.agents()["example"]["version"] != first, what="the lib edit to load")

    def test_deleted_agent_disappears(self):
        self.start()
        os.unlink(os.path.join(self.scripts, "agents", "broken.lua"))
        harness.wait_until(lambda: "broken" not in self.agents(), what="the deleted agent to go")

    def test_sighup_reloads_when_the_watcher_is_off(self):
        self.start(GROWTH_HOT_RELOAD="false")
        self.assertNotIn("[Reload] watching", self.server.log())
        self.write("agents/broken.lua", BROKEN.replace("run = 42", "run = function(ctx) return {} end"))
        self.server.process.send_signal(signal.SIGHUP)
        harness.wait_until(lambda: self.agents()["broken"]["loaded"], what="SIGHUP to reload")
        # the registry changes a moment before the pass's summary line is written
        harness.wait_until(lambda: "SIGHUP: 1 agents loaded" in self.server.log(), what="the summary line")

    def test_production_turns_the_watcher_off_by_default(self):
        self.start(NODE_ENV="production", GROWTH_AUTH="off")
        self.assertNotIn("[Reload] watching", self.server.log())
        self.server.cleanup()
        self.server = self.start()
        harness.wait_until(lambda: "[Reload] watching" in self.server.log(), what="the watcher to start")

    def test_http_reload(self):
        self.start(GROWTH_HOT_RELOAD="false")
        self.write("agents/example.lua", self.read("agents/example.lua").replace("tier = \"rooted\"", "tier = \"radiant\""))
        status, body = self.server.json("POST", "/api/orchestrator/reload")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["loaded"], 1)
        self.assertEqual(body["refused"], 1)
        self.assertEqual(body["problems"], ["agents/broken.lua:4: run must be a function(ctx), got number"])
        self.assertEqual(self.agents()["example"]["tier"], "radiant")
        # /metrics counts each version compiled: example at start and after the edit; broken once, at start
        # (the reload finds the same refused version and does not compile it again)
        status, _, text = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        samples = {(l["agent"], l["result"]): v for n, l, v in
                   parse_exposition(text.decode())["growth_agent_script_loads_total"]["samples"]}
        self.assertEqual(samples, {("example", "loaded"): 2, ("broken", "refused"): 1})

    def test_http_reload_is_behind_the_feature_flag(self):
        self.start(ENABLE_GROWTH_AGENTS="false", GROWTH_HOT_RELOAD="false")
        status, body = self.server.json("POST", "/api/orchestrator/reload")
        self.assertEqual(status, 403)
        self.assertEqual(body["error"]["code"], "growth_agents_disabled")


if __name__ == "__main__":
    harness.main()
