/**
 * Chat Channel → Conversation: the operations that change a conversation (Assign, Transfer,
 * Resolve, Reopen, Snooze, Add Note, Send Canned Reply, Process Due Conversations) through the
 * real engine against the TeamSpirit and Telegram emulators: what each outputs, what it changed on
 * the chat (metadata, members, the notice operators read), what reached the customer, and that bad
 * input is an error for its item that Continue On Fail carries past.
 */
import type { IDataObject } from 'n8n-workflow';

import { forgetQueues } from '../../../nodes/conversations/centre/queues';
import { chatPick, startCentre, type Centre, type Chat } from './conversation-ops-setup';

let centre: Centre;
beforeEach(async () => {
	centre = await startCentre();
});
afterEach(async () => {
	await centre?.stop();
});

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const WORKFLOW = 'the workflow "Escalations"';

/** Anna's Telegram conversation, waiting in the Support queue. */
function anna(state: IDataObject = {}): Chat {
	return centre.seed({
		conversationId: '1001',
		name: 'Anna',
		state: {
			status: 'pending',
			assigneeId: null,
			queue: 'Support',
			times: { createdAt: ago(30), firstCustomerMessageAt: ago(30) },
			...state,
		},
	});
}

const chatNow = (chat: Chat) => centre.ts.chats.get(chat.id)!;
const noticesIn = (chat: Chat) =>
	centre.ts
		.messagesIn(chat.id)
		.filter((m) => m.senderId === centre.ts.bot.id)
		.map((m) => m.text);

describe('Assign and Transfer', () => {
	it('Assign gives the conversation to the operator (a member now), says so in the chat once, and outputs it', async () => {
		const chat = anna();
		const { output, status } = await centre.run({
			operation: 'assign',
			chatId: chatPick(chat),
			operator: centre.bob.id,
		});
		expect(status).toBe('success');
		expect(output).toMatchObject([
			{
				chatId: chat.id,
				status: 'open',
				assigneeId: centre.bob.id,
				queue: 'Support',
				changed: true,
				notice: `✅ Assigned to Bob Boyd by ${WORKFLOW}`,
			},
		]);
		expect(chatNow(chat).metadata).toMatchObject({ status: 'open', assigneeId: centre.bob.id });
		expect(chatNow(chat).memberIds).toContain(centre.bob.id);
		expect(noticesIn(chat)).toEqual([`✅ Assigned to Bob Boyd by ${WORKFLOW}`]);

		// again: nothing to change, nothing said
		const again = await centre.run(
			{
				operation: 'assign',
				chatId: chatPick(chat),
				operator: '={{ $json.who }}',
			},
			{ items: [{ who: '@bob' }] },
		);
		expect(again.output).toMatchObject([
			{ changed: false, notice: 'ℹ️ Already assigned to Bob Boyd' },
		]);
		expect(noticesIn(chat)).toHaveLength(1);
	});

	it('Transfer to a queue routes it there; to an operator assigns it', async () => {
		const chat = anna({ status: 'open', assigneeId: centre.alice.id });
		centre.queue({ name: 'Sales', operators: [centre.bob.id] });
		const toSales = await centre.run({
			operation: 'transfer',
			chatId: chatPick(chat),
			transferTo: 'queue',
			queue: 'sales',
		});
		expect(toSales.output).toMatchObject([
			{ status: 'open', queue: 'Sales', assigneeId: centre.bob.id, changed: true },
		]);
		expect(String(toSales.output![0].notice)).toMatch(
			/^↪️ Transferred to the queue Sales \(from Support\) by the workflow "Escalations": assigned to Bob Boyd/,
		);
		expect(chatNow(chat).metadata).toMatchObject({ queue: 'Sales', assigneeId: centre.bob.id });

		const toAlice = await centre.run({
			operation: 'transfer',
			chatId: chatPick(chat),
			transferTo: 'operator',
			operator: centre.alice.id,
		});
		expect(toAlice.output).toMatchObject([
			{
				assigneeId: centre.alice.id,
				notice: `✅ Transferred to Alice Martin (from Bob Boyd) by ${WORKFLOW}`,
			},
		]);
		expect(noticesIn(chat)).toEqual([
			'👤 Assigned to Bob Boyd (least busy)',
			String(toSales.output![0].notice),
			String(toAlice.output![0].notice),
		]);
	});
});

describe('Resolve, Reopen, Snooze', () => {
	it('Resolve sends the queue’s closing message and rating question to the customer; Reopen opens it again', async () => {
		centre.queue({
			name: 'Support',
			closingMessage: 'Thanks for writing!',
			ratingQuestion: 'How did we do?',
		});
		const chat = anna({ status: 'open', assigneeId: centre.alice.id });
		const resolved = await centre.run({
			operation: 'resolve',
			chatId: chatPick(chat),
			comment: 'refund sent',
		});
		expect(resolved.output).toMatchObject([{ status: 'resolved', changed: true }]);
		expect(resolved.output![0].notice).toBe(
			`✅ Resolved by ${WORKFLOW}: refund sent. Sent to the customer: the closing message and the rating question`,
		);
		const metadata = chatNow(chat).metadata as IDataObject;
		expect(metadata.status).toBe('resolved');
		expect((metadata.times as IDataObject).resolvedAt).toEqual(expect.any(String));
		expect(metadata.ratingAskedAt).toEqual(expect.any(String));
		const sent = centre.tg.sentMessages(1001);
		expect(sent.map((m) => m.text)).toEqual(['Thanks for writing!', 'How did we do?']);
		expect(JSON.stringify(sent[1].reply_markup)).toContain('rate:5');

		const reopened = await centre.run({ operation: 'reopen', chatId: chatPick(chat) });
		expect(reopened.output).toMatchObject([
			{ status: 'open', assigneeId: centre.alice.id, times: { resolvedAt: null }, changed: true },
		]);
		expect(noticesIn(chat).at(-1)).toBe(`🔓 Reopened by ${WORKFLOW}`);
	});

	it('Snooze for two hours, or until a date and time; a time in the past is an error', async () => {
		const chat = anna({ status: 'open', assigneeId: centre.alice.id });
		const before = Date.now();
		const { output } = await centre.run({
			operation: 'snooze',
			chatId: chatPick(chat),
			duration: 2,
			unit: 'hours',
		});
		expect(output).toMatchObject([{ status: 'snoozed', changed: true }]);
		const until = Date.parse(String(output![0].snoozedUntil));
		expect(until).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
		expect(until).toBeLessThan(before + 2 * 3_600_000 + 60_000);

		const later = await centre.run({
			operation: 'snooze',
			chatId: chatPick(chat),
			snoozeBy: 'until',
			until: '2099-01-02T09:30:00',
		});
		// no zone written: the workflow's (Europe/Berlin, UTC+1 in January)
		expect(later.output).toMatchObject([{ snoozedUntil: '2099-01-02T08:30:00.000Z' }]);

		const past = await centre.run(
			{
				operation: 'snooze',
				chatId: chatPick(chat),
				snoozeBy: 'until',
				until: '2020-01-01T00:00:00Z',
			},
			{ continueOnFail: true },
		);
		expect(past.output).toEqual([{ error: 'Until must be a time in the future' }]);
	});
});

describe('Add Note, Send Canned Reply', () => {
	it('Add Note posts a private note in the chat and sends the customer nothing', async () => {
		const chat = anna({ status: 'open', assigneeId: centre.alice.id });
		const { output } = await centre.run({
			operation: 'addNote',
			chatId: chatPick(chat),
			note: 'VIP customer: call back',
		});
		expect(output).toMatchObject([{ changed: false, noteId: expect.any(String) }]);
		expect(noticesIn(chat)).toEqual([`📝 Note by ${WORKFLOW}: VIP customer: call back`]);
		expect(centre.tg.sentMessages(1001)).toEqual([]);
	});

	it('Send Canned Reply sends the queue’s reply with the names filled in, and shows it in the chat', async () => {
		const canned = centre.ts.addChat({ title: 'Canned replies' });
		centre.ts.addMessage(canned.id, {
			text: 'hello: Hi {customer}, {operator} here. How can I help?',
		});
		centre.queue({ name: 'Support', cannedChatId: canned.id });
		const chat = anna({ status: 'open', assigneeId: centre.alice.id });
		const { output } = await centre.run({
			operation: 'sendCannedReply',
			chatId: chatPick(chat),
			shortcut: 'hello',
		});
		const text = 'Hi Anna, Alice Martin here. How can I help?';
		expect(output).toMatchObject([{ sentText: text, notice: '↩️ Canned reply "hello" sent' }]);
		expect(centre.tg.sentMessages(1001).map((m) => m.text)).toEqual([text]);
		expect(noticesIn(chat)).toEqual([`↩️ Canned reply "hello" sent by ${WORKFLOW}:\n${text}`]);
	});
});

describe('Process Due Conversations', () => {
	it('opens the snoozes whose time came and assigns the waiting conversations', async () => {
		centre.queue({ name: 'Support', operators: [centre.bob.id] });
		const woken = centre.seed({
			conversationId: '1002',
			name: 'Boris',
			state: {
				status: 'snoozed',
				snoozedUntil: ago(1),
				assigneeId: centre.alice.id,
				queue: 'Support',
			},
		});
		const sleeping = centre.seed({
			conversationId: '1003',
			name: 'Chen',
			state: { status: 'snoozed', snoozedUntil: new Date(Date.now() + 3_600_000).toISOString() },
		});
		const waiting = anna();
		const { output } = await centre.run({ operation: 'processDue' });
		expect(output).toMatchObject([{ woke: [woken.id], routed: [waiting.id], waiting: 0 }]);
		expect(chatNow(woken).metadata).toMatchObject({ status: 'open' });
		expect(chatNow(sleeping).metadata).toMatchObject({ status: 'snoozed' });
		expect(chatNow(waiting).metadata).toMatchObject({ status: 'open', assigneeId: centre.bob.id });
		// a second run finds nothing due
		const again = await centre.run({ operation: 'processDue' });
		expect(again.output).toMatchObject([{ woke: [], routed: [] }]);
	});
});

describe('bad input', () => {
	it('an unknown operator or queue, a chat that is no conversation, an unknown shortcut: an error per item; Continue On Fail goes on', async () => {
		forgetQueues();
		const chat = anna();
		const team = centre.ts.addChat({ title: 'Team' });
		const items = [
			{ chatId: chat.id, operator: 'u_nobody' },
			{ chatId: chat.id, operator: '@zed' },
			{ chatId: team.id, operator: centre.alice.id },
			{ chatId: chat.id, operator: centre.alice.id },
		];
		const assigned = await centre.run(
			{
				operation: 'assign',
				chatId: { __rl: true, mode: 'id', value: '={{ $json.chatId }}' },
				operator: '={{ $json.operator }}',
			},
			{ items, continueOnFail: true },
		);
		expect(assigned.status).toBe('success');
		expect(assigned.output).toMatchObject([
			{ error: 'No TeamSpirit user u_nobody: nothing changed' },
			{ error: 'No TeamSpirit user @zed: nothing changed' },
			{ error: 'The chat "Team" is not a customer conversation' },
			{ assigneeId: centre.alice.id, changed: true },
		]);

		centre.queue({ name: 'Support' });
		const unknownQueue = await centre.run({
			operation: 'transfer',
			chatId: chatPick(chat),
			queue: 'Nowhere',
		});
		expect(unknownQueue.status).toBe('error');
		expect(unknownQueue.error?.message).toBe(
			'Unknown queue "Nowhere": nothing changed. Queues: Support',
		);
		expect(chatNow(chat).metadata).toMatchObject({ queue: 'Support', assigneeId: centre.alice.id });

		const noCanned = await centre.run(
			{ operation: 'sendCannedReply', chatId: chatPick(chat), shortcut: 'hello' },
			{ continueOnFail: true },
		);
		expect(noCanned.output).toEqual([
			{
				error:
					'No canned replies for this conversation: the queue Support has no canned replies chat',
			},
		]);
		expect(centre.tg.sentMessages(1001)).toEqual([]);
	});
});
