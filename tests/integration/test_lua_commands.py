"""`growthd run` and `growthd check` against the example agent in tests/lua/scripts."""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402

EXAMPLE_SCRIPTS = os.path.join(harness.SOURCE_DIR, "tests", "lua", "scripts")


class LuaCommands(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="growth-lua-cmd-")
        self.profile = self.write("profile.json", json.dumps({"name": "Ada"}))
        self.env = {"GROWTH_SCRIPTS_DIR": EXAMPLE_SCRIPTS}

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_run_prints_the_result_json(self):
        entries = self.write("input.json", json.dumps({"entries": ["one two", "three"], "tone": "plain"}))
        artifacts = os.path.join(self.dir, "artifacts")
        done = harness.run_growthd(["run", "example", "--profile", self.profile, "--input", entries,
                                    "--artifacts", artifacts], env=self.env)
        self.assertEqual(done.returncode, 0, done.stderr)
        result = json.loads(done.stdout)
        self.assertEqual(result["message"], "Hi Ada")
        self.assertEqual(result["stats"], {"entries": 2, "words": 3})
        self.assertEqual(result["note"], os.path.join(artifacts, "note.json"))
        with open(result["note"]) as f:
            self.assertEqual(json.load(f)["stats"]["words"], 3)
        for line in ("[ExampleAgent] Setup complete", "[ExampleAgent] Hello, Ada!",
                     "[ExampleAgent] Validation passed", "example  90% writing the note"):
            self.assertIn(line, done.stderr)

    def test_run_fails_with_the_reason(self):
        done = harness.run_growthd(["run", "example", "--artifacts", self.dir], env=self.env)
        self.assertEqual(done.returncode, 1)
        self.assertEqual(done.stdout, "")
        self.assertIn("setup failed: agents/example.lua:29: the profile has no name", done.stderr)
        self.assertIn("stack traceback:", done.stderr)

    def test_run_rejects_bad_input_with_every_path(self):
        bad = self.write("bad.json", json.dumps({"entries": ["a", 2, False], "tone": "loud"}))
        done = harness.run_growthd(["run", "example", "--profile", self.profile, "--input", bad,
                                    "--artifacts", self.dir], env=self.env)
        self.assertEqual(done.returncode, 1)
        self.assertIn("example.entries[2]: expected string, got number; example.entries[3]: expected string, "
                      "got boolean; example.tone: expected one of [\"warm\",\"plain\"]", done.stderr)

    def test_run_usage_errors_exit_2(self):
        self.assertEqual(harness.run_growthd(["run"], env=self.env).returncode, 2)
        self.assertEqual(harness.run_growthd(["run", "example", "--input"], env=self.env).returncode, 2)
        broken_json = self.write("broken.json", "{")
        self.assertEqual(harness.run_growthd(["run", "example", "--input", broken_json], env=self.env).returncode, 2)

    def test_run_unknown_agent_fails(self):
        done = harness.run_growthd(["run", "nobody"], env=self.env)
        self.assertEqual(done.returncode, 1)
        self.assertIn("nobody.lua: cannot open", done.stderr)

    def test_check_passes_good_and_reports_bad_with_lines(self):
        done = harness.run_growthd(["check"], env=self.env)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("1 file checked, 0 with problems", done.stderr)

        bad = self.write("agents/bad.lua", "return {\n  name = 'bad',\n  tier = 'golden',\n"
                                          "  needs = { 'fax' },\n  run = function(ctx) end,\n}\n")
        syntax = self.write("agents/syntax.lua", "return {\n  name = 'syntax'\n  tier = 'rooted' }\n")
        done = harness.run_growthd(["check", bad, syntax], env=self.env)
        self.assertEqual(done.returncode, 1)
        lines = done.stdout.splitlines()
        self.assertIn(f"{bad}:3: tier 'golden' is not known; expected rooted, grounded or radiant", lines)
        self.assertIn(f"{bad}:4: needs[1] is 'fax'; expected one of sheets, calendar, drive, llm, mail, sms, pdf",
                      lines)
        self.assertTrue(any(line.startswith(f"{syntax}:3:") for line in lines), lines)
        self.assertIn("2 files checked, 2 with problems", done.stderr)


if __name__ == "__main__":
    harness.main()
