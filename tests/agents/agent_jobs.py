"""Runs the real agents of scripts/agents/ as jobs through `growthd run`, each test in its own data,
artifact and state folders, and reads back what they made."""
import copy
import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import harness  # noqa: E402

SOURCE_DIR = os.environ.get("GROWTH_SOURCE_DIR", os.path.abspath(os.path.join(HERE, "..", "..")))
SCRIPTS = os.path.join(SOURCE_DIR, "scripts")
DEMO_PROFILE = os.path.join(SCRIPTS, "profiles", "demo.json")
DEMO_ICS = os.path.join(SCRIPTS, "profiles", "demo-calendar.ics")
DISTORTIONS = {"all-or-nothing", "overgeneralisation", "mind reading", "fortune telling", "catastrophising",
               "should statements", "labelling", "discounting the positive", "emotional reasoning",
               "personalisation"}


def demo_profile():
    with open(DEMO_PROFILE, encoding="utf-8") as f:
        return json.load(f)


class AgentJobs(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="growth-agents-")
        self.data = os.path.join(self.dir, "var")
        self.artifacts = os.path.join(self.dir, "artifacts")
        self.state = os.path.join(self.dir, "state.json")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_json(self, name, value):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(value, f)
        return path

    def run_agent(self, agent, env=None, profile=None, input=None, state=False, task=None):
        """(returncode, result or None, stderr) of `growthd run agent`; profile None = the demo one."""
        full_env = {"GROWTH_SCRIPTS_DIR": SCRIPTS, "GROWTH_DATA_DIR": self.data}
        full_env.update(env or {})
        args = ["run", agent, "--artifacts", self.artifacts,
                "--profile", self.write_json("profile.json", profile) if profile is not None else DEMO_PROFILE]
        if input is not None:
            args += ["--input", self.write_json("input.json", input)]
        if state:
            args += ["--state", self.state]
        if task:
            args += ["--task", task]
        done = harness.run_growthd(args, env=full_env, timeout=300)
        result = json.loads(done.stdout) if done.returncode == 0 else None
        return done.returncode, result, done.stderr

    def run_ok(self, agent, **options):
        code, result, stderr = self.run_agent(agent, **options)
        self.assertEqual(code, 0, stderr[-3000:])
        return result

    def artifact(self, result, kind):
        found = [a for a in result["artifacts"] if a["type"] == kind]
        self.assertEqual(len(found), 1, f"one {kind} artifact in {result['artifacts']}")
        path = found[0]["path"]
        if path.startswith("file://"):
            path = path[len("file://"):]
        self.assertTrue(os.path.isfile(path), path)
        return path

    def files(self, *parts):
        folder = os.path.join(self.data, *parts)
        if not os.path.isdir(folder):
            return []
        return sorted(os.path.join(folder, name) for name in os.listdir(folder) if not name.startswith("."))

    def outbox_mail(self):
        return [path for path in self.files("outbox", "mail") if path.endswith(".eml")]

    def parse_mail(self, path):
        with open(path, "rb") as f:
            return email.message_from_bytes(f.read(), policy=email.policy.default)

    def pdf_text(self, path):
        with open(path, "rb") as f:
            self.assertEqual(f.read(5), b"%PDF-")
        return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout

    def pdf_pages(self, path):
        info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
        return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def with_input(agent, changes):
    """The demo profile with inputs[agent] updated by changes."""
    profile = demo_profile()
    profile = copy.deepcopy(profile)
    profile["inputs"][agent].update(changes)
    return profile


main = harness.main
