"""Scale-out: three `growthd worker` processes and one `growthd serve` against one Redis run 1,000 jobs —
side-effect test agents and no-op jobs, then the five real agents on the local backends for 40 users and
no-op jobs. Every job completes exactly once as the queue sees it, and no row, calendar event, mail, file
or SMS happens twice."""
import collections
import glob
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fleet import AGENTS, Fleet, assert_exactly_once  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import SOURCE_DIR  # noqa: E402

FIVE = ["journal", "niche", "mindset", "rhythm", "purpose"]
USERS = 40


class ScaleOut(unittest.TestCase):
    def setUp(self):
        self.fleet = Fleet()

    def tearDown(self):
        self.fleet.cleanup()

    def test_three_workers_and_the_api_run_1000_jobs_once(self):
        fleet = self.fleet
        fleet.start_serve()
        for _ in range(3):
            fleet.start_worker(concurrency=4)
        ids = fleet.launch(["sidefx", "noop"] * 500)
        self.assertEqual(len(set(ids)), 1000)
        fleet.wait_finished(ids, timeout=400)
        jobs = assert_exactly_once(self, fleet, ids)
        workers = {j.get("pb", "").rsplit("-", 1)[-1] for j in jobs.values()}
        self.assertEqual(len(workers), 3, f"jobs were not spread over the three workers: {workers}")
        self.assertEqual({j["atm"] for j in jobs.values()}, {"1"})
        status, health = fleet.serve.json("GET", "/api/orchestrator/health")
        self.assertEqual(status, 200, health)
        self.assertEqual(fleet.stop_all(), [0, 0, 0, 0])



class ScaleOutFiveAgents(unittest.TestCase):
    """The five agents of scripts/agents on the local backends (sheets as CSV, a calendar file, Drive as a
    folder, mail and SMS outboxes), 40 users each, beside 800 no-op jobs."""

    def setUp(self):
        self.agents = tempfile.mkdtemp(prefix="growthd-five-")
        for name in FIVE:
            shutil.copy(os.path.join(SOURCE_DIR, "scripts", "agents", name + ".lua"), self.agents)
        shutil.copy(os.path.join(AGENTS, "noop.lua"), self.agents)
        self.fleet = Fleet(agents=self.agents, extra_env={
            "GROWTH_CALENDAR_ICS": os.path.join(SOURCE_DIR, "scripts", "profiles", "demo-calendar.ics"),
            "GROWTH_LOCK_DURATION_MS": "30000"})
        lib = os.path.join(self.fleet.scripts, "lib")
        shutil.rmtree(lib)
        shutil.copytree(os.path.join(SOURCE_DIR, "scripts", "lib"), lib)
        with open(os.path.join(SOURCE_DIR, "scripts", "profiles", "demo.json"), encoding="utf-8") as f:
            self.demo = json.load(f)
        # the demo calendar's busy week, whatever today is
        self.demo["inputs"]["rhythm"].update({"startDate": "2026-11-30", "days": 5})

    def tearDown(self):
        self.fleet.cleanup()
        shutil.rmtree(self.agents, ignore_errors=True)

    def user(self, n):
        return dict(self.demo["user"], id=f"u-{n}", name=f"User {n}", email=f"user{n}@example.com",
                    phone=f"+1555555{n:04d}", calendarId=f"cal-{n}")

    def launch_user(self, user):
        status, body = self.fleet.serve.json("POST", "/api/orchestrator/launch",
                                             {"user": user, "inputs": self.demo["inputs"], "agents": FIVE},
                                             timeout=30)
        self.assertEqual(status, 202, body)
        return body["jobIds"]

    def test_three_workers_run_the_five_agents_and_noop_jobs_once(self):
        fleet = self.fleet
        fleet.start_serve()
        for _ in range(3):
            fleet.start_worker(concurrency=4)
        users = [self.user(n) for n in range(USERS)]
        ids = []
        for user in users:
            ids += self.launch_user(user)
        ids += fleet.launch(["noop"] * (1000 - len(ids)))
        self.assertEqual(len(set(ids)), 1000)
        fleet.wait_finished(ids, timeout=600)
        jobs = assert_exactly_once(self, fleet, ids, agents_with_effects=(), delayed=7 * USERS)
        self.assertEqual({j["atm"] for j in jobs.values()}, {"1"})
        workers = {j.get("pb", "").rsplit("-", 1)[-1] for j in jobs.values()}
        self.assertEqual(len(workers), 3, f"jobs were not spread over the three workers: {workers}")
        results = collections.defaultdict(list)
        for job in jobs.values():
            results[job["name"]].append(json.loads(job["returnvalue"]))
        self.assertEqual({name: len(r) for name, r in results.items()},
                         dict({name: USERS for name in FIVE}, noop=1000 - 5 * USERS))
        self.check_sheets(results["journal"])
        self.check_calendars(users, results["rhythm"])
        self.check_files(results["niche"], results["purpose"])
        self.check_mail_and_sms(users, results["purpose"])
        self.assertEqual(fleet.stop_all(), [0, 0, 0, 0])
        print(f"1,000 jobs once each over {len(workers)} workers: {USERS} users x 5 agents; "
              f"{sum(len(r['pauses']) for r in results['rhythm'])} pauses, {3 * USERS} mails, {2 * USERS} uploads, "
              f"{USERS} journals with one row and one summary, {7 * USERS} SMS scheduled once", file=sys.stderr)

    def check_sheets(self, journal):
        books = {r["spreadsheetId"] for r in journal}
        self.assertEqual(len(books), USERS, "one journal spreadsheet per user")
        self.assertEqual(len(glob.glob(os.path.join(self.fleet.data, "sheets", "*", "Sheet1.csv"))), USERS)
        for book in books:
            for tab in ("Sheet1", "Summaries"):
                with open(os.path.join(self.fleet.data, "sheets", book, tab + ".csv"), encoding="utf-8") as f:
                    rows = [line for line in f.read().splitlines() if line]
                self.assertEqual(len(rows), 2, f"{book}/{tab}: the header and one row, got {rows}")

    def check_calendars(self, users, rhythm):
        pauses = sum(len(r["pauses"]) for r in rhythm)
        self.assertGreaterEqual(pauses, USERS, "the busy week got no pauses")
        for user in users:
            with open(os.path.join(self.fleet.data, "calendar", user["calendarId"] + ".ics"), encoding="utf-8") as f:
                ics = f.read()
            uids = re.findall(r"^UID:(.+)$", ics, re.M)
            self.assertEqual(len(uids), len(set(uids)), f"{user['calendarId']}: an event inserted twice")
            self.assertEqual(ics.count("SUMMARY:[Pause]"), pauses // USERS, user["calendarId"])

    def check_files(self, niche, purpose):
        folders = glob.glob(os.path.join(self.fleet.data, "drive", "*"))
        self.assertEqual(len(folders), 2 * USERS, "one Drive upload per report")
        self.assertEqual({r["drive"]["id"] for r in niche + purpose}, {os.path.basename(f) for f in folders})

    def check_mail_and_sms(self, users, purpose):
        mails = glob.glob(os.path.join(self.fleet.data, "outbox", "mail", "*.eml"))
        self.assertEqual(len(mails), 3 * USERS, "mindset, rhythm and purpose mail each user once")
        recipients = collections.Counter()
        for path in mails:
            with open(path, "rb") as f:
                head = f.read().decode(errors="replace").split("\r\n\r\n", 1)[0]
            recipients.update(re.findall(r"^To: .*?([\w.]+@example\.com)", head, re.M))
        self.assertEqual(recipients, collections.Counter({u["email"]: 3 for u in users}))
        # the seven affirmations are delayed follow-up jobs, one a day: each scheduled once
        scheduled = [m["jobId"] for r in purpose for m in r["sms"]["schedule"]]
        self.assertEqual(len(scheduled), 7 * USERS)
        self.assertEqual(set(scheduled), set(self.fleet.redis.resp.call("ZRANGE", self.fleet.key("delayed"), 0, -1)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
