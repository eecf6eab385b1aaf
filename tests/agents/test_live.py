"""The agents on their live backends through the stand-ins: a real SMTP server (tests/media/smtp_server.py)
and the Google stand-in (tests/standins/google.py), with the requests they received checked; a stand-in
failing mid-run, then the job retried (--state), leaves no duplicate e-mail, row, event or upload."""
import datetime
import email
import email.policy
import json
import os
import sys
import urllib.parse
from zoneinfo import ZoneInfo

from agent_jobs import AgentJobs, SOURCE_DIR, demo_profile, with_input, main

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "standins"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "media"))
from google import start_google, key_to_base64  # noqa: E402
from smtp_server import SmtpServer, check_message  # noqa: E402

SENDER, PASSWORD = "agent@example.com", "app-password-123"
FOLDER = "folder-growth"


class Live(AgentJobs):
    def setUp(self):
        super().setUp()
        os.makedirs(os.path.join(self.dir, "smtp"))
        self.smtp = SmtpServer(os.path.join(self.dir, "smtp"), mode="starttls", user=SENDER, password=PASSWORD,
                               sender=SENDER).start()
        self.google, key = start_google()
        self.google.shared_drive_folders.add(FOLDER)
        self.env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp.port), "SMTP_USER": SENDER,
                    "SMTP_PASS": PASSWORD, "GMAIL_SENDER_ADDRESS": SENDER,
                    "GROWTH_SMTP_CA_FILE": self.smtp.certs["ca.pem"], "GROWTH_SMTP_TIMEOUT_MS": "20000",
                    "GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(key), "GROWTH_DRIVE_FOLDER_ID": FOLDER,
                    "GROWTH_GOOGLE_SHEETS_URL": self.google.url, "GROWTH_GOOGLE_DRIVE_URL": self.google.url,
                    "GROWTH_GOOGLE_CALENDAR_URL": self.google.url, "GROWTH_HTTP_BACKOFF_MS": "20",
                    "GROWTH_HTTP_BACKOFF_MAX_MS": "100", "GROWTH_HTTP_MAX_ATTEMPTS": "2"}

    def tearDown(self):
        self.smtp.stop()
        self.google.stop()
        super().tearDown()

    def received(self):
        return [email.message_from_bytes(m["data"], policy=email.policy.default) for m in self.smtp.messages]

    def fail_mail_then_retry(self, agent, **options):
        """Run 1 with the SMTP server refusing (451 at MAIL), then two retries of the same job."""
        self.smtp.recorder.fault = ("MAIL", "451 4.3.0 try again later")
        code, _, stderr = self.run_agent(agent, env=self.env, state=True, **options)
        self.assertEqual(code, 1, stderr)
        self.assertIn("mail.send", stderr)
        self.smtp.recorder.fault = None
        first = self.run_ok(agent, env=self.env, state=True, **options)
        again = self.run_ok(agent, env=self.env, state=True, **options)
        self.assertEqual(len(self.smtp.messages), 1, "one e-mail after three attempts")
        self.assertEqual(self.outbox_mail(), [], "live mail never goes to the outbox")
        return first, again

    def test_mindset_mime_over_smtp(self):
        first, again = self.fail_mail_then_retry("mindset")
        received = self.smtp.messages[0]
        self.assertEqual(received["rcpt_tos"], ["alex.morgan@example.com"])
        self.assertTrue(received["authenticated"])
        self.assertEqual(check_message(received["data"]), [])
        m = self.received()[0]
        self.assertEqual(m.get_content_type(), "multipart/alternative")
        self.assertEqual([p.get_content_type() for p in m.iter_parts()], ["text/plain", "text/html"])
        self.assertEqual(m["Message-ID"].strip("<>"), first["email"]["messageId"])
        self.assertEqual(first, again)

    def test_purpose_upload_and_attachment(self):
        first, again = self.fail_mail_then_retry("purpose")
        uploads = [r for r in self.google.requests("/upload/drive/v3/files") if r["method"] == "POST"]
        self.assertEqual(len(uploads), 1, "one upload after three attempts")
        self.assertEqual(len(self.google.files), 1)
        stored = next(iter(self.google.files.values()))
        self.assertEqual((stored["name"], stored["mimeType"], stored["parents"]), ("ikigai.pdf", "application/pdf", [FOLDER]))
        attachment = next(self.received()[0].iter_attachments())
        self.assertEqual(attachment.get_content(), stored["bytes"])
        self.assertTrue(first["drive"]["url"].startswith("https://"))
        self.assertEqual(first["drive"], again["drive"])

    def test_niche_upload(self):
        result = self.run_ok("niche", env=self.env, state=True)
        self.run_ok("niche", env=self.env, state=True)
        self.assertEqual(len(self.google.files), 1)
        stored = self.google.files[result["drive"]["id"]]
        self.assertTrue(stored["bytes"].startswith(b"%PDF-"))
        self.assertEqual(stored["name"], "niche-report.pdf")

    def test_niche_share_failing_then_retried_uploads_once(self):
        """The upload succeeds, the share fails (500 on every try): the retried step finds the file by the
        appProperty its idempotency key left and shares it, instead of uploading a copy."""
        self.google.add_fault("status", count=-1, status=500, method="POST", match=r"/permissions\Z")
        code, _, stderr = self.run_agent("niche", env=self.env, state=True)
        self.assertEqual(code, 1, stderr)
        self.assertIn("was uploaded but sharing it with", stderr)
        self.google.clear_faults()
        result = self.run_ok("niche", env=self.env, state=True)
        self.assertEqual(list(self.google.files), [result["drive"]["id"]], "one file after two attempts")
        stored = self.google.files[result["drive"]["id"]]
        self.assertEqual([p["emailAddress"] for p in stored["permissions"]], ["alex.morgan@example.com"])
        self.assertEqual(list(stored["appProperties"]), ["growthdKey"])
        self.assertRegex(stored["appProperties"]["growthdKey"], r"\A[0-9a-f]{64}\Z", "a hash, not the job id")
        lookups = [r for r in self.google.requests("/drive/v3/files") if r["method"] == "GET"]
        self.assertEqual(len(lookups), 2, "each attempt looks for an earlier upload first")

    def test_journal_headers_failing_then_retried_makes_one_spreadsheet(self):
        """The spreadsheet is made in the folder but writing its headers fails: the retried step takes the
        spreadsheet it made (found by its key) instead of making a second one."""
        self.google.add_fault("status", count=-1, status=500, method="PUT", match=r"/values/A1\Z")
        code, _, stderr = self.run_agent("journal", env=self.env, state=True)
        self.assertEqual(code, 1, stderr)
        self.assertIn("sheets.create: writing the headers", stderr)
        self.assertEqual(len(self.google.spreadsheets), 1)
        self.google.clear_faults()
        result = self.run_ok("journal", env=self.env, state=True)
        titles = sorted(book["title"] for book in self.google.spreadsheets.values())
        self.assertEqual(titles, ["Alignment Journal — Alex Morgan"])
        rows = self.google.spreadsheets[result["spreadsheetId"]]["sheets"]["Sheet1"]
        self.assertEqual(len(rows), 2, "the headers and today's entry")

    def test_journal_rows_through_the_sheets_api(self):
        first = self.run_ok("journal", env=self.env, state=True)
        sid = first["spreadsheetId"]
        book = self.google.spreadsheets[sid]
        self.assertEqual(book["title"], "Alignment Journal — Alex Morgan")
        self.assertEqual(book["order"], ["Sheet1", "Summaries"], "the summaries are a sheet of the journal")
        appends = [r for r in self.google.requests(f"/v4/spreadsheets/{sid}/values/") if r["path"].endswith(":append")]
        self.assertEqual([urllib.parse.unquote(r["path"]).split("/values/")[1] for r in appends],
                         ["A1:append", "Summaries!A1:append"])
        entry = demo_profile()["inputs"]["journal"]["entry"]
        row = json.loads(appends[0]["body"])["values"][0]
        self.assertEqual(row[1:], [entry["intention"], entry["gratitude"], "7", "8", entry["reflection"]])
        self.assertEqual(appends[0]["query"]["valueInputOption"], ["RAW"])
        adds = self.google.requests(f"/v4/spreadsheets/{sid}:batchUpdate")
        self.assertEqual([json.loads(r["body"]) for r in adds],
                         [{"requests": [{"addSheet": {"properties": {"title": "Summaries"}}}]}])
        summaries = book["sheets"]["Summaries"]
        self.assertEqual(summaries[0][:3], ["Date", "Days", "Entries"])
        self.assertEqual(len(summaries), 2)
        self.assertEqual((summaries[1][0], summaries[1][8]), (first["date"], first["summary"]))
        tab_url = next(a["path"] for a in first["artifacts"] if a["name"] == "Journal Summaries")
        self.assertEqual(tab_url, f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid={book['ids']['Summaries']}")
        # the job again (a retry), then a new job the same day with the same store: still one row each
        self.run_ok("journal", env=self.env, state=True)
        with open(self.state, encoding="utf-8") as f:
            state = json.load(f)
        state["steps"] = {}
        self.write_json("state.json", state)
        later = self.run_ok("journal", env=self.env, state=True)
        self.assertFalse(later["entryAppended"])
        self.assertFalse(later["summaryAppended"])
        self.assertEqual(later["spreadsheetId"], sid)
        self.assertEqual(len(book["sheets"]["Sheet1"]), 2)
        self.assertEqual(len(book["sheets"]["Summaries"]), 2)
        self.assertEqual(len(self.google.spreadsheets), 1, "one spreadsheet, made once")
        self.assertEqual(len(self.google.requests(f"/v4/spreadsheets/{sid}:batchUpdate")), 1, "the tab added once")

    def test_journal_in_a_spreadsheet_the_user_shared(self):
        """No folder: the user's own spreadsheet (its id in the input) gets the Summaries sheet."""
        sid = self.google.new_spreadsheet("My journal", ["Entries"])
        self.google.spreadsheets[sid]["sheets"]["Entries"] = [["Date", "Intention", "Gratitude", "Energy", "Alignment",
                                                               "Reflection"]]
        env = dict(self.env)
        del env["GROWTH_DRIVE_FOLDER_ID"]
        profile = with_input("journal", {"spreadsheetId": sid})
        result = self.run_ok("journal", env=env, profile=profile, state=True)
        book = self.google.spreadsheets[sid]
        self.assertEqual(book["order"], ["Entries", "Summaries"])
        self.assertEqual(len(book["sheets"]["Summaries"]), 2)
        self.assertEqual(result["spreadsheetId"], sid)
        self.assertEqual(len(self.google.spreadsheets), 1, "nothing created")

    def test_rhythm_daylight_saving_week(self):
        """New York springs forward on Sunday 14 March 2027: Friday's pauses are -05:00, Monday's -04:00."""
        ny = "America/New_York"

        def at(day, hour, minute=0):
            local = datetime.datetime(2027, 3, day, hour, minute, tzinfo=ZoneInfo(ny))
            return {"dateTime": local.isoformat(), "timeZone": ny}

        self.google.calendars["primary"] = [
            # (the stand-in expands recurrences at a fixed offset, so none crosses the change here)
            {"id": "deepwork", "summary": "Client work", "recurrence": ["RRULE:FREQ=DAILY;COUNT=2"],
             "start": at(11, 9), "end": at(11, 12)},
            {"id": "mon0", "summary": "Client work", "start": at(15, 9), "end": at(15, 12)},
            {"id": "ooo", "summary": "Away", "eventType": "outOfOffice",
             "start": {"date": "2027-03-11"}, "end": {"date": "2027-03-12"}},
            {"id": "fri1", "summary": "Workshop", "start": at(12, 12), "end": at(12, 13, 30)},
            {"id": "fri2", "summary": "Overlapping review", "start": at(12, 13), "end": at(12, 15)},
            {"id": "fri3", "summary": "Vendor demo", "start": at(12, 15), "end": at(12, 16),
             "attendees": [{"email": "sam@example.com", "responseStatus": "accepted"},
                           {"email": "alex@example.com", "self": True, "responseStatus": "declined"}]},
            {"id": "fri4", "summary": "Focus (free)", "transparency": "transparent", "start": at(12, 16), "end": at(12, 17)},
            {"id": "night", "summary": "Release night", "start": at(14, 22), "end": at(15, 1)},
            {"id": "mon1", "summary": "Planning", "start": at(15, 12), "end": at(15, 14, 30)},
        ]
        profile = with_input("rhythm", {"startDate": "2027-03-11", "days": 5})
        profile["user"]["timezone"] = ny
        first, again = self.fail_mail_then_retry("rhythm", profile=profile)
        days = {d["date"]: d for d in first["days"]}
        self.assertEqual(sorted(days), ["2027-03-11", "2027-03-12", "2027-03-15"])
        self.assertTrue(days["2027-03-11"]["dayOff"])
        self.assertEqual(days["2027-03-12"]["busyMinutes"], 360, "overlaps once, declined and free ignored")
        self.assertEqual(days["2027-03-15"]["busyMinutes"], 330)
        self.assertGreater(len(first["pauses"]), 0)
        inserts = [r for r in self.google.requests("/calendar/v3/calendars/primary/events") if r["method"] == "POST"]
        self.assertEqual(len(inserts), len(first["pauses"]), "each pause inserted once after three attempts")
        blocked = [e for e in self.google.calendars["primary"] if not e["summary"].startswith("[Pause]")]
        self.assertEqual(len(blocked), 9)
        for p, request in zip(first["pauses"], inserts):
            body = json.loads(request["body"])
            self.assertTrue(body["summary"].startswith("[Pause]"))
            self.assertEqual(body["start"]["dateTime"], p["start"])
            self.assertEqual(body["start"]["timeZone"], ny)
            offset = "-05:00" if p["date"] == "2027-03-12" else "-04:00"
            self.assertTrue(p["start"].endswith(offset) and p["end"].endswith(offset), p)
            self.assertIn(p["date"], ("2027-03-12", "2027-03-15"))
            start = datetime.datetime.fromisoformat(p["start"])
            end = datetime.datetime.fromisoformat(p["end"])
            self.assertTrue(start.hour >= 9 and (end.hour, end.minute) <= (18, 0))
            for event in (("2027-03-12", 9, 0, 15, 0), ("2027-03-15", 9, 0, 14, 30), ("2027-03-12", 16, 0, 17, 0)):
                date, h1, m1, h2, m2 = event
                if p["date"] != date:
                    continue
                busy_from = start.replace(hour=h1, minute=m1)
                busy_to = start.replace(hour=h2, minute=m2)
                self.assertFalse(start < busy_to and end > busy_from, f"{p} overlaps {event}")
        # a later job sees its own pauses and adds none
        self.write_json("state.json", {"jobId": "later", "attempt": 1, "steps": {}, "store": {}})
        later = self.run_ok("rhythm", env=self.env, profile=profile, state=True)
        self.assertEqual(later["pauses"], [])
        self.assertEqual(len([r for r in self.google.requests("/calendar/v3/calendars/primary/events")
                              if r["method"] == "POST"]), len(first["pauses"]))


if __name__ == "__main__":
    main()
