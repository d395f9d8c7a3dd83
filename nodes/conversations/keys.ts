/**
 * The keys that tie a customer conversation to its TeamSpirit chat and each channel message to
 * its TeamSpirit message (docs/conversations.md). TeamSpirit stores them (`externalKey` of chats
 * and messages), so every n8n process finds the same chat, and a message posted twice is posted
 * once.
 */
import { createHmac, timingSafeEqual } from 'crypto';

/**
 * `<channel>:<account>:<conversation>~<tag>`: the chat of one customer at one bot / number / page.
 * The tag is an HMAC of the rest with a secret only n8n holds (the TeamSpirit credential's), so
 * the key of a customer's chat cannot be guessed in advance, and a chat whose key does not verify
 * was not opened by the bridge: nothing is sent from it (docs/conversations.md).
 */
export function conversationKey(
	channel: string,
	account: string,
	conversation: string,
	secret: string,
): string {
	const base = `${channel}:${account}:${conversation}`;
	return `${base}~${keyTag(base, secret)}`;
}

function keyTag(base: string, secret: string): string {
	return createHmac('sha256', secret)
		.update(`n8n-nodes-teamspirit conversation\n${base}`)
		.digest('base64url')
		.slice(0, 16);
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

export interface ParsedConversationKey {
	channel: string;
	account: string;
	conversation: string;
	/** Missing on keys made before the bridge signed them (those chats are not trusted). */
	tag?: string;
}

/**
 * The parts of what looks like a conversation key, signed or not: it says which chats look like
 * the bridge's. Only `verifyConversationKey` says a chat is one.
 */
export function parseConversationKey(key: unknown): ParsedConversationKey | undefined {
	if (typeof key !== 'string') return undefined;
	const match = /^([a-z][a-z0-9_-]*):([^:#~]+):([^#~]+)(?:~([A-Za-z0-9_-]+))?$/.exec(key);
	if (!match) return undefined;
	const parsed: ParsedConversationKey = {
		channel: match[1],
		account: match[2],
		conversation: match[3],
	};
	if (match[4] !== undefined) parsed.tag = match[4];
	return parsed;
}

/** The parts of a conversation key the bridge signed with `secret`; undefined for any other. */
export function verifyConversationKey(
	key: unknown,
	secret: string,
): ParsedConversationKey | undefined {
	const parsed = parseConversationKey(key);
	if (!parsed?.tag || !secret) return undefined;
	const expected = Buffer.from(
		keyTag(`${parsed.channel}:${parsed.account}:${parsed.conversation}`, secret),
	);
	const given = Buffer.from(parsed.tag);
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
	return parsed;
}

/** The bridge's own notice about one TeamSpirit message event (posted once). */
export const noticeKey = (teamSpiritMessageId: string, what: string): string =>
	`notice:${teamSpiritMessageId}:${what}`;

/** The announcement of a new conversation in the team chat (posted once). */
export const announcementKey = (conversation: string): string => `announce:${conversation}`;
