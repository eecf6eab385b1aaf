"""A job that failed midway and is retried (`growthd run --state`: the same job id, its step results and
store) repeats no side effect: one e-mail, one upload, one row, one event each, however often it runs."""
import csv
import json

from agent_jobs import AgentJobs, DEMO_ICS, main
import harness

SMS_ON = {"TWILIO_FROM_NUMBER": "+15005550006"}


def smtp_down():
    """Mail settings that point at a closed loopback port: mail.send fails, retryable."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(harness.free_port()), "SMTP_USER": "agent@example.com",
            "SMTP_PASS": "secret", "GMAIL_SENDER_ADDRESS": "agent@example.com", "GROWTH_SMTP_CONNECT_TIMEOUT_MS": "2000",
            "GROWTH_SMTP_TIMEOUT_MS": "2000"}


class Retries(AgentJobs):
    def fail_then_retry(self, agent, env=None, input=None):
        code, _, stderr = self.run_agent(agent, env=dict(env or {}, **smtp_down()), input=input, state=True)
        self.assertEqual(code, 1, stderr)
        self.assertIn("mail.send", stderr)
        self.assertEqual(self.outbox_mail(), [])
        first = self.run_ok(agent, env=env, input=input, state=True)
        with open(self.state, encoding="utf-8") as f:
            self.assertIn('"attempt": 2', f.read())
        again = self.run_ok(agent, env=env, input=input, state=True)
        self.assertEqual(len(self.outbox_mail()), 1, "one e-mail after three attempts")
        return first, again

    def test_mindset(self):
        first, again = self.fail_then_retry("mindset")
        self.assertEqual(first["reframes"], again["reframes"])
        self.assertEqual(first["email"]["messageId"], again["email"]["messageId"])

    def test_purpose_uploads_and_mails_once(self):
        first, again = self.fail_then_retry("purpose", env=SMS_ON)
        self.assertEqual(len(self.files("drive")), 1, "one upload")
        self.assertEqual(first["sms"]["schedule"], again["sms"]["schedule"], "the send times are kept")
        self.assertEqual(first["drive"], again["drive"])

    def test_rhythm_inserts_pauses_once(self):
        env = {"GROWTH_CALENDAR_ICS": DEMO_ICS}
        first, again = self.fail_then_retry("rhythm", env=env, input={"startDate": "2026-11-30"})
        self.assertEqual(len(first["pauses"]), 2)
        self.assertEqual(first["pauses"], again["pauses"])
        with open(self.artifact(first, "ics"), encoding="utf-8") as f:
            self.assertEqual(f.read().count("SUMMARY:[Pause]"), 2)

    def test_journal_appends_once(self):
        first = self.run_ok("journal", state=True)
        again = self.run_ok("journal", state=True)
        self.assertEqual(first["spreadsheetId"], again["spreadsheetId"])
        self.assertEqual(len(self.files("sheets")), 1, "one spreadsheet, made once")
        with open(self.files("sheets")[0] + "/meta.json", encoding="utf-8") as f:
            self.assertEqual(json.load(f)["sheets"], ["Sheet1", "Summaries"], "the Summaries sheet, added once")
        for artifact in first["artifacts"]:
            if artifact["type"] == "spreadsheet":
                with open(artifact["path"][len("file://"):], encoding="utf-8", newline="") as f:
                    self.assertEqual(len(list(csv.reader(f))), 2, artifact["name"])

    def test_niche_uploads_once(self):
        first = self.run_ok("niche", state=True)
        again = self.run_ok("niche", state=True)
        self.assertEqual(first["drive"], again["drive"])
        self.assertEqual(len(self.files("drive")), 1)


if __name__ == "__main__":
    main()
