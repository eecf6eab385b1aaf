"""N Server-Sent Event clients on /api/orchestrator/events in one process: connects them, reads everything
they are sent until SIGTERM, then prints "clients events_received bytes_received dropped_connections cpu_seconds"
(this process's user+system time). One process and one selector for every client: the bench's own load on
the machine it shares with growthd stays small, and is printed."""
import os
import selectors
import signal
import socket
import sys

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
selector = selectors.DefaultSelector()
received = 0
received_bytes = 0
closed = 0
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
for _ in range(count):
    sock = socket.create_connection((host, port))
    sock.sendall(b"GET /api/orchestrator/events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n")
    sock.setblocking(False)
    selector.register(sock, selectors.EVENT_READ)
print("ready", flush=True)
while not stop:
    for key, _ in selector.select(timeout=0.2):
        try:
            data = key.fileobj.recv(262144)
        except BlockingIOError:
            continue
        if not data:
            selector.unregister(key.fileobj)
            key.fileobj.close()
            closed += 1
            continue
        received += data.count(b"\nevent: ") + data.startswith(b"event: ")
        received_bytes += len(data)
times = os.times()
print(count, received, received_bytes, closed, f"{times.user + times.system:.2f}", flush=True)
