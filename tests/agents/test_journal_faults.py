"""Journal through the queue (`growthd launch` + `growthd worker`, a real Redis) on its live backends
(the Google and OpenAI stand-ins), with a stand-in failing mid-run: the job fails, the queue retries it
(3 attempts, backoff from 2 s), and the day's row and the summary are each in the sheet exactly once.

- 500 on the summary append, after the day's row went in: the append was not applied; attempt 2 skips
  the recorded steps (spreadsheet, tab, row, llm summary) and appends the summary once.
- `lost` on the row append (applied by the stand-in, answer dropped): the HTTP client does not send a
  POST again (not even libcurl's silent re-send on a reused connection), so attempt 1 fails with the
  step unrecorded; attempt 2 runs the step again, which reads the sheet first, finds the day's row and
  appends nothing (`entryAppended: false`).
- `lost` on the summary append: the same for the Summaries sheet (`summaryAppended: false`).
"""
import json
import os
import shutil
import sys
import tempfile
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from harness import Growthd, Redis, run_growthd, wait_until  # noqa: E402
from agent_jobs import SCRIPTS, demo_profile  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "standins"))
from google import start_google, key_to_base64  # noqa: E402
from openai import OpenAIStandIn  # noqa: E402

FOLDER = "folder-journal"
ENTRY_APPEND = r"/values/A1:append\Z"          # the day's row: "A1" is the first sheet
SUMMARY_APPEND = r"/values/Summaries%21A1:append\Z"


class JournalFaults(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="growth-journal-faults-")
        self.redis = Redis().start()
        self.google, key = start_google()
        self.google.shared_drive_folders.add(FOLDER)
        self.openai = OpenAIStandIn().start()
        self.profile = os.path.join(self.dir, "profile.json")
        with open(self.profile, "w", encoding="utf-8") as f:
            json.dump(demo_profile(), f)
        self.env = {"REDIS_URL": self.redis.url, "GROWTH_SCRIPTS_DIR": SCRIPTS,
                    "GROWTH_DATA_DIR": os.path.join(self.dir, "var"), "GROWTH_PROFILE": self.profile,
                    "GROWTH_HOT_RELOAD": "false",
                    "GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(key), "GROWTH_DRIVE_FOLDER_ID": FOLDER,
                    "GROWTH_GOOGLE_SHEETS_URL": self.google.url, "GROWTH_GOOGLE_DRIVE_URL": self.google.url,
                    "GROWTH_GOOGLE_CALENDAR_URL": self.google.url,
                    "OPENAI_API_KEY": self.openai.api_key, "OPENAI_BASE_URL": self.openai.base_url,
                    "GROWTH_HTTP_BACKOFF_MS": "20", "GROWTH_HTTP_BACKOFF_MAX_MS": "100",
                    "GROWTH_HTTP_MAX_ATTEMPTS": "2"}
        self.worker = Growthd(env=self.env, args=["worker", "--concurrency", "1"])
        self.worker.start(wait=False)
        wait_until(lambda: "worker on queue" in self.worker.log(), what="worker start")

    def tearDown(self):
        code = self.worker.stop()
        self.worker.cleanup()
        self.openai.stop()
        self.google.stop()
        self.redis.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.assertEqual(code, 0, "worker exit code")

    def launch(self):
        done = run_growthd(["launch", "--agents", "journal"], env=self.env)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout)["jobIds"][0]

    def job(self, job_id):
        lines = self.redis.cli("HGETALL", f"bull:growth-agents:{job_id}").splitlines()
        return dict(zip(lines[0::2], lines[1::2]))

    def finished(self, job_id):
        job = wait_until(lambda: (lambda j: j if "finishedOn" in j else None)(self.job(job_id)), timeout=90,
                         what=f"job {job_id} to finish")
        self.assertIn("returnvalue", job, f"the job completed: {job}\n{self.worker.log()[-3000:]}")
        return job, json.loads(job["returnvalue"])

    def logs(self, job_id):
        return self.redis.cli("LRANGE", f"bull:growth-agents:{job_id}:logs", 0, -1)

    def book(self):
        self.assertEqual(len(self.google.spreadsheets), 1, "one spreadsheet")
        sid, book = next(iter(self.google.spreadsheets.items()))
        self.assertEqual(book["order"], ["Sheet1", "Summaries"], "one Summaries sheet")
        return sid, book

    def posts(self, pattern):
        import re
        return [r for r in self.google.requests("/v4/") if r["method"] == "POST" and re.search(pattern, r["path"])]

    def check_once(self, result, sid, book):
        """The day's row and the summary are each in the sheet exactly once, as the result says."""
        rows = book["sheets"]["Sheet1"]
        self.assertEqual([r[0] for r in rows], ["Date", result["date"]], "one row for the day")
        entry = demo_profile()["inputs"]["journal"]["entry"]
        self.assertEqual(rows[1][1:], [entry["intention"], entry["gratitude"], "7", "8", entry["reflection"]])
        summaries = book["sheets"]["Summaries"]
        self.assertEqual([r[0] for r in summaries], ["Date", result["date"]], "one summary for the day")
        self.assertEqual(summaries[1][8], result["summary"])
        self.assertEqual(len(self.posts(r":batchUpdate\Z")), 1, "the tab added once")
        creates = [r for r in self.google.requests("/drive/v3/files") if r["method"] == "POST"]
        self.assertEqual(len(creates), 1, "the spreadsheet created once")
        self.assertEqual(len(self.openai.requests("/v1/chat/completions")), 1, "the summary asked for once")

    def test_500_on_the_summary_append_then_retried(self):
        self.google.add_fault("status", status=500, method="POST", match=SUMMARY_APPEND)
        job_id = self.launch()
        job, result = self.finished(job_id)
        self.assertEqual(job["atm"], "2", "completed on the second attempt")
        sid, book = self.book()
        self.check_once(result, sid, book)
        self.assertTrue(result["entryAppended"])
        self.assertTrue(result["summaryAppended"])
        self.assertEqual(len(self.posts(ENTRY_APPEND)), 1, "the row sent once: its step was recorded")
        self.assertEqual(len(self.posts(SUMMARY_APPEND)), 2, "the refused append, then the one applied")
        logs = self.logs(job_id)
        self.assertIn("Added the entry of " + result["date"], logs)
        self.assertIn("Saved the summary of " + result["date"], logs)

    def test_lost_answer_of_the_row_append_then_retried(self):
        self.google.add_fault("lost", method="POST", match=ENTRY_APPEND)
        job_id = self.launch()
        job, result = self.finished(job_id)
        self.assertEqual(job["atm"], "2", "completed on the second attempt")
        sid, book = self.book()
        self.check_once(result, sid, book)
        self.assertEqual(len(self.posts(ENTRY_APPEND)), 1, "the lost append was not sent again")
        self.assertFalse(result["entryAppended"], "attempt 2 found the row attempt 1 wrote")
        self.assertTrue(result["summaryAppended"])
        self.assertIn(f"The journal already has an entry for {result['date']}; left as it is", self.logs(job_id))
        reads = [urllib.parse.unquote(r["path"]) for r in self.google.requests("/v4/") if r["method"] == "GET"]
        self.assertGreaterEqual(reads.count(f"/v4/spreadsheets/{sid}/values/A:F"), 2, "the step read the sheet twice")

    def test_lost_answer_of_the_summary_append_then_retried(self):
        self.google.add_fault("lost", method="POST", match=SUMMARY_APPEND)
        job_id = self.launch()
        job, result = self.finished(job_id)
        self.assertEqual(job["atm"], "2", "completed on the second attempt")
        sid, book = self.book()
        self.check_once(result, sid, book)
        self.assertEqual(len(self.posts(SUMMARY_APPEND)), 1, "the lost append was not sent again")
        self.assertTrue(result["entryAppended"])
        self.assertFalse(result["summaryAppended"], "attempt 2 found the summary attempt 1 wrote")
        self.assertIn(f"The Summaries sheet already has a summary for {result['date']}; left as it is",
                      self.logs(job_id))


if __name__ == "__main__":
    unittest.main(verbosity=2)
