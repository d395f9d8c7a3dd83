/**
 * npm run bench -- bulk (scripts/bench.sh): 1,000 messages to 100 chats through a real n8n, the
 * TeamSpirit node (Concurrent Chats 8, the default, and 1, item after item; Map Each Field Manually
 * with the expressions `{{ $json.chatId }}` / `{{ $json.text }}`, and Map Fields Automatically at
 * Concurrent Chats 8) against n8n's built-in HTTP Request node (default options) posting the same
 * messages, all against one TeamSpirit
 * emulator that holds every answer back 5 ms. Each workflow is Webhook (Respond: When Last Node
 * Finishes) → Split Out → the sending node, started by one POST carrying the 1,000 messages: the
 * wall time is that POST's.
 *
 * The measurement is apart from the n8n start-up: `bulkWorkflows()` gives the workflows,
 * `runBulkBench()` measures against any n8n whose webhooks are at `webhookBaseUrl` (one process
 * here; a queue-mode main or webhook processor, with a worker executing, the same way).
 */
import { writeFileSync } from 'node:fs';

import { TeamSpiritEmulator } from '../../test/emulators/teamspirit';
import {
	createN8nHome,
	importCredentials,
	importWorkflow,
	installPackageTarball,
	publishWorkflow,
	startN8n,
	type RunningN8n,
	type WorkflowJson,
} from '../../test/e2e/n8n';

export const MESSAGES = 1000;
export const CHATS = 100;
export const LATENCY_MS = Number(process.env.BENCH_BULK_LATENCY_MS ?? 5);
const RUNS = Number(process.env.BENCH_BULK_RUNS ?? 3);

/** The workflows' webhook paths; each names what sends. */
export const BULK_PATHS = {
	ours: 'bulk-teamspirit',
	oursAuto: 'bulk-teamspirit-auto',
	oursSerial: 'bulk-teamspirit-serial',
	httpRequest: 'bulk-http-request',
} as const;
export type BulkSender = keyof typeof BULK_PATHS;

const chatId = (c: number) => `c_bulk${String(c).padStart(3, '0')}`;

/** The emulator the workflows send to: 100 chats, every answer held back LATENCY_MS. */
export async function startBulkEmulator(): Promise<TeamSpiritEmulator> {
	const emulator = await TeamSpiritEmulator.start({ latencyMs: LATENCY_MS });
	for (let c = 0; c < CHATS; c++) emulator.addChat({ id: chatId(c), title: `Bulk ${c}` });
	return emulator;
}

let nodeId = 0;
const id = () => `c0000000-0000-4000-8000-${String(++nodeId).padStart(12, '0')}`;

function workflow(name: string, path: string, sender: Record<string, unknown>): WorkflowJson {
	return {
		name,
		nodes: [
			{ id: id(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: id(), parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} } },
			{ id: id(), name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.messages', options: {} } },
			{ id: id(), name: 'Send', position: [400, 0], ...sender },
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/**
 * The four workflows, sending with the TeamSpirit API credential `credential` (import it with
 * `serverUrl` and `apiKey` of the emulator): the HTTP Request node uses the same credential
 * (Predefined Credential Type), as n8n's own "Custom API Call" would.
 */
export function bulkWorkflows(opts: { credential: { id: string; name: string }; serverUrl: string }): Record<BulkSender, WorkflowJson> {
	const credentials = { teamSpiritApi: opts.credential };
	const teamSpirit = (options: Record<string, unknown>) => ({
		type: 'n8n-nodes-teamspirit.teamSpirit',
		typeVersion: 1,
		credentials,
		parameters: { resource: 'message', operation: 'send', chatId: { __rl: true, mode: 'id', value: '={{ $json.chatId }}' }, text: '={{ $json.text }}', options },
	});
	// Map Fields Automatically: chatId and text straight from each item, no expression
	const teamSpiritAuto = {
		type: 'n8n-nodes-teamspirit.teamSpirit',
		typeVersion: 1,
		credentials,
		parameters: { resource: 'message', operation: 'send', dataMode: 'autoMapInputData', options: {} },
	};
	return {
		ours: workflow('bulk: TeamSpirit node', BULK_PATHS.ours, teamSpirit({})),
		oursAuto: workflow('bulk: TeamSpirit node, Map Fields Automatically', BULK_PATHS.oursAuto, teamSpiritAuto),
		oursSerial: workflow('bulk: TeamSpirit node, Concurrent Chats 1', BULK_PATHS.oursSerial, teamSpirit({ concurrentChats: 1 })),
		httpRequest: workflow('bulk: HTTP Request node', BULK_PATHS.httpRequest, {
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			credentials,
			parameters: {
				method: 'POST',
				url: `=${opts.serverUrl}/api/v1/chats/{{ $json.chatId }}/messages`,
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'teamSpiritApi',
				sendBody: true,
				contentType: 'json',
				specifyBody: 'keypair',
				bodyParameters: { parameters: [{ name: 'text', value: '={{ $json.text }}' }] },
				options: {},
			},
		}),
	};
}

/** `count` messages to CHATS chats in turn (chat 0, 1, …, 99, 0, 1, …), texts tagged with `tag`. */
function messages(tag: string, count = MESSAGES) {
	return Array.from({ length: count }, (_, i) => ({ chatId: chatId(i % CHATS), text: `${tag} ${i}` }));
}

export interface BulkFigures {
	httpStatus: number;
	wallMs: number;
	/** Messages TeamSpirit created with this run's texts. */
	delivered: number;
	duplicates: number;
	missing: number;
	/** Chats whose messages are not in the order they were posted to n8n. */
	chatsOutOfOrder: number;
	/** The most requests TeamSpirit had in flight at once. */
	maxInFlight: number;
	responses429: number;
}

async function post(url: string, body: unknown): Promise<{ ms: number; status: number; text: string }> {
	const started = Date.now();
	const response = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
	const text = await response.text();
	return { ms: Date.now() - started, status: response.status, text };
}

/** POSTs until the webhook is registered (a 404 starts nothing; n8n may still be activating). */
async function postWhenReady(url: string, body: unknown) {
	let attempt = await post(url, body);
	for (let i = 0; i < 60 && attempt.status === 404; i++) {
		await new Promise((resolve) => setTimeout(resolve, 500));
		attempt = await post(url, body);
	}
	return attempt;
}

/** One send of MESSAGES messages by `sender`, measured from the POST to n8n's answer. */
export async function runBulkOnce(opts: { webhookBaseUrl: string; emulator: TeamSpiritEmulator; sender: BulkSender; tag: string }): Promise<BulkFigures> {
	const { emulator, tag } = opts;
	const sent = messages(tag);
	emulator.maxInFlight = 0;
	const firstRequest = emulator.requests.length;
	const { ms, status, text } = await postWhenReady(`${opts.webhookBaseUrl}${BULK_PATHS[opts.sender]}`, { messages: sent });
	if (status !== 200) console.error(`[bench] ${opts.sender}: HTTP ${status} ${text.slice(0, 300)}`);
	const prefix = `${tag} `;
	let delivered = 0;
	let chatsOutOfOrder = 0;
	const seen = new Set<string>();
	for (let c = 0; c < CHATS; c++) {
		const got = emulator.messagesIn(chatId(c)).map((m) => m.text).filter((t) => t.startsWith(prefix));
		delivered += got.length;
		for (const t of got) seen.add(t);
		const expected = sent.filter((m) => m.chatId === chatId(c)).map((m) => m.text);
		const positions = got.map((t) => expected.indexOf(t));
		if (positions.some((p, i) => i > 0 && p < positions[i - 1])) chatsOutOfOrder++;
	}
	return {
		httpStatus: status,
		wallMs: ms,
		delivered,
		duplicates: delivered - seen.size,
		missing: sent.length - seen.size,
		chatsOutOfOrder,
		maxInFlight: emulator.maxInFlight,
		responses429: emulator.requests.slice(firstRequest).filter((r) => r.status === 429).length,
	};
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;

/**
 * The comparison: a warm-up POST of 20 messages per workflow, then `runs` rounds that take turns
 * (TeamSpirit, TeamSpirit Map Fields Automatically, TeamSpirit serial, HTTP Request); the median
 * wall time of each and the ratios (HTTP Request's over each of ours, from the same rounds).
 */
export async function runBulkBench(opts: { webhookBaseUrl: string; emulator: TeamSpiritEmulator; runs?: number; log?: (line: string) => void }) {
	const log = opts.log ?? ((line: string) => console.error(`[bench] ${line}`));
	const senders = Object.keys(BULK_PATHS) as BulkSender[];
	for (const sender of senders) {
		const { status } = await postWhenReady(`${opts.webhookBaseUrl}${BULK_PATHS[sender]}`, { messages: messages(`warm-up ${sender}`, 20) });
		if (status !== 200) log(`warm-up ${sender}: HTTP ${status}`);
	}
	const runs: Record<BulkSender, BulkFigures[]> = { ours: [], oursAuto: [], oursSerial: [], httpRequest: [] };
	for (let run = 1; run <= (opts.runs ?? RUNS); run++) {
		for (const sender of senders) {
			const figures = await runBulkOnce({ ...opts, sender, tag: `run ${run} ${sender}` });
			runs[sender].push(figures);
			log(`run ${run} ${sender}: ${JSON.stringify(figures)}`);
		}
	}
	const wall = (sender: BulkSender) => median(runs[sender].map((f) => f.wallMs));
	return {
		messages: MESSAGES,
		chats: CHATS,
		latencyMs: LATENCY_MS,
		runs,
		medianWallMs: Object.fromEntries(senders.map((sender) => [sender, wall(sender)])) as Record<BulkSender, number>,
		ratio: {
			httpRequestOverOurs: ratio(wall('httpRequest'), wall('ours')),
			httpRequestOverOursAuto: ratio(wall('httpRequest'), wall('oursAuto')),
			oursSerialOverOurs: ratio(wall('oursSerial'), wall('ours')),
		},
	};
}

/** One n8n process (`n8n start`) with the packed package: the single-process figures. */
async function main() {
	const tarball = process.env.TS_PACKAGE_TARBALL!;
	const home = await createN8nHome({ prefix: 'n8n-bench-bulk-', env: { N8N_LOG_LEVEL: 'error', EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none', EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false' } });
	const emulator = await startBulkEmulator();
	let n8n: RunningN8n | undefined;
	try {
		await installPackageTarball(home, tarball);
		const credential = { id: 'bulk-teamspirit', name: 'bulk-teamspirit' };
		await importCredentials(home, [{ ...credential, type: 'teamSpiritApi', data: { serverUrl: emulator.url, apiKey: emulator.apiKey } }]);
		for (const wf of Object.values(bulkWorkflows({ credential, serverUrl: emulator.url }))) {
			await publishWorkflow(home, await importWorkflow(home, wf));
		}
		// BENCH_BULK_CPU_PROF=dir: n8n writes a CPU profile there when it stops
		const profile = process.env.BENCH_BULK_CPU_PROF;
		n8n = await startN8n(home, profile ? { env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profile}` } } : {});
		console.error(`[bench] n8n ready; ${MESSAGES} messages to ${CHATS} chats, ${LATENCY_MS} ms per answer`);
		const results = await runBulkBench({ webhookBaseUrl: n8n.webhookBaseUrl, emulator });
		console.log(JSON.stringify({ bulk: { ...results, runs: undefined, lastRun: Object.fromEntries(Object.entries(results.runs).map(([k, v]) => [k, v[v.length - 1]])) } }, null, 2));
		if (process.env.BENCH_BULK_JSON) writeFileSync(process.env.BENCH_BULK_JSON, JSON.stringify({ bulk: results }, null, 2));
	} finally {
		await n8n?.stop();
		await emulator.stop();
		await home.cleanup();
	}
}

/**
 * The same send from a queue-mode worker (test/e2e/queue.ts: PostgreSQL, Redis, main, 2 webhook
 * processors, 2 workers): the POST goes through the balancer to a webhook processor, a worker runs
 * the execution, the processor answers when it is over.
 */
async function mainQueue() {
	const { startQueueCluster } = await import('../../test/e2e/queue');
	const emulator = await startBulkEmulator();
	const cluster = await startQueueCluster({
		tarball: process.env.TS_PACKAGE_TARBALL!,
		env: { N8N_LOG_LEVEL: 'error', EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none', EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false' },
		beforeStart: async (home) => {
			const credential = { id: 'bulk-teamspirit', name: 'bulk-teamspirit' };
			await importCredentials(home, [{ ...credential, type: 'teamSpiritApi', data: { serverUrl: emulator.url, apiKey: emulator.apiKey } }]);
			for (const wf of Object.values(bulkWorkflows({ credential, serverUrl: emulator.url }))) {
				await publishWorkflow(home, await importWorkflow(home, wf));
			}
		},
	});
	try {
		console.error(`[bench] queue mode ready; ${MESSAGES} messages to ${CHATS} chats, ${LATENCY_MS} ms per answer, run by a worker`);
		const results = await runBulkBench({ webhookBaseUrl: cluster.webhookBaseUrl, emulator });
		console.log(JSON.stringify({ bulkQueueMode: { ...results, runs: undefined } }, null, 2));
		if (process.env.BENCH_BULK_JSON) writeFileSync(process.env.BENCH_BULK_JSON, JSON.stringify({ bulkQueueMode: results }, null, 2));
	} finally {
		await cluster.stop();
		await emulator.stop();
	}
}

if (require.main === module) {
	(process.argv.includes('queue') ? mainQueue() : main()).catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
