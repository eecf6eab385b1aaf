"""Server-Sent Events through growthd's HTTP server, with real sockets.

Runs tests/sse/sse_test_server.c (growthd's server and broadcaster behind test
routes): 200 clients at once all receive every event in order; heartbeats
arrive on idle streams; Last-Event-ID (header or query) resumes; a client that
stops reading is dropped while the others receive everything; SIGTERM ends
every stream cleanly (the terminating chunk) without the 10 s drain.
"""
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import base_env, check_sanitizers, wait_until  # noqa: E402

SERVER_BIN = os.environ.get("SSE_TEST_SERVER", os.path.join(os.path.dirname(__file__), "..", "..", "build",
                                                             "tests", "sse", "sse_test_server"))


class TestServer:
    def __init__(self, buffer_bytes=262144, heartbeat_ms=15000, history=256):
        self.log_file = tempfile.NamedTemporaryFile(prefix="sse-test-", suffix=".log", delete=False)
        self.process = subprocess.Popen([SERVER_BIN, str(buffer_bytes), str(heartbeat_ms), str(history)],
                                        env=base_env(), stdout=subprocess.PIPE, stderr=self.log_file, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("port "):
            raise AssertionError(f"sse_test_server did not start:\n{self.log()}")
        self.port = int(line.split()[1])

    def log(self):
        with open(self.log_file.name, "rb") as f:
            return f.read().decode(errors="replace")

    def request(self, method, path):
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.sendall(f"{method} {path} HTTP/1.0\r\nHost: test\r\nContent-Length: 0\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), body

    def json(self, method, path):
        status, body = self.request(method, path)
        if status != 200:
            raise AssertionError(f"{method} {path}: {status} {body[:200]!r}")
        return json.loads(body)

    def publish(self, count, size=32):
        return self.json("POST", f"/publish?count={count}&size={size}")

    def stop(self):
        code = None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            code = self.process.wait(timeout=30)
        self.process.stdout.close()
        self.log_file.close()
        check_sanitizers(self.log(), "sse_test_server")
        os.unlink(self.log_file.name)
        return code


class Client:
    """One event-stream client on a raw socket, with its own HTTP/1.1 chunked decoder."""

    def __init__(self, port, path="/events", last_event_id=None, receive_buffer=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.connect(("127.0.0.1", port))
        extra = f"Last-Event-ID: {last_event_id}\r\n" if last_event_id else ""
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n{extra}\r\n".encode())
        self.sock.setblocking(False)
        self.raw = b""
        self.headers = None
        self.status = None
        self.body = b""
        self.ended = False     # the terminating zero-length chunk arrived
        self.closed = False    # the server closed the connection
        self.events = []
        self.comments = []
        self.retry = None

    def fileno(self):
        return self.sock.fileno()

    def on_readable(self):
        try:
            data = self.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except ConnectionResetError:
            data = b""
        if not data:
            self.closed = True
            return
        self.raw += data
        self._parse()

    def _parse(self):
        if self.headers is None:
            head, sep, rest = self.raw.partition(b"\r\n\r\n")
            if not sep:
                return
            lines = head.decode().split("\r\n")
            self.status = int(lines[0].split()[1])
            self.headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            self.raw = rest
        while not self.ended:
            size_line, sep, rest = self.raw.partition(b"\r\n")
            if not sep:
                break
            size = int(size_line.split(b";")[0], 16)
            if len(rest) < size + 2:
                break
            if size == 0:
                self.ended = True
            self.body += rest[:size]
            self.raw = rest[size + 2:]
        self._events()

    def _events(self):
        while b"\n\n" in self.body:
            block, _, self.body = self.body.partition(b"\n\n")
            event = {"data": []}
            for line in block.decode().split("\n"):
                if line.startswith(":"):
                    self.comments.append(line)
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "data":
                    event["data"].append(value)
                elif field == "retry":
                    self.retry = int(value)
                    event = None
                    break
                else:
                    event[field] = value
            if event and (event["data"] or "id" in event):
                event["data"] = "\n".join(event["data"])
                self.events.append(event)

    def ids(self):
        return [int(e["id"]) for e in self.events]

    def close(self):
        self.sock.close()


def pump(clients, until, timeout=60, what="clients"):
    """Reads from every client until until() is true."""
    selector = selectors.DefaultSelector()
    for c in clients:
        selector.register(c, selectors.EVENT_READ)
    try:
        def step():
            for key, _ in selector.select(timeout=0.2):
                key.fileobj.on_readable()
                if key.fileobj.closed:
                    selector.unregister(key.fileobj)
            return until()
        wait_until(step, timeout=timeout, interval=0, what=what)
    finally:
        selector.close()


def check_event(test, event, expected_id, size):
    test.assertEqual(event["event"], "tick")
    test.assertEqual(int(event["id"]), expected_id)
    head = f"{expected_id}:"
    test.assertEqual(event["data"], head + chr(ord("a") + expected_id % 26) * (size - len(head)))


class ManyClients(unittest.TestCase):
    def test_200_clients_receive_every_event_in_order(self):
        server = TestServer()
        clients = []
        try:
            clients = [Client(server.port) for _ in range(200)]
            pump(clients, lambda: all(c.retry is not None for c in clients), what="200 streams to open")
            wait_until(lambda: server.json("GET", "/stats")["clients"] == 200, what="200 subscribers")
            for c in clients:
                self.assertEqual(c.status, 200)
                self.assertEqual(c.headers["content-type"], "text/event-stream; charset=utf-8")
                self.assertEqual(c.headers["cache-control"], "no-cache")
                self.assertEqual(c.headers["transfer-encoding"], "chunked")
                self.assertEqual(c.retry, 3000)
            for _ in range(5):
                server.publish(10, size=100)
            pump(clients, lambda: all(len(c.events) == 50 for c in clients), what="50 events on every client")
            for c in clients:
                self.assertEqual(c.ids(), list(range(1, 51)))
                for event in c.events:
                    check_event(self, event, int(event["id"]), 100)
            self.assertEqual(server.json("GET", "/stats")["dropped"], 0)
            _, metrics = server.request("GET", "/metrics")
            self.assertIn(b"\ngrowth_sse_clients 200\n", metrics)
            self.assertIn(b'growth_http_requests_total{method="GET",route="/events",status="200"} 200\n', metrics)
            self.assertIn(b"\ngrowth_sse_events_published_total 50\n", metrics)
            # Clients that leave are forgotten once writes to them fail: a suspended connection cannot see
            # its peer leave, so it takes an event or two (or a heartbeat) to find out.
            for c in clients[:50]:
                c.close()

            def forgotten():
                server.publish(1)
                return server.json("GET", "/stats")["clients"] == 150
            wait_until(forgotten, what="150 subscribers")
            published = server.json("GET", "/stats")["published"]
            pump(clients[50:], lambda: all(len(c.events) == published for c in clients[50:]),
                 what="the later events on the clients still there")
            for c in clients[50:]:
                self.assertEqual(c.ids(), list(range(1, published + 1)))
        finally:
            for c in clients:
                c.close()
            self.assertEqual(server.stop(), 0)


class Streams(unittest.TestCase):
    def setUp(self):
        self.server = TestServer(heartbeat_ms=200, history=8)
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()
        self.server.stop()

    def client(self, **kwargs):
        c = Client(self.server.port, **kwargs)
        self.clients.append(c)
        return c

    def test_heartbeat_on_idle_stream(self):
        c = self.client()
        pump([c], lambda: len(c.comments) >= 2, what="two heartbeats")
        self.assertEqual(c.comments[:2], [": heartbeat", ": heartbeat"])
        self.assertEqual(c.events, [])

    def test_last_event_id_resumes(self):
        first = self.client()
        pump([first], lambda: first.retry is not None)
        self.server.publish(5)
        pump([first], lambda: len(first.events) == 5)
        resumed = self.client(last_event_id="2")
        by_query = self.client(path="/events?lastEventId=4")
        unknown = self.client(last_event_id="999")
        pump([resumed, by_query, unknown], lambda: all(c.headers for c in (resumed, by_query, unknown)))
        self.assertEqual(resumed.headers["x-resumed"], "true")
        self.assertEqual(by_query.headers["x-resumed"], "true")
        self.assertEqual(unknown.headers["x-resumed"], "false")
        self.server.publish(1)
        pump([resumed, by_query, unknown], lambda: 6 in resumed.ids() and 6 in by_query.ids() and 6 in unknown.ids())
        self.assertEqual(resumed.ids(), [3, 4, 5, 6])
        self.assertEqual(by_query.ids(), [5, 6])
        self.assertEqual(unknown.ids(), [6])

    def test_multiline_data_survives(self):
        c = self.client()
        pump([c], lambda: c.retry is not None)
        self.server.publish(3, size=5000)
        pump([c], lambda: len(c.events) == 3)
        for event in c.events:
            check_event(self, event, int(event["id"]), 5000)


class SlowClient(unittest.TestCase):
    def test_slow_client_is_dropped_and_others_get_everything(self):
        server = TestServer(buffer_bytes=65536, heartbeat_ms=60000, history=0)
        fast = [Client(server.port) for _ in range(3)]
        slow = Client(server.port, receive_buffer=4096)
        try:
            pump(fast + [slow], lambda: all(c.retry is not None for c in fast + [slow]))
            wait_until(lambda: server.json("GET", "/stats")["clients"] == 4, what="4 subscribers")
            published = 0
            # 64 KiB a round; the fast clients read each round before the next, the slow one never reads.
            while server.json("GET", "/stats")["dropped"] == 0:
                self.assertLess(published, 4000, "the slow client was never dropped")
                server.publish(16, size=4000)
                published += 16
                pump(fast, lambda: all(len(c.events) == published for c in fast), what="fast clients to catch up")
            stats = server.json("GET", "/stats")
            self.assertEqual((stats["dropped"], stats["clients"]), (1, 3))
            server.publish(16, size=4000)
            published += 16
            pump(fast, lambda: all(len(c.events) == published for c in fast))
            for c in fast:
                self.assertEqual(c.ids(), list(range(1, published + 1)))
                self.assertFalse(c.closed)
            # The slow client, reading at last, finds its stream cut short: no clean end, events missing.
            pump([slow], lambda: slow.closed, what="the slow client's connection to close")
            self.assertFalse(slow.ended)
            self.assertLess(len(slow.events), published)
            self.assertEqual(slow.ids(), list(range(1, len(slow.events) + 1)))
            _, metrics = server.request("GET", "/metrics")
            self.assertIn(b"\ngrowth_sse_clients_dropped_total 1\n", metrics)
            self.assertIn("dropped a client that read too slowly", server.log())
        finally:
            for c in fast + [slow]:
                c.close()
            self.assertEqual(server.stop(), 0)


class Shutdown(unittest.TestCase):
    def test_sigterm_ends_every_stream_cleanly(self):
        server = TestServer()
        clients = [Client(server.port) for _ in range(50)]
        try:
            pump(clients, lambda: all(c.retry is not None for c in clients))
            wait_until(lambda: server.json("GET", "/stats")["clients"] == 50, what="50 subscribers")
            server.publish(3)
            server.process.send_signal(signal.SIGTERM)
            pump(clients, lambda: all(c.closed for c in clients), what="every stream to end")
            self.assertEqual(server.process.wait(timeout=30), 0)
            for c in clients:
                self.assertTrue(c.ended, "a stream ended without its terminating chunk")
                self.assertEqual(c.ids(), [1, 2, 3])
            log = server.log()
            self.assertIn("closed 50 event streams", log)
            self.assertNotIn("still running after", log)
        finally:
            for c in clients:
                c.close()
            server.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
