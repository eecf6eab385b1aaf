"""growth.drive's C layer (core/providers/drive): multipart uploads and shares against the Google
stand-in (byte-exact bodies, shared-drive folders, retries, malformed answers, a bad credential)
and files under the data folder (local backend)."""
import hashlib
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from support import run_one  # noqa: E402
from google import start_google, make_service_account_key, key_to_base64  # noqa: E402

# A small PDF-like payload with bytes that must survive untouched (NUL, CRLF, boundary-like text).
PAYLOAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\r\n--growth_fake\r\n\x00\x01\x02 binary tail\n%%EOF\n"


class DriveTestBase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="growth-drive-")
        self.file = os.path.join(self.tmp, "report.pdf")
        with open(self.file, "wb") as f:
            f.write(PAYLOAD)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


class LiveDriveTest(DriveTestBase):
    def setUp(self):
        super().setUp()
        self.google, self.key = start_google()
        self.google.shared_drive_folders.add("teamFolder1")
        self.env = {"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(self.key), "GROWTH_GOOGLE_DRIVE_URL": self.google.url,
                    "GROWTH_DRIVE_FOLDER_ID": "teamFolder1"}

    def tearDown(self):
        self.google.stop()
        super().tearDown()

    def upload(self, *extra, name="weekly-report.pdf", mime="application/pdf", env=None):
        return run_one(["drive", "upload", name, mime, self.file] + list(extra), env=dict(self.env, **(env or {})))

    def test_upload_and_share(self):
        self.google.require_shared_drive = True
        out = self.upload("--share", "alice@example.com")
        self.assertTrue(out["ok"], out)
        fid = out["result"]["id"]
        self.assertEqual(out["result"]["url"], f"https://drive.google.com/file/d/{fid}/view?usp=drivesdk")
        stored = self.google.files[fid]
        self.assertEqual(hashlib.sha256(stored["bytes"]).hexdigest(), hashlib.sha256(PAYLOAD).hexdigest())
        self.assertEqual(stored["name"], "weekly-report.pdf")
        self.assertEqual(stored["mimeType"], "application/pdf")
        self.assertEqual(stored["parents"], ["teamFolder1"])
        self.assertEqual(stored["permissions"][0]["emailAddress"], "alice@example.com")
        self.assertEqual(stored["permissions"][0]["role"], "reader")
        upload = self.google.requests("/upload/drive/v3/files")[0]
        self.assertEqual(upload["query"]["uploadType"], ["multipart"])
        self.assertEqual(upload["query"]["supportsAllDrives"], ["true"])
        permission = self.google.requests("/drive/v3/files/")[0]
        self.assertEqual(permission["query"]["sendNotificationEmail"], ["false"])

    def test_folder_argument_wins_over_the_setting(self):
        self.google.shared_drive_folders.add("otherFolder")
        out = self.upload("--folder", "otherFolder")
        self.assertEqual(self.google.files[out["result"]["id"]]["parents"], ["otherFolder"])

    def test_without_a_shared_drive_the_service_account_has_no_storage(self):
        self.google.require_shared_drive = True
        out = self.upload(env={"GROWTH_DRIVE_FOLDER_ID": ""})
        self.assertEqual(out["error"]["code"], "forbidden")
        self.assertFalse(out["error"]["retryable"])
        self.assertIn("storageQuotaExceeded", out["error"]["message"])

    def test_argument_errors(self):
        cases = [(["nil", "application/pdf"], "drive.upload: name must be a file name (1-200 bytes, no '/'), got nil"),
                 (["../x.pdf", "application/pdf"], "drive.upload: name must be a file name"),
                 (["a.pdf", "pdf"], "drive.upload: mime must be a media type"),
                 (["a.pdf", "application/pdf", "--share", "not-an-address"], "drive.upload: share_with 'not-an-address' is not an e-mail address"),
                 (["a.pdf", "application/pdf", "--folder", "a/b"], "drive.upload: folder 'a/b' is not a folder id")]
        for args, message in cases:
            out = run_one(["drive", "upload", args[0], args[1], self.file] + args[2:], env=self.env)
            self.assertEqual(out["error"]["code"], "bad_argument")
            self.assertTrue(out["error"]["message"].startswith(message), out["error"]["message"])
        self.assertEqual(self.google.requests(), [])

    def test_bad_credential(self):
        other, _ = make_service_account_key(self.key["token_uri"], client_email=self.key["client_email"])
        out = self.upload(env={"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(other)})
        self.assertEqual(out["error"]["code"], "unauthorized")
        self.assertEqual(self.google.files, {})

    def test_429_then_success(self):
        self.google.add_fault("status", status=429, path="/upload/")
        out = self.upload()
        self.assertTrue(out["ok"], out)
        self.assertEqual(len(self.google.files), 1)

    def test_403_user_rate_limit_then_success(self):
        body = {"error": {"code": 403, "message": "User Rate Limit Exceeded",
                          "errors": [{"domain": "usageLimits", "reason": "userRateLimitExceeded"}]}}
        self.google.add_fault("status", status=403, path="/upload/", body=body)
        out = self.upload()
        self.assertTrue(out["ok"], out)

    def test_503_on_upload_is_not_repeated(self):
        self.google.add_fault("status", count=-1, status=503, path="/upload/")
        out = self.upload()
        self.assertEqual(out["error"]["code"], "unavailable")
        self.assertTrue(out["error"]["retryable"])
        self.assertEqual(len(self.google.requests("/upload/")), 1)

    def test_timeout(self):
        self.google.add_fault("hang", count=-1, delay=3, path="/upload/")
        out = self.upload(env={"GROWTH_HTTP_TIMEOUT_MS": "300"})
        self.assertEqual(out["error"]["code"], "timeout")
        self.assertTrue(out["error"]["retryable"])

    def test_share_failure_names_the_uploaded_file(self):
        self.google.add_fault("status", status=404, path="/drive/v3/files/",
                              body={"error": {"code": 404, "message": "File not found: x.",
                                              "errors": [{"domain": "global", "reason": "notFound"}]}})
        out = self.upload("--share", "alice@example.com")
        fid = next(iter(self.google.files))
        self.assertEqual(out["error"]["code"], "not_found")
        self.assertIn(f"file {fid} was uploaded but sharing it with alice@example.com failed", out["error"]["message"])

    def test_malformed_answer(self):
        self.google.add_fault("status", status=200, path="/upload/", raw='{"kind": "drive#file"}')
        out = self.upload()
        self.assertEqual(out["error"]["code"], "upstream_error")
        self.assertFalse(out["error"]["retryable"])
        self.assertIn('the answer has no "id"', out["error"]["message"])


class LocalDriveTest(DriveTestBase):
    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.tmp, "var")
        self.env = {"GROWTH_DATA_DIR": self.data}

    def test_upload_writes_the_file_and_records_the_share(self):
        out = run_one(["drive", "upload", "weekly report.pdf", "application/pdf", self.file, "--folder", "reports",
                       "--share", "alice@example.com"], env=self.env)
        self.assertTrue(out["ok"], out)
        fid = out["result"]["id"]
        path = os.path.join(os.path.realpath(self.data), "drive", "reports", fid, "weekly report.pdf")
        self.assertEqual(out["result"]["url"], "file://" + path)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), PAYLOAD)
        with open(os.path.join(os.path.dirname(path), "shared_with.txt")) as f:
            self.assertEqual(f.read(), "alice@example.com reader\n")

    def test_same_name_twice_keeps_both(self):
        first = run_one(["drive", "upload", "a.pdf", "application/pdf", self.file], env=self.env)
        second = run_one(["drive", "upload", "a.pdf", "application/pdf", self.file], env=self.env)
        self.assertNotEqual(first["result"]["url"], second["result"]["url"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
