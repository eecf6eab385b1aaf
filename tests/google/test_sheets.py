"""growth.sheets' C layer (core/providers/sheets) against the Google stand-in (live backend) and on
CSV files (local backend): success, argument checks, a bad credential, 429 then success, 500 until
retries run out, a timeout, malformed answers, and the rate limit shared by two processes."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from support import FIXTURE_BIN, FAST_RETRIES, run_one, run_fixture  # noqa: E402
from google import start_google, make_service_account_key, key_to_base64  # noqa: E402
from google_common import SCOPE_SHEETS  # noqa: E402
from harness import Redis  # noqa: E402


class LiveSheetsTest(unittest.TestCase):
    def setUp(self):
        self.google, self.key = start_google()
        self.env = {"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(self.key), "GROWTH_GOOGLE_SHEETS_URL": self.google.url,
                    "GROWTH_GOOGLE_DRIVE_URL": self.google.url}

    def tearDown(self):
        self.google.stop()

    def sheets(self, *args, env=None):
        return run_one(["sheets"] + list(args), env=dict(self.env, **(env or {})))

    def test_create_with_headers(self):
        out = self.sheets("create", '{"title": "Growth journal", "headers": ["date", "note", "score"]}')
        self.assertTrue(out["ok"], out)
        sid = out["result"]["id"]
        self.assertEqual(out["result"]["url"], f"https://docs.google.com/spreadsheets/d/{sid}/edit")
        book = self.google.spreadsheets[sid]
        self.assertEqual(book["title"], "Growth journal")
        self.assertEqual(book["sheets"]["Sheet1"], [["date", "note", "score"]])
        update = self.google.requests(f"/v4/spreadsheets/{sid}/values/")[0]
        self.assertEqual(update["method"], "PUT")
        self.assertEqual(update["query"]["valueInputOption"], ["RAW"])

    def test_create_in_a_shared_drive_folder(self):
        self.google.shared_drive_folders.add("folder123")
        self.google.require_shared_drive = True
        out = self.sheets("create", '{"title": "Plan", "headers": ["a"]}', env={"GROWTH_DRIVE_FOLDER_ID": "folder123"})
        self.assertTrue(out["ok"], out)
        sid = out["result"]["id"]
        self.assertEqual(self.google.files[sid]["parents"], ["folder123"])
        self.assertEqual(self.google.files[sid]["mimeType"], "application/vnd.google-apps.spreadsheet")
        self.assertTrue(out["result"]["url"].startswith(f"https://docs.google.com/spreadsheets/d/{sid}/edit"))
        self.assertEqual(self.google.spreadsheets[sid]["sheets"]["Sheet1"], [["a"]])
        create = self.google.requests("/drive/v3/files")[0]
        self.assertEqual(create["query"]["supportsAllDrives"], ["true"])

    def test_append_and_read(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1", "My sheet"])
        rows = [["2024-05-01", "Felt focused", 4, True], ["2024-05-02", "=SUM(A1)", 2.5, None, "x"]]
        out = self.sheets("append", sid, "'My sheet'!A1", json.dumps(rows))
        self.assertTrue(out["ok"], out)
        self.assertEqual(out["result"], {"updated_range": "'My sheet'!A1:E2", "updated_rows": 2})
        request = self.google.requests(f"/v4/spreadsheets/{sid}/values/")[0]
        self.assertEqual(request["path"], f"/v4/spreadsheets/{sid}/values/%27My%20sheet%27%21A1:append")
        self.assertEqual(request["query"]["valueInputOption"], ["RAW"])
        self.assertEqual(request["query"]["insertDataOption"], ["INSERT_ROWS"])
        self.assertEqual(json.loads(request["body"])["values"], rows)
        out = self.sheets("read", sid, "'My sheet'!A1:E")
        self.assertEqual(out["result"], [["2024-05-01", "Felt focused", "4", "TRUE"],
                                         ["2024-05-02", "=SUM(A1)", "2.5", "", "x"]])
        out = self.sheets("read", sid, "Sheet1")
        self.assertEqual(out["result"], [])

    def test_argument_errors_are_precise_and_send_nothing(self):
        cases = [
            (["append", "abc", "Sheet1!A1", '[["a"], ["b"], "c"]'], "sheets.append: rows[3] must be a table (a list of cells), got a string"),
            (["append", "abc", "Sheet1!A1", '[["a", {"x": 1}]]'], "sheets.append: rows[1][2] must be a string, number, boolean or nil, got a table with keys"),
            (["append", "abc", "Sheet1!A1", "[]"], "sheets.append: rows must be a non-empty table of rows, got a list"),
            (["append", "abc", "Sheet1!A1", "nil"], "sheets.append: rows must be a non-empty table of rows, got nil"),
            (["append", "a/b", "Sheet1!A1", '[["a"]]'], "sheets.append: id 'a/b' is not a spreadsheet id"),
            (["append", "abc", "Sheet1!A1:1B", '[["a"]]'], "sheets.append: range 'Sheet1!A1:1B' is not A1 notation"),
            (["read", "abc", ""], "sheets.read: range must be a non-empty string"),
            (["create", '{"headers": ["a"]}'], "sheets.create: title must be a non-empty string, got nil"),
            (["create", '{"title": "t", "headers": ["a", 2]}'], "sheets.create: headers[2] must be a string, got a number"),
            (["create", '"t"'], "sheets.create: the argument must be a table"),
        ]
        for args, message in cases:
            out = self.sheets(*args)
            self.assertEqual(out["error"]["code"], "bad_argument", args)
            self.assertFalse(out["error"]["retryable"])
            self.assertTrue(out["error"]["message"].startswith(message), (message, out["error"]["message"]))
        self.assertEqual(self.google.requests(), [])

    def test_bad_credential(self):
        other, _ = make_service_account_key(self.key["token_uri"], client_email=self.key["client_email"])
        out = self.sheets("read", "abc", "Sheet1", env={"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(other)})
        self.assertEqual(out["error"]["code"], "unauthorized")
        self.assertFalse(out["error"]["retryable"])
        self.assertEqual(self.google.requests("/v4/"), [])

    def test_unknown_spreadsheet(self):
        out = self.sheets("read", "nosuchid", "Sheet1!A1")
        self.assertEqual(out["error"]["code"], "not_found")
        self.assertEqual(out["error"]["status"], 404)
        self.assertIn("Requested entity was not found.", out["error"]["message"])

    def test_unknown_sheet_is_a_bad_argument(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        out = self.sheets("append", sid, "Nope!A1", '[["a"]]')
        self.assertEqual(out["error"]["code"], "bad_argument")
        self.assertIn("Unable to parse range: Nope!A1", out["error"]["message"])

    def ensure(self, sid, spec, env=None):
        return self.sheets("ensure_sheet", sid, json.dumps(spec), env=env)

    def test_ensure_sheet_adds_a_tab_with_headers_once(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        out = self.ensure(sid, {"title": "Summaries", "headers": ["Date", "Summary"]})
        self.assertTrue(out["ok"], out)
        self.assertEqual(out["result"]["title"], "Summaries")
        self.assertTrue(out["result"]["created"])
        book = self.google.spreadsheets[sid]
        self.assertEqual(book["order"], ["Sheet1", "Summaries"])
        self.assertEqual(out["result"]["sheet_id"], book["ids"]["Summaries"])
        self.assertEqual(out["result"]["url"],
                         f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid={book['ids']['Summaries']}")
        self.assertEqual(book["sheets"]["Summaries"], [["Date", "Summary"]])
        calls = [(r["method"], urllib.parse.unquote(r["path"].split("/v4/spreadsheets/" + sid, 1)[1]))
                 for r in self.google.requests("/v4/")]
        self.assertEqual(calls, [("GET", ""), ("POST", ":batchUpdate"), ("PUT", "/values/'Summaries'!A1")])
        get, add = self.google.requests("/v4/")[:2]
        self.assertEqual(get["query"]["fields"], ["sheets.properties(sheetId,title)"])
        self.assertEqual(json.loads(add["body"]), {"requests": [{"addSheet": {"properties": {"title": "Summaries"}}}]})
        # again: the listing finds it; the headers are there, so nothing is written
        self.google.clear_requests()
        again = self.ensure(sid, {"title": "Summaries", "headers": ["Date", "Summary"]})
        self.assertEqual(again["result"], dict(out["result"], created=False))
        self.assertEqual([r["method"] for r in self.google.requests("/v4/")], ["GET", "GET"])
        self.assertEqual(book["sheets"]["Summaries"], [["Date", "Summary"]])
        out = self.sheets("append", sid, "Summaries!A1", '[["2026-11-27", "calm"]]')
        self.assertEqual(out["result"]["updated_range"], "Summaries!A2:B2")

    def test_ensure_sheet_writes_missing_headers_of_an_existing_tab(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1", "It's mine"])
        out = self.ensure(sid, {"title": "It's mine", "headers": ["a", "b"]})
        self.assertFalse(out["result"]["created"], out)
        self.assertEqual(self.google.spreadsheets[sid]["sheets"]["It's mine"], [["a", "b"]])
        self.assertEqual(urllib.parse.unquote(self.google.requests("/v4/")[-1]["path"]),
                         f"/v4/spreadsheets/{sid}/values/'It''s mine'!A1")

    def test_ensure_sheet_after_a_lost_answer_finds_the_tab(self):
        """addSheet applied but its answer lost: the call fails (a POST is not re-sent), the retry finds the tab."""
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        self.google.add_fault("lost", match=r":batchUpdate\Z", method="POST")
        out = self.ensure(sid, {"title": "Summaries", "headers": ["Date"]})
        self.assertTrue(out["error"]["retryable"], out)
        self.assertEqual(self.google.spreadsheets[sid]["order"], ["Sheet1", "Summaries"])
        out = self.ensure(sid, {"title": "Summaries", "headers": ["Date"]})
        self.assertTrue(out["ok"], out)
        self.assertFalse(out["result"]["created"])
        self.assertEqual(self.google.spreadsheets[sid]["order"], ["Sheet1", "Summaries"])
        self.assertEqual(self.google.spreadsheets[sid]["sheets"]["Summaries"], [["Date"]])
        self.assertEqual(len([r for r in self.google.requests("/v4/") if r["path"].endswith(":batchUpdate")]), 1)

    def test_ensure_sheet_takes_the_tab_a_concurrent_caller_added(self):
        """The listing misses the tab, addSheet answers Google's 400 "already exists": listed again and taken."""
        sid = self.google.new_spreadsheet("t", ["Sheet1", "Summaries"])
        self.google.add_fault("status", status=200, method="GET", match=rf"/v4/spreadsheets/{sid}\Z",
                              raw='{"sheets": [{"properties": {"title": "Sheet1"}}]}')
        out = self.ensure(sid, {"title": "Summaries"})
        self.assertTrue(out["ok"], out)
        self.assertEqual(out["result"], {"title": "Summaries", "sheet_id": 1, "created": False,
                                         "url": f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid=1"})
        add = [r for r in self.google.requests("/v4/") if r["method"] == "POST"]
        self.assertEqual(len(add), 1)
        self.assertEqual(len(self.google.requests(f"/v4/spreadsheets/{sid}")), 3)

    def test_ensure_sheet_errors(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        for spec, text in (({"headers": ["a"]}, "sheets.ensure_sheet: title must be a non-empty string, got nil"),
                           ({"title": "x" * 101}, "title has 101 characters"),
                           ({"title": "a\tb"}, "must not contain control characters"),
                           ({"title": "S", "headers": [1]}, "headers[1] must be a string")):
            out = self.ensure(sid, spec)
            self.assertEqual(out["error"]["code"], "bad_argument", out)
            self.assertIn(text, out["error"]["message"])
        self.assertEqual(self.google.requests("/v4/"), [])
        out = self.ensure("nosuchid", {"title": "S"})
        self.assertEqual(out["error"]["code"], "not_found")
        self.google.add_fault("status", status=200, raw='{"spreadsheetId": "x"}', match=":batchUpdate")
        out = self.ensure(sid, {"title": "S"})
        self.assertIn('has no "replies[0].addSheet.properties"', out["error"]["message"])

    def test_the_stand_in_is_as_strict_as_google(self):
        """batchUpdate bodies Google refuses, refused here too (with nothing applied), and fields masks applied."""
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        token = "test-token-strict"
        self.google.tokens[token] = {"scopes": {SCOPE_SHEETS}, "expires": time.time() + 600, "sub": None}
        def call(method, path, body=None):
            data = json.dumps(body).encode() if body is not None else None
            request = urllib.request.Request(self.google.url + path, data=data, method=method,
                                             headers={"Authorization": "Bearer " + token,
                                                      "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request) as answer:
                    return answer.status, json.loads(answer.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())
        url = f"/v4/spreadsheets/{sid}:batchUpdate"
        for body, text in (({}, "Must specify at least one request."),
                           ({"requests": []}, "Must specify at least one request."),
                           ({"requests": [{"addSheet": {"properties": {"title": "A"}}}], "extra": 1}, "Unknown name"),
                           ({"requests": [{"addSheet": {"properties": {"name": "A"}}}]}, "Unknown name \"name\""),
                           ({"requests": [{"addSheet": {}, "deleteSheet": {}}]}, "exactly one request kind"),
                           ({"requests": [{"addSheet": {"properties": {"title": "A"}}},
                                          {"addSheet": {"properties": {"title": "a"}}}]},
                            'A sheet with the name "a" already exists'),
                           ({"requests": [{"addSheet": {"properties": {"title": "sheet1"}}}]},
                            'A sheet with the name "sheet1" already exists')):
            status, answer = call("POST", url, body)
            self.assertEqual(status, 400, body)
            self.assertEqual(answer["error"]["status"], "INVALID_ARGUMENT")
            self.assertIn(text, answer["error"]["message"])
        self.assertEqual(self.google.spreadsheets[sid]["order"], ["Sheet1"], "nothing applied")
        status, answer = call("POST", url, {"requests": [{"addSheet": {}}]})
        self.assertEqual(answer["replies"][0]["addSheet"]["properties"]["title"], "Sheet2")
        status, answer = call("GET", f"/v4/spreadsheets/{sid}?fields=sheets.properties(title)")
        self.assertEqual(answer, {"sheets": [{"properties": {"title": "Sheet1"}}, {"properties": {"title": "Sheet2"}}]})
        status, answer = call("GET", f"/v4/spreadsheets/{sid}/values/Nope!A1")
        self.assertEqual((status, answer["error"]["message"]), (400, "Unable to parse range: Nope!A1"))

    def test_429_then_success(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        self.google.add_fault("status", status=429, path="/v4/")
        out = self.sheets("append", sid, "Sheet1!A1", '[["a", "b"]]')
        self.assertTrue(out["ok"], out)
        self.assertEqual(len(self.google.requests("/v4/")), 2)
        self.assertEqual(self.google.spreadsheets[sid]["sheets"]["Sheet1"], [["a", "b"]])

    def test_server_side_quota_answers_429_or_403(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        self.google.quotas["sheets_read"] = 2
        lines = run_fixture(["sheets", "read", sid, "Sheet1", "--times", "3"],
                            env=dict(self.env, GROWTH_HTTP_MAX_ATTEMPTS="1"))
        self.assertEqual([line["ok"] for line in lines], [True, True, False])
        self.assertEqual((lines[2]["error"]["code"], lines[2]["error"]["status"]), ("rate_limited", 429))
        self.assertTrue(lines[2]["error"]["retryable"])
        self.google.quota_as_403 = True
        out = run_fixture(["sheets", "read", sid, "Sheet1", "--times", "3"],
                          env=dict(self.env, GROWTH_HTTP_MAX_ATTEMPTS="1"))[2]
        self.assertEqual((out["error"]["code"], out["error"]["status"]), ("rate_limited", 403))
        self.assertTrue(out["error"]["retryable"])

    def test_500_until_retries_run_out(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        self.google.add_fault("status", count=-1, status=500, path="/v4/")
        out = self.sheets("read", sid, "Sheet1")
        error = out["error"]
        self.assertEqual(error["code"], "upstream_error")
        self.assertTrue(error["retryable"])
        self.assertEqual(error["status"], 500)
        self.assertTrue(error["message"].startswith("sheets.read: GET "), error["message"])
        self.assertIn("answered 500 after 3 attempts: Backend Error (INTERNAL)", error["message"])
        self.assertEqual(len(self.google.requests("/v4/")), 3)

    def test_500_on_append_is_not_repeated(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        self.google.add_fault("status", count=-1, status=500, path="/v4/")
        out = self.sheets("append", sid, "Sheet1!A1", '[["a"]]')
        self.assertTrue(out["error"]["retryable"])
        self.assertEqual(len(self.google.requests("/v4/")), 1)

    def test_timeout(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        self.google.add_fault("hang", count=-1, delay=3, path="/v4/")
        out = self.sheets("read", sid, "Sheet1", env={"GROWTH_HTTP_TIMEOUT_MS": "300", "GROWTH_HTTP_MAX_ATTEMPTS": "2"})
        self.assertEqual(out["error"]["code"], "timeout")
        self.assertTrue(out["error"]["retryable"])
        self.assertIn("sheets.read", out["error"]["message"])

    def test_malformed_answers(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        for raw, text in (('{"majorDimension": "ROWS"}', 'has no "range" with a list of "values"'),
                          ('{"range": "Sheet1!A1", "values": [["a"], 3]}', "values[2] in the answer is not a list"),
                          ('{"range": ', "is not JSON")):
            self.google.add_fault("status", status=200, path="/v4/", raw=raw)
            out = self.sheets("read", sid, "Sheet1")
            self.assertEqual(out["error"]["code"], "upstream_error")
            self.assertFalse(out["error"]["retryable"])
            self.assertIn(text, out["error"]["message"])
        self.google.add_fault("status", status=200, path="/v4/", raw='{"spreadsheetId": "x"}')
        out = self.sheets("append", sid, "Sheet1", '[["a"]]')
        self.assertIn('has no "updates.updatedRange"', out["error"]["message"])
        self.assertFalse(out["error"]["retryable"])

    def test_rate_limit_shared_by_two_processes(self):
        sid = self.google.new_spreadsheet("t", ["Sheet1"])
        redis = Redis().start()
        try:
            env = dict(os.environ, **FAST_RETRIES, **self.env, REDIS_URL=redis.url, FIXTURE_REDIS="1",
                       GROWTH_RATE_SHEETS_PER_100S="5", GROWTH_RATE_WAIT_MAX_MS="0")
            args = [FIXTURE_BIN, "sheets", "read", sid, "Sheet1", "--times", "5"]
            processes = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
            lines = []
            for process in processes:
                out, _ = process.communicate(timeout=60)
                lines += [json.loads(line) for line in out.splitlines()]
            key = f"growth:rate:sheets:{self.key['client_email']}"
            self.assertEqual(redis.cli("EXISTS", key).strip(), "1", "the budget is kept per service account")
        finally:
            redis.stop()
        self.assertEqual(len(lines), 10)
        self.assertEqual(sum(1 for line in lines if line["ok"]), 5)
        for line in lines:
            if not line["ok"]:
                self.assertEqual(line["error"]["code"], "rate_limited")
                self.assertTrue(line["error"]["retryable"])
        self.assertEqual(len(self.google.requests("/v4/")), 5)


class LocalSheetsTest(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="growth-sheets-")
        self.env = {"GROWTH_DATA_DIR": self.data}

    def tearDown(self):
        shutil.rmtree(self.data, ignore_errors=True)

    def sheets(self, *args, env=None):
        return run_one(["sheets"] + list(args), env=dict(self.env, **(env or {})))

    def create(self, headers=("date", "note")):
        out = self.sheets("create", json.dumps({"title": "Journal", "headers": list(headers)}))
        self.assertTrue(out["ok"], out)
        return out["result"]["id"], out["result"]["url"]

    def csv(self, sid, sheet="Sheet1"):
        with open(os.path.join(self.data, "sheets", sid, f"{sheet}.csv"), "rb") as f:
            return f.read()

    def test_create_writes_a_csv_with_headers(self):
        sid, url = self.create()
        self.assertRegex(sid, r"^local-[0-9a-f]{16}$")
        path = os.path.join(os.path.realpath(self.data), "sheets", sid, "Sheet1.csv")
        self.assertEqual(url, "file://" + path)
        self.assertEqual(self.csv(sid), b"date,note\r\n")

    def test_append_quotes_per_rfc_4180_and_reads_back(self):
        sid, _ = self.create()
        rows = [["a,b", 'say "hi"', "two\nlines", " padded", 3, 2.5, True, None, "=1+1"]]
        out = self.sheets("append", sid, "Sheet1!A1", json.dumps(rows))
        self.assertEqual(out["result"], {"updated_range": "Sheet1!A2:I2", "updated_rows": 1})
        self.assertEqual(self.csv(sid), b'date,note\r\n"a,b","say ""hi""","two\nlines"," padded",3,2.5,TRUE,,=1+1\r\n')
        out = self.sheets("read", sid, "Sheet1")
        self.assertEqual(out["result"], [["date", "note"],
                                         ["a,b", 'say "hi"', "two\nlines", " padded", "3", "2.5", "TRUE", "", "=1+1"]])

    def test_append_at_a_column_and_read_a_window(self):
        sid, _ = self.create()
        self.sheets("append", sid, "C1", '[["x", "y"], ["z"]]')
        out = self.sheets("read", sid, "Sheet1!B2:C3")
        self.assertEqual(out["result"], [["", "x"], ["", "z"]])
        out = self.sheets("read", sid, "A1:B1")
        self.assertEqual(out["result"], [["date", "note"]])

    def test_ensure_sheet_adds_a_csv_and_is_idempotent(self):
        sid, _ = self.create()
        spec = json.dumps({"title": "Summaries", "headers": ["Date", "Summary"]})
        out = self.sheets("ensure_sheet", sid, spec)
        url = "file://" + os.path.join(os.path.realpath(self.data), "sheets", sid, "Summaries.csv")
        self.assertEqual(out["result"], {"title": "Summaries", "sheet_id": 1, "created": True, "url": url})
        self.assertEqual(self.csv(sid, "Summaries"), b"Date,Summary\r\n")
        with open(os.path.join(self.data, "sheets", sid, "meta.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["sheets"], ["Sheet1", "Summaries"])
        self.sheets("append", sid, "Summaries!A1", '[["2026-11-27", "calm"]]')
        out = self.sheets("ensure_sheet", sid, spec)
        self.assertEqual(out["result"], {"title": "Summaries", "sheet_id": 1, "created": False, "url": url})
        self.assertEqual(self.csv(sid, "Summaries"), b"Date,Summary\r\n2026-11-27,calm\r\n")
        self.assertEqual(self.sheets("read", sid, "'Summaries'!A2:B")["result"], [["2026-11-27", "calm"]])
        out = self.sheets("ensure_sheet", sid, json.dumps({"title": "Sheet1", "headers": ["x"]}))
        self.assertEqual((out["result"]["sheet_id"], out["result"]["created"]), (0, False))
        self.assertEqual(self.csv(sid), b"date,note\r\n", "headers only go into an empty first row")
        out = self.sheets("ensure_sheet", "local-0000", spec)
        self.assertEqual(out["error"]["code"], "not_found")
        self.assertFalse(os.path.exists(os.path.join(self.data, "sheets", "local-0000")))

    def test_ensure_sheet_from_two_processes_adds_one_tab(self):
        sid, _ = self.create()
        spec = json.dumps({"title": "Tab/One", "headers": ["h"]})
        processes = [subprocess.Popen([FIXTURE_BIN, "sheets", "ensure_sheet", sid, spec, "--times", "5"],
                                      env=dict(os.environ, **FAST_RETRIES, **self.env), stdout=subprocess.PIPE, text=True)
                     for _ in range(2)]
        outputs = [json.loads(line) for p in processes for line in p.communicate()[0].splitlines() if line.strip()]
        self.assertEqual(len(outputs), 10, outputs)
        self.assertEqual(sum(1 for o in outputs if o["result"]["created"]), 1, outputs)
        with open(os.path.join(self.data, "sheets", sid, "meta.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["sheets"], ["Sheet1", "Tab/One"])
        self.assertEqual(self.csv(sid, "Tab%2FOne"), b"h\r\n")

    def test_unknown_sheet_and_spreadsheet(self):
        sid, _ = self.create()
        out = self.sheets("append", sid, "Entries!A1", '[["a"]]')
        self.assertEqual(out["error"]["code"], "bad_argument")
        self.assertIn(f"spreadsheet {sid} has no sheet 'Entries'; its sheets are 'Sheet1'", out["error"]["message"])
        out = self.sheets("read", "local-0000", "Sheet1")
        self.assertEqual(out["error"]["code"], "not_found")

    def test_writes_are_atomic_and_leave_no_temporary_files(self):
        sid, _ = self.create()
        for i in range(3):
            self.sheets("append", sid, "Sheet1", json.dumps([[f"row{i}"]]))
        self.assertEqual(glob.glob(os.path.join(self.data, "sheets", sid, "*.tmp*")), [])

    def test_concurrent_appends_from_two_processes_keep_every_row(self):
        sid, _ = self.create(headers=("n",))
        env = dict(os.environ, **FAST_RETRIES, **self.env)
        processes = [subprocess.Popen([FIXTURE_BIN, "sheets", "append", sid, "Sheet1", f'[["p{p}"]]', "--times", "15"],
                                      env=env, stdout=subprocess.DEVNULL) for p in range(2)]
        for process in processes:
            process.wait(timeout=60)
        rows = self.sheets("read", sid, "Sheet1")["result"]
        self.assertEqual(len(rows), 31)
        self.assertEqual(sorted(r[0] for r in rows[1:]), ["p0"] * 15 + ["p1"] * 15)

    def test_production_refuses_the_local_backend(self):
        out = self.sheets("read", "abc", "Sheet1", env={"NODE_ENV": "production"})
        self.assertEqual(out["error"]["code"], "bad_config")
        self.assertIn("GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set", out["error"]["message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
