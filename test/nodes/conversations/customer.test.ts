/**
 * The contact centre's customer-side rules (centre/customer.ts, due.ts) through the conversation
 * examples with a queue, on the emulators: the greeting once, business hours (pending, the away
 * reply once per closed period, none within the quiet minutes or while snoozed, assigned when
 * the hours begin), reopen, a snooze woken by the customer or by its time, rating answers (text,
 * Telegram button, Messenger quick reply).
 */
import type { IDataObject } from 'n8n-workflow';

import { graphOf } from './drivers/messenger';
import { telegramOf } from './drivers/telegram';
import { CHANNELS, type Bridge, type Channel, type Customer } from './setup';
import { inProcess, notices, operatorSets, startCentre, stateIn } from './centre-setup';

jest.setTimeout(120_000);

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

const received = (c: Customer) => bridge.received(c).map((r) => r.text);
const today = () => new Date().toISOString().slice(0, 10);
const startOfToday = () => `${today()}T00:00:00.000Z`;
const timesOf = (c: Customer) => (stateIn(bridge, c).times ?? {}) as IDataObject;

/** Closed all day today (a holiday, UTC), open otherwise. */
const closedToday = (queue: IDataObject = {}) => ({
	routing: 'roundRobin',
	timeZone: 'UTC',
	holidays: today(),
	awayReply: "We're closed. We answer from {opening}.",
	awayQuietMinutes: 30,
	...queue,
});

describe.each(CHANNELS as unknown as Channel[])('Greeting (%s)', (channel) => {
	it('a new conversation is greeted once, through the channel, mirrored in the chat', async () => {
		bridge = await startCentre(
			{ greeting: 'Hi {customer}! Someone will be with you shortly.' },
			{ channel },
		);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		for (const text of ['Hello', 'My order is late', 'Order 123']) await bridge.write(anna, text);

		const greeting = `Hi ${anna.name}! Someone will be with you shortly.`;
		expect(received(anna)).toEqual([greeting]);
		expect(notices(bridge, anna).filter((n) => n.startsWith('🤖'))).toEqual([`🤖 ${greeting}`]);
		expect(stateIn(bridge, anna)).toMatchObject({ greeted: true, status: 'open' });
		expect(timesOf(anna)).toMatchObject({
			firstCustomerMessageAt: expect.any(String),
			lastCustomerMessageAt: expect.any(String),
		});
		expect(timesOf(anna).lastCustomerMessageAt).not.toBe(timesOf(anna).firstCustomerMessageAt);
	});
});

describe('Business hours and the away reply (telegram)', () => {
	it('outside hours: pending, one away reply per closed period, none within the quiet minutes', async () => {
		bridge = await startCentre(closedToday());
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		await bridge.write(anna, 'Anyone?');

		const away = /^We're closed\. We answer from \w{3} \d{1,2} \w{3}, 00:00\.$/;
		expect(received(anna)).toEqual([expect.stringMatching(away)]);
		expect(stateIn(bridge, anna)).toMatchObject({
			status: 'pending',
			assigneeId: null,
			awayRepliedFor: startOfToday(),
		});
		expect(notices(bridge, anna)).toEqual([expect.stringMatching(/^🤖 We're closed/)]);

		// an operator answered 10 minutes ago (quiet minutes: 30): no away reply
		const recently = new Date(Date.now() - 10 * 60_000).toISOString();
		await operatorSets(bridge, anna, {
			awayRepliedFor: null,
			times: { ...timesOf(anna), lastOperatorMessageAt: recently },
		});
		await bridge.write(anna, 'Thanks!');
		expect(received(anna)).toHaveLength(1);

		// another closed period, the operator's answer long ago: one more away reply
		const longAgo = new Date(Date.now() - 2 * 3600_000).toISOString();
		await operatorSets(bridge, anna, {
			awayRepliedFor: '2026-01-01T00:00:00.000Z',
			times: { ...timesOf(anna), lastOperatorMessageAt: longAgo },
		});
		await bridge.write(anna, 'Hello again');
		await bridge.write(anna, 'Still there?');
		expect(received(anna)).toEqual([expect.stringMatching(away), expect.stringMatching(away)]);
	});

	it('no away reply while snoozed (the message wakes the conversation)', async () => {
		bridge = await startCentre(closedToday());
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
		await operatorSets(bridge, anna, {
			status: 'snoozed',
			snoozedUntil: tomorrow,
			awayRepliedFor: '2026-01-01T00:00:00.000Z',
		});
		await bridge.write(anna, 'Any news?');

		expect(received(anna)).toHaveLength(1); // the first away reply only
		expect(stateIn(bridge, anna)).toMatchObject({ status: 'open', snoozedUntil: null });
	});

	it('a conversation that started outside hours is assigned when the hours begin (Process Due)', async () => {
		bridge = await startCentre(closedToday({ awayReply: '' }));
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		expect(stateIn(bridge, anna)).toMatchObject({ status: 'pending' });

		const stillClosed = await inProcess(bridge, { do: 'due' });
		expect(stillClosed).toMatchObject({ routed: [], waiting: 1 });

		const tomorrow = new Date(Date.parse(startOfToday()) + 86_400_000 + 9 * 3600_000);
		const due = await inProcess(bridge, { do: 'due', now: tomorrow.toISOString() });
		expect(due).toMatchObject({ routed: [bridge.chatOf(anna)!.id], waiting: 0 });
		expect(stateIn(bridge, anna)).toMatchObject({ status: 'open', assigneeId: bridge.operator.id });
		expect(notices(bridge, anna)).toEqual(['👤 Assigned to Olga Operator (round robin)']);
	});
});

describe('Reopen, snooze, rating (telegram)', () => {
	it('a customer writing to a resolved conversation reopens it: same chat, a notice, routed again', async () => {
		bridge = await startCentre({ routing: 'roundRobin' });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const chat = bridge.chatOf(anna)!;
		await operatorSets(bridge, anna, {
			status: 'resolved',
			times: { ...timesOf(anna), resolvedAt: new Date().toISOString() },
		});
		await bridge.write(anna, 'One more question');

		expect(bridge.chatOf(anna)!.id).toBe(chat.id);
		expect(notices(bridge, anna)).toEqual([
			'👤 Assigned to Olga Operator (round robin)',
			'↩️ Reopened: the customer wrote again',
			'👤 Assigned to Oskar Operator (round robin)',
		]);
		expect(stateIn(bridge, anna)).toMatchObject({
			status: 'open',
			assigneeId: bridge.operators[1].id,
		});
		expect(timesOf(anna).resolvedAt).toBeUndefined();
	});

	it('a snoozed conversation opens at once when the customer writes', async () => {
		bridge = await startCentre({ routing: 'roundRobin' });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
		await operatorSets(bridge, anna, { status: 'snoozed', snoozedUntil: tomorrow });
		await bridge.write(anna, 'Any news?');

		expect(stateIn(bridge, anna)).toMatchObject({
			status: 'open',
			snoozedUntil: null,
			assigneeId: bridge.operator.id,
		});
		expect(notices(bridge, anna)).toEqual([
			'👤 Assigned to Olga Operator (round robin)',
			'⏰ Snooze ended: the customer wrote',
		]);
	});

	it('a snooze whose time passed opens once (Process Due, two runs)', async () => {
		bridge = await startCentre({ routing: 'roundRobin' });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		const boris = bridge.newCustomer('Boris', 'Ivanov');
		await bridge.write(anna, 'Hello');
		await bridge.write(boris, 'Hello');
		const past = new Date(Date.now() - 60_000).toISOString();
		const future = new Date(Date.now() + 3600_000).toISOString();
		await operatorSets(bridge, anna, { status: 'snoozed', snoozedUntil: past });
		await operatorSets(bridge, boris, { status: 'snoozed', snoozedUntil: future });

		const runs = await Promise.all([
			inProcess(bridge, { do: 'due' }),
			inProcess(bridge, { do: 'due' }),
		]);

		// each run saw Anna's snooze expired; the conditional write opened it once (one notice)
		for (const run of runs) expect(run.woke).not.toContain(bridge.chatOf(boris)!.id);
		expect(stateIn(bridge, anna)).toMatchObject({ status: 'open', snoozedUntil: null });
		expect(stateIn(bridge, boris)).toMatchObject({ status: 'snoozed', snoozedUntil: future });
		expect(notices(bridge, anna).filter((n) => n.startsWith('⏰'))).toEqual([
			expect.stringMatching(/^⏰ Snooze ended/),
		]);
	});

	it('a rating answer is recorded with a notice, not a reopen; the next message reopens', async () => {
		bridge = await startCentre({ routing: 'roundRobin' });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		await operatorSets(bridge, anna, {
			status: 'resolved',
			ratingAskedAt: new Date().toISOString(),
		});
		await bridge.write(anna, '4');

		expect(stateIn(bridge, anna)).toMatchObject({
			status: 'resolved',
			rating: { score: 4, at: expect.any(String) },
			ratingAskedAt: null,
		});
		expect(notices(bridge, anna)).toEqual([
			'👤 Assigned to Olga Operator (round robin)',
			'⭐ Rated 4/5',
		]);

		await bridge.write(anna, '5');
		expect(stateIn(bridge, anna)).toMatchObject({ status: 'open', rating: { score: 4 } });
		expect(notices(bridge, anna)).toContain('↩️ Reopened: the customer wrote again');
	});

	it('a Telegram rating button (rate:5) is answered and recorded; no chat message for the tap', async () => {
		bridge = await startCentre({ routing: 'roundRobin' });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		await operatorSets(bridge, anna, {
			status: 'resolved',
			ratingAskedAt: new Date().toISOString(),
		});
		const messages = bridge.messagesOf(anna).length;
		const tg = telegramOf(bridge);
		const from = { id: Number(anna.part), is_bot: false, first_name: anna.first };
		tg.pushUpdate({
			callback_query: {
				id: 'cb-1',
				from,
				chat_instance: '1',
				data: 'rate:5',
				message: {
					message_id: 9000,
					date: Math.floor(Date.now() / 1000),
					chat: { id: Number(anna.part), type: 'private' },
					text: 'How did we do?',
				},
			},
		});
		await bridge.settle();

		expect(stateIn(bridge, anna)).toMatchObject({ status: 'resolved', rating: { score: 5 } });
		expect(
			bridge
				.messagesOf(anna)
				.slice(messages)
				.map((m) => m.text),
		).toEqual(['⭐ Rated 5/5']);
		expect(tg.calls('answerCallbackQuery')).toHaveLength(1);
	});
});

describe('Rating by quick reply (messenger)', () => {
	it('a Messenger quick reply rate:3 is recorded as the rating', async () => {
		bridge = await startCentre({ routing: 'roundRobin' }, { channel: 'messenger' });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		await operatorSets(bridge, anna, {
			status: 'resolved',
			ratingAskedAt: new Date().toISOString(),
		});
		const fb = graphOf(bridge);
		await fb.deliver(bridge.customerHook.url, [
			fb.messageEvent(anna.part, { text: '⭐⭐⭐', quickReplyPayload: 'rate:3' }),
		]);
		await bridge.settle();

		expect(stateIn(bridge, anna)).toMatchObject({ status: 'resolved', rating: { score: 3 } });
		expect(notices(bridge, anna)).toContain('⭐ Rated 3/5');
		expect(notices(bridge, anna)).not.toContain('↩️ Reopened: the customer wrote again');
	});
});

describe('Chats made before the contact centre (telegram)', () => {
	it('adopted quietly on the customer’s next message: open in the queue, its createdAt the chat’s, not greeted, not routed', async () => {
		bridge = await startCentre({
			routing: 'roundRobin',
			greeting: 'Hi {customer}! Someone will be with you shortly.',
		});
		const boris = bridge.newCustomer('Boris', 'Ivanov');
		await bridge.write(boris, 'Hello');
		expect(received(boris)).toHaveLength(1);
		// the chat as the bridge made it before the contact centre: the bridge's fields only
		const chat = bridge.ts.chat(bridge.chatOf(boris)!.id)!;
		const { channel, account, conversationId, customer } = chat.metadata as IDataObject;
		await bridge.ts.changeChatAsUser(chat.id, bridge.operator.id, {
			metadata: { channel, account, conversationId, customer },
		});
		bridge.forgetProcessMemory();

		await bridge.write(boris, 'Are you there?');

		expect(received(boris)).toHaveLength(1);
		expect(stateIn(bridge, boris)).toMatchObject({
			status: 'open',
			queue: 'Support',
			assigneeId: null,
			greeted: false,
		});
		expect(timesOf(boris)).toMatchObject({
			createdAt: new Date(chat.createdAt).toISOString(),
			firstCustomerMessageAt: expect.any(String),
		});
	});
});
