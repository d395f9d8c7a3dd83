#!/usr/bin/env bash
# End-to-end test in a real n8n: builds the package, packs it as it would be published,
# installs the tarball into throw-away n8n homes (as an admin installs a community package)
# and runs test/e2e/**/*.e2e.test.ts against the emulators, one suite in n8n's queue mode
# (PostgreSQL + Redis from Debian's packages, installed by scripts/queue-env.sh when missing).
#
#   npm run test:e2e                      # or: bash scripts/e2e.sh [jest args...]
#   TS_E2E_KEEP=1 npm run test:e2e        # keep the n8n homes and the tarball for inspection
#   TS_EDITOR_SCREENSHOTS=docs/images bash scripts/e2e.sh test/e2e/contact-centre.e2e.test.ts
#                                         # also re-take the operator chat picture
#
# Node 24 and n8n come from scripts/n8n-env.sh (installed into ~/.cache on first use, a few
# minutes). Jest runs on the Node that was on PATH before (the same one as `npm test`); the
# n8n processes it starts run on Node 24 (TS_NODE24_BIN).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS
log() { echo "[e2e] $*" >&2; }

ORIG_PATH="$PATH"
eval "$(bash scripts/n8n-env.sh)"
log "n8n $(n8n --version) on Node $("$TS_NODE24_BIN" --version) from $TS_N8N_DIR"
# the queue-mode suite (test/e2e/queue.e2e.test.ts) needs PostgreSQL and Redis: installed when missing
eval "$(bash scripts/queue-env.sh)"
log "PostgreSQL from $TS_PG_BIN_DIR, Redis $TS_REDIS_SERVER"

# The website chat suite (test/e2e/website-chat.e2e.test.ts) drives the widget in Debian's Chromium
# (installed when missing, as root; never a downloaded browser). TS_EDITOR_SCREENSHOTS=<dir>: the
# contact-centre and website chat suites also write their pictures, with Chromium's emoji font.
want=()
[ -x "${TS_CHROMIUM:-/usr/bin/chromium}" ] || want+=(chromium)
if [ -n "${TS_EDITOR_SCREENSHOTS:-}" ]; then
  dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || want+=(fonts-noto-color-emoji)
fi
if [ ${#want[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { log "missing: sudo apt-get install -y ${want[*]}"; exit 1; }
  log "installing ${want[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends "${want[@]}" >&2
fi

log "npm run build"
PATH="$ORIG_PATH" npm run build

PACK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/teamspirit-pack.XXXXXX")"
# The n8n the suites share (test/e2e/shared-n8n.ts) writes its pid and home here. jest's
# globalTeardown stops it; this trap too, when jest never got there (killed, Ctrl-C, a process.exit
# in a suite): by the pid of its process group, never by name.
export TS_E2E_SHARED_STATE="$PACK_DIR/shared-n8n.json"
stop_shared_n8n() {
  [ -f "$TS_E2E_SHARED_STATE" ] || return 0
  local pid home
  read -r pid home < <(PATH="$ORIG_PATH" node -e 'const s=require(process.argv[1]);console.log(s.pid,s.homeDir)' "$TS_E2E_SHARED_STATE") || return 0
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping the shared n8n (pid $pid) jest left behind"
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  kill -KILL -- "-$pid" 2>/dev/null || true
  if [ "${TS_E2E_KEEP:-}" = 1 ]; then log "keeping the shared n8n home $home"; else rm -rf "$home"; fi
}
cleanup() {
  stop_shared_n8n
  if [ "${TS_E2E_KEEP:-}" = 1 ]; then log "keeping $PACK_DIR"; else rm -rf "$PACK_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --ignore-scripts: the build above already ran (prepack would build again)
TARBALL_NAME="$(PATH="$ORIG_PATH" npm pack --ignore-scripts --pack-destination "$PACK_DIR" --json \
  | PATH="$ORIG_PATH" node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].filename))')"
export TS_PACKAGE_TARBALL="$PACK_DIR/$TARBALL_NAME"
[ -f "$TS_PACKAGE_TARBALL" ] || { log "npm pack produced no $TS_PACKAGE_TARBALL"; exit 1; }
log "packed $TS_PACKAGE_TARBALL ($(du -k "$TS_PACKAGE_TARBALL" | cut -f1) kB)"

rc=0
PATH="$ORIG_PATH" npx jest -c jest.e2e.config.js --runInBand "$@" || rc=$?
log "total $((SECONDS - started)) s, exit $rc"
exit "$rc"
