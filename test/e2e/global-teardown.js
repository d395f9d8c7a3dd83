// jest.e2e.config.js globalTeardown: stops the shared n8n (test/e2e/shared-n8n.ts) when a suite
// started one, by the pid of its process group (SIGTERM, then SIGKILL after 15 s), and removes its
// home unless TS_E2E_KEEP=1.
const fs = require('node:fs');

const alive = (pid) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};
const signal = (pid, sig) => {
	try {
		process.kill(-pid, sig);
	} catch {
		/* gone */
	}
};

module.exports = async () => {
	const file = process.env.TS_E2E_SHARED_STATE;
	if (!file) return;
	if (fs.existsSync(file)) {
		const { pid, homeDir } = JSON.parse(fs.readFileSync(file, 'utf8'));
		signal(pid, 'SIGTERM');
		const until = Date.now() + 15_000;
		while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
		signal(pid, 'SIGKILL');
		if (process.env.TS_E2E_KEEP === '1') console.log(`[e2e] keeping the shared n8n home ${homeDir}`);
		else fs.rmSync(homeDir, { recursive: true, force: true, maxRetries: 3 });
		fs.rmSync(file, { force: true });
	}
	// the directory globalSetup made (scripts/e2e.sh's own is removed by scripts/e2e.sh)
	if (process.env.TS_E2E_SHARED_STATE_DIR) fs.rmSync(process.env.TS_E2E_SHARED_STATE_DIR, { recursive: true, force: true });
};
