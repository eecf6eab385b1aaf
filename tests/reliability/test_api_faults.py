"""The five real agents on their LIVE backends while the external APIs misbehave: the Google, OpenAI and
Twilio stand-ins (tests/standins) and a real SMTP server (tests/media/smtp_server.py), two workers and an API
process against one Redis.

- 20%: each stand-in answers a seeded ~20% of its calls with 429, 500, a reset connection or no answer at
  all (a timeout; GROWTH_HTTP_TIMEOUT_MS is small), five kinds of one share each; the SMTP server refuses a
  seeded 20% of the messages with 451 at MAIL. Every job (and every SMS follow-up job of the purpose agent)
  still completes through retries, and no side effect happens twice: one journal and one summaries
  spreadsheet per user with one row each, one upload (and one share) per report, each pause event inserted
  once, one e-mail per mailing agent (mindset, rhythm, purpose), seven SMS per purpose job — read from the stand-ins' final state and
  their request records.
- 100%: every call fails; every job fails after its attempts with a failedReason that names the API call
  and the error (e.g. "sheets.create: POST .../drive/v3/files answered 500 ...").
"""
import collections
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fleet import Fleet  # noqa: E402
from harness import SOURCE_DIR  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "standins"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "media"))
from google import key_to_base64, start_google  # noqa: E402
from openai import OpenAIStandIn  # noqa: E402
from smtp_server import SmtpServer  # noqa: E402
from twilio import TwilioStandIn  # noqa: E402

SENDER, SMTP_PASSWORD = "agent@example.com", "app-password-123"
FOLDER = "folder-growth"
AGENTS = ["journal", "niche", "mindset", "rhythm", "purpose"]
USERS = 6
FAULT_SHARE = 0.05       # each of the four HTTP kinds: 4 x 5% = 20% of calls
HANG_S = 2.5             # a hung call is answered by nothing; growthd gives up after GROWTH_HTTP_TIMEOUT_MS
JOB_ATTEMPTS = int(os.environ.get("FAULTS_JOB_ATTEMPTS", "8"))   # 3 (the default) is not enough at 20%
ATTEMPTS_WHEN_ALL_FAIL = 4


def fault_rates(share, kinds):
    """Rates for faults tried in turn, so that each hits `share` of all calls (the later ones only see
    what the earlier ones let through)."""
    return [share / (1 - share * i) for i in range(kinds)]


def add_http_faults(stand_in, seed):
    kinds = [("status", {"status": 429}), ("status", {"status": 500}), ("drop", {}), ("hang", {"delay": HANG_S})]
    for (kind, options), rate, n in zip(kinds, fault_rates(FAULT_SHARE, len(kinds)), range(len(kinds))):
        stand_in.add_fault(kind, count=-1, rate=rate, seed=seed * 10 + n, **options)


def demo_inputs():
    with open(os.path.join(SOURCE_DIR, "scripts", "profiles", "demo.json"), encoding="utf-8") as f:
        inputs = json.load(f)["inputs"]
    # a fixed working week (Monday 8 March 2027, before Europe's clock change) that the test's calendars fill
    inputs["rhythm"].update({"startDate": "2027-03-08", "days": 5})
    return inputs


def busy_week():
    """Client work 09:00-16:00 Berlin time each weekday of the rhythm week: dense enough for pauses."""
    return [{"id": f"work{day}", "summary": "Client work",
             "start": {"dateTime": f"2027-03-{day:02d}T09:00:00+01:00", "timeZone": "Europe/Berlin"},
             "end": {"dateTime": f"2027-03-{day:02d}T16:00:00+01:00", "timeZone": "Europe/Berlin"}}
            for day in range(8, 13)]


class Backends:
    """The four external services, each with what it received."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="growthd-rel-apis-")
        self.smtp = SmtpServer(self.dir, mode="starttls", user=SENDER, password=SMTP_PASSWORD, sender=SENDER).start()
        self.google, key = start_google()
        self.google.shared_drive_folders.add(FOLDER)
        self.google.quotas = {k: None for k in self.google.quotas}   # quotas are not what this test is about
        self.openai = OpenAIStandIn().start()
        self.twilio = TwilioStandIn().start()
        self.env = {
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp.port), "SMTP_USER": SENDER,
            "SMTP_PASS": SMTP_PASSWORD, "GMAIL_SENDER_ADDRESS": SENDER, "GROWTH_SMTP_CA_FILE": self.smtp.certs["ca.pem"],
            "GROWTH_SMTP_TIMEOUT_MS": "5000", "GROWTH_SMTP_CONNECT_TIMEOUT_MS": "2000",
            "GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(key), "GROWTH_DRIVE_FOLDER_ID": FOLDER,
            "GROWTH_GOOGLE_SHEETS_URL": self.google.url, "GROWTH_GOOGLE_DRIVE_URL": self.google.url,
            "GROWTH_GOOGLE_CALENDAR_URL": self.google.url,
            "OPENAI_API_KEY": self.openai.api_key, "OPENAI_BASE_URL": self.openai.base_url,
            "TWILIO_ACCOUNT_SID": self.twilio.account_sid, "TWILIO_AUTH_TOKEN": self.twilio.auth_token,
            "TWILIO_FROM_NUMBER": "+15005550006", "GROWTH_TWILIO_URL": self.twilio.url,
            # small timeouts and backoffs keep the run short; the retry rules are the production ones
            "GROWTH_HTTP_TIMEOUT_MS": "2000", "GROWTH_LLM_TIMEOUT_MS": "2000", "GROWTH_HTTP_CONNECT_TIMEOUT_MS": "1000",
            "GROWTH_HTTP_BACKOFF_MS": "20", "GROWTH_HTTP_BACKOFF_MAX_MS": "100",
            "GROWTH_RATE_SHEETS_PER_100S": "0", "GROWTH_RATE_SHEETS_WRITES_PER_MIN": "0",
            "GROWTH_RATE_CALENDAR_PER_SEC": "0", "GROWTH_RATE_DRIVE_PER_100S": "0",
            "GROWTH_JOB_BACKOFF_MS": "250",
            "GROWTH_LOCK_DURATION_MS": "10000",
        }

    def http_stand_ins(self):
        return [self.google, self.openai, self.twilio]

    def stop(self):
        for server in (self.smtp, self.google, self.openai, self.twilio):
            server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class ApiFaults(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.apis = Backends()
        self.attempts = ATTEMPTS_WHEN_ALL_FAIL if self._testMethodName == "test_every_call_failing" else JOB_ATTEMPTS
        self.fleet = Fleet(agents=os.path.join(SOURCE_DIR, "scripts", "agents"),
                           extra_env=dict(self.apis.env, GROWTH_JOB_ATTEMPTS=str(self.attempts)))
        lib = os.path.join(self.fleet.scripts, "lib")
        shutil.rmtree(lib)
        shutil.copytree(os.path.join(SOURCE_DIR, "scripts", "lib"), lib)
        self.fleet.start_serve(workers=0)
        for _ in range(2):
            self.fleet.start_worker(concurrency=4)

    def tearDown(self):
        try:
            codes = self.fleet.stop_all()
            self.assertEqual(codes, [0] * len(codes), "a process did not exit cleanly")
        finally:
            self.fleet.cleanup()
            self.apis.stop()

    # ---- helpers ----
    def user(self, n):
        calendar = f"cal-{n}"
        self.apis.google.calendars[calendar] = busy_week()
        return {"id": f"u-{n}", "name": f"User {n}", "email": f"user{n}@example.com", "phone": f"+4915112345{n:03d}",
                "timezone": "Europe/Berlin", "calendarId": calendar}

    def launch(self, user, agents=AGENTS):
        status, body = self.fleet.serve.json("POST", "/api/orchestrator/launch",
                                             {"user": user, "inputs": demo_inputs(), "agents": agents}, timeout=30)
        self.assertEqual(status, 202, body)
        return body["jobIds"]

    def follow_ups(self):
        """Ids of the delayed jobs (the purpose agent's SMS, due over the next week)."""
        return self.fleet.redis.resp.call("ZRANGE", self.fleet.key("delayed"), 0, -1)

    def make_due(self, ids):
        """Moves delayed jobs to now, and wakes the workers the way a producer does (BullMQ's marker)."""
        resp = self.fleet.redis.resp
        resp.pipeline([("ZADD", self.fleet.key("delayed"), 1, i) for i in ids] +
                      [("ZADD", self.fleet.key("marker"), 0, "0")])

    def results(self, jobs):
        return {i: json.loads(j["returnvalue"]) for i, j in jobs.items()}

    def assert_all_completed(self, ids):
        jobs = self.fleet.wait_finished(ids, timeout=400)
        failed = {i: j.get("failedReason") for i, j in jobs.items() if "returnvalue" not in j}
        self.assertEqual(failed, {}, "jobs that did not complete")
        events = self.fleet.completed_events()
        self.assertEqual({i: n for i, n in events.items() if n > 1}, {}, "jobs completed more than once")
        return jobs

    # ---- 20% ----
    def test_one_call_in_five_failing(self):
        apis = self.apis
        for seed, stand_in in enumerate(apis.http_stand_ins(), 1):
            add_http_faults(stand_in, seed)
        apis.smtp.recorder.set_fault("MAIL", "451 4.3.0 try again later", rate=0.2, seed=7)
        users = [self.user(n) for n in range(USERS)]
        ids = []
        for user in users:
            ids += self.launch(user)
        jobs = self.assert_all_completed(ids)
        results = self.results(jobs)
        by_agent = collections.defaultdict(dict)
        for i, result in results.items():
            by_agent[jobs[i]["name"]][i] = result
        attempts = collections.Counter(int(j.get("atm", 0)) for j in jobs.values())
        retried = sum(n for made, n in attempts.items() if made > 1)
        self.assertGreater(retried, 0, "no job needed a retry: the faults did not reach the jobs")

        self.check_sheets(users, by_agent["journal"])
        self.check_drive(by_agent["niche"], by_agent["purpose"])
        self.check_calendars(users, by_agent["rhythm"])
        self.check_mail(users)

        # the purpose agent's seven SMS per user are delayed jobs: made due now, sent through the faults
        follow_ups = self.follow_ups()
        self.assertEqual(len(follow_ups), 7 * USERS)
        scheduled = {m["jobId"] for r in by_agent["purpose"].values() for m in r["sms"]["schedule"]}
        self.assertEqual(set(follow_ups), scheduled)
        self.make_due(follow_ups)
        sms_jobs = self.assert_all_completed(follow_ups)
        self.check_sms(users, self.results(sms_jobs))

        counts = self.fleet.counts()
        self.assertEqual((counts["wait"], counts["active"], counts["delayed"], counts["failed"]), (0, 0, 0, 0), counts)
        calls = sum(len(s.requests()) for s in apis.http_stand_ins())
        print(f"{len(ids)} agent jobs and {len(follow_ups)} SMS jobs completed once each ({retried} after retries, "
              f"attempts {dict(sorted(attempts.items()))}); {calls} HTTP calls, "
              f"{apis.smtp.recorder.refused} SMTP transactions refused; no side effect repeated", file=sys.stderr)

    def check_sheets(self, users, journal):
        google = self.apis.google
        self.assertEqual(len(journal), len(users))
        titles = collections.Counter(book["title"] for book in google.spreadsheets.values())
        self.assertEqual(len(titles), len(users), f"one spreadsheet per user, got {titles}")
        for user in users:
            title = f"Alignment Journal — {user['name']}"
            self.assertEqual(titles[title], 1, f"spreadsheets titled {title!r}")
        for result in journal.values():
            self.assertTrue(result["entryAppended"])
            book = google.spreadsheets[result["spreadsheetId"]]
            self.assertEqual(list(book["sheets"]), ["Sheet1", "Summaries"], f"{book['title']}: its tabs")
            for tab, rows in book["sheets"].items():
                self.assertEqual(len(rows), 2, f"{book['title']} {tab}: header and one row, got {rows}")
        appends = [r for r in google.requests("/v4/spreadsheets/") if r["path"].endswith(":append")]
        self.assertGreaterEqual(len(appends), 2 * len(users))

    def check_drive(self, niche, purpose):
        files = self.apis.google.files
        names = collections.Counter(f["name"] for f in files.values())
        self.assertEqual((names["niche-report.pdf"], names["ikigai.pdf"]), (len(niche), len(purpose)),
                         "one upload per report")
        for result in list(niche.values()) + list(purpose.values()):
            self.assertIn(result["drive"]["id"], files)
        for result in purpose.values():
            stored = files[result["drive"]["id"]]
            self.assertEqual(len(stored.get("permissions", [])), 1, f"shares of {result['drive']['id']}")

    def check_calendars(self, users, rhythm):
        calendars = self.apis.google.calendars
        total = 0
        for result in rhythm.values():
            self.assertGreater(len(result["pauses"]), 0, "the busy week gets pauses")
            total += len(result["pauses"])
        for user in users:
            pauses = [e for e in calendars[user["calendarId"]] if e["summary"].startswith("[Pause]")]
            starts = collections.Counter(e["start"]["dateTime"] for e in pauses)
            self.assertEqual({s: n for s, n in starts.items() if n > 1}, {}, f"{user['calendarId']}: pauses twice")
        inserted = sum(len([e for e in calendars[u["calendarId"]] if e["summary"].startswith("[Pause]")]) for u in users)
        self.assertEqual(inserted, total, "each pause of a result inserted exactly once")

    def check_mail(self, users):
        received = collections.Counter((tuple(m["rcpt_tos"]), m["data"].split(b"\r\nSubject: ", 1)[1].split(b"\r\n")[0])
                                       for m in self.apis.smtp.messages)
        self.assertEqual({k: n for k, n in received.items() if n > 1}, {}, "e-mails sent twice")
        for user in users:
            mine = [k for k in received if k[0] == (user["email"],)]
            self.assertEqual(len(mine), 3, f"{user['email']}: the mindset, rhythm and purpose e-mails, got {mine}")

    def check_sms(self, users, results):
        messages = self.apis.twilio.messages
        self.assertEqual(len(messages), 7 * len(users), "seven SMS per purpose job")
        self.assertEqual(sorted(m["sid"] for m in messages), sorted(r["sid"] for r in results.values()))
        for user in users:
            mine = [m for m in messages if m["to"] == user["phone"]]
            self.assertEqual(len(mine), 7, user["phone"])
            self.assertEqual(len({m["body"] for m in mine}), 7, f"{user['phone']}: an affirmation sent twice")

    # ---- 100% ----
    def test_every_call_failing(self):
        apis = self.apis
        # first a healthy purpose job, whose seven SMS follow-ups wait in the delayed set
        user = self.user(0)
        (purpose,) = self.launch(user, ["purpose"])
        self.assert_all_completed([purpose])
        follow_ups = self.follow_ups()
        self.assertEqual(len(follow_ups), 7)
        # then every API fails, each in its own way
        apis.google.add_fault("status", count=-1, status=500)
        apis.openai.add_fault("hang", count=-1, delay=HANG_S)
        apis.twilio.add_fault("drop", count=-1)
        apis.smtp.recorder.set_fault("MAIL", "451 4.3.0 try again later")
        before = {s: len(s.requests()) for s in apis.http_stand_ins()}
        mails_before = len(apis.smtp.messages)
        ids = self.launch(self.user(1))
        self.make_due(follow_ups)
        jobs = self.fleet.wait_finished(ids + follow_ups, timeout=400)
        reasons = {}
        for i, job in jobs.items():
            self.assertNotIn("returnvalue", job, f"{i} completed while every API failed")
            self.assertEqual(int(job["atm"]), self.attempts, f"{i}: {job.get('failedReason')}")
            reasons[job["name"] if i in ids else "sms"] = job["failedReason"]
        failed = set(self.fleet.redis.resp.call("ZRANGE", self.fleet.key("failed"), 0, -1))
        self.assertEqual(failed, set(ids + follow_ups))
        for name, reason in sorted(reasons.items()):
            print(f"{name}: {reason}", file=sys.stderr)
        # each reason names the call, the API's address and what went wrong (a worker without a cached token
        # fails at the token: "sheets.create: google token: POST .../token answered 500 ...", a create first
        # looks for what an earlier attempt made: "sheets.create: looking for an earlier one: GET ...")
        google_500 = rf"((google token|looking for an earlier one): )?(GET|POST|PUT) {apis.google.url}/\S+ answered 500 after \d+ attempts: Backend Error"
        self.assertRegex(reasons["journal"], rf"sheets\.create: {google_500}")
        self.assertRegex(reasons["rhythm"], rf"calendar\.events: {google_500}")
        for name in ("niche", "mindset", "purpose"):
            self.assertRegex(reasons[name], rf"llm\.(chat|embed): POST {apis.openai.base_url}/\S+: timed out")
        self.assertRegex(reasons["sms"], rf"sms\.send: POST {apis.twilio.url}/\S+: connection dropped")
        # nothing happened: no spreadsheet, no upload, no event, no mail, no SMS
        self.assertEqual(apis.google.spreadsheets, {})
        self.assertEqual(len(apis.google.files), 1, "only the healthy purpose job's upload")
        self.assertEqual([e for e in apis.google.calendars["cal-1"] if e["summary"].startswith("[Pause]")], [])
        self.assertEqual(len(apis.smtp.messages), mails_before)
        self.assertEqual(apis.twilio.messages, [])
        for stand_in, count in before.items():
            self.assertGreater(len(stand_in.requests()), count, f"{stand_in.url} was not called")


if __name__ == "__main__":
    unittest.main(verbosity=2)
