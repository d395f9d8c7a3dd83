#!/usr/bin/env bash
# `npm run dev`: the whole product on this machine, on its own. n8n with this package loaded under
# its real node type names (n8n-nodes-teamspirit.teamSpirit, as after a community-package install,
# so the workflows in examples/ import as they are), recompiled on save and hot-reloaded, and by
# default the sandbox (scripts/sandbox/): the TeamSpirit, Telegram, Twilio and Graph emulators
# standing in for the real servers, credentials pointing at them, the conversation examples
# imported and published (the echo bots imported), an owner account, and the playground page.
#
#   npm run dev                  # prints the playground's and n8n's addresses and the owner's login
#   npm run dev -- --real        # (or TS_DEV_REAL=1) n8n alone, for real servers, as before
#
# - Ctrl-C stops everything. One `npm run dev` at a time: a second one says so (.n8n-dev/dev.lock).
# - The dev dependencies are installed on first use (scripts/lib/ensure-deps.sh runs `npm ci`).
# - Node 24 + n8n come from scripts/n8n-env.sh (installed into ~/.cache on first use).
# - n8n's data (SQLite, owner account, credentials, workflows) lives in .n8n-dev/ (gitignored),
#   and the sandbox's own record of what it set up in .n8n-dev/sandbox.json. Delete the folder to
#   start from scratch.
# - The package n8n loads is .n8n-dev/package: package.json (a symlink to ours) and dist/, which
#   `tsc --watch` keeps compiled. It is symlinked into .n8n-dev/.n8n/nodes/node_modules, where n8n
#   loads community packages from. n8n runs with N8N_DEV_RELOAD=true and reloads the package when
#   dist/ changes: refresh the editor to see new parameters. (n8n watches the real directory of
#   the package; linking the repository root instead would make every write to .n8n-dev/ a reload.)
# - The sandbox's TypeScript (scripts/sandbox, test/e2e, test/emulators) is compiled by tsc into
#   .n8n-dev/js when its sources changed, and run on the Node that runs `npm run build`.
# - Ports: N8N_PORT (5678), TS_PLAYGROUND_PORT (5680), TS_EMULATOR_PORT (5681: TeamSpirit, then
#   Telegram, Twilio, Twilio's media host, Graph on the next four). N8N_LISTEN_ADDRESS (127.0.0.1)
#   and N8N_RUNNERS_BROKER_PORT apply with --real.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "[dev] $*" >&2; }

REAL="${TS_DEV_REAL:-}"
[ "$REAL" = 0 ] && REAL=""
for arg in "$@"; do
  case "$arg" in
    --real) REAL=1 ;;
    *) log "unknown option $arg (npm run dev [-- --real])"; exit 2 ;;
  esac
done

DEV_HOME="$ROOT/.n8n-dev"
mkdir -p "$DEV_HOME"
# One `npm run dev` at a time (a second one would rebuild the package under the first one's n8n):
# the lock is held by this script and what it starts, and released by the kernel when they end.
exec 9>"$DEV_HOME/dev.lock"
if ! flock -n 9; then
  pid="$(cat "$DEV_HOME/dev.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "npm run dev is already running (pid $pid): its terminal shows the addresses. Stop it with Ctrl-C there (or kill $pid), then start again."
  else
    # the script is gone, something it started is not (it inherited the lock)
    log "a process of an earlier npm run dev still runs and holds .n8n-dev/dev.lock: find it with fuser -v .n8n-dev/dev.lock, stop it, then start again."
  fi
  exit 1
fi
echo "$$" > "$DEV_HOME/dev.pid"

ORIG_PATH="$PATH"
bash scripts/lib/ensure-deps.sh
eval "$(bash scripts/n8n-env.sh)"

log "npm run build"
PATH="$ORIG_PATH" npm run build

PKG_NAME="$(node -p 'require("./package.json").name')"
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
SANDBOX_PID=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$SANDBOX_PID" ] && kill -0 "$SANDBOX_PID" 2>/dev/null; then
    kill -TERM "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
  fi
  if [ -n "$N8N_PID" ] && kill -0 "$N8N_PID" 2>/dev/null; then
    kill -TERM "$N8N_PID" 2>/dev/null || true
    wait "$N8N_PID" 2>/dev/null || true
  fi
  if [ -n "$TSC_PID" ] && kill -0 "$TSC_PID" 2>/dev/null; then
    kill "$TSC_PID" 2>/dev/null || true
    wait "$TSC_PID" 2>/dev/null || true
  fi
  rm -f "$DEV_HOME/dev.pid"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# compiler in the background, on the same Node as `npm run build`
PATH="$ORIG_PATH" "$ROOT/node_modules/.bin/tsc" -p tsconfig.build.json --watch --preserveWatchOutput \
  --outDir "$DEV_PKG/dist" > >(sed -u 's/^/[tsc] /' >&2) 2>&1 &
TSC_PID=$!

if [ -z "$REAL" ]; then
  # the sandbox: compiled when its sources changed since the last run
  JS="$DEV_HOME/js"
  if [ ! -f "$JS/.stamp" ] || [ -n "$(find scripts/sandbox test/e2e test/emulators -newer "$JS/.stamp" -print -quit)" ]; then
    log "compiling the sandbox"
    rm -rf "$JS"
    PATH="$ORIG_PATH" "$ROOT/node_modules/.bin/tsc" --outDir "$JS" --rootDir . --module commonjs --target es2022 \
      --esModuleInterop --resolveJsonModule --skipLibCheck --types node --strict scripts/sandbox/main.ts
    touch "$JS/.stamp"
  fi
  TS_REPO_ROOT="$ROOT" TS_DEV_HOME="$DEV_HOME" PATH="$ORIG_PATH" TS_N8N_DIR="$TS_N8N_DIR" TS_NODE24_BIN="$TS_NODE24_BIN" \
    node "$JS/scripts/sandbox/main.js" &
  SANDBOX_PID=$!
  wait "$SANDBOX_PID"
  exit $?
fi

if (exec 3<>"/dev/tcp/127.0.0.1/${N8N_PORT:-5678}") 2>/dev/null; then
  log "port ${N8N_PORT:-5678} is in use: another n8n runs. Stop it, or choose another: N8N_PORT=5690 npm run dev -- --real"
  exit 1
fi

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
if [ -f "$DEV_HOME/sandbox.json" ]; then
  log "open $URL  (log in with the owner the sandbox made: owner@sandbox.local, password in .n8n-dev/sandbox.json)"
  log "the sandbox's published workflows use the emulators, which do not run now: switch them to your credentials or unpublish them (README, Try it on your machine)"
else
  log "open $URL  (first visit: create the owner account; import examples/*.json via Workflows > Import from file)"
fi
# not exec: the EXIT trap must still stop the compiler when n8n ends
n8n start &
N8N_PID=$!
wait "$N8N_PID"
