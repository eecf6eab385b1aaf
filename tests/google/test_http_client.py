"""The HTTP client (core/net/http_client) against the plain stand-in: bodies, auth, retries,
Retry-After, timeouts, dropped connections, error classification and connection reuse."""
import base64
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from support import run_one, run_fixture  # noqa: E402
from standin import EchoStandIn  # noqa: E402
from harness import free_port  # noqa: E402
from tls_certs import make_certificates  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402


class HttpClientTest(unittest.TestCase):
    def setUp(self):
        self.server = EchoStandIn().start()
        self.url = self.server.url

    def tearDown(self):
        self.server.stop()

    def test_json_in_and_out(self):
        out = run_one(["http", "POST", self.url + "/echo", "--json", '{"a": [1, "x"]}'])
        self.assertTrue(out["ok"], out)
        body = out["result"]["body"]
        self.assertEqual(body["json"], {"a": [1, "x"]})
        self.assertEqual(body["headers"]["content-type"], "application/json; charset=UTF-8")
        self.assertNotIn("expect", body["headers"])

    def test_form_body_is_url_encoded(self):
        out = run_one(["http", "POST", self.url + "/echo", "--form", "To=+33 6&x", "--form", "Body=a=b"])
        body = out["result"]["body"]
        self.assertEqual(body["headers"]["content-type"], "application/x-www-form-urlencoded")
        self.assertEqual(body["body"], "To=%2B33%206%26x&Body=a%3Db")

    def test_bearer_and_basic_auth(self):
        out = run_one(["http", "GET", self.url + "/echo", "--bearer", "tok123"])
        self.assertEqual(out["result"]["body"]["headers"]["authorization"], "Bearer tok123")
        out = run_one(["http", "GET", self.url + "/echo", "--basic", "AC1:secret"])
        expected = "Basic " + base64.b64encode(b"AC1:secret").decode()
        self.assertEqual(out["result"]["body"]["headers"]["authorization"], expected)

    def test_extra_headers(self):
        out = run_one(["http", "GET", self.url + "/echo", "--header", "X-Trace: abc"])
        self.assertEqual(out["result"]["body"]["headers"]["x-trace"], "abc")

    def test_multipart_form_data(self):
        out = run_one(["http", "POST", self.url + "/echo", "--part", "purpose:text/plain:batch",
                       "--part", "file:application/json:{\"k\":1}"])
        body = out["result"]["body"]
        self.assertTrue(body["headers"]["content-type"].startswith("multipart/form-data; boundary="))
        self.assertIn('name="purpose"', body["body"])
        self.assertIn('{"k":1}', body["body"])

    def test_multipart_related_body_is_exact(self):
        out = run_one(["http", "POST", self.url + "/echo", "--related", "application/json; charset=UTF-8:{\"name\":\"a\"}",
                       "--related", "text/plain:hello"])
        body = out["result"]["body"]
        content_type = body["headers"]["content-type"]
        self.assertTrue(content_type.startswith("multipart/related; boundary=growth_"))
        boundary = content_type.split("boundary=")[1]
        expected = (f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"name\":\"a\"}}\r\n"
                    f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n")
        self.assertEqual(body["body"], expected)

    def test_429_with_retry_after_then_success(self):
        self.server.add_fault("status", status=429, retry_after="1")
        out = run_one(["http", "GET", self.url + "/echo"])
        self.assertTrue(out["ok"], out)
        self.assertEqual(out["result"]["attempts"], 2)
        times = [r["time"] for r in self.server.requests("/echo")]
        self.assertEqual(len(times), 2)
        self.assertGreaterEqual(times[1] - times[0], 0.9, "Retry-After: 1 was not honoured")

    def test_429_is_retried_even_for_unsafe_requests(self):
        self.server.add_fault("status", status=429)
        out = run_one(["http", "POST", self.url + "/echo", "--json", "{}"])
        self.assertTrue(out["ok"], out)
        self.assertEqual(len(self.server.requests("/echo")), 2)

    def test_retry_after_beyond_the_bound_fails_at_once(self):
        self.server.add_fault("status", status=429, retry_after="120")
        out = run_one(["http", "GET", self.url + "/echo"], env={"GROWTH_HTTP_RETRY_AFTER_MAX_MS": "2000"})
        self.assertFalse(out["ok"])
        self.assertEqual(out["error"]["code"], "rate_limited")
        self.assertTrue(out["error"]["retryable"])
        self.assertEqual(out["error"]["status"], 429)
        self.assertIn("120000 ms", out["error"]["message"])
        self.assertEqual(len(self.server.requests("/echo")), 1)

    def test_500_until_retries_run_out(self):
        self.server.add_fault("status", count=-1, status=500)
        out = run_one(["http", "GET", self.url + "/echo"])
        self.assertFalse(out["ok"])
        error = out["error"]
        self.assertEqual(error["code"], "upstream_error")
        self.assertTrue(error["retryable"])
        self.assertEqual(error["status"], 500)
        self.assertIn("after 3 attempts", error["message"])
        self.assertIn("injected status 500", error["message"])
        self.assertEqual(len(self.server.requests("/echo")), 3)

    def test_503_then_success(self):
        self.server.add_fault("status", count=2, status=503)
        out = run_one(["http", "GET", self.url + "/echo"])
        self.assertTrue(out["ok"], out)
        self.assertEqual(out["result"]["attempts"], 3)

    def test_unsafe_post_is_not_repeated_after_500(self):
        self.server.add_fault("status", count=-1, status=500)
        out = run_one(["http", "POST", self.url + "/echo", "--json", "{}"])
        self.assertFalse(out["ok"])
        self.assertTrue(out["error"]["retryable"])
        self.assertEqual(len(self.server.requests("/echo")), 1)

    def test_unsafe_post_whose_answer_is_lost_is_sent_once(self):
        """The server applies the POST and drops the answer: libcurl would re-send it on its own over a reused
        connection, so an unsafe request always takes a fresh one; the loss is an error for the caller."""
        self.server.add_fault("lost", skip=1, method="POST")
        lines = run_fixture(["http", "POST", self.url + "/echo", "--json", "{}", "--repeat", "2"])
        self.assertTrue(lines[0]["ok"], lines)
        self.assertEqual(lines[1]["error"]["code"], "unavailable", lines)
        self.assertTrue(lines[1]["error"]["retryable"])
        self.assertEqual(len(self.server.requests("/echo")), 2, "each POST sent once")

    def test_post_marked_safe_is_repeated(self):
        self.server.add_fault("status", count=1, status=502)
        out = run_one(["http", "POST", self.url + "/echo", "--json", "{}", "--safe"])
        self.assertTrue(out["ok"], out)
        self.assertEqual(len(self.server.requests("/echo")), 2)

    def test_timeout(self):
        self.server.add_fault("hang", count=-1, delay=3)
        out = run_one(["http", "GET", self.url + "/echo"], env={"GROWTH_HTTP_TIMEOUT_MS": "300",
                                                                 "GROWTH_HTTP_MAX_ATTEMPTS": "2"})
        self.assertFalse(out["ok"])
        self.assertEqual(out["error"]["code"], "timeout")
        self.assertTrue(out["error"]["retryable"])
        self.assertEqual(len(self.server.requests("/echo")), 2)

    def test_slow_answer_within_the_timeout_succeeds(self):
        self.server.add_fault("slow", delay=0.3)
        out = run_one(["http", "GET", self.url + "/echo"], env={"GROWTH_HTTP_TIMEOUT_MS": "3000"})
        self.assertTrue(out["ok"], out)
        self.assertEqual(out["result"]["attempts"], 1)

    def test_dropped_connection_then_success(self):
        self.server.add_fault("drop")
        out = run_one(["http", "GET", self.url + "/echo"])
        self.assertTrue(out["ok"], out)
        self.assertEqual(out["result"]["attempts"], 2)

    def test_dropped_connections_until_retries_run_out(self):
        self.server.add_fault("drop", count=-1)
        out = run_one(["http", "GET", self.url + "/echo"])
        self.assertEqual(out["error"]["code"], "unavailable")
        self.assertTrue(out["error"]["retryable"])
        self.assertIn("connection dropped", out["error"]["message"])

    def test_client_errors_are_not_retried(self):
        for status, code in ((400, "bad_argument"), (401, "unauthorized"), (403, "forbidden"), (404, "not_found")):
            self.server.clear_requests()
            out = run_one(["http", "GET", f"{self.url}/status/{status}"])
            self.assertEqual(out["error"]["code"], code)
            self.assertFalse(out["error"]["retryable"])
            self.assertEqual(out["error"]["status"], status)
            self.assertEqual(len(self.server.requests()), 1)

    def test_refused_connection(self):
        out = run_one(["http", "GET", f"http://127.0.0.1:{free_port()}/echo"])
        self.assertEqual(out["error"]["code"], "unavailable")
        self.assertTrue(out["error"]["retryable"])
        self.assertIn("after 3 attempts", out["error"]["message"])

    def test_connections_are_reused(self):
        lines = run_fixture(["http", "GET", self.url + "/echo", "--repeat", "5"])
        self.assertEqual(len(lines), 5)
        self.assertTrue(all(line["ok"] for line in lines))
        self.assertEqual(self.server.connections, 1)

    def test_query_is_kept_out_of_error_messages(self):
        out = run_one(["http", "GET", f"{self.url}/status/404?key=sekrit"])
        self.assertNotIn("sekrit", out["error"]["message"])


class TlsTest(unittest.TestCase):
    """TLS verification is always on: a certificate from an unknown CA, or for another host, is refused;
    GROWTH_HTTP_CA_FILE adds a trusted CA without turning verification off."""

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="growth-tls-")

    def tearDown(self):
        self.server.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def start(self, hosts):
        self.ca, cert, key = make_certificates(self.folder, hosts)
        self.server = EchoStandIn().use_tls(cert, key).start()

    def test_unknown_ca_is_refused(self):
        self.start(("127.0.0.1",))
        out = run_one(["http", "GET", self.server.url + "/echo"])
        self.assertEqual(out["error"]["code"], "unavailable")
        self.assertFalse(out["error"]["retryable"])
        self.assertIn("TLS failure", out["error"]["message"])

    def test_trusted_ca_file(self):
        self.start(("127.0.0.1",))
        out = run_one(["http", "GET", self.server.url + "/echo"], env={"GROWTH_HTTP_CA_FILE": self.ca})
        self.assertTrue(out["ok"], out)

    def test_certificate_for_another_host_is_refused(self):
        self.start(("example.com",))
        out = run_one(["http", "GET", self.server.url + "/echo"], env={"GROWTH_HTTP_CA_FILE": self.ca})
        self.assertEqual(out["error"]["code"], "unavailable")
        self.assertIn("TLS failure", out["error"]["message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
