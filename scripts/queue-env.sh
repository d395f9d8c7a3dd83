#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis servers are installed (Debian's packages, installed with apt-get
# when missing: n8n's queue mode needs both) and prints shell exports that say where they are:
#
#   eval "$(bash scripts/queue-env.sh)"   # TS_PG_BIN_DIR (initdb, postgres), TS_REDIS_SERVER
#
# The servers are not started here: test/e2e/queue.ts starts its own throw-away instances (data in
# a temporary folder, random free ports on 127.0.0.1, stopped on exit), for the queue-mode e2e
# suite, `npm run dev:queue` and the bench.
set -euo pipefail
log() { echo "[queue-env] $*" >&2; }

pg_bin_dir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

missing=()
pg_bin_dir >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  log "installing ${missing[*]} from Debian's packages (apt-get)"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  # the packages start system-wide servers on the default ports; ours run on their own ports
  $SUDO service redis-server stop >/dev/null 2>&1 || true
fi

PG_BIN_DIR="$(pg_bin_dir)" || { log "no PostgreSQL server binaries under /usr/lib/postgresql"; exit 1; }
REDIS_SERVER="$(command -v redis-server || echo /usr/bin/redis-server)"
echo "export TS_PG_BIN_DIR=\"$PG_BIN_DIR\""
echo "export TS_REDIS_SERVER=\"$REDIS_SERVER\""
