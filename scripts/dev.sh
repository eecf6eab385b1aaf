#!/usr/bin/env bash
# Sets up and runs growthd locally: installs what is missing, builds, starts a local
# Redis on loopback (unless REDIS_URL is set), and runs `growthd serve` with both
# feature flags on, printing the addresses to open. Ctrl-C stops everything.
# Any variable from the README can be set in the environment or in ./.env.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "dev: built $(./build/growthd --version)"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

redis_pid=""
cleanup() { [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ -z "${REDIS_URL:-}" ]; then
  redis_port=6379
  port_free "$redis_port" || redis_port=$(free_port)
  mkdir -p var/redis
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$root/var/redis" --save 60 1 \
    --loglevel warning --logfile "$root/var/redis/redis.log" &
  redis_pid=$!
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export REDIS_URL="redis://127.0.0.1:$redis_port"
  echo "dev: local Redis on $REDIS_URL (data in var/redis)"
fi

export GROWTH_BIND_ADDRESS=${GROWTH_BIND_ADDRESS:-127.0.0.1}
export PORT=${PORT:-3000}
if ! port_free "$PORT"; then
  echo "dev: port $PORT is taken; using another"
  PORT=$(free_port)
fi
export ENABLE_GROWTH_AGENTS=${ENABLE_GROWTH_AGENTS:-true}
# two in-process workers, so a launch from the dashboard runs; the demo week feeds the local calendar
export GROWTH_WORKERS=${GROWTH_WORKERS:-2}
export GROWTH_CALENDAR_ICS=${GROWTH_CALENDAR_ICS:-$root/scripts/profiles/demo-calendar.ics}
export ENABLE_GROWTH_DASHBOARD=${ENABLE_GROWTH_DASHBOARD:-true}

env_args=()
[ -f .env ] && env_args=(--env-file .env)
echo "dev: open http://127.0.0.1:$PORT/agents (dashboard), http://127.0.0.1:$PORT/health,"
echo "     http://127.0.0.1:$PORT/api/orchestrator/health — Ctrl-C stops growthd and the local Redis"
./build/growthd "${env_args[@]}" serve &
growthd_pid=$!
trap 'kill -TERM $growthd_pid 2>/dev/null; wait $growthd_pid; cleanup' INT TERM
wait $growthd_pid
