/**
 * Customer conversations (docs/conversations.md), the examples through the real engine: one
 * TeamSpirit chat per customer, created on the first message, found again by its key: for the
 * second message, for two first messages at the same moment, for a redelivered or retried
 * message, and after an n8n restart (the mapping lives in TeamSpirit, not in n8n).
 */
import { CHANNELS, retry, shown, startBridge, type Bridge } from './setup';

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

describe.each(CHANNELS)('Customer conversations (%s)', (channel) => {
	beforeEach(async () => {
		bridge = await startBridge(channel);
	});

	it('the first message creates the customer’s chat (title, key, metadata, operators); the next one goes to it; two customers, two chats', async () => {
		const anna = bridge.newCustomer('Anna', 'Petrova');
		const first = await bridge.write(anna, 'Hello, my parcel did not arrive');
		const chat = bridge.chatOf(anna);
		expect(chat).toBeDefined();
		expect(chat).toMatchObject({
			title: `${bridge.title} · Anna Petrova`,
			type: 'group',
			externalKey: bridge.keyOf(anna),
			metadata: {
				channel,
				account: bridge.driver.account,
				conversationId: anna.conversationId,
				customer: { name: 'Anna Petrova' },
			},
		});
		expect(new Set(chat!.memberIds)).toEqual(
			new Set([bridge.ts.bot.id, ...bridge.operators.map((o) => o.id)]),
		);

		const second = await bridge.write(anna, 'Order 4711');
		const boris = bridge.newCustomer('Boris', 'Ivanov');
		await bridge.write(boris, 'Hi, Boris here');

		expect(bridge.messagesOf(anna).map((m) => [m.senderId, shown(m.text), m.externalKey])).toEqual([
			[bridge.ts.bot.id, 'Hello, my parcel did not arrive', `${bridge.keyOf(anna)}#${first.id}`],
			[bridge.ts.bot.id, 'Order 4711', `${bridge.keyOf(anna)}#${second.id}`],
		]);
		expect(bridge.chatOf(boris)).toMatchObject({
			title: `${bridge.title} · Boris Ivanov`,
			externalKey: bridge.keyOf(boris),
		});
		expect(bridge.chatOf(boris)!.id).not.toBe(chat!.id);
		expect(bridge.messagesOf(boris).map((m) => shown(m.text))).toEqual(['Hi, Boris here']);
		// exactly these two chats were created
		expect(
			bridge.ts.requests.filter(
				(r) => r.method === 'POST' && r.path === '/api/v1/chats' && r.status === 201,
			),
		).toHaveLength(2);

		// every execution succeeded, and the bot's own posts started nothing on the way back
		const { customer, operator } = bridge.started();
		expect(customer.map((c) => c.run?.status)).toEqual(['success', 'success', 'success']);
		expect(operator).toEqual([]);
		expect(bridge.received(anna)).toEqual([]);
		expect(bridge.received(boris)).toEqual([]);
	});

	it('two first messages of one customer at the same moment (two executions) end in one chat holding both', async () => {
		await bridge.stop();
		// Two executions in one n8n process run one after the other (the bridge keeps a conversation's
		// order): the second posts into the chat the first one created (this process found it under
		// the key: conversations/caches.ts). In two processes they reach TeamSpirit together, and the
		// second creation is answered 409 with the chat (race.test.ts).
		bridge = await startBridge(channel);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.writeTogether(anna, ['Hello?', 'Is anybody there?']);

		const chats = [...bridge.ts.chats.values()].filter((c) => c.externalKey === bridge.keyOf(anna));
		expect(chats).toHaveLength(1);
		expect(
			bridge
				.messagesOf(anna)
				.map((m) => shown(m.text))
				.sort(),
		).toEqual(['Hello?', 'Is anybody there?']);
		const runs = bridge.started().customer;
		expect(runs.map((c) => c.run?.status)).toEqual(['success', 'success']);
		// created once, by the first; the second found it under the key
		const creations = bridge.ts.requests.filter(
			(r) => r.method === 'POST' && r.path === '/api/v1/chats',
		);
		expect(creations.map((r) => r.status)).toEqual([201]);
	});

	it('a redelivered message (a second n8n process) and a retried execution post nothing twice', async () => {
		const anna = bridge.newCustomer('Anna', 'Petrova');
		const sent = await bridge.write(anna, 'Where is my order?');
		const [call] = bridge.started().customer;

		// the channel delivers it again to an n8n process that has not seen it
		bridge.forgetProcessMemory();
		await sent.again();
		await bridge.settle();
		// n8n retries the first execution
		const retried = await retry(bridge, call, 'Customer writes');

		expect(retried.status).toBe('success');
		expect(retried.nodeOutput('Forward to TeamSpirit')[0].json).toMatchObject({
			action: 'exists',
			chatCreated: false,
		});
		const runs = bridge.started().customer;
		expect(runs).toHaveLength(2);
		expect(runs.map((c) => c.run?.status)).toEqual(['success', 'success']);
		expect(bridge.messagesOf(anna).map((m) => [shown(m.text), m.externalKey])).toEqual([
			['Where is my order?', `${bridge.keyOf(anna)}#${sent.id}`],
		]);
		expect([...bridge.ts.chats.values()].filter((c) => c.externalKey)).toHaveLength(1);
	});

	it('after a restart (fresh process memory, new trigger state) the same chat is found, both ways', async () => {
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Before the restart');
		const chat = bridge.chatOf(anna)!;

		await bridge.restart();
		await bridge.operatorPosts(anna, { text: 'We are on it' });
		await bridge.write(anna, 'After the restart');

		expect(bridge.received(anna).map((r) => r.text)).toEqual(['We are on it']);
		expect([...bridge.ts.chats.values()].filter((c) => c.externalKey)).toEqual([
			expect.objectContaining({ id: chat.id }),
		]);
		expect(bridge.messagesOf(anna).map((m) => shown(m.text))).toEqual([
			'Before the restart',
			'We are on it',
			'After the restart',
		]);
	});
});
