"""CPU time used so far, in ms, by growthd's threads by role, and by other processes: prints
"http=N reader=N workers=N redis=N" for `cpu_threads.py GROWTHD_PID REDIS_PID`.

growthd's threads are told apart by name: libmicrohttpd's are "MHD-worker", the event-stream reader is
"sse-reader", and the rest (the in-process workers, the heartbeat, the main thread) count as workers."""
import os
import sys

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def ticks(stat_path):
    with open(stat_path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])   # utime, stime (fields 14 and 15 of stat)


growthd, redis = sys.argv[1], sys.argv[2]
roles = {"http": 0, "reader": 0, "workers": 0}
for task in os.listdir(f"/proc/{growthd}/task"):
    try:
        with open(f"/proc/{growthd}/task/{task}/comm") as f:
            name = f.read().strip()
        used = ticks(f"/proc/{growthd}/task/{task}/stat")
    except FileNotFoundError:
        continue
    role = "http" if name.startswith("MHD") else "reader" if name == "sse-reader" else "workers"
    roles[role] += used
roles["redis"] = ticks(f"/proc/{redis}/stat")
print(" ".join(f"{k}={round(v * TICK_MS)}" for k, v in roles.items()))
