"""GET /metrics on the real growthd binary: the exposition parses strictly as
the Prometheus text format 0.0.4, and requests are counted and timed by route
pattern (never the raw path), method and status.
"""
import hashlib
import math
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Growthd, Redis  # noqa: E402

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
SAMPLE = re.compile(rf"^({NAME})(?:\{{(.*)\}})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)')


def parse_value(text):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    return float(text)


def parse_labels(text):
    labels, at = {}, 0
    while at < len(text):
        match = LABEL.match(text, at)
        if not match:
            raise AssertionError(f"bad label set {{{text}}} at {at}")
        labels[match.group(1)] = match.group(2).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        at = match.end()
    return labels


def parse_exposition(text):
    """{family: {"type", "help", "samples": [(name, labels, value)]}}; raises on any format error."""
    families, current = {}, None
    assert text.endswith("\n"), "the exposition must end with a newline"
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            assert name not in families, f"family {name} appears twice"
            current = families[name] = {"help": line.split(" ", 3)[3] if line.count(" ") >= 3 else "",
                                         "type": None, "samples": []}
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert current is families.get(name) and kind in ("counter", "gauge", "histogram"), line
            current["type"] = kind
        else:
            match = SAMPLE.match(line)
            assert match, f"bad sample line: {line!r}"
            name, labels, value = match.group(1), parse_labels(match.group(2) or ""), parse_value(match.group(3))
            base = current and next(n for n in families if families[n] is current)
            suffixes = ("_bucket", "_sum", "_count") if current and current["type"] == "histogram" else ("",)
            assert any(name == base + s for s in suffixes), f"sample {name} outside its family {base}"
            current["samples"].append((name, labels, value))
    for name, family in families.items():
        if family["type"] == "histogram":
            check_histogram(name, family["samples"])
    return families


def check_histogram(name, samples):
    series = {}
    for sample_name, labels, value in samples:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        series.setdefault(key, {"buckets": []})
        if sample_name.endswith("_bucket"):
            series[key]["buckets"].append((parse_value(labels["le"]), value))
        else:
            series[key][sample_name[len(name) + 1:]] = value
    for key, s in series.items():
        bounds = [b for b, _ in s["buckets"]]
        counts = [c for _, c in s["buckets"]]
        assert bounds == sorted(bounds) and math.isinf(bounds[-1]), f"{name}{key}: buckets out of order"
        assert counts == sorted(counts), f"{name}{key}: buckets not cumulative"
        assert counts[-1] == s["count"], f"{name}{key}: +Inf bucket differs from _count"
        assert "sum" in s, f"{name}{key}: no _sum"


def value_of(families, family, suffix="", **labels):
    for name, sample_labels, value in families.get(family, {"samples": []})["samples"]:
        if name == family + suffix and sample_labels == labels:
            return value
    return 0.0


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = Redis().start()
        cls.g = Growthd(env={"REDIS_URL": cls.redis.url, "ENABLE_GROWTH_DASHBOARD": "true"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.g.cleanup()
        cls.redis.stop()

    def scrape(self):
        status, headers, data = self.g.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        return parse_exposition(data.decode())

    def test_requests_counted_by_route_pattern_and_status(self):
        before = self.scrape()
        for _ in range(3):
            self.assertEqual(self.g.request("GET", "/health")[0], 200)
        self.assertEqual(self.g.request("GET", "/agents/app-1.js")[0], 404)
        self.assertEqual(self.g.request("GET", "/agents/app-2.js")[0], 404)
        self.assertEqual(self.g.request("GET", "/no/such/route/123")[0], 404)
        self.assertEqual(self.g.request("POST", "/health")[0], 405)
        self.assertEqual(self.g.request("GET", "/api/orchestrator/health")[0], 403)
        self.assertEqual(self.g.request("BREW", "/health")[0], 501)   # unknown methods are refused before routing
        after = self.scrape()

        def delta(method, route, status):
            labels = {"method": method, "route": route, "status": str(status)}
            return (value_of(after, "growth_http_requests_total", **labels)
                    - value_of(before, "growth_http_requests_total", **labels))

        self.assertEqual(delta("GET", "/health", 200), 3)
        self.assertEqual(delta("GET", "/agents/{file}", 404), 2)
        self.assertEqual(delta("GET", "unmatched", 404), 1)
        self.assertEqual(delta("POST", "/health", 405), 1)
        self.assertEqual(delta("GET", "/api/orchestrator/health", 403), 1)
        self.assertEqual(delta("OTHER", "unmatched", 501), 1)
        self.assertEqual(delta("GET", "/metrics", 200), 1)   # the first scrape, counted once answered
        for _, labels, _ in after["growth_http_requests_total"]["samples"]:
            self.assertNotIn("app-1", labels["route"])
            self.assertNotIn("123", labels["route"])

        histogram = "growth_http_request_duration_seconds"
        self.assertEqual(after[histogram]["type"], "histogram")
        labels = {"method": "GET", "route": "/health", "status": "200"}
        self.assertEqual(value_of(after, histogram, "_count", **labels)
                         - value_of(before, histogram, "_count", **labels), 3)
        self.assertGreater(value_of(after, histogram, "_sum", **labels), 0)
        self.assertEqual(value_of(after, histogram, "_bucket", le="+Inf", **labels),
                         value_of(after, histogram, "_count", **labels))

    def test_families_have_help_and_type(self):
        families = self.scrape()
        for name in ("growth_http_requests_total", "growth_http_request_duration_seconds",
                     "growth_http_requests_in_flight", "growth_auth_failures_total"):
            self.assertIn(name, families)
            self.assertTrue(families[name]["help"], name)
        self.assertEqual(families["growth_http_requests_total"]["type"], "counter")
        self.assertEqual(families["growth_http_requests_in_flight"]["type"], "gauge")
        self.assertEqual(value_of(families, "growth_http_requests_in_flight"), 1)   # the scrape itself


class MetricsWithKeys(unittest.TestCase):
    def test_scrape_needs_a_key_and_failures_are_counted(self):

        redis = Redis().start()
        key = "prometheus-scraper-key"
        g = Growthd(env={"REDIS_URL": redis.url,
                         "GROWTH_API_KEYS": f"prometheus:{hashlib.sha256(key.encode()).hexdigest()}"}).start()
        try:
            self.assertEqual(g.request("GET", "/metrics")[0], 401)
            self.assertEqual(g.request("GET", "/metrics", headers={"Authorization": "Bearer nope"})[0], 401)
            status, _, data = g.request("GET", "/metrics", headers={"Authorization": f"Bearer {key}"})
            self.assertEqual(status, 200)
            families = parse_exposition(data.decode())
            self.assertEqual(value_of(families, "growth_auth_failures_total", reason="missing"), 1)
            self.assertEqual(value_of(families, "growth_auth_failures_total", reason="invalid_key"), 1)
            self.assertEqual(value_of(families, "growth_http_requests_total", method="GET", route="/metrics",
                                      status="401"), 2)
        finally:
            g.cleanup()
            redis.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
