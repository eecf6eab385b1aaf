"""The foundation, end to end: the real growthd binary against a real redis-server.

Covers the command line, configuration errors, feature flags, the routing and
error rules (403, 404, 405, 413, 400), Redis going away and coming back while
growthd keeps running, logging, the port-in-use error and the graceful stop.
"""
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Growthd, Redis, free_port, run_growthd, wait_until  # noqa: E402


class CommandLine(unittest.TestCase):
    def test_version_and_help(self):
        result = run_growthd(["--version"])
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"^growthd \d+\.\d+\.\d+\n$")
        result = run_growthd(["--help"])
        self.assertEqual(result.returncode, 0)
        for word in ("serve", "PORT", "REDIS_URL", "ENABLE_GROWTH_AGENTS", "ENABLE_GROWTH_DASHBOARD",
                     "GROWTH_QUEUE_NAME", "GROWTH_MAX_BODY_BYTES", "SMTP_PASS"):
            self.assertIn(word, result.stdout)

    def test_unknown_command_or_option_exits_2_with_usage(self):
        for args in (["frobnicate"], ["--frobnicate"], [], ["serve", "--frobnicate"], ["--env-file"]):
            result = run_growthd(args)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn("usage" if args[:1] != ["serve"] else "unknown option", result.stderr.lower(), args)
            self.assertEqual(result.stdout, "", args)

    def test_bad_values_are_one_line_and_exit_2(self):
        cases = {
            "PORT": ("70000", "PORT: '70000' is out of range"),
            "ENABLE_GROWTH_AGENTS": ("maybe", "ENABLE_GROWTH_AGENTS: 'maybe' is not a boolean"),
            "REDIS_URL": ("mysql://x", "REDIS_URL: the scheme is not redis://"),
            "NODE_ENV": ("qa", "NODE_ENV: 'qa' is not a known value"),
            "GROWTH_MAX_BODY_BYTES": ("lots", "GROWTH_MAX_BODY_BYTES: 'lots' is not a whole number"),
        }
        for name, (value, expected) in cases.items():
            result = run_growthd(["serve"], env={name: value})
            self.assertEqual(result.returncode, 2, name)
            lines = result.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, result.stderr)
            self.assertIn(expected, lines[0])

    def test_secret_values_never_printed(self):
        secret = "hunter2-very-secret"
        result = run_growthd(["serve"], env={"REDIS_URL": f"redis://:{secret}@localhost:nope"})
        self.assertEqual(result.returncode, 2)
        self.assertNotIn(secret, result.stderr)
        self.assertIn("REDIS_URL", result.stderr)

    def test_env_file_syntax_and_environment_wins(self):
        with tempfile.NamedTemporaryFile("w", suffix=".env", delete=False) as f:
            f.write("# staging\nexport PORT=1\nENABLE_GROWTH_AGENTS='yes'\nGROWTH_QUEUE_NAME=\"from-file\"  # c\n")
            path = f.name
        try:
            port = free_port()
            g = Growthd(env={"PORT": str(port)}, args=["serve", "--env-file", path], port=port).start()
            try:
                status, body = g.json("GET", "/api/orchestrator/health")
                self.assertIn(status, (200, 503))  # flag from the file is on; PORT from the environment won
                self.assertEqual(body["queue"]["name"], "from-file")
            finally:
                g.cleanup()
        finally:
            os.unlink(path)

    def test_bad_env_file_is_refused(self):
        result = run_growthd(["--env-file", "/nonexistent/.env", "serve"])
        self.assertEqual(result.returncode, 2)
        self.assertIn("--env-file /nonexistent/.env: cannot open", result.stderr)
        with tempfile.NamedTemporaryFile("w", suffix=".env", delete=False) as f:
            f.write("GOOD=1\nthis line is wrong\n")
            path = f.name
        try:
            result = run_growthd(["serve", f"--env-file={path}"])
            self.assertEqual(result.returncode, 2)
            self.assertIn(f"{path}:2: expected '='", result.stderr)
        finally:
            os.unlink(path)


AGENTS = ["journal", "mindset", "niche", "purpose", "rhythm"]   # scripts/agents/


class FlagsOff(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = Redis().start()
        cls.g = Growthd(env={"REDIS_URL": cls.redis.url}).start()

    @classmethod
    def tearDownClass(cls):
        cls.g.cleanup()
        cls.redis.stop()

    def test_health(self):
        status, body = self.g.json("GET", "/health")
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "running")
        self.assertEqual(body["environment"], "development")
        self.assertIsInstance(body["uptimeSeconds"], int)
        self.assertRegex(body["version"], r"^\d+\.\d+\.\d+$")

    def test_orchestrator_forbidden(self):
        for method, path in (("GET", "/api/orchestrator/health"), ("POST", "/api/orchestrator/launch"),
                             ("GET", "/api/orchestrator/anything/else"), ("GET", "/api/orchestrator")):
            status, body = self.g.json(method, path)
            self.assertEqual(status, 403, path)
            self.assertEqual(body["error"]["code"], "growth_agents_disabled")
            self.assertIn("ENABLE_GROWTH_AGENTS", body["error"]["message"])

    def test_dashboard_not_mounted(self):
        status, body = self.g.json("GET", "/agents")
        self.assertEqual(status, 404)
        self.assertEqual(body["error"]["code"], "not_found")

    def test_core_endpoints_work(self):
        status, body = self.g.json("GET", "/api/agents")
        self.assertEqual((status, body["count"]), (200, 5))
        self.assertEqual(sorted(a["name"] for a in body["agents"]), AGENTS)
        status, body = self.g.json("GET", "/api/dashboard")
        self.assertEqual(status, 200)
        self.assertEqual(body["flags"], {"growthAgents": False, "growthDashboard": False})
        self.assertEqual(body["agentRegistry"]["count"], 5)


class FlagsOn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = Redis().start()
        cls.g = Growthd(env={"REDIS_URL": cls.redis.url, "ENABLE_GROWTH_AGENTS": "true",
                             "ENABLE_GROWTH_DASHBOARD": "TRUE", "GROWTH_QUEUE_NAME": "growth-agents-staging",
                             "GROWTH_MAX_BODY_BYTES": "1024", "GROWTH_REDIS_COMMAND_TIMEOUT_MS": "500",
                             "GROWTH_REDIS_CONNECT_TIMEOUT_MS": "500"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.g.cleanup()
        cls.redis.stop()

    def test_orchestrator_health(self):
        status, body = self.g.json("GET", "/api/orchestrator/health")
        self.assertEqual(status, 200, body)
        self.assertTrue(body["redis"]["connected"])
        self.assertGreaterEqual(body["redis"]["latencyMs"], 0)
        self.assertEqual(body["queue"]["name"], "growth-agents-staging")
        self.assertEqual(body["agentRegistry"]["count"], 5)
        self.assertEqual([agent["name"] for agent in body["agentRegistry"]["agents"]], AGENTS)

    def test_dashboard_page(self):
        status, headers, data = self.g.request("GET", "/agents")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/html"))
        self.assertIn(b"<html", data)
        for path in ("/agents/..%2Findex.html", "/agents/.hidden.html", "/agents/missing.css"):
            self.assertEqual(self.g.request("GET", path)[0], 404, path)

    def test_unknown_path_is_404_json(self):
        status, body = self.g.json("GET", "/no/such/thing")
        self.assertEqual(status, 404)
        self.assertEqual(body["error"]["code"], "not_found")

    def test_wrong_method_is_405_with_allow(self):
        status, headers, data = self.g.request("DELETE", "/health")
        self.assertEqual(status, 405)
        self.assertEqual(headers["allow"], "GET, HEAD")
        self.assertEqual(json.loads(data)["error"]["code"], "method_not_allowed")

    def test_body_over_cap_is_413_before_reading(self):
        # Content-Length over the cap: answered without sending the body at all.
        with socket.create_connection(("127.0.0.1", self.g.port), timeout=5) as s:
            s.sendall(b"POST /api/agents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 1000000000\r\n\r\n")
            reply = s.recv(4096).decode()
        self.assertTrue(reply.startswith("HTTP/1.1 413"), reply)
        self.assertIn("payload_too_large", reply)
        # The same on a route that does not exist, and with a chunked body that passes the cap.
        self.assertEqual(self.g.request("PUT", "/nowhere", body=b"x" * 2000)[0], 413)
        chunks = (b"x" * 600 for _ in range(4))
        status, _, data = self.g.request("POST", "/api/agents", body=chunks)  # no length: sent chunked
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(data)["error"]["code"], "payload_too_large")

    def test_malformed_json_is_400_with_line_and_column(self):
        status, body = self.g.json("GET", "/api/agents", body=b'{\n  "agents": [1,\n}',
                                   headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        self.assertEqual(body["error"]["code"], "invalid_json")
        self.assertIn("line 3, column 1", body["error"]["message"])

    def test_access_log_lines(self):
        self.g.request("PATCH", "/api/agents")
        wait_until(lambda: "[HTTP] PATCH /api/agents 405 " in self.g.log(), what="access log line")
        line = [l for l in self.g.log().splitlines() if "PATCH /api/agents" in l][0]
        self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  \[HTTP\] PATCH /api/agents 405 \d+\.\d\dms$")


class RedisOutage(unittest.TestCase):
    def test_503_while_redis_is_down_then_200_without_restart(self):
        redis = Redis().start()
        g = Growthd(env={"REDIS_URL": redis.url, "ENABLE_GROWTH_AGENTS": "1",
                         "GROWTH_REDIS_CONNECT_TIMEOUT_MS": "300", "GROWTH_REDIS_COMMAND_TIMEOUT_MS": "300"}).start()
        try:
            pid = g.process.pid
            self.assertEqual(g.json("GET", "/api/orchestrator/health")[0], 200)
            redis.stop()
            redis.start()  # restarted behind growthd's back: its pooled socket is stale
            self.assertEqual(g.json("GET", "/api/orchestrator/health")[0], 200)
            redis.stop()
            statuses = [g.json("GET", "/api/orchestrator/health") for _ in range(3)]
            for status, body in statuses:
                self.assertEqual(status, 503, body)
                self.assertFalse(body["redis"]["connected"])
                self.assertIn("127.0.0.1", body["redis"]["error"])
                self.assertEqual(body["status"], "degraded")
            self.assertEqual(g.json("GET", "/health")[0], 200)
            redis.start()  # same port; the first request after it is back already answers 200
            self.assertEqual(g.json("GET", "/api/orchestrator/health")[0], 200)
            self.assertEqual(g.process.pid, pid)
            self.assertIsNone(g.process.poll())
        finally:
            g.cleanup()
            redis.stop()

    def test_hung_redis_times_out_instead_of_hanging(self):
        redis = Redis().start()
        g = Growthd(env={"REDIS_URL": redis.url, "ENABLE_GROWTH_AGENTS": "1",
                         "GROWTH_REDIS_COMMAND_TIMEOUT_MS": "300"}).start()
        try:
            self.assertEqual(g.json("GET", "/api/orchestrator/health")[0], 200)
            os.kill(redis.process.pid, signal.SIGSTOP)
            status, body = g.json("GET", "/api/orchestrator/health", timeout=5)
            self.assertEqual(status, 503)
            self.assertIn("timed out", body["redis"]["error"])
            os.kill(redis.process.pid, signal.SIGCONT)
            wait_until(lambda: g.json("GET", "/api/orchestrator/health")[0] == 200, what="recovery")
        finally:
            os.kill(redis.process.pid, signal.SIGCONT)
            g.cleanup()
            redis.stop()

    def test_password_and_database_from_url(self):
        redis = Redis(password="s3cret-pass").start()
        g = Growthd(env={"REDIS_URL": redis.url + "/3", "ENABLE_GROWTH_AGENTS": "1",
                         "GROWTH_LOG_LEVEL": "debug"}).start()
        try:
            status, body = g.json("GET", "/api/orchestrator/health")
            self.assertEqual(status, 200, body)
            self.assertTrue(body["redis"]["address"].endswith("/3"))
            self.assertNotIn("s3cret-pass", g.log())
            self.assertNotIn("s3cret-pass", json.dumps(body))
        finally:
            g.cleanup()
            redis.stop()
        bad = Redis(password="right").start()
        g = Growthd(env={"REDIS_URL": f"redis://:wrong@127.0.0.1:{bad.port}", "ENABLE_GROWTH_AGENTS": "1"}).start()
        try:
            status, body = g.json("GET", "/api/orchestrator/health")
            self.assertEqual(status, 503)
            self.assertIn("AUTH", body["redis"]["error"])
            self.assertNotIn("wrong", body["redis"]["error"].replace("WRONGPASS", ""))
        finally:
            g.cleanup()
            bad.stop()


class Lifecycle(unittest.TestCase):
    def test_port_in_use_is_one_line_and_exit_1(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = run_growthd(["serve"], env={"PORT": str(port), "GROWTH_BIND_ADDRESS": "127.0.0.1"})
        self.assertEqual(result.returncode, 1)
        errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
        self.assertEqual(len(errors), 1, result.stderr)
        self.assertIn(f"port {port} is already in use", errors[0])

    def test_sigterm_finishes_requests_in_flight_and_exits_0(self):
        redis = Redis().start()
        g = Growthd(env={"REDIS_URL": redis.url, "ENABLE_GROWTH_AGENTS": "1",
                         "GROWTH_REDIS_COMMAND_TIMEOUT_MS": "1500"}).start()
        try:
            os.kill(redis.process.pid, signal.SIGSTOP)  # the next health request now takes 1.5 s
            result = {}
            slow = threading.Thread(target=lambda: result.update(r=g.json("GET", "/api/orchestrator/health")))
            slow.start()
            time.sleep(0.4)
            g.process.send_signal(signal.SIGTERM)

            def refused():
                try:
                    socket.create_connection(("127.0.0.1", g.port), timeout=1).close()
                    return False
                except OSError:
                    return True
            wait_until(refused, timeout=5, what="the listening socket to close")  # no longer accepting
            self.assertTrue(slow.is_alive())  # while the request in flight is still being answered
            slow.join(10)
            self.assertEqual(result["r"][0], 503)  # answered, not cut off
            self.assertEqual(g.process.wait(10), 0)
            self.assertIn("no longer accepting", g.log())
        finally:
            os.kill(redis.process.pid, signal.SIGCONT)
            g.cleanup()
            redis.stop()

    def test_sigint_exits_0(self):
        g = Growthd().start()
        try:
            self.assertEqual(g.stop(signal.SIGINT), 0)
        finally:
            g.cleanup()

    def test_json_log_lines_parse(self):
        g = Growthd(env={"GROWTH_LOG_FORMAT": "json"}).start()
        try:
            g.request("GET", "/health")
            wait_until(lambda: '"path":"/health"' in g.log(), what="json access line")
            records = [json.loads(line) for line in g.log().splitlines() if line.strip()]
        finally:
            g.stop()
        for record in records:
            self.assertEqual(set(record) >= {"time", "level", "component", "message"}, True, record)
        access = [r for r in records if r.get("path") == "/health"]
        self.assertEqual(access[0]["method"], "GET")
        self.assertEqual(access[0]["status"], 200)
        self.assertGreaterEqual(access[0]["latencyMs"], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
