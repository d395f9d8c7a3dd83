/**
 * Operator commands run exactly once, whoever sees them (centre/commands/claim.ts): the same
 * delivery again to a process that forgot everything, the same command in two processes at the
 * same moment, a retried execution, the catch-up of a later message. Two operators typing /take
 * at the same moment in two processes: exactly one gets the conversation, the other is told who
 * has it (If-Match on the chat). The rating question per channel: Telegram inline buttons,
 * Messenger quick replies, plain text on WhatsApp.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';

import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TeamSpiritTrigger } from '../../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { runWorkflow } from '../../harness';
import { graphOf } from './drivers/messenger';
import { answers, startCommands, stateOf, types } from './commands-setup';
import { processCopy, retry, type Bridge, type Customer } from './setup';

jest.setTimeout(180_000);

let bridge: Bridge;
let anna: Customer;
afterEach(async () => {
	await bridge?.stop();
});

const RESOLVING = {
	closingMessage: 'Thanks for writing to us!',
	askRating: true,
	ratingQuestion: 'How did we do?',
};

/** An operator message as TeamSpirit stores it, without a delivery (the test delivers it). */
function seeded(b: Bridge, customer: Customer, text: string, operator = b.operator) {
	const chat = b.chatOf(customer)!;
	return b.ts.addMessage(chat.id, { senderId: operator.id, text, format: 'plain' });
}

/** The TeamSpirit Trigger's item for a created message, with the chat as TeamSpirit has it now. */
function deliveryItem(b: Bridge, message: { id: string; chatId: string }): IDataObject {
	const chat = b.ts.chatSummary(message.chatId)!;
	const stored = b.ts.message(message.id)!;
	return {
		event: 'message.created',
		chatId: message.chatId,
		messageId: message.id,
		chat,
		message: { ...stored, chat } as unknown as IDataObject,
	};
}

/** Send to Customer in one more n8n process (a fresh copy of the package's modules). */
async function inProcess(b: Bridge, node: INodeType, item: IDataObject) {
	const run = await runWorkflow({
		workflow: b.workflow,
		nodeTypes: {
			'n8n-nodes-teamspirit.chatChannelTrigger': new ChatChannelTrigger(),
			'n8n-nodes-teamspirit.chatChannel': node,
			'n8n-nodes-teamspirit.teamSpiritTrigger': new TeamSpiritTrigger(),
		},
		credentialTypes: b.credentialTypes,
		credentials: b.credentials,
		startNode: 'Send to Customer',
		startItems: [{ json: item }],
		mode: 'webhook',
	});
	expect(run.status).toBe('success');
	return run.nodeOutput('Send to Customer')[0].json;
}

describe('Operator commands run once', () => {
	it('the same /resolve delivered again to a process that forgot everything, and retried: run once', async () => {
		({ bridge } = await startCommands('telegram', RESOLVING));
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const from = bridge.ts.requests.length;
		const resolve = await types(bridge, anna, '/resolve done');
		const version = bridge.ts.chat(bridge.chatOf(anna)!.id)!.version;
		const [delivery] = bridge.ts.deliveries.filter(
			(d) => d.event === 'message.created' && d.body.includes(resolve.id),
		);

		bridge.forgetProcessMemory();
		await bridge.ts.redeliver(delivery);
		await bridge.settle();
		bridge.forgetProcessMemory();
		await bridge.ts.deliver('message.created', { ...resolve });
		await bridge.settle();
		const [first] = bridge.started().operator;
		await retry(bridge, first, 'Operator writes');
		// a later message's catch-up reads the command among the chat's newest: not run again
		await types(bridge, anna, 'One more thing');

		expect(bridge.received(anna).map((r) => r.text)).toEqual([
			'Thanks for writing to us!',
			'How did we do?',
			'One more thing',
		]);
		expect(answers(bridge, anna)).toEqual([
			'✅ Resolved by Olga Operator: done. Sent to the customer: the closing message and the rating question',
		]);
		// the state was written once (the version the later message's response time moved it from)
		expect(
			bridge.ts.requests
				.slice(from)
				.filter((r) => r.method === 'PATCH' && /\/chats\/c_[^/]+$/.test(r.path) && r.status === 200),
		).toHaveLength(
			// the resolution, that its closing was sent, then the response time of "One more thing"
			3,
		);
		expect(version).toBeGreaterThan(1);
		const actions = bridge
			.started()
			.operator.map((c) => c.run!.nodeOutput('Send to Customer')[0].json.action);
		expect(actions.filter((a) => a === 'command')).toHaveLength(1);
	});

	it('the same /resolve in two processes at the same moment: one runs it, once', async () => {
		({ bridge } = await startCommands('telegram', RESOLVING));
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const resolve = seeded(bridge, anna, '/resolve');
		const item = deliveryItem(bridge, resolve);

		const outputs = await Promise.all([
			inProcess(bridge, processCopy(), item),
			inProcess(bridge, processCopy(), item),
		]);

		expect(outputs.map((o) => o.action).sort()).toEqual(['command', 'skipped']);
		expect(bridge.received(anna).map((r) => r.text)).toEqual([
			'Thanks for writing to us!',
			'How did we do?',
		]);
		expect(answers(bridge, anna)).toHaveLength(1);
		expect(stateOf(bridge, anna).status).toBe('resolved');
	});

	it('two operators type /take at the same moment in two processes: exactly one gets it, the other is told who', async () => {
		({ bridge } = await startCommands());
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const [olga, oskar] = bridge.operators;
		const fromOlga = deliveryItem(bridge, seeded(bridge, anna, '/take', olga));
		const fromOskar = deliveryItem(bridge, seeded(bridge, anna, '/take', oskar));
		const from = bridge.ts.requests.length;

		await Promise.all([
			inProcess(bridge, processCopy(), fromOlga),
			inProcess(bridge, processCopy(), fromOskar),
		]);

		const assignee = stateOf(bridge, anna).assigneeId;
		expect([olga.id, oskar.id]).toContain(assignee);
		const winner = assignee === olga.id ? olga : oskar;
		expect(answers(bridge, anna).sort()).toEqual(
			[`✅ ${winner.name} took this conversation`, `⛔ Already taken by ${winner.name}`].sort(),
		);
		// both wrote at the version the delivery showed: the second was told it was stale (412)
		const patches = bridge.ts.requests.slice(from).filter(
			(r) => r.method === 'PATCH' && /\/chats\/c_[^/]+$/.test(r.path),
		);
		expect(patches.map((r) => r.status).sort()).toEqual([200, 412]);
		expect(bridge.received(anna)).toEqual([]);
	});
});

describe('The rating question per channel', () => {
	it('Messenger: quick replies 1–5', async () => {
		({ bridge } = await startCommands('messenger', RESOLVING));
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		await types(bridge, anna, '/resolve');

		const sent = graphOf(bridge).messagesTo(anna.part);
		expect(sent.map((m) => m.text)).toEqual(['Thanks for writing to us!', 'How did we do?']);
		expect(sent[1].quickReplies?.map((q) => [q.title, q.payload])).toEqual(
			[1, 2, 3, 4, 5].map((n) => [String(n), `rate:${n}`]),
		);
	});

	it('WhatsApp: the question in plain text with how to answer', async () => {
		({ bridge } = await startCommands('whatsapp', RESOLVING));
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		await types(bridge, anna, '/resolve');

		expect(bridge.received(anna).map((r) => r.text)).toEqual([
			'Thanks for writing to us!',
			'How did we do?\nReply with a number from 1 to 5.',
		]);
		expect(stateOf(bridge, anna)).toMatchObject({
			status: 'resolved',
			ratingAskedAt: expect.any(String),
		});
	});

	it('WhatsApp: a question that already says how to answer (names 1 and 5) is sent as written', async () => {
		const question = 'How did we do? Answer with a number from 1 (poor) to 5 (excellent).';
		({ bridge } = await startCommands('whatsapp', { ...RESOLVING, ratingQuestion: question }));
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		await types(bridge, anna, '/resolve');

		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Thanks for writing to us!', question]);
	});
});
