/**
 * Notes and commands never reach the customer, whatever way they come (centre/operatorSide.ts,
 * changes.ts): a sent message edited into a note or a command is not changed for the customer (a
 * notice says they keep the earlier text), an edited command sends nothing, and a note written
 * with the queue's prefix stays private when the delivery does not show the chat's version.
 */
import type { IDataObject } from 'n8n-workflow';

import { commandKey } from '../../../nodes/conversations/keys';
import { telegramOf } from './drivers/telegram';
import { answers, startCommands, types } from './commands-setup';
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

const received = () => bridge.received(anna).map((r) => [r.text, r.edited ?? false]);
const notices = () =>
	bridge
		.messagesOf(anna)
		.filter((m) => m.senderId === bridge.ts.bot.id && /^notice:/.test(m.externalKey ?? ''))
		.map((m) => m.text);

describe('Notes and commands never reach the customer', () => {
	it('a sent message edited into a note (prefix or /note) or a command: not changed for the customer, a notice says so', async () => {
		await withAnna();
		const first = await types(bridge, anna, 'We are on it');
		const second = await types(bridge, anna, 'Your parcel leaves on Monday');
		const third = await types(bridge, anna, 'One moment please');
		await bridge.operatorEdits(first, '# she is a VIP, be nice');
		await bridge.operatorEdits(second, '/note refund pending');
		await bridge.operatorEdits(third, '/resolve');

		expect(received()).toEqual([
			['We are on it', false],
			['Your parcel leaves on Monday', false],
			['One moment please', false],
		]);
		expect(telegramOf(bridge).calls('editMessageText')).toHaveLength(0);
		expect(notices()).toEqual(
			Array(3).fill(
				'⚠️ Not changed for the customer: a command or a private note is never sent. ' +
					'The customer keeps the earlier text.',
			),
		);
		expect(bridge.chatOf(anna)!.metadata).toMatchObject({ status: 'open' });
		expect(bridge.started().operator.map((c) => c.run?.status)).toEqual(Array(6).fill('success'));
	});

	it('an edited command or note sends nothing, also when it is edited into an ordinary message', async () => {
		await withAnna();
		const note = await types(bridge, anna, '/note she called twice already');
		const prefixed = await types(bridge, anna, '# VIP customer');
		await bridge.operatorEdits(note, 'Hello Anna, we called you twice');
		await bridge.operatorEdits(prefixed, 'Hello Anna');

		expect(received()).toEqual([]);
		expect(bridge.ts.message(note.id)!.externalKey).toBe(commandKey(note.id));
		expect(bridge.ts.message(prefixed.id)!.externalKey).toBe(commandKey(prefixed.id));
	});

	it('a prefixed note stays private when the delivery shows the chat without its version or queue', async () => {
		await withAnna();
		const chat = bridge.chatOf(anna)!;
		// as a delivery made before the chat had its version and its queue shows it
		const stale = { id: chat.id, title: chat.title, externalKey: chat.externalKey, metadata: {} };
		const note = bridge.ts.addMessage(chat.id, {
			senderId: bridge.operator.id,
			text: '# VIP customer, be nice',
			format: 'plain',
		});
		await bridge.ts.deliver('message.created', { ...note, chat: stale });
		await bridge.settle();
		await types(bridge, anna, 'Hello Anna, we are on it');

		expect(bridge.ts.message(note.id)!.externalKey).toBe(commandKey(note.id));
		expect(received()).toEqual([['Hello Anna, we are on it', false]]);
	});
});

describe('Membership follows the assignment, also after a lost step', () => {
	it('“already yours” / “already assigned”: an assignee who is not a member of the chat (a step lost after the state was written) is added', async () => {
		await withAnna();
		const helga = bridge.ts.addUser({ name: 'Helga Hansen', username: 'helga' });
		const chatId = bridge.chatOf(anna)!.id;
		const stored = bridge.ts.chats.get(chatId)!;
		// the state says Olga has it, the member was never added (the execution stopped between)
		stored.memberIds = stored.memberIds.filter((id) => id !== bridge.operator.id);
		stored.metadata = { ...stored.metadata, status: 'open', assigneeId: bridge.operator.id };
		await types(bridge, anna, '/take');
		expect(bridge.ts.chat(chatId)!.memberIds).toContain(bridge.operator.id);

		stored.metadata = { ...bridge.ts.chat(chatId)!.metadata, assigneeId: helga.id };
		await types(bridge, anna, '/assign @helga');
		expect(bridge.ts.chat(chatId)!.memberIds).toContain(helga.id);
		expect(bridge.ts.chat(chatId)!.metadata).toMatchObject({ assigneeId: helga.id });
		expect(answers(bridge, anna)).toEqual([
			'ℹ️ This conversation is already yours',
			'ℹ️ Already assigned to Helga Hansen',
		]);
		expect(bridge.received(anna)).toEqual([]);
	});
});
