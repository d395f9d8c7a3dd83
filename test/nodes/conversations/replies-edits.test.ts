/**
 * Replies, edits and deletes in customer conversations, through the examples: a customer's reply
 * becomes a TeamSpirit reply to the mapped message (the customer's own or an operator's), a
 * customer's edit edits the mapped message where the channel has edits; an operator's reply is a
 * channel reply where the channel has them, an operator's edit or delete is applied where the
 * channel's adapter can (Telegram) and explained in the chat where it cannot (WhatsApp,
 * Messenger). What each channel can: its conversation driver's capabilities (./drivers) and its
 * adapter's actions.
 */
import { adapterFor } from '../../../nodes/channels';
import { theDriver } from './drivers';
import { CHANNELS, PDF, shown, startBridge, type Bridge, type Customer } from './setup';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let bridge: Bridge;
let anna: Customer;
afterEach(async () => {
	await bridge?.stop();
});

describe.each(CHANNELS)('Customer conversations (%s): replies', (channel) => {
	beforeEach(async () => {
		bridge = await startBridge(channel);
		anna = bridge.newCustomer('Anna', 'Petrova');
	});

	// a channel that does not say what a customer answers has no such message
	(theDriver(channel).customerReplies === false ? it.skip : it)('a customer’s reply to their own earlier message and to an operator’s message is a TeamSpirit reply to the mapped message', async () => {
		const first = await bridge.write(anna, 'My order number is 4711');
		await bridge.write(anna, { text: 'Sorry, I meant this one', replyTo: first.id });
		const answer = await bridge.operatorPosts(anna, { text: 'Which colour did you order?' });
		const [sentToAnna] = bridge.received(anna);
		await bridge.write(anna, { text: 'Blue', replyTo: sentToAnna.id });

		const [own, reply, operator, blue] = bridge.messagesOf(anna);
		expect([shown(own.text), shown(reply.text), operator.id, shown(blue.text)]).toEqual([
			'My order number is 4711',
			'Sorry, I meant this one',
			answer.id,
			'Blue',
		]);
		expect(reply.replyToId).toBe(own.id);
		expect(blue.replyToId).toBe(answer.id);
		expect(own.replyToId).toBeNull();
	});

	it('an operator’s plain answer reaches the customer; a TeamSpirit reply is a channel reply where the channel has them', async () => {
		const question = await bridge.write(anna, 'Do you ship to Riga?');
		await bridge.write(anna, 'And to Tallinn?');
		const [asked] = bridge.messagesOf(anna);

		const plain = await bridge.operatorPosts(anna, { text: 'Hello Anna' });
		const reply = await bridge.operatorPosts(anna, { text: 'Yes, we do', replyToId: asked.id });

		const received = bridge.received(anna);
		expect(received.map((r) => r.text)).toEqual(['Hello Anna', 'Yes, we do']);
		if (theDriver(channel).replies) {
			expect(received.map((r) => r.replyTo)).toEqual([undefined, question.id]);
		}
		expect(plain.externalKey).toBe(`${bridge.keyOf(anna)}#${received[0].id}`);
		expect(reply.externalKey).toBe(`${bridge.keyOf(anna)}#${received[1].id}`);
		expect(bridge.started().operator.map((c) => c.run?.status)).toEqual(['success', 'success']);
	});
});

describe.each(CHANNELS)('Customer conversations (%s): edits and deletes', (channel) => {
	beforeEach(async () => {
		bridge = await startBridge(channel);
		anna = bridge.newCustomer('Anna', 'Petrova');
	});

	if (theDriver(channel).customerEdits) {
		it('a customer’s edit edits the mapped TeamSpirit message, nothing new is posted', async () => {
			const sent = await bridge.write(anna, 'Helo');
			await bridge.edit(anna, sent.id, 'Hello, I mean');
			const messages = bridge.messagesOf(anna);
			expect(messages).toHaveLength(1);
			expect(shown(messages[0].text)).toBe('Hello, I mean');
			expect(messages[0].editedAt).not.toBeNull();
			expect(
				bridge
					.started()
					.customer.map((c) => c.run?.nodeOutput('Forward to TeamSpirit')[0].json.action),
			).toEqual(['posted', 'edited']);
		});
	}

	const { actions, displayName } = adapterFor(channel)!;
	if (Boolean(actions.editText) !== Boolean(actions.deleteMessage)) {
		it('an operator’s edit and delete: a channel with only one of them needs its case here', () => {
			throw new Error(`${channel} can ${actions.editText ? 'edit' : 'delete'} only: add its test`);
		});
	} else if (actions.editText) {
		it('an operator’s edit and delete are applied on the channel (Telegram: editMessageText, deleteMessage)', async () => {
			await bridge.write(anna, 'Hi');
			const first = await bridge.operatorPosts(anna, { text: 'Your parcel leaves on Monday' });
			const second = await bridge.operatorPosts(anna, { text: 'Ignore this' });
			const label = bridge.operatorUploads('label.pdf', 'application/pdf', PDF);
			const third = await bridge.operatorPosts(anna, { text: 'Wrong label', fileIds: [label.id] });
			await bridge.operatorEdits(first, 'Your parcel leaves on **Tuesday**');
			await bridge.operatorDeletes(second);
			await bridge.operatorDeletes(third); // text and file: both parts go

			const received = bridge.received(anna);
			expect(received.map((r) => [r.text, r.edited ?? false, r.deleted ?? false])).toEqual([
				['Your parcel leaves on Tuesday', true, false],
				['Ignore this', false, true],
				['Wrong label', false, true],
				['', false, true],
			]);
			const markup = bridge.channelDriver.formatting.operator.source;
			if (markup) expect(received[0].source).toMatch(markup.bold('Tuesday'));
			expect(bridge.driver.calls!('edit')).toBe(1);
			expect(bridge.driver.calls!('delete')).toBe(3);
			// no notices: only Anna's message and the operator's first (the others deleted)
			expect(bridge.messagesOf(anna).map((m) => m.text)).toEqual([
				'Hi',
				'Your parcel leaves on **Tuesday**',
			]);
			expect(bridge.started().operator.map((c) => c.run?.status)).toEqual(Array(6).fill('success'));
		});
	} else {
		it('an operator’s edit or delete cannot be applied: a notice in the chat says so, nothing is sent', async () => {
			await bridge.write(anna, 'Hi');
			const first = await bridge.operatorPosts(anna, { text: 'Your parcel leaves on Monday' });
			const second = await bridge.operatorPosts(anna, { text: 'Ignore this' });
			await bridge.operatorEdits(first, 'Your parcel leaves on Tuesday');
			await bridge.operatorDeletes(second);

			expect(bridge.received(anna).map((r) => r.text)).toEqual([
				'Your parcel leaves on Monday',
				'Ignore this',
			]);
			const notices = bridge
				.messagesOf(anna)
				.filter((m) => m.senderId === bridge.ts.bot.id && m.text.startsWith('⚠️'));
			expect(notices).toHaveLength(2);
			const [edited, deleted] = notices.map((m) => m.text);
			expect(edited).toMatch(
				new RegExp(`${escapeRegExp(displayName)}.*still sees the original`),
			);
			expect(deleted).toMatch(/still sees the message/);
			// the notices themselves go nowhere
			expect(bridge.started().operator.map((c) => c.run?.status)).toEqual([
				'success',
				'success',
				'success',
				'success',
			]);
			expect(bridge.received(anna)).toHaveLength(2);
		});
	}
});
