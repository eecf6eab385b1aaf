"""Helpers of the Google suite: paths, the fixture runner, Redis and test keys."""
import json
import os
import subprocess
import sys

SOURCE_DIR = os.environ.get("GROWTH_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
FIXTURE_BIN = os.environ.get("GOOGLE_FIXTURE_BIN", os.path.join(SOURCE_DIR, "build", "tests", "google", "google_fixture"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "standins"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "lib"))

FAST_RETRIES = {"GROWTH_HTTP_BACKOFF_MS": "20", "GROWTH_HTTP_BACKOFF_MAX_MS": "100", "GROWTH_HTTP_MAX_ATTEMPTS": "3",
                "GROWTH_HTTP_TIMEOUT_MS": "5000", "GROWTH_LOG_LEVEL": "warn"}


def run_fixture(args, env=None, timeout=60):
    """Runs google_fixture; returns the list of JSON lines it printed (one per call)."""
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if name in os.environ:
            full_env[name] = os.environ[name]
    full_env.update(FAST_RETRIES)
    full_env.update(env or {})
    done = subprocess.run([FIXTURE_BIN] + [str(a) for a in args], env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode not in (0, 1):
        raise AssertionError(f"google_fixture {args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    if not lines:
        raise AssertionError(f"google_fixture {args} printed nothing:\n{done.stderr}")
    return lines


def run_one(args, env=None, timeout=60):
    return run_fixture(args, env, timeout)[-1]
