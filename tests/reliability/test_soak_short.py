"""A two-minute run of the soak (bench/soak/soak.py): the API and two workers with jobs launched every second
and 20 SSE clients on /api/orchestrator/events. It must end with every process exiting 0, every SSE client
connected throughout and seeing the same events, Redis memory bounded by retention and no API error; RSS
must stay flat after warm-up (not judged for sanitized builds, whose allocator holds freed memory in
quarantine). The long soak is `bash bench/soak/run.sh` (10 minutes, hours by option)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import GROWTHD_BIN, SOURCE_DIR  # noqa: E402


def sanitized(binary):
    linked = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    return "libasan" in linked or "libubsan" in linked


class ShortSoak(unittest.TestCase):
    def test_two_minutes_with_sse_clients(self):
        out = tempfile.mkdtemp(prefix="growthd-rel-soak-")
        try:
            args = [sys.executable, "-u", os.path.join(SOURCE_DIR, "bench", "soak", "soak.py"), "--minutes", "2",
                    "--rate", "10", "--sse-clients", "20", "--out", out]
            if sanitized(GROWTHD_BIN):
                args.append("--no-rss-check")
            done = subprocess.run(args, capture_output=True, text=True, timeout=400,
                                  env=dict(os.environ, GROWTHD_BIN=GROWTHD_BIN, GROWTH_SOURCE_DIR=SOURCE_DIR))
            summary = "\n".join(line for line in done.stdout.splitlines() if line.startswith("soak:"))
            print(summary, file=sys.stderr)
            self.assertEqual(done.returncode, 0, f"{summary}\n{done.stderr[-3000:]}")
            self.assertIn("0 reconnects", summary)
            self.assertIn("API errors 0", summary)
            self.assertTrue(os.path.getsize(os.path.join(out, "soak.png")) > 0)
        finally:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
