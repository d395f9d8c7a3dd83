/**
 * The delivery side of the emulator against the contract ("Outgoing webhook deliveries"),
 * checked with a plain HTTP receiver and independent HMAC code.
 */
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { TeamSpiritEmulator, WEBHOOK_EVENTS } from '../../emulators/teamspirit';
import { teamSpiritSignature } from '../../helpers/signing';

interface Received {
	path: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

let emulator: TeamSpiritEmulator;
let receiver: http.Server;
let received: Received[];
let answer: (r: Received) => number;
let base: string;

beforeEach(async () => {
	emulator = await TeamSpiritEmulator.start();
	received = [];
	answer = () => 200;
	receiver = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const r = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
			received.push(r);
			const status = answer(r);
			if (status === 0) return; // never answer
			res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	receiver.listen(0, '127.0.0.1');
	await once(receiver, 'listening');
	base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterEach(async () => {
	await emulator.stop();
	receiver.closeAllConnections();
	await new Promise((r) => receiver.close(r));
});

async function register(path: string, events: string[], chatIds: string[] = []) {
	const res = await fetch(`${emulator.url}/api/v1/webhooks`, {
		method: 'POST',
		headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ url: `${base}${path}`, events, chatIds }),
	});
	return (await res.json()) as { id: string; secret: string; error?: { message: string } };
}

const sign = teamSpiritSignature;

describe('TeamSpirit emulator: outgoing webhook deliveries', () => {
	it('knows the eight events of the contract and refuses the old names', async () => {
		expect([...WEBHOOK_EVENTS]).toEqual([
			'message.created',
			'message.updated',
			'message.deleted',
			'chat.member_joined',
			'chat.member_left',
			'chat.updated',
			'chat.typing',
			'user.status_changed',
		]);
		expect((await register('/x', ['chat.member_added'])).error?.message).toBe('Unknown event(s): chat.member_added');
	});

	it('POSTs the event signed as the contract says, with the delivery headers', async () => {
		const { secret } = await register('/hook', ['message.created']);
		const chat = emulator.addChat({ title: 'Ops' });
		const message = emulator.addMessage(chat.id, { text: 'Grüße' });
		const [attempt] = await emulator.deliver('message.created', message);

		expect(received).toHaveLength(1);
		const [r] = received;
		expect(r.path).toBe('/hook');
		expect(r.headers).toMatchObject({
			'content-type': 'application/json',
			'user-agent': 'TeamSpirit-Webhooks/1',
			'x-teamspirit-event': 'message.created',
			'x-teamspirit-delivery': expect.stringMatching(/^dlv_[0-9a-f]{12}$/),
			'x-teamspirit-timestamp': expect.stringMatching(/^\d{10}$/),
		});
		expect(Math.abs(Number(r.headers['x-teamspirit-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
		expect(r.headers['x-teamspirit-signature']).toBe(sign(secret, String(r.headers['x-teamspirit-timestamp']), r.body));
		const data = { ...message, chat: { id: chat.id, title: 'Ops', externalKey: null, metadata: {}, version: 1 } };
		expect(JSON.parse(r.body)).toEqual({ id: expect.stringMatching(/^evt_/), event: 'message.created', createdAt: expect.any(String), data });
		expect(attempt).toMatchObject({ status: 200, responseBody: '{"ok":true}', retry: false, body: r.body });
	});

	it('sends to the webhooks subscribed to the event and covering the chat; status changes to all subscribed', async () => {
		const alice = emulator.addUser({ name: 'Alice' });
		const ops = emulator.addChat({ title: 'Ops', memberIds: [alice.id] });
		const dev = emulator.addChat({ title: 'Dev' });
		const foreign = emulator.addChat({ title: 'Foreign', includeBot: false });
		await register('/all', ['message.created', 'user.status_changed']);
		await register('/ops', ['message.created', 'user.status_changed'], [ops.id]);
		await register('/joins', ['chat.member_joined']);

		await emulator.deliver('message.created', emulator.addMessage(ops.id, { text: 'a' }));
		await emulator.deliver('message.created', emulator.addMessage(dev.id, { text: 'b' }));
		await emulator.deliver('message.created', { id: 'm_f', chatId: foreign.id, text: 'c' });
		await emulator.deliver('user.status_changed', { userId: alice.id, status: 'away', text: null, until: null });
		await emulator.deliver('chat.member_joined', emulator.membership(ops.id, alice.id));
		// (one event goes to its webhooks in parallel: compare without order)
		expect(received.map((r) => `${r.path} ${JSON.parse(r.body).data.text ?? JSON.parse(r.body).event}`).sort()).toEqual(
			['/all a', '/ops a', '/all b', '/all user.status_changed', '/ops user.status_changed', '/joins chat.member_joined'].sort(),
		);
	});

	it('resends a delivery with the same id and body, and a fresh timestamp and signature', async () => {
		const { secret } = await register('/hook', ['message.deleted']);
		const chat = emulator.addChat();
		// the first attempt, sent 10 s ago
		const [first] = await emulator.deliver('message.deleted', emulator.addMessage(chat.id), { ageSeconds: 10 });
		const retry = await emulator.redeliver(first);
		expect(retry).toMatchObject({ deliveryId: first.deliveryId, eventId: first.eventId, body: first.body, retry: true });
		expect(retry.timestamp).toBeGreaterThan(first.timestamp);
		expect(received[1].headers['x-teamspirit-signature']).toBe(sign(secret, String(retry.timestamp), first.body));
		expect(emulator.deliveries).toEqual([first, retry]);
	});

	it('forges, omits, ages and breaks deliveries on request', async () => {
		const { secret } = await register('/hook', ['message.created']);
		const chat = emulator.addChat();
		const message = emulator.addMessage(chat.id);
		await emulator.deliver('message.created', message, { signature: 'wrong-secret' });
		await emulator.deliver('message.created', message, { signature: 'omit' });
		await emulator.deliver('message.created', message, { ageSeconds: 600 });
		await emulator.deliver('message.created', message, { malformed: 'missing-event' });
		await emulator.deliver('message.created', message, { malformed: 'truncated-json' });
		const [forged, omitted, aged, noEvent, truncated] = received;
		const ts = (r: Received) => String(r.headers['x-teamspirit-timestamp']);
		expect(forged.headers['x-teamspirit-signature']).not.toBe(sign(secret, ts(forged), forged.body));
		expect(omitted.headers['x-teamspirit-signature']).toBeUndefined();
		expect(Date.now() / 1000 - Number(ts(aged))).toBeGreaterThanOrEqual(599);
		expect(aged.headers['x-teamspirit-signature']).toBe(sign(secret, ts(aged), aged.body));
		expect(JSON.parse(noEvent.body)).not.toHaveProperty('event');
		expect(noEvent.headers['x-teamspirit-signature']).toBe(sign(secret, ts(noEvent), noEvent.body));
		expect(() => JSON.parse(truncated.body)).toThrow();
	});

	it('records a receiver that does not answer within the time limit as a failed attempt', async () => {
		await register('/slow', ['message.created']);
		answer = () => 0;
		const [attempt] = await emulator.deliver('message.created', emulator.addMessage(emulator.addChat().id), { timeoutMs: 300 });
		expect(attempt).toMatchObject({ status: 0, error: 'timeout' });
	});

	it('with autoDeliver, reports what happens through the API', async () => {
		emulator.autoDeliver = true;
		await register('/hook', ['message.created', 'message.updated', 'chat.member_left', 'user.status_changed']);
		const bob = emulator.addUser({ name: 'Bob' });
		const chat = emulator.addChat({ memberIds: [bob.id] });
		const api = (method: string, path: string, body?: object) =>
			fetch(`${emulator.url}/api/v1${path}`, {
				method,
				headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
				body: body && JSON.stringify(body),
			}).then(async (r) => (r.status === 204 ? { id: '' } : ((await r.json()) as { id: string })));
		const sent = await api('POST', `/chats/${chat.id}/messages`, { text: 'hello' });
		await api('PATCH', `/chats/${chat.id}/messages/${sent.id}`, { text: 'hello!' });
		await api('DELETE', `/chats/${chat.id}/members/${bob.id}`);
		await api('PUT', '/me/status', { status: 'busy' });
		await emulator.settled();
		expect(received.map((r) => JSON.parse(r.body).event).sort()).toEqual(
			['chat.member_left', 'message.created', 'message.updated', 'user.status_changed'].sort(),
		);
		const left = received.find((r) => JSON.parse(r.body).event === 'chat.member_left')!;
		expect(JSON.parse(left.body).data).toEqual({ chatId: chat.id, userId: bob.id, user: expect.objectContaining({ name: 'Bob' }), actorId: emulator.bot.id });
	});
});
