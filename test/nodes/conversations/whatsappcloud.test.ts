/**
 * Customer conversations on WhatsApp (Cloud API), as the Cloud API really behaves (the
 * conversation example, through the engine): a free-form message after the 24-hour window is
 * accepted and then refused by a `failed` status (131047), a number WhatsApp cannot reach by
 * 131026; the statuses reach "Customer writes" (the app's one callback URL) and the operator gets
 * a notice under their message. One app serves several numbers: a customer of the second number
 * is answered from it.
 */
import { conversationKey } from '../../../nodes/conversations/keys';
import { SECOND_PHONE_NUMBER_ID } from '../../emulators/whatsappcloud';
import { whatsappCloudOf } from './drivers/whatsappcloud';
import { startBridge, type Bridge } from './setup';

jest.setTimeout(120_000);

const DAY = 24 * 60 * 60 * 1000;
let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

async function start() {
	bridge = await startBridge('whatsappcloud', { emulator: { windowErrors: 'status' } });
	// Meta posts statuses to the app's callback URL: the example's trigger takes them
	whatsappCloudOf(bridge).statusWebhook = bridge.customerHook.url;
	return bridge;
}

const notices = (b: Bridge, customer: Parameters<Bridge['messagesOf']>[0]) =>
	b.messagesOf(customer).filter((m) => m.senderId === b.ts.bot.id && m.text.startsWith('⚠️'));

describe('Customer conversations (whatsappcloud): refusals as the Cloud API gives them', () => {
	it('after the 24-hour window (200 and a wamid, then failed 131047) the operator gets a notice under their message, once', async () => {
		await start();
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		whatsappCloudOf(bridge).advanceTime(DAY + 60_000);

		const late = await bridge.operatorPosts(anna, { text: 'Sorry for the wait' });
		await bridge.settle();

		const [sent] = whatsappCloudOf(bridge).messagesTo(anna.part);
		expect(sent.outcome).toBe(131047); // the customer got nothing
		const [notice] = notices(bridge, anna);
		expect(notices(bridge, anna)).toHaveLength(1);
		expect(notice.text).toMatch(/^⚠️ Not delivered to the customer \(failed, error 131047: WhatsApp allows free-form messages only within 24 hours.*Send Template/);
		expect(notice.replyToId).toBe(late.id);
	});

	it('a number WhatsApp cannot reach (failed 131026) gets a notice saying so', async () => {
		await start();
		const bob = bridge.newCustomer('Bob', 'Baker');
		await bridge.write(bob, 'Hello');
		whatsappCloudOf(bridge).unreachable.add(bob.part);
		await bridge.operatorPosts(bob, { text: 'We are on it' });
		await bridge.settle();
		expect(notices(bridge, bob).map((m) => m.text)).toEqual([expect.stringMatching(/error 131026: The message could not be delivered/)]);
	});

	it('a customer\'s reaction to a message is no chat message: no "👍" reaches the operators', async () => {
		await start();
		const wa = whatsappCloudOf(bridge);
		const dana = bridge.newCustomer('Dana', 'Ek');
		await bridge.write(dana, 'Is it in stock?');
		const answer = await bridge.operatorPosts(dana, { text: 'Yes, two left' });
		await bridge.settle();
		const [sent] = wa.messagesTo(dana.part);
		await wa.deliver(bridge.customerHook.url, [wa.messageValue(dana.part, { type: 'reaction', content: { message_id: sent.id, emoji: '👍' }, name: 'Dana Ek' })]);
		await bridge.settle();
		expect(bridge.messagesOf(dana).map((m) => m.text)).toEqual(['Is it in stock?', answer.text]);
	});

	it('a customer of the second number is answered from it; the two numbers are two conversations', async () => {
		await start();
		const wa = whatsappCloudOf(bridge);
		const cara = bridge.newCustomer('Cara', 'Diaz');
		await wa.deliver(bridge.customerHook.url, [wa.messageValue(cara.part, { text: 'Hi second number', name: 'Cara Diaz', phoneNumberId: SECOND_PHONE_NUMBER_ID })]);
		await bridge.settle();
		const key = conversationKey('whatsappcloud', SECOND_PHONE_NUMBER_ID, cara.part, bridge.ts.apiKey);
		const chat = bridge.ts.chatByKey(key);
		expect(chat?.title).toBe('WhatsApp · Cara Diaz');
		expect(bridge.chatOf(cara)).toBeUndefined(); // not the first number's conversation

		await bridge.ts.postAsUser(chat!.id, bridge.operator.id, { text: 'Hello from support', format: 'plain' });
		await bridge.settle();
		expect(wa.messagesTo(cara.part).map((m) => [m.phoneNumberId, m.text])).toEqual([[SECOND_PHONE_NUMBER_ID, 'Hello from support']]);
	});
});
