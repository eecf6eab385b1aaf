"""Runs agents written by a test as real jobs: a temporary scripts folder, `growthd run`, the result JSON."""
import json
import os
import shutil
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness  # noqa: E402


class AgentTest(unittest.TestCase):
    """A scripts folder and a data folder per test; run() executes one agent through growthd run."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="growth-bindings-")
        self.scripts = os.path.join(self.dir, "scripts")
        os.makedirs(os.path.join(self.scripts, "agents"))
        self.data = os.path.join(self.dir, "var")
        self.artifacts = os.path.join(self.dir, "artifacts")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def agent(self, name, body):
        """Writes agents/<name>.lua: `body` is the Lua text of run(ctx)'s body."""
        text = ("local pdf = require \"growth.pdf\"\nlocal mail = require \"growth.mail\"\n"
                "local sms = require \"growth.sms\"\nlocal llm = require \"growth.llm\"\n"
                "local json = require \"growth.json\"\n"
                f"return {{\n  name = \"{name}\", tier = \"rooted\",\n  run = function(ctx)\n"
                + textwrap.indent(textwrap.dedent(body), "    ") + "\n  end,\n}\n")
        with open(os.path.join(self.scripts, "agents", name + ".lua"), "w", encoding="utf-8") as f:
            f.write(text)

    def run_agent(self, name, env=None, profile=None):
        """(returncode, result or None, stderr) of `growthd run name`."""
        full_env = {"GROWTH_SCRIPTS_DIR": self.scripts, "GROWTH_DATA_DIR": self.data}
        full_env.update(env or {})
        args = ["run", name, "--artifacts", self.artifacts]
        if profile is not None:
            path = os.path.join(self.dir, "profile.json")
            with open(path, "w") as f:
                json.dump(profile, f)
            args += ["--profile", path]
        done = harness.run_growthd(args, env=full_env, timeout=120)
        result = json.loads(done.stdout) if done.returncode == 0 else None
        return done.returncode, result, done.stderr

    def run_ok(self, name, env=None, profile=None):
        code, result, stderr = self.run_agent(name, env, profile)
        self.assertEqual(code, 0, stderr)
        return result


main = harness.main
