"""Hostile-input suite for growthd's HTTP API: one driver, one case file per bad request.

Runs every tests/http_cases/NNNN-short-name.case against the real growthd (and a real redis-server),
both started by tests/lib/harness.py, prints one line per case, and fails when any case fails or when
a growthd log holds a sanitizer report. Usage:

    /usr/bin/python3 tests/http_cases/run_cases.py [NNNN ...]     # all cases, or only these numbers

Case file format (in the spirit of curl's tests/data/testNNNN). Lines before the first section are
"key: value" fields; '#' starts a comment line there.

    name: what the case proves (one line)
    config: KEY=VALUE ...         environment for growthd; cases sharing a config share one growthd.
                                  Every growthd gets REDIS_URL (the suite's redis) and
                                  GROWTH_DASHBOARD_DIR (a scratch folder holding index.html and app.js,
                                  next to a file "secret.html" that must never be served).
    send: all                     (default) send the whole request at once, then read.
    send: head-first              send [request], read the answer, and only then send [body]: the
                                  answer must arrive before the body is sent (413 before reading).
    send: dribble S N [C]         open C connections (default 1) and send the first N bytes of the
                                  request one byte per connection every S seconds; after each byte a
                                  fresh client must get 200 from GET /health while the slow ones are
                                  still open and unanswered; then send the rest and check as usual.
    send: split S                 send [request], wait S seconds, then send [body] (a pause mid-request).
    send: parallel N              send the whole request on N connections at once, from N threads;
                                  every one of them must meet the expectations.
    timeout: SECONDS              how long to wait for an answer or a close (default 5).
    expect: status NNN            the first response has this status.
    expect: statuses A B C        exactly these responses, in order (pipelining); "100*200" is 100 times 200.
    expect: code CODE             the first response is a growthd JSON error {"error":{"code":CODE,...}}.
    expect: header Name: value    the first response has this header with this exact value.
    expect: body-has TEXT         the first response's body contains TEXT (escapes below apply).
    expect: body-lacks TEXT       ... does not contain TEXT.
    expect: log-lacks TEXT        growthd's log, after the case, does not contain TEXT (escapes apply).
    expect: closed                the server closes the connection after its answer(s).
    expect: no-response           the server closes the connection without sending a byte.

    [request]
    ...the bytes sent on the wire...
    [body]
    ...more bytes, sent after [request]; $LENGTH in [request] becomes their count...

In [request] and [body] the file's own line breaks are layout only and are NOT sent: every byte is
written explicitly, so "\\r\\n" ends a line on the wire and bare "\\n" is a bare LF. Escapes: \\r \\n \\t
\\0 \\xHH \\\\. A line "@repeat N TEXT" sends TEXT (escapes apply) N times, which keeps 10 MB bodies and
100000-level JSON out of the repository.

Always, after every case, a fresh connection must get 200 from GET /health: the server survived.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import Growthd, Redis  # noqa: E402

CASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET = b"hostile-suite-secret-outside-the-dashboard"
DEFAULT_TIMEOUT = 5.0


class CaseError(Exception):
    pass


# ---------------------------------------------------------------- case files

def unescape(text):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        nxt = text[i + 1:i + 2]
        simple = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\"}
        if nxt in simple:
            out += simple[nxt]
            i += 2
        elif nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2:i + 4]):
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            raise CaseError(f"bad escape {text[i:i + 4]!r}")
    return bytes(out)


def section_bytes(lines):
    out = bytearray()
    for line in lines:
        match = re.match(r"@repeat (\d+) (.*)$", line)
        if match:
            out += unescape(match.group(2)) * int(match.group(1))
        else:
            out += unescape(line)
    return bytes(out)


def load_case(path):
    case = {"path": path, "number": os.path.basename(path)[:4], "config": {}, "send": ["all"],
            "timeout": DEFAULT_TIMEOUT, "expect": [], "name": ""}
    sections = {}
    current = None
    with open(path, encoding="utf-8") as f:
        for raw in f.read().split("\n"):
            if raw in ("[request]", "[body]"):
                current = raw[1:-1]
                sections[current] = []
            elif current:
                if raw:
                    sections[current].append(raw)
            elif raw.strip() and not raw.startswith("#"):
                key, _, value = raw.partition(":")
                key, value = key.strip(), value.strip()
                if key == "name":
                    case["name"] = value
                elif key == "config":
                    for pair in value.split():
                        name, _, setting = pair.partition("=")
                        case["config"][name] = setting
                elif key == "send":
                    case["send"] = value.split()
                elif key == "timeout":
                    case["timeout"] = float(value)
                elif key == "expect":
                    kind, _, argument = value.partition(" ")
                    case["expect"].append((kind, argument))
                else:
                    raise CaseError(f"{path}: unknown field {key!r}")
    if "request" not in sections or not case["name"] or not case["expect"]:
        raise CaseError(f"{path}: needs name:, at least one expect: and a [request] section")
    body = section_bytes(sections.get("body", []))
    case["request"] = section_bytes(sections["request"]).replace(b"$LENGTH", str(len(body)).encode())
    case["body"] = body
    return case


# ---------------------------------------------------------------- responses

class Reader:
    """Reads HTTP/1.1 responses off a socket; remembers whether the peer closed."""

    def __init__(self, sock, timeout):
        self.sock = sock
        self.buffer = b""
        self.eof = False
        self.deadline = time.monotonic() + timeout

    def fill(self):
        if self.eof:
            return False
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            return False
        self.buffer += data
        return True

    def response(self, head_only=False):
        """The next response as (status, headers, body), or None at EOF/timeout."""
        while b"\r\n\r\n" not in self.buffer:
            if not self.fill():
                return None
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        match = re.match(rb"HTTP/1\.[01] (\d{3})", lines[0])
        if not match:
            raise CaseError(f"not an HTTP response: {lines[0][:80]!r}")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
        length = 0 if head_only else int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self.fill():
                raise CaseError(f"response body cut short ({len(self.buffer)} of {length} bytes)")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(match.group(1)), headers, body

    def wait_close(self):
        while self.fill():
            pass
        return self.eof


def connect(port, timeout=DEFAULT_TIMEOUT):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def send_quietly(sock, data):
    """Sends what the server still accepts; a server that closed early is not the client's failure."""
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def health_ok(port):
    try:
        with connect(port) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            answer = Reader(sock, DEFAULT_TIMEOUT).response()
            return answer is not None and answer[0] == 200
    except OSError:
        return False


# ---------------------------------------------------------------- running a case

def expected_statuses(argument):
    statuses = []
    for word in argument.split():
        count, _, status = word.rpartition("*")
        statuses += [int(status)] * int(count or 1)
    return statuses


def expected_count(case):
    for kind, argument in case["expect"]:
        if kind == "statuses":
            return len(expected_statuses(argument))
        if kind == "no-response":
            return 0
    return 1


def read_answers(reader, case):
    head_only = case["request"].startswith(b"HEAD ")
    answers = []
    for _ in range(expected_count(case)):
        answer = reader.response(head_only)
        if answer is None:
            break
        answers.append(answer)
    return answers


def check_answers(case, answers, reader, server):
    first = answers[0] if answers else None

    def need_first(what):
        if first is None:
            raise CaseError(f"expected {what}, got no response" + (" (connection closed)" if reader.eof else ""))
        return first

    for kind, argument in case["expect"]:
        if kind == "status":
            status = need_first(f"status {argument}")[0]
            if status != int(argument):
                raise CaseError(f"status {status}, expected {argument}; body {first[2][:200]!r}")
        elif kind == "statuses":
            got = [a[0] for a in answers]
            if got != expected_statuses(argument):
                raise CaseError(f"statuses {got}, expected {argument}")
        elif kind == "code":
            body = need_first(f"error code {argument}")[2]
            match = re.search(rb'^\{"error":\{"code":"([a-z_]+)","message":', body)
            if not match or match.group(1).decode() != argument:
                raise CaseError(f"error body {body[:200]!r}, expected code {argument}")
        elif kind == "header":
            name, _, value = argument.partition(":")
            got = need_first(f"header {name}")[1].get(name.strip().lower())
            if got != value.strip():
                raise CaseError(f"header {name}: {got!r}, expected {value.strip()!r}")
        elif kind == "body-has":
            if unescape(argument) not in need_first(f"a body with {argument}")[2]:
                raise CaseError(f"body lacks {argument!r}: {first[2][:200]!r}")
        elif kind == "body-lacks":
            if first is not None and unescape(argument) in first[2]:
                raise CaseError(f"body holds {argument!r}")
        elif kind == "log-lacks":
            time.sleep(0.1)  # the access line is written just after the response is queued
            if unescape(argument).decode("latin-1") in server.log():
                raise CaseError(f"growthd's log holds {argument!r}")
        elif kind == "closed":
            if not reader.wait_close():
                raise CaseError("the server kept the connection open")
        elif kind == "no-response":
            if not reader.wait_close() or answers or reader.buffer:
                raise CaseError(f"expected a close without an answer, got {reader.buffer[:120]!r}")
        else:
            raise CaseError(f"unknown expectation {kind!r}")
    if expected_count(case) and len(answers) < expected_count(case):
        raise CaseError(f"{len(answers)} responses, expected {expected_count(case)}")


def run_plain(case, server):
    port = server.port
    mode = case["send"]
    with connect(port) as sock:
        if mode[0] == "all":
            send_quietly(sock, case["request"] + case["body"])
        elif mode[0] == "split":
            send_quietly(sock, case["request"])
            time.sleep(float(mode[1]))
            send_quietly(sock, case["body"])
        elif mode[0] == "head-first":
            send_quietly(sock, case["request"])
            reader = Reader(sock, case["timeout"])
            answers = read_answers(reader, case)
            if not answers:
                raise CaseError("no answer before the body was sent")
            send_quietly(sock, case["body"])
            check_answers(case, answers, reader, server)
            return
        else:
            raise CaseError(f"unknown send mode {mode}")
        reader = Reader(sock, case["timeout"])
        check_answers(case, read_answers(reader, case), reader, server)


def run_dribble(case, server):
    port = server.port
    interval, count = float(case["send"][1]), int(case["send"][2])
    connections = int(case["send"][3]) if len(case["send"]) > 3 else 1
    data = case["request"] + case["body"]
    if count >= len(data):
        raise CaseError("dribble count must leave part of the request to send at the end")
    socks = [connect(port) for _ in range(connections)]
    try:
        for i in range(count):
            for sock in socks:
                if not send_quietly(sock, data[i:i + 1]):
                    raise CaseError(f"the server closed a slow connection after {i} bytes")
            time.sleep(interval)
            if not health_ok(port):
                raise CaseError(f"GET /health was not served while {connections} slow client(s) sent byte {i + 1}")
            for sock in socks:
                sock.setblocking(False)
                try:
                    early = sock.recv(1, socket.MSG_PEEK)
                except BlockingIOError:
                    early = None
                sock.setblocking(True)
                if early is not None:
                    raise CaseError(f"a slow connection was answered or closed after {i + 1} bytes: {early!r}")
        for sock in socks:
            send_quietly(sock, data[count:])
        for sock in socks:
            reader = Reader(sock, case["timeout"])
            check_answers(case, read_answers(reader, case), reader, server)
    finally:
        for sock in socks:
            sock.close()


def run_parallel(case, server):
    count = int(case["send"][1])
    one = dict(case, send=["all"])
    errors = []

    def attempt():
        try:
            run_plain(one, server)
        except (CaseError, OSError) as error:
            errors.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise CaseError(f"{len(errors)} of {count} connections failed; first: {errors[0]}")


def run_case(case, server):
    if case["send"][0] == "dribble":
        run_dribble(case, server)
    elif case["send"][0] == "parallel":
        run_parallel(case, server)
    else:
        run_plain(case, server)
    if not health_ok(server.port):
        raise CaseError("GET /health failed after the case: the server did not survive")


# ---------------------------------------------------------------- the suite

def make_dashboard(root):
    dashboard = os.path.join(root, "dashboard")
    os.makedirs(dashboard)
    with open(os.path.join(dashboard, "index.html"), "w") as f:
        f.write("<!doctype html><title>hostile suite dashboard</title>\n")
    with open(os.path.join(dashboard, "app.js"), "w") as f:
        f.write("console.log('hostile suite');\n")
    with open(os.path.join(root, "secret.html"), "wb") as f:
        f.write(SECRET + b"\n")
    return dashboard


def main(argv):
    wanted = set(argv)
    paths = sorted(os.path.join(CASE_DIR, n) for n in os.listdir(CASE_DIR)
                   if re.fullmatch(r"\d{4}-[a-z0-9-]+\.case", n) and (not wanted or n[:4] in wanted))
    cases = [load_case(p) for p in paths]
    scratch = tempfile.mkdtemp(prefix="growth-http-cases-")
    redis = Redis().start()
    servers = {}
    failures = 0
    sanitizer_failures = 0
    started = time.monotonic()
    try:
        base = {"REDIS_URL": redis.url, "GROWTH_DASHBOARD_DIR": make_dashboard(scratch)}
        for case in cases:
            key = tuple(sorted(case["config"].items()))
            if key not in servers:
                servers[key] = Growthd(env=dict(base, **case["config"])).start()
            server = servers[key]
            name = os.path.basename(case["path"])[:-5]
            try:
                run_case(case, server)
                print(f"ok    {name}: {case['name']}", flush=True)
            except (CaseError, OSError) as error:
                failures += 1
                print(f"FAIL  {name}: {case['name']}\n      {error}", flush=True)
                if not health_ok(server.port):
                    try:  # a sanitizer report takes a moment to write before the process ends
                        server.process.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        pass
                    print(f"      growthd is down (exit {server.process.poll()}); log:\n{server.log()[-3000:]}")
                    del servers[key]  # the next case with this configuration starts a fresh growthd
                    try:
                        server.cleanup()
                    except AssertionError:
                        sanitizer_failures += 1
    finally:
        for server in servers.values():
            try:
                server.cleanup()  # stops growthd and raises on any sanitizer report in its log
            except AssertionError as error:
                sanitizer_failures += 1
                print(f"FAIL  sanitizer report in a growthd log:\n{error}", flush=True)
        redis.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{len(cases) - failures}/{len(cases)} cases passed, {len(servers)} growthd configuration(s), "
          f"{sanitizer_failures} sanitizer report(s), {time.monotonic() - started:.1f}s")
    return 1 if failures or sanitizer_failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
