/**
 * Nothing fails silently, nothing loops, through the examples: when the channel refuses an
 * operator's message (WhatsApp outside the 24-hour window, Messenger's window, a Telegram
 * customer who blocked the bot) a notice in the conversation chat says so and the execution
 * succeeds; a message in a chat that is not a conversation starts nothing (the trigger's filter)
 * and, fed to the node anyway, is skipped; the bridge's own posts never go back out.
 */
import type { IDataObject } from 'n8n-workflow';

import { twilioOf } from './drivers/whatsapp';
import { theDriver } from './drivers';
import { CHANNELS, PDF, runNode, shown, startBridge, type Bridge, type Customer } from './setup';

const DAY = 24 * 60 * 60 * 1000;

/** Conversation keys of two channels: one of them is another channel's. */
const FOREIGN_KEYS = ['telegram:123456789:1001', 'whatsapp:+14155238886:+4915100000000'];

let bridge: Bridge;
let anna: Customer;
afterEach(async () => {
	await bridge?.stop();
});

describe.each(CHANNELS)('Customer conversations (%s): refusals and loops', (channel) => {
	beforeEach(async () => {
		bridge = await startBridge(channel);
		anna = bridge.newCustomer('Anna', 'Petrova');
	});

	// a channel that never refuses a customer (no `refusal`: Website Chat) has no such message
	(theDriver(channel).refusal ? it : it.skip)('a refused message: a notice in the chat says what happened, the execution does not fail, the notice goes nowhere', async () => {
		await bridge.write(anna, 'Hi');
		// as the channel refuses (Telegram: the customer blocked the bot; WhatsApp, Messenger: the
		// customer's last message is more than 24 hours old)
		bridge.driver.refuseSends!();

		const answer = await bridge.operatorPosts(anna, { text: 'Sorry for the wait' });

		expect(bridge.received(anna)).toEqual([]);
		const [hi, posted, notice, ...more] = bridge.messagesOf(anna);
		expect(more).toEqual([]);
		expect([shown(hi.text), posted.id]).toEqual(['Hi', answer.id]);
		expect(notice.senderId).toBe(bridge.ts.bot.id);
		expect(notice.text).toMatch(/^⚠️ Not delivered to the customer: /);
		const refusal = bridge.channelDriver.refusal!;
		expect(notice.text).toMatch(refusal.notice);
		if (refusal.hint) expect(notice.text).toMatch(refusal.hint); // what the operator can do (WhatsApp)
		expect(answer.externalKey).toBe(`unsent:${answer.id}`); // it reached no one (a retry may send it)
		const runs = bridge.started().operator;
		expect(runs).toHaveLength(1); // the notice did not start the bridge again
		expect(runs[0].run?.status).toBe('success');
		expect(runs[0].run?.nodeOutput('Send to Customer')[0].json).toMatchObject({ action: 'notice' });
	});

	it('a message in a chat that is not a conversation starts nothing; fed to the node directly it is skipped without an error', async () => {
		await bridge.write(anna, 'Hi');
		const team = bridge.ts.addChat({ title: 'Team room', memberIds: [bridge.operator.id] });
		const { message, deliveries } = await bridge.ts.postAsUser(team.id, bridge.operator.id, {
			text: 'Lunch at noon?',
		});
		await bridge.settle();

		expect(bridge.started().operator).toEqual([]);
		expect(deliveries.map((d) => d.status)).toEqual([200]);
		expect(JSON.parse(deliveries[0].responseBody)).toMatchObject({
			ok: true,
			ignored: expect.stringMatching(/not a conversation/),
		});

		// the same event as the trigger would give it, fed to "Send to Customer" directly: once
		// with the chat in the item, once without (the node looks it up), once from another
		// channel's conversation
		const other = bridge.ts.addChat({ title: 'Elsewhere', memberIds: [bridge.operator.id] });
		const foreignKey = FOREIGN_KEYS.find((key) => !key.startsWith(`${channel}:`))!;
		const item = (chat: IDataObject | null, chatId: string): IDataObject => ({
			event: 'message.created',
			chatId,
			messageId: message.id,
			senderId: bridge.operator.id,
			text: message.text,
			chat,
			message: { ...message, chatId, chat },
		});
		const run = await runNode(bridge, 'Send to Customer', [
			item({ id: team.id, title: team.title, externalKey: null, metadata: {} }, team.id),
			item(null, team.id),
			item(
				{
					id: other.id,
					title: other.title,
					externalKey: foreignKey,
					metadata: { conversationId: '1001' },
				},
				other.id,
			),
		]);
		expect(run.status).toBe('success');
		expect(run.nodeOutput('Send to Customer').map((i) => i.json.action)).toEqual([
			'skipped',
			'skipped',
			'skipped',
		]);
		expect(bridge.received(anna)).toEqual([]);
		expect(bridge.ts.messagesIn(team.id)).toHaveLength(1);
	});

	it('the bridge’s own posts (customer messages, notices) never reach the customer, even when delivered again', async () => {
		await bridge.write(anna, 'One');
		await bridge.write(anna, 'Two');
		const own = bridge.messagesOf(anna);
		// TeamSpirit delivered each of them to the operator trigger, which ignored them
		const toOperator = bridge.ts.deliveries.filter((d) => d.url === bridge.operatorHook.url);
		expect(toOperator.length).toBeGreaterThanOrEqual(2);
		expect(toOperator.every((d) => d.status === 200)).toBe(true);
		expect(bridge.started().operator).toEqual([]);

		// even if the filter let one through (the option turned off), the node does not send it back
		const [one] = own;
		const chat = bridge.chatOf(anna)!;
		const run = await runNode(bridge, 'Send to Customer', [
			{
				event: 'message.created',
				chatId: chat.id,
				messageId: one.id,
				chat: {
					id: chat.id,
					title: chat.title,
					externalKey: chat.externalKey,
					metadata: chat.metadata,
				},
				message: one as unknown as IDataObject,
			},
		]);
		expect(run.nodeOutput('Send to Customer')[0].json).toMatchObject({ action: 'skipped' });
		expect(bridge.received(anna)).toEqual([]);
	});
});

// Meta: automated messages within 24 hours of the customer's last message, a person's answers
// for 7 days (HUMAN_AGENT); what operators post through Send to Customer is a person's answer
describe.each(CHANNELS.filter((channel) => theDriver(channel).refusal?.person))(
	'Customer conversations (%s): a person answers after the automated window',
	(channel) => {
		beforeEach(async () => {
			bridge = await startBridge(channel);
			anna = bridge.newCustomer('Anna', 'Petrova');
		});

		const warnings = () =>
			bridge
				.messagesOf(anna)
				.filter((m) => m.senderId === bridge.ts.bot.id && m.text.startsWith('⚠️'));

		it('an operator’s text and file after 24 hours reach the customer once each, without a notice', async () => {
			await bridge.write(anna, 'Hi, my order never came');
			bridge.driver.closeAutomatedWindow!();
			const invoice = bridge.operatorUploads('invoice.pdf', 'application/pdf', PDF);

			const answer = await bridge.operatorPosts(anna, {
				text: 'Sorry, here is the invoice',
				fileIds: [invoice.id],
			});

			const received = bridge.received(anna);
			expect(received.map((m) => m.text)).toEqual(['Sorry, here is the invoice', '']);
			expect(received[1].fileSha256 ?? received[1].fileUrl).toBeTruthy();
			expect(warnings()).toEqual([]);
			expect(answer.externalKey).toBe(
				`${bridge.keyOf(anna)}#${received.map((m) => m.id).join('&')}`,
			);
		});

		it('an app without the permission for a person’s late answers: the notice tells the operators what to do, nothing is sent', async () => {
			await bridge.write(anna, 'Hi');
			bridge.driver.closeAutomatedWindow!();
			bridge.driver.withoutPersonPermission!();

			const answer = await bridge.operatorPosts(anna, { text: 'Sorry for the wait' });

			expect(bridge.received(anna)).toEqual([]);
			const [notice, ...more] = warnings();
			expect(more).toEqual([]);
			expect(notice.text).toMatch(/^⚠️ Not delivered to the customer: /);
			expect(notice.text).toMatch(theDriver(channel).refusal!.person!.permission);
			expect(answer.externalKey).toBe(`unsent:${answer.id}`);
		});
	},
);

describe('Customer conversations (whatsapp): the window refusal as Twilio really gives it', () => {
	afterEach(async () => {
		await bridge?.stop();
	});

	// Twilio accepts a free-form WhatsApp message outside the 24-hour window (201, queued) and fails
	// it afterwards (status failed, error 63016), told only to a status callback: "Customer writes"
	// receives it and posts the notice, as a reply to the operator's message.
	it('outside the 24-hour window (Twilio: 201 queued, then failed 63016) the operator gets a notice', async () => {
		bridge = await startBridge('whatsapp', {
			emulator: { windowErrors: 'async' },
			statusCallback: true,
		});
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		twilioOf(bridge).advanceTime(DAY + 60_000);

		await bridge.operatorPosts(anna, { text: 'Sorry for the wait' });
		await twilioOf(bridge).whenIdle();
		await bridge.settle();

		const [sent] = twilioOf(bridge).messagesTo(anna.conversationId);
		expect([sent.status, sent.errorCode]).toEqual(['failed', 63016]); // the customer got nothing
		const notices = bridge
			.messagesOf(anna)
			.filter((m) => m.senderId === bridge.ts.bot.id && m.text.startsWith('⚠️'));
		expect(notices.map((m) => m.text)).toEqual([expect.stringMatching(/24 hours|63016/)]);
	});
});
