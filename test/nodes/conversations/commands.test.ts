/**
 * Operator commands (centre/commands/, centre/actions.ts) through the Telegram conversation example
 * with two queues in Forward to TeamSpirit's Contact Centre, on the emulators: every command
 * changes the conversation on its chat, is answered by one notice, and never reaches the customer;
 * bad input (an unknown user, queue, command or shortcut, a time that does not parse) is a notice,
 * never a failed execution; notes stay private; /r sends the canned reply with its placeholders
 * filled in; an operator's ordinary message records the response times.
 */
import type { IDataObject } from 'n8n-workflow';

import { commandKey } from '../../../nodes/conversations/keys';
import { telegramOf } from './drivers/telegram';
import { answers, startCommands, stateOf, types } from './commands-setup';
import type { Bridge, Customer } from './setup';

jest.setTimeout(180_000);

let bridge: Bridge;
let anna: Customer;
afterEach(async () => {
	await bridge?.stop();
});

async function withAnna(support: IDataObject = {}) {
	const started = await startCommands('telegram', support);
	bridge = started.bridge;
	anna = bridge.newCustomer('Anna', 'Petrova');
	await bridge.write(anna, 'Hello, my order is late');
	return started;
}

const [OLGA, OSKAR] = ['Olga Operator', 'Oskar Operator'];
const received = () => bridge.received(anna).map((r) => r.text);

describe('Operator commands', () => {
	it('/take assigns the conversation to who typed it; nothing reaches the customer', async () => {
		await withAnna();
		expect(stateOf(bridge, anna)).toMatchObject({ status: 'open', assigneeId: null });

		const take = await types(bridge, anna, '/take');

		expect(stateOf(bridge, anna)).toMatchObject({ status: 'open', assigneeId: bridge.operator.id });
		expect(answers(bridge, anna)).toEqual([`✅ ${OLGA} took this conversation`]);
		expect(take.externalKey).toBe(commandKey(take.id));
		expect(received()).toEqual([]);
		// a second /take of hers changes nothing; Oskar's is told who has it
		await types(bridge, anna, '/take');
		await types(bridge, anna, '/take', bridge.operators[1]);
		expect(answers(bridge, anna).slice(1)).toEqual([
			'ℹ️ This conversation is already yours',
			`⛔ Already taken by ${OLGA}`,
		]);
		expect(stateOf(bridge, anna).assigneeId).toBe(bridge.operator.id);
		expect(received()).toEqual([]);
	});

	it('/assign @username: assigned, a member of the chat; an unknown user is a notice', async () => {
		await withAnna();
		const helga = bridge.ts.addUser({ name: 'Helga Hansen', username: 'helga' });
		await types(bridge, anna, '/take');
		await types(bridge, anna, '/assign @helga');

		expect(stateOf(bridge, anna)).toMatchObject({ status: 'open', assigneeId: helga.id });
		expect(bridge.ts.chat(bridge.chatOf(anna)!.id)!.memberIds).toContain(helga.id);
		await types(bridge, anna, '/assign @nobody');
		await types(bridge, anna, '/assign');
		expect(answers(bridge, anna).slice(1)).toEqual([
			`✅ Assigned to Helga Hansen (from ${OLGA}) by ${OLGA}`,
			// the name is not a mention (a word joiner after the @)
			'❓ No TeamSpirit user @\u2060nobody: nothing changed',
			'❓ Whom to? Type /assign @username',
		]);
		expect(stateOf(bridge, anna).assigneeId).toBe(helga.id);
		expect(bridge.started().operator.map((c) => c.run?.status)).toEqual(Array(4).fill('success'));
		expect(received()).toEqual([]);
	});

	it('/transfer <queue> routes it there; /transfer @username; an unknown queue is a notice', async () => {
		await withAnna();
		await types(bridge, anna, '/take');
		await types(bridge, anna, '/transfer Nowhere');
		await types(bridge, anna, '/transfer sales');

		expect(stateOf(bridge, anna)).toMatchObject({
			status: 'open',
			queue: 'Sales',
			assigneeId: bridge.operators[1].id,
		});
		await types(bridge, anna, '/transfer @olga', bridge.operators[1]);
		expect(stateOf(bridge, anna)).toMatchObject({ assigneeId: bridge.operator.id });
		expect(answers(bridge, anna).slice(1)).toEqual([
			'❓ Unknown queue "Nowhere": nothing changed. Queues: Sales, Support',
			`↪️ Transferred to the queue Sales (from Support) by ${OLGA}: assigned to ${OSKAR}`,
			`✅ Transferred to ${OLGA} (from ${OSKAR}) by ${OSKAR}`,
		]);
		expect(received()).toEqual([]);
	});

	it('/resolve [comment]: resolved, the closing message and the rating question (buttons) to the customer; /reopen', async () => {
		await withAnna({
			closingMessage: 'Thanks for writing to us!',
			askRating: true,
			ratingQuestion: 'How did we do?',
		});
		await types(bridge, anna, '/take');
		const before = Date.now();
		await types(bridge, anna, '/resolve refund issued');

		const state = stateOf(bridge, anna);
		expect(state).toMatchObject({ status: 'resolved', ratingAskedAt: expect.any(String) });
		const resolvedAt = Date.parse(String((state.times as IDataObject).resolvedAt));
		expect(resolvedAt).toBeGreaterThanOrEqual(before - 1000);
		expect(received()).toEqual(['Thanks for writing to us!', 'How did we do?']);
		const question = telegramOf(bridge).sentMessages(anna.part)[1];
		expect(question.reply_markup).toEqual({
			inline_keyboard: [
				[1, 2, 3, 4, 5].map((n) => ({ text: String(n), callback_data: `rate:${n}` })),
			],
		});
		await types(bridge, anna, '/resolve');
		await types(bridge, anna, '/reopen');
		expect(stateOf(bridge, anna)).toMatchObject({ status: 'open', assigneeId: bridge.operator.id });
		expect((stateOf(bridge, anna).times as IDataObject).resolvedAt).toBeUndefined();
		await types(bridge, anna, '/reopen');
		expect(answers(bridge, anna).slice(1)).toEqual([
			`✅ Resolved by ${OLGA}: refund issued. Sent to the customer: the closing message and the rating question`,
			'ℹ️ Already resolved',
			`🔓 Reopened by ${OLGA}`,
			'ℹ️ Not resolved or snoozed: it is open already',
		]);
		expect(received()).toHaveLength(2);
	});

	it('/snooze 2h and /snooze tomorrow 9:00 (the queue’s time zone); a time that does not parse is a notice', async () => {
		await withAnna();
		await types(bridge, anna, '/snooze whenever');
		expect(stateOf(bridge, anna).status).toBe('open');
		const before = Date.now();
		await types(bridge, anna, '/snooze 2h');
		const until = Date.parse(String(stateOf(bridge, anna).snoozedUntil));
		expect(stateOf(bridge, anna).status).toBe('snoozed');
		expect(until - before).toBeGreaterThanOrEqual(2 * 3600_000 - 1000);
		expect(until - before).toBeLessThanOrEqual(2 * 3600_000 + 60_000);

		await types(bridge, anna, '/snooze tomorrow 9:00');
		const tomorrow = new Date(String(stateOf(bridge, anna).snoozedUntil));
		const berlin = new Intl.DateTimeFormat('en-GB', {
			timeZone: 'Europe/Berlin',
			hour: '2-digit',
			minute: '2-digit',
		}).format(tomorrow);
		expect(berlin).toBe('09:00');
		const [bad, twoHours, nine] = answers(bridge, anna);
		expect(bad).toMatch(
			/^❓ "whenever" is not a time to snooze until \(in Europe\/Berlin\)\. Examples: 30m, 2h/,
		);
		expect(twoHours).toMatch(new RegExp(`^💤 Snoozed by ${OLGA} until .* \\(Europe/Berlin\\)$`));
		expect(nine).toMatch(/ 09:00 \(Europe\/Berlin\)$/);
		expect(received()).toEqual([]);
	});

	it('/note and the queue’s note prefix: private, never sent, not answered, not sent by a later catch-up', async () => {
		await withAnna();
		const note = await types(bridge, anna, '/note she called twice already');
		const prefixed = await types(bridge, anna, '# VIP customer, be nice');
		await types(bridge, anna, 'Hello Anna, we are on it');

		expect(received()).toEqual(['Hello Anna, we are on it']);
		expect(answers(bridge, anna)).toEqual([]);
		expect(bridge.ts.message(note.id)!.externalKey).toBe(commandKey(note.id));
		expect(bridge.ts.message(prefixed.id)!.externalKey).toBe(commandKey(prefixed.id));
	});

	it('/r shortcut sends the canned reply, placeholders filled in, as that operator message; /r lists', async () => {
		const { canned } = await withAnna();
		bridge.ts.addMessage(canned, { senderId: bridge.operator.id, text: 'thanks: Old text' });
		bridge.ts.addMessage(canned, {
			senderId: bridge.operator.id,
			text: 'thanks: Thank you, {customer}! {operator} from the support team.',
		});
		bridge.ts.addMessage(canned, { senderId: bridge.operator.id, text: 'bye: Goodbye!' });
		bridge.ts.addMessage(canned, { senderId: bridge.operator.id, text: 'just chatting' });

		const reply = await types(bridge, anna, '/r thanks');
		await types(bridge, anna, '/r');
		await types(bridge, anna, '/r nope');

		expect(received()).toEqual([`Thank you, Anna Petrova! ${OLGA} from the support team.`]);
		// recorded like any operator message: the customer's reply to it finds it
		expect(bridge.ts.message(reply.id)!.externalKey).toBe(
			`${bridge.keyOf(anna)}#${bridge.received(anna)[0].id}`,
		);
		expect(answers(bridge, anna)).toEqual([
			'↩️ Canned reply "thanks" sent',
			'📋 Canned replies: /r bye, /r thanks',
			'❓ No canned reply "nope". Canned replies: /r bye, /r thanks',
		]);
	});

	it('an unknown command gets the list of commands and is not sent; /etc/hosts is a message', async () => {
		await withAnna();
		await types(bridge, anna, '/frobnicate now');
		await types(bridge, anna, '/etc/hosts is broken');

		expect(answers(bridge, anna)).toEqual([
			'❓ Unknown command /frobnicate. Commands: /take, /assign @username, /transfer <queue> or ' +
				'/transfer @username, /resolve [comment], /reopen, /snooze <time>, /note <text>, /bot, /r [shortcut]',
		]);
		expect(received()).toEqual(['/etc/hosts is broken']);
	});

	it('a command in a chat the bridge did not open is not run: a notice, nothing changes', async () => {
		await withAnna();
		const real = bridge.chatOf(anna)!;
		const forged = bridge.ts.addChat({
			title: 'Anna Petrova (Telegram)',
			memberIds: [bridge.operator.id],
			externalKey: `telegram:${bridge.driver.account}:${anna.part}~AAAAAAAAAAAAAAAA`,
			metadata: { ...real.metadata },
		});
		const { message } = await bridge.ts.postAsUser(forged.id, bridge.operator.id, {
			text: '/resolve',
			format: 'plain',
		});
		await bridge.settle();

		const texts = bridge.ts.messagesIn(forged.id).map((m) => m.text);
		expect(texts).toEqual([
			'/resolve',
			expect.stringMatching(/^⚠️ Not run: this chat was not opened/),
		]);
		expect(bridge.ts.message(message.id)!.externalKey).toBeNull();
		expect(bridge.ts.chat(forged.id)!.metadata).toEqual(real.metadata);
		expect(bridge.ts.chat(forged.id)!.version).toBe(forged.version);
		expect(stateOf(bridge, anna).status).toBe('open');
		expect(bridge.started().operator.every((c) => c.run?.status === 'success')).toBe(true);
	});

	it('an operator’s message records the first response and the last operator message', async () => {
		await withAnna();
		expect((stateOf(bridge, anna).times as IDataObject).firstResponseAt).toBeUndefined();
		const hello = await types(bridge, anna, 'Hello Anna');
		const times = stateOf(bridge, anna).times as IDataObject;
		expect(times).toMatchObject({
			firstResponseAt: hello.createdAt,
			lastOperatorMessageAt: hello.createdAt,
		});
		// within the minute, the next message writes nothing (lastOperatorMessageAt is a minute precise)
		const version = bridge.ts.chat(bridge.chatOf(anna)!.id)!.version;
		await types(bridge, anna, 'Let me check');
		expect(bridge.ts.chat(bridge.chatOf(anna)!.id)!.version).toBe(version);
		// a minute or more after the last one recorded, the next message records itself
		const chat = bridge.ts.chat(bridge.chatOf(anna)!.id)!;
		const earlier = new Date(Date.parse(String(hello.createdAt)) - 120_000).toISOString();
		await bridge.ts.changeChatAsUser(chat.id, bridge.operator.id, {
			metadata: { ...chat.metadata, times: { ...times, lastOperatorMessageAt: earlier } },
		});
		const later = await types(bridge, anna, 'Found it');
		expect(stateOf(bridge, anna).times).toMatchObject({
			firstResponseAt: hello.createdAt,
			lastOperatorMessageAt: later.createdAt,
		});
		expect(received()).toEqual(['Hello Anna', 'Let me check', 'Found it']);
	});
});
