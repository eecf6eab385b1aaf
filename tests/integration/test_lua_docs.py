"""Every example of docs/lua-api.md is a real agent: each passes `growthd check` and runs with `growthd run`."""
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402

DOC = os.path.join(harness.SOURCE_DIR, "docs", "lua-api.md")
INPUTS = {"beliefs": {"beliefs": ["I am too slow", "I cannot write"]}}
EXPECTED = {
    "hello": {"greeting": "Hello, Ada"},
    "beliefs": {"count": 2, "tone": "warm", "first": "I am too slow"},
    "zonedemo": {"before": 3600, "after": 7200, "hour": 3, "weekday": 7, "skipped": "2026-03-29T01:30:00.000Z",
                 "unknown": "bad_argument"},
    "sheetsdemo": {"rows": 3, "energy": "7",
                   "refused": "sheets.append: rows[2] must be a table (a list of cells), got \"not a row\"",
                   "tab_created": True, "tab_again": False, "summaries": 2},
    "calendardemo": {"found": True, "start": "2026-11-30T11:00:00+01:00", "busy": True, "declined": False},
    "drivedemo": {"uploaded": True, "local_file": True},
    "profile": {"to": "ada@example.com"},
    "steps": {"parts": 4},
    "counter": {"runs": 1},
    "loud": {"said": "HELLO!"},
    "jsondemo": {"text": "{\"n\":3}", "third_is_null": True},
    "clock": {"start": "2026-11-27T09:00:00.000Z", "day": "2026-11-27", "week_later": "2026-12-04"},
    "careful": {"caught": True},
    "pdfdemo": {"pdf": "%PDF-", "stored": True},
    "maildemo": {"sent": True, "refused": "bad_argument"},
    "smsdemo": {"sent": True, "segments": 1},
    "llmdemo": {"closer": True, "themes": 2, "without_offline": "llm_unavailable"},
    "reminder": {"queued": 0, "note": "no queue: nothing scheduled"},
}


def examples():
    """(relative path, text) of every ```lua block whose first line names its file."""
    with open(DOC) as f:
        text = f.read()
    for block in re.findall(r"```lua\n(.*?)```", text, re.S):
        first = block.splitlines()[0]
        match = re.match(r"-- ((?:agents|lib)/\w+\.lua)$", first)
        if match:
            yield match.group(1), block


class LuaDocs(unittest.TestCase):
    def setUp(self):
        self.scripts = tempfile.mkdtemp(prefix="growth-docs-")
        for folder in ("agents", "lib"):
            os.makedirs(os.path.join(self.scripts, folder))
        self.agents = []
        for relative, text in examples():
            with open(os.path.join(self.scripts, relative), "w") as f:
                f.write(text)
            if relative.startswith("agents/"):
                self.agents.append(relative[len("agents/"):-len(".lua")])
        self.profile = os.path.join(self.scripts, "profile.json")
        with open(self.profile, "w") as f:
            json.dump({"name": "Ada", "email": "ada@example.com"}, f)
        # the media examples write their outboxes here; with a sender number SMS is configured (local)
        self.env = {"GROWTH_SCRIPTS_DIR": self.scripts, "GROWTH_DATA_DIR": os.path.join(self.scripts, "var"),
                    "TWILIO_FROM_NUMBER": "+15005550006"}

    def tearDown(self):
        shutil.rmtree(self.scripts, ignore_errors=True)

    def test_examples_exist(self):
        self.assertGreaterEqual(len(self.agents), 10)
        self.assertEqual(set(EXPECTED) - set(self.agents), set())

    def test_every_example_passes_check(self):
        done = harness.run_growthd(["check"], env=self.env)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertNotIn("warning:", done.stderr)

    def test_every_example_runs(self):
        for name in self.agents:
            with self.subTest(agent=name):
                args = ["run", name, "--profile", self.profile, "--artifacts", os.path.join(self.scripts, "out")]
                if name in INPUTS:
                    path = os.path.join(self.scripts, name + ".input.json")
                    with open(path, "w") as f:
                        json.dump(INPUTS[name], f)
                    args += ["--input", path]
                done = harness.run_growthd(args, env=self.env)
                self.assertEqual(done.returncode, 0, done.stderr)
                result = json.loads(done.stdout)
                for key, value in EXPECTED.get(name, {}).items():
                    self.assertEqual(result[key], value, done.stdout)


if __name__ == "__main__":
    harness.main()
