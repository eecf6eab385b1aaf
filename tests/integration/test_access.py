"""Access control end to end: the real growthd binary against a real redis-server.

API keys from GROWTH_API_KEYS (pairs and @file), Bearer keys on every endpoint
that exists today (401 with WWW-Authenticate, 403 for keys not on
GROWTH_AGENTS_ALLOWLIST), /health and the dashboard files open, the feature
flag answering before access control, the production rule at start, and the
dashboard's session cookie with its CSRF token.
"""
import hashlib
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Growthd, Redis, run_growthd  # noqa: E402

KEYS = {"alice": "alice-key-5f1c2a", "bob": "bob-key-9d8e7f", "ci": "ci-key-0a0b0c"}


def sha(key):
    return hashlib.sha256(key.encode()).hexdigest()


def key_pairs(names=KEYS):
    return ",".join(f"{name}:{sha(KEYS[name])}" for name in names)


def bearer(name):
    return {"Authorization": f"Bearer {KEYS[name]}"}


PROTECTED = [("GET", "/api/agents"), ("GET", "/api/dashboard"), ("GET", "/metrics"), ("GET", "/no/such/path")]
AGENTS = [("GET", "/api/orchestrator/health"), ("POST", "/api/orchestrator/launch")]


class KeysOn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = Redis().start()
        cls.g = Growthd(env={"REDIS_URL": cls.redis.url, "ENABLE_GROWTH_AGENTS": "true",
                             "ENABLE_GROWTH_DASHBOARD": "true", "GROWTH_API_KEYS": key_pairs(),
                             "GROWTH_AGENTS_ALLOWLIST": "alice,ci"}).start()

    @classmethod
    def tearDownClass(cls):
        log = cls.g.log()
        cls.g.cleanup()
        cls.redis.stop()
        for key in KEYS.values():
            assert key not in log, "an API key reached the log"
            assert sha(key) not in log, "a key hash reached the log"

    def assert_refused(self, status, headers, body, expected_status, code):
        self.assertEqual(status, expected_status, body)
        self.assertEqual(body["error"]["code"], code)
        if expected_status == 401:
            self.assertTrue(headers["www-authenticate"].startswith('Bearer realm="growthd"'))
        else:
            self.assertNotIn("www-authenticate", headers)

    def call(self, method, path, headers=None, body=None):
        status, response_headers, data = self.g.request(method, path, body=body, headers=headers)
        return status, response_headers, (json.loads(data) if data and data[:1] == b"{" else data)

    def test_open_paths_need_no_key(self):
        for path in ("/health", "/health/", "/agents", "/agents/index.html"):
            status, _, _ = self.call("GET", path)
            self.assertEqual(status, 200, path)
        status, _, body = self.call("GET", "/api/auth/session")
        self.assertEqual(status, 401)

    def test_no_key_is_401_with_challenge(self):
        for method, path in PROTECTED + AGENTS:
            status, headers, body = self.call(method, path)
            self.assert_refused(status, headers, body, 401, "unauthorized")
            self.assertEqual(headers["www-authenticate"], 'Bearer realm="growthd"')

    def test_wrong_key_or_scheme_is_401(self):
        for method, path in PROTECTED + AGENTS:
            status, headers, body = self.call(method, path, {"Authorization": "Bearer not-a-key"})
            self.assert_refused(status, headers, body, 401, "invalid_key")
            self.assertEqual(headers["www-authenticate"], 'Bearer realm="growthd", error="invalid_token"')
            self.assertNotIn("not-a-key", body["error"]["message"])
        status, headers, body = self.call("GET", "/api/agents", {"Authorization": f"Basic {KEYS['alice']}"})
        self.assert_refused(status, headers, body, 401, "unauthorized")
        # A key's hash is not the key.
        status, headers, body = self.call("GET", "/api/agents", {"Authorization": f"Bearer {sha(KEYS['alice'])}"})
        self.assertEqual(status, 401)

    def test_valid_keys(self):
        for name in KEYS:
            for path in ("/api/agents", "/api/dashboard", "/metrics"):
                status, _, _ = self.call("GET", path, bearer(name))
                self.assertEqual(status, 200, (name, path))
            status, _, body = self.call("GET", "/no/such/path", bearer(name))
            self.assertEqual(status, 404)

    def test_allowlist(self):
        for name in ("alice", "ci"):
            status, _, body = self.call("GET", "/api/orchestrator/health", bearer(name))
            self.assertEqual(status, 200, body)
            status, _, body = self.call("POST", "/api/orchestrator/launch", bearer(name))
            self.assertNotIn(status, (401, 403), body)   # allowed through (the launch itself may be refused as invalid)
        for method, path in AGENTS:
            status, headers, body = self.call(method, path, bearer("bob"))
            self.assert_refused(status, headers, body, 403, "forbidden")
            self.assertIn("GROWTH_AGENTS_ALLOWLIST", body["error"]["message"])

    def test_dashboard_session_and_csrf(self):
        status, headers, body = self.call("POST", "/api/auth/session", body={"key": "wrong"})
        self.assert_refused(status, headers, body, 401, "invalid_key")
        self.assertNotIn("set-cookie", headers)
        status, _, body = self.call("POST", "/api/auth/session", body=b"key=" + KEYS["alice"].encode(),
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)

        status, headers, body = self.call("POST", "/api/auth/session", body={"key": KEYS["alice"]})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["name"], "alice")
        self.assertEqual(body["expiresInSeconds"], 28800)
        cookie_header = headers["set-cookie"]
        parts = [p.strip() for p in cookie_header.split(";")]
        self.assertRegex(parts[0], r"^growth_session=[0-9a-f]{64}$")
        self.assertEqual(set(parts[1:]), {"Path=/", "Max-Age=28800", "HttpOnly", "SameSite=Strict"})
        self.assertEqual(headers["cache-control"], "no-store")
        self.assertNotIn(body["csrfToken"], cookie_header)
        cookie = {"Cookie": parts[0]}
        csrf = body["csrfToken"]

        status, _, me = self.call("GET", "/api/auth/session", cookie)
        self.assertEqual((status, me["name"], me["via"], me["csrfToken"]), (200, "alice", "session", csrf))
        status, _, _ = self.call("GET", "/api/orchestrator/health", cookie)
        self.assertEqual(status, 200)
        status, _, _ = self.call("GET", "/metrics", cookie)
        self.assertEqual(status, 200)
        # State changes with the cookie need the token.
        for headers in (cookie, dict(cookie, **{"X-CSRF-Token": "0" * 64}), dict(cookie, **{"X-CSRF-Token": ""})):
            status, response_headers, body = self.call("POST", "/api/orchestrator/launch", headers)
            self.assert_refused(status, response_headers, body, 403, "csrf_failed")
        status, _, body = self.call("POST", "/api/orchestrator/launch", dict(cookie, **{"X-CSRF-Token": csrf}))
        self.assertNotIn(status, (401, 403), body)   # through the guard
        status, response_headers, body = self.call("DELETE", "/api/auth/session", cookie)
        self.assert_refused(status, response_headers, body, 403, "csrf_failed")
        # Sign out: 204, the cookie cleared, the session gone.
        status, response_headers, _ = self.call("DELETE", "/api/auth/session", dict(cookie, **{"X-CSRF-Token": csrf}))
        self.assertEqual(status, 204)
        self.assertIn("growth_session=;", response_headers["set-cookie"])
        self.assertIn("Max-Age=0", response_headers["set-cookie"])
        status, response_headers, body = self.call("GET", "/api/agents", cookie)
        self.assert_refused(status, response_headers, body, 401, "session_expired")

    def test_session_of_key_not_allowlisted(self):
        status, headers, body = self.call("POST", "/api/auth/session", body={"key": KEYS["bob"]})
        self.assertEqual(status, 200)
        cookie = {"Cookie": headers["set-cookie"].split(";")[0]}
        self.assertEqual(self.call("GET", "/api/agents", cookie)[0], 200)
        status, response_headers, body = self.call("GET", "/api/orchestrator/health", cookie)
        self.assert_refused(status, response_headers, body, 403, "forbidden")

    def test_bearer_session_info_and_sign_in_by_header(self):
        status, _, me = self.call("GET", "/api/auth/session", bearer("ci"))
        self.assertEqual((status, me["name"], me["via"]), (200, "ci", "key"))
        self.assertNotIn("csrfToken", me)
        status, headers, body = self.call("POST", "/api/auth/session", bearer("ci"))
        self.assertEqual((status, body["name"]), (200, "ci"))
        self.assertIn("HttpOnly", headers["set-cookie"])


class FlagBeforeAuth(unittest.TestCase):
    def test_disabled_flag_answers_403_before_auth(self):
        redis = Redis().start()
        g = Growthd(env={"REDIS_URL": redis.url, "GROWTH_API_KEYS": key_pairs()}).start()
        try:
            for headers in ({}, {"Authorization": "Bearer wrong"}, bearer("alice")):
                status, body = g.json("GET", "/api/orchestrator/health", headers=headers)
                self.assertEqual(status, 403)
                self.assertEqual(body["error"]["code"], "growth_agents_disabled")
            status, _ = g.json("GET", "/api/agents")
            self.assertEqual(status, 401)
        finally:
            g.cleanup()
            redis.stop()


class Startup(unittest.TestCase):
    def refused(self, env, expected):
        result = run_growthd(["serve"], env=dict({"PORT": "1", "GROWTH_BIND_ADDRESS": "127.0.0.1"}, **env))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(f"growthd: configuration error: {expected}", result.stderr)
        self.assertNotIn("listening", result.stderr)
        return result.stderr

    def test_production_without_keys_refuses_to_start(self):
        self.refused({"NODE_ENV": "production"}, "GROWTH_API_KEYS: no API key is set in production")
        self.refused({"GROWTH_ENV": "production", "NODE_ENV": "development"}, "GROWTH_API_KEYS: no API key")

    def test_bad_settings_refused(self):
        self.refused({"GROWTH_AUTH": "on"}, "GROWTH_AUTH: 'on' needs at least one key in GROWTH_API_KEYS")
        self.refused({"GROWTH_AUTH": "sometimes"}, "GROWTH_AUTH: 'sometimes' is not a known value; expected on or off")
        stderr = self.refused({"GROWTH_API_KEYS": f"alice:{sha('x')[:40]}"}, "GROWTH_API_KEYS: entry 1 (key 'alice'): "
                              "the hash has 40 characters; expected 64 hex digits")
        self.assertNotIn(sha("x")[:40], stderr)
        self.refused({"GROWTH_API_KEYS": key_pairs(), "GROWTH_AGENTS_ALLOWLIST": "alice,mallory"},
                     "GROWTH_AGENTS_ALLOWLIST: 'mallory' is not the name of a key")
        self.refused({"GROWTH_API_KEYS": "@/nonexistent/keys"}, "GROWTH_API_KEYS: cannot open the key file")

    def test_production_with_auth_off_is_open(self):
        redis = Redis().start()
        g = Growthd(env={"REDIS_URL": redis.url, "NODE_ENV": "production", "GROWTH_AUTH": "off"}).start()
        try:
            self.assertEqual(g.json("GET", "/api/agents")[0], 200)
            self.assertEqual(g.json("GET", "/api/auth/session"), (200, {"authRequired": False}))
            self.assertIn("access control is off (GROWTH_AUTH=off)", g.log())
        finally:
            g.cleanup()
            redis.stop()

    def test_development_without_keys_is_open(self):
        redis = Redis().start()
        g = Growthd(env={"REDIS_URL": redis.url, "ENABLE_GROWTH_AGENTS": "true"}).start()
        try:
            self.assertEqual(g.json("GET", "/api/agents")[0], 200)
            self.assertEqual(g.request("GET", "/metrics")[0], 200)
            self.assertEqual(g.json("GET", "/api/orchestrator/health")[0], 200)
            self.assertEqual(g.json("POST", "/api/auth/session", body={"key": "x"}), (200, {"authRequired": False}))
            self.assertIn("no API keys (GROWTH_API_KEYS): every endpoint is open in development", g.log())
        finally:
            g.cleanup()
            redis.stop()

    def test_production_with_key_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".keys", delete=False) as f:
            f.write(f"# production keys\nalice:{sha(KEYS['alice'])}\n\nbob:{sha(KEYS['bob'])}  # read-only\n")
            path = f.name
        redis = Redis().start()
        g = Growthd(env={"REDIS_URL": redis.url, "NODE_ENV": "production", "ENABLE_GROWTH_AGENTS": "true",
                         "GROWTH_API_KEYS": f"@{path}", "GROWTH_AGENTS_ALLOWLIST": "alice",
                         "GROWTH_SESSION_TTL_S": "600"}).start()
        try:
            self.assertEqual(g.json("GET", "/api/agents")[0], 401)
            self.assertEqual(g.json("GET", "/api/orchestrator/health", headers=bearer("alice"))[0], 200)
            self.assertEqual(g.json("GET", "/api/orchestrator/health", headers=bearer("bob"))[0], 403)
            status, headers, _ = g.request("POST", "/api/auth/session", body={"key": KEYS["alice"]})
            self.assertEqual(status, 200)
            self.assertIn("Max-Age=600", headers["set-cookie"])
            self.assertTrue(headers["set-cookie"].endswith("; Secure"))
        finally:
            g.cleanup()
            redis.stop()
            os.unlink(path)


if __name__ == "__main__":
    unittest.main(verbosity=2)
