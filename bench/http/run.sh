#!/usr/bin/env bash
# bench/http — growthd's HTTP serving against nginx in the same run.
#
# wrk drives, for a fixed time at 64 connections: growthd GET /health, growthd
# GET /api/orchestrator/health (one Redis PING per request), and nginx serving a
# static JSON file of the same size as growthd's /health body. Each target runs
# ROUNDS times, interleaved, and the medians are printed with the ratio to nginx.
# Both servers log every request (growthd to stderr, nginx's access log), both to
# /dev/null. Usage: bench/http/run.sh [seconds per round] [rounds]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
growthd=${GROWTHD_BIN:-$root/build/growthd}
duration=${1:-8}
rounds=${2:-3}
connections=64
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }

redis_port=$(free_port); growth_port=$(free_port); nginx_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >/dev/null &
pids+=($!)
PORT=$growth_port GROWTH_BIND_ADDRESS=127.0.0.1 REDIS_URL=redis://127.0.0.1:$redis_port ENABLE_GROWTH_AGENTS=true \
  "$growthd" serve 2>/dev/null &
pids+=($!)
wait_http "http://127.0.0.1:$growth_port/health"

# nginx serves a file the size of growthd's /health answer.
mkdir -p "$work/nginx"
curl -s "http://127.0.0.1:$growth_port/health" > "$work/nginx/health.json"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
user $(id -un);
pid $work/nginx/nginx.pid;
error_log /dev/null;
events { worker_connections 1024; }
http {
  access_log /dev/null;
  client_body_temp_path $work/nginx/tmp;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /health { default_type application/json; alias $work/nginx/health.json; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' 2>/dev/null &
pids+=($!)
wait_http "http://127.0.0.1:$nginx_port/health"

# One wrk run: prints "requests_per_second p50_ms p99_ms".
measure() {
  wrk -t2 -c$connections -d"${duration}s" --latency "$1" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    /Non-2xx/ { bad = $NF } END { if (bad) print "non-2xx answers: " bad > "/dev/stderr"; print rps, p50, p99 }'
}

declare -A results
targets=(growthd_health growthd_orchestrator nginx_static)
urls=("http://127.0.0.1:$growth_port/health" "http://127.0.0.1:$growth_port/api/orchestrator/health"
      "http://127.0.0.1:$nginx_port/health")
echo "bench/http: wrk -t2 -c$connections, ${duration}s per round, $rounds rounds interleaved, $(nproc) cores"
for round in $(seq "$rounds"); do
  for i in "${!targets[@]}"; do
    results[${targets[$i]}]+="$(measure "${urls[$i]}")"$'\n'
  done
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_median() { printf '%s' "${results[$1]}" | awk -v c="$2" 'NF { print $c }' | median; }

printf '\n%-34s %12s %9s %9s\n' "target (median of $rounds)" "requests/s" "p50 ms" "p99 ms"
for t in "${targets[@]}"; do
  printf '%-34s %12.0f %9.3f %9.3f\n' "$t" "$(column_median "$t" 1)" "$(column_median "$t" 2)" "$(column_median "$t" 3)"
done
ratio=$(awk -v a="$(column_median growthd_health 1)" -v b="$(column_median nginx_static 1)" 'BEGIN { printf "%.2f", a / b }')
p99=$(column_median growthd_health 3)
echo
echo "growthd /health vs nginx static: ratio ${ratio} of nginx's requests/s (target >= 0.50)"
echo "growthd /health p99: ${p99} ms (target < 5 ms)"
