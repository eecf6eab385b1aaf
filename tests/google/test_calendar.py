"""growth.calendar's C layer (core/providers/calendar): the local backend on a hand-written .ics
(weekly meeting across a DST change with an EXDATE and a moved instance, an all-day event, two time
zones) and on inserted events; the live backend against the Google stand-in (paging, recurring
events, insert, retries, timeouts, malformed answers, a bad credential)."""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from support import run_one  # noqa: E402
from google import start_google, make_service_account_key, key_to_base64  # noqa: E402

WEEK_ICS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "week.ics")


class LocalCalendarTest(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="growth-calendar-")
        self.env = {"GROWTH_DATA_DIR": self.data, "GROWTH_CALENDAR_ICS": WEEK_ICS}

    def tearDown(self):
        shutil.rmtree(self.data, ignore_errors=True)

    def calendar(self, *args, env=None):
        return run_one(["calendar"] + list(args), env=dict(self.env, **(env or {})))

    def events(self, start, end, calendar="primary"):
        out = self.calendar("events", calendar, start, end)
        self.assertTrue(out["ok"], out)
        return out["result"]

    def test_hand_written_week_expands_to_the_right_instances(self):
        events = self.events("2024-03-15T00:00:00Z", "2024-04-20T00:00:00Z")
        self.assertEqual([(e["id"], e["start"], e["end"], e["title"], e["all_day"], e["time_zone"], e["busy"])
                          for e in events], [
            ("weekly-sync@example.com_20240318T080000Z", "2024-03-18T09:00:00+01:00", "2024-03-18T10:00:00+01:00",
             "Weekly sync", False, "Europe/Paris", True),
            ("weekly-sync@example.com_20240325T080000Z", "2024-03-25T09:00:00+01:00", "2024-03-25T10:00:00+01:00",
             "Weekly sync", False, "Europe/Paris", True),
            ("ny-call@example.com", "2024-03-26T11:00:00-04:00", "2024-03-26T11:30:00-04:00",
             "Call with New York", False, "America/New_York", True),
            ("retreat@example.com", "2024-03-27", "2024-03-29", "Offsite retreat", True, None, False),
            # 1 April is an EXDATE; 8 April moved to Tuesday 9 April at 14:00 (after the DST change: +02:00).
            ("weekly-sync@example.com_20240408T070000Z", "2024-04-09T14:00:00+02:00", "2024-04-09T15:00:00+02:00",
             "Weekly sync (moved to Tuesday)", False, "Europe/Paris", True),
            ("weekly-sync@example.com_20240415T070000Z", "2024-04-15T09:00:00+02:00", "2024-04-15T10:00:00+02:00",
             "Weekly sync", False, "Europe/Paris", True),
        ])

    def test_window_edges(self):
        # Overlap rule: end > from and start < to (end exclusive).
        events = self.events("2024-03-28T12:00:00+01:00", "2024-04-01T08:00:00+02:00")
        self.assertEqual([e["id"] for e in events], ["retreat@example.com"])
        events = self.events("2024-03-18T10:00:00+01:00", "2024-03-25T09:00:00+01:00")
        self.assertEqual(events, [])
        events = self.events("2024-04-29T00:00:00Z", "2024-05-30T00:00:00Z")
        self.assertEqual([e["start"] for e in events], ["2024-04-29T09:00:00+02:00"])

    def test_insert_writes_an_importable_ics_and_reads_back(self):
        out = self.calendar("insert", "alice@example.com", json.dumps({
            "title": "Pause — breathe", "start": "2024-05-01T15:00:00+02:00", "end": "2024-05-01T15:15:00+02:00",
            "description": "Five slow breaths", "time_zone": "Europe/Paris"}))
        self.assertTrue(out["ok"], out)
        path = os.path.join(os.path.realpath(self.data), "calendar", "alice%40example.com.ics")
        self.assertEqual(out["result"]["link"], "file://" + path)
        self.assertTrue(out["result"]["id"].endswith("@growthd"))
        self.calendar("insert", "alice@example.com", json.dumps({
            "title": "Rest day", "start": "2024-05-02", "end": "2024-05-03", "busy": False}))
        with open(path, newline="") as f:
            raw = f.read()
        self.assertNotIn("\n", raw.replace("\r\n", ""), "every line ends with CRLF")
        text = raw.replace("\r\n ", "").replace("\r\n", "\n")
        for line in ("BEGIN:VCALENDAR", "PRODID:-//growthd//growth.calendar//EN", "BEGIN:VTIMEZONE",
                     "SUMMARY:Pause — breathe", "DESCRIPTION:Five slow breaths", "TRANSP:TRANSPARENT",
                     "DTSTART;VALUE=DATE:20240502", "END:VCALENDAR"):
            self.assertIn(line, text)
        self.assertIn("Europe/Paris:20240501T150000", text)
        events = self.events("2024-05-01T00:00:00Z", "2024-05-03T00:00:00Z", calendar="alice@example.com")
        self.assertEqual([(e["title"], e["start"], e["end"], e["time_zone"], e["busy"]) for e in events], [
            ("Pause — breathe", "2024-05-01T15:00:00+02:00", "2024-05-01T15:15:00+02:00", "Europe/Paris", True),
            ("Rest day", "2024-05-02", "2024-05-03", None, False)])
        other = self.events("2024-05-01T00:00:00Z", "2024-05-03T00:00:00Z", calendar="bob@example.com")
        self.assertEqual(other, [])

    def test_without_an_ics_only_inserted_events_exist(self):
        out = self.calendar("events", "primary", "2024-03-15T00:00:00Z", "2024-04-20T00:00:00Z",
                            env={"GROWTH_CALENDAR_ICS": ""})
        self.assertEqual(out["result"], [])

    def test_missing_or_broken_ics_is_a_clear_error(self):
        out = self.calendar("events", "primary", "2024-03-15T00:00:00Z", "2024-04-20T00:00:00Z",
                            env={"GROWTH_CALENDAR_ICS": "/nonexistent/cal.ics"})
        self.assertEqual(out["error"]["code"], "bad_config")
        self.assertIn("GROWTH_CALENDAR_ICS", out["error"]["message"])
        broken = os.path.join(self.data, "broken.ics")
        with open(broken, "w") as f:
            f.write("hello, not a calendar\n")
        out = self.calendar("events", "primary", "2024-03-15T00:00:00Z", "2024-04-20T00:00:00Z",
                            env={"GROWTH_CALENDAR_ICS": broken})
        self.assertEqual(out["error"]["code"], "bad_config")
        self.assertIn("is not an iCalendar file", out["error"]["message"])

    def test_argument_errors(self):
        cases = [
            (["events", "primary", "2024-03-15", "2024-04-20T00:00:00Z"], "calendar.events: from '2024-03-15' is not an RFC 3339 time with offset"),
            (["events", "primary", "2024-03-15T00:00:00", "2024-04-20T00:00:00Z"], "calendar.events: from '2024-03-15T00:00:00' is not an RFC 3339"),
            (["events", "primary", "2024-04-20T00:00:00Z", "2024-03-15T00:00:00Z"], "calendar.events: from (2024-04-20T00:00:00Z) must be before to"),
            (["events", "", "2024-03-15T00:00:00Z", "2024-04-20T00:00:00Z"], "calendar.events: calendarId must be a non-empty string"),
            (["insert", "primary", '{"start": "2024-05-01", "end": "2024-05-02"}'], "calendar.insert: event.title must be a non-empty string"),
            (["insert", "primary", '{"title": "x", "start": "2024-05-01"}'], "calendar.insert: event.end must be a string"),
            (["insert", "primary", '{"title": "x", "start": "2024-05-01", "end": "2024-05-01T10:00:00Z"}'], "calendar.insert: event.end '2024-05-01T10:00:00Z' is not a YYYY-MM-DD date like event.start"),
            (["insert", "primary", '{"title": "x", "start": "2024-05-02", "end": "2024-05-01"}'], "calendar.insert: event.end (2024-05-01) must be after event.start (2024-05-02)"),
            (["insert", "primary", '{"title": "x", "start": "2024-05-01", "end": "2024-05-02", "busy": "yes"}'], "calendar.insert: event.busy must be a boolean"),
            (["insert", "primary", '{"title": "x", "start": "2024-05-01T10:00:00Z", "end": "2024-05-01T11:00:00Z", "time_zone": "Mars/Base"}'], "calendar.insert: event.time_zone 'Mars/Base' is not a known IANA time zone"),
        ]
        for args, message in cases:
            out = self.calendar(*args)
            self.assertEqual(out["error"]["code"], "bad_argument", (args, out))
            self.assertTrue(out["error"]["message"].startswith(message), (message, out["error"]["message"]))


class LiveCalendarTest(unittest.TestCase):
    def setUp(self):
        self.google, self.key = start_google()
        self.env = {"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(self.key),
                    "GROWTH_GOOGLE_CALENDAR_URL": self.google.url}
        self.google.calendars["primary"] = [
            {"id": "weekly", "summary": "Weekly sync", "start": {"dateTime": "2024-03-18T09:00:00+01:00",
                                                                 "timeZone": "Europe/Paris"},
             "end": {"dateTime": "2024-03-18T10:00:00+01:00", "timeZone": "Europe/Paris"},
             "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"]},
            {"id": "retreat", "summary": "Retreat", "start": {"date": "2024-03-27"}, "end": {"date": "2024-03-29"},
             "transparency": "transparent"},
            {"id": "gone", "summary": "Cancelled", "status": "cancelled",
             "start": {"dateTime": "2024-03-20T12:00:00Z"}, "end": {"dateTime": "2024-03-20T13:00:00Z"}},
        ]

    def tearDown(self):
        self.google.stop()

    def calendar(self, *args, env=None):
        return run_one(["calendar"] + list(args), env=dict(self.env, **(env or {})))

    def test_events_follow_every_page_and_normalise(self):
        self.google.calendar_page_cap = 2
        out = self.calendar("events", "primary", "2024-03-15T00:00:00Z", "2024-04-20T00:00:00+02:00")
        self.assertTrue(out["ok"], out)
        self.assertEqual([(e["id"], e["start"], e["end"], e["all_day"], e["time_zone"], e["busy"])
                          for e in out["result"]], [
            ("weekly_20240318T080000Z", "2024-03-18T09:00:00+01:00", "2024-03-18T10:00:00+01:00", False,
             "Europe/Paris", True),
            ("weekly_20240325T080000Z", "2024-03-25T09:00:00+01:00", "2024-03-25T10:00:00+01:00", False,
             "Europe/Paris", True),
            ("retreat", "2024-03-27", "2024-03-29", True, None, False),
            ("weekly_20240401T080000Z", "2024-04-01T09:00:00+01:00", "2024-04-01T10:00:00+01:00", False,
             "Europe/Paris", True)])
        requests = self.google.requests("/calendar/v3/calendars/primary/events")
        self.assertEqual(len(requests), 2)
        first = requests[0]["query"]
        self.assertEqual(first["timeMin"], ["2024-03-15T00:00:00Z"])
        self.assertEqual(first["timeMax"], ["2024-04-20T00:00:00+02:00"])
        self.assertEqual(first["singleEvents"], ["true"])
        self.assertEqual(first["orderBy"], ["startTime"])
        self.assertIn("pageToken", requests[1]["query"])

    def test_calendar_id_is_percent_encoded(self):
        self.google.calendars["bob@example.com"] = []
        out = self.calendar("events", "bob@example.com", "2024-03-15T00:00:00Z", "2024-04-20T00:00:00Z")
        self.assertTrue(out["ok"], out)
        self.assertEqual(self.google.requests("/calendar/")[0]["path"], "/calendar/v3/calendars/bob%40example.com/events")

    def test_insert(self):
        out = self.calendar("insert", "primary", json.dumps({
            "title": "Pause", "start": "2024-05-01T15:00:00+02:00", "end": "2024-05-01T15:15:00+02:00",
            "time_zone": "Europe/Paris", "busy": False, "description": "breathe"}))
        self.assertTrue(out["ok"], out)
        stored = self.google.calendars["primary"][-1]
        self.assertEqual(out["result"], {"id": stored["id"], "link": stored["htmlLink"]})
        self.assertEqual(stored["start"], {"dateTime": "2024-05-01T15:00:00+02:00", "timeZone": "Europe/Paris"})
        self.assertEqual(stored["transparency"], "transparent")
        self.assertEqual(stored["summary"], "Pause")
        out = self.calendar("insert", "primary", json.dumps({"title": "Day off", "start": "2024-05-02",
                                                             "end": "2024-05-03"}))
        self.assertEqual(self.google.calendars["primary"][-1]["start"], {"date": "2024-05-02"})

    def test_insert_whose_answer_was_lost_is_not_stored_twice(self):
        before = len(self.google.calendars["primary"])
        self.google.add_fault("lost", path="/calendar/v3/calendars/primary/events")
        out = self.calendar("insert", "primary", json.dumps({"title": "Pause", "start": "2024-05-02",
                                                             "end": "2024-05-03"}))
        self.assertTrue(out["ok"], out)
        self.assertEqual(len(self.google.calendars["primary"]), before + 1)
        stored = self.google.calendars["primary"][-1]
        self.assertEqual(out["result"], {"id": stored["id"], "link": stored["htmlLink"]})
        self.assertRegex(stored["id"], r"^[0-9a-v]{26}$")
        methods = [r["method"] for r in self.google.requests("/calendar/")]
        self.assertEqual(methods, ["POST", "POST", "GET"])

    def test_503_on_insert_is_repeated(self):
        self.google.add_fault("status", status=503, path="/calendar/")
        out = self.calendar("insert", "primary", json.dumps({"title": "x", "start": "2024-05-02",
                                                             "end": "2024-05-03"}))
        self.assertTrue(out["ok"], out)
        self.assertEqual(len(self.google.requests("/calendar/")), 2)

    def test_unknown_calendar(self):
        out = self.calendar("events", "nobody@example.com", "2024-03-15T00:00:00Z", "2024-04-20T00:00:00Z")
        self.assertEqual(out["error"]["code"], "not_found")
        self.assertIn("Not Found (notFound)", out["error"]["message"])

    def test_bad_credential(self):
        other, _ = make_service_account_key(self.key["token_uri"], client_email=self.key["client_email"])
        out = self.calendar("events", "primary", "2024-03-15T00:00:00Z", "2024-04-20T00:00:00Z",
                            env={"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(other)})
        self.assertEqual(out["error"]["code"], "unauthorized")
        self.assertFalse(out["error"]["retryable"])

    def test_429_then_success(self):
        self.google.add_fault("status", status=429, path="/calendar/")
        out = self.calendar("insert", "primary", json.dumps({"title": "x", "start": "2024-05-02",
                                                             "end": "2024-05-03"}))
        self.assertTrue(out["ok"], out)
        self.assertEqual(len(self.google.requests("/calendar/")), 2)
        self.assertEqual(len(self.google.calendars["primary"]), 4)

    def test_500_until_retries_run_out(self):
        self.google.add_fault("status", count=-1, status=500, path="/calendar/")
        out = self.calendar("events", "primary", "2024-03-15T00:00:00Z", "2024-04-20T00:00:00Z")
        self.assertEqual(out["error"]["code"], "upstream_error")
        self.assertTrue(out["error"]["retryable"])
        self.assertIn("after 3 attempts: Backend Error (backendError)", out["error"]["message"])

    def test_timeout(self):
        self.google.add_fault("hang", count=-1, delay=3, path="/calendar/")
        out = self.calendar("events", "primary", "2024-03-15T00:00:00Z", "2024-04-20T00:00:00Z",
                            env={"GROWTH_HTTP_TIMEOUT_MS": "300", "GROWTH_HTTP_MAX_ATTEMPTS": "2"})
        self.assertEqual(out["error"]["code"], "timeout")
        self.assertTrue(out["error"]["retryable"])

    def test_malformed_answers(self):
        self.google.add_fault("status", status=200, path="/calendar/",
                              raw='{"items": [{"id": "a", "start": {"dateTime": "2024-03-20T10:00:00Z"}}]}')
        out = self.calendar("events", "primary", "2024-03-15T00:00:00Z", "2024-04-20T00:00:00Z")
        self.assertEqual(out["error"]["code"], "upstream_error")
        self.assertFalse(out["error"]["retryable"])
        self.assertIn("items[1] in the answer has no \"start\" and \"end\"", out["error"]["message"])
        self.google.add_fault("status", status=200, path="/calendar/", raw='{"kind": "calendar#event"}')
        out = self.calendar("insert", "primary", json.dumps({"title": "x", "start": "2024-05-02",
                                                             "end": "2024-05-03"}))
        self.assertIn('the answer has no "id"', out["error"]["message"])
        self.assertFalse(out["error"]["retryable"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
