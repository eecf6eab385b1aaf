#!/usr/bin/env bash
# Installs the Node.js test tools (bullmq for the interop tests, playwright-core for the
# dashboard test) into tests/node_modules from tests/package.json. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/../tests"
[ -f package.json ] || exit 0
if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
  npm install --no-audit --no-fund --loglevel=error
  touch node_modules
fi
