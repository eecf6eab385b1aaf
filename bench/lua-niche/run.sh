#!/usr/bin/env bash
# The Niche agent's numeric work (normalise, k-means++ with k = 2..6 chosen by silhouette, PCA to
# 2-D) on 60 vectors of 1536 dimensions: scripts/lib in lua5.4, beside the same algorithms in C
# (-O2), to show what a C module (growth.vec) would gain.
# Usage: bash bench/lua-niche/run.sh [n] [dims] [rounds]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
n="${1:-60}" dims="${2:-1536}" rounds="${3:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cc -std=c11 -O2 -Wall -Wextra -Werror -o "$work/peer" "$here/peer.c" -lm
lua5.4 "$here/niche.lua" "$n" "$dims" "$rounds"
"$work/peer" "$n" "$dims" "$rounds"
