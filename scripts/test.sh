#!/usr/bin/env bash
# `npm test`: installs the dev dependencies on first use, then runs the two jest suites:
#   1. every unit, emulator and node test (n8n-core's real WorkflowExecute against the emulators),
#      in parallel jest workers;
#   2. the *.memory.test.ts files alone, in a process of their own with --expose-gc (forced GC
#      is slow in a big heap, so they do not share the first process).
# Both suites always run and both report; the exit code is non-zero when either failed.
# Extra arguments go to both jest runs (e.g. `npm test -- -t "pairedItem"`).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/lib/ensure-deps.sh || exit 1
# the website chat widget's generated assets (nodes/channels/website/widget/assets.ts) from widget/
node scripts/build-widget.mjs || exit 1

# The main suite runs in TS_JEST_WORKERS jest workers (default 4 on CI's 2 cores: most of a test's
# time is spent waiting, on emulators, n8n's timers and the outage waits the guarantees tests sit
# through, so four files at a time keep both cores busy; with 2 workers the 4 channels of issue 24
# took npm test from 385 s to 900+ s).
# Every test file is independent: emulators listen on ports the OS picks, temp dirs are mkdtemp'd.
main_rc=0
node node_modules/jest/bin/jest.js --maxWorkers="${TS_JEST_WORKERS:-4}" "$@" || main_rc=$?

memory_rc=0
node --expose-gc node_modules/jest/bin/jest.js --runInBand \
	--testPathIgnorePatterns /node_modules/ /dist/ /test/e2e/ \
	--testMatch '**/*.memory.test.ts' --passWithNoTests "$@" || memory_rc=$?

echo "[test] main suite: $([ $main_rc = 0 ] && echo passed || echo "FAILED ($main_rc)"), memory suite: $([ $memory_rc = 0 ] && echo passed || echo "FAILED ($memory_rc)")" >&2
[ $main_rc = 0 ] && [ $memory_rc = 0 ]
