/**
 * n8n's queue mode on one machine, for the queue-mode e2e suite, `npm run dev:queue` and the
 * bench: throw-away PostgreSQL and Redis (data in a temporary folder, random free ports on
 * 127.0.0.1), then n8n as one `main` (`n8n start`), webhook processors (`n8n webhook`) and
 * workers (`n8n worker`), each with its own user folder holding this package in
 * `.n8n/nodes` as an admin installs it, binary data in the database (what n8n uses in queue
 * mode), and a small load balancer in front: `/webhook/…` round-robin over the webhook
 * processors, everything else to the main, as n8n's queue-mode docs lay it out.
 *
 *   const cluster = await startQueueCluster({ tarball });
 *   // cluster.url: what platforms and browsers are given (the balancer)
 *   // cluster.webhooks[i].url: one webhook processor directly
 *   await cluster.stop();
 *
 * PostgreSQL and Redis come from Debian's packages (scripts/queue-env.sh installs them when
 * missing). PostgreSQL refuses to run as root: as root it runs as the `postgres` user.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	createN8nHome,
	freePort,
	installPackageTarball,
	N8nEditor,
	REPO_ROOT,
	startN8n,
	timings,
	type N8nHome,
	type RunningN8n,
} from './n8n';

// ---------------------------------------------------------------------------
// PostgreSQL and Redis
// ---------------------------------------------------------------------------

interface ServerBinaries {
	pgBinDir: string;
	redisServer: string;
}

let binaries: ServerBinaries | undefined;

/** Where initdb/postgres and redis-server are (scripts/queue-env.sh installs them when missing). */
export async function resolveServers(): Promise<ServerBinaries> {
	if (binaries) return binaries;
	let pgBinDir = process.env.TS_PG_BIN_DIR;
	let redisServer = process.env.TS_REDIS_SERVER;
	if (!pgBinDir || !redisServer) {
		const out = await exec('bash', [path.join(REPO_ROOT, 'scripts', 'queue-env.sh')], 15 * 60_000);
		const read = (name: string) => new RegExp(`^export ${name}="([^"]*)"`, 'm').exec(out)?.[1];
		pgBinDir = read('TS_PG_BIN_DIR');
		redisServer = read('TS_REDIS_SERVER');
		if (!pgBinDir || !redisServer) throw new Error(`queue-env.sh printed no server paths:\n${out}`);
	}
	binaries = { pgBinDir, redisServer };
	return binaries;
}

function exec(cmd: string, args: string[], timeoutMs = 60_000): Promise<string> {
	return new Promise((resolve, reject) => {
		execFile(
			cmd,
			args,
			{ timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
			(err, stdout, stderr) =>
				err
					? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`))
					: resolve(stdout),
		);
	});
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** PostgreSQL refuses root: as root, run its commands as the `postgres` system user. */
function pgCommand(bin: string, args: string[]): [string, string[]] {
	return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

export interface Service {
	port: number;
	pid: number;
	stop(): Promise<void>;
}

function spawnService(name: string, cmd: string, args: string[], opts: { cwd?: string } = {}) {
	const child = spawn(cmd, args, {
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
		cwd: opts.cwd,
	});
	let out = '';
	child.stdout!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
	child.stderr!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
	const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
	if (child.pid === undefined) throw new Error(`could not spawn ${name}`);
	groups.add(child.pid);
	return { child, exited, output: () => out };
}

const groups = new Set<number>();
process.on('exit', () => {
	for (const pgid of groups) {
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			/* gone */
		}
	}
});

async function stopGroup(
	child: ChildProcess,
	exited: Promise<void>,
	signal: NodeJS.Signals,
): Promise<void> {
	const pid = child.pid!;
	try {
		process.kill(-pid, signal);
	} catch {
		/* gone */
	}
	await Promise.race([exited, sleep(10_000)]);
	try {
		process.kill(-pid, 'SIGKILL');
	} catch {
		/* gone */
	}
	groups.delete(pid);
}

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms).unref());
}

async function waitFor(
	what: string,
	check: () => Promise<boolean>,
	output: () => string,
	timeoutMs = 60_000,
) {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline)
			throw new Error(`${what} not ready after ${timeoutMs} ms:\n${output().slice(-4000)}`);
		await sleep(200);
	}
}

/** A PostgreSQL cluster of its own (initdb into `dir`), trust auth on 127.0.0.1, no fsync. */
export async function startPostgres(dir: string): Promise<Service> {
	const { pgBinDir } = await resolveServers();
	const started = Date.now();
	const data = path.join(dir, 'data');
	await fs.promises.mkdir(dir, { recursive: true });
	if (asRoot) await exec('chown', ['postgres:postgres', dir]);
	const [initCmd, initArgs] = pgCommand(path.join(pgBinDir, 'initdb'), [
		'-D',
		data,
		'-U',
		'postgres',
		'-A',
		'trust',
		'-E',
		'UTF8',
		'--no-sync',
	]);
	// a data folder kept from an earlier run (npm run dev:queue) is used as it is
	if (!fs.existsSync(path.join(data, 'PG_VERSION'))) await exec(initCmd, initArgs, 120_000);
	const port = await freePort();
	const [cmd, args] = pgCommand(path.join(pgBinDir, 'postgres'), [
		'-D',
		data,
		'-p',
		String(port),
		'-k',
		dir,
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		'fsync=off',
		'-c',
		'synchronous_commit=off',
		'-c',
		'full_page_writes=off',
		'-c',
		'max_connections=200',
	]);
	// cwd: a folder the postgres user may enter (runuser keeps the caller's)
	const svc = spawnService('postgres', cmd, args, { cwd: dir });
	const isReady = path.join(pgBinDir, 'pg_isready');
	await waitFor(
		'PostgreSQL',
		async () => {
			try {
				await exec(isReady, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], 5000);
				return true;
			} catch {
				return false;
			}
		},
		svc.output,
	);
	timings.push({ label: 'PostgreSQL (initdb + start)', ms: Date.now() - started });
	return {
		port,
		pid: svc.child.pid!,
		// SIGINT: PostgreSQL's fast shutdown
		stop: () => stopGroup(svc.child, svc.exited, 'SIGINT'),
	};
}

function redisPing(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		let got = '';
		socket.setTimeout(2000, () => socket.destroy());
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (d) => {
			got += d.toString();
			if (got.includes('\r\n')) {
				socket.end();
				resolve(got.startsWith('+PONG'));
			}
		});
		socket.on('error', () => resolve(false));
		socket.on('close', () => resolve(false));
	});
}

/** A Redis of its own: in memory only (no snapshots), on 127.0.0.1. */
export async function startRedis(dir: string): Promise<Service> {
	const { redisServer } = await resolveServers();
	await fs.promises.mkdir(dir, { recursive: true });
	const port = await freePort();
	const svc = spawnService('redis', redisServer, [
		'--port',
		String(port),
		'--bind',
		'127.0.0.1',
		'--save',
		'',
		'--appendonly',
		'no',
		'--dir',
		dir,
	]);
	await waitFor('Redis', () => redisPing(port), svc.output);
	return { port, pid: svc.child.pid!, stop: () => stopGroup(svc.child, svc.exited, 'SIGTERM') };
}

// ---------------------------------------------------------------------------
// The load balancer
// ---------------------------------------------------------------------------

export interface LoadBalancer {
	url: string;
	port: number;
	/** Requests forwarded to each webhook processor (by index), and to the main. */
	counts: { webhooks: number[]; main: number };
	/**
	 * When on, every `/webhook/…` request goes to all webhook processors at once (the same bytes,
	 * the same headers) and the client gets the first answer: a platform delivering twice.
	 */
	mirror: boolean;
	stop(): Promise<void>;
}

interface Answer {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

function forward(port: number, req: http.IncomingMessage, body: Buffer): Promise<Answer> {
	return new Promise((resolve) => {
		const upstream = http.request(
			{ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
			(answer) => {
				const chunks: Buffer[] = [];
				answer.on('data', (c: Buffer) => chunks.push(c));
				answer.on('end', () =>
					resolve({
						status: answer.statusCode ?? 502,
						headers: answer.headers,
						body: Buffer.concat(chunks),
					}),
				);
				answer.on('error', () =>
					resolve({ status: 502, headers: {}, body: Buffer.from('upstream failed') }),
				);
			},
		);
		upstream.on('error', () =>
			resolve({ status: 502, headers: {}, body: Buffer.from('upstream unavailable') }),
		);
		upstream.end(body);
	});
}

/**
 * `/webhook/…` round-robin over the webhook processors, everything else (editor, REST, test
 * webhooks) to the main. Streams bodies both ways; keeps the client's Host.
 */
export async function startLoadBalancer(
	main: () => number,
	webhooks: () => number[],
	port?: number,
): Promise<LoadBalancer> {
	const counts = { webhooks: webhooks().map(() => 0), main: 0 };
	let next = 0;
	const balancer = { mirror: false };
	const server = http.createServer((req, res) => {
		let port: number;
		if (balancer.mirror && (req.url ?? '').startsWith('/webhook/')) {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const body = Buffer.concat(chunks);
				const ports = webhooks();
				ports.forEach((_, i) => (counts.webhooks[i] = (counts.webhooks[i] ?? 0) + 1));
				const answers = ports.map((p) => forward(p, req, body));
				void Promise.race(answers).then((first) => {
					res.writeHead(first.status, first.headers);
					res.end(first.body);
				});
			});
			return;
		}
		if ((req.url ?? '').startsWith('/webhook/')) {
			const ports = webhooks();
			const i = next++ % ports.length;
			counts.webhooks[i] = (counts.webhooks[i] ?? 0) + 1;
			port = ports[i];
		} else {
			counts.main++;
			port = main();
		}
		const upstream = http.request(
			{ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => {
			if (!res.headersSent) res.writeHead(502).end('upstream unavailable');
			else res.destroy();
		});
		req.pipe(upstream);
	});
	server.keepAliveTimeout = 5000;
	const listenPort = port ?? (await freePort());
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(listenPort, '127.0.0.1', resolve);
	});
	return {
		url: `http://127.0.0.1:${listenPort}`,
		port: listenPort,
		counts,
		get mirror() {
			return balancer.mirror;
		},
		set mirror(on: boolean) {
			balancer.mirror = on;
		},
		stop: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

// ---------------------------------------------------------------------------
// The cluster
// ---------------------------------------------------------------------------

export interface QueueCluster {
	/** The load balancer: give this to platforms and browsers (n8n's N8N_WEBHOOK_URL is it). */
	url: string;
	/** Base of production webhook URLs through the balancer: `${url}/webhook/`. */
	webhookBaseUrl: string;
	main: RunningN8n;
	webhooks: RunningN8n[];
	workers: RunningN8n[];
	/** The main's home: run n8n's CLI (import, publish) here; it uses the shared database. */
	home: N8nHome;
	/** The owner's REST session on the main (set up and logged in). */
	editor: N8nEditor;
	lb: LoadBalancer;
	postgres: Service;
	redis: Service;
	/** Environment every n8n process of the cluster shares (database, Redis, queue mode). */
	env: NodeJS.ProcessEnv;
	/** Starts one more worker (e.g. after one was killed). */
	addWorker(): Promise<RunningN8n>;
	/** Everything every n8n process printed, labelled. */
	output(): string;
	stop(): Promise<void>;
}

export interface QueueClusterOptions {
	/** The packed package (npm pack) to install into every process's `.n8n/nodes`. */
	tarball: string;
	webhookProcessors?: number;
	workers?: number;
	/** Extra environment for every n8n process. */
	env?: NodeJS.ProcessEnv;
	/** Environment for the workers only (e.g. N8N_LOG_LEVEL=info to see which one runs what). */
	workerEnv?: NodeJS.ProcessEnv;
	/** Runs against the migrated database before the main starts (imports, publish). */
	beforeStart?: (home: N8nHome) => Promise<void>;
	/** Where PostgreSQL and Redis keep their data (default: a temporary folder, removed on stop). */
	dataDir?: string;
	/** Fixed port for the balancer (default: a free one). */
	port?: number;
}

/** The queue-mode settings every process of a cluster shares. */
export function queueEnv(pgPort: number, redisPort: number, url: string): NodeJS.ProcessEnv {
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pgPort),
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD: '',
		DB_POSTGRESDB_DATABASE: 'postgres',
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		// binary data in the shared database (filesystem mode is per machine; n8n's queue default)
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		// "Execute workflow" in the editor runs on a worker too
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// every process builds webhook URLs on the balancer
		N8N_WEBHOOK_URL: `${url}/`,
		N8N_EDITOR_BASE_URL: `${url}/`,
	};
}

export async function startQueueCluster(opts: QueueClusterOptions): Promise<QueueCluster> {
	const started = Date.now();
	const ownData = !opts.dataDir;
	const dataDir = opts.dataDir ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'n8n-queue-')));
	await fs.promises.mkdir(dataDir, { recursive: true });
	await fs.promises.chmod(dataDir, 0o755);
	const processes: Array<{ label: string; n8n: RunningN8n }> = [];
	const homes: N8nHome[] = [];
	let postgres: Service | undefined;
	let redis: Service | undefined;
	let lb: LoadBalancer | undefined;

	const stop = async () => {
		// workers first (their running executions end), then the webhook processors, then the main
		for (const kind of ['worker', 'webhook', 'main']) {
			await Promise.all(processes.filter((p) => p.label.startsWith(kind)).map((p) => p.n8n.stop()));
		}
		await lb?.stop();
		await redis?.stop();
		await postgres?.stop();
		for (const home of homes) await home.cleanup();
		if (ownData && process.env.TS_E2E_KEEP !== '1') {
			await fs.promises.rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
		}
	};

	try {
		[postgres, redis] = await Promise.all([
			startPostgres(path.join(dataDir, 'postgres')),
			startRedis(path.join(dataDir, 'redis')),
		]);
		const lbPort = opts.port ?? (await freePort());
		const url = `http://127.0.0.1:${lbPort}`;
		const env = { ...queueEnv(postgres.port, redis.port, url), ...opts.env };

		// one home per process (its own config, logs and task broker); the package installed once
		// into the first, copied to the others as the same npm install would leave it
		const home = await createN8nHome({ prefix: 'n8n-queue-main-', env });
		homes.push(home);
		await installPackageTarball(home, opts.tarball);
		const newHome = async (label: string) => {
			const h = await createN8nHome({ prefix: `n8n-queue-${label}-`, env });
			await fs.promises.cp(home.nodesDir, h.nodesDir, { recursive: true, verbatimSymlinks: true });
			homes.push(h);
			return h;
		};

		await opts.beforeStart?.(home);

		const mainPort = await freePort();
		const main = await startN8n(home, { port: mainPort, env: { N8N_WEBHOOK_URL: `${url}/` } });
		processes.push({ label: 'main', n8n: main });
		const webhooks: RunningN8n[] = [];
		const workers: RunningN8n[] = [];
		lb = await startLoadBalancer(
			() => main.port,
			() => webhooks.map((w) => w.port),
			lbPort,
		);

		let workerCount = 0;
		const addWorker = async () => {
			const label = `worker${++workerCount}`;
			const worker = await startN8n(await newHome(label), {
				command: 'worker',
				env: { N8N_WEBHOOK_URL: `${url}/`, ...opts.workerEnv },
			});
			workers.push(worker);
			processes.push({ label, n8n: worker });
			return worker;
		};
		const addWebhook = async (i: number) => {
			const processor = await startN8n(await newHome(`webhook${i + 1}`), {
				command: 'webhook',
				env: { N8N_WEBHOOK_URL: `${url}/` },
			});
			webhooks[i] = processor;
			processes.push({ label: `webhook${i + 1}`, n8n: processor });
		};
		const webhookCount = opts.webhookProcessors ?? 2;
		lb.counts.webhooks = new Array(webhookCount).fill(0);
		// one after another: five n8n processes starting at once on two cores starve each other
		for (let i = 0; i < webhookCount; i++) await addWebhook(i);
		for (let i = 0; i < (opts.workers ?? 2); i++) await addWorker();

		const editor = new N8nEditor(() => url);
		// a database kept from an earlier run already has its owner
		await editor.setUpOwner().catch(() => undefined);
		await editor.login();
		timings.push({ label: 'queue-mode cluster (until all ready)', ms: Date.now() - started });

		return {
			url,
			webhookBaseUrl: `${url}/webhook/`,
			main,
			webhooks,
			workers,
			home,
			editor,
			lb,
			postgres,
			redis,
			env,
			addWorker,
			output: () => processes.map((p) => `===== ${p.label}\n${p.n8n.output()}`).join('\n'),
			stop,
		};
	} catch (error) {
		const out = processes.map((p) => `===== ${p.label}\n${p.n8n.output().slice(-3000)}`).join('\n');
		await stop();
		if (out) (error as Error).message += `\n${out}`;
		throw error;
	}
}

/** Peak and current resident memory of a process (Linux /proc), in MiB. */
export async function memoryOf(pid: number): Promise<{ peakMb: number; rssMb: number }> {
	const status = await fs.promises.readFile(`/proc/${pid}/status`, 'utf8');
	const kb = (field: string) =>
		Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
	return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}
