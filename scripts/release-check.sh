#!/usr/bin/env bash
# npm run release:check — what n8n's community-package scanner and npm publishing would say about
# this package, before it is published. See docs/release.md.
#
#   1. npm run build, npm pack into a temp folder, extract the tarball;
#   2. n8n's scanner (@n8n/scan-community-package, pinned below, installed once into a cache
#      outside the repository) lints the work tree's sources and the extracted tarball with its
#      own exported functions (scripts/release-scan.mjs);
#   3. package.json and tarball checks for publishing (scripts/release-package-check.mjs).
#
# Exit code 0 only when all three pass. Environment:
#   TS_SCANNER_VERSION   scanner version (default: the pinned one below)
#   TS_CACHE_DIR         cache folder (default ~/.cache/n8n-nodes-teamspirit)
#   KEEP_RELEASE_CHECK=1 keep the temp folder (tarball, extracted package, source copy)
set -euo pipefail

SCANNER_VERSION="${TS_SCANNER_VERSION:-0.32.0}"
CACHE="${TS_CACHE_DIR:-$HOME/.cache/n8n-nodes-teamspirit}"
SCANNER_DIR="$CACHE/scanner-$SCANNER_VERSION"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
started=$SECONDS

log() { echo "[release:check] $*"; }
fail() { echo "[release:check] ❌ $*" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/release-check.XXXXXX")"
cleanup() { if [ "${KEEP_RELEASE_CHECK:-}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

cd "$ROOT"
# Dev dependencies (tsc, gulp): the shared helper installs them when missing or out of date.
if [ -f scripts/lib/ensure-deps.sh ]; then bash scripts/lib/ensure-deps.sh; fi
[ -x node_modules/.bin/tsc ] || fail "dev dependencies are missing: run npm ci"

# --- the scanner, once per version, outside the repository --------------------------------------
# Installed like `npx @n8n/scan-community-package` would (its own dependency ranges), scripts off.
if [ ! -f "$SCANNER_DIR/.done" ]; then
	log "installing @n8n/scan-community-package@$SCANNER_VERSION into $SCANNER_DIR (once)"
	rm -rf "$SCANNER_DIR.tmp"
	mkdir -p "$SCANNER_DIR.tmp"
	(
		cd "$SCANNER_DIR.tmp"
		echo '{"private":true}' >package.json
		npm install --no-audit --no-fund --ignore-scripts --loglevel=error \
			"@n8n/scan-community-package@$SCANNER_VERSION" >/dev/null
	) || fail "could not install @n8n/scan-community-package@$SCANNER_VERSION"
	rm -rf "$SCANNER_DIR"
	mv "$SCANNER_DIR.tmp" "$SCANNER_DIR"
	touch "$SCANNER_DIR/.done"
fi

# --- build, pack, extract ------------------------------------------------------------------------
log "building"
npm run build --silent >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; fail "npm run build failed"; }

log "packing"
npm pack --ignore-scripts --pack-destination "$WORK" --json >"$WORK/pack.json" 2>"$WORK/pack.log" ||
	{ cat "$WORK/pack.log" >&2; fail "npm pack failed"; }
TARBALL="$WORK/$(node -e 'console.log(require(process.argv[1])[0].filename)' "$WORK/pack.json")"
mkdir -p "$WORK/package"
tar -xzf "$TARBALL" -C "$WORK/package" --strip-components=1

# The scanner lints the commit named by the package's provenance. Here: the work tree's files that
# git would commit (tracked and untracked, minus .gitignore'd ones such as dist/ and node_modules/).
mkdir -p "$WORK/source"
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf - | tar -xf - -C "$WORK/source"

# --- n8n's scanner -------------------------------------------------------------------------------
log "running n8n's community-package scanner"
scan_rc=0
TMPDIR="$WORK" node scripts/release-scan.mjs "$SCANNER_DIR" "$WORK/source" "$WORK/package" || scan_rc=$?

# --- what publishing needs -----------------------------------------------------------------------
log "checking package.json and the tarball"
check_rc=0
node scripts/release-package-check.mjs "$ROOT" "$WORK/package" "$WORK/pack.json" || check_rc=$?

elapsed=$((SECONDS - started))
name_version="$(node -p 'const p=require("./package.json"); p.name+"@"+p.version')"
if [ "$scan_rc" -ne 0 ] || [ "$check_rc" -ne 0 ]; then
	what=()
	[ "$scan_rc" -eq 2 ] && what+=("the scanner could not run")
	[ "$scan_rc" -eq 1 ] && what+=("n8n's scanner")
	[ "$check_rc" -ne 0 ] && what+=("package checks")
	fail "$name_version is not ready to publish: $(IFS=,; echo "${what[*]}" | sed 's/,/, /g') failed (${elapsed} s)"
fi
log "✅ $name_version ready to publish: scanner @n8n/scan-community-package@$SCANNER_VERSION passed, package checks passed, $(basename "$TARBALL") (${elapsed} s)"
