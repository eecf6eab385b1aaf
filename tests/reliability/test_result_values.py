"""Results the queue must carry as they are: a string with a zero byte (valid JSON as \\u0000) completes
the job instead of failing it as "not JSON"."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fleet import Fleet  # noqa: E402


class ResultValues(unittest.TestCase):
    def setUp(self):
        self.fleet = Fleet()

    def tearDown(self):
        self.fleet.cleanup()

    def test_a_zero_byte_in_a_result_string_completes_the_job(self):
        self.fleet.start_worker(concurrency=1)
        ids = self.fleet.launch(["zerobyte"])
        job = self.fleet.wait_finished(ids, timeout=60)[ids[0]]
        self.assertIn("returnvalue", job, job.get("failedReason"))
        self.assertEqual(json.loads(job["returnvalue"]), {"text": "a\0b"})
        self.assertEqual(self.fleet.stop_all(), [0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
