/**
 * Webhook requests per second: the Chat Channel Trigger (Telegram, webhook mode) against n8n's
 * built-in Telegram Trigger, both one-node workflows (one execution per update), measured in
 * alternating runs (ours, built-in, ours, built-in, …) so that the load other processes put on
 * the machine falls on both alike; the figure is the median of the runs.
 *
 * `measureInbound(baseUrl, targets)` takes the base URL of the process that receives webhooks
 * (one `n8n start`, or a queue-mode webhook processor / load balancer): the workflows only need to
 * be active there. `npm run bench -- inbound` runs it alone in one real n8n (`main()` below);
 * `npm run bench -- telegram` runs it as part 2; `npm run bench -- inbound-queue` against a
 * webhook processor of n8n's queue mode (`mainQueue()`).
 *
 *   BENCH_WEBHOOK_REQUESTS   requests per run (default 400)
 *   BENCH_WEBHOOK_RUNS       runs per trigger (default 3)
 *   BENCH_CPU_PROF=<dir>     n8n runs with --cpu-prof (profile written when it stops)
 *   BENCH_ONLY=ours|builtIn  measure one trigger only (e.g. for a profile)
 */
import { readFileSync, writeFileSync } from 'node:fs';

import { TelegramEmulator } from '../../test/emulators/telegram';
import {
	createN8nHome,
	importCredentials,
	importWorkflow,
	installPackageTarball,
	publishWorkflow,
	startN8n,
	type N8nHome,
	type RunningN8n,
	type WorkflowJson,
} from '../../test/e2e/n8n';

const WEBHOOK_REQUESTS = Number(process.env.BENCH_WEBHOOK_REQUESTS ?? 400);
const WEBHOOK_RUNS = Number(process.env.BENCH_WEBHOOK_RUNS ?? 3);
const WEBHOOK_CONCURRENCY = 16;
const WARM_UP = 50;

export type InboundKey = 'ours' | 'builtIn';

/** One trigger's webhook: its path below the base URL and the secret header Telegram would send. */
export interface InboundTarget {
	key: InboundKey;
	path: string;
	secretToken: string;
}

export interface InboundFigures {
	requests: number;
	runs: number;
	/** requests/s of each run, in the order they ran */
	ours: number[];
	builtIn: number[];
	oursMedian: number;
	builtInMedian: number;
	/** ours / built-in (medians): ≥ 1 means ours is at least as cheap */
	ratio: number;
	/**
	 * CPU time the n8n processes given as `pids` spent per request (ms, median of the runs): what a
	 * request costs, much less sensitive to the load of other processes than requests/s
	 */
	cpuMsPerRequest?: Record<InboundKey, number>;
	/** non-200 answers over all runs (every request should start one execution) */
	failed: Record<InboundKey, number>;
	slower: boolean;
}

/** update_ids never repeat across runs: a repeat would be a duplicate delivery (starts nothing). */
let nextUpdateId = 5_000_000;

async function blast(url: string, secretToken: string, count: number) {
	let sent = 0;
	let ok = 0;
	const first = nextUpdateId;
	nextUpdateId += count;
	const started = Date.now();
	const worker = async () => {
		while (sent < count) {
			const n = sent++;
			const update = {
				update_id: first + n,
				message: {
					message_id: n + 1,
					date: 1_700_000_000,
					chat: { id: 42, type: 'private' },
					from: { id: 42, is_bot: false, first_name: 'Load' },
					text: `load ${n}`,
				},
			};
			const response = await fetch(url, {
				method: 'POST',
				body: JSON.stringify(update),
				headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secretToken },
			});
			await response.text();
			if (response.status === 200) ok++;
		}
	};
	await Promise.all(Array.from({ length: WEBHOOK_CONCURRENCY }, worker));
	const seconds = (Date.now() - started) / 1000;
	return { ok, perSecond: Math.round((count / seconds) * 10) / 10 };
}

/** CPU time (user + system) of processes so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMsOf(pids: number[]): number {
	let ticks = 0;
	for (const pid of pids) {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
	}
	return ticks * 10;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The path of a webhook URL below n8n's webhook base (`…/webhook/<id>/webhook` → `<id>/webhook`). */
export function webhookPathOf(url: string): string {
	const match = /\/webhook\/(.+)$/.exec(new URL(url).pathname);
	if (!match) throw new Error(`not a production webhook URL: ${url}`);
	return match[1];
}

/**
 * Alternating runs against `baseUrl` (ending in `/webhook/`): a warm-up for each trigger, then
 * ours, built-in, ours, built-in, … `runs` times each. Prints one line per run on stderr.
 */
export async function measureInbound(
	baseUrl: string,
	targets: InboundTarget[],
	opts: { requests?: number; runs?: number; label?: string; pids?: number[] } = {},
): Promise<InboundFigures> {
	const requests = opts.requests ?? WEBHOOK_REQUESTS;
	const runs = opts.runs ?? WEBHOOK_RUNS;
	const label = opts.label ? `${opts.label} ` : '';
	const rates: Record<InboundKey, number[]> = { ours: [], builtIn: [] };
	const failed: Record<InboundKey, number> = { ours: 0, builtIn: 0 };
	const cpu: Record<InboundKey, number[]> = { ours: [], builtIn: [] };
	const pids = opts.pids ?? [];
	for (const target of targets) await blast(`${baseUrl}${target.path}`, target.secretToken, WARM_UP);
	for (let run = 0; run < runs; run++) {
		for (const target of targets) {
			const cpuBefore = cpuMsOf(pids);
			const { ok, perSecond } = await blast(`${baseUrl}${target.path}`, target.secretToken, requests);
			const cpuMs = Math.round(((cpuMsOf(pids) - cpuBefore) / requests) * 10) / 10;
			rates[target.key].push(perSecond);
			if (pids.length) cpu[target.key].push(cpuMs);
			failed[target.key] += requests - ok;
			const cost = pids.length ? `, n8n CPU ${cpuMs} ms per request` : '';
			console.error(`[bench] ${label}webhook ${target.key} run ${run + 1}: ${perSecond} requests/s${cost} (${ok}/${requests} answered 200)`);
		}
	}
	const oursMedian = rates.ours.length ? median(rates.ours) : NaN;
	const builtInMedian = rates.builtIn.length ? median(rates.builtIn) : NaN;
	const ratio = Math.round((oursMedian / builtInMedian) * 100) / 100;
	return {
		requests,
		runs,
		ours: rates.ours,
		builtIn: rates.builtIn,
		oursMedian,
		builtInMedian,
		ratio,
		...(pids.length
			? { cpuMsPerRequest: { ours: cpu.ours.length ? median(cpu.ours) : NaN, builtIn: cpu.builtIn.length ? median(cpu.builtIn) : NaN } }
			: {}),
		failed,
		slower: oursMedian < builtInMedian,
	};
}

/** One summary line; "SLOWER" when ours is slower than the built-in's median. */
export function inboundVerdict(figures: InboundFigures, label = 'webhook'): string {
	const cpu = figures.cpuMsPerRequest
		? `; n8n CPU per request ${figures.cpuMsPerRequest.ours} vs ${figures.cpuMsPerRequest.builtIn} ms`
		: '';
	const both = `ours ${figures.oursMedian} vs built-in ${figures.builtInMedian} requests/s (median of ${figures.runs}), ratio ${figures.ratio}${cpu}`;
	return figures.slower ? `[bench] ${label}: SLOWER: ${both}` : `[bench] ${label}: ${both}`;
}

let nodeId = 0;
const id = () => `c0000000-0000-4000-8000-${String(++nodeId).padStart(12, '0')}`;

function triggerWorkflow(name: string, trigger: Record<string, unknown>): WorkflowJson {
	return {
		name,
		nodes: [{ id: id(), name: 'Trigger', position: [0, 0], webhookId: id(), ...trigger }],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

/** The two webhook workflows, each with its own bot on its own emulator (no rate limits). */
export async function setUpInbound(home: N8nHome) {
	const emulators = {
		ours: await TelegramEmulator.start({ token: '100000004:AAhookHOOKhookHOOKhookHOOKhookHO_4', rateLimits: false }),
		builtIn: await TelegramEmulator.start({ token: '100000005:AAbhookBHOOKbhookBHOOKbhookBHOO_5', rateLimits: false }),
	};
	await importCredentials(home, [
		{ id: 'o-inbound', name: 'o-inbound', type: 'teamSpiritTelegramApi', data: { accessToken: emulators.ours.token, baseUrl: emulators.ours.url } },
		{ id: 'b-inbound', name: 'b-inbound', type: 'telegramApi', data: { accessToken: emulators.builtIn.token, baseUrl: emulators.builtIn.url } },
	]);
	const workflows = [
		triggerWorkflow('ours: webhook', {
			type: 'n8n-nodes-teamspirit.chatChannelTrigger',
			typeVersion: 1,
			credentials: { teamSpiritTelegramApi: { id: 'o-inbound', name: 'o-inbound' } },
			parameters: { channel: 'telegram', mode: 'webhook', updates: ['message'] },
		}),
		triggerWorkflow('built-in: webhook', {
			type: 'n8n-nodes-base.telegramTrigger',
			typeVersion: 1.2,
			credentials: { telegramApi: { id: 'b-inbound', name: 'b-inbound' } },
			parameters: { updates: ['message'], additionalFields: {} },
		}),
	];
	for (const workflow of workflows) await publishWorkflow(home, await importWorkflow(home, workflow));
	return {
		emulators,
		/** Waits until both workflows registered their webhooks; the targets to measure. */
		async targets(): Promise<InboundTarget[]> {
			const only = process.env.BENCH_ONLY;
			const targets: InboundTarget[] = [];
			for (const key of ['ours', 'builtIn'] as const) {
				const tg = emulators[key];
				await tg.waitFor(() => tg.webhook !== null, 60_000, `the ${key} webhook`);
				if (only && only !== key) continue;
				targets.push({ key, path: webhookPathOf(tg.webhook!.url), secretToken: tg.webhook!.secretToken ?? '' });
			}
			return targets;
		},
		async stop() {
			for (const tg of Object.values(emulators)) await tg.stop();
		},
	};
}

async function main() {
	const tarball = process.env.TS_PACKAGE_TARBALL!;
	const home = await createN8nHome({
		prefix: 'n8n-bench-inbound-',
		env: { N8N_LOG_LEVEL: 'error', EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none', EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false' },
	});
	await installPackageTarball(home, tarball);
	const inbound = await setUpInbound(home);
	const profileDir = process.env.BENCH_CPU_PROF;
	let n8n: RunningN8n | undefined;
	let figures: InboundFigures;
	try {
		n8n = await startN8n(home, profileDir ? { env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } } : {});
		console.error('[bench] n8n ready; webhook throughput, alternating runs');
		figures = await measureInbound(n8n.webhookBaseUrl, await inbound.targets(), { pids: [n8n.pid] });
	} finally {
		await n8n?.stop();
		await inbound.stop();
		await home.cleanup();
	}
	const results = { webhook: figures };
	console.log(JSON.stringify(results, null, 2));
	console.error(inboundVerdict(figures));
	if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
	if (figures.slower) process.exitCode = 1;
}

/**
 * The same figure in queue mode (test/e2e/queue.ts: PostgreSQL, Redis, main, 2 webhook processors,
 * 2 workers): the requests go straight to the first webhook processor, which starts each execution
 * on a worker through Redis.
 */
async function mainQueue() {
	const { startQueueCluster } = await import('../../test/e2e/queue');
	let inbound: Awaited<ReturnType<typeof setUpInbound>> | undefined;
	const cluster = await startQueueCluster({
		tarball: process.env.TS_PACKAGE_TARBALL!,
		env: { N8N_LOG_LEVEL: 'error', EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none', EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false' },
		beforeStart: async (home) => {
			inbound = await setUpInbound(home);
		},
	});
	let figures: InboundFigures;
	try {
		const processor = cluster.webhooks[0];
		console.error(`[bench] queue mode ready; webhook throughput on the webhook processor ${processor.url}, alternating runs`);
		// the processor's CPU and the workers' (which run the executions)
		const pids = [processor.pid, ...cluster.workers.map((w) => w.pid)];
		figures = await measureInbound(processor.webhookBaseUrl, await inbound!.targets(), { label: 'queue mode', pids });
	} finally {
		await cluster.stop();
		await inbound?.stop();
	}
	const results = { webhookQueueMode: figures };
	console.log(JSON.stringify(results, null, 2));
	console.error(inboundVerdict(figures, 'webhook (queue mode, one webhook processor)'));
	if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
	if (figures.slower) process.exitCode = 1;
}

if (require.main === module) {
	(process.argv.includes('queue') ? mainQueue() : main()).catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
