"""Google service-account auth (core/net/google_key, google_jwt, google_auth, google_api) against the
token stand-in: key checks with clear messages that never quote the key, the signed JWT exchange,
the token cache and its expiry margin, refused credentials, delegation, refresh once on 401, and
Google's rate-limit signals."""
import base64
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from support import run_one, run_fixture  # noqa: E402
from google import start_google, make_service_account_key, key_to_base64  # noqa: E402

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402


def b64(text):
    return base64.b64encode(text.encode()).decode()


class KeyCheckTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.key, _ = make_service_account_key("https://oauth2.googleapis.com/token")

    def check(self, value):
        out = run_one(["key"], env={"GOOGLE_SERVICE_ACCOUNT_JSON_B64": value})
        self.assertFalse(out["ok"], out)
        self.assertEqual(out["error"]["code"], "bad_config")
        self.assertFalse(out["error"]["retryable"])
        message = out["error"]["message"]
        self.assertTrue(message.startswith("GOOGLE_SERVICE_ACCOUNT_JSON_B64: "), message)
        body = "".join(self.key["private_key"].splitlines()[1:-1])
        for i in range(0, len(body) - 16, 16):
            self.assertNotIn(body[i:i + 16], message)
        return message

    def test_good_key(self):
        out = run_one(["key"], env={"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(self.key)})
        self.assertTrue(out["ok"], out)
        self.assertEqual(out["result"]["client_email"], self.key["client_email"])

    def test_base64_with_newlines_and_no_padding_is_accepted(self):
        text = base64.encodebytes(json.dumps(self.key).encode()).decode().rstrip("=\n")
        out = run_one(["key"], env={"GOOGLE_SERVICE_ACCOUNT_JSON_B64": text})
        self.assertTrue(out["ok"], out)

    def test_bad_base64(self):
        self.assertIn("not valid base64", self.check("not*base64!"))

    def test_bad_json(self):
        self.assertIn("not JSON (line 1", self.check(b64('{"type": "service_account",')))

    def test_not_an_object(self):
        self.assertIn("not an object", self.check(b64("[1, 2]")))

    def test_missing_fields(self):
        for field in ("client_email", "private_key", "token_uri", "type"):
            key = dict(self.key)
            del key[field]
            self.assertIn(f'has no "{field}"', self.check(key_to_base64(key)))

    def test_wrong_type(self):
        self.assertIn("expected \"service_account\"", self.check(key_to_base64(dict(self.key, type="user"))))

    def test_pem_that_does_not_parse(self):
        pem = self.key["private_key"].replace("A", "B", 40)
        lines = pem.splitlines()
        broken = "\n".join(lines[:3] + lines[5:])
        self.assertIn("does not parse", self.check(key_to_base64(dict(self.key, private_key=broken))))
        self.assertIn("not PEM text", self.check(key_to_base64(dict(self.key, private_key="MIIEvQIBADAN"))))

    def test_non_rsa_key(self):
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
        self.assertIn("not an RSA key", self.check(key_to_base64(dict(self.key, private_key=pem))))

    def test_token_uri_in_clear_text_to_a_remote_host(self):
        self.assertIn("not an https URL", self.check(key_to_base64(dict(self.key, token_uri="http://example.com/t"))))


class TokenTest(unittest.TestCase):
    def setUp(self):
        self.google, self.key = start_google()
        self.env = {"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(self.key)}

    def tearDown(self):
        self.google.stop()

    def test_token_is_fetched_once_and_cached(self):
        lines = run_fixture(["token", "3"], env=self.env)
        self.assertTrue(all(line["ok"] for line in lines), lines)
        self.assertEqual(len({line["result"] for line in lines}), 1)
        requests = self.google.requests("/token")
        self.assertEqual(len(requests), 1)
        self.assertEqual(requests[0]["headers"]["content-type"], "application/x-www-form-urlencoded")
        granted = self.google.tokens[lines[0]["result"]]
        self.assertEqual(granted["scopes"], {"https://www.googleapis.com/auth/spreadsheets",
                                             "https://www.googleapis.com/auth/calendar",
                                             "https://www.googleapis.com/auth/drive.file"})
        self.assertIsNone(granted["sub"])

    def test_threads_share_one_token_fetch(self):
        self.google.add_fault("slow", delay=0.3, path="/token")
        lines = run_fixture(["token", "3", "16"], env=self.env)
        self.assertEqual(len(lines), 16)
        self.assertTrue(all(line["ok"] for line in lines), lines)
        self.assertEqual(len({line["result"] for line in lines}), 1)
        self.assertEqual(len(self.google.requests("/token")), 1)

    def test_token_within_a_minute_of_expiry_is_refreshed(self):
        self.google.expires_in = 50
        lines = run_fixture(["token", "3"], env=self.env)
        self.assertEqual(len({line["result"] for line in lines}), 3)
        self.assertEqual(len(self.google.requests("/token")), 3)

    def test_wrong_key_is_a_clear_unauthorized_error(self):
        other, _ = make_service_account_key(self.key["token_uri"], client_email=self.key["client_email"])
        other["private_key_id"] = self.key["private_key_id"]
        out = run_one(["token"], env={"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(other)})
        self.assertEqual(out["error"]["code"], "unauthorized")
        self.assertFalse(out["error"]["retryable"])
        self.assertEqual(out["error"]["status"], 400)
        self.assertIn("Invalid JWT Signature. (invalid_grant)", out["error"]["message"])
        self.assertIn(self.key["client_email"], out["error"]["message"])

    def test_subject_needs_delegation(self):
        env = dict(self.env, GOOGLE_IMPERSONATE_SUBJECT="alice@example.com")
        out = run_one(["token"], env=env)
        self.assertEqual(out["error"]["code"], "unauthorized")
        self.assertIn("unauthorized_client", out["error"]["message"])
        self.google.allow_delegation = True
        out = run_one(["token"], env=env)
        self.assertTrue(out["ok"], out)
        self.assertEqual(self.google.tokens[out["result"]]["sub"], "alice@example.com")

    def test_token_endpoint_500_then_success(self):
        self.google.add_fault("status", status=500, path="/token")
        out = run_one(["token"], env=self.env)
        self.assertTrue(out["ok"], out)
        self.assertEqual(len(self.google.requests("/token")), 2)

    def test_token_endpoint_down_is_retryable(self):
        self.google.add_fault("status", count=-1, status=503, path="/token")
        out = run_one(["token"], env=self.env)
        self.assertEqual(out["error"]["code"], "unavailable")
        self.assertTrue(out["error"]["retryable"])

    def test_token_answer_without_access_token(self):
        self.google.add_fault("status", status=200, path="/token", raw='{"expires_in": 3599}')
        out = run_one(["token"], env=self.env)
        self.assertEqual(out["error"]["code"], "upstream_error")
        self.assertFalse(out["error"]["retryable"])
        self.assertIn('no usable "access_token"', out["error"]["message"])


class GoogleCallTest(unittest.TestCase):
    def setUp(self):
        self.google, self.key = start_google()
        self.env = {"GOOGLE_SERVICE_ACCOUNT_JSON_B64": key_to_base64(self.key)}
        self.sid = self.google.new_spreadsheet("t", ["Sheet1"])
        self.url = f"{self.google.url}/v4/spreadsheets/{self.sid}/values/Sheet1"

    def tearDown(self):
        self.google.stop()

    def test_401_refreshes_the_token_once(self):
        self.google.add_fault("status", status=401, path="/v4/")
        out = run_one(["google", "GET", self.url], env=self.env)
        self.assertTrue(out["ok"], out)
        self.assertEqual(len(self.google.requests("/token")), 2)
        self.assertEqual(len(self.google.requests("/v4/")), 2)

    def test_401_twice_is_unauthorized(self):
        self.google.add_fault("status", count=-1, status=401, path="/v4/")
        out = run_one(["google", "GET", self.url], env=self.env)
        self.assertEqual(out["error"]["code"], "unauthorized")
        self.assertFalse(out["error"]["retryable"])
        self.assertEqual(len(self.google.requests("/v4/")), 2)

    def test_403_rate_limit_exceeded_is_retried(self):
        body = {"error": {"code": 403, "message": "Rate Limit Exceeded",
                          "errors": [{"domain": "usageLimits", "reason": "rateLimitExceeded"}]}}
        self.google.add_fault("status", status=403, path="/v4/", body=body)
        out = run_one(["google", "GET", self.url], env=self.env)
        self.assertTrue(out["ok"], out)
        self.assertEqual(len(self.google.requests("/v4/")), 2)

    def test_403_sheets_style_rate_limit_until_retries_run_out(self):
        body = {"error": {"code": 403, "message": "Quota exceeded", "status": "PERMISSION_DENIED",
                          "details": [{"reason": "RATE_LIMIT_EXCEEDED"}]}}
        self.google.add_fault("status", count=-1, status=403, path="/v4/", body=body)
        out = run_one(["google", "GET", self.url], env=self.env)
        self.assertEqual(out["error"]["code"], "rate_limited")
        self.assertTrue(out["error"]["retryable"])
        self.assertEqual(out["error"]["status"], 403)

    def test_plain_403_is_not_retried(self):
        body = {"error": {"code": 403, "message": "The caller does not have permission",
                          "status": "PERMISSION_DENIED"}}
        self.google.add_fault("status", status=403, path="/v4/", body=body)
        out = run_one(["google", "GET", self.url], env=self.env)
        self.assertEqual(out["error"]["code"], "forbidden")
        self.assertEqual(len(self.google.requests("/v4/")), 1)

    def test_answer_that_is_not_json(self):
        self.google.add_fault("status", status=200, path="/v4/", raw="<html>oops")
        out = run_one(["google", "GET", self.url], env=self.env)
        self.assertEqual(out["error"]["code"], "upstream_error")
        self.assertFalse(out["error"]["retryable"])
        self.assertIn("not JSON", out["error"]["message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
