/**
 * Operators → customer, typing (README "Typing and business hours"): an operator typing in a
 * conversation chat reaches the TeamSpirit Trigger as *Typing* (`chat.typing`), and Send to
 * Customer shows it to the customer where the channel can (the adapter's `sendAction`, Telegram's
 * sendChatAction). Only an operator's typing, only in a chat the bridge signed, never a notice.
 */
import type { IDataObject } from 'n8n-workflow';

import { twilioOf } from './drivers/whatsapp';
import { telegramOf } from './drivers/telegram';
import { startBridge, type Bridge } from './setup';

const EVENTS = ['message.created', 'message.updated', 'message.deleted', 'chat.typing'];

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

/** What Send to Customer answered for each typing delivery, in order. */
const typingOutputs = (b: Bridge): IDataObject[] =>
	b
		.started()
		.operator.filter((call) => call.workflowData?.[0]?.[0]?.json.event === 'chat.typing')
		.map((call) => call.run!.nodeOutput('Send to Customer')[0].json);

describe('Send to Customer: an operator typing', () => {
	it('Telegram: shows the customer "typing…" (sendChatAction typing) for an operator typing in their conversation chat; nothing is posted in the chat', async () => {
		bridge = await startBridge('telegram', { operatorEvents: EVENTS });
		const tg = telegramOf(bridge);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const chat = bridge.chatOf(anna)!;
		const messages = bridge.messagesOf(anna).length;

		await bridge.ts.typeAsUser(chat.id, bridge.operator.id);
		await bridge.settle();

		expect(tg.calls('sendChatAction').map((c) => c.params)).toEqual([
			{ chat_id: anna.conversationId, action: 'typing' },
		]);
		expect(typingOutputs(bridge)).toEqual([
			{
				action: 'typing',
				chatId: chat.id,
				conversationId: anna.conversationId,
				userId: bridge.operator.id,
			},
		]);
		expect(bridge.messagesOf(anna)).toHaveLength(messages);
		expect(bridge.received(anna)).toEqual([]);
	});

	it('Telegram: typing in a chat the bridge did not sign, a bot typing, and a delivery that came after its "until" show nothing and post no notice', async () => {
		bridge = await startBridge('telegram', { operatorEvents: EVENTS });
		const tg = telegramOf(bridge);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const real = bridge.chatOf(anna)!;
		const forged = bridge.ts.addChat({
			title: real.title,
			memberIds: [bridge.operator.id],
			externalKey: `telegram:${bridge.driver.account}:${anna.part}~AAAAAAAAAAAAAAAA`,
			metadata: { ...real.metadata },
		});
		const otherBot = bridge.ts.addUser({ name: 'Helper bot', username: 'helper', isBot: true });
		bridge.ts.chats.get(real.id)!.memberIds.push(otherBot.id);

		await bridge.ts.typeAsUser(forged.id, bridge.operator.id);
		await bridge.settle();
		await bridge.ts.typeAsUser(real.id, otherBot.id);
		await bridge.settle();
		// TeamSpirit's retry of a typing delivery, ten seconds later: the typing is over
		await bridge.ts.deliver('chat.typing', {
			chatId: real.id,
			userId: bridge.operator.id,
			user: bridge.operator,
			until: new Date(Date.now() - 5000).toISOString(),
			chat: bridge.ts.chatSummary(real.id)!,
		});
		await bridge.settle();

		expect(tg.calls('sendChatAction')).toEqual([]);
		expect(typingOutputs(bridge).map((o) => [o.action, o.reason])).toEqual([
			['skipped', expect.stringMatching(/not opened by the conversation bridge/)],
			['skipped', 'a bot typing, not an operator'],
			['skipped', 'the typing is over'],
		]);
		expect(bridge.ts.messagesIn(forged.id)).toEqual([]);
		expect(bridge.messagesOf(anna).map((m) => m.text)).toEqual(['Hello']);
	});

	it('WhatsApp (no typing status): the item passes, nothing is sent, no notice', async () => {
		bridge = await startBridge('whatsapp', { operatorEvents: EVENTS });
		const tw = twilioOf(bridge);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const chat = bridge.chatOf(anna)!;
		const requests = tw.requests.length;

		await bridge.ts.typeAsUser(chat.id, bridge.operator.id);
		await bridge.settle();

		expect(typingOutputs(bridge)).toEqual([
			{
				action: 'skipped',
				reason: 'WhatsApp (Twilio) cannot show typing',
				chatId: chat.id,
				userId: bridge.operator.id,
			},
		]);
		expect(tw.requests.length).toBe(requests);
		expect(bridge.messagesOf(anna).map((m) => m.text)).toEqual(['Hello']);
	});
});
