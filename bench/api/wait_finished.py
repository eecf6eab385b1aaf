"""Waits until JOBS jobs of the queue are completed or failed, polling Redis over one connection every
10 ms (no process per poll, so the wait itself costs next to nothing): `wait_finished.py REDIS_PORT JOBS`."""
import socket
import sys
import time

port, jobs = int(sys.argv[1]), int(sys.argv[2])
sock = socket.create_connection(("127.0.0.1", port))
reader = sock.makefile("rb")


def command(*args):
    sock.sendall(f"*{len(args)}\r\n".encode() + b"".join(f"${len(a)}\r\n{a}\r\n".encode() for a in args))
    return int(reader.readline()[1:])


while command("ZCARD", "bull:growth-agents:completed") + command("ZCARD", "bull:growth-agents:failed") < jobs:
    time.sleep(0.01)
