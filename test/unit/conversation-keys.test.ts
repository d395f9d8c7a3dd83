/** The keys of the conversation bridge (nodes/conversations/keys.ts) and the trigger's conversation filter. */
import {
	announcementKey,
	botReplyKey,
	channelMessageIdOf,
	channelMessageIdsOf,
	conversationKey,
	keyState,
	messageKey,
	noticeKey,
	parseConversationKey,
	verifyConversationKey,
} from '../../nodes/conversations/keys';

const SECRET = 'tsk_test_secret';
import type { Delivery } from '../../nodes/TeamSpiritTrigger/helpers/delivery';
import { whyIgnored } from '../../nodes/TeamSpiritTrigger/helpers/filters';
import { toOutputJson } from '../../nodes/TeamSpiritTrigger/helpers/output';

describe('conversation keys', () => {
	it('names a conversation by channel, account and conversation, signed, and parses it back', () => {
		const key = conversationKey('whatsapp', '+14155238886', '+4915112345678', SECRET);
		expect(key).toMatch(/^whatsapp:\+14155238886:\+4915112345678~[A-Za-z0-9_-]{16}$/);
		const tag = key.split('~')[1];
		expect(parseConversationKey(key)).toEqual({ channel: 'whatsapp', account: '+14155238886', conversation: '+4915112345678', tag });
		expect(verifyConversationKey(key, SECRET)).toEqual({ channel: 'whatsapp', account: '+14155238886', conversation: '+4915112345678', tag });
		// an unsigned key (as before signing) still looks like one, but does not verify
		expect(parseConversationKey('telegram:123456:-1001234')).toEqual({ channel: 'telegram', account: '123456', conversation: '-1001234' });
		expect(verifyConversationKey('telegram:123456:-1001234', SECRET)).toBeUndefined();
	});

	it('verifies only keys signed with the same secret, for the same channel, account and conversation', () => {
		const key = conversationKey('telegram', '123456', '1001', SECRET);
		const tag = key.split('~')[1];
		expect(verifyConversationKey(key, 'another secret')).toBeUndefined();
		// the tag of one customer on another customer's key
		expect(verifyConversationKey(`telegram:123456:1002~${tag}`, SECRET)).toBeUndefined();
		expect(verifyConversationKey(`telegram:654321:1001~${tag}`, SECRET)).toBeUndefined();
		expect(verifyConversationKey(`messenger:123456:1001~${tag}`, SECRET)).toBeUndefined();
		expect(verifyConversationKey(`${key}x`, SECRET)).toBeUndefined();
		expect(verifyConversationKey(key, '')).toBeUndefined();
		// different secrets give different keys: no one without the secret can name the chat in advance
		expect(conversationKey('telegram', '123456', '1001', 'another secret')).not.toBe(key);
	});

	it('refuses what is not a conversation key', () => {
		for (const value of [undefined, null, 42, '', 'support', 'telegram:123', 'telegram:1:2#3', 'Telegram:1:2']) {
			expect(parseConversationKey(value)).toBeUndefined();
		}
	});

	it('maps a message key to its channel message id only within its conversation', () => {
		const conversation = conversationKey('telegram', '123456', '1001', SECRET);
		const key = messageKey(conversation, '42');
		expect(key).toBe(`${conversation}#42`);
		expect(channelMessageIdOf(key, conversation)).toBe('42');
		expect(channelMessageIdOf(key, conversationKey('telegram', '123456', '100', SECRET))).toBeUndefined();
		expect(channelMessageIdOf(`${conversation}#`, conversation)).toBeUndefined();
		expect(channelMessageIdOf(null, conversation)).toBeUndefined();
		expect(channelMessageIdOf(noticeKey('m_1', 'created'), conversation)).toBeUndefined();
		expect(channelMessageIdOf(announcementKey(conversation), conversation)).toBeUndefined();
	});

	it('records every part an operator message became, as many as fit in 200 characters', () => {
		const conversation = conversationKey('telegram', '123456', '1001', SECRET);
		const key = messageKey(conversation, ['42', '43', '44']);
		expect(key).toBe(`${conversation}#42&43&44`);
		expect(channelMessageIdsOf(key, conversation)).toEqual(['42', '43', '44']);
		expect(channelMessageIdOf(key, conversation)).toBe('42');
		const many = messageKey(conversation, Array.from({ length: 100 }, (_, i) => String(1000 + i)));
		expect(many.length).toBeLessThanOrEqual(200);
		expect(channelMessageIdsOf(many, conversation)[0]).toBe('1000');
		expect(channelMessageIdsOf(many, conversation).length).toBeGreaterThan(30);
	});
});

describe("the bot's answer (Reply as Bot)", () => {
	it('is keyed by the customer message it answers, within TeamSpirit\'s 200 characters, and is never an operator message to send', () => {
		const conversation = conversationKey('telegram', '123456789', '1001', SECRET);
		const customer = messageKey(conversation, '42');
		expect(botReplyKey(customer)).toBe(`bot:${customer}`);
		expect(botReplyKey(messageKey(conversation, '43'))).not.toBe(botReplyKey(customer));
		const long = messageKey(conversation, 'x'.repeat(190));
		expect(botReplyKey(long)).toMatch(/^bot:[A-Za-z0-9_-]{43}$/);
		expect(botReplyKey(long)).toBe(botReplyKey(long));
		for (const key of [botReplyKey(customer), 'handover:c_1:1']) {
			expect(keyState(key, conversation, 'm_1')).toEqual({ kind: 'bridge' });
		}
	});
});

describe('TeamSpirit Trigger: Customer Conversations Only', () => {
	const delivery = (externalKey: string | null, event = 'message.created'): Delivery => ({
		event,
		eventId: 'evt_1',
		deliveryId: 'dlv_1',
		createdAt: '2026-11-27T00:00:00.000Z',
		chatId: 'c_1',
		data: { id: 'm_1', chatId: 'c_1', senderId: 'u_op', text: 'hi', chat: { id: 'c_1', title: 'T', externalKey, metadata: {} } },
	});
	const settings = (conversationChannels: string[]) => ({
		events: ['message.created', 'message.updated', 'chat.member_joined'],
		chatIds: [],
		ignoreOwnMessages: false,
		onlyMentions: false,
		conversationChannels,
	});

	it('passes only message events in conversation chats of the chosen channels', () => {
		expect(whyIgnored(delivery('telegram:1:2'), settings(['telegram']))).toBeUndefined();
		expect(whyIgnored(delivery('telegram:1:2', 'message.updated'), settings(['telegram', 'whatsapp']))).toBeUndefined();
		expect(whyIgnored(delivery('whatsapp:+1:+2'), settings(['telegram']))).toMatch(/not a conversation/);
		expect(whyIgnored(delivery(null), settings(['telegram']))).toMatch(/not a conversation/);
	});

	it('filters nothing when no channel is chosen', () => {
		expect(whyIgnored(delivery(null), settings([]))).toBeUndefined();
	});

	it('puts the chat on message items', () => {
		expect(toOutputJson(delivery('telegram:1:2')).chat).toEqual({ id: 'c_1', title: 'T', externalKey: 'telegram:1:2', metadata: {} });
	});
});
