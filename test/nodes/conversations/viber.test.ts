/**
 * Customer conversations on Viber as Viber behaves (the conversation example, through the engine):
 * a message Viber accepted and could not deliver comes back as a `failed` callback to the
 * example's trigger and becomes one notice under the operator's message; a customer who
 * unsubscribed cannot be written to (the notice says so and what helps); opening the chat or
 * subscribing (`conversation_started`, `subscribed`) opens no conversation, the first text does.
 */
import { viberOf } from './drivers/viber';
import { startBridge, type Bridge } from './setup';

jest.setTimeout(120_000);

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

const notices = (b: Bridge, customer: Parameters<Bridge['messagesOf']>[0]) =>
	b.messagesOf(customer).filter((m) => m.senderId === b.ts.bot.id && m.text.startsWith('⚠️'));

describe('Customer conversations (viber): what Viber refuses, and what opens a conversation', () => {
	it('a message Viber accepted and then could not deliver (failed callback): one notice under the operator’s message', async () => {
		bridge = await startBridge('viber');
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const answer = await bridge.operatorPosts(anna, { text: 'Hello Anna' });
		await bridge.settle();
		const vb = viberOf(bridge);
		const [sent] = vb.messagesTo(anna.part);
		const failed = vb.failedEvent(sent.token, anna.part, 'receiverNoSuitableDevice');
		await vb.deliver(bridge.customerHook.url, failed);
		await vb.deliver(bridge.customerHook.url, failed); // Viber's redelivery: still one notice
		await bridge.settle();
		const [notice] = notices(bridge, anna);
		expect(notices(bridge, anna)).toHaveLength(1);
		expect(notice.text).toBe('⚠️ Not delivered to the customer (failed, receiverNoSuitableDevice).');
		expect(notice.replyToId).toBe(answer.id);
	});

	it('a customer who unsubscribed: the notice names Viber’s rule; once they write again, the next answer reaches them', async () => {
		bridge = await startBridge('viber');
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const vb = viberOf(bridge);
		await vb.deliver(bridge.customerHook.url, vb.unsubscribedEvent(anna.part));
		await bridge.operatorPosts(anna, { text: 'Are you still there?' });
		await bridge.settle();
		expect(notices(bridge, anna).map((m) => m.text)).toEqual([
			expect.stringMatching(/^⚠️ Not delivered to the customer: Viber send message: receiverNotSubscribed \(status 6\).*once they write again/),
		]);
		expect(bridge.started().operator.map((c) => c.run?.status)).toEqual(['success']);
		await bridge.write(anna, 'Yes, sorry');
		await bridge.operatorPosts(anna, { text: 'Your parcel ships today' });
		await bridge.settle();
		expect(vb.messagesTo(anna.part).map((m) => m.text)).toEqual(['Your parcel ships today']);
	});

	it('opening the chat and subscribing open no conversation (also when the trigger takes them); the first text does', async () => {
		// the example's trigger with Conversation Started and Subscribed selected: Forward to TeamSpirit gets them
		const parameters = { channel: 'viber', viberEvents: ['message', 'failed', 'conversation_started', 'subscribed'], viberOptions: { download: true, replaceWebhook: true } };
		bridge = await startBridge('viber', { nodeSettings: { 'Customer writes': { parameters } } });
		const vb = viberOf(bridge);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await vb.deliver(bridge.customerHook.url, vb.conversationStartedEvent(anna.part));
		await vb.deliver(bridge.customerHook.url, vb.subscribedEvent(anna.part));
		await bridge.settle();
		const runs = bridge.started().customer;
		expect(runs.map((c) => [c.workflowData![0][0].json.event, c.run?.status])).toEqual([
			['other', 'success'],
			['other', 'success'],
		]);
		expect(bridge.chatOf(anna)).toBeUndefined();
		await bridge.write(anna, 'Hello');
		expect(bridge.chatOf(anna)?.title).toBe('Viber · Anna Petrova');
	});
});
