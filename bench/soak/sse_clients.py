"""Many Server-Sent Event clients in one light process, for the soak (bench/soak/soak.py).

Each client holds GET /api/orchestrator/events open (HTTP/1.0, so the stream is the raw body until the server
closes it), counts the events it receives (a block of fields ended by a blank line; heartbeat comments are
not events) and, when the stream ends, reconnects with Last-Event-ID as a browser's EventSource does, counting
the reconnect. Every second the counts go to --status as JSON (written atomically), and once more at SIGTERM:
{"clients", "connected", "events": [per client], "reconnects", "heartbeats", "errors": [last few]}.

    python3 sse_clients.py --port 3000 --clients 30 --status /tmp/sse.json
"""
import argparse
import asyncio
import json
import os
import signal

ERRORS_KEPT = 10


class Client:
    def __init__(self, index):
        self.index = index
        self.events = 0
        self.heartbeats = 0
        self.reconnects = 0
        self.connected = False
        self.last_id = None


async def run_client(client, args, state):
    first = True
    while not state["stopping"]:
        if not first:
            client.reconnects += 1
            await asyncio.sleep(0.5)
        first = False
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
            resume = f"Last-Event-ID: {client.last_id}\r\n" if client.last_id else ""
            writer.write(f"GET {args.path} HTTP/1.0\r\nHost: 127.0.0.1:{args.port}\r\n"
                         f"Accept: text/event-stream\r\n{resume}\r\n".encode())
            await writer.drain()
            status = await reader.readline()
            if b" 200 " not in status:
                raise ConnectionError(f"status line {status[:60]!r}")
            while (await reader.readline()).strip():
                pass
            client.connected = True
            fields = 0
            while True:
                line = await reader.readline()
                if not line:
                    raise ConnectionError("the server closed the stream")
                line = line.rstrip(b"\r\n")
                if not line:
                    if fields:
                        client.events += 1
                    fields = 0
                elif line.startswith(b":"):
                    client.heartbeats += 1
                else:
                    fields += 1
                    if line.startswith(b"id:"):
                        client.last_id = line[3:].strip().decode(errors="replace")
        except (OSError, ConnectionError, asyncio.IncompleteReadError) as error:
            if not state["stopping"]:
                state["errors"] = (state["errors"] + [f"client {client.index}: {error}"])[-ERRORS_KEPT:]
        finally:
            client.connected = False
            if writer:
                writer.close()


def write_status(path, clients, state):
    status = {"clients": len(clients), "connected": sum(c.connected for c in clients),
              "events": [c.events for c in clients], "reconnects": sum(c.reconnects for c in clients),
              "heartbeats": sum(c.heartbeats for c in clients), "errors": state["errors"]}
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        json.dump(status, f)
    os.replace(temporary, path)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--path", default="/api/orchestrator/events")
    parser.add_argument("--status", required=True)
    args = parser.parse_args()
    state = {"stopping": False, "errors": []}
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    clients = [Client(i) for i in range(args.clients)]
    tasks = [asyncio.create_task(run_client(c, args, state)) for c in clients]
    while not stop.is_set():
        write_status(args.status, clients, state)
        try:
            await asyncio.wait_for(stop.wait(), timeout=1)
        except asyncio.TimeoutError:
            pass
    state["stopping"] = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    write_status(args.status, clients, state)


if __name__ == "__main__":
    asyncio.run(main())
