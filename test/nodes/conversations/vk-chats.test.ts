/**
 * VK community chats (peer_id from 2000000000): VK gives a community bot no message id there
 * (`id: 0`, only `conversation_message_id`), and replies, edits and deletes by message id do not
 * reach chat messages. So VK declares no group conversations: a chat message opens no TeamSpirit
 * chat, the editor offers no *Group Chats* for VK, and the customer's private dialogue is unaffected.
 */
import { adapters } from '../../../nodes/channels';
import { vkOf } from './drivers/vk';
import { shown, startBridge, type Bridge } from './setup';

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

describe('VK community chats (vk)', () => {
	it('a message in a community chat (message id 0) opens no TeamSpirit chat and is answered "ok"; VK offers no Group Chats; the private dialogue goes on', async () => {
		bridge = await startBridge('vk');
		const vk = vkOf(bridge);
		const anna = bridge.newCustomer('Anna', 'Chatter');
		const inChat = vk.messageEvent({ fromId: Number(anna.part), peerId: 2_000_000_001, text: 'hello from the chat' });
		expect((inChat.object as { message: { id: number } }).message.id).toBe(0);
		const answer = await vk.deliver(bridge.customerHook.url, inChat);
		await bridge.settle();
		expect(answer).toEqual({ status: 200, body: 'ok' });
		expect(bridge.ts.chats.size).toBe(0);
		expect(adapters.vk.conversation.groups).toBe(false);
		await bridge.write(anna, 'hello in private');
		expect(bridge.messagesOf(anna).map((m) => shown(m.text))).toEqual(['hello in private']);
		expect(bridge.ts.chats.size).toBe(1);
	});
});
