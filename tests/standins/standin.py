"""Shared base of the stand-in servers for external APIs (Google, OpenAI, Twilio, ...).

A stand-in is a threaded HTTP/1.1 server on a loopback port (keep-alive, so
clients can reuse connections) with:

- routes: (method, regex) -> handler(request) returning (status, headers, body);
- a record of every request (method, path, query, headers with secrets masked,
  body and its SHA-256) that a test reads in-process or at GET /__control/requests;
- per-test faults, set in-process (add_fault) or with POST /__control/faults:
    {"kind": "slow",   "delay": 0.5}                      answer normally after a delay
    {"kind": "status", "status": 429, "retry_after": "1", "body": {...}}   answer that status
    {"kind": "status", "status": 200, "raw": "not json"}  answer these exact bytes
    {"kind": "drop"}                                      close the connection without answering
    {"kind": "hang",   "delay": 30}                       read the request, answer nothing for delay s
    {"kind": "lost"}                                      process the request, then drop the answer
  each with optional "count" (how many matching requests it applies to; default 1,
  -1 forever), "path" (a prefix the request path must start with), "match" (a regular
  expression searched in the path), "method" (the request method), "skip" (let this many
  matching requests through first: a fault in the middle of a run) and "rate" (a share in
  0..1 of matching requests it hits, drawn from a generator seeded with "seed", default 1,
  so a run is reproducible).
  DELETE /__control/faults clears them; DELETE /__control/requests clears the record.

Run alone: `python3 standin.py` prints "PORT <n>" and serves a stand-in with no routes
(useful for the HTTP client's own tests and benchmarks, with /echo and /status/<n>).
"""
import hashlib
import http.server
import json
import random
import re
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

SECRET_HEADERS = {"authorization", "proxy-authorization", "x-api-key"}


class Request:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query            # dict name -> list of values
        self.headers = headers        # dict with lower-case names
        self.body = body              # bytes
        self.match = None

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def json_answer(status, value, headers=None):
    body = json.dumps(value).encode()
    merged = {"Content-Type": "application/json; charset=UTF-8"}
    merged.update(headers or {})
    return status, merged, body


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class StandIn:
    """Base class: subclasses call self.route(method, pattern, handler) in __init__."""

    def __init__(self, port=0):
        self.routes = []
        self.records = []
        self.faults = []
        self.lock = threading.Lock()
        self.connections = 0
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True   # headers and body are separate writes: no 40 ms delayed-ACK stall

            def setup(self):
                super().setup()
                with stand_in.lock:
                    stand_in.connections += 1

            def log_message(self, *args):
                pass

            def do_any(self):
                stand_in._serve(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_any

        self.server = _Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = None
        self.scheme = "http"
        self.route("GET", r"/__control/requests", self._control_requests)
        self.route("DELETE", r"/__control/requests", self._control_clear_requests)
        self.route("POST", r"/__control/faults", self._control_add_fault)
        self.route("DELETE", r"/__control/faults", self._control_clear_faults)
        self.route("GET", r"/__control/stats", lambda r: json_answer(200, {"connections": self.connections}))

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def use_tls(self, cert_path, key_path):
        """Serves HTTPS with this certificate (call before start; see tls_certs.make_certificates)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "https"
        return self

    def route(self, method, pattern, handler):
        self.routes.append((method, re.compile(pattern + r"\Z"), handler))

    # ---- lifecycle ----
    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # ---- test API ----
    def add_fault(self, kind, count=1, path=None, match=None, method=None, skip=0, rate=None, seed=1, **options):
        if rate is not None and not 0 <= float(rate) <= 1:
            raise ValueError("rate must be within 0..1")
        with self.lock:
            self.faults.append(dict(options, kind=kind, count=count, path=path,
                                    match=re.compile(match) if match else None, method=method,
                                    skip=int(skip), rate=None if rate is None else float(rate),
                                    random=random.Random(seed)))

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def requests(self, path_prefix=None):
        with self.lock:
            return [r for r in self.records if not path_prefix or r["path"].startswith(path_prefix)]

    def clear_requests(self):
        with self.lock:
            self.records.clear()

    # ---- control endpoints ----
    def _control_requests(self, request):
        return json_answer(200, self.requests())

    def _control_clear_requests(self, request):
        self.clear_requests()
        return json_answer(200, {})

    def _control_add_fault(self, request):
        spec = request.json()
        kind = spec.pop("kind", None)
        if kind not in ("slow", "status", "drop", "hang", "lost"):
            return json_answer(400, {"error": "kind must be slow, status, drop, hang or lost"})
        try:
            self.add_fault(kind, **spec)
        except (ValueError, TypeError, re.error) as error:
            return json_answer(400, {"error": f"bad fault: {error}"})
        return json_answer(200, {})

    def _control_clear_faults(self, request):
        self.clear_faults()
        return json_answer(200, {})

    # ---- serving ----
    @staticmethod
    def _fault_matches(fault, method, path):
        if fault["path"] and not path.startswith(fault["path"]):
            return False
        if fault["match"] and not fault["match"].search(path):
            return False
        return not fault["method"] or fault["method"] == method

    def _take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault["count"] == 0 or not self._fault_matches(fault, method, path):
                    continue
                if fault["skip"] > 0:
                    fault["skip"] -= 1
                    continue
                if fault["rate"] is not None and fault["random"].random() >= fault["rate"]:
                    continue
                if fault["count"] > 0:
                    fault["count"] -= 1
                return dict(fault)
        return None

    def _record(self, request):
        headers = {k: ("***" if k in SECRET_HEADERS else v) for k, v in request.headers.items()}
        entry = {"method": request.method, "path": request.path, "query": request.query, "headers": headers,
                 "body": request.body.decode("utf-8", "replace") if len(request.body) <= 65536 else None,
                 "body_sha256": hashlib.sha256(request.body).hexdigest(), "body_size": len(request.body),
                 "time": time.time()}
        with self.lock:
            self.records.append(entry)

    def _serve(self, handler):
        parsed = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        request = Request(handler.command, parsed.path, urllib.parse.parse_qs(parsed.query, keep_blank_values=True),
                          headers, body)
        control = parsed.path.startswith("/__control/")
        if not control:
            self._record(request)
        fault = None if control else self._take_fault(handler.command, parsed.path)
        if fault and fault["kind"] == "drop":
            self._drop(handler)
            return
        if fault and fault["kind"] == "hang":
            time.sleep(float(fault.get("delay", 30)))
            self._drop(handler)
            return
        if fault and fault["kind"] == "lost":
            self._dispatch(request)
            self._drop(handler)
            return
        if fault and fault["kind"] == "slow":
            time.sleep(float(fault.get("delay", 1)))
        if fault and fault["kind"] == "status":
            status = int(fault.get("status", 500))
            extra = {"Retry-After": str(fault["retry_after"])} if fault.get("retry_after") is not None else {}
            if fault.get("raw") is not None:
                answer = (status, dict(extra, **{"Content-Type": "application/json"}), fault["raw"].encode())
            else:
                answer = json_answer(status, fault.get("body") or self.fault_body(status, request), extra)
        else:
            answer = self._dispatch(request)
        self._send(handler, *answer)

    def fault_body(self, status, request):
        """The error body of an injected status; subclasses answer in their API's shape."""
        return {"error": {"code": status, "message": f"injected status {status}"}}

    def _dispatch(self, request):
        allowed = False
        for method, pattern, function in self.routes:
            match = pattern.match(request.path)
            if not match:
                continue
            allowed = True
            if method != request.method:
                continue
            request.match = match
            try:
                return function(request)
            except (ValueError, KeyError, UnicodeDecodeError) as error:
                return json_answer(400, {"error": {"code": 400, "message": f"malformed request: {error}"}})
        if allowed:
            return json_answer(405, {"error": {"code": 405, "message": "method not allowed"}})
        return json_answer(404, {"error": {"code": 404, "message": f"no route for {request.path}"}})

    @staticmethod
    def _send(handler, status, headers, body):
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()

    @staticmethod
    def _drop(handler):
        handler.close_connection = True
        try:
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class EchoStandIn(StandIn):
    """The plain stand-in: /echo answers what it was sent, /status/<n> answers status n,
    /delay/<ms> answers after ms milliseconds (for the HTTP client benchmark)."""

    def __init__(self, port=0):
        super().__init__(port)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            self.route(method, r"/echo", self._echo)
            self.route(method, r"/status/(\d+)", self._status)
            self.route(method, r"/delay/(\d+)", self._delay)

    def _echo(self, request):
        body = request.body
        parsed = None
        if request.headers.get("content-type", "").startswith("application/json"):
            parsed = json.loads(body)
        return json_answer(200, {"method": request.method, "path": request.path, "query": request.query,
                                 "headers": request.headers, "json": parsed,
                                 "body": body.decode("utf-8", "replace")})

    def _status(self, request):
        status = int(request.match.group(1))
        return json_answer(status, {"status": status})

    def _delay(self, request):
        time.sleep(int(request.match.group(1)) / 1000.0)
        return json_answer(200, {"ok": True})


def serve_forever(stand_in):
    """Starts the stand-in, prints its port for a parent process, then serves until killed."""
    stand_in.start()
    print(f"PORT {stand_in.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    serve_forever(EchoStandIn(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
