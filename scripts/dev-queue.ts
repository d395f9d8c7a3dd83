/**
 * `npm run dev:queue`: n8n's queue mode on this machine with this package installed (see
 * test/e2e/queue.ts): PostgreSQL, Redis, main + 2 webhook processors + 2 workers and a
 * balancer. Prints the URL and the owner's login; Ctrl-C stops everything. The database and
 * Redis data live in .n8n-queue/ (gitignored): delete it to start from scratch.
 */
import * as path from 'node:path';

import { REPO_ROOT } from '../test/e2e/n8n';
import { startQueueCluster } from '../test/e2e/queue';

async function main(): Promise<void> {
	const tarball = process.env.TS_PACKAGE_TARBALL;
	if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set (run through npm run dev:queue)');
	const cluster = await startQueueCluster({
		tarball,
		dataDir: process.env.TS_QUEUE_DATA ?? path.join(REPO_ROOT, '.n8n-queue'),
		port: process.env.N8N_PORT ? Number(process.env.N8N_PORT) : 5678,
		workerEnv: { N8N_LOG_LEVEL: 'info' },
	});
	const line = (label: string, value: string) => console.log(`  ${label.padEnd(22)} ${value}`);
	console.log('\nn8n in queue mode is running:');
	line('editor (balancer)', `${cluster.url}   owner@example.corp / E2e-owner-password-1`);
	line('main', cluster.main.url);
	cluster.webhooks.forEach((w, i) => line(`webhook processor ${i + 1}`, `${w.url}/webhook/…`));
	cluster.workers.forEach((w, i) =>
		line(`worker ${i + 1}`, `pid ${w.pid}, health ${w.url}/healthz`),
	);
	line('PostgreSQL', `127.0.0.1:${cluster.postgres.port} (user postgres, database postgres)`);
	line('Redis', `127.0.0.1:${cluster.redis.port}`);
	console.log('Ctrl-C stops all of it.\n');
	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		console.log('stopping…');
		await cluster.stop();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	if (process.env.TS_DEV_QUEUE_EXIT_AFTER_START === '1') await stop();
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
