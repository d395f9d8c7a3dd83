// jest.e2e.config.js globalSetup: names the state file of the n8n the suites may share
// (test/e2e/shared-n8n.ts). Nothing starts here: the first suite that calls sharedN8n() starts it.
// scripts/e2e.sh names the file itself (its exit trap stops a shared n8n that jest left behind);
// run without it (npx jest -c jest.e2e.config.js), the file goes into a temporary directory.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async () => {
	if (process.env.TS_E2E_SHARED_STATE) {
		fs.rmSync(process.env.TS_E2E_SHARED_STATE, { force: true });
		return;
	}
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-shared-state-'));
	process.env.TS_E2E_SHARED_STATE = path.join(dir, 'shared-n8n.json');
	process.env.TS_E2E_SHARED_STATE_DIR = dir;
};
