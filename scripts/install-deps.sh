#!/usr/bin/env bash
# Installs every Debian 12 package growthd needs to build, run, test and benchmark.
# Safe to run again: apt-get skips what is installed, and the package lists are
# refreshed at most once a day.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git clang
  # libraries of the core
  libmicrohttpd-dev libcurl4-openssl-dev liblua5.4-dev lua5.4 lua-cjson-dev
  libhiredis-dev libjansson-dev libssl-dev libical-dev libcairo2-dev libpango1.0-dev libfontconfig-dev
  fonts-dejavu-core
  # tests
  libcmocka-dev redis-server python3 python3-cryptography python3-aiosmtpd
  poppler-utils nodejs npm chromium
  # benchmarks
  wrk nginx-light hyperfine gnuplot-nox
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm may come from elsewhere on a developer machine; accept that.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
stamp=/var/lib/apt/periodic/growthd-update-stamp
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
  $sudo apt-get update -qq
  $sudo mkdir -p "$(dirname "$stamp")" && $sudo touch "$stamp"
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
