#!/usr/bin/env bash
# Editor smoke test: the packed package installed into a throw-away n8n 2.41.1 (as an admin
# installs a community package), the TeamSpirit, Telegram, Twilio and Graph emulators on
# 127.0.0.1, and headless Chromium (puppeteer-core) clicking through n8n's real editor.
# See docs/editor-test.md.
#
#   npm run test:editor                   # or: bash scripts/editor-test.sh [jest args...]
#   npm run screenshots                   # the same run, and it (re)writes docs/images/*.png
#   TS_E2E_KEEP=1 npm run test:editor     # keep the n8n home, the tarball and failure screenshots
#
# Installs what is missing: Debian's chromium (apt-get; never a downloaded browser), Node 24 + n8n
# (scripts/n8n-env.sh, into ~/.cache), the dev dependencies (scripts/lib/ensure-deps.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS
log() { echo "[editor] $*" >&2; }

if [ "${1:-}" = "--screenshots" ]; then
	shift
	export TS_EDITOR_SCREENSHOTS="$ROOT/docs/images"
fi

export TS_CHROMIUM="${TS_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$TS_CHROMIUM" ]; then
	[ "$(id -u)" = 0 ] || { log "$TS_CHROMIUM is missing: sudo apt-get install -y chromium"; exit 1; }
	log "installing Debian's chromium (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update >&2
	apt-get install -y --no-install-recommends chromium >&2
fi
log "$("$TS_CHROMIUM" --version 2>/dev/null || echo chromium)"

bash scripts/lib/ensure-deps.sh

# Another process (a parallel `npm run dev`, the e2e suite, a provisioning step) may be installing
# n8n into the cache right now; n8n-env.sh would start that install over. Wait for its stamp file
# while some process still works inside the install directory.
CACHE="${TS_CACHE_DIR:-$HOME/.cache/n8n-nodes-teamspirit}"
N8N_DIR="$CACHE/n8n-${TS_N8N_VERSION:-2.41.1}-node-${TS_NODE24_VERSION:-24.21.0}"
busy_in() {
	local p
	for p in /proc/[0-9]*; do
		case "$(readlink "$p/cwd" 2>/dev/null)" in "$1" | "$1"/*) return 0 ;; esac
	done
	return 1
}
if [ -d "$N8N_DIR" ] && [ ! -f "$N8N_DIR/.done" ]; then
	log "waiting for the n8n install in $N8N_DIR to finish"
	waited=0
	while [ ! -f "$N8N_DIR/.done" ] && busy_in "$N8N_DIR" && [ "$waited" -lt 1800 ]; do
		sleep 5
		waited=$((waited + 5))
	done
fi

ORIG_PATH="$PATH"
eval "$(bash scripts/n8n-env.sh)"
log "n8n $(n8n --version) on Node $("$TS_NODE24_BIN" --version) from $TS_N8N_DIR"

log "npm run build"
PATH="$ORIG_PATH" npm run build >&2

# The editor loads the package the way users get it: `npm pack`, then the tarball installed into
# <N8N_USER_FOLDER>/.n8n/nodes (test/e2e/n8n.ts installPackageTarball), like the e2e suite does.
PACK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/teamspirit-editor-pack.XXXXXX")"
cleanup() {
	if [ "${TS_E2E_KEEP:-}" = 1 ]; then log "keeping $PACK_DIR"; else rm -rf "$PACK_DIR"; fi
}
trap cleanup EXIT
TARBALL_NAME="$(PATH="$ORIG_PATH" npm pack --ignore-scripts --pack-destination "$PACK_DIR" --json |
	PATH="$ORIG_PATH" node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].filename))')"
export TS_PACKAGE_TARBALL="$PACK_DIR/$TARBALL_NAME"
[ -f "$TS_PACKAGE_TARBALL" ] || { log "npm pack produced no $TS_PACKAGE_TARBALL"; exit 1; }

rc=0
PATH="$ORIG_PATH" npx jest -c jest.editor.config.js --runInBand "$@" || rc=$?
log "total $((SECONDS - started)) s, exit $rc"
exit "$rc"
