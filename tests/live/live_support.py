"""Helpers of the live suite: the bindings suite's AgentTest (growthd run on agents a test writes), the stand-ins,
fast retry settings, and the live_fixture runner."""
import json
import os
import subprocess
import sys

SOURCE_DIR = os.environ.get("GROWTH_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
FIXTURE_BIN = os.environ.get("LIVE_FIXTURE_BIN", os.path.join(SOURCE_DIR, "build", "tests", "live", "live_fixture"))
for folder in ("standins", "lib", "bindings"):
    sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", folder))

from agent_runner import AgentTest  # noqa: E402
import harness  # noqa: E402

FAST_RETRIES = {"GROWTH_HTTP_BACKOFF_MS": "20", "GROWTH_HTTP_BACKOFF_MAX_MS": "100", "GROWTH_HTTP_MAX_ATTEMPTS": "3",
                "GROWTH_LOG_LEVEL": "warn"}


class LiveAgentTest(AgentTest):
    """AgentTest whose jobs get the fast retry settings plus the test's live settings (self.live_env())."""

    def live_env(self):
        return {}

    def run_agent(self, name, env=None, profile=None):
        full = dict(FAST_RETRIES)
        full.update(self.live_env())
        full.update(env or {})
        return super().run_agent(name, full, profile)

    def run_error(self, name, env=None):
        """Runs an agent that returns {code, message, retryable, status} of a pcall'd failure."""
        result = self.run_ok(name, env)
        self.assertIn("code", result, result)
        return result


CATCH = """
local ok, err = pcall(function() %s end)
if ok then return { code = "none" } end
if type(err) ~= "table" then return { code = "lua", message = tostring(err) } end
return { code = err.code, message = err.message, retryable = err.retryable, status = err.status }
"""


def catching(lua_call):
    """The body of an agent that runs lua_call and returns its error's fields (code "none" when it succeeds)."""
    return CATCH % lua_call


def run_fixture(args, env, timeout=60):
    """Runs live_fixture; returns its JSON line."""
    full_env = harness.base_env()
    full_env.update(FAST_RETRIES)
    full_env.update(env)
    done = subprocess.run([FIXTURE_BIN] + list(args), env=full_env, capture_output=True, text=True, timeout=timeout)
    harness.check_sanitizers(done.stderr, "live_fixture")
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise AssertionError(f"live_fixture {args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


main = harness.main
