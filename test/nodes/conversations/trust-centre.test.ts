/**
 * The contact centre acts only on chats the bridge signed (keys.ts): anyone with API access can
 * make a chat with any metadata (`status: pending`, `assigneeId`, `kind: queue`), and such a chat
 * is never woken, routed or announced by Process Due Conversations, never fills an operator's
 * open slots, and is never named as a queue.
 */
import type { IDataObject } from 'n8n-workflow';

import { conversationKey } from '../../../nodes/conversations/keys';
import { answers, startCommands, types } from './commands-setup';
import { type Bridge } from './setup';
import { inProcess, notices, startCentre, stateIn } from './centre-setup';

jest.setTimeout(120_000);

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

/** A chat made through the API with a conversation's metadata; `signed`: with the bridge's key. */
function chatWith(b: Bridge, part: string, metadata: IDataObject, signed = false) {
	const account = b.driver.account;
	const key = signed
		? conversationKey('telegram', account, part, b.ts.apiKey)
		: `telegram:${account}:${part}~AAAAAAAAAAAAAAAA`;
	return b.ts.addChat({
		title: `Customer ${part}`,
		externalKey: key,
		metadata: { channel: 'telegram', account, conversationId: part, ...metadata },
	});
}

describe('The contact centre trusts only chats the bridge signed', () => {
	it('Process Due Conversations neither wakes nor routes nor announces a forged chat', async () => {
		const team = { id: '' };
		bridge = await startCentre(
			(operators, ts) => {
				team.id = ts.addChat({ title: 'Team', memberIds: operators.map((o) => o.id) }).id;
				return { routing: 'manual', announceChat: { __rl: true, mode: 'id', value: team.id } };
			},
			{ online: false },
		);
		const anna = bridge.newCustomer('Anna', 'Test');
		await bridge.write(anna, 'Hi'); // publishes the queue; manual: announced at once
		const announced = bridge.ts.messagesIn(team.id).length;
		const pending = chatWith(bridge, '9001', { status: 'pending', queue: 'Support' });
		const snoozed = chatWith(bridge, '9002', {
			status: 'snoozed',
			snoozedUntil: '2020-01-01T00:00:00.000Z',
		});

		const result = await inProcess(bridge, { do: 'due' });

		expect(result).toMatchObject({ woke: [], routed: [], waiting: 0, unknownQueues: [] });
		expect(bridge.ts.chat(pending.id)!.metadata).toMatchObject({ status: 'pending' });
		expect(bridge.ts.chat(snoozed.id)!.metadata).toMatchObject({ status: 'snoozed' });
		expect(bridge.ts.messagesIn(pending.id)).toEqual([]);
		expect(bridge.ts.messagesIn(snoozed.id)).toEqual([]);
		expect(bridge.ts.messagesIn(team.id)).toHaveLength(announced);
	});

	it('Process Due Conversations still routes and wakes signed ones', async () => {
		bridge = await startCentre({ routing: 'roundRobin' });
		const anna = bridge.newCustomer('Anna', 'Test');
		await bridge.write(anna, 'Hi');
		const pending = chatWith(bridge, '9001', { status: 'pending', queue: 'Support' }, true);
		const snoozed = chatWith(
			bridge,
			'9002',
			{ status: 'snoozed', snoozedUntil: '2020-01-01T00:00:00.000Z' },
			true,
		);

		const result = await inProcess(bridge, { do: 'due' });

		expect(result).toMatchObject({ woke: [snoozed.id], routed: [pending.id] });
		expect(bridge.ts.chat(pending.id)!.metadata).toMatchObject({ status: 'open' });
		expect(stateIn(bridge, anna)).toMatchObject({ status: 'open' });
		expect(notices(bridge, anna)).toHaveLength(1);
	});

	it('a freed slot assigns no forged pending chat', async () => {
		bridge = await startCentre({ routing: 'roundRobin' });
		const anna = bridge.newCustomer('Anna', 'Test');
		await bridge.write(anna, 'Hi');
		const forged = chatWith(bridge, '9001', { status: 'pending', queue: 'Support' });

		expect(await inProcess(bridge, { do: 'freed', queue: 'Support' })).toEqual({ assigned: 0 });
		expect(bridge.ts.chat(forged.id)!.metadata).toMatchObject({ status: 'pending' });
		expect(bridge.ts.messagesIn(forged.id)).toEqual([]);
	});

	it('forged open chats fill no operator’s slots (least busy counts signed conversations only)', async () => {
		bridge = await startCentre({ routing: 'leastBusy', maxOpen: 2 });
		const [olga, oskar] = bridge.operators;
		chatWith(bridge, '9001', { status: 'open', assigneeId: olga.id });
		chatWith(bridge, '9002', { status: 'open', assigneeId: olga.id });
		chatWith(bridge, '9003', { status: 'open', assigneeId: oskar.id }, true);
		const anna = bridge.newCustomer('Anna', 'Test');
		const boris = bridge.newCustomer('Boris', 'Test');
		await bridge.write(anna, 'Hi');
		await bridge.write(boris, 'Hi');

		// Olga has no real conversation: Anna's is hers; then one each, Olga first listed
		expect(stateIn(bridge, anna).assigneeId).toBe(olga.id);
		expect(stateIn(bridge, boris).assigneeId).toBe(olga.id);
	});
});

describe('Queue names come from signed settings chats only', () => {
	it('an unknown queue’s notice lists no forged queue', async () => {
		const started = await startCommands('telegram');
		bridge = started.bridge;
		bridge.ts.addChat({
			title: 'Queue · Trap',
			externalKey: 'queue:trap~AAAAAAAAAAAAAAAA',
			metadata: { kind: 'queue', settings: { name: 'Trap' } },
		});
		const anna = bridge.newCustomer('Anna', 'Test');
		await bridge.write(anna, 'Hi');
		await types(bridge, anna, '/transfer Nowhere');
		expect(answers(bridge, anna)).toEqual([
			'❓ Unknown queue "Nowhere": nothing changed. Queues: Sales, Support',
		]);
	});
});
