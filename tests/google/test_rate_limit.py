"""The shared rate limiter (core/net/rate_limit): one budget across processes through Redis,
waiting within the bound, failing retryable beyond it, and the in-process twin."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from support import FIXTURE_BIN, FAST_RETRIES, run_fixture  # noqa: E402
from harness import Redis, free_port  # noqa: E402
import json  # noqa: E402


class RateLimitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = Redis().start()

    @classmethod
    def tearDownClass(cls):
        cls.redis.stop()

    def env(self, **extra):
        env = {"REDIS_URL": self.redis.url, "GROWTH_RATE_WAIT_MAX_MS": "0"}
        env.update(extra)
        return env

    def test_budget_is_shared_by_two_processes(self):
        # 10 calls per hour: whatever the interleaving, exactly 10 of the 2 x 10 attempts pass.
        env = dict(os.environ, **FAST_RETRIES, **self.env())
        args = [FIXTURE_BIN, "ratelimit", "shared_test", "10", "3600000", "10"]
        first = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
        second = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
        lines = []
        for process in (first, second):
            out, _ = process.communicate(timeout=60)
            lines += [json.loads(line) for line in out.splitlines()]
        self.assertEqual(len(lines), 20)
        passed = [line for line in lines if line["ok"]]
        refused = [line["error"] for line in lines if not line["ok"]]
        self.assertEqual(len(passed), 10)
        for error in refused:
            self.assertEqual(error["code"], "rate_limited")
            self.assertTrue(error["retryable"])
            self.assertIn("shared_test", error["message"])
            self.assertIn("GROWTH_RATE_WAIT_MAX_MS", error["message"])
        self.assertTrue(self.redis.cli("EXISTS", "growth:rate:shared_test").strip() == "1")

    def test_waits_for_a_slot_within_the_bound(self):
        # 4 per second with a 5 s bound: 10 calls all pass, by waiting.
        lines = run_fixture(["ratelimit", "wait_test", "4", "1000", "10"],
                            env=self.env(GROWTH_RATE_WAIT_MAX_MS="5000"))
        self.assertEqual([line["ok"] for line in lines], [True] * 10)

    def test_zero_count_means_no_limit(self):
        lines = run_fixture(["ratelimit", "off_test", "0", "1000", "50"], env=self.env())
        self.assertTrue(all(line["ok"] for line in lines))
        self.assertEqual(self.redis.cli("EXISTS", "growth:rate:off_test").strip(), "0")

    def test_in_process_limiter_without_redis(self):
        lines = run_fixture(["ratelimit", "local_test", "3", "3600000", "5", "--local"],
                            env={"REDIS_URL": f"redis://127.0.0.1:{free_port()}", "GROWTH_RATE_WAIT_MAX_MS": "0"})
        self.assertEqual([line["ok"] for line in lines], [True, True, True, False, False])

    def test_redis_down_is_a_retryable_unavailable_error(self):
        lines = run_fixture(["ratelimit", "down_test", "3", "1000", "1"],
                            env={"REDIS_URL": f"redis://127.0.0.1:{free_port()}"})
        self.assertEqual(lines[0]["error"]["code"], "unavailable")
        self.assertTrue(lines[0]["error"]["retryable"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
