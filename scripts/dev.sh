#!/usr/bin/env bash
# Local development n8n with this package loaded under its real node type names
# (n8n-nodes-teamspirit.teamSpirit, as after a community-package install, so the workflows in
# examples/ import as they are), recompiled on save and hot-reloaded:
#
#   npm run dev          # then open http://localhost:5678 ; Ctrl-C stops n8n and the compiler
#
# - The dev dependencies are installed on first use (scripts/lib/ensure-deps.sh runs `npm ci`).
# - Node 24 + n8n come from scripts/n8n-env.sh (installed into ~/.cache on first use).
# - n8n's data (SQLite, owner account, credentials, workflows) lives in .n8n-dev/ (gitignored).
#   Delete it to start from scratch.
# - The package n8n loads is .n8n-dev/package: package.json (a symlink to ours) and dist/, which
#   `tsc --watch` keeps compiled. It is symlinked into .n8n-dev/.n8n/nodes/node_modules, where n8n
#   loads community packages from. n8n runs with N8N_DEV_RELOAD=true and reloads the package when
#   dist/ changes: refresh the editor to see new parameters. (n8n watches the real directory of
#   the package; linking the repository root instead would make every write to .n8n-dev/ a reload.)
# - Override with N8N_PORT, N8N_LISTEN_ADDRESS (default 127.0.0.1), N8N_RUNNERS_BROKER_PORT.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "[dev] $*" >&2; }

ORIG_PATH="$PATH"
bash scripts/lib/ensure-deps.sh
eval "$(bash scripts/n8n-env.sh)"

log "npm run build"
PATH="$ORIG_PATH" npm run build

PKG_NAME="$(node -p 'require("./package.json").name')"
DEV_HOME="$ROOT/.n8n-dev"
DEV_PKG="$DEV_HOME/package"
NODES_DIR="$DEV_HOME/.n8n/nodes"
mkdir -p "$DEV_PKG" "$NODES_DIR/node_modules"

# the dev package: our package.json + a compiled copy of the sources (icons included)
ln -sfn ../../package.json "$DEV_PKG/package.json"
rm -rf "$DEV_PKG/dist"
cp -R dist "$DEV_PKG/dist"

# n8n expects a package.json in nodes/ (it writes one like this itself)
[ -f "$NODES_DIR/package.json" ] ||
  printf '{\n  "name": "installed-nodes",\n  "private": true,\n  "dependencies": {}\n}\n' > "$NODES_DIR/package.json"
# a tarball installed earlier (npm install in nodes/) would be a real directory: replace it
if [ -e "$NODES_DIR/node_modules/$PKG_NAME" ] && [ ! -L "$NODES_DIR/node_modules/$PKG_NAME" ]; then
  rm -rf "$NODES_DIR/node_modules/$PKG_NAME"
fi
ln -sfn ../../../package "$NODES_DIR/node_modules/$PKG_NAME"

TSC_PID=""
N8N_PID=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$N8N_PID" ] && kill -0 "$N8N_PID" 2>/dev/null; then
    kill -TERM "$N8N_PID" 2>/dev/null || true
    wait "$N8N_PID" 2>/dev/null || true
  fi
  if [ -n "$TSC_PID" ] && kill -0 "$TSC_PID" 2>/dev/null; then
    kill "$TSC_PID" 2>/dev/null || true
    wait "$TSC_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# compiler in the background, on the same Node as `npm run build`
PATH="$ORIG_PATH" "$ROOT/node_modules/.bin/tsc" -p tsconfig.build.json --watch --preserveWatchOutput \
  --outDir "$DEV_PKG/dist" > >(sed -u 's/^/[tsc] /' >&2) 2>&1 &
TSC_PID=$!

export N8N_USER_FOLDER="$DEV_HOME"
export DB_TYPE=sqlite
export N8N_PORT="${N8N_PORT:-5678}"
export N8N_LISTEN_ADDRESS="${N8N_LISTEN_ADDRESS:-127.0.0.1}"
export N8N_DEV_RELOAD=true
export N8N_DIAGNOSTICS_ENABLED=false
export N8N_TEMPLATES_ENABLED="${N8N_TEMPLATES_ENABLED:-false}"
export N8N_VERSION_NOTIFICATIONS_ENABLED=false
export N8N_PERSONALIZATION_ENABLED=false
export N8N_HIRING_BANNER_ENABLED=false
export N8N_DYNAMIC_BANNERS_ENABLED=false
export N8N_PYTHON_ENABLED=false
export N8N_SSRF_PROTECTION_ENABLED=false
export N8N_DEFAULT_BINARY_DATA_MODE=filesystem

URL="http://localhost:$N8N_PORT"
log "n8n $(n8n --version) (Node $(node --version)) with $PKG_NAME from $DEV_PKG"
log "data: $DEV_HOME"
log "open $URL  (first visit: create the owner account; import examples/*.json via Workflows > Import from file)"
# not exec: the EXIT trap must still stop the compiler when n8n ends
n8n start &
N8N_PID=$!
wait "$N8N_PID"
