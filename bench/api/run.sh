#!/usr/bin/env bash
# bench/api — the orchestrator API under load, and whether live event clients slow the workers.
#
# 1. wrk at 64 connections on GET /api/orchestrator/health and GET /api/orchestrator/monitor?limit=100
#    (after a few thousand events are in the stream): requests/s, p50, p99.
# 2. Workers' jobs/s: JOBS jobs of the bench agent are queued while the queue is paused, then the queue is
#    resumed and timed until every job has finished; once with no event-stream client and once with
#    SSE_CLIENTS clients connected to /api/orchestrator/events reading every event. ROUNDS rounds of each,
#    interleaved; the medians and the drop are printed (target: under 10%). The clients stand for browsers
#    on other machines, but run on this one: they are one C process with one epoll set (bench_api, from
#    sse_clients.c) at nice 19, and what they cost is printed with the events and bytes they received.
#    Each run also prints the CPU used by growthd's threads by role (workers, HTTP threads, the event
#    reader) and by Redis, and the medians of those: the CPU figures are steadier than jobs/s on a shared
#    machine.
# growthd runs `serve --workers WORKERS` with the test agents of tests/integration/orchestrator_agents.
# Usage: cmake --build build --target bench-api, or bench/api/run.sh [seconds per wrk run] [rounds]
# (after building bench_api).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
growthd=${GROWTHD_BIN:-$root/build/growthd}
duration=${1:-8}
rounds=${2:-7}
jobs=${JOBS:-1000}
clients=${SSE_CLIENTS:-200}
workers=${WORKERS:-8}
sse_clients=${BENCH_PROGRAM:-$root/build/bench/api/bench_api}
[ -x "$sse_clients" ] || { echo "build the SSE clients first: cmake --build build --target bench_api" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }

redis_port=$(free_port); port=$(free_port)
base=http://127.0.0.1:$port
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >/dev/null &
redis_pid=$!
pids+=($!)
echo '{"user":{"id":"bench"},"inputs":{"alpha":{"days":1},"beta":{"beliefs":["x"]}}}' > "$work/profile.json"
PORT=$port GROWTH_BIND_ADDRESS=127.0.0.1 REDIS_URL=redis://127.0.0.1:$redis_port ENABLE_GROWTH_AGENTS=true \
  GROWTH_SCRIPTS_DIR=$root/tests/integration/orchestrator_agents GROWTH_DATA_DIR=$work/data \
  GROWTH_PROFILE=$work/profile.json GROWTH_HOT_RELOAD=false GROWTH_HTTP_THREADS=8 GROWTH_LOG_LEVEL=warn \
  "$growthd" serve --workers "$workers" 2>/dev/null &
growthd_pid=$!
pids+=($!)
wait_http "$base/health"

measure() {
  wrk -t2 -c64 -d"${duration}s" --latency "$1" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    /Non-2xx/ { bad = $NF } END { if (bad) print "non-2xx answers: " bad > "/dev/stderr"; print rps, p50, p99 }'
}

# Queues $jobs jobs while paused, resumes, and prints the jobs/s until all have finished.
one_run() {
  local with_clients=$1 client_pid=""
  redis-cli -p "$redis_port" FLUSHALL >/dev/null
  curl -sf -X POST "$base/api/orchestrator/pause" >/dev/null
  /usr/bin/python3 - "$base" "$jobs" <<'PY'
import http.client, json, sys, urllib.parse
base, jobs = sys.argv[1], int(sys.argv[2])
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port)
for i in range(jobs):
    conn.request("POST", "/api/orchestrator/launch", body=json.dumps({"agents": ["alpha"]}),
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse(); response.read()
    if response.status != 202:
        sys.exit(f"launch answered {response.status}")
PY
  if [ "$with_clients" -gt 0 ]; then
    # the clients stand for browsers on other machines: they run at the lowest CPU priority here
    nice -n 19 "$sse_clients" 127.0.0.1 "$port" "$with_clients" > "$work/clients.out" &
    client_pid=$!
    for _ in $(seq 200); do grep -q ready "$work/clients.out" 2>/dev/null && break; sleep 0.05; done
    sleep 0.5
  fi
  local start end before after
  before=$(/usr/bin/python3 "$here/cpu_threads.py" "$growthd_pid" "$redis_pid")
  start=$(date +%s.%N)
  curl -sf -X POST "$base/api/orchestrator/resume" >/dev/null
  /usr/bin/python3 "$here/wait_finished.py" "$redis_port" "$jobs"
  end=$(date +%s.%N)
  after=$(/usr/bin/python3 "$here/cpu_threads.py" "$growthd_pid" "$redis_pid")
  /usr/bin/python3 - "$before" "$after" "$start" "$end" "$with_clients" >> "$work/cpu" <<'PY'
import sys
before = dict(kv.split("=") for kv in sys.argv[1].split())
after = dict(kv.split("=") for kv in sys.argv[2].split())
used = {k: int(after[k]) - int(before[k]) for k in after}
wall = round((float(sys.argv[4]) - float(sys.argv[3])) * 1000)
print(sys.argv[5], wall, used["workers"], used["http"], used["reader"], used["redis"])
PY
  read -r _ wall w h r d < <(tail -1 "$work/cpu")
  echo "  wall ${wall} ms; CPU ms: growthd workers+other ${w}, http threads ${h}, sse-reader ${r}; redis ${d}" >&2
  if [ -n "$client_pid" ]; then
    sleep 2   # the niced clients catch up with what is already sent
    kill -TERM "$client_pid"; wait "$client_pid" || true
    read -r n received bytes closed cpu < <(tail -1 "$work/clients.out")
    echo "  $n clients received $received events in all ($((received / n)) each, $((bytes / received)) bytes" \
         "per event on the wire), $closed connections closed; the client process used ${cpu} s of CPU" >&2
    echo "$cpu" >> "$work/client_cpu"
  fi
  /usr/bin/python3 -c "print(f'{$jobs / ($end - $start):.1f}')"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "== wrk, 64 connections, ${duration}s each"
curl -sf -X POST "$base/api/orchestrator/pause" >/dev/null
/usr/bin/python3 - "$port" <<'PY'
import http.client, json, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for i in range(1000):
    conn.request("POST", "/api/orchestrator/launch", body=json.dumps({"agents": ["alpha"]}),
                 headers={"Content-Type": "application/json"})
    conn.getresponse().read()
PY
printf "%-42s %10s %8s %8s\n" endpoint "req/s" "p50 ms" "p99 ms"
for path in /api/orchestrator/health "/api/orchestrator/monitor?limit=100"; do
  read -r rps p50 p99 < <(measure "$base$path")
  printf "%-42s %10s %8s %8s\n" "$path" "$rps" "$p50" "$p99"
done

echo "== workers ($workers in-process): $jobs jobs, with 0 and with $clients SSE clients, $rounds rounds"
: > "$work/none"; : > "$work/some"; : > "$work/cpu"; : > "$work/client_cpu"
for round in $(seq "$rounds"); do
  none=$(one_run 0); echo "round $round: no clients: $none jobs/s"; echo "$none" >> "$work/none"
  some=$(one_run "$clients"); echo "round $round: $clients clients: $some jobs/s"; echo "$some" >> "$work/some"
done
m_none=$(median < "$work/none"); m_some=$(median < "$work/some")
/usr/bin/python3 - "$work/cpu" "$work/client_cpu" <<PY
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def med(clients, column):
    return statistics.median(int(r[column]) for r in rows if int(r[0]) == clients)
clients_cpu = [float(v) for v in open(sys.argv[2])]
print("median CPU ms per 1,000 jobs   workers+other   http   sse-reader   redis")
for n in (0, $clients):
    print(f"  {n:3} clients             {med(n, 2):13.0f} {med(n, 3):6.0f} {med(n, 4):12.0f} {med(n, 5):7.0f}")
print(f"  the SSE client process: median {statistics.median(clients_cpu):.2f} s of CPU per run (nice 19)")
none, some = $m_none, $m_some
drop = (none - some) / none * 100
print(f"median jobs/s: {none:.1f} with no clients, {some:.1f} with $clients clients: drop {drop:.1f}% (target < 10%)")
PY
