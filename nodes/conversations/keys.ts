/**
 * The keys that tie a customer conversation to its TeamSpirit chat and each channel message to
 * its TeamSpirit message (docs/conversations.md). TeamSpirit stores them (`externalKey` of chats
 * and messages), so every n8n process finds the same chat, and a message posted twice is posted
 * once.
 */

/** `<channel>:<account>:<conversation>`: the chat of one customer at one bot / number / page. */
export function conversationKey(channel: string, account: string, conversation: string): string {
	return `${channel}:${account}:${conversation}`;
}

/** The most characters TeamSpirit keeps in an `externalKey`. */
const MAX_KEY_LENGTH = 200;

/**
 * `<conversation key>#<channel message id>`. An operator message that became several channel
 * messages (a long text, text and files) records them all, `#<id>&<id>…`, as many as fit, so that
 * deleting it deletes every part; a customer's reply is mapped only to a single-part message.
 */
export function messageKey(conversation: string, channelMessageIds: string | string[]): string {
	const [first, ...rest] = Array.isArray(channelMessageIds)
		? channelMessageIds
		: [channelMessageIds];
	let key = `${conversation}#${first}`;
	for (const id of rest) {
		if (key.length + id.length + 1 > MAX_KEY_LENGTH) break;
		key += `&${id}`;
	}
	return key;
}

/** Every channel message id a message key names, when the key belongs to `conversation`. */
export function channelMessageIdsOf(key: unknown, conversation: string): string[] {
	if (typeof key !== 'string' || !key.startsWith(`${conversation}#`)) return [];
	return key
		.slice(conversation.length + 1)
		.split('&')
		.filter(Boolean);
}

/** The (first) channel message id a message key names, when the key belongs to `conversation`. */
export function channelMessageIdOf(key: unknown, conversation: string): string | undefined {
	return channelMessageIdsOf(key, conversation)[0];
}

/** The channel and account of a conversation key (the rest is the conversation). */
export function parseConversationKey(
	key: unknown,
): { channel: string; account: string; conversation: string } | undefined {
	if (typeof key !== 'string') return undefined;
	const match = /^([a-z][a-z0-9_-]*):([^:#]+):([^#]+)$/.exec(key);
	if (!match) return undefined;
	return { channel: match[1], account: match[2], conversation: match[3] };
}

/** The bridge's own notice about one TeamSpirit message event (posted once). */
export const noticeKey = (teamSpiritMessageId: string, what: string): string =>
	`notice:${teamSpiritMessageId}:${what}`;

/** The announcement of a new conversation in the team chat (posted once). */
export const announcementKey = (conversation: string): string => `announce:${conversation}`;
