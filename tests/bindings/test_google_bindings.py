"""growth.sheets, growth.calendar and growth.drive from Lua through `growthd run`: the local backends
(CSV files, the demo .ics, files under the data folder) and the live ones against the Google stand-in
(tests/standins/google.py, which checks tokens and request shapes as Google does), the services'
states and reasons, every argument check, and provider errors as growth error tables."""
import base64
import csv
import json
import os
import sys

from agent_runner import AgentTest, main

SOURCE_DIR = os.environ.get("GROWTH_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "standins"))
from google import start_google, key_to_base64  # noqa: E402

DEMO_ICS = os.path.join(SOURCE_DIR, "scripts", "profiles", "demo-calendar.ics")
FAST_RETRIES = {"GROWTH_HTTP_BACKOFF_MS": "20", "GROWTH_HTTP_BACKOFF_MAX_MS": "100", "GROWTH_HTTP_MAX_ATTEMPTS": "3"}

REQUIRES = """
local sheets = require "growth.sheets"
local calendar = require "growth.calendar"
local drive = require "growth.drive"
local time = require "growth.time"
"""

ROUND_TRIP = REQUIRES + """
local book = sheets.create{ title = "Growth journal", headers = { "Date", "Energy", "Note" } }
local appended = sheets.append(book.id, "Sheet1!A1", {
  { "2026-11-27", 7, "Felt focused" },
  { "2026-11-28", 8.5, nil, true },
  { "2026-11-29", json.null, "=SUM(A1)" },
})
return { book = book, appended = appended, rows = sheets.read(book.id, "Sheet1!A1:D") }
"""

# A tab added to a spreadsheet twice (the second call finds it), written and read back, and the
# error of a range on a tab the spreadsheet does not have.
TAB_ROUND_TRIP = REQUIRES + """
local book = sheets.create{ title = "Growth journal", headers = { "Date", "Energy" } }
local spec = { title = "Summaries", headers = { "Date", "Summary" } }
local first = sheets.ensure_sheet(book.id, spec)
local again = sheets.ensure_sheet(book.id, spec)
sheets.append(book.id, "Summaries!A1", { { "2026-11-27", "A calm week" } })
local ok, missing = pcall(sheets.read, book.id, "Nope!A1")
return { book = book, first = first, again = again, rows = sheets.read(book.id, "'Summaries'!A1:B"),
         entries = sheets.read(book.id, "Sheet1"), missing = missing }
"""

# One pcall per argument check: "code|retryable|message" for each.
ARGUMENT_CASES = REQUIRES + """
local cases = {}
local function try(name, fn, ...)
  local ok, err = pcall(fn, ...)
  cases[name] = ok and "no error" or (err.code .. "|" .. tostring(err.retryable) .. "|" .. err.message)
end
local pdf_like = setmetatable({}, { __index = { bytes = function() return "%PDF-1.4 fake" end } })
-- sheets.create
try("create_not_table", sheets.create, "Journal")
try("create_no_title", sheets.create, { headers = { "a" } })
try("create_empty_title", sheets.create, { title = "" })
try("create_title_number", sheets.create, { title = 5 })
try("create_headers_string", sheets.create, { title = "t", headers = "a,b" })
try("create_header_number", sheets.create, { title = "t", headers = { "a", 2 } })
try("create_headers_map", sheets.create, { title = "t", headers = { a = "b" } })
-- sheets.append
try("append_no_id", sheets.append, nil, "Sheet1!A1", { { "a" } })
try("append_empty_id", sheets.append, "", "Sheet1!A1", { { "a" } })
try("append_bad_id", sheets.append, "a/b", "Sheet1!A1", { { "a" } })
try("append_no_range", sheets.append, "abc", nil, { { "a" } })
try("append_bad_range", sheets.append, "abc", "Sheet1!A1:1B", { { "a" } })
try("append_no_rows", sheets.append, "abc", "Sheet1!A1")
try("append_empty_rows", sheets.append, "abc", "Sheet1!A1", {})
try("append_row_string", sheets.append, "abc", "Sheet1!A1", { { "a" }, { "b" }, "c" })
try("append_cell_table", sheets.append, "abc", "Sheet1!A1", { { "a", { 1 } } })
try("append_cell_function", sheets.append, "abc", "Sheet1!A1", { { print } })
try("append_cell_nan", sheets.append, "abc", "Sheet1!A1", { { 0/0 } })
try("append_row_keys", sheets.append, "abc", "Sheet1!A1", { { x = 1 } })
try("append_bad_utf8", sheets.append, "abc", "Sheet1!A1", { { "\\xff\\xfe" } })
-- sheets.read
try("read_no_id", sheets.read)
try("read_number_id", sheets.read, 42, "Sheet1")
try("read_empty_range", sheets.read, "abc", "")
-- sheets.ensure_sheet
try("ensure_no_id", sheets.ensure_sheet, nil, { title = "Summaries" })
try("ensure_bad_id", sheets.ensure_sheet, "a b", { title = "Summaries" })
try("ensure_not_table", sheets.ensure_sheet, "abc", "Summaries")
try("ensure_no_title", sheets.ensure_sheet, "abc", { headers = { "a" } })
try("ensure_long_title", sheets.ensure_sheet, "abc", { title = ("é"):rep(101) })
try("ensure_control_title", sheets.ensure_sheet, "abc", { title = "a\\nb" })
try("ensure_header_number", sheets.ensure_sheet, "abc", { title = "t", headers = { "a", 2 } })
-- calendar.events
try("events_no_id", calendar.events, nil, "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z")
try("events_empty_id", calendar.events, "", "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z")
try("events_no_from", calendar.events, "primary", nil, "2026-12-01T00:00:00Z")
try("events_bad_from", calendar.events, "primary", "30.11.2026", "2026-12-01T00:00:00Z")
try("events_from_table", calendar.events, "primary", {}, "2026-12-01T00:00:00Z")
try("events_no_offset", calendar.events, "primary", "2026-11-30T00:00:00", "2026-12-01T00:00:00Z")
try("events_bad_to", calendar.events, "primary", "2026-11-30T00:00:00Z", "tomorrow")
try("events_reversed", calendar.events, "primary", "2026-12-01T00:00:00Z", "2026-11-30T00:00:00Z")
try("events_negative", calendar.events, "primary", -5, 10)
-- calendar.insert
local good = { title = "Pause", start = "2026-11-30T11:00:00+01:00", ["end"] = "2026-11-30T11:20:00+01:00" }
local function with(field, value)
  local copy = {}
  for k, v in pairs(good) do copy[k] = v end
  copy[field] = value
  return copy
end
try("insert_no_id", calendar.insert, nil, good)
try("insert_not_table", calendar.insert, "primary", "Pause at 11")
try("insert_no_title", calendar.insert, "primary", with("title", nil))
try("insert_title_number", calendar.insert, "primary", with("title", 3))
try("insert_no_start", calendar.insert, "primary", with("start", nil))
try("insert_bad_start", calendar.insert, "primary", with("start", "11:00"))
try("insert_no_end", calendar.insert, "primary", with("end", nil))
try("insert_end_before", calendar.insert, "primary", with("end", "2026-11-30T10:00:00+01:00"))
try("insert_mixed_kinds", calendar.insert, "primary", with("end", "2026-12-01"))
try("insert_busy_string", calendar.insert, "primary", with("busy", "yes"))
try("insert_description_table", calendar.insert, "primary", with("description", {}))
try("insert_zone_number", calendar.insert, "primary", with("timeZone", 1))
try("insert_unknown_field", calendar.insert, "primary", with("time_zone", "Europe/Berlin"))
-- drive.upload
local file = { name = "a.txt", mime = "text/plain", bytes = "hi" }
local function upload_with(field, value)
  local copy = {}
  for k, v in pairs(file) do copy[k] = v end
  copy[field] = value
  return copy
end
try("upload_not_table", drive.upload, "a.txt")
try("upload_no_name", drive.upload, upload_with("name", nil))
try("upload_slash_name", drive.upload, upload_with("name", "../a.txt"))
try("upload_no_mime", drive.upload, upload_with("mime", nil))
try("upload_bad_mime", drive.upload, upload_with("mime", "pdf"))
try("upload_no_bytes", drive.upload, upload_with("bytes", nil))
try("upload_bytes_number", drive.upload, upload_with("bytes", 12))
try("upload_bytes_no_method", drive.upload, upload_with("bytes", {}))
try("upload_bad_folder", drive.upload, upload_with("folder", "a/b"))
try("upload_folder_number", drive.upload, upload_with("folder", 7))
try("upload_bad_share", drive.upload, upload_with("share_with", "not an address"))
try("upload_big", drive.upload, upload_with("bytes", ("x"):rep(5 * 1024 * 1024 + 1)))
cases.pdf_like_ok = drive.upload(upload_with("bytes", pdf_like)).id ~= nil
return cases
"""

EXPECTED_ARGUMENT_ERRORS = {
    "create_not_table": "sheets.create: the argument must be a table of named fields, got \"Journal\"",
    "create_no_title": "sheets.create: title must be a non-empty string, got nil",
    "create_empty_title": "sheets.create: title must be a non-empty string, got \"\"",
    "create_title_number": "sheets.create: title must be a non-empty string, got 5",
    "create_headers_string": "sheets.create: headers must be a list, got \"a,b\"",
    "create_header_number": "sheets.create: headers[2] must be a string, got 2",
    "create_headers_map": "sheets.create: headers must be a list, got table",
    "append_no_id": "sheets.append: id must be a spreadsheet id (a non-empty string), got nil",
    "append_empty_id": "sheets.append: id must be a spreadsheet id (a non-empty string), got \"\"",
    "append_bad_id": "sheets.append: id 'a/b' is not a spreadsheet id",
    "append_no_range": "sheets.append: range must be a range in A1 notation such as \"Sheet1!A1\", got nil",
    "append_bad_range": "sheets.append: range 'Sheet1!A1:1B' is not A1 notation",
    "append_no_rows": "sheets.append: rows must be a non-empty list, got nothing",
    "append_empty_rows": "sheets.append: rows must be a non-empty list, got table",
    "append_row_string": "sheets.append: rows[3] must be a table (a list of cells), got \"c\"",
    "append_cell_table": "sheets.append: rows[1][2] must be a string, number, boolean or nil, got table",
    "append_cell_function": "sheets.append: rows[1][1] must be a string, number, boolean or nil, got function",
    "append_cell_nan": "sheets.append: rows[1][1] must be a finite number, got",
    "append_row_keys": "sheets.append: rows[1] must be a list of at most 1000 cells",
    "append_bad_utf8": "sheets.append: rows[1][1] must be UTF-8 text",
    "read_no_id": "sheets.read: id must be a spreadsheet id (a non-empty string), got nothing",
    "read_number_id": "sheets.read: id must be a spreadsheet id (a non-empty string), got 42",
    "read_empty_range": "sheets.read: range must be a range in A1 notation",
    "ensure_no_id": "sheets.ensure_sheet: id must be a spreadsheet id (a non-empty string), got nil",
    "ensure_bad_id": "sheets.ensure_sheet: id 'a b' is not a spreadsheet id",
    "ensure_not_table": "sheets.ensure_sheet: the argument must be a table of named fields, got \"Summaries\"",
    "ensure_no_title": "sheets.ensure_sheet: title must be a non-empty string, got nil",
    "ensure_long_title": "sheets.ensure_sheet: title has 101 characters (202 bytes); a sheet title has at most 100",
    "ensure_control_title": "sheets.ensure_sheet: title must not contain control characters",
    "ensure_header_number": "sheets.ensure_sheet: headers[2] must be a string, got 2",
    "events_no_id": "calendar.events: calendarId must be a calendar id such as \"primary\" or an address, got nil",
    "events_empty_id": "calendar.events: calendarId must be a calendar id",
    "events_no_from": "calendar.events: from must be an RFC 3339 time",
    "events_bad_from": "calendar.events: from '30.11.2026' is not an RFC 3339 time with offset",
    "events_from_table": "calendar.events: from must be an RFC 3339 time (\"2026-11-30T09:00:00+01:00\") or epoch "
                         "seconds, got table",
    "events_no_offset": "calendar.events: from '2026-11-30T00:00:00' is not an RFC 3339 time with offset",
    "events_bad_to": "calendar.events: to 'tomorrow' is not an RFC 3339 time with offset",
    "events_reversed": "calendar.events: from (2026-12-01T00:00:00Z) must be before to (2026-11-30T00:00:00Z)",
    "events_negative": "calendar.events: from must be epoch seconds between 1970 and 9999, got -5",
    "insert_no_id": "calendar.insert: calendarId must be a calendar id",
    "insert_not_table": "calendar.insert: event must be a table",
    "insert_no_title": "calendar.insert: event.title must be a non-empty string, got nil",
    "insert_title_number": "calendar.insert: event.title must be a non-empty string, got 3",
    "insert_no_start": "calendar.insert: event.start must be an RFC 3339 time",
    "insert_bad_start": "calendar.insert: event.start '11:00' is not an RFC 3339 time with offset or a YYYY-MM-DD date",
    "insert_no_end": "calendar.insert: event.end must be an RFC 3339 time",
    "insert_end_before": "calendar.insert: event.end (2026-11-30T10:00:00+01:00) must be after event.start",
    "insert_mixed_kinds": "calendar.insert: event.end '2026-12-01' is not an RFC 3339 time with offset like event.start",
    "insert_busy_string": "calendar.insert: event.busy must be a boolean, got \"yes\"",
    "insert_description_table": "calendar.insert: event.description must be a string, got table",
    "insert_zone_number": "calendar.insert: event.timeZone must be an IANA zone name such as \"Europe/Berlin\", got 1",
    "insert_unknown_field": "calendar.insert: event.time_zone is not a field of an event",
    "upload_not_table": "drive.upload: the argument must be a table of named fields, got \"a.txt\"",
    "upload_no_name": "drive.upload: name must be a non-empty string, got nil",
    "upload_slash_name": "drive.upload: name must be a file name (1-200 bytes, no '/')",
    "upload_no_mime": "drive.upload: mime must be a non-empty string, got nil",
    "upload_bad_mime": "drive.upload: mime must be a media type such as \"application/pdf\"",
    "upload_no_bytes": "drive.upload: bytes must be a string or an object with a bytes() method",
    "upload_bytes_number": "drive.upload: bytes must be a string or an object with a bytes() method",
    "upload_bytes_no_method": "drive.upload: bytes must be a string or an object with a bytes() method",
    "upload_bad_folder": "drive.upload: folder 'a/b' is not a folder id",
    "upload_folder_number": "drive.upload: folder must be a non-empty string, got 7",
    "upload_bad_share": "drive.upload: share_with 'not an address' is not an e-mail address",
    "upload_big": "drive.upload: bytes is 5242881 bytes long; at most 5242880 per upload",
}


class LocalBackends(AgentTest):
    def local_env(self, **extra):
        env = {"GROWTH_CALENDAR_ICS": DEMO_ICS}
        env.update(extra)
        return env

    def test_sheets_round_trip_on_csv(self):
        self.agent("journal", ROUND_TRIP)
        result = self.run_ok("journal", env=self.local_env())
        book = result["book"]
        self.assertRegex(book["id"], r"^local-[0-9a-f]{16}$")
        self.assertTrue(book["url"].startswith("file://"))
        self.assertEqual(result["appended"], {"updated_range": "Sheet1!A2:D4", "updated_rows": 3})
        self.assertEqual(result["rows"], [["Date", "Energy", "Note"], ["2026-11-27", "7", "Felt focused"],
                                          ["2026-11-28", "8.5", "", "TRUE"], ["2026-11-29", "", "=SUM(A1)"]])
        path = os.path.join(self.data, "sheets", book["id"], "Sheet1.csv")
        with open(path, newline="", encoding="utf-8") as f:
            self.assertEqual(list(csv.reader(f))[1], ["2026-11-27", "7", "Felt focused"])

    def test_sheets_tab_on_csv(self):
        self.agent("tabs", TAB_ROUND_TRIP)
        result = self.run_ok("tabs", env=self.local_env())
        url = "file://" + os.path.join(os.path.realpath(self.data), "sheets", result["book"]["id"], "Summaries.csv")
        self.assertEqual(result["first"], {"title": "Summaries", "sheet_id": 1, "created": True, "url": url})
        self.assertEqual(result["again"], {"title": "Summaries", "sheet_id": 1, "created": False, "url": url})
        self.assertEqual(result["rows"], [["Date", "Summary"], ["2026-11-27", "A calm week"]])
        self.assertEqual(result["entries"], [["Date", "Energy"]])
        self.assertEqual(result["missing"]["code"], "bad_argument")
        self.assertIn("has no sheet 'Nope'; its sheets are 'Sheet1', 'Summaries'", result["missing"]["message"])
        path = os.path.join(self.data, "sheets", result["book"]["id"], "Summaries.csv")
        with open(path, newline="", encoding="utf-8") as f:
            self.assertEqual(list(csv.reader(f)), [["Date", "Summary"], ["2026-11-27", "A calm week"]])

    def test_demo_calendar_events_normalised(self):
        self.agent("week", REQUIRES + """
            local a = calendar.events("primary", "2026-11-30T00:00:00+01:00", "2026-12-05T00:00:00+01:00")
            local b = calendar.events("primary", time.parse("2026-11-30T00:00:00+01:00"),
                                      time.parse("2026-12-05T00:00:00+01:00"))
            return { events = a, same = #a == #b }
        """)
        result = self.run_ok("week", env=self.local_env())
        self.assertTrue(result["same"])
        by_title = {}
        for event in result["events"]:
            by_title.setdefault(event["title"], []).append(event)
            self.assertEqual(set(event) - {"timeZone"},
                             {"id", "title", "start", "end", "allDay", "busy", "declined", "eventType"})
        self.assertEqual(len(by_title["Team stand-up"]), 5)
        vendor = by_title["Vendor demo"][0]
        self.assertTrue(vendor["declined"])
        self.assertEqual((vendor["start"], vendor["end"]), ("2026-12-03T14:00:00+01:00", "2026-12-03T15:00:00+01:00"))
        ooo = by_title["Out of office"][0]
        self.assertEqual((ooo["allDay"], ooo["eventType"], ooo["start"], ooo["end"]),
                         (True, "outOfOffice", "2026-12-04", "2026-12-05"))
        self.assertNotIn("timeZone", ooo)
        self.assertFalse(by_title["Focus time"][0]["busy"])
        ny = by_title["Sync with the New York team"][0]
        self.assertEqual((ny["start"], ny["timeZone"]), ("2026-12-02T10:00:00-05:00", "America/New_York"))
        self.assertFalse(any(e["declined"] for e in result["events"] if e["title"] != "Vendor demo"))
        self.assertEqual(result["events"][0]["start"], "2026-11-30T09:30:00+01:00")

    def test_declined_by_address(self):
        self.agent("mine", REQUIRES + """
            local function declined(id)
              for _, e in ipairs(calendar.events(id, "2026-12-03T00:00:00Z", "2026-12-04T00:00:00Z")) do
                if e.title == "Vendor demo" then return e.declined end
              end
            end
            return { alex = declined("alex.morgan@example.com"), other = declined("sam.carter@example.com") }
        """)
        result = self.run_ok("mine", env=self.local_env())
        self.assertEqual(result, {"alex": True, "other": False})

    def test_insert_then_read_back(self):
        self.agent("pause", REQUIRES + """
            local made = calendar.insert("primary", { title = "[Pause] Breathe", start = "2026-11-30T11:00:00+01:00",
              ["end"] = "2026-11-30T11:20:00+01:00", timeZone = "Europe/Berlin", description = "from Rhythm" })
            local free = calendar.insert("primary", { title = "Free day", start = "2026-12-06", ["end"] = "2026-12-07",
              busy = false })
            local found = {}
            for _, e in ipairs(calendar.events("primary", "2026-11-30T10:00:00Z", "2026-12-08T00:00:00Z")) do
              if e.title == "[Pause] Breathe" or e.title == "Free day" then found[#found + 1] = e end
            end
            return { made = made, free = free, found = found }
        """)
        result = self.run_ok("pause", env=self.local_env())
        ics = os.path.join(self.data, "calendar", "primary.ics")
        self.assertEqual(result["made"]["link"], "file://" + os.path.abspath(ics))
        with open(ics, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("SUMMARY:[Pause] Breathe", text)
        self.assertEqual([(e["title"], e["start"], e["busy"], e["allDay"]) for e in result["found"]],
                         [("[Pause] Breathe", "2026-11-30T11:00:00+01:00", True, False),
                          ("Free day", "2026-12-06", False, True)])

    def test_upload_string_and_document(self):
        self.agent("report", REQUIRES + """
            local pdf = require "growth.pdf"
            local doc = pdf.new{ title = "Report" }
            doc:paragraph("Hello")
            local a = drive.upload{ name = "note.txt", mime = "text/plain", bytes = "héllo\\0bytes",
                                    share_with = "ada@example.com" }
            local b = drive.upload{ name = "report.pdf", mime = "application/pdf", bytes = doc }
            return { a = a, b = b }
        """)
        result = self.run_ok("report", env=self.local_env())
        for entry, name in ((result["a"], "note.txt"), (result["b"], "report.pdf")):
            path = os.path.join(self.data, "drive", entry["id"], name)
            self.assertEqual(entry["url"], "file://" + os.path.abspath(path))
        with open(os.path.join(self.data, "drive", result["a"]["id"], "note.txt"), "rb") as f:
            self.assertEqual(f.read(), "héllo\0bytes".encode())
        with open(os.path.join(self.data, "drive", result["b"]["id"], "report.pdf"), "rb") as f:
            self.assertTrue(f.read().startswith(b"%PDF-"))
        with open(os.path.join(self.data, "drive", result["a"]["id"], "shared_with.txt")) as f:
            self.assertIn("ada@example.com", f.read())

    def test_every_argument_is_checked_before_anything_is_written(self):
        self.agent("args", ARGUMENT_CASES)
        result = self.run_ok("args", env=self.local_env())
        self.assertTrue(result.pop("pdf_like_ok"))
        self.assertEqual(set(result), set(EXPECTED_ARGUMENT_ERRORS))
        for name, expected in EXPECTED_ARGUMENT_ERRORS.items():
            code, retryable, message = result[name].split("|", 2)
            self.assertEqual((code, retryable), ("bad_argument", "false"), (name, result[name]))
            self.assertTrue(message.startswith(expected), (name, message, expected))
        self.assertFalse(os.path.exists(os.path.join(self.data, "sheets")))
        self.assertFalse(os.path.exists(os.path.join(self.data, "calendar")))
        self.assertEqual(len(os.listdir(os.path.join(self.data, "drive"))), 1)   # the one good upload

    def test_reasons_and_production(self):
        self.agent("plain", "return {}")
        code, _, stderr = self.run_agent("plain", env=self.local_env())
        self.assertEqual(code, 0, stderr)
        self.assertIn("sheets: local (GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set: spreadsheets are CSV files under", stderr)
        self.assertIn(f"calendar: local (GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set: events are read from {DEMO_ICS}",
                      stderr)
        self.assertIn("drive: local (GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set: uploads are files under", stderr)
        self.agent("prod", REQUIRES + "return sheets.create{ title = 'x' }")
        code, _, stderr = self.run_agent("prod", env=self.local_env(NODE_ENV="production"))
        self.assertEqual(code, 1)
        self.assertIn("(bad_config)", stderr)
        self.assertIn("sheets.create: GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set; in production Sheets, Calendar and "
                      "Drive never fall back to local files", stderr)
        self.assertFalse(os.path.exists(os.path.join(self.data, "sheets")))

    def test_broken_key_is_missing_and_never_quoted(self):
        broken = base64.b64encode(json.dumps({"type": "service_account", "client_email": "a@b.iam.gserviceaccount.com",
                                              "private_key": "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n"
                                              "-----END PRIVATE KEY-----\n", "token_uri": "http://127.0.0.1:1/token"})
                                  .encode()).decode()
        self.agent("broken", REQUIRES + "return drive.upload{ name = 'a.txt', mime = 'text/plain', bytes = 'x' }")
        code, _, stderr = self.run_agent("broken", env=self.local_env(GOOGLE_SERVICE_ACCOUNT_JSON_B64=broken))
        self.assertEqual(code, 1)
        self.assertIn("drive: missing (GOOGLE_SERVICE_ACCOUNT_JSON_B64", stderr)
        self.assertIn("(bad_config)", stderr)
        self.assertNotIn("c2VjcmV0", stderr)
        self.assertFalse(os.path.exists(os.path.join(self.data, "drive")))


class LiveBackends(AgentTest):
    def setUp(self):
        super().setUp()
        self.google, self.key = start_google()
        self.env = {"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(self.key), "GROWTH_GOOGLE_SHEETS_URL": self.google.url,
                    "GROWTH_GOOGLE_DRIVE_URL": self.google.url, "GROWTH_GOOGLE_CALENDAR_URL": self.google.url}
        self.env.update(FAST_RETRIES)

    def tearDown(self):
        self.google.stop()
        super().tearDown()

    def test_sheets_round_trip(self):
        self.agent("journal", ROUND_TRIP)
        result = self.run_ok("journal", env=self.env)
        sid = result["book"]["id"]
        self.assertEqual(result["book"]["url"], f"https://docs.google.com/spreadsheets/d/{sid}/edit")
        self.assertEqual(self.google.spreadsheets[sid]["title"], "Growth journal")
        append = self.google.requests(f"/v4/spreadsheets/{sid}/values/Sheet1%21A1:append")[0]
        self.assertEqual(append["query"]["valueInputOption"], ["RAW"])
        self.assertEqual(json.loads(append["body"])["values"],
                         [["2026-11-27", 7, "Felt focused"], ["2026-11-28", 8.5, None, True], ["2026-11-29", None, "=SUM(A1)"]])
        self.assertEqual(len(self.google.spreadsheets[sid]["sheets"]["Sheet1"]), 4)
        self.assertEqual(result["rows"][1], ["2026-11-27", "7", "Felt focused"])
        self.assertEqual(result["rows"][2], ["2026-11-28", "8.5", "", "TRUE"])

    def test_sheets_tab(self):
        self.agent("tabs", TAB_ROUND_TRIP)
        result = self.run_ok("tabs", env=self.env)
        sid = result["book"]["id"]
        book = self.google.spreadsheets[sid]
        self.assertEqual(book["order"], ["Sheet1", "Summaries"])
        self.assertEqual(result["first"], {"title": "Summaries", "sheet_id": book["ids"]["Summaries"], "created": True,
                                           "url": f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid="
                                                  f"{book['ids']['Summaries']}"})
        self.assertEqual(result["again"], dict(result["first"], created=False))
        self.assertEqual(book["sheets"]["Summaries"], [["Date", "Summary"], ["2026-11-27", "A calm week"]])
        self.assertEqual(result["rows"], book["sheets"]["Summaries"])
        adds = self.google.requests(f"/v4/spreadsheets/{sid}:batchUpdate")
        self.assertEqual([json.loads(r["body"]) for r in adds],
                         [{"requests": [{"addSheet": {"properties": {"title": "Summaries"}}}]}], "one addSheet")
        self.assertEqual((result["missing"]["code"], result["missing"]["status"]), ("bad_argument", 400))
        self.assertIn("Unable to parse range: Nope!A1", result["missing"]["message"])

    def test_calendar_events_and_insert(self):
        self.google.calendars["primary"] = [
            {"id": "standup", "summary": "Stand-up", "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
             "start": {"dateTime": "2026-03-27T09:30:00+01:00", "timeZone": "Europe/Berlin"},
             "end": {"dateTime": "2026-03-27T09:45:00+01:00", "timeZone": "Europe/Berlin"}},
            {"id": "vendor", "summary": "Vendor demo",
             "start": {"dateTime": "2026-03-27T14:00:00+01:00"}, "end": {"dateTime": "2026-03-27T15:00:00+01:00"},
             "attendees": [{"email": "sam@example.com", "responseStatus": "accepted"},
                           {"email": "alex@example.com", "self": True, "responseStatus": "declined"}]},
            {"id": "ooo", "summary": "Away", "eventType": "outOfOffice", "transparency": "opaque",
             "start": {"date": "2026-03-30"}, "end": {"date": "2026-03-31"}},
            {"id": "focus", "summary": "Focus", "transparency": "transparent",
             "start": {"dateTime": "2026-03-27T10:00:00+01:00"}, "end": {"dateTime": "2026-03-27T11:00:00+01:00"}},
        ]
        self.agent("week", REQUIRES + """
            local events = calendar.events("primary", "2026-03-27T00:00:00+01:00", "2026-03-31T00:00:00+02:00")
            local made = calendar.insert("primary", { title = "[Pause] Stretch", start = "2026-03-30T11:00:00+02:00",
              ["end"] = "2026-03-30T11:20:00+02:00", timeZone = "Europe/Berlin", busy = false, description = "Rhythm" })
            return { events = events, made = made }
        """)
        result = self.run_ok("week", env=self.env)
        shape = [(e["id"], e["start"], e["allDay"], e["busy"], e["declined"], e["eventType"], e.get("timeZone"))
                 for e in result["events"]]
        self.assertEqual(shape, [
            ("standup_20260327T083000Z", "2026-03-27T09:30:00+01:00", False, True, False, "default", "Europe/Berlin"),
            ("focus", "2026-03-27T10:00:00+01:00", False, False, False, "default", "UTC"),
            ("vendor", "2026-03-27T14:00:00+01:00", False, True, True, "default", "UTC"),
            ("standup_20260328T083000Z", "2026-03-28T09:30:00+01:00", False, True, False, "default", "Europe/Berlin"),
            ("standup_20260329T083000Z", "2026-03-29T09:30:00+01:00", False, True, False, "default", "Europe/Berlin"),
            ("ooo", "2026-03-30", True, True, False, "outOfOffice", None),
        ])
        inserted = self.google.calendars["primary"][-1]
        self.assertEqual(result["made"]["id"], inserted["id"])
        self.assertTrue(result["made"]["link"].startswith("https://"))
        self.assertEqual((inserted["summary"], inserted["transparency"], inserted["description"]),
                         ("[Pause] Stretch", "transparent", "Rhythm"))
        self.assertEqual(inserted["start"], {"dateTime": "2026-03-30T11:00:00+02:00", "timeZone": "Europe/Berlin"})

    def test_upload_with_share(self):
        self.google.shared_drive_folders.add("folder123")
        self.agent("report", REQUIRES + """
            return drive.upload{ name = "report.txt", mime = "text/plain", bytes = "report body",
                                 share_with = "ada@example.com" }
        """)
        result = self.run_ok("report", env=dict(self.env, GROWTH_DRIVE_FOLDER_ID="folder123"))
        stored = self.google.files[result["id"]]
        self.assertEqual((stored["name"], stored["mimeType"], stored["parents"], stored["bytes"]),
                         ("report.txt", "text/plain", ["folder123"], b"report body"))
        self.assertEqual([p["emailAddress"] for p in stored["permissions"]], ["ada@example.com"])
        self.assertTrue(result["url"].startswith(f"https://drive.google.com/file/d/{result['id']}/view"))

    def test_provider_errors_are_growth_error_tables(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        self.google.add_fault("status", status=500, count=-1, path="/v4/spreadsheets/" + sid)
        self.agent("errors", REQUIRES + f"""
            local function catch(fn, ...)
              local ok, err = pcall(fn, ...)
              return ok and "no error" or err
            end
            return {{ missing = catch(sheets.read, "nosuchsheet", "Sheet1!A1"),
                      failing = catch(sheets.read, "{sid}", "Sheet1!A1") }}
        """)
        result = self.run_ok("errors", env=self.env)
        missing, failing = result["missing"], result["failing"]
        self.assertEqual((missing["code"], missing["status"], missing["retryable"]), ("not_found", 404, False))
        self.assertTrue(missing["message"].startswith("sheets.read: "), missing)
        self.assertNotIn("sheets.read: sheets.read", missing["message"])
        self.assertEqual((failing["code"], failing["status"], failing["retryable"]), ("upstream_error", 500, True))
        self.assertEqual(len(self.google.requests("/v4/spreadsheets/" + sid)), 3)

    def test_live_reasons_explain_the_service_account(self):
        self.agent("plain", "return {}")
        account = self.key["client_email"]
        code, _, stderr = self.run_agent("plain", env=self.env)
        self.assertEqual(code, 0, stderr)
        self.assertIn(f"sheets: live (Google Sheets as service account {account}; neither GROWTH_DRIVE_FOLDER_ID nor "
                      "GOOGLE_IMPERSONATE_SUBJECT is set", stderr)
        self.assertIn("a spreadsheet the user shared with", stderr)
        self.assertIn("calendar: live (Google Calendar as service account", stderr)
        self.assertIn("drive: live (Google Drive as service account", stderr)
        code, _, stderr = self.run_agent("plain", env=dict(self.env, GROWTH_DRIVE_FOLDER_ID="folder123"))
        self.assertIn("new spreadsheets are created in the shared-drive folder folder123", stderr)
        code, _, stderr = self.run_agent("plain", env=dict(self.env, GOOGLE_IMPERSONATE_SUBJECT="alex@example.com"))
        self.assertIn("acting for alex@example.com (domain-wide delegation)", stderr)
        self.assertIn("\"primary\" is alex@example.com's calendar", stderr)
        self.assertNotIn(self.key["private_key"][40:80], stderr)


if __name__ == "__main__":
    main()
