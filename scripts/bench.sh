#!/usr/bin/env bash
# Benchmark in one real n8n process (the pinned version from scripts/n8n-env.sh), this package's
# Telegram channel nodes side by side with n8n's built-in Telegram nodes, against the Telegram
# emulator (test/emulators/telegram.ts) with Telegram's documented limits switched on:
#   1. 300 messages to 30 chats: delivered, unique, duplicates, 429s, wall time (the limits allow ~10 s)
#   2. webhook requests per second: Chat Channel Trigger vs n8n's Telegram Trigger
#   3. long-polling latency: update pushed → execution started (→ reply sent)
#
#   npm run bench            # prints a table; BENCH_JSON=path also writes the figures as JSON
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "[bench] $*" >&2; }

ORIG_PATH="$PATH"
eval "$(bash scripts/n8n-env.sh)"
log "n8n $(n8n --version) on Node $("$TS_NODE24_BIN" --version)"

PATH="$ORIG_PATH" npm run build >&2
WORK="$(mktemp -d "${TMPDIR:-/tmp}/teamspirit-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
TARBALL_NAME="$(PATH="$ORIG_PATH" npm pack --ignore-scripts --pack-destination "$WORK" --json \
  | PATH="$ORIG_PATH" node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].filename))')"
export TS_PACKAGE_TARBALL="$WORK/$TARBALL_NAME"

# the bench script and what it uses (emulator, n8n helpers), compiled once
PATH="$ORIG_PATH" node_modules/.bin/tsc --outDir "$WORK/js" --rootDir . --module commonjs --target es2022 \
  --esModuleInterop --skipLibCheck --types node --strict false --noImplicitAny false \
  scripts/bench/telegram.ts
PATH="$ORIG_PATH" node "$WORK/js/scripts/bench/telegram.js"
