/**
 * Helpers for end-to-end tests against a real n8n (the pinned version installed by
 * scripts/n8n-env.sh): throw-away n8n homes, installing the packed package the way an
 * admin does, the n8n CLI (import / execute / export / publish), and `n8n start` for
 * trigger tests.
 *
 *   const home = await createN8nHome();
 *   await installPackageTarball(home, process.env.TS_PACKAGE_TARBALL!);
 *   await importCredentials(home, [{ id: 'cred1', name: 'x', type: 'teamSpiritApi', data: {...} }]);
 *   const id = await importWorkflow(home, workflowJson);
 *   const run = await executeWorkflow(home, id);      // run.ok, run.result (IRun JSON)
 *   const n8n = await startN8n(home);                  // n8n.url, await n8n.stop()
 *   await home.cleanup();
 *
 * n8n runs on Node 24 (TS_NODE24_BIN) even when jest itself runs on an older Node: the
 * n8n entry script is spawned directly with that binary, so the pid we hold is the real
 * n8n process (no npx / shell wrapper in between), and it leads its own process group
 * (the internal task runner is its child), which is what we signal on stop / timeout.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository (TS_REPO_ROOT when this file runs compiled elsewhere, as in `npm run dev`). */
export const REPO_ROOT = process.env.TS_REPO_ROOT ?? path.resolve(__dirname, '..', '..');

/** Fixed test value: credentials imported in a home are encrypted with it. */
export const TEST_ENCRYPTION_KEY = 'n8n-nodes-teamspirit-e2e-encryption-key';

// ---------------------------------------------------------------------------
// Locating n8n and Node 24
// ---------------------------------------------------------------------------

export interface N8nInstall {
	/** Node 24 binary that runs n8n. */
	nodeBin: string;
	/** n8n's entry script (`<TS_N8N_DIR>/node_modules/n8n/bin/n8n`). */
	n8nBin: string;
	/** The install dir (TS_N8N_DIR). */
	dir: string;
}

let cachedInstall: N8nInstall | undefined;

/**
 * Where n8n and Node 24 are: from TS_N8N_DIR / TS_NODE24_BIN (set by
 * `eval "$(bash scripts/n8n-env.sh)"`), else by running scripts/n8n-env.sh (which installs
 * them on first use; minutes) and reading its exports.
 */
export async function resolveN8n(): Promise<N8nInstall> {
	if (cachedInstall) return cachedInstall;
	let dir = process.env.TS_N8N_DIR;
	let nodeBin = process.env.TS_NODE24_BIN;
	if (!dir || !nodeBin) {
		const out = await new Promise<string>((resolve, reject) => {
			execFile(
				'bash',
				[path.join(REPO_ROOT, 'scripts', 'n8n-env.sh')],
				{ cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 },
				(err, stdout, stderr) => (err ? reject(new Error(`n8n-env.sh failed: ${err.message}\n${stderr}`)) : resolve(stdout)),
			);
		});
		const read = (name: string) => new RegExp(`^export ${name}="([^"]*)"`, 'm').exec(out)?.[1];
		dir = read('TS_N8N_DIR');
		nodeBin = read('TS_NODE24_BIN');
		if (!dir || !nodeBin) throw new Error(`could not read TS_N8N_DIR / TS_NODE24_BIN from n8n-env.sh output:\n${out}`);
	}
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	for (const f of [nodeBin, n8nBin]) if (!fs.existsSync(f)) throw new Error(`missing ${f}; run: bash scripts/n8n-env.sh`);
	cachedInstall = { nodeBin, n8nBin, dir };
	return cachedInstall;
}

// ---------------------------------------------------------------------------
// n8n homes
// ---------------------------------------------------------------------------

export interface N8nHome {
	/** N8N_USER_FOLDER; n8n keeps its data (SQLite, config, binary data, nodes/) in `<dir>/.n8n`. */
	dir: string;
	/** `<dir>/.n8n` */
	dataDir: string;
	/** `<dir>/.n8n/nodes`: community packages live in its node_modules. */
	nodesDir: string;
	/** Environment for every n8n process of this home (merged over a cleaned process.env). */
	env: NodeJS.ProcessEnv;
	/** Removes the home (unless TS_E2E_KEEP=1, then it only prints where it is). */
	cleanup(): Promise<void>;
}

/** Environment that makes a headless n8n quiet, quick and offline-friendly. */
export function baseN8nEnv(userFolder: string): NodeJS.ProcessEnv {
	return {
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		DB_TYPE: 'sqlite',
		N8N_LOG_LEVEL: 'warn',
		N8N_LOG_OUTPUT: 'console',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		// no phoning home (these lookups fail offline anyway, noisily and slowly)
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_LICENSE_DETACH_FLOATING_ON_SHUTDOWN: 'false',
		N8N_AI_ENABLED: 'false',
		// modules that only talk to n8n's cloud services (the MCP registry refresh fails offline, loudly)
		N8N_DISABLED_MODULES: 'mcp-registry,instance-ai,workflow-builder',
		// silences a deprecation notice at every start
		N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES: '1000',
		// community packages: loaded from <home>/.n8n/nodes/node_modules
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		// nodes under test talk to emulators on 127.0.0.1
		N8N_SSRF_PROTECTION_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_MODE: 'internal',
		N8N_PYTHON_ENABLED: 'false',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		// jest sets NODE_ENV=test, and under it n8n's CLI commands never exit (BaseCommand.finally
		// skips process.exit in tests) and it refuses to load nodes: run n8n as users do
		NODE_ENV: 'production',
	};
}

/** process.env without anything that would leak into n8n from the outside. */
function cleanedProcessEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (/^(N8N_|DB_|QUEUE_|EXECUTIONS_|WEBHOOK_URL$|NODE_OPTIONS$|NODE_ENV$|JEST_|npm_)/.test(k)) continue;
		if (k.startsWith('TS_') && k !== 'TS_N8N_DIR' && k !== 'TS_NODE24_BIN') continue;
		env[k] = v;
	}
	return env;
}

export async function createN8nHome(opts: { env?: NodeJS.ProcessEnv; prefix?: string } = {}): Promise<N8nHome> {
	const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), opts.prefix ?? 'n8n-e2e-'));
	const dataDir = path.join(dir, '.n8n');
	const nodesDir = path.join(dataDir, 'nodes');
	await fs.promises.mkdir(nodesDir, { recursive: true });
	const env = { ...baseN8nEnv(dir), ...opts.env };
	return {
		dir,
		dataDir,
		nodesDir,
		env,
		async cleanup() {
			if (process.env.TS_E2E_KEEP === '1') {
				console.log(`[e2e] keeping n8n home ${dir}`);
				return;
			}
			await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 });
		},
	};
}

// ---------------------------------------------------------------------------
// Processes, ports, timings
// ---------------------------------------------------------------------------

export interface Timing {
	label: string;
	ms: number;
}

/** Every timed step (CLI calls, npm install, n8n start) in order; print with formatTimings(). */
export const timings: Timing[] = [];

export function formatTimings(list: Timing[] = timings): string {
	return list.map((t) => `${(t.ms / 1000).toFixed(1).padStart(6)} s  ${t.label}`).join('\n');
}

/** A free TCP port on 127.0.0.1 (ephemeral range, chosen by the OS). */
export async function freePort(): Promise<number> {
	return await new Promise<number>((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

const liveGroups = new Set<number>();
process.on('exit', () => {
	// last resort if a test forgot stop(): signal the process groups we started, by id
	for (const pgid of liveGroups) {
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			/* already gone */
		}
	}
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	ms: number;
	timedOut: boolean;
}

interface SpawnOpts {
	cwd: string;
	env: NodeJS.ProcessEnv;
	timeoutMs: number;
	label: string;
	stdin?: string;
}

function run(cmd: string, args: string[], o: SpawnOpts): Promise<RunResult> {
	const started = Date.now();
	return new Promise<RunResult>((resolve, reject) => {
		const child = spawn(cmd, args, { cwd: o.cwd, env: o.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
		if (child.pid !== undefined) liveGroups.add(child.pid);
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
		child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
		child.stdin.end(o.stdin ?? '');
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(child, 'SIGKILL');
		}, o.timeoutMs);
		child.on('error', (err) => {
			clearTimeout(timer);
			reject(err);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (child.pid !== undefined) {
				// the leader is gone; make sure nothing it started lingers (e.g. a task runner)
				killGroup(child, 'SIGKILL');
				liveGroups.delete(child.pid);
			}
			const ms = Date.now() - started;
			timings.push({ label: o.label, ms });
			resolve({ code, signal, stdout, stderr, ms, timedOut });
		});
	});
}

function describeRun(what: string, r: RunResult): string {
	const tail = (s: string) => (s.length > 6000 ? `…${s.slice(-6000)}` : s);
	return (
		`${what} ${r.timedOut ? 'timed out' : `exited with ${r.code ?? r.signal}`} after ${r.ms} ms\n` +
		`--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`
	);
}

// ---------------------------------------------------------------------------
// Installing the package
// ---------------------------------------------------------------------------

export interface InstalledPackage {
	name: string;
	version: string;
	/** `<home>/.n8n/nodes/node_modules/<name>` */
	dir: string;
	/** The installed package.json (n8n.nodes / n8n.credentials list the built files). */
	packageJson: { name: string; version: string; n8n?: { nodes?: string[]; credentials?: string[] } };
}

/**
 * Installs a packed tarball (`npm pack` output) into the home's nodes folder, the way an
 * admin installs a community package by hand: `npm install <tarball>` inside
 * `<N8N_USER_FOLDER>/.n8n/nodes`. Scripts are not run, and peer dependencies are not
 * installed (`--legacy-peer-deps`): the package's `n8n-workflow` peer must resolve to
 * n8n's own copy, as with n8n's installer (which strips peerDependencies before its
 * `npm install --ignore-scripts`). Throws if a second n8n-workflow lands in nodes/node_modules.
 */
export async function installPackageTarball(home: N8nHome, tarball: string, opts: { timeoutMs?: number } = {}): Promise<InstalledPackage> {
	const abs = path.resolve(tarball);
	if (!fs.existsSync(abs)) throw new Error(`tarball not found: ${abs}`);
	const pkgJsonPath = path.join(home.nodesDir, 'package.json');
	if (!fs.existsSync(pkgJsonPath)) {
		// what n8n itself writes there
		await fs.promises.writeFile(pkgJsonPath, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	}
	const r = await run(
		'npm',
		[
			'install',
			abs,
			'--ignore-scripts',
			'--legacy-peer-deps',
			'--omit=dev',
			'--no-audit',
			'--no-fund',
			'--bin-links=false',
			'--prefer-offline',
			'--loglevel=warn',
		],
		{ cwd: home.nodesDir, env: cleanedProcessEnv(), timeoutMs: opts.timeoutMs ?? 180_000, label: 'npm install <tarball>' },
	);
	if (r.code !== 0) throw new Error(describeRun('npm install <tarball>', r));
	const nodeModules = path.join(home.nodesDir, 'node_modules');
	for (const forbidden of ['n8n-workflow', 'n8n-core']) {
		if (fs.existsSync(path.join(nodeModules, forbidden))) {
			throw new Error(`npm install put a second ${forbidden} into ${nodeModules}; peer dependencies must not be installed`);
		}
	}
	const deps = JSON.parse(await fs.promises.readFile(pkgJsonPath, 'utf8')).dependencies ?? {};
	const names = Object.keys(deps);
	if (names.length === 0) throw new Error(`npm install did not record a dependency in ${pkgJsonPath}`);
	// the package just installed is the one whose spec points at our tarball
	const name = names.find((n) => String(deps[n]).includes(path.basename(abs))) ?? names[names.length - 1];
	const dir = path.join(nodeModules, name);
	const packageJson = JSON.parse(await fs.promises.readFile(path.join(dir, 'package.json'), 'utf8'));
	return { name, version: packageJson.version, dir, packageJson };
}

/** package.json inside a packed tarball (`package/package.json`), read with tar. */
export async function readTarballPackageJson(tarball: string): Promise<InstalledPackage['packageJson']> {
	const out = await new Promise<string>((resolve, reject) => {
		execFile('tar', ['-xzOf', path.resolve(tarball), 'package/package.json'], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) =>
			err ? reject(err) : resolve(stdout),
		);
	});
	return JSON.parse(out);
}

/**
 * Node type names a package registers, derived from its `n8n.nodes` entries the way n8n
 * names them: `<package>.<description.name>`, where by convention description.name is the
 * file's base name with a lower-case first letter (`dist/nodes/X/FooBar.node.js` → `fooBar`).
 */
export function nodeTypesOfPackage(pkg: InstalledPackage['packageJson']): string[] {
	return (pkg.n8n?.nodes ?? []).map((file) => {
		const base = path.basename(file).replace(/\.node\.js$/, '');
		return `${pkg.name}.${base.charAt(0).toLowerCase()}${base.slice(1)}`;
	});
}

// ---------------------------------------------------------------------------
// The n8n CLI
// ---------------------------------------------------------------------------

export interface CliOptions {
	timeoutMs?: number;
	env?: NodeJS.ProcessEnv;
	/** Label for the timings list (default: the command). */
	label?: string;
}

/**
 * Runs `n8n <args>` for a home on Node 24, with cwd = the home (n8n loads a `.env` from its
 * cwd) and its own free task-broker port, so it can run beside a started n8n.
 */
export async function n8nCli(home: N8nHome, args: string[], opts: CliOptions = {}): Promise<RunResult> {
	const n8n = await resolveN8n();
	const env: NodeJS.ProcessEnv = {
		...cleanedProcessEnv(),
		PATH: `${path.dirname(n8n.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
		...home.env,
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		...opts.env,
	};
	return await run(n8n.nodeBin, [n8n.n8nBin, ...args], {
		cwd: home.dir,
		env,
		timeoutMs: opts.timeoutMs ?? 180_000,
		label: opts.label ?? `n8n ${args.join(' ')}`,
	});
}

async function n8nCliOk(home: N8nHome, args: string[], opts: CliOptions = {}): Promise<RunResult> {
	const r = await n8nCli(home, args, opts);
	if (r.code !== 0) {
		throw new Error(describeRun(`n8n ${args.join(' ')}`, r));
	}
	return r;
}

async function writeTemp(home: N8nHome, name: string, data: unknown): Promise<string> {
	const dir = path.join(home.dir, 'e2e-input');
	await fs.promises.mkdir(dir, { recursive: true });
	const file = path.join(dir, `${Date.now()}-${randomBytes(4).toString('hex')}-${name}`);
	await fs.promises.writeFile(file, JSON.stringify(data, null, 2));
	return file;
}

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	/** Plain values; `n8n import:credentials` encrypts them with the home's key. */
	data: Record<string, unknown>;
}

/**
 * This package's credentials for the emulators (test/emulators/), as `importCredentials` takes
 * them; `id` is also the name unless one is given.
 */
export const credentialFor = {
	teamSpirit: (id: string, server: { url: string; apiKey: string }, name = id, serverUrl = server.url): CredentialImport => ({
		id,
		name,
		type: 'teamSpiritApi',
		data: { serverUrl, apiKey: server.apiKey },
	}),
	telegram: (id: string, bot: { token: string; url: string }, name = id): CredentialImport => ({
		id,
		name,
		type: 'teamSpiritTelegramApi',
		data: { accessToken: bot.token, baseUrl: bot.url },
	}),
	twilio: (id: string, tw: { accountSid: string; authToken: string; url: string }, name = id): CredentialImport => ({
		id,
		name,
		type: 'teamSpiritTwilioApi',
		data: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url },
	}),
	messenger: (id: string, fb: { credentialData(): Record<string, unknown> }, name = id): CredentialImport => ({
		id,
		name,
		type: 'teamSpiritMessengerApi',
		data: fb.credentialData(),
	}),
};

/** `n8n import:credentials --input <file>` (owned by the instance owner's personal project). */
export async function importCredentials(home: N8nHome, creds: CredentialImport[], opts: CliOptions = {}): Promise<RunResult> {
	const file = await writeTemp(home, 'credentials.json', creds);
	try {
		return await n8nCliOk(home, ['import:credentials', `--input=${file}`], { label: 'n8n import:credentials', ...opts });
	} finally {
		// the file holds secrets in plain text
		await fs.promises.rm(file, { force: true });
	}
}

/** A workflow id of the shape n8n generates (16 alphanumerics; n8n accepts up to 21 chars). */
export function newWorkflowId(): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const bytes = randomBytes(16);
	return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: Array<Record<string, any>>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

/**
 * Gives every trigger node without a `webhookId` a fresh one, in place, as n8n's editor does on
 * import (the examples carry none, so each import gets its own webhook paths).
 */
export function assignWebhookIds(workflow: WorkflowJson): WorkflowJson {
	for (const node of workflow.nodes) {
		if (!node.webhookId && (/Trigger$/.test(node.type) || node.type === 'n8n-nodes-base.webhook')) {
			node.webhookId = randomUUID();
		}
	}
	return workflow;
}

/**
 * `n8n import:workflow --input <file>`; assigns an id when the JSON has none and returns it.
 * Trigger nodes get webhook ids first (assignWebhookIds): read them from `workflow` afterwards.
 */
export async function importWorkflow(home: N8nHome, workflow: WorkflowJson, opts: CliOptions = {}): Promise<string> {
	assignWebhookIds(workflow);
	const id = workflow.id ?? newWorkflowId();
	const file = await writeTemp(home, 'workflow.json', { ...workflow, id });
	await n8nCliOk(home, ['import:workflow', `--input=${file}`], { label: 'n8n import:workflow', ...opts });
	return id;
}

/** `n8n publish:workflow --id` (activation; takes effect when n8n next starts). */
export async function publishWorkflow(home: N8nHome, id: string, opts: CliOptions = {}): Promise<RunResult> {
	return await n8nCliOk(home, ['publish:workflow', `--id=${id}`], { label: 'n8n publish:workflow', ...opts });
}

export interface ExecuteResult extends RunResult {
	/** Exit code 0 and a parsed run without resultData.error. */
	ok: boolean;
	/** The IRun JSON n8n prints (`--rawOutput`), when it printed one. */
	result?: any;
}

/** Extracts the pretty-printed JSON object n8n prints (possibly after log lines). */
export function extractJson(text: string): any {
	const start = text.search(/^\{$/m);
	const end = text.lastIndexOf('\n}');
	if (start < 0 || end < start) return undefined;
	try {
		return JSON.parse(text.slice(start, end + 2));
	} catch {
		return undefined;
	}
}

/**
 * `n8n execute --id <id> --rawOutput`: runs the workflow from its start node in a fresh
 * process. n8n prints the run (and, on failure, the failed run) through its logger at level
 * info, so this command runs with N8N_LOG_LEVEL=info whatever the home says.
 */
export async function executeWorkflow(home: N8nHome, id: string, opts: CliOptions = {}): Promise<ExecuteResult> {
	const r = await n8nCli(home, ['execute', `--id=${id}`, '--rawOutput'], {
		label: 'n8n execute',
		...opts,
		env: { N8N_LOG_LEVEL: 'info', ...opts.env },
	});
	const result = extractJson(r.stdout);
	const ok = r.code === 0 && result !== undefined && !result?.data?.resultData?.error;
	return { ...r, ok, result };
}

/** Output items (json) of a node in an execute result: `runData[node][run].data.main[output]`. */
export function nodeOutput(result: any, nodeName: string, output = 0, runIndex = 0): Array<Record<string, any>> {
	const runs = result?.data?.resultData?.runData?.[nodeName];
	const items = runs?.[runIndex]?.data?.main?.[output] ?? [];
	return items.map((i: { json: Record<string, any> }) => i.json);
}

export interface ExportedNodeType {
	name: string;
	displayName: string;
	version: number | number[];
	defaultVersion?: number;
	credentials?: Array<{ name: string; required?: boolean }>;
	properties: Array<Record<string, any>>;
	[key: string]: unknown;
}

/** `n8n export:nodes --output <file>`: every node type n8n loaded (built-in and community). */
export async function exportNodes(home: N8nHome, opts: CliOptions = {}): Promise<ExportedNodeType[]> {
	const file = path.join(home.dir, 'e2e-input', `nodes-${Date.now()}.json`);
	await fs.promises.mkdir(path.dirname(file), { recursive: true });
	await n8nCliOk(home, ['export:nodes', `--output=${file}`], { label: 'n8n export:nodes', ...opts });
	const nodes = JSON.parse(await fs.promises.readFile(file, 'utf8'));
	await fs.promises.rm(file, { force: true });
	return nodes;
}

// ---------------------------------------------------------------------------
// n8n start
// ---------------------------------------------------------------------------

export interface RunningN8n {
	/** `http://127.0.0.1:<port>` (no trailing slash). */
	url: string;
	/** Base of production webhook URLs: `${url}/webhook/` . */
	webhookBaseUrl: string;
	port: number;
	brokerPort: number;
	/** pid of the real n8n node process (leader of its process group). */
	pid: number;
	/** Everything n8n printed so far. */
	output(): string;
	/** SIGTERM, wait for exit (grace period), then SIGKILL the process group. */
	stop(): Promise<void>;
}

function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
	return new Promise((resolve) => {
		const req = http.get(url, { timeout: timeoutMs }, (res) => {
			res.resume();
			resolve(res.statusCode ?? 0);
		});
		req.on('timeout', () => req.destroy());
		req.on('error', () => resolve(0));
	});
}

/**
 * `n8n start` on 127.0.0.1 with free ports (main, task broker); resolves once
 * `/healthz/readiness` answers 200 (DB migrated, active workflows registered).
 * In queue mode (test/e2e/queue.ts) the same for `n8n webhook` (a webhook processor on `port`)
 * and `n8n worker` (its health server on `port`).
 */
export async function startN8n(
	home: N8nHome,
	opts: {
		port?: number;
		env?: NodeJS.ProcessEnv;
		timeoutMs?: number;
		command?: 'start' | 'webhook' | 'worker';
		args?: string[];
		/** Also hands n8n's output here as it comes (then only its last 64 kB are kept for output()). */
		onOutput?: (chunk: string) => void;
		/** Called with the pid (= its process group) as soon as the process exists, before it is ready. */
		onSpawn?: (pid: number) => void;
	} = {},
): Promise<RunningN8n> {
	const n8n = await resolveN8n();
	const command = opts.command ?? 'start';
	const port = opts.port ?? (await freePort());
	let brokerPort = await freePort();
	while (brokerPort === port) brokerPort = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const env: NodeJS.ProcessEnv = {
		...cleanedProcessEnv(),
		PATH: `${path.dirname(n8n.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
		...home.env,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_WEBHOOK_URL: `${url}/`,
		N8N_EDITOR_BASE_URL: `${url}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		...(command === 'worker' ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port) } : {}),
		...opts.env,
	};
	const started = Date.now();
	const child = spawn(n8n.nodeBin, [n8n.n8nBin, command, ...(opts.args ?? [])], {
		cwd: home.dir,
		env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const pid = child.pid;
	if (pid === undefined) throw new Error(`could not spawn n8n ${command}`);
	liveGroups.add(pid);
	opts.onSpawn?.(pid);
	let out = '';
	const onOutput = opts.onOutput;
	const keep = onOutput
		? (d: string) => {
				onOutput(d);
				out = (out + d).slice(-65_536);
			}
		: (d: string) => (out += d);
	child.stdout!.setEncoding('utf8').on('data', keep);
	child.stderr!.setEncoding('utf8').on('data', keep);
	let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
	const exitPromise = new Promise<void>((resolve) =>
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			resolve();
		}),
	);

	const stop = async () => {
		if (!exited) {
			try {
				process.kill(pid, 'SIGTERM');
			} catch {
				/* gone */
			}
			const grace = new Promise<void>((r) => setTimeout(r, 15_000).unref());
			await Promise.race([exitPromise, grace]);
		}
		try {
			process.kill(-pid, 'SIGKILL'); // leftovers (task runner) and a stuck n8n
		} catch {
			/* gone */
		}
		liveGroups.delete(pid);
		await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 2000).unref())]);
	};

	const deadline = started + (opts.timeoutMs ?? 120_000);
	for (;;) {
		if (exited) throw new Error(`n8n ${command} exited early (${exited.code ?? exited.signal}):\n${out.slice(-6000)}`);
		if ((await httpStatus(`${url}/healthz/readiness`)) === 200) break;
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n ${command} not ready after ${Date.now() - started} ms:\n${out.slice(-6000)}`);
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	timings.push({ label: `n8n ${command} (until ready)`, ms: Date.now() - started });
	return { url, webhookBaseUrl: `${url}/webhook/`, port, brokerPort, pid, output: () => out, stop };
}

// ----- workflows from the engine-test fixtures -------------------------------------------------

export interface FixtureBranch {
	/** Fixture file name without `.json`. */
	name: string;
	/** The branch's name in node names, when one fixture serves several branches (default `name`). */
	as?: string;
	/** Items instead of the fixture's own. */
	items?: unknown[];
	/**
	 * Makes a binary field `data` from each item's `fileText` (named by its `fileName`) with n8n's
	 * Convert to File, for fixtures whose test-only items node made binary data.
	 */
	file?: boolean;
	/** Changes the node under test (e.g. a parameter that refers to another branch's output). */
	edit?: (node: Record<string, any>) => void;
}

/**
 * One workflow with a branch per engine-test fixture (Manual Trigger → fixture nodes): the
 * fixture's test-only items node becomes n8n's own Edit Fields (raw JSON) → Split Out, so a real
 * n8n runs every fixture once. Branches run top to bottom (execution order v1); the node under
 * test of branch `x` is named `${label} x`.
 */
export function workflowFromFixtures(opts: {
	dir: string;
	nodeType: string;
	label: string;
	branches: Array<string | FixtureBranch>;
	name?: string;
}): WorkflowJson {
	const trigger = 'When clicking ‘Execute workflow’';
	const nodes: Array<Record<string, any>> = [
		{ parameters: {}, name: trigger, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
	];
	const connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }> = {
		[trigger]: { main: [[]] },
	};
	const link = (from: string, to: string) => {
		connections[from] = { main: [[{ node: to, type: 'main', index: 0 }]] };
	};
	opts.branches.forEach((entry, i) => {
		const branch = typeof entry === 'string' ? { name: entry } : entry;
		const fixture = JSON.parse(fs.readFileSync(path.join(opts.dir, `${branch.name}.json`), 'utf8')) as {
			nodes: Array<Record<string, any>>;
		};
		const itemsNode = fixture.nodes.find((n) => n.type === 'teamspiritTest.items')!;
		const underTest = fixture.nodes.find((n) => n.type === opts.nodeType)!;
		const items = branch.items ?? (JSON.parse(itemsNode.parameters.items as string) as unknown[]);
		const y = i * 200;
		const id = branch.as ?? branch.name;
		const names = {
			make: `${id} items`,
			split: `${id} split`,
			file: `${id} file`,
			op: `${opts.label} ${id}`,
		};
		nodes.push(
			{
				name: names.make,
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, y],
				parameters: { mode: 'raw', jsonOutput: JSON.stringify({ items }), options: {} },
			},
			{
				name: names.split,
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [440, y],
				parameters: { fieldToSplitOut: 'items', options: {} },
			},
		);
		const node = { ...structuredClone(underTest), id: undefined, name: names.op, position: [880, y] };
		branch.edit?.(node);
		nodes.push(node);
		connections[trigger].main[0].push({ node: names.make, type: 'main', index: 0 });
		link(names.make, names.split);
		if (branch.file) {
			nodes.push({
				name: names.file,
				type: 'n8n-nodes-base.convertToFile',
				typeVersion: 1.1,
				position: [660, y],
				parameters: {
					operation: 'toText',
					sourceProperty: 'fileText',
					binaryPropertyName: 'data',
					options: { fileName: '={{ $json.fileName }}' },
				},
			});
			link(names.split, names.file);
			link(names.file, names.op);
		} else {
			link(names.split, names.op);
		}
	});
	return { name: opts.name ?? `${opts.label}: every operation`, nodes, connections, settings: { executionOrder: 'v1' } };
}

/**
 * Several workflows in one `n8n import:workflow` (n8n takes an array; each CLI call costs seconds):
 * like importWorkflow, ids assigned where missing and webhook ids given to trigger nodes. Returns
 * the ids in order.
 */
export async function importWorkflows(home: N8nHome, workflows: WorkflowJson[], opts: CliOptions = {}): Promise<string[]> {
	const withIds = workflows.map((workflow) => ({ ...assignWebhookIds(workflow), id: workflow.id ?? newWorkflowId() }));
	const file = await writeTemp(home, 'workflows.json', withIds);
	await n8nCliOk(home, ['import:workflow', `--input=${file}`], { label: `n8n import:workflow (${workflows.length})`, ...opts });
	return withIds.map((w) => w.id);
}

// ----- n8n's REST API as the editor uses it; a TCP proxy that can refuse connections -----------

/** An execution as n8n's REST API lists it. */
export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	startedAt?: string | null;
	createdAt?: string;
	retryOf?: string | null;
	retrySuccessId?: string | null;
}

export interface N8nOwner {
	email: string;
	firstName: string;
	lastName: string;
	password: string;
}

/**
 * The instance owner's session in n8n's REST API (what the editor calls): owner set-up, login,
 * publish, workflows, the execution list, and the execution list's Retry button.
 */
export class N8nEditor {
	private cookie = '';

	constructor(
		private readonly baseUrl: () => string,
		readonly owner: N8nOwner = {
			email: 'owner@example.corp',
			firstName: 'E2E',
			lastName: 'Owner',
			password: 'E2e-owner-password-1',
		},
	) {}

	async call(method: string, route: string, body?: object): Promise<{ status: number; json: any }> {
		const res = await fetch(`${this.baseUrl()}/rest${route}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': 'e2e-browser',
				cookie: this.cookie,
			},
			body: body && JSON.stringify(body),
		});
		const setCookie = res.headers.get('set-cookie');
		if (setCookie) this.cookie = setCookie.split(';')[0];
		const text = await res.text();
		try {
			return { status: res.status, json: JSON.parse(text) };
		} catch {
			return { status: res.status, json: text };
		}
	}

	async setUpOwner(): Promise<void> {
		const r = await this.call('POST', '/owner/setup', this.owner);
		if (r.status !== 200) throw new Error(`owner setup: ${r.status} ${JSON.stringify(r.json)}`);
	}

	/** The session cookie (after setUpOwner or login), to hand to another editor of the same n8n. */
	get session(): string {
		return this.cookie;
	}

	/** Uses another editor's session instead of logging in (n8n allows 5 logins a minute per user). */
	useSession(session: string): void {
		this.cookie = session;
	}

	async login(): Promise<void> {
		const r = await this.call('POST', '/login', {
			emailOrLdapLoginId: this.owner.email,
			password: this.owner.password,
		});
		if (r.status !== 200) throw new Error(`login: ${r.status} ${JSON.stringify(r.json)}`);
	}

	/** A workflow as the editor loads it (`undefined` when there is none with this id). */
	async workflow(id: string): Promise<(WorkflowJson & { active: boolean; versionId?: string }) | undefined> {
		const r = await this.call('GET', `/workflows/${encodeURIComponent(id)}`);
		if (r.status === 404) return undefined;
		if (r.status !== 200) throw new Error(`workflow ${id}: ${r.status} ${JSON.stringify(r.json)}`);
		return r.json.data;
	}

	/** The editor's Publish button: activates the workflow's current version. */
	async publish(workflowId: string): Promise<void> {
		const current = await this.call('GET', `/workflows/${workflowId}`);
		const r = await this.call('POST', `/workflows/${workflowId}/activate`, {
			versionId: current.json?.data?.versionId,
		});
		if (r.status !== 200) throw new Error(`publish: ${r.status} ${JSON.stringify(r.json)}`);
	}

	/** The newest executions (all workflows, or `workflowId`'s), newest first (n8n gives at most 100). */
	async executions(limit = 100, workflowId?: string): Promise<ExecutionSummary[]> {
		const filter = workflowId === undefined ? '' : `&filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`;
		const r = await this.call('GET', `/executions?limit=${limit}${filter}`);
		if (r.status !== 200) throw new Error(`executions: ${r.status} ${JSON.stringify(r.json)}`);
		return r.json.data.results;
	}

	/**
	 * The execution list's Retry: `POST /rest/executions/<id>/retry`, as n8n 2.41's editor sends it
	 * (no body: "Retry with original workflow"; `{loadWorkflow: true}`: "with currently saved
	 * workflow"). n8n answers once the retry has run: its summary (`status`, `id`).
	 */
	async retry(
		executionId: string,
		opts: { loadWorkflow?: boolean } = {},
	): Promise<{ status: number; json: any }> {
		return await this.call(
			'POST',
			`/executions/${executionId}/retry`,
			opts.loadWorkflow ? { loadWorkflow: true } : undefined,
		);
	}
}

export interface TcpProxy {
	/** `http://127.0.0.1:<port>`: give this to n8n instead of the target's URL. */
	url: string;
	port: number;
	/** Stops listening and drops open connections: new connections are refused (ECONNREFUSED). */
	refuse(): Promise<void>;
	/** Listens again on the same port. */
	accept(): Promise<void>;
	stop(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a local server, which can refuse connections for a while
 * (the server "down" without touching it) and come back on the same port.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
	const sockets = new Set<net.Socket>();
	const server = net.createServer((client) => {
		const upstream = net.connect(targetPort, '127.0.0.1');
		sockets.add(client).add(upstream);
		const drop = () => {
			client.destroy();
			upstream.destroy();
			sockets.delete(client);
			sockets.delete(upstream);
		};
		client.on('error', drop).on('close', drop);
		upstream.on('error', drop).on('close', drop);
		client.pipe(upstream).pipe(client);
	});
	const listen = (port: number) =>
		new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
	await listen(0);
	const { port } = server.address() as net.AddressInfo;
	const close = async () => {
		if (!server.listening) return;
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		for (const s of sockets) s.destroy();
		sockets.clear();
		await closed;
	};
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		refuse: close,
		async accept() {
			if (!server.listening) await listen(port);
		},
		stop: close,
	};
}
