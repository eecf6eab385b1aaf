"""growthd serve opens Sheets, Calendar and Drive with the services (after Redis, whose pool keeps the
shared rate limits): the backend each one is on and why appears in the start log, and the process
stops cleanly with them open."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import harness  # noqa: E402

sys.path.insert(0, os.path.join(harness.SOURCE_DIR, "tests", "standins"))
from google import start_google, key_to_base64  # noqa: E402


class GoogleServicesUnderServe(unittest.TestCase):
    def setUp(self):
        self.redis = harness.Redis().start()
        self.google, self.key = start_google()

    def tearDown(self):
        self.google.stop()
        self.redis.stop()

    def serve(self, env):
        growthd = harness.Growthd(env=dict({"REDIS_URL": self.redis.url}, **env)).start()
        try:
            self.assertEqual(growthd.stop(), 0)
            return growthd.log()
        finally:
            growthd.cleanup()

    def test_live_with_a_shared_drive_folder(self):
        log = self.serve({"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(self.key),
                          "GROWTH_DRIVE_FOLDER_ID": "folder123", "GROWTH_GOOGLE_SHEETS_URL": self.google.url})
        account = self.key["client_email"]
        self.assertIn(f"[Services] sheets: live (Google Sheets as service account {account}; new spreadsheets are "
                      "created in the shared-drive folder folder123 (GROWTH_DRIVE_FOLDER_ID))", log)
        self.assertIn("[Services] drive: live (Google Drive as service account", log)
        self.assertIn("[Services] calendar: live (Google Calendar as service account", log)
        self.assertNotIn(self.key["private_key"][60:100], log)
        self.assertEqual(self.google.requests(), [])   # opening fetches no token

    def test_production_without_a_key_is_missing(self):
        log = self.serve({"NODE_ENV": "production", "GROWTH_API_KEYS": "ops:" + "0" * 64})
        for name in ("sheets", "calendar", "drive"):
            self.assertIn(f"[Services] {name}: missing (GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set; in production "
                          "Sheets, Calendar and Drive never fall back to local files)", log)


if __name__ == "__main__":
    harness.main()
