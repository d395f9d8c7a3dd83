/**
 * End to end in a real n8n (`n8n start`, the packed package installed as a community package):
 * the triggers' "Acknowledge" option with the customer half of the conversation examples
 * (Customer writes → Forward to TeamSpirit, *Wait Through Outages* 0 so that a TeamSpirit outage
 * fails the execution at once).
 *
 * - *After the Workflow Has Run*, Telegram webhook: the execution fails (TeamSpirit answers 503),
 *   n8n answers Telegram 500, Telegram sends the update again; after the outage the message is in
 *   TeamSpirit once, and Telegram got its 200.
 * - *When Received* (default), Telegram webhook: Telegram gets 200 at once; the failed execution's
 *   message is never sent again (lost, as before this option).
 * - *After the Workflow Has Run*, Telegram long polling: the failed batch is not confirmed to
 *   Telegram and is emitted again until it runs through; the message is in TeamSpirit once.
 * - *After the Workflow Has Run*, WhatsApp: Twilio (with the connection overrides the trigger sets)
 *   gets 500 and retries; the retry runs through and gets an empty 200.
 *
 * A worker that dies in queue mode ends in the same answer (n8n marks the execution crashed once
 * the job stalled and answers the waiting webhook 500): not measured here, see README.
 *
 * Run with `npm run test:e2e -- test/e2e/acknowledge.e2e.test.ts`.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { TWILIO_CONNECTION_OVERRIDES } from '../../nodes/channels/whatsapp/trigger';
import { TeamSpiritEmulator, type Message, type User } from '../emulators/teamspirit';
import { withoutContactCentre } from '../helpers/examples';
import { TelegramEmulator } from '../emulators/telegram';
import { TwilioEmulator } from '../emulators/twilio';
import { formatTimings, N8nEditor, REPO_ROOT, timings, type WorkflowJson } from './n8n';
import { sharedN8n, type SharedN8n } from './shared-n8n';

const tarball = process.env.TS_PACKAGE_TARBALL;
const CHANNEL_TRIGGER = 'n8n-nodes-teamspirit.chatChannelTrigger';

/** The customer half of a conversation example, on its own credential, with the trigger's parameters changed. */
function customerHalf(channel: string, credential: { id: string; name: string }, trigger: Record<string, unknown>): WorkflowJson {
	const workflow = withoutContactCentre(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples', `${channel}-conversations.json`), 'utf8')) as WorkflowJson);
	workflow.name = `${workflow.name} (${String(trigger.acknowledge ?? 'whenReceived')}, ${String(trigger.mode ?? 'webhook')})`;
	workflow.nodes = workflow.nodes.filter((n) => n.name === 'Customer writes' || n.name === 'Forward to TeamSpirit');
	workflow.connections = { 'Customer writes': (workflow.connections as Record<string, unknown>)['Customer writes'] };
	for (const node of workflow.nodes) {
		node.id = randomUUID();
		const type = Object.keys(node.credentials ?? {}).find((name) => name !== 'teamSpiritApi');
		if (type) node.credentials[type] = credential;
		if (node.type === CHANNEL_TRIGGER) Object.assign(node.parameters, trigger);
		else node.parameters.conversationOptions = { ...node.parameters.conversationOptions, waitMinutes: 0 };
	}
	return workflow;
}

describe('Acknowledge (When Received / After the Workflow Has Run) in a real n8n', () => {
	let shared: SharedN8n | undefined;
	let n8n: SharedN8n['n8n'] | undefined;
	let ts: TeamSpiritEmulator;
	let operator: User;
	/** Telegram bots: webhook after the run, webhook when received, long polling after the run. */
	let afterRun: TelegramEmulator;
	let whenReceived: TelegramEmulator;
	let polling: TelegramEmulator;
	let tw: TwilioEmulator;
	const editor = new N8nEditor(() => n8n!.url);
	let whatsappUrl = '';
	let ids: string[] = [];
	const started = Date.now();

	const showN8n = () => `--- n8n output ---\n${n8n?.output().slice(-5000) ?? '(n8n is not running)'}`;

	async function waitFor<T>(what: string, probe: () => T | undefined | false | null, timeoutMs = 60_000): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const value = probe();
			if (value) return value;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${showN8n()}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	const pause = async (ms: number) => await new Promise((r) => setTimeout(r, ms));
	/** Executions of a workflow in n8n's execution list, by status. */
	async function executionsOf(workflowId: string, status: string): Promise<number> {
		return (await editor.executions()).filter((e) => e.workflowId === workflowId && e.status === status).length;
	}
	async function waitForExecutions(workflowId: string, status: string, count: number, timeoutMs = 90_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while ((await executionsOf(workflowId, status)) < count) {
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} ${status} executions\n${showN8n()}`);
			await pause(500);
		}
	}

	/** What the bridge posted in TeamSpirit with this text (the customer's messages). */
	const posted = (text: string): Message[] =>
		[...ts.chats.values()].flatMap((chat) => ts.messagesIn(chat.id)).filter((m) => m.senderId === ts.bot.id && m.text === text);

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:e2e`');
		ts = await TeamSpiritEmulator.start();
		operator = ts.addUser({ name: 'Olga Operator', username: 'olga' });
		afterRun = await TelegramEmulator.start({ token: '700000001:AAafterRUNwebhookBOTtokenFORe2e_abcdefgh', webhookRetryMs: 1000 });
		whenReceived = await TelegramEmulator.start({ token: '700000002:AAwhenRECEIVEDwebhookBOTtokenFORe2e_abcd', webhookRetryMs: 1000 });
		polling = await TelegramEmulator.start({ token: '700000003:AAafterRUNpollingBOTtokenFORe2e_abcdefg' });
		tw = await TwilioEmulator.start({ connectionOverrides: true });

		const bot = (id: string, tg: TelegramEmulator) => ({ id, name: id, type: 'teamSpiritTelegramApi', data: { accessToken: tg.token, baseUrl: tg.url } });
		const credentials = [
			{ id: 'teamspirit', name: 'TeamSpirit account', type: 'teamSpiritApi', data: { serverUrl: ts.url, apiKey: ts.apiKey } },
			bot('bot-after-run', afterRun),
			bot('bot-when-received', whenReceived),
			bot('bot-polling', polling),
			{ id: 'twilio', name: 'twilio', type: 'teamSpiritTwilioApi', data: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url } },
		];
		const workflows = [
			customerHalf('telegram', { id: 'bot-after-run', name: 'bot-after-run' }, { mode: 'webhook', acknowledge: 'afterRun' }),
			customerHalf('telegram', { id: 'bot-when-received', name: 'bot-when-received' }, { mode: 'webhook', acknowledge: 'whenReceived' }),
			customerHalf('telegram', { id: 'bot-polling', name: 'bot-polling' }, { mode: 'polling', acknowledge: 'afterRun' }),
			customerHalf('whatsapp', { id: 'twilio', name: 'twilio' }, { acknowledge: 'afterRun' }),
		];
		for (const workflow of workflows) workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!.parameters.operators = [operator.id];
		// the n8n the suites share (test/e2e/shared-n8n.ts): the workflows published into it
		shared = await sharedN8n();
		n8n = shared.n8n;
		await shared.useCredentials(credentials, workflows);
		ids = await shared.publishWorkflows(workflows);
		const whatsappHook = workflows[3].nodes.find((n) => n.type === CHANNEL_TRIGGER)!.webhookId as string;
		whatsappUrl = `${n8n.url}/webhook/${whatsappHook}/webhook`;
		editor.useSession(shared!.editor.session);
		await waitFor('the two Telegram webhooks', () => afterRun.webhook && whenReceived.webhook);
		await waitFor('Telegram long polling', () => polling.polling);
	});

	afterAll(async () => {
		await shared?.release();
		for (const emulator of [afterRun, whenReceived, polling, tw, ts]) await emulator?.stop();
		timings.push({ label: 'acknowledge suite total', ms: Date.now() - started });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	afterEach(() => {
		ts.clearFaults();
		tw.beforeRetry = undefined;
	});

	it('after the run (Telegram webhook): a failed execution gets 500, Telegram sends the update again, the message arrives once', async () => {
		ts.failNext({ status: 503, count: Infinity });
		const update = afterRun.pushMessage({ chatId: 3001, text: 'my order is late (webhook, after the run)' });
		await waitFor('an answer that is not 2xx', () => afterRun.deliveries.some((d) => d.status >= 500));
		ts.clearFaults(); // TeamSpirit is back
		await waitFor('a 200 for the update', () => afterRun.deliveries.some((d) => d.status === 200));
		await waitFor('the message in TeamSpirit', () => posted('my order is late (webhook, after the run)').length > 0);
		await pause(3000); // room for a duplicate to show up
		const statuses = afterRun.deliveries.map((d) => d.status);
		expect(afterRun.deliveries.every((d) => d.updateId === update.update_id)).toBe(true);
		expect(statuses.at(-1)).toBe(200);
		expect(statuses.slice(0, -1).length).toBeGreaterThanOrEqual(1);
		expect(statuses.slice(0, -1).every((status) => status === 500)).toBe(true);
		expect(posted('my order is late (webhook, after the run)')).toHaveLength(1);
		expect(afterRun.pending).toEqual([]);
	});

	it('when received (default, Telegram webhook): 200 at once; the message of the failed execution is not sent again', async () => {
		ts.failNext({ status: 503, count: Infinity });
		whenReceived.pushMessage({ chatId: 3002, text: 'my order is late (webhook, when received)' });
		await waitForExecutions(ids[1], 'error', 1);
		ts.clearFaults();
		await pause(4000); // a re-send would come after 1 s
		expect(whenReceived.deliveries.map((d) => d.status)).toEqual([200]);
		expect(posted('my order is late (webhook, when received)')).toHaveLength(0);
	});

	it('after the run (Telegram long polling): the failed batch is not confirmed and is emitted again; the message arrives once', async () => {
		ts.failNext({ status: 503, count: Infinity });
		const update = polling.pushMessage({ chatId: 3003, text: 'my order is late (long polling)' });
		// emitted again and failed again: two failed executions of the same batch
		await waitForExecutions(ids[2], 'error', 2);
		expect(polling.pending.map((u) => u.update_id)).toContain(update.update_id); // not confirmed
		ts.clearFaults();
		await waitFor('the message in TeamSpirit', () => posted('my order is late (long polling)').length > 0, 120_000);
		await waitFor('the update confirmed to Telegram', () => polling.pending.length === 0);
		await pause(3000);
		expect(posted('my order is late (long polling)')).toHaveLength(1);
	});

	it('after the run (WhatsApp): Twilio gets 500 for the failed execution and retries; the retry gets an empty 200, the message arrives once', async () => {
		// only TeamSpirit's writes fail: they are not retried inside the execution, which fails at once
		ts.failNext({ status: 503, method: 'POST', count: Infinity });
		tw.beforeRetry = async () => {
			// TeamSpirit is back once the first execution failed (Twilio may have stopped waiting for
			// it before: its read timeout is 5 s)
			await waitForExecutions(ids[3], 'error', 1, 12_000);
			ts.clearFaults();
		};
		const result = await tw.sendInbound(`${whatsappUrl}#${TWILIO_CONNECTION_OVERRIDES}`, {
			From: 'whatsapp:+4915112345678',
			Body: 'my order is late (WhatsApp)',
		});
		const attempts = result.attempts ?? [];
		// n8n's 500, or Twilio's 5 s read timeout (rt=5000) when the failing run took longer here
		expect(attempts[0]?.status === 500 || attempts[0]?.failure === 'rt').toBe(true);
		expect(attempts.at(-1)?.status).toBe(200);
		expect(result.body).toBe('');
		await waitFor('the message in TeamSpirit', () => posted('my order is late (WhatsApp)').length > 0);
		await pause(2000);
		expect(posted('my order is late (WhatsApp)')).toHaveLength(1);
	});

	it('the execution list holds the failed executions and the one that succeeded, per workflow', async () => {
		const list = await editor.executions();
		const count = (id: string, status: string) => list.filter((e) => e.workflowId === id && e.status === status).length;
		// [failed at least once, succeeded]; WhatsApp: a retry after Twilio's read timeout may start a
		// second execution while the first still runs (the keys keep one copy in TeamSpirit)
		const summary = ids.map((id) => [count(id, 'error') > 0, Math.min(count(id, 'success'), 1)]);
		expect({ summary, list }).toEqual({
			summary: [
				[true, 1],
				[true, 0],
				[true, 1],
				[true, 1],
			],
			list: expect.anything(),
		});
		expect([count(ids[0], 'success'), count(ids[2], 'success')]).toEqual([1, 1]);
	});
});
