/**
 * npm run bench (scripts/bench.sh): this package's Telegram nodes and n8n's built-in ones, in one
 * real n8n, against the Telegram emulator with Telegram's limits on. Not a jest test: it measures.
 */
import { writeFileSync } from 'node:fs';

import { TelegramEmulator } from '../../test/emulators/telegram';
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
import { inboundVerdict, measureInbound, webhookPathOf } from './inbound';

const MESSAGES = 300;
const CHATS = 30;
const LATENCY_SAMPLES = 20;

let nodeId = 0;
const id = () => `b0000000-0000-4000-8000-${String(++nodeId).padStart(12, '0')}`;

function sendWorkflow(name: string, path: string, sender: Record<string, unknown>): WorkflowJson {
	const code = `return Array.from({ length: ${MESSAGES} }, (_, i) => ({ json: { chat: String(1000 + (i % ${CHATS})), text: 'message ' + i } }));`;
	return {
		name,
		nodes: [
			{ id: id(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: id(), parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} } },
			{ id: id(), name: 'Messages', type: 'n8n-nodes-base.code', typeVersion: 2, position: [200, 0], parameters: { jsCode: code } },
			{ id: id(), name: 'Send', position: [400, 0], ...sender },
		],
		connections: {
			Webhook: { main: [[{ node: 'Messages', type: 'main', index: 0 }]] },
			Messages: { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

function triggerWorkflow(name: string, trigger: Record<string, unknown>, reply?: Record<string, unknown>): WorkflowJson {
	const nodes: Array<Record<string, any>> = [{ id: id(), name: 'Trigger', position: [0, 0], webhookId: id(), ...trigger }];
	const connections: Record<string, unknown> = {};
	if (reply) {
		nodes.push({ id: id(), name: 'Reply', position: [200, 0], ...reply });
		connections.Trigger = { main: [[{ node: 'Reply', type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

const ours = (cred: string) => ({ teamSpiritTelegramApi: { id: cred, name: cred } });
const builtIn = (cred: string) => ({ telegramApi: { id: cred, name: cred } });

async function timedPost(url: string): Promise<{ ms: number; status: number; body: string }> {
	const started = Date.now();
	const response = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
	const body = await response.text();
	return { ms: Date.now() - started, status: response.status, body };
}

function sendFigures(tg: TelegramEmulator, ms: number, status: number) {
	const sent = tg.sentMessages();
	const texts = sent.map((m) => m.text);
	const unique = new Set(texts).size;
	return {
		httpStatus: status,
		delivered: sent.length,
		unique,
		duplicates: sent.length - unique,
		missing: MESSAGES - unique,
		responses429: tg.calls('sendMessage').filter((r) => r.status === 429).length,
		wallSeconds: Math.round(ms / 100) / 10,
	};
}

function percentile(values: number[], p: number): number {
	const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
	const tarball = process.env.TS_PACKAGE_TARBALL!;
	const home = await createN8nHome({ prefix: 'n8n-bench-', env: { N8N_LOG_LEVEL: 'error', EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none', EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false' } });
	await installPackageTarball(home, tarball);

	const emulators = {
		ours: await TelegramEmulator.start({ token: '100000001:AAoursOURSoursOURSoursOURSoursOURS_1' }),
		builtIn: await TelegramEmulator.start({ token: '100000002:AAbuiltINbuiltINbuiltINbuiltIN_2' }),
		builtInRetry: await TelegramEmulator.start({ token: '100000003:AAretryRETRYretryRETRYretryRETRY_3' }),
		oursHook: await TelegramEmulator.start({ token: '100000004:AAhookHOOKhookHOOKhookHOOKhookHO_4', rateLimits: false }),
		builtInHook: await TelegramEmulator.start({ token: '100000005:AAbhookBHOOKbhookBHOOKbhookBHOO_5', rateLimits: false }),
		polling: await TelegramEmulator.start({ token: '100000006:AApollPOLLpollPOLLpollPOLLpollPO_6' }),
	};
	const creds = Object.entries(emulators).map(([name, tg]) => [
		{ id: `o-${name}`, name: `o-${name}`, type: 'teamSpiritTelegramApi', data: { accessToken: tg.token, baseUrl: tg.url } },
		{ id: `b-${name}`, name: `b-${name}`, type: 'telegramApi', data: { accessToken: tg.token, baseUrl: tg.url } },
	]);
	await importCredentials(home, creds.flat());

	const workflows: WorkflowJson[] = [
		sendWorkflow('ours: 300 messages', 'send-ours', {
			type: 'n8n-nodes-teamspirit.chatChannel', typeVersion: 1, credentials: ours('o-ours'),
			parameters: { channel: 'telegram', resource: 'message', operation: 'send', conversationId: '={{ $json.chat }}', text: '={{ $json.text }}', format: 'plain' },
		}),
		sendWorkflow('built-in: 300 messages', 'send-builtin', {
			type: 'n8n-nodes-base.telegram', typeVersion: 1.2, credentials: builtIn('b-builtIn'),
			parameters: { chatId: '={{ $json.chat }}', text: '={{ $json.text }}', additionalFields: { appendAttribution: false } },
		}),
		sendWorkflow('built-in + Retry On Fail: 300 messages', 'send-builtin-retry', {
			type: 'n8n-nodes-base.telegram', typeVersion: 1.2, credentials: builtIn('b-builtInRetry'), retryOnFail: true, maxTries: 5, waitBetweenTries: 1000,
			parameters: { chatId: '={{ $json.chat }}', text: '={{ $json.text }}', additionalFields: { appendAttribution: false } },
		}),
		triggerWorkflow('ours: webhook', { type: 'n8n-nodes-teamspirit.chatChannelTrigger', typeVersion: 1, credentials: ours('o-oursHook'), parameters: { channel: 'telegram', mode: 'webhook', updates: ['message'] } }),
		triggerWorkflow('built-in: webhook', { type: 'n8n-nodes-base.telegramTrigger', typeVersion: 1.2, credentials: builtIn('b-builtInHook'), parameters: { updates: ['message'], additionalFields: {} } }),
		triggerWorkflow(
			'ours: long polling echo',
			{ type: 'n8n-nodes-teamspirit.chatChannelTrigger', typeVersion: 1, credentials: ours('o-polling'), parameters: { channel: 'telegram', mode: 'polling', updates: ['message'] } },
			{ type: 'n8n-nodes-teamspirit.chatChannel', typeVersion: 1, credentials: ours('o-polling'), parameters: { channel: 'telegram', resource: 'message', operation: 'send', text: '=echo {{ $json.text }}', format: 'plain' } },
		),
	];
	for (const workflow of workflows) await publishWorkflow(home, await importWorkflow(home, workflow));

	let n8n: RunningN8n | undefined;
	const results: Record<string, unknown> = {};
	try {
		n8n = await startN8n(home);
		const base = n8n.webhookBaseUrl;
		const problems = n8n.output().split('\n').filter((line) => /error|could not|failed/i.test(line));
		if (problems.length) console.error(`[bench] n8n reported:\n${problems.slice(0, 20).join('\n')}`);
		console.error('[bench] n8n ready; sending 300 messages to 30 chats, three ways');
		for (const [key, path, tg] of [
			['ours', 'send-ours', emulators.ours],
			['builtIn', 'send-builtin', emulators.builtIn],
			['builtInRetryOnFail', 'send-builtin-retry', emulators.builtInRetry],
		] as const) {
			// n8n answers readiness before it has activated every workflow: a 404 starts nothing, try again
			let attempt = await timedPost(`${base}${path}`);
			for (let i = 0; i < 60 && attempt.status === 404; i++) {
				await new Promise((r) => setTimeout(r, 500));
				attempt = await timedPost(`${base}${path}`);
			}
			const { ms, status, body } = attempt;
			if (status === 404) console.error(`[bench] ${path}: 404 ${body.slice(0, 300)}`);
			await new Promise((r) => setTimeout(r, 500));
			results[`send.${key}`] = sendFigures(tg, ms, status);
			console.error(`[bench] ${key}: ${JSON.stringify(results[`send.${key}`])}`);
		}

		console.error('[bench] webhook throughput: alternating runs (scripts/bench/inbound.ts)');
		await emulators.oursHook.waitFor(() => emulators.oursHook.webhook !== null, 30_000, 'our webhook');
		await emulators.builtInHook.waitFor(() => emulators.builtInHook.webhook !== null, 30_000, 'the built-in webhook');
		const webhook = await measureInbound(
			base,
			([['ours', emulators.oursHook], ['builtIn', emulators.builtInHook]] as const).map(([key, tg]) => ({
				key,
				path: webhookPathOf(tg.webhook!.url),
				secretToken: tg.webhook!.secretToken ?? '',
			})),
			{ pids: [n8n.pid] },
		);
		results.webhook = webhook;
		console.error(inboundVerdict(webhook));
		if (webhook.slower) process.exitCode = 1;

		console.error('[bench] long-polling latency');
		const tg = emulators.polling;
		await tg.waitFor(() => tg.polling, 30_000, 'the long poll');
		const toStart: number[] = [];
		const toReply: number[] = [];
		for (let i = 0; i < LATENCY_SAMPLES; i++) {
			const chat = 3000 + i;
			const before = tg.calls('getUpdates').length;
			const pushed = Date.now();
			tg.pushMessage({ chatId: chat, text: `ping ${i}` });
			await tg.waitFor(() => tg.sentMessages(chat).length === 1, 15_000, 'the echo');
			toReply.push(Date.now() - pushed);
			// the execution starts when the poll that carried the update answered: the next poll is sent right after the emit
			const next = tg.calls('getUpdates')[before];
			toStart.push(next ? Math.max(0, next.receivedAt - pushed) : NaN);
			await new Promise((r) => setTimeout(r, 200));
		}
		results.polling = {
			samples: LATENCY_SAMPLES,
			updateToEmitMsMedian: percentile(toStart, 50),
			updateToEmitMsP95: percentile(toStart, 95),
			updateToReplyMsMedian: percentile(toReply, 50),
			updateToReplyMsP95: percentile(toReply, 95),
		};
		console.error(`[bench] polling: ${JSON.stringify(results.polling)}`);
	} finally {
		await n8n?.stop();
		for (const tg of Object.values(emulators)) await tg.stop();
		await home.cleanup();
	}
	console.log(JSON.stringify(results, null, 2));
	if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
