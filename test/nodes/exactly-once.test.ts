/**
 * Exactly once by default, outside the conversation bridge: the echo-bot examples (Chat Channel
 * *Send Text*) and the TeamSpirit Trigger → reply example, run twice for the same event — one
 * after the other (a retried execution, a delivery n8n took twice) and at the same moment in two
 * "n8n processes" (separate copies of the package's modules, as two queue-mode workers; the
 * store they share is n8n's dedupe store, here with the database's read-then-write, see
 * test/harness/deduplication.ts). The platform gets one message; another event gets its own.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject, INodeType, WorkflowExecuteMode } from 'n8n-workflow';

import { TeamSpiritApi } from '../../credentials/TeamSpiritApi.credentials';
import { TeamSpiritTelegramApi } from '../../credentials/TeamSpiritTelegramApi.credentials';
import { TeamSpiritTwilioApi } from '../../credentials/TeamSpiritTwilioApi.credentials';
import { ChatChannelTrigger } from '../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TeamSpiritTrigger } from '../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { TeamSpiritEmulator } from '../emulators/teamspirit';
import { TelegramEmulator } from '../emulators/telegram';
import { TwilioEmulator } from '../emulators/twilio';
import { processedData, runWorkflow, type WorkflowJson } from '../harness';

/** A node type from a fresh copy of the package's modules: one "n8n process". */
function processCopy(file: string, name: string): INodeType {
	let node: INodeType | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const module = require(`../../nodes/${file}`) as Record<string, new () => INodeType>;
		node = new module[name]();
	});
	return node!;
}
const chatChannelProcess = () => processCopy('ChatChannel/ChatChannel.node', 'ChatChannel');
const teamSpiritProcess = () => processCopy('TeamSpirit/TeamSpirit.node', 'TeamSpirit');

function example(name: string): WorkflowJson {
	const file = path.join(__dirname, '..', '..', 'examples', `${name}.json`);
	const workflow = JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson;
	workflow.id = `wf-${name}-${randomUUID().slice(0, 8)}`;
	return workflow;
}

const TRIGGERS = {
	'n8n-nodes-teamspirit.chatChannelTrigger': new ChatChannelTrigger(),
	'n8n-nodes-teamspirit.teamSpiritTrigger': new TeamSpiritTrigger(),
};

const BOT_ID = '123456789';

/** A Chat Channel Trigger item of a Telegram customer's text. */
function telegramItem(updateId: number, text: string): IDataObject {
	return {
		channel: 'telegram',
		account: BOT_ID,
		event: 'message',
		eventId: `telegram:${BOT_ID}:${updateId}`,
		messageId: String(updateId - 1000),
		conversationId: '4242',
		sender: { id: '4242', name: 'Anna Petrova', isBot: false },
		text,
		attachments: [],
		attachmentsText: '',
		summary: text,
		timestamp: new Date().toISOString(),
		raw: { update_id: updateId },
	};
}

describe('Chat Channel Send Text (the Telegram echo bot): one reply per event', () => {
	let tg: TelegramEmulator;
	beforeEach(async () => {
		tg = await TelegramEmulator.start({ rateLimits: false });
	});
	afterEach(async () => {
		await tg.stop();
	});

	const run = (
		workflow: WorkflowJson,
		item: IDataObject,
		node: INodeType = chatChannelProcess(),
		mode: WorkflowExecuteMode = 'webhook',
	) =>
		runWorkflow({
			workflow,
			mode,
			nodeTypes: { 'n8n-nodes-teamspirit.chatChannel': node, ...TRIGGERS },
			credentialTypes: [new TeamSpiritTelegramApi()],
			credentials: { teamSpiritTelegramApi: { accessToken: tg.token, baseUrl: tg.url } },
			startNode: 'Reply',
			startItems: [{ json: item }],
		});

	it('two executions of the same update, one after the other, in one process: one reply; the second says it was a duplicate', async () => {
		const workflow = example('telegram-echo-bot');
		const node = chatChannelProcess();
		const first = await run(workflow, telegramItem(5001, 'hello'), node);
		const second = await run(workflow, telegramItem(5001, 'hello'), node);
		expect([first.status, second.status]).toEqual(['success', 'success']);
		expect(tg.sentMessages(4242).map((m) => m.text)).toEqual(['You said: hello']);
		expect(first.nodeOutput('Reply')[0].json).toMatchObject({ channel: 'telegram', parts: 1 });
		expect(second.nodeOutput('Reply').map((i) => [i.json, i.pairedItem])).toEqual([
			[{ channel: 'telegram', conversationId: '4242', sent: false, duplicate: true }, { item: 0 }],
		]);
	});

	it('two processes running the same update at the same moment: one reply', async () => {
		const workflow = example('telegram-echo-bot');
		const runs = await Promise.all([
			run(workflow, telegramItem(5002, 'at once')),
			run(workflow, telegramItem(5002, 'at once')),
		]);
		expect(runs.map((r) => r.status)).toEqual(['success', 'success']);
		expect(tg.sentMessages(4242).map((m) => m.text)).toEqual(['You said: at once']);
		const duplicates = runs.filter((r) => r.nodeOutput('Reply')[0].json.duplicate === true);
		expect(duplicates).toHaveLength(1);
	});

	it('the store loses writes that overlap (as n8n’s does): three processes, three updates each twice, at once: each update answered once', async () => {
		processedData.latencyMs = 20;
		try {
			const workflow = example('telegram-echo-bot');
			const updates = [5011, 5012, 5013];
			await Promise.all(
				updates.flatMap((u) => [
					run(workflow, telegramItem(u, `text ${u}`)),
					run(workflow, telegramItem(u, `text ${u}`)),
				]),
			);
			expect(tg.sentMessages(4242).map((m) => m.text).sort()).toEqual(
				updates.map((u) => `You said: text ${u}`),
			);
		} finally {
			processedData.latencyMs = 2;
		}
	});

	it('another update, and the same update in another workflow, are each answered', async () => {
		const workflow = example('telegram-echo-bot');
		await run(workflow, telegramItem(5003, 'one'));
		await run(workflow, telegramItem(5004, 'two'));
		await run(example('telegram-echo-bot'), telegramItem(5003, 'one'));
		expect(tg.sentMessages(4242).map((m) => m.text)).toEqual([
			'You said: one',
			'You said: two',
			'You said: one',
		]);
	});

	it('a send the channel refused is given up: running the execution again sends it', async () => {
		const workflow = example('telegram-echo-bot');
		const item = { ...telegramItem(5005, 'refused first'), conversationId: '-1' };
		const refused = await run(workflow, item);
		expect(refused.status).toBe('error');
		// the workflow fixed (the chat id), the same event run again (n8n's Retry)
		const fixed = await run(workflow, { ...item, conversationId: '4242' });
		expect(fixed.status).toBe('success');
		expect(tg.sentMessages(4242).map((m) => m.text)).toEqual(['You said: refused first']);
	});

	it('manual executions (the editor) send every time', async () => {
		const workflow = example('telegram-echo-bot');
		const node = chatChannelProcess();
		await run(workflow, telegramItem(5006, 'test'), node, 'manual');
		await run(workflow, telegramItem(5006, 'test'), node, 'manual');
		expect(tg.sentMessages(4242)).toHaveLength(2);
	});
});

describe('Chat Channel Send Text (the WhatsApp echo bot): one reply per event', () => {
	it('two processes running the same message at the same moment: one reply', async () => {
		const tw = await TwilioEmulator.start();
		try {
			const workflow = example('whatsapp-echo-bot');
			const item: IDataObject = {
				channel: 'whatsapp',
				account: tw.whatsappNumber,
				event: 'message',
				eventId: 'SM0123456789abcdef0123456789abcdef',
				messageId: 'SM0123456789abcdef0123456789abcdef',
				conversationId: 'whatsapp:+4915112340009',
				sender: { id: '4915112340009', name: 'Pedro', phone: '+4915112340009', isBot: false },
				text: 'hi',
				attachments: [],
				summary: 'hi',
				raw: { To: tw.whatsappNumber },
			};
			const run = () =>
				runWorkflow({
					workflow,
					mode: 'webhook',
					nodeTypes: { 'n8n-nodes-teamspirit.chatChannel': chatChannelProcess(), ...TRIGGERS },
					credentialTypes: [new TeamSpiritTwilioApi()],
					credentials: {
						teamSpiritTwilioApi: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url },
					},
					startNode: 'Reply',
					startItems: [{ json: item }],
				});
			const runs = await Promise.all([run(), run()]);
			expect(runs.map((r) => r.status)).toEqual(['success', 'success']);
			expect(tw.messagesTo('whatsapp:+4915112340009').map((m) => m.body)).toEqual(['You said: hi']);
		} finally {
			await tw.stop();
		}
	});
});

describe('TeamSpirit node (the TeamSpirit Trigger → reply example): the Idempotency-Key comes from the event', () => {
	let ts: TeamSpiritEmulator;
	beforeEach(async () => {
		ts = await TeamSpiritEmulator.start();
	});
	afterEach(async () => {
		await ts.stop();
	});

	function triggerItem(chatId: string, messageId: string, text: string): IDataObject {
		return {
			event: 'message.created',
			eventId: `ev_${messageId}`,
			deliveryId: `dl_${randomUUID()}`,
			createdAt: new Date().toISOString(),
			chatId,
			messageId,
			senderId: 'u_colleague',
			text,
			format: 'plain',
			replyToId: null,
			files: [],
		};
	}

	const run = (workflow: WorkflowJson, item: IDataObject, mode: WorkflowExecuteMode = 'webhook') =>
		runWorkflow({
			workflow,
			mode,
			nodeTypes: { 'n8n-nodes-teamspirit.teamSpirit': teamSpiritProcess(), ...TRIGGERS },
			credentialTypes: [new TeamSpiritApi()],
			credentials: { teamSpiritApi: { serverUrl: ts.url, apiKey: ts.apiKey } },
			startNode: 'Reply in TeamSpirit',
			startItems: [{ json: item }],
		});

	it('the same event in two processes at once, and once more later under another delivery id: one reply', async () => {
		const chat = ts.addChat({ title: 'Support' });
		const { message } = await ts.postAsUser(chat.id, ts.addUser({ name: 'Colleague' }).id, {
			text: 'Printer is down',
			format: 'plain',
		});
		const workflow = example('teamspirit-trigger-reply');
		const item = triggerItem(chat.id, message.id, 'Printer is down');
		const runs = await Promise.all([run(workflow, item), run(workflow, item)]);
		const again = await run(workflow, { ...item, deliveryId: 'dl_resent' });
		expect([...runs, again].map((r) => r.status)).toEqual(['success', 'success', 'success']);
		const replies = ts.messagesIn(chat.id).filter((m) => m.replyToId === message.id);
		expect(replies.map((m) => m.text)).toEqual(['Got it: Printer is down']);
		// every execution returns that one message
		const ids = [...runs, again].map((r) => r.nodeOutput('Reply in TeamSpirit')[0].json.id);
		expect(new Set(ids)).toEqual(new Set([replies[0].id]));
		const keys = ts.requests
			.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'))
			.map((r) => r.headers['idempotency-key']);
		expect(new Set(keys).size).toBe(1);
		expect(String(keys[0])).toMatch(/^n8n-event-[0-9a-f]{40}$/);
	});

	it('another event gets its own reply; an Idempotency Key set in the options wins', async () => {
		const chat = ts.addChat({ title: 'Support' });
		const workflow = example('teamspirit-trigger-reply');
		const colleague = ts.addUser({ name: 'Colleague' });
		const a = (await ts.postAsUser(chat.id, colleague.id, { text: 'a', format: 'plain' })).message;
		const b = (await ts.postAsUser(chat.id, colleague.id, { text: 'b', format: 'plain' })).message;
		await run(workflow, triggerItem(chat.id, a.id, 'a'));
		await run(workflow, triggerItem(chat.id, b.id, 'b'));
		const own = example('teamspirit-trigger-reply');
		own.nodes[1].parameters.options = { idempotencyKey: 'my-own-key' };
		await run(own, triggerItem(chat.id, a.id, 'a'));
		await run(own, triggerItem(chat.id, a.id, 'a'));
		expect(ts.messagesIn(chat.id).filter((m) => m.replyToId).map((m) => m.text)).toEqual([
			'Got it: a',
			'Got it: b',
			'Got it: a',
		]);
		const last = ts.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).at(-1);
		expect(last?.headers['idempotency-key']).toBe('my-own-key');
	});

	it('a second execution whose text differs is refused by TeamSpirit with a message that says why', async () => {
		const chat = ts.addChat({ title: 'Support' });
		const workflow = example('teamspirit-trigger-reply');
		const colleague = ts.addUser({ name: 'Colleague' });
		const { message } = await ts.postAsUser(chat.id, colleague.id, { text: 'x', format: 'plain' });
		const item = triggerItem(chat.id, message.id, 'first text');
		expect((await run(workflow, item)).status).toBe('success');
		const second = await run(workflow, { ...item, text: 'edited meanwhile' });
		expect(second.status).toBe('error');
		expect(second.error?.description).toMatch(/already posted a message for this event/);
		expect(ts.messagesIn(chat.id).filter((m) => m.replyToId === message.id)).toHaveLength(1);
	});
});
