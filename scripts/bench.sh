#!/usr/bin/env bash
# Benchmark in one real n8n process (the pinned version from scripts/n8n-env.sh), this package's
# Telegram channel nodes side by side with n8n's built-in Telegram nodes, against the Telegram
# emulator (test/emulators/telegram.ts) with Telegram's documented limits switched on:
#   1. 300 messages to 30 chats: delivered, unique, duplicates, 429s, wall time (the limits allow ~10 s)
#   2. webhook requests per second: Chat Channel Trigger vs n8n's Telegram Trigger, median of 3
#      alternating runs; a "SLOWER" line and exit code 1 when ours is slower than the built-in
#   3. long-polling latency: update pushed → execution started (→ reply sent)
# Then the customer-conversation bridge through n8n-core's engine against the emulators
# (scripts/bench/conversations.ts):
#   4. customer → TeamSpirit and operator → customer latency, median and p95 per channel
#   5. a TeamSpirit outage (503) while 5 messages per channel arrive: recovery → last held message
#
#   npm run bench                   # both parts; prints tables; BENCH_JSON=path also writes the figures as JSON
#   npm run bench -- telegram       # only 1–3 (real n8n)
#   npm run bench -- inbound        # only 2 (scripts/bench/inbound.ts; BENCH_WEBHOOK_RUNS, BENCH_CPU_PROF=dir)
#   npm run bench -- inbound-queue  # 2 against a webhook processor of n8n's queue mode (PostgreSQL, Redis)
#   npm run bench -- conversations  # only 4–5 and the steady state with TeamSpirit 50 ms away (no n8n install;
#                                   # BENCH_OUTAGE_S, BENCH_CONVERSATION_SAMPLES, BENCH_TS_LATENCY_MS, BENCH_CONVERSATION_PARTS)
#   npm run bench -- bulk           # only 6: bulk sends (real n8n; scripts/bench/bulk.ts)
#   npm run bench -- centre         # only 7: the contact centre (scripts/bench/centre.ts; engine + emulators,
#                                   # no n8n install): Get Statistics over 10,000 conversations
#                                   # (BENCH_STATS_CONVERSATIONS, BENCH_TS_LATENCY_MS, BENCH_CENTRE_PARTS)
#   npm run bench -- bulk-queue     # 6 with the workflows run by a worker of n8n's queue mode
#   npm run bench -- website        # only 8: the Website chat, operator → browser latency (median, p95) in
#                                   # Debian's Chromium, against a Telegram customer in the same n8n
#                                   # (scripts/bench/website.ts; BENCH_WEBSITE_SAMPLES, BENCH_TS_LATENCY_MS)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "[bench] $*" >&2; }

PARTS=" ${*:-telegram conversations bulk centre website} "
want() { [[ "$PARTS" == *" $1 "* ]]; }
ORIG_PATH="$PATH"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/teamspirit-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if want telegram || want inbound || want inbound-queue; then
  eval "$(bash scripts/n8n-env.sh)"
  log "n8n $(n8n --version) on Node $("$TS_NODE24_BIN" --version)"

  PATH="$ORIG_PATH" npm run build >&2
  TARBALL_NAME="$(PATH="$ORIG_PATH" npm pack --ignore-scripts --pack-destination "$WORK" --json \
    | PATH="$ORIG_PATH" node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].filename))')"
  export TS_PACKAGE_TARBALL="$WORK/$TARBALL_NAME"

  # the bench script and what it uses (emulator, n8n helpers), compiled once
  PATH="$ORIG_PATH" node_modules/.bin/tsc --outDir "$WORK/js" --rootDir . --module commonjs --target es2022 \
    --esModuleInterop --skipLibCheck --types node --strict false --noImplicitAny false \
    scripts/bench/telegram.ts scripts/bench/inbound.ts
  if want telegram; then PATH="$ORIG_PATH" node "$WORK/js/scripts/bench/telegram.js"; fi
  if want inbound; then PATH="$ORIG_PATH" node "$WORK/js/scripts/bench/inbound.js"; fi
  if want inbound-queue; then
    eval "$(bash scripts/queue-env.sh)" # PostgreSQL and Redis (installed when missing)
    PATH="$ORIG_PATH" node "$WORK/js/scripts/bench/inbound.js" queue
  fi
fi

if want conversations; then
  # the bench, the nodes and the test harness it runs them with, compiled as the tests see them
  # (strict); node_modules and the example workflows reached from the output folder
  PATH="$ORIG_PATH" node_modules/.bin/tsc --outDir "$WORK/conversations" --rootDir . --module commonjs \
    --target es2022 --esModuleInterop --resolveJsonModule --skipLibCheck --types node,jest --strict \
    scripts/bench/conversations.ts
  ln -s "$ROOT/node_modules" "$WORK/conversations/node_modules"
  ln -s "$ROOT/examples" "$WORK/conversations/examples"
  log "conversation bridge (n8n-core $(PATH="$ORIG_PATH" node -p 'require("n8n-core/package.json").version') on Node $(PATH="$ORIG_PATH" node --version))"
  PATH="$ORIG_PATH" node "$WORK/conversations/scripts/bench/conversations.js"
fi

if want bulk || want bulk-queue; then
  # 6. bulk sends: 1,000 messages to 100 chats, the TeamSpirit node vs n8n's HTTP Request node, in
  # one real n8n against the TeamSpirit emulator (5 ms per answer); scripts/bench/bulk.ts
  # (BENCH_BULK_RUNS, BENCH_BULK_LATENCY_MS, BENCH_BULK_JSON=path, BENCH_BULK_CPU_PROF=dir)
  eval "$(bash scripts/n8n-env.sh)"
  if [[ -z "${TS_PACKAGE_TARBALL:-}" ]]; then
    PATH="$ORIG_PATH" npm run build >&2
    TARBALL_NAME="$(PATH="$ORIG_PATH" npm pack --ignore-scripts --pack-destination "$WORK" --json \
      | PATH="$ORIG_PATH" node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].filename))')"
    export TS_PACKAGE_TARBALL="$WORK/$TARBALL_NAME"
  fi
  PATH="$ORIG_PATH" node_modules/.bin/tsc --outDir "$WORK/bulk" --rootDir . --module commonjs --target es2022 \
    --esModuleInterop --skipLibCheck --types node --strict false --noImplicitAny false \
    scripts/bench/bulk.ts
  log "bulk sends: n8n $(n8n --version)"
  if want bulk; then PATH="$ORIG_PATH" node "$WORK/bulk/scripts/bench/bulk.js"; fi
  if want bulk-queue; then
    eval "$(bash scripts/queue-env.sh)" # PostgreSQL and Redis (installed when missing)
    PATH="$ORIG_PATH" node "$WORK/bulk/scripts/bench/bulk.js" queue
  fi
fi

if want centre; then
  # 7. the contact centre through n8n-core's engine against the emulators (scripts/bench/centre.ts)
  PATH="$ORIG_PATH" node_modules/.bin/tsc --outDir "$WORK/centre" --rootDir . --module commonjs \
    --target es2022 --esModuleInterop --resolveJsonModule --skipLibCheck --types node,jest --strict \
    scripts/bench/centre.ts
  ln -s "$ROOT/node_modules" "$WORK/centre/node_modules"
  ln -s "$ROOT/examples" "$WORK/centre/examples"
  log "contact centre (n8n-core $(PATH="$ORIG_PATH" node -p 'require("n8n-core/package.json").version') on Node $(PATH="$ORIG_PATH" node --version))"
  PATH="$ORIG_PATH" node "$WORK/centre/scripts/bench/centre.js"
fi

if want website; then
  # 8. the Website chat: operator → browser latency in one real n8n, a visitor in Debian's Chromium
  # (installed when missing, as root; never a downloaded browser), a Telegram customer as baseline
  if [ ! -x "${TS_CHROMIUM:-/usr/bin/chromium}" ]; then
    [ "$(id -u)" = 0 ] || { log "missing: sudo apt-get install -y chromium"; exit 1; }
    log "installing Debian's chromium (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2
  fi
  eval "$(bash scripts/n8n-env.sh)"
  if [[ -z "${TS_PACKAGE_TARBALL:-}" ]]; then
    PATH="$ORIG_PATH" npm run build >&2
    TARBALL_NAME="$(PATH="$ORIG_PATH" npm pack --ignore-scripts --pack-destination "$WORK" --json \
      | PATH="$ORIG_PATH" node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].filename))')"
    export TS_PACKAGE_TARBALL="$WORK/$TARBALL_NAME"
  fi
  PATH="$ORIG_PATH" node_modules/.bin/tsc --outDir "$WORK/website" --rootDir . --module commonjs --target es2022 \
    --esModuleInterop --resolveJsonModule --skipLibCheck --types node --strict false --noImplicitAny false \
    scripts/bench/website.ts
  ln -s "$ROOT/node_modules" "$WORK/website/node_modules"
  log "website chat: n8n $(n8n --version), $("${TS_CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null || echo chromium)"
  TS_REPO_ROOT="$ROOT" PATH="$ORIG_PATH" node "$WORK/website/scripts/bench/website.js"
fi
