/**
 * End to end in n8n's queue mode (test/e2e/queue.ts): PostgreSQL, Redis, a main, 2 webhook
 * processors, 2 workers and a balancer, the packed package installed into every process, binary
 * data in the database. Every check is on what TeamSpirit and the customers (the emulators) hold.
 *
 * 1. Every trigger registers once and is removed once: TeamSpirit Trigger registrations, the
 *    Telegram webhook, the WhatsApp number's configuration; Telegram long polling runs in the main
 *    only (the process holding the getUpdates connection) and stops when the workflow is
 *    deactivated.
 * 2. The balancer mirrors every webhook request to both webhook processors (a platform delivering
 *    twice, at once): one TeamSpirit message per customer message, one customer reply per
 *    operator message — the exactly-once keys kept in TeamSpirit, not any process's memory.
 * 3. Customer conversations with executions spread over both workers: one chat per customer,
 *    replies routed, files both ways, a 45 MB file through n8n's binary store (database mode) and
 *    through Send to Customer; peak memory of each worker and webhook processor reported.
 * 4. Pacing with 2 workers sending for one Telegram bot at once (Telegram's limits on in the
 *    emulator): 300 messages to 30 chats, each once, no failed execution; 429s and wall time
 *    reported.
 * 5. A worker SIGKILLed while a customer message is in flight (its POST to TeamSpirit held): n8n
 *    does not re-queue the job (Bull's maxStalledCount is 0 in n8n 2.41); with the trigger's
 *    acknowledgement after the run, Twilio re-sends the delivery and the other worker posts it:
 *    the message arrives once.
 * 6. Routing (the contact centre, issue 21) over two workers: two conversations arrive at once in
 *    a queue with a limit of 1 open conversation per operator and two operators: each is assigned
 *    once, to a different operator (the limit holds across processes).
 *
 * Run with `npm run test:e2e -- test/e2e/queue.e2e.test.ts` (the cluster takes 1–2 minutes to
 * start on a 2-core machine; the suite about 6).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

import { GraphEmulator, type GraphUser } from '../emulators/graph';
import { TeamSpiritEmulator, type Chat, type User } from '../emulators/teamspirit';
import { TelegramEmulator } from '../emulators/telegram';
import { TwilioEmulator } from '../emulators/twilio';
import { contactCentreExample } from './conversation-setup';
import {
	conversationView,
	executionsSettled as executionsSettledIn,
	signedKey,
	waitUntil,
} from './conversation-view';
import {
	credentialFor,
	formatTimings,
	importCredentials,
	importWorkflows,
	REPO_ROOT,
	timings,
	type ExecutionSummary,
	type RunningN8n,
	type WorkflowJson,
} from './n8n';
import { withoutContactCentre } from '../helpers/examples';
import { memoryOf, startQueueCluster, type QueueCluster } from './queue';

const tarball = process.env.TS_PACKAGE_TARBALL;
const CHANNEL_TRIGGER = 'n8n-nodes-teamspirit.chatChannelTrigger';
const TEAMSPIRIT_TRIGGER = 'n8n-nodes-teamspirit.teamSpiritTrigger';
const WEBHOOK_BOT_TOKEN = '555000111:AAHwebhookBOTforTHEqueueTEST_0123456789';
const PACING_BOT_TOKEN = '555000222:AAHpacingBOTforTHEqueueTEST_01234567890';
const ECHO_BOT_TOKEN = '555000333:AAHechoBOTforTHEqueueTEST_0123456789012';
const MB = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function example(channel: string, kind = 'conversations'): WorkflowJson {
	// the conversation examples as before the contact centre (test/helpers/examples.ts)
	return withoutContactCentre(
		JSON.parse(
			fs.readFileSync(path.join(REPO_ROOT, 'examples', `${channel}-${kind}.json`), 'utf8'),
		) as WorkflowJson,
	);
}

/**
 * Which pid has the TCP connection from local port `port` to `serverUrl`'s port (ss -tnp; a client
 * port can be in use towards several servers at once).
 */
function pidOfClientPort(port: number, serverUrl: string): Promise<number | undefined> {
	const dport = new URL(serverUrl).port;
	return new Promise((resolve) => {
		execFile('ss', ['-tnpH', `( sport = :${port} and dport = :${dport} )`], (err, stdout) => {
			if (err) return resolve(undefined);
			const pid = /pid=(\d+)/.exec(stdout)?.[1];
			resolve(pid ? Number(pid) : undefined);
		});
	});
}

/** The process group's leader for a pid (our RunningN8n pids lead their groups). */
async function groupOf(pid: number): Promise<number> {
	const stat = await fs.promises.readFile(`/proc/${pid}/stat`, 'utf8');
	// pid (comm) state ppid pgrp ...
	return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/**
 * A pass-through proxy in front of TeamSpirit that can hold the next message post
 * (`POST …/chats/{id}/messages`): it is never forwarded; `held` resolves with the client's TCP
 * port, so the test knows which process is waiting for it. And a meeting point: requests that
 * match are held until `count` of them have come (or `timeoutMs` passed), then all go on at once,
 * so two processes are sure to read before either writes.
 */
async function gateProxy(target: string) {
	let armed: ((port: number) => void) | undefined;
	let meeting:
		| { matches: (method: string, url: URL) => boolean; count: number; waiting: Array<() => void> }
		| undefined;
	let met: (arrived: number) => void = () => undefined;
	const forward = (req: http.IncomingMessage, res: http.ServerResponse, body?: Buffer) => {
		const upstream = http.request(
			new URL(req.url ?? '/', target),
			{ method: req.method, headers: req.headers },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => res.destroy());
		if (body) upstream.end(body);
		else req.pipe(upstream);
	};
	const release = () => {
		const waiting = meeting?.waiting ?? [];
		meeting = undefined;
		met(waiting.length);
		for (const go of waiting) go();
	};
	const server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', target);
		if (armed && req.method === 'POST' && /\/chats\/[^/]+\/messages$/.test(url.pathname)) {
			const notify = armed;
			armed = undefined;
			notify(req.socket.remotePort ?? 0);
			return; // held for good: the caller dies waiting
		}
		if (meeting?.matches(req.method ?? '', url)) {
			const chunks: Buffer[] = [];
			const current = meeting;
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				current.waiting.push(() => forward(req, res, Buffer.concat(chunks)));
				if (meeting === current && current.waiting.length >= current.count) release();
			});
			return;
		}
		forward(req, res);
	});
	server.listen(0, '127.0.0.1');
	await new Promise((r) => server.once('listening', r));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		holdNextMessagePost(): Promise<number> {
			return new Promise((resolve) => (armed = resolve));
		},
		/** Resolves with how many matching requests met (`count`, or fewer after `timeoutMs`). */
		meet(
			matches: (method: string, url: URL) => boolean,
			count: number,
			timeoutMs: number,
		): Promise<number> {
			meeting = { matches, count, waiting: [] };
			const timer = setTimeout(release, timeoutMs);
			return new Promise((resolve) => {
				met = (arrived) => {
					clearTimeout(timer);
					resolve(arrived);
				};
			});
		},
		async stop() {
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			server.closeAllConnections();
			await closed;
		},
	};
}

describe('n8n queue mode: main + 2 webhook processors + 2 workers (PostgreSQL, Redis)', () => {
	let cluster: QueueCluster;
	let ts: TeamSpiritEmulator;
	let gate: Awaited<ReturnType<typeof gateProxy>>;
	let tg: TelegramEmulator;
	let tgHook: TelegramEmulator;
	let tgPace: TelegramEmulator;
	let tgEcho: TelegramEmulator;
	let tw: TwilioEmulator;
	let fb: GraphEmulator;
	let fbQueue: GraphEmulator;
	let operator: User;
	/** The two operators of the routing queue (section 6). */
	let quinn: User;
	let rita: User;
	let relayChat: Chat;
	let replyChat: Chat;
	const webhookIds: Record<string, string> = {};
	const workflowIds: Record<string, string> = {};
	/** The echo bots and the TeamSpirit reply example: published by test 2 only. */
	const echoIds: Record<string, string> = {};
	const started = Date.now();
	const report: string[] = [];

	const showN8n = () => `--- n8n output ---\n${cluster?.output().slice(-8000) ?? '(not running)'}`;

	const waitFor = <T>(
		what: string,
		probe: () => T | undefined | false | null,
		timeoutMs = 60_000,
	) => waitUntil(what, probe, timeoutMs, showN8n);
	const { chatByKey, chatsWithKey, messagesIn, customerTexts, notices } = conversationView(
		() => ts,
	);

	/** Execution ids each worker started (its log at level info). */
	const ranOn = (worker: RunningN8n) =>
		new Set([...worker.output().matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]));

	const executionsSettled = () => executionsSettledIn(cluster.editor, showN8n, 120_000);

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:e2e`');
		ts = await TeamSpiritEmulator.start({
			autoDeliver: true,
			retryDelaysMs: [2_000, 5_000, 10_000],
		});
		operator = ts.addUser({ name: 'Olga Operator', username: 'olga' });
		relayChat = ts.addChat({ title: 'Files for the field team', memberIds: [operator.id] });
		replyChat = ts.addChat({ title: 'Helpdesk', memberIds: [operator.id] });
		gate = await gateProxy(ts.url);
		tg = await TelegramEmulator.start({ rateLimits: false });
		tgHook = await TelegramEmulator.start({ token: WEBHOOK_BOT_TOKEN, rateLimits: false });
		tgPace = await TelegramEmulator.start({ token: PACING_BOT_TOKEN });
		tgEcho = await TelegramEmulator.start({ token: ECHO_BOT_TOKEN, rateLimits: false });
		tw = await TwilioEmulator.start({ connectionOverrides: true });
		fb = await GraphEmulator.start();
		fbQueue = await GraphEmulator.start({ pageId: '104300000000777' });
		quinn = ts.addUser({ name: 'Quinn Queue', username: 'quinn' });
		rita = ts.addUser({ name: 'Rita Route', username: 'rita' });
		for (const who of [quinn, rita]) ts.setStatus(who.id, { status: 'online' });

		const credentials = [
			credentialFor.teamSpirit('teamspirit', ts, 'TeamSpirit account', gate.url),
			credentialFor.telegram('telegram-bot', tg, 'Telegram bot'),
			credentialFor.telegram('telegram-webhook-bot', tgHook, 'Telegram bot (webhook)'),
			credentialFor.telegram('telegram-pacing-bot', tgPace, 'Telegram bot (bulk)'),
			credentialFor.telegram('telegram-echo-bot', tgEcho, 'Telegram bot (echo)'),
			credentialFor.twilio('twilio-account', tw, 'Twilio account'),
			credentialFor.messenger('messenger-page', fb, 'Messenger page'),
			credentialFor.messenger('messenger-queue-page', fbQueue, 'Messenger page (queue)'),
		];

		const names = [
			'telegram',
			'whatsapp',
			'messenger',
			'telegramWebhook',
			'pacing',
			'relay',
			'routing',
		];
		const workflows = names.map((name) => workflowFor(name));
		const echoNames = ['telegramEcho', 'whatsappEcho', 'messengerEcho', 'teamspiritReply'];
		const echoes = echoNames.map((name) => echoWorkflow(name));
		cluster = await startQueueCluster({
			tarball,
			// which worker runs what: n8n logs it at level info
			workerEnv: { N8N_LOG_LEVEL: 'info' },
			env: {
				// a killed worker's job is found stalled after its lock expires (default 60 s + 30 s)
				QUEUE_WORKER_LOCK_DURATION: '15000',
				QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
				QUEUE_WORKER_STALLED_INTERVAL: '5000',
			},
			beforeStart: async (home) => {
				await importCredentials(home, credentials);
				const ids = await importWorkflows(home, [...workflows, ...echoes]);
				[...names, ...echoNames].forEach((name, i) => {
					if (i < names.length) workflowIds[name] = ids[i];
					else echoIds[name] = ids[i];
					const workflow = [...workflows, ...echoes][i];
					const node = (type: string) => workflow.nodes.find((n) => n.type === type);
					webhookIds[name] = (node(CHANNEL_TRIGGER)?.webhookId as string) ?? '';
				});
			},
		});
		report.push(`cluster up in ${((Date.now() - started) / 1000).toFixed(0)} s`);
	});

	afterAll(async () => {
		if (report.length) console.log(`[e2e] queue mode\n  ${report.join('\n  ')}`);
		await cluster?.stop();
		await gate?.stop();
		for (const emulator of [tg, tgHook, tgPace, tgEcho, tw, fb, fbQueue, ts])
			await emulator?.stop();
		timings.push({ label: 'queue-mode suite total', ms: Date.now() - started });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	function workflowFor(name: string): WorkflowJson {
		if (name === 'pacing') return pacingWorkflow();
		if (name === 'relay') return relayWorkflow();
		if (name === 'routing') return routingWorkflow();
		const workflow = example(name === 'telegramWebhook' ? 'telegram' : name);
		const forward = workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!;
		forward.parameters.operators = [operator.id];
		if (name === 'whatsapp') {
			// the trigger points the number at n8n when it is published (registration test)
			const trigger = workflow.nodes.find((n) => n.type === CHANNEL_TRIGGER)!;
			// the delivery is answered after the run, so a run lost with its worker is sent again
			trigger.parameters.acknowledge = 'afterRun';
			trigger.parameters.whatsappOptions = {
				...trigger.parameters.whatsappOptions,
				configureOn: 'phoneNumber',
				configureTarget: tw.whatsappNumber.replace(/^whatsapp:/, ''),
			};
		}
		if (name === 'telegramWebhook') {
			workflow.name = 'Telegram conversations (webhook)';
			for (const node of workflow.nodes) {
				if (node.credentials?.teamSpiritTelegramApi)
					node.credentials.teamSpiritTelegramApi = {
						id: 'telegram-webhook-bot',
						name: 'Telegram bot (webhook)',
					};
				if (node.type === CHANNEL_TRIGGER) node.parameters.mode = 'webhook';
			}
		}
		return workflow;
	}

	/**
	 * The echo-bot examples (Telegram in webhook mode, for its own bot) and the TeamSpirit Trigger →
	 * reply example (listening to one chat), as imported: the nodes' parameters are the examples'.
	 */
	function echoWorkflow(name: string): WorkflowJson {
		if (name === 'teamspiritReply') {
			const workflow = example('teamspirit', 'trigger-reply');
			for (const node of workflow.nodes) {
				node.credentials = { teamSpiritApi: { id: 'teamspirit', name: 'TeamSpirit account' } };
				if (node.type === TEAMSPIRIT_TRIGGER)
					node.parameters.chatFilter = {
						chats: [{ chat: { __rl: true, mode: 'id', value: replyChat.id } }],
					};
			}
			return workflow;
		}
		const channel = name.replace(/Echo$/, '');
		const workflow = example(channel, 'echo-bot');
		if (channel === 'telegram') {
			workflow.name = 'Telegram echo bot (webhook)';
			for (const node of workflow.nodes) {
				node.credentials = {
					teamSpiritTelegramApi: { id: 'telegram-echo-bot', name: 'Telegram bot (echo)' },
				};
				if (node.type === CHANNEL_TRIGGER) node.parameters.mode = 'webhook';
			}
		}
		return workflow;
	}

	/** n8n's Webhook (answers when the run is over) → Split Out → Chat Channel: Send Message. */
	function pacingWorkflow(): WorkflowJson {
		return {
			name: 'Bulk send (Telegram)',
			nodes: [
				{
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					parameters: {
						httpMethod: 'POST',
						path: 'queue-bulk-send',
						responseMode: 'lastNode',
						options: {},
					},
				},
				{
					name: 'Split Out',
					type: 'n8n-nodes-base.splitOut',
					typeVersion: 1,
					position: [220, 0],
					parameters: { fieldToSplitOut: 'body.messages', options: {} },
				},
				{
					name: 'Chat Channel',
					type: 'n8n-nodes-teamspirit.chatChannel',
					typeVersion: 1,
					position: [440, 0],
					parameters: {
						channel: 'telegram',
						resource: 'message',
						operation: 'send',
						conversationId: '={{ $json.chatId }}',
						text: '={{ $json.text }}',
						format: 'plain',
					},
					credentials: {
						teamSpiritTelegramApi: { id: 'telegram-pacing-bot', name: 'Telegram bot (bulk)' },
					},
				},
			],
			connections: {
				Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
				'Split Out': { main: [[{ node: 'Chat Channel', type: 'main', index: 0 }]] },
			},
		};
	}

	/**
	 * The customer half of the Messenger example, for its own page, with one queue in its Contact
	 * Centre settings: Quinn and Rita, round robin, at most 1 open conversation each: the turn is
	 * a conditional write, so each conversation is assigned once. (Least busy gave both
	 * conversations to Quinn here when both workers counted before either assigned; since 58e9146
	 * the second assignment is given back and routed on, a transient write this test's "every
	 * accepted write names the same assignee" would count.)
	 */
	function routingWorkflow(): WorkflowJson {
		const workflow = contactCentreExample('messenger', [
			{ name: 'Queue mode', operators: [quinn.id, rita.id], routing: 'roundRobin', maxOpen: 1 },
		]);
		workflow.name = 'Messenger conversations with a queue';
		workflow.nodes = workflow.nodes.filter((n) =>
			['Customer writes', 'Forward to TeamSpirit'].includes(n.name as string),
		);
		workflow.connections = { 'Customer writes': workflow.connections['Customer writes'] };
		for (const node of workflow.nodes)
			node.credentials!.teamSpiritMessengerApi = {
				id: 'messenger-queue-page',
				name: 'Messenger page (queue)',
			};
		return workflow;
	}

	/** TeamSpirit Trigger (files downloaded into binary data) → Chat Channel: Send File (Telegram). */
	function relayWorkflow(): WorkflowJson {
		return {
			name: 'Files from TeamSpirit to the field team on Telegram',
			nodes: [
				{
					name: 'Operator posts a file',
					type: TEAMSPIRIT_TRIGGER,
					typeVersion: 1,
					position: [0, 0],
					parameters: {
						events: ['message.created'],
						chatFilter: { chats: [{ chat: { __rl: true, mode: 'id', value: relayChat.id } }] },
						options: { downloadFiles: true, maxFileSizeMb: 50 },
					},
					credentials: { teamSpiritApi: { id: 'teamspirit', name: 'TeamSpirit account' } },
				},
				{
					name: 'Send File',
					type: 'n8n-nodes-teamspirit.chatChannel',
					typeVersion: 1,
					position: [220, 0],
					parameters: {
						channel: 'telegram',
						resource: 'message',
						operation: 'sendFile',
						conversationId: '9001',
						source: 'binary',
						binaryPropertyName: 'file_0',
						kind: 'document',
						caption: '={{ $json.text }}',
						format: 'plain',
					},
					credentials: { teamSpiritTelegramApi: { id: 'telegram-bot', name: 'Telegram bot' } },
				},
			],
			connections: {
				'Operator posts a file': { main: [[{ node: 'Send File', type: 'main', index: 0 }]] },
			},
		};
	}

	const url = {
		whatsapp: () => `${cluster.webhookBaseUrl}${webhookIds.whatsapp}/webhook`,
		messenger: () => `${cluster.webhookBaseUrl}${webhookIds.messenger}/webhook`,
		routing: () => `${cluster.webhookBaseUrl}${webhookIds.routing}/webhook`,
	};
	/** TeamSpirit's POST /webhooks requests so far (registrations), and DELETEs. */
	const registrations = () =>
		ts.requests.filter((r) => r.method === 'POST' && /\/webhooks$/.test(r.path)).length;
	const removals = () =>
		ts.requests.filter((r) => r.method === 'DELETE' && /\/webhooks\//.test(r.path)).length;
	const numberUpdates = () =>
		tw.requests.filter(
			(r) => r.method === 'POST' && /IncomingPhoneNumbers\/[^/]+\.json$/.test(r.path),
		).length;

	describe('1. triggers register once, in the main', () => {
		it('publishing the seven workflows: five TeamSpirit registrations, one Telegram webhook, one WhatsApp number update, one poller', async () => {
			for (const name of Object.keys(workflowIds)) await cluster.editor.publish(workflowIds[name]);
			await waitFor('the five TeamSpirit registrations', () => ts.webhooks.size === 5);
			await waitFor('Telegram long polling', () => tg.polling);
			await waitFor('the Telegram webhook', () => tgHook.webhook);
			await waitFor('the WhatsApp number pointed at n8n', () => numberUpdates() >= 1);
			// give any second registrant (a webhook processor or worker) time to show itself
			await sleep(5_000);
			expect(registrations()).toBe(5);
			expect(tgHook.calls('setWebhook')).toHaveLength(1);
			expect(tgHook.webhook!.url.startsWith(cluster.url)).toBe(true);
			expect(numberUpdates()).toBe(1);
			for (const hook of ts.webhooks.values()) expect(hook.url.startsWith(cluster.url)).toBe(true);
			// the getUpdates in flight comes from the main: the newest one (a newer poll ends the one
			// before), looked up while it is still waiting (an ended one's port may belong to
			// another process by then)
			const live = () => tg.calls('getUpdates').at(-1);
			let pid: number | undefined;
			for (let tries = 0; tries < 50 && pid === undefined; tries++) {
				const polling = await waitFor('a getUpdates in flight', () => {
					const last = live();
					return tg.polling && last?.status === 0 && last.remotePort ? last : undefined;
				});
				const owner = await pidOfClientPort(polling.remotePort!, tg.url);
				if (live() === polling && polling.status === 0 && tg.polling) pid = owner;
			}
			expect(pid).toBeDefined();
			expect(await groupOf(pid!)).toBe(cluster.main.pid);
			// and only the main polls: never two getUpdates at once (Telegram would answer 409)
			expect(tg.calls('getUpdates').filter((r) => r.status === 409)).toEqual([]);
			report.push(
				`1. registrations: TeamSpirit ${registrations()}, setWebhook ${tgHook.calls('setWebhook').length}, ` +
					`WhatsApp number updates ${numberUpdates()}, getUpdates from pid ${pid} (main ${cluster.main.pid})`,
			);
		});
	});

	// customers
	const anna = { chatId: 7101, from: { id: 7101, first_name: 'Anna', last_name: 'Petrova' } };
	const boris = { chatId: 7102, from: { id: 7102, first_name: 'Boris', last_name: 'Ivanov' } };
	const hanna = { chatId: 7301, from: { id: 7301, first_name: 'Hanna', last_name: 'Weber' } };
	const maria = { phone: '+4915112340001', name: 'Maria Garcia' };
	const pedro = { phone: '+4915112340002', name: 'Pedro Alves' };
	let lena: GraphUser;
	const key = {
		telegram: (c: { chatId: number }) => signedKey(`telegram:${tg.botId}:${c.chatId}`, ts),
		telegramWebhook: (c: { chatId: number }) =>
			signedKey(`telegram:${tgHook.botId}:${c.chatId}`, ts),
		whatsapp: (c: { phone: string }) =>
			signedKey(`whatsapp:${tw.whatsappNumber.replace(/^whatsapp:/, '')}:${c.phone}`, ts),
		messenger: (u: GraphUser) => signedKey(`messenger:${fb.pageId}:${u.id}`, ts),
	};
	const operatorPosts = async (chatKey: string, fields: { text: string; fileIds?: string[] }) => {
		const { message } = await ts.postAsUser(chatByKey(chatKey)!.id, operator.id, {
			format: 'plain',
			...fields,
		});
		return message;
	};

	describe('2. the same delivery to both webhook processors: one effect', () => {
		const before = { webhooks: [0, 0] };
		beforeAll(() => {
			lena = fb.addUser({ first_name: 'Lena', last_name: 'Schmidt' });
			before.webhooks = [...cluster.lb.counts.webhooks];
			cluster.lb.mirror = true;
		});
		afterAll(() => {
			cluster.lb.mirror = false;
		});

		it('Telegram (webhook mode), Twilio and Meta deliveries, each to both processors: one TeamSpirit message each', async () => {
			tgHook.pushMessage({
				chatId: hanna.chatId,
				from: hanna.from,
				text: 'Hanna: hello from a webhook bot',
			});
			const wa = await tw.sendInbound(url.whatsapp(), {
				From: `whatsapp:${pedro.phone}`,
				ProfileName: pedro.name,
				Body: 'Pedro: hello twice',
			});
			expect(wa.status).toBe(200);
			const m = await fb.deliver(url.messenger(), [
				fb.messageEvent(lena.id, { text: 'Lena: hello twice' }),
			]);
			expect(m.status).toBe(200);
			await waitFor('the three messages in TeamSpirit', () =>
				[key.telegramWebhook(hanna), key.whatsapp(pedro), key.messenger(lena)].every(
					(k) => customerTexts(k).length >= 1,
				),
			);
			await executionsSettled();
			expect(customerTexts(key.telegramWebhook(hanna))).toEqual([
				'Hanna: hello from a webhook bot',
			]);
			expect(customerTexts(key.whatsapp(pedro))).toEqual(['Pedro: hello twice']);
			expect(customerTexts(key.messenger(lena))).toEqual(['Lena: hello twice']);
			for (const k of [key.telegramWebhook(hanna), key.whatsapp(pedro), key.messenger(lena)])
				expect(chatsWithKey(k)).toHaveLength(1);
			// both processors got every delivery, and both started an execution for it
			const got = cluster.lb.counts.webhooks.map((n, i) => n - before.webhooks[i]);
			expect(got[0]).toBeGreaterThanOrEqual(3);
			expect(got[1]).toBeGreaterThanOrEqual(3);
		});

		it('a TeamSpirit delivery of an operator message, to both processors: the customer gets one reply', async () => {
			await operatorPosts(key.telegramWebhook(hanna), {
				text: 'Olga: one answer, delivered twice',
			});
			await operatorPosts(key.whatsapp(pedro), { text: 'Olga: one WhatsApp answer' });
			await operatorPosts(key.messenger(lena), { text: 'Olga: one Messenger answer' });
			await waitFor(
				'the three answers',
				() =>
					tgHook.sentMessages(hanna.chatId).length >= 1 &&
					tw.messagesTo(`whatsapp:${pedro.phone}`).length >= 1 &&
					fb.messagesTo(lena.id).length >= 1,
			);
			await ts.settled();
			const list = await executionsSettled();
			await sleep(2_000);
			expect(tgHook.sentMessages(hanna.chatId).map((s) => s.text)).toEqual([
				'Olga: one answer, delivered twice',
			]);
			expect(tw.messagesTo(`whatsapp:${pedro.phone}`).map((s) => s.body)).toEqual([
				'Olga: one WhatsApp answer',
			]);
			expect(fb.messagesTo(lena.id).map((s) => s.text)).toEqual(['Olga: one Messenger answer']);
			for (const k of [key.telegramWebhook(hanna), key.whatsapp(pedro), key.messenger(lena)])
				expect(notices(k)).toEqual([]);
			expect(list.filter((e) => e.status !== 'success')).toEqual([]);
			// the two workers raced for each operator message: the loser's conditional claim got 412
			const lostClaims = ts.requests.filter(
				(r) => r.method === 'PATCH' && r.status === 412 && /\/messages\//.test(r.path),
			).length;
			report.push(
				`2. mirrored deliveries: ${list.length} executions so far, all successful; one message and one reply each; ${lostClaims} claims lost to the other worker (412), no notices`,
			);
		});
	});

	describe('2. (echo bots) the same delivery to both webhook processors: one reply', () => {
		beforeAll(() => {
			cluster.lb.mirror = true;
		});
		afterAll(() => {
			cluster.lb.mirror = false;
		});

		it('the Telegram, WhatsApp and Messenger echo bots and the TeamSpirit reply example answer each mirrored delivery once', async () => {
			const hooks = ts.webhooks.size;
			for (const id of Object.values(echoIds)) await cluster.editor.publish(id);
			await waitFor('the echo bot’s Telegram webhook', () => tgEcho.webhook);
			await waitFor('the reply example’s registration', () => ts.webhooks.size === hooks + 1);
			const before = [...cluster.lb.counts.webhooks];
			const echoUrl = (name: string) => `${cluster.webhookBaseUrl}${webhookIds[name]}/webhook`;
			const customer = { phone: '+4915112340077', chatId: 7401 };
			const sam = fb.addUser({ first_name: 'Sam', last_name: 'Echo' });

			tgEcho.pushMessage({
				chatId: customer.chatId,
				from: { id: customer.chatId, first_name: 'Tom' },
				text: 'echo once',
			});
			const wa = await tw.sendInbound(echoUrl('whatsappEcho'), {
				From: `whatsapp:${customer.phone}`,
				Body: 'echo once on WhatsApp',
			});
			expect(wa.status).toBe(200);
			const m = await fb.deliver(echoUrl('messengerEcho'), [
				fb.messageEvent(sam.id, { text: 'echo once on Messenger' }),
			]);
			expect(m.status).toBe(200);
			const { message } = await ts.postAsUser(replyChat.id, operator.id, {
				text: 'printer is down',
				format: 'plain',
			});
			const replies = () => ts.messagesIn(replyChat.id).filter((r) => r.replyToId === message.id);
			await waitFor(
				'the four replies',
				() =>
					tgEcho.sentMessages(customer.chatId).length >= 1 &&
					tw.messagesTo(`whatsapp:${customer.phone}`).length >= 1 &&
					fb.messagesTo(sam.id).length >= 1 &&
					replies().length >= 1,
			);
			await ts.settled();
			const list = await executionsSettled();
			await sleep(3_000);
			expect(tgEcho.sentMessages(customer.chatId).map((s) => s.text)).toEqual([
				'You said: echo once',
			]);
			expect(tw.messagesTo(`whatsapp:${customer.phone}`).map((s) => s.body)).toEqual([
				'You said: echo once on WhatsApp',
			]);
			expect(fb.messagesTo(sam.id).map((s) => s.text)).toEqual([
				'You said: echo once on Messenger',
			]);
			expect(replies().map((r) => r.text)).toEqual(['Got it: printer is down']);
			// both processors got every delivery and started an execution for it
			const got = cluster.lb.counts.webhooks.map((n, i) => n - before[i]);
			expect(got[0]).toBeGreaterThanOrEqual(4);
			expect(got[1]).toBeGreaterThanOrEqual(4);
			// at least one execution per delivery. Both processors got every copy (above), but the
			// executions listed when the list is read have varied (8 in one run, 6 in a CI run, every
			// reply single): the property is one reply each; the count per workflow is reported
			const echoRuns = list.filter((e) => Object.values(echoIds).includes(e.workflowId));
			expect(echoRuns.length).toBeGreaterThanOrEqual(4);
			const perWorkflow = Object.entries(echoIds)
				.map(([name, id]) => `${name} ${echoRuns.filter((e) => e.workflowId === id).length}`)
				.join(', ');
			expect(echoRuns.filter((e) => e.status !== 'success')).toEqual([]);
			report.push(
				`2. echo bots and reply example, mirrored: ${echoRuns.length} executions (${perWorkflow}), one reply each ` +
					`(Telegram ${tgEcho.sentMessages(customer.chatId).length}, WhatsApp ` +
					`${tw.messagesTo(`whatsapp:${customer.phone}`).length}, Messenger ` +
					`${fb.messagesTo(sam.id).length}, TeamSpirit ${replies().length})`,
			);
			for (const id of Object.values(echoIds)) {
				const r = await cluster.editor.call('POST', `/workflows/${id}/deactivate`);
				expect(r.status).toBe(200);
			}
			await waitFor('the reply example’s registration removed', () => ts.webhooks.size === hooks);
		});
	});

	describe('3. customer conversations over two workers', () => {
		const photo = randomBytes(300_000);
		let big: Buffer;
		const memory: Record<string, { before: number; sent: number; after: number }> = {};
		const pids = () => ({
			...Object.fromEntries(cluster.workers.map((w, i) => [`worker ${i + 1}`, w.pid])),
			...Object.fromEntries(cluster.webhooks.map((w, i) => [`webhook processor ${i + 1}`, w.pid])),
			main: cluster.main.pid,
		});

		it('four customers on three channels write text and a photo: one chat each, on both workers', async () => {
			const mark = new Map(cluster.workers.map((w) => [w, ranOn(w).size]));
			for (const c of [anna, boris]) {
				tg.pushMessage({
					chatId: c.chatId,
					from: c.from,
					text: `${c.from.first_name}: my parcel is late`,
				});
				const file = tg.addFile(photo, { mimeType: 'image/jpeg' });
				tg.pushMessage({
					chatId: c.chatId,
					from: c.from,
					extra: {
						photo: [
							{
								file_id: file.file_id,
								file_unique_id: file.file_unique_id,
								file_size: photo.length,
								width: 800,
								height: 800,
							},
						],
						caption: `${c.from.first_name}: the box`,
					},
				});
			}
			const wa = await tw.sendInbound(url.whatsapp(), {
				From: `whatsapp:${maria.phone}`,
				ProfileName: maria.name,
				Body: 'Maria: where is my order?',
			});
			expect(wa.status).toBe(200);
			const m = await fb.deliver(url.messenger(), [
				fb.messageEvent(lena.id, { text: 'Lena: a second question' }),
			]);
			expect(m.status).toBe(200);
			await waitFor(
				'every customer message in TeamSpirit',
				() =>
					customerTexts(key.telegram(anna)).length >= 2 &&
					customerTexts(key.telegram(boris)).length >= 2 &&
					customerTexts(key.whatsapp(maria)).length >= 1 &&
					customerTexts(key.messenger(lena)).length >= 2,
			);
			await executionsSettled();
			for (const c of [anna, boris]) {
				expect(chatsWithKey(key.telegram(c))).toHaveLength(1);
				expect(chatByKey(key.telegram(c))!.title).toBe(
					`Telegram · ${c.from.first_name} ${c.from.last_name}`,
				);
				const messages = messagesIn(key.telegram(c));
				expect(messages.map((x) => x.text)).toEqual([
					`${c.from.first_name}: my parcel is late`,
					`${c.from.first_name}: the box`,
				]);
				expect(messages[1].files.map((f) => ts.fileContent(f.id)).map(sha256)).toEqual([
					sha256(photo),
				]);
			}
			expect(customerTexts(key.whatsapp(maria))).toEqual(['Maria: where is my order?']);
			expect(customerTexts(key.messenger(lena))).toEqual([
				'Lena: hello twice',
				'Lena: a second question',
			]);
			const spread = cluster.workers.map((w) => ranOn(w).size - mark.get(w)!);
			report.push(`3. conversation executions per worker: ${spread.join(' + ')}`);
			expect(spread.every((n) => n > 0)).toBe(true);
		});

		it('operators answer each customer in their chat, one with a 45 MB file: routed to the right customer, the file byte for byte', async () => {
			for (const [label, pid] of Object.entries(pids()))
				memory[label] = { before: (await memoryOf(pid)).peakMb, sent: 0, after: 0 };
			big = randomBytes(45 * MB);
			const bigFile = ts.uploadAsUser(operator.id, {
				name: 'manual.pdf',
				mimeType: 'application/pdf',
				content: big,
			});
			await operatorPosts(key.telegram(anna), { text: 'Anna, the manual', fileIds: [bigFile.id] });
			await operatorPosts(key.telegram(boris), { text: 'Boris, it ships today' });
			await operatorPosts(key.whatsapp(maria), { text: 'Maria, tomorrow' });
			await operatorPosts(key.messenger(lena), { text: 'Lena, here is the answer' });
			await waitFor(
				'the answers at the customers',
				() =>
					tg.sentMessages(anna.chatId).length >= 2 &&
					tg.sentMessages(boris.chatId).length >= 1 &&
					tw.messagesTo(`whatsapp:${maria.phone}`).length >= 1 &&
					fb.messagesTo(lena.id).length >= 2,
				180_000,
			);
			await ts.settled();
			await executionsSettled();
			const annaGot = tg.sentMessages(anna.chatId);
			expect(annaGot.map((x) => x.text ?? x.caption)).toEqual(['Anna, the manual', undefined]);
			expect(annaGot[1].upload).toMatchObject({ size: big.length, sha256: sha256(big) });
			expect(tg.sentMessages(boris.chatId).map((x) => x.text)).toEqual(['Boris, it ships today']);
			expect(tw.messagesTo(`whatsapp:${maria.phone}`).map((x) => x.body)).toEqual([
				'Maria, tomorrow',
			]);
			expect(fb.messagesTo(lena.id).map((x) => x.text)).toEqual([
				'Olga: one Messenger answer',
				'Lena, here is the answer',
			]);
			for (const [label, pid] of Object.entries(pids()))
				memory[label].sent = (await memoryOf(pid)).peakMb;
		});

		it('a 45 MB file through n8n’s binary store (database mode): TeamSpirit Trigger downloads it, a worker sends it to Telegram', async () => {
			const relayed = ts.uploadAsUser(operator.id, {
				name: 'site-plan.pdf',
				mimeType: 'application/pdf',
				content: big,
			});
			await ts.postAsUser(relayChat.id, operator.id, {
				text: 'Site plan',
				format: 'plain',
				fileIds: [relayed.id],
			});
			await waitFor('the file on Telegram', () => tg.sentMessages(9001).length >= 1, 180_000);
			await executionsSettled();
			const [sent] = tg.sentMessages(9001);
			expect(sent.caption).toBe('Site plan');
			expect(sent.upload).toMatchObject({ size: big.length, sha256: sha256(big) });
			for (const [label, pid] of Object.entries(pids()))
				memory[label].after = (await memoryOf(pid)).peakMb;
			report.push(
				`3. peak memory (VmHWM, MiB) before → after Send to Customer's 45 MB file → after the 45 MB file ` +
					`through the binary store: ${Object.entries(memory)
						.map(
							([label, m]) =>
								`${label} ${m.before.toFixed(0)} → ${m.sent.toFixed(0)} → ${m.after.toFixed(0)}`,
						)
						.join(', ')}`,
			);
		});
	});

	describe('4. pacing with two workers sending for one bot', () => {
		it('300 messages to 30 chats from 10 concurrent executions: each once, no failed execution', async () => {
			const mark = new Map(cluster.workers.map((w) => [w, ranOn(w).size]));
			const chats = Array.from({ length: 30 }, (_, i) => 8000 + i);
			const started = Date.now();
			const answers = await Promise.all(
				Array.from({ length: 10 }, async (_, batch) => {
					const res = await fetch(`${cluster.webhookBaseUrl}queue-bulk-send`, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({
							messages: chats.map((chatId) => ({
								chatId: String(chatId),
								text: `batch ${batch} to ${chatId}`,
							})),
						}),
					});
					await res.text();
					return res.status;
				}),
			);
			const wall = Date.now() - started;
			expect(answers).toEqual(new Array(10).fill(200));
			const list = await executionsSettled();
			const bulk = list.filter((e) => e.workflowId === workflowIds.pacing);
			expect(bulk).toHaveLength(10);
			expect(bulk.filter((e) => e.status !== 'success')).toEqual([]);
			for (const chatId of chats) {
				const texts = tgPace.sentMessages(chatId).map((x) => x.text);
				expect([...texts].sort()).toEqual(
					Array.from({ length: 10 }, (_, b) => `batch ${b} to ${chatId}`).sort(),
				);
			}
			const tooMany = tgPace.calls('sendMessage').filter((r) => r.status === 429).length;
			const spread = cluster.workers.map((w) => ranOn(w).size - mark.get(w)!);
			report.push(
				`4. 300 messages to 30 chats with 2 workers: ${(wall / 1000).toFixed(1)} s, ${tooMany} × 429 waited out, ` +
					`executions per worker ${spread.join(' + ')}`,
			);
			expect(spread.every((n) => n > 0)).toBe(true);
		});
	});

	describe('5. a worker killed while a customer message is in flight', () => {
		const kim = { phone: '+4915112340005', name: 'Kim Novak' };

		it('SIGKILL while its post to TeamSpirit is held: Twilio sends the delivery again, the other worker posts it, once', async () => {
			const held = gate.holdNextMessagePost();
			const delivery = tw.sendInbound(tw.inboundWebhookUrl(), {
				From: `whatsapp:${kim.phone}`,
				ProfileName: kim.name,
				Body: 'Kim: is my order on its way?',
			});
			const clientPort = await held;
			const owner = await pidOfClientPort(clientPort, gate.url);
			const victim = cluster.workers.find((w) => owner !== undefined && w.pid === owner);
			expect(victim).toBeDefined();
			const survivor = cluster.workers.find((w) => w !== victim)!;
			const killedAt = Date.now();
			process.kill(-victim!.pid, 'SIGKILL');
			const result = await delivery;
			await waitFor(
				'Kim’s message in TeamSpirit',
				() => customerTexts(key.whatsapp(kim)).length >= 1,
			);
			const deliveredAfter = Date.now() - killedAt;
			expect(result.status).toBe(200);
			// Twilio's first attempt timed out (read timeout 5 s), a retry was answered after the run
			expect(result.attempts![0].failure).toBe('rt');
			await sleep(3_000);
			expect(customerTexts(key.whatsapp(kim))).toEqual(['Kim: is my order on its way?']);
			expect(chatsWithKey(key.whatsapp(kim))).toHaveLength(1);
			expect(ranOn(survivor).size).toBeGreaterThan(0);
			// what n8n does with the killed worker's job: found stalled once its lock expires, not run again
			const deadline = Date.now() + 60_000;
			let marked: ExecutionSummary | undefined;
			while (!marked && Date.now() < deadline) {
				const list = await cluster.editor.executions(20);
				marked = list.find(
					(e) => e.workflowId === workflowIds.whatsapp && ['crashed', 'error'].includes(e.status),
				);
				if (!marked) await sleep(1_000);
			}
			report.push(
				`5. worker ${victim!.pid} killed; Twilio attempts ${result.attempts!.map((a) => a.failure ?? a.status).join(', ')}; ` +
					`delivered once ${(deliveredAfter / 1000).toFixed(1)} s after the kill; ` +
					`the killed execution: ${marked ? `${marked.status} (id ${marked.id}), ` : 'not '}marked within ` +
					`${((Date.now() - killedAt) / 1000).toFixed(0)} s of the kill`,
			);
			// a new worker takes the dead one's place for what follows
			await cluster.addWorker();
		});
	});

	describe('6. routing with two workers', () => {
		it('two conversations arrive at once in a queue with a limit of 1 per operator and two operators: each is assigned once, to a different operator', async () => {
			const customers = [
				fbQueue.addUser({ first_name: 'Ute', last_name: 'Urban' }),
				fbQueue.addUser({ first_name: 'Vera', last_name: 'Vogel' }),
			];
			const keyOf = (u: GraphUser) => signedKey(`messenger:${fbQueue.pageId}:${u.id}`, ts);
			const mark = new Map(cluster.workers.map((w) => [w, ranOn(w)]));
			// both executions count an operator's open conversations before either assigns one
			const counted = gate.meet(
				(method, u) => method === 'GET' && u.searchParams.has('metadata.assigneeId'),
				2,
				30_000,
			);
			const results = await Promise.all(
				customers.map((u) =>
					fbQueue.deliver(url.routing(), [
						fbQueue.messageEvent(u.id, { text: `${u.first_name}: I need help` }),
					]),
				),
			);
			expect(results.map((r) => r.status)).toEqual([200, 200]);
			const assigneeOf = (u: GraphUser) =>
				(chatByKey(keyOf(u))?.metadata as { assigneeId?: string } | undefined)?.assigneeId;
			expect(await counted).toBe(2);
			await waitFor('both conversations assigned', () => customers.every(assigneeOf));
			await executionsSettled();
			expect(new Set(customers.map(assigneeOf))).toEqual(new Set([quinn.id, rita.id]));
			for (const u of customers) {
				const chat = chatByKey(keyOf(u))!;
				expect(chatsWithKey(keyOf(u))).toHaveLength(1);
				expect(chat.metadata).toMatchObject({ status: 'open', queue: 'Queue mode' });
				expect(chat.memberIds).toContain(assigneeOf(u));
				// assigned once: every metadata write TeamSpirit accepted names the same assignee
				const assignees = ts.requests
					.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/chats/${chat.id}`))
					.filter((r) => r.status === 200)
					.map((r) => (r.body as { metadata?: { assigneeId?: string } })?.metadata?.assigneeId)
					.filter(Boolean);
				expect(new Set(assignees)).toEqual(new Set([assigneeOf(u)]));
			}
			const spread = cluster.workers.map(
				(w) => [...ranOn(w)].filter((id) => !mark.get(w)!.has(id)).length,
			);
			report.push(
				`6. routing: the two conversations' executions per worker: ${spread.join(' + ')}`,
			);
		});
	});

	describe('1. (end) triggers are removed once', () => {
		it('unpublishing: TeamSpirit registrations deleted once each, the Telegram webhook deleted once, polling stops', async () => {
			const removedBefore = removals();
			for (const name of ['telegram', 'telegramWebhook', 'relay']) {
				const r = await cluster.editor.call('POST', `/workflows/${workflowIds[name]}/deactivate`);
				expect(r.status).toBe(200);
			}
			await waitFor('three registrations removed', () => ts.webhooks.size === 2);
			await waitFor('the Telegram webhook removed', () => !tgHook.webhook);
			await sleep(5_000);
			expect(removals() - removedBefore).toBe(3);
			expect(tgHook.calls('deleteWebhook')).toHaveLength(1);
			const polls = tg.calls('getUpdates').length;
			await sleep(5_000);
			expect(tg.calls('getUpdates').length).toBe(polls);
			// the long poll in flight was closed, not left waiting
			expect(tg.polling).toBe(false);
		});
	});
});
