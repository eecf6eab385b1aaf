"""The stand-ins' fault switches themselves: a test that injects a fault must get exactly the fault it asked for."""
import json
import os
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "standins"))
from standin import StandIn, json_answer  # noqa: E402


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


class StandInFaults(unittest.TestCase):
    def setUp(self):
        self.server = StandIn()
        self.server.route("GET", r"/v1/items/(\w+)", lambda request: json_answer(200, {"ok": True}))
        self.server.route("POST", r"/v1/items/(\w+)", lambda request: json_answer(200, {"ok": True}))
        self.server.start()
        self.base = f"http://127.0.0.1:{self.server.port}"

    def tearDown(self):
        self.server.stop()

    def test_skip_lets_the_first_requests_through(self):
        self.server.add_fault("status", status=503, skip=2, count=1)
        self.assertEqual([call(self.base, "GET", "/v1/items/a") for _ in range(4)], [200, 200, 503, 200])

    def test_method_and_match_narrow_the_fault(self):
        self.server.add_fault("status", status=500, method="POST", match=r"/items/b$", count=-1)
        self.assertEqual(call(self.base, "GET", "/v1/items/b"), 200)
        self.assertEqual(call(self.base, "POST", "/v1/items/a", {}), 200)
        self.assertEqual(call(self.base, "POST", "/v1/items/b", {}), 500)
        self.assertEqual(call(self.base, "POST", "/v1/items/b", {}), 500)

    def test_rate_hits_a_reproducible_share(self):
        def run():
            self.server.clear_faults()
            self.server.add_fault("status", status=429, count=-1, rate=0.2, seed=7)
            return [call(self.base, "GET", "/v1/items/x") for _ in range(200)]
        first = run()
        hits = first.count(429)
        self.assertTrue(20 <= hits <= 60, f"{hits} of 200 hit at rate 0.2")
        self.assertEqual(run(), first)

    def test_control_endpoint_refuses_a_bad_rate(self):
        self.assertEqual(call(self.base, "POST", "/__control/faults", {"kind": "status", "rate": 2}), 400)
        self.assertEqual(call(self.base, "POST", "/__control/faults", {"kind": "drop", "match": "("}), 400)


if __name__ == "__main__":
    unittest.main()
