#!/usr/bin/env bash
# Installs the repository's dev dependencies when they are missing or older than package-lock.json,
# so `npm test` and `npm run dev` work on a fresh clone without a separate `npm ci` first.
#   source scripts/lib/ensure-deps.sh   (or: bash scripts/lib/ensure-deps.sh)
set -euo pipefail
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_stamp="$_root/node_modules/.package-lock.json"
if [ ! -x "$_root/node_modules/.bin/jest" ] || [ ! -x "$_root/node_modules/.bin/tsc" ] ||
	[ ! -f "$_stamp" ] || [ "$_root/package-lock.json" -nt "$_stamp" ]; then
	echo "[deps] installing dev dependencies (npm ci)" >&2
	(cd "$_root" && npm ci --no-audit --no-fund >&2)
fi
