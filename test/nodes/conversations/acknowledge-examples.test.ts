/**
 * The conversation examples as shipped confirm a delivery only after its execution succeeded
 * (*Acknowledge: After the Workflow Has Run* on both triggers), so that a worker that dies with a
 * customer's message in flight does not lose it: the platform sends it again. Through the engine,
 * a customer's message and an operator's answer with that setting.
 */
import { CHANNELS, example, shown, startBridge, type Bridge } from './setup';

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

describe.each(CHANNELS)('Conversation example as shipped (%s)', (channel) => {
	it('both triggers acknowledge after the run', () => {
		const triggers = example(channel).nodes.filter((n) => n.type.endsWith('Trigger'));
		expect(triggers.map((n) => [n.name, n.parameters.acknowledge])).toEqual([
			['Customer writes', 'afterRun'],
			['Operator writes', 'afterRun'],
		]);
	});

	it('with it, a customer’s message reaches TeamSpirit and the operator’s answer the customer, once each', async () => {
		bridge = await startBridge(channel, { acknowledge: 'afterRun' });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello, is my order on its way?');
		expect(bridge.messagesOf(anna).map((m) => shown(m.text))).toEqual([
			'Hello, is my order on its way?',
		]);
		await bridge.operatorPosts(anna, { text: 'Yes, it left today.' });
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Yes, it left today.']);
		const runs = bridge.started();
		expect([...runs.customer, ...runs.operator].map((c) => c.run?.status)).toEqual(
			Array(runs.customer.length + runs.operator.length).fill('success'),
		);
	});
});
