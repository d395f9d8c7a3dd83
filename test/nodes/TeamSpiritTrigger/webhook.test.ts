/**
 * Deliveries through the trigger's webhook(), as raw HTTP requests (bytes and headers) through
 * n8n-core's real WebhookContext: signed ones from the emulator, and hand-made ones.
 */
import { createHash } from 'node:crypto';

import type { INodeParameters } from 'n8n-workflow';

import type { TeamSpiritEmulator, Webhook } from '../../emulators/teamspirit';
import type { WebhookTrigger } from '../../harness';
import { binarySha256 } from '../../harness';
import {
	deliveryBody,
	everything,
	itemsOf,
	jsonOf,
	signedHeaders,
	startedCalls,
	startSeededEmulator,
	startTrigger,
	triggerWorkflow,
} from './setup';

let emulator: TeamSpiritEmulator;
let hook: WebhookTrigger;
let webhook: Webhook;

async function activate(parameters: INodeParameters = { events: ['message.created'] }, id?: string) {
	hook = await startTrigger(emulator, triggerWorkflow(parameters, { reply: false, id }));
	await hook.activate();
	webhook = [...emulator.webhooks.values()].find((w) => w.url === hook.url)!;
}

beforeEach(async () => {
	({ emulator } = await startSeededEmulator());
});
afterEach(async () => {
	await hook?.close();
	await emulator.stop();
});

describe('TeamSpirit Trigger: verification', () => {
	beforeEach(async () => await activate());

	it('starts one execution per signed delivery, with the message flattened for mapping, and answers 200 at once', async () => {
		const { message, deliveries } = await emulator.postAsUser('c_general', 'u_alice', { text: 'Is the deploy done?' });
		expect(deliveries.map((d) => [d.status, d.responseBody])).toEqual([[200, '{"ok":true}']]);
		const general = { id: 'c_general', title: 'General', externalKey: null, metadata: {}, version: 1 };
		const [call] = startedCalls(hook);
		expect(jsonOf(call)).toEqual([
			{
				event: 'message.created',
				eventId: deliveries[0].eventId,
				deliveryId: deliveries[0].deliveryId,
				createdAt: expect.any(String),
				chatId: 'c_general',
				messageId: message.id,
				senderId: 'u_alice',
				text: 'Is the deploy done?',
				format: 'plain',
				replyToId: null,
				files: [],
				editedAt: null,
				chat: general,
				message: { ...message, chat: general },
			},
		]);
		expect(itemsOf(call)[0].binary).toBeUndefined();
	});

	it('rejects a forged signature with 401 and starts nothing', async () => {
		const { deliveries } = await emulator.postAsUser('c_general', 'u_alice', { text: 'forged' }, { signature: 'wrong-secret' });
		expect(deliveries.map((d) => d.status)).toEqual([401]);
		expect(JSON.parse(deliveries[0].responseBody)).toEqual({
			ok: false,
			error: 'X-TeamSpirit-Signature does not match the body and timestamp',
		});
		expect(startedCalls(hook)).toHaveLength(0);
	});

	it('rejects a delivery without signature, or without a usable timestamp, with 401', async () => {
		const { deliveries } = await emulator.postAsUser('c_general', 'u_alice', { text: 'unsigned' }, { signature: 'omit' });
		expect([deliveries[0].status, JSON.parse(deliveries[0].responseBody).error]).toEqual([401, 'Missing X-TeamSpirit-Signature header']);

		const body = deliveryBody('message.created', emulator.messagesIn('c_general')[0]);
		for (const timestamp of [undefined, 'yesterday', '1741944414000']) {
			const headers = signedHeaders(webhook.secret, body);
			if (timestamp === undefined) delete headers['x-teamspirit-timestamp'];
			else headers['x-teamspirit-timestamp'] = timestamp;
			const { response, started } = await hook.request({ headers, body });
			expect([response.status, (response.json as { error: string }).error, started]).toEqual([
				401,
				'Missing or invalid X-TeamSpirit-Timestamp header (unix seconds)',
				false,
			]);
		}
	});

	it('rejects a body changed after signing, even by one byte of whitespace', async () => {
		const body = deliveryBody('message.created', { id: 'm_1', chatId: 'c_general', senderId: 'u_alice', text: 'pay 10 €' });
		const headers = signedHeaders(webhook.secret, body);
		const tampered = await hook.request({ headers, body: body.replace('10', '99') });
		const reformatted = await hook.request({ headers, body: `${body} ` });
		expect([tampered.response.status, reformatted.response.status]).toEqual([401, 401]);
		// the same bytes pass (and the signature covers UTF-8 bytes, not characters)
		expect((await hook.request({ headers, body: Buffer.from(body, 'utf8') })).response.status).toBe(200);
		expect(startedCalls(hook)).toHaveLength(1);
	});

	it('rejects a delivery signed more than 5 minutes ago as a replay, and accepts one signed 4 minutes ago', async () => {
		const stale = await emulator.postAsUser('c_general', 'u_alice', { text: 'old' }, { ageSeconds: 301 });
		expect(stale.deliveries[0].status).toBe(401);
		expect(JSON.parse(stale.deliveries[0].responseBody).error).toMatch(/^X-TeamSpirit-Timestamp is 30[12] s old, more than 300 s: a replayed delivery$/);

		const late = await emulator.postAsUser('c_general', 'u_alice', { text: 'late but fine' }, { ageSeconds: 240 });
		expect(late.deliveries[0].status).toBe(200);
		expect(startedCalls(hook).map((c) => jsonOf(c)[0].text)).toEqual(['late but fine']);
	});

	it('rejects a timestamp more than 5 minutes ahead of the clock', async () => {
		const { deliveries } = await emulator.postAsUser('c_general', 'u_alice', { text: 'from the future' }, { ageSeconds: -400 });
		expect(deliveries[0].status).toBe(401);
		expect(JSON.parse(deliveries[0].responseBody).error).toMatch(/ahead of this server's clock/);
	});

	it('answers 400 for signed bodies that are not JSON, not an object, or lack event or data, and starts nothing', async () => {
		const notJson = await emulator.postAsUser('c_general', 'u_alice', {}, { rawBody: 'event=message.created', contentType: 'text/plain' });
		const array = await emulator.postAsUser('c_general', 'u_alice', {}, { malformed: 'not-an-object' });
		const noEvent = await emulator.postAsUser('c_general', 'u_alice', {}, { malformed: 'missing-event' });
		const noData = await emulator.postAsUser('c_general', 'u_alice', {}, { malformed: 'missing-data' });
		expect([notJson, array, noEvent, noData].map(({ deliveries: [d] }) => `${d.status} ${JSON.parse(d.responseBody).error}`)).toEqual([
			'400 The body is not JSON',
			'400 The body is not a JSON object',
			'400 The body has no "event"',
			'400 The body has no "data" object',
		]);
		// JSON that does not parse is refused by n8n's body parser before the node runs
		const truncated = await emulator.postAsUser('c_general', 'u_alice', {}, { malformed: 'truncated-json' });
		expect(truncated.deliveries[0].status).toBe(422);
		expect(startedCalls(hook)).toHaveLength(0);
	});

	it('checks the signature before reading the body: an unsigned malformed body is a 401', async () => {
		const { deliveries } = await emulator.postAsUser('c_general', 'u_alice', {}, { malformed: 'missing-data', signature: 'wrong-secret' });
		expect(deliveries[0].status).toBe(401);
	});

	it('never shows the webhook secret or the API key in answers, output or logs', async () => {
		await emulator.postAsUser('c_general', 'u_alice', { text: 'ok' });
		await emulator.postAsUser('c_general', 'u_alice', { text: 'forged' }, { signature: 'wrong-secret' });
		await emulator.postAsUser('c_general', 'u_alice', { text: 'stale' }, { ageSeconds: 900 });
		const seen = everything(hook);
		expect(seen).not.toContain(webhook.secret);
		expect(seen).not.toContain(webhook.secret.slice(6));
		expect(seen).not.toContain(emulator.apiKey);
	});
});

describe('TeamSpirit Trigger: repeated deliveries', () => {
	beforeEach(async () => await activate());

	it('answers a retry of a handled delivery with 200 and starts nothing', async () => {
		const { deliveries } = await emulator.postAsUser('c_general', 'u_alice', { text: 'once' });
		const retry = await emulator.redeliver(deliveries[0]);
		expect(retry.deliveryId).toBe(deliveries[0].deliveryId);
		expect(retry.timestamp).toBeGreaterThanOrEqual(deliveries[0].timestamp);
		expect([retry.status, JSON.parse(retry.responseBody)]).toEqual([
			200,
			{ ok: true, ignored: `delivery ${deliveries[0].deliveryId} was already handled` },
		]);
		expect(startedCalls(hook)).toHaveLength(1);
	});

	it('starts one execution when the same delivery arrives twice at the same moment', async () => {
		const { deliveries } = await emulator.postAsUser('c_support', 'u_alice', { text: 'racing' });
		const retries = await Promise.all([emulator.redeliver(deliveries[0]), emulator.redeliver(deliveries[0]), emulator.redeliver(deliveries[0])]);
		expect(retries.map((r) => r.status)).toEqual([200, 200, 200]);
		expect(startedCalls(hook)).toHaveLength(1);
	});

	it('catches a replay of the signed body under a new delivery id by the event id', async () => {
		const { deliveries } = await emulator.postAsUser('c_general', 'u_alice', { text: 'captured' });
		const [first] = deliveries;
		const headers = signedHeaders(webhook.secret, first.body, { deliveryId: 'dlv_made_up_by_replayer' });
		const replay = await hook.request({ headers, body: first.body });
		expect(replay.response.json).toEqual({ ok: true, ignored: 'delivery dlv_made_up_by_replayer was already handled' });
		expect(startedCalls(hook)).toHaveLength(1);
	});

	it('does not depend on static data: a retry is caught although n8n kept no trace of the first delivery there', async () => {
		const before = JSON.stringify(hook.savedStaticData());
		const { deliveries } = await emulator.postAsUser('c_general', 'u_alice', { text: 'kept nowhere' });
		expect(JSON.stringify(hook.savedStaticData())).toBe(before);
		expect((await emulator.redeliver(deliveries[0])).responseBody).toMatch(/already handled/);
		expect(startedCalls(hook)).toHaveLength(1);
	});

	it('test and production URLs of one node keep separate records: the same event reaches both once', async () => {
		await hook.close();
		emulator.webhooks.clear();
		await activate({ events: ['message.created'] }, 'wf-test-and-production');
		const test = await startTrigger(emulator, triggerWorkflow({ events: ['message.created'] }, { reply: false, id: 'wf-test-and-production' }), {
			url: 'test',
		});
		try {
			await test.activate();
			const { deliveries } = await emulator.postAsUser('c_general', 'u_alice', { text: 'to both' });
			expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
			expect(new Set(deliveries.map((d) => d.eventId)).size).toBe(1);
			expect(startedCalls(hook)).toHaveLength(1);
			expect(startedCalls(test)).toHaveLength(1);
			await test.deactivate();
		} finally {
			await test.close();
		}
	});
});

describe('TeamSpirit Trigger: filters', () => {
	it('ignores the bot’s own messages by default (no loop for a bridge that posts into TeamSpirit)', async () => {
		emulator.autoDeliver = true;
		await activate({ events: ['message.created', 'message.updated'] });
		const sent = await emulator.postAsUser('c_general', emulator.bot.id, { text: 'posted by the bot' });
		expect(JSON.parse(sent.deliveries[0].responseBody)).toEqual({ ok: true, ignored: 'the message is from the bot itself' });
		const human = await emulator.postAsUser('c_general', 'u_alice', { text: 'by a human' });
		expect(human.deliveries[0].responseBody).toBe('{"ok":true}');
		expect(startedCalls(hook).map((c) => jsonOf(c)[0].text)).toEqual(['by a human']);
		// who the bot is was asked once, then remembered
		expect(emulator.requests.filter((r) => r.path === '/api/v1/me')).toHaveLength(1);
	});

	it('passes the bot’s own messages when the option is off', async () => {
		await activate({ events: ['message.created'], options: { ignoreOwnMessages: false } });
		await emulator.postAsUser('c_general', emulator.bot.id, { text: 'echo' });
		expect(startedCalls(hook).map((c) => jsonOf(c)[0].senderId)).toEqual([emulator.bot.id]);
	});

	it('with "only messages mentioning the bot" passes @n8n-bot and skips the rest', async () => {
		await activate({ events: ['message.created'], options: { onlyMentions: true } });
		for (const text of ['@n8n-bot, status?', 'hey @N8N-BOT.', 'no mention', 'mail me@n8n-bot.corp', '@n8n-botanist']) {
			await emulator.postAsUser('c_general', 'u_alice', { text });
		}
		expect(startedCalls(hook).map((c) => jsonOf(c)[0].text)).toEqual(['@n8n-bot, status?', 'hey @N8N-BOT.']);
		expect(hook.calls.filter((c) => !c.started).map((c) => (c.response.json as { ignored: string }).ignored)).toEqual(
			Array(3).fill('the message does not mention the bot'),
		);
	});

	it('registers the chat filter with TeamSpirit and also applies it itself', async () => {
		await activate({ events: ['message.created'], chatFilter: { chats: [{ chat: { __rl: true, mode: 'list', value: 'c_support' } }] } });
		expect(webhook.chatIds).toEqual(['c_support']);
		await emulator.postAsUser('c_general', 'u_alice', { text: 'not for us' });
		expect(hook.calls).toHaveLength(0); // TeamSpirit did not send it
		// a delivery for another chat arriving anyway (e.g. an admin widened the webhook)
		const body = deliveryBody('message.created', { id: 'm_x', chatId: 'c_general', senderId: 'u_alice', text: 'x' });
		const { response, started } = await hook.request({ headers: signedHeaders(webhook.secret, body), body });
		expect([response.status, response.json, started]).toEqual([200, { ok: true, ignored: 'chat c_general is not selected' }, false]);
		await emulator.postAsUser('c_support', 'u_alice', { text: 'for us' });
		expect(startedCalls(hook).map((c) => jsonOf(c)[0].chatId)).toEqual(['c_support']);
	});

	it('ignores events that are not selected, with 200', async () => {
		await activate({ events: ['message.created'] });
		const body = deliveryBody('message.deleted', { id: 'm_x', chatId: 'c_general', senderId: 'u_alice', text: 'x' });
		const { response, started } = await hook.request({ headers: signedHeaders(webhook.secret, body, { event: 'message.deleted' }), body });
		expect([response.status, response.json, started]).toEqual([200, { ok: true, ignored: 'event message.deleted is not selected' }, false]);
	});
});

describe('TeamSpirit Trigger: events and files', () => {
	it('outputs member and status events with their objects and main fields', async () => {
		emulator.autoDeliver = true;
		await activate({ events: ['chat.member_joined', 'chat.member_left', 'user.status_changed'] });
		await emulator.deliver('chat.member_joined', emulator.membership('c_support', 'u_bob', emulator.bot.id));
		await emulator.deliver('chat.member_left', emulator.membership('c_general', 'u_alice'));
		await emulator.deliver('user.status_changed', { userId: 'u_bob', status: 'busy', text: 'In a meeting', until: null });
		const outputs = startedCalls(hook).map((c) => jsonOf(c)[0]);
		expect(outputs).toEqual([
			expect.objectContaining({ event: 'chat.member_joined', chatId: 'c_support', userId: 'u_bob', userName: 'Bob Boyd', username: 'bob', actorId: emulator.bot.id, member: expect.objectContaining({ user: expect.objectContaining({ id: 'u_bob' }) }) }),
			expect.objectContaining({ event: 'chat.member_left', chatId: 'c_general', userId: 'u_alice', actorId: null }),
			expect.objectContaining({ event: 'user.status_changed', chatId: null, userId: 'u_bob', presence: 'busy', statusText: 'In a meeting', until: null, status: { userId: 'u_bob', status: 'busy', text: 'In a meeting', until: null } }),
		]);
	});

	it('Typing: registers chat.typing with TeamSpirit and outputs who types where until when, with the chat; Customer Conversations Only filters it by the chat key', async () => {
		await activate({ events: ['chat.typing'], options: { conversationChannels: ['telegram'] } });
		expect(webhook.events).toEqual(['chat.typing']);
		const conversation = emulator.addChat({ id: 'c_anna', title: 'Anna (Telegram)', externalKey: 'telegram:1:2~x', metadata: { channel: 'telegram' }, memberIds: ['u_bob'] });
		const { until, deliveries } = await emulator.typeAsUser(conversation.id, 'u_bob');
		expect(deliveries.map((d) => [d.status, d.responseBody])).toEqual([[200, '{"ok":true}']]);
		const chat = { id: 'c_anna', title: 'Anna (Telegram)', externalKey: 'telegram:1:2~x', metadata: { channel: 'telegram' }, version: 1 };
		expect(jsonOf(startedCalls(hook)[0])).toEqual([
			{
				event: 'chat.typing',
				eventId: deliveries[0].eventId,
				deliveryId: deliveries[0].deliveryId,
				createdAt: expect.any(String),
				chatId: 'c_anna',
				userId: 'u_bob',
				userName: 'Bob Boyd',
				username: 'bob',
				until,
				chat,
				typing: { chatId: 'c_anna', userId: 'u_bob', user: expect.objectContaining({ id: 'u_bob', isBot: false }), until, chat },
			},
		]);
		const elsewhere = await emulator.typeAsUser('c_general', 'u_bob');
		expect(JSON.parse(elsewhere.deliveries[0].responseBody)).toEqual({ ok: true, ignored: 'chat c_general is not a conversation of the chosen channels' });
		expect(startedCalls(hook)).toHaveLength(1);
	});

	it('downloads attached files into binary fields file_0, file_1, … and lists files above the size cap', async () => {
		await activate({ events: ['message.created'], options: { downloadFiles: true, maxFileSizeMb: 1 } });
		const small = emulator.addFile({ name: 'notes.txt', mimeType: 'text/plain', content: 'hello' });
		const big = emulator.addFile({ name: 'big.bin', content: Buffer.alloc(1024 * 1024 + 1, 7) });
		const image = emulator.addFile({ name: 'pic.png', mimeType: 'image/png', content: Buffer.from('89504e47', 'hex') });
		await emulator.postAsUser('c_general', 'u_alice', { text: 'files', fileIds: [small.id, big.id, image.id] });
		const [item] = itemsOf(startedCalls(hook)[0]);
		expect(Object.keys(item.binary ?? {})).toEqual(['file_0', 'file_2']);
		expect(item.binary!.file_0).toMatchObject({ fileName: 'notes.txt', mimeType: 'text/plain' });
		expect(await binarySha256(item.binary!.file_0)).toBe(createHash('sha256').update('hello').digest('hex'));
		expect(item.binary!.file_2).toMatchObject({ fileName: 'pic.png', mimeType: 'image/png' });
		expect(item.json.skippedFiles).toEqual([{ id: big.id, name: 'big.bin', size: 1024 * 1024 + 1, reason: 'larger than 1 MB' }]);
		expect(emulator.requests.filter((r) => r.path.endsWith('/content')).map((r) => r.path)).toEqual([
			`/api/v1/files/${small.id}/content`,
			`/api/v1/files/${image.id}/content`,
		]);
	});

	it('answers 500 when a file cannot be downloaded, and handles TeamSpirit’s retry once it can', async () => {
		await activate({ events: ['message.created'], options: { downloadFiles: true } });
		const file = emulator.addFile({ name: 'late.txt', mimeType: 'text/plain', content: 'arrived' });
		const message = emulator.addMessage('c_general', { senderId: 'u_alice', text: 'see file', fileIds: [file.id] });
		const stored = emulator.files.get(file.id)!;
		emulator.files.delete(file.id); // not readable for now

		const [failed] = await emulator.deliver('message.created', message);
		expect(failed.status).toBe(500);
		expect(hook.calls[0].error?.message).toBe(`TeamSpirit: File '${file.id}' not found`);

		emulator.files.set(file.id, stored);
		const retry = await emulator.redeliver(failed);
		expect([retry.status, retry.responseBody]).toEqual([200, '{"ok":true}']);
		const started = hook.calls.filter((c) => c.started && !c.error);
		expect(started).toHaveLength(1);
		expect(Object.keys(itemsOf(started[0])[0].binary ?? {})).toEqual(['file_0']);
	});
});

describe('TeamSpirit Trigger: webhook created by an admin', () => {
	const withSecret = (webhookSecret: string) => ({
		credentials: { teamSpiritApi: { serverUrl: emulator.url, apiKey: emulator.apiKey, webhookSecret } },
	});

	it('verifies with the secret pasted into the credential', async () => {
		hook = await startTrigger(
			emulator,
			triggerWorkflow({ setup: 'manual', events: ['message.created'] }, { reply: false }),
			withSecret('whsec_from_admin'),
		);
		const body = deliveryBody('message.created', { id: 'm_1', chatId: 'c_general', senderId: 'u_alice', text: 'hi' });
		const good = await hook.request({ headers: signedHeaders('whsec_from_admin', body), body });
		const bad = await hook.request({ headers: signedHeaders('whsec_other', body), body });
		expect([good.response.status, bad.response.status]).toEqual([200, 401]);
		expect(startedCalls(hook)).toHaveLength(1);
		expect(everything(hook)).not.toContain('whsec_from_admin');
	});

	it('without verification accepts unsigned deliveries but still drops repeats', async () => {
		hook = await startTrigger(emulator, triggerWorkflow({ setup: 'manual', verification: 'none', events: ['message.created'] }, { reply: false }));
		const body = deliveryBody('message.created', { id: 'm_1', chatId: 'c_general', senderId: 'u_alice', text: 'hi' });
		const headers = { 'content-type': 'application/json', 'x-teamspirit-delivery': 'dlv_unsigned_1' };
		expect((await hook.request({ headers, body })).response.status).toBe(200);
		expect((await hook.request({ headers, body })).response.json).toEqual({ ok: true, ignored: 'delivery dlv_unsigned_1 was already handled' });
		expect(startedCalls(hook)).toHaveLength(1);
	});

	it('with an empty secret rejects everything instead of accepting unsigned deliveries', async () => {
		hook = await startTrigger(
			emulator,
			triggerWorkflow({ setup: 'manual', events: ['message.created'] }, { reply: false }),
			withSecret(''),
		);
		const body = deliveryBody('message.created', { id: 'm_1', chatId: 'c_general', senderId: 'u_alice', text: 'hi' });
		const { response } = await hook.request({ headers: signedHeaders('', body), body });
		expect(response.status).toBe(401);
	});
});
