/**
 * `npm run dev` (scripts/dev.sh compiles this into .n8n-dev/js and runs it): the sandbox
 * (sandbox.ts) in the dev home .n8n-dev, with the package dev.sh keeps compiled there, until
 * Ctrl-C. Prints where the playground and n8n are and the owner's login.
 *
 * Environment: TS_REPO_ROOT (the repository), TS_DEV_HOME (.n8n-dev), the ports (sandboxPorts),
 * TS_N8N_DIR / TS_NODE24_BIN (scripts/n8n-env.sh).
 */
import * as net from 'node:net';
import * as path from 'node:path';

import { baseN8nEnv, type N8nHome } from '../../test/e2e/n8n';
import { sandboxPorts, startSandbox, type Sandbox, type SandboxPorts } from './sandbox';

const log = (line: string) => process.stderr.write(`[dev] ${line}\n`);

async function portFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

async function main(): Promise<void> {
	const started = Date.now();
	const root = process.env.TS_REPO_ROOT ?? process.cwd();
	const dir = process.env.TS_DEV_HOME ?? path.join(root, '.n8n-dev');
	const ports = sandboxPorts();
	const taken: string[] = [];
	for (const [name, port] of Object.entries(ports) as Array<[keyof SandboxPorts, number]>) {
		if (!(await portFree(port))) taken.push(`${port} (${name})`);
	}
	if (taken.length) {
		log(`port ${taken.join(', ')} in use on 127.0.0.1: another n8n or sandbox runs. Stop it, or choose other ports: N8N_PORT, TS_PLAYGROUND_PORT, TS_EMULATOR_PORT (the first of five)`);
		process.exit(1);
	}

	const env = baseN8nEnv(dir);
	// the dev home keeps the key n8n generated at its first start (.n8n-dev/.n8n/config)
	delete env.N8N_ENCRYPTION_KEY;
	const home: N8nHome = {
		dir,
		dataDir: path.join(dir, '.n8n'),
		nodesDir: path.join(dir, '.n8n', 'nodes'),
		env: { ...env, N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'warn', N8N_DEV_RELOAD: 'true' },
		cleanup: async () => undefined,
	};

	let sandbox: Sandbox | undefined;
	let stopping = 0;
	const shutdown = async (code: number) => {
		if (stopping) {
			// Ctrl-C reaches this process and scripts/dev.sh at once, and dev.sh then asks again
			// with SIGTERM: only a Ctrl-C well after the first one quits without waiting
			if (code === 130 && Date.now() - stopping > 2000) process.exit(code);
			return;
		}
		stopping = Date.now();
		log('stopping the playground, n8n and the emulators');
		await sandbox?.stop();
		process.exit(code);
	};
	process.on('SIGINT', () => void shutdown(130));
	process.on('SIGTERM', () => void shutdown(143));

	log(`starting the sandbox in ${path.relative(root, dir) || dir} (first run: n8n sets up its database, a minute or more)`);
	sandbox = await startSandbox({
		home,
		ports,
		log,
		pageDir: path.join(root, 'scripts', 'sandbox', 'page'),
		onN8nOutput: (chunk) => process.stderr.write(chunk.replace(/^(?=.)/gm, '[n8n] ')),
	});
	if (stopping) return;
	const { owner } = sandbox;
	const lines = [
		'',
		`  Playground   ${sandbox.playground.url}`,
		`  n8n editor   ${sandbox.n8n.url}   (login: ${owner.email} / ${owner.password})`,
		`  Emulators    TeamSpirit ${sandbox.emulators.ts.url}, Telegram ${sandbox.emulators.tg.url},`,
		`               Twilio ${sandbox.emulators.tw.url}, Graph ${sandbox.emulators.fb.url}`,
		'',
		`  Ready in ${Math.round((Date.now() - started) / 1000)} s. Ctrl-C stops everything; n8n's data stays in ${path.relative(root, dir) || dir}/ (delete it to start afresh).`,
		'  With real servers instead: npm run dev -- --real',
		'',
	];
	process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: Error) => {
	log(`failed: ${error.message}`);
	process.exit(1);
});
