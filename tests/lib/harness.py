"""Test harness shared by the integration suites.

Starts a real redis-server and the real growthd binary on free loopback ports,
and talks HTTP to them with the standard library only. Every suite runs with
Debian's /usr/bin/python3 (see tests/integration/CMakeLists.txt).
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

SOURCE_DIR = os.environ.get("GROWTH_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
GROWTHD_BIN = os.environ.get("GROWTHD_BIN", os.path.join(SOURCE_DIR, "build", "growthd"))


# Sanitizer settings reach every growthd the tests start, so the sanitized build fails loudly.
PASS_THROUGH = ("PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def base_env():
    # No profile unless a test names one: growthd's default is the demo profile, whose inputs are for the
    # five real agents, not for the test agents most suites launch.
    env = {"GROWTH_PROFILE": ""}
    env.update({k: os.environ[k] for k in PASS_THROUGH if k in os.environ})
    return env


def check_sanitizers(text, what):
    for marker in SANITIZER_MARKERS:
        if marker in text:
            raise AssertionError(f"{what}: sanitizer report:\n{text[-4000:]}")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Redis:
    """A throwaway redis-server on a loopback port, without persistence."""

    def __init__(self, port=None, password=None):
        self.port = port or free_port()
        self.password = password
        self.process = None

    @property
    def url(self):
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}"

    def start(self):
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"]
        if self.password:
            args += ["--requirepass", self.password]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.ping, what=f"redis on port {self.port}")
        return self

    def ping(self):
        try:
            return self.cli("PING").strip() == "PONG"
        except subprocess.CalledProcessError:
            return False

    def cli(self, *args):
        base = ["redis-cli", "-p", str(self.port)]
        if self.password:
            base += ["-a", self.password, "--no-auth-warning"]
        return subprocess.run(base + [str(a) for a in args], check=True, capture_output=True, text=True,
                              timeout=10).stdout

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class Growthd:
    """The real growthd binary, with stderr captured to a file for assertions."""

    def __init__(self, env=None, args=("serve",), port=None):
        self.port = port or free_port()
        self.env = dict(base_env(), PORT=str(self.port), GROWTH_BIND_ADDRESS="127.0.0.1")
        self.env.update(env or {})
        self.args = list(args)
        self.process = None
        self.log_dir = tempfile.mkdtemp(prefix="growthd-test-")
        self.log_path = os.path.join(self.log_dir, "stderr.log")

    def start(self, wait=True):
        self.log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen([GROWTHD_BIN] + self.args, env=self.env, stdout=subprocess.PIPE,
                                        stderr=self.log_file)
        if wait:
            wait_until(self._ready, what="growthd /health")
        return self

    def _ready(self):
        if self.process.poll() is not None:
            raise AssertionError(f"growthd exited with {self.process.returncode}:\n{self.log()}")
        try:
            return self.request("GET", "/health")[0] == 200
        except OSError:
            return False

    def request(self, method, path, body=None, headers=None, timeout=10):
        """Returns (status, headers dict with lower-case names, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
                headers = dict(headers or {}, **{"Content-Type": "application/json"})
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()

    def json(self, method, path, body=None, headers=None, timeout=10):
        status, response_headers, data = self.request(method, path, body, headers, timeout)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            raise AssertionError(f"{method} {path}: body is not JSON: {data[:200]!r}")
        return status, parsed

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if not self.process:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)
        self.log_file.close()
        code = self.process.returncode
        self.process = None
        check_sanitizers(self.log(), "growthd")
        return code

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.log_dir, ignore_errors=True)


def run_growthd(args, env=None, timeout=30, input_text=None):
    """Runs growthd to completion; returns CompletedProcess with text output."""
    full_env = base_env()
    full_env.update(env or {})
    result = subprocess.run([GROWTHD_BIN] + list(args), env=full_env, capture_output=True, text=True,
                            timeout=timeout, input=input_text)
    check_sanitizers(result.stderr, "growthd " + " ".join(args))
    return result


def main():
    unittest.main(verbosity=2)
