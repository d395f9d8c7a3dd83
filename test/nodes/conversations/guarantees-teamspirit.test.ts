/**
 * Delivery guarantees of customer conversations (issue 12), customer → TeamSpirit, through the
 * examples and the engine: TeamSpirit answering 503, then refusing connections, then answering
 * slowly while the customer writes: every message ends up in TeamSpirit once, in the order sent.
 * A lost answer after TeamSpirit took the message, n8n's Retry On Fail and a retried execution
 * never make a second copy. Outages last seconds here, not minutes: the behaviour is the same.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { CHANNELS, retry, shown, startBridge, type Bridge } from './setup';

jest.setTimeout(180_000);

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

const POST_MESSAGE = /^\/api\/v1\/chats\/[^/]+\/messages$/;

describe.each(CHANNELS)('Conversation guarantees, customer → TeamSpirit (%s)', (channel) => {
	it('TeamSpirit answering 503, then refusing connections, then answering slowly: 5 messages sent meanwhile are in TeamSpirit afterwards, once each, in the order sent', async () => {
		bridge = await startBridge(channel, { faultProxies: true });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		const { ts, tsProxy } = bridge;

		// 503 for every request: the chat cannot even be looked up
		ts.failNext({ status: 503, count: 1_000_000 });
		await bridge.writeNow(anna, 'one');
		await sleep(300);
		await bridge.writeNow(anna, 'two');
		await sleep(1500);
		expect(bridge.chatOf(anna)).toBeUndefined();

		// connections refused
		ts.clearFaults();
		await tsProxy!.refuse();
		await bridge.writeNow(anna, 'three');
		await sleep(300);
		await bridge.writeNow(anna, 'four');
		await sleep(1500);
		expect(bridge.chatOf(anna)).toBeUndefined();

		// back, but slow
		tsProxy!.delayMs = 300;
		await tsProxy!.accept();
		await bridge.writeNow(anna, 'five');
		await bridge.settle();

		const messages = bridge.messagesOf(anna);
		expect(messages.map((m) => shown(m.text))).toEqual(['one', 'two', 'three', 'four', 'five']);
		expect(new Set(messages.map((m) => m.externalKey)).size).toBe(5);
		expect([...ts.chats.values()].filter((c) => c.externalKey === bridge.keyOf(anna))).toHaveLength(
			1,
		);
		// the outage happened, and every execution succeeded after it
		expect(ts.requests.filter((r) => r.injected && r.status === 503).length).toBeGreaterThan(0);
		const runs = bridge.started().customer;
		expect(runs).toHaveLength(5);
		expect(runs.map((c) => c.run?.status)).toEqual(Array(5).fill('success'));
	});

	it('past "Wait Through Outages" the execution fails; retried after TeamSpirit is back, it posts the message once', async () => {
		bridge = await startBridge(channel, { forwardOptions: { waitMinutes: 0 } });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		bridge.ts.failNext({ status: 503, count: 1_000_000 });
		await bridge.write(anna, 'Are you there?');
		const [call] = bridge.started().customer;
		expect(call.run?.status).toBe('error');
		expect(bridge.chatOf(anna)).toBeUndefined();

		bridge.ts.clearFaults();
		const retried = await retry(bridge, call, 'Customer writes');
		expect(retried.status).toBe('success');
		const again = await retry(bridge, call, 'Customer writes');
		expect(again.nodeOutput('Forward to TeamSpirit')[0].json).toMatchObject({ action: 'exists' });
		expect(bridge.messagesOf(anna).map((m) => shown(m.text))).toEqual(['Are you there?']);
	});

	it('a lost answer after TeamSpirit took the message (an error answer, a dropped connection): one TeamSpirit message each', async () => {
		bridge = await startBridge(channel, { faultProxies: true });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');

		// TeamSpirit posts the message, then answers 503 (three times)
		bridge.ts.failNext({
			method: 'POST',
			path: POST_MESSAGE,
			status: 503,
			afterAccepting: true,
			count: 3,
		});
		await bridge.write(anna, 'first lost answer');
		// TeamSpirit posts it and answers, but the answer never arrives
		bridge.tsProxy!.rule({
			match: (r) => r.method === 'POST' && POST_MESSAGE.test(r.path),
			action: 'dropAfterForward',
			count: 1,
		});
		await bridge.write(anna, 'second lost answer');

		expect(bridge.messagesOf(anna).map((m) => shown(m.text))).toEqual([
			'Hello',
			'first lost answer',
			'second lost answer',
		]);
		expect(bridge.ts.requests.filter((r) => r.injected).length).toBeGreaterThan(0);
		expect(bridge.tsProxy!.seen.filter((r) => r.outcome === 'dropped')).toHaveLength(1);
		expect(bridge.started().customer.map((c) => c.run?.status)).toEqual([
			'success',
			'success',
			'success',
		]);
	});

	it("n8n's Retry On Fail after TeamSpirit took the message: one TeamSpirit message", async () => {
		bridge = await startBridge(channel, {
			forwardOptions: { waitMinutes: 0 },
			nodeSettings: {
				'Forward to TeamSpirit': { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 },
			},
		});
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		// the first try's post is taken, and every answer to it says 503: the first try fails
		bridge.ts.failNext({
			method: 'POST',
			path: POST_MESSAGE,
			status: 503,
			afterAccepting: true,
			count: 5,
		});
		await bridge.write(anna, 'taken, then the node failed');
		bridge.ts.clearFaults();

		const runs = bridge.started().customer;
		expect(runs.map((c) => c.run?.status)).toEqual(['success', 'success']);
		expect(runs[1].run!.nodeOutput('Forward to TeamSpirit')[0].json).toMatchObject({
			action: 'exists',
		});
		expect(bridge.messagesOf(anna).map((m) => shown(m.text))).toEqual([
			'Hello',
			'taken, then the node failed',
		]);
	});
});
