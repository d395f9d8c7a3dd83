#!/usr/bin/env bash
# n8n's queue mode on this machine with this package installed as an admin installs it:
# PostgreSQL + Redis (Debian's packages, installed when missing; data in .n8n-queue/, random free
# ports), n8n main + 2 webhook processors (`n8n webhook`) + 2 workers (`n8n worker`), binary data
# in the database, and a small balancer on http://127.0.0.1:5678 (N8N_PORT) sending /webhook/… to
# the webhook processors and the rest to the main.
#
#   npm run dev:queue        # Ctrl-C stops everything; rm -rf .n8n-queue to start from scratch
#
# Unlike `npm run dev` there is no hot reload: the packed package is installed into each process.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "[dev:queue] $*" >&2; }

ORIG_PATH="$PATH"
bash scripts/lib/ensure-deps.sh
eval "$(bash scripts/n8n-env.sh)"
eval "$(bash scripts/queue-env.sh)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/teamspirit-queue.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

PATH="$ORIG_PATH" npm run build >&2
TARBALL_NAME="$(PATH="$ORIG_PATH" npm pack --ignore-scripts --pack-destination "$WORK" --json \
  | PATH="$ORIG_PATH" node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].filename))')"
export TS_PACKAGE_TARBALL="$WORK/$TARBALL_NAME"

PATH="$ORIG_PATH" node_modules/.bin/tsc --outDir "$WORK/js" --rootDir . --module commonjs --target es2022 \
  --esModuleInterop --skipLibCheck --types node --strict scripts/dev-queue.ts
log "starting PostgreSQL, Redis and 5 n8n processes (a minute or two)"
PATH="$ORIG_PATH" node "$WORK/js/scripts/dev-queue.js"
