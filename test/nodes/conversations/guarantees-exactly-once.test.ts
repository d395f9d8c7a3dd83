/**
 * Exactly-once delivery of operator messages (issue 12), through the examples and the engine:
 * the same delivery handled twice (TeamSpirit re-sends it to a process that forgot everything),
 * n8n's Retry On Fail after the channel took the message, a retried execution: the customer never
 * gets a second copy. A message marked `pending:` by another process (or one that stopped) is
 * not sent again: a notice says it may or may not have arrived.
 */
import { CHANNELS, retry, startBridge, type Bridge, type Customer } from './setup';

jest.setTimeout(120_000);

let bridge: Bridge;
let anna: Customer;
afterEach(async () => {
	await bridge?.stop();
});

/** TeamSpirit's PATCH that records what an operator message became at the customer. */
const isDeliveredKeyPatch = (r: { method: string; path: string; body: string }) =>
	r.method === 'PATCH' && /\/messages\/[^/]+$/.test(r.path) && r.body.includes('#');

const notices = (b: Bridge, customer: Customer) =>
	b.messagesOf(customer).filter((m) => m.senderId === b.ts.bot.id && m.text.startsWith('⚠️'));

describe.each(CHANNELS)('Conversation exactly-once, operator → customer (%s)', (channel) => {
	it('the same delivery handled again by a process that forgot everything: no second copy', async () => {
		bridge = await startBridge(channel);
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const posted = await bridge.operatorPosts(anna, { text: 'Hello Anna' });
		const [delivery] = bridge.ts.deliveries.filter(
			(d) => d.event === 'message.created' && d.body.includes(posted.id),
		);

		// TeamSpirit re-sends the delivery (its answer was lost) to a process that forgot everything
		bridge.forgetProcessMemory();
		await bridge.ts.redeliver(delivery);
		await bridge.settle();
		// and the same event comes once more as a delivery of its own (the trigger cannot tell)
		bridge.forgetProcessMemory();
		await bridge.ts.deliver('message.created', { ...posted });
		await bridge.settle();

		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Hello Anna']);
		const runs = bridge.started().operator;
		const actions = runs.map((c) => c.run!.nodeOutput('Send to Customer')[0].json.action);
		expect(actions[0]).toBe('sent');
		expect(actions.length).toBeGreaterThanOrEqual(2);
		expect(actions.slice(1)).toEqual(Array(actions.length - 1).fill('skipped'));
		expect(notices(bridge, anna)).toEqual([]);
	});

	it("n8n's Retry On Fail after the channel took the message (recording it failed): no second copy", async () => {
		bridge = await startBridge(channel, {
			faultProxies: true,
			toCustomerOptions: { waitMinutes: 0 },
			nodeSettings: { 'Send to Customer': { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 } },
		});
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		// the first try sends, then TeamSpirit refuses to record the mapping: the try fails
		bridge.tsProxy!.rule({
			match: isDeliveredKeyPatch,
			action: { status: 422, json: { error: { code: 'validation_error', message: 'injected' } } },
			count: 1,
		});
		const posted = await bridge.operatorPosts(anna, { text: 'Hello Anna' });

		expect(bridge.tsProxy!.seen.filter((r) => r.outcome === 422)).toHaveLength(1);
		const [run] = bridge.started().operator;
		expect(run.run?.status).toBe('success');
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Hello Anna']);
		expect(bridge.ts.message(posted.id)!.externalKey).toBe(
			`${bridge.keyOf(anna)}#${bridge.received(anna)[0].id}`,
		);
	});

	it('a failed execution retried, and a successful one retried: no second copy', async () => {
		bridge = await startBridge(channel, {
			faultProxies: true,
			toCustomerOptions: { waitMinutes: 0 },
		});
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		bridge.tsProxy!.rule({
			match: isDeliveredKeyPatch,
			action: { status: 422, json: { error: { code: 'validation_error', message: 'injected' } } },
			count: 1,
		});
		const posted = await bridge.operatorPosts(anna, { text: 'Hello Anna' });
		const [failed] = bridge.started().operator;
		expect(failed.run?.status).toBe('error');
		expect(bridge.received(anna)).toHaveLength(1);

		const retried = await retry(bridge, failed, 'Operator writes');
		expect(retried.status).toBe('success');
		const again = await retry(bridge, failed, 'Operator writes');
		expect(again.nodeOutput('Send to Customer')[0].json).toMatchObject({ action: 'skipped' });

		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Hello Anna']);
		expect(bridge.ts.message(posted.id)!.externalKey).toBe(
			`${bridge.keyOf(anna)}#${bridge.received(anna)[0].id}`,
		);
	});

	it('a message another process marked pending (it may have sent it): not sent, a notice says so', async () => {
		bridge = await startBridge(channel);
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const chat = bridge.chatOf(anna)!;
		const message = bridge.ts.addMessage(chat.id, {
			senderId: bridge.operator.id,
			text: 'Claimed elsewhere',
			format: 'plain',
		});
		bridge.ts.message(message.id)!.externalKey = `pending:${message.id}`;

		bridge.forgetProcessMemory();
		await bridge.ts.deliver('message.created', { ...message });
		await bridge.settle();

		expect(bridge.received(anna)).toEqual([]);
		const [notice, ...more] = notices(bridge, anna);
		expect(more).toEqual([]);
		expect(notice.text).toMatch(/may or may not have reached the customer/);
		expect(bridge.started().operator[0].run!.nodeOutput('Send to Customer')[0].json).toMatchObject({
			action: 'notice',
		});
		expect(bridge.ts.message(message.id)!.externalKey).toBe(`pending:${message.id}`);
	});
});
