/**
 * Every key of the conversation bridge, in one place (docs/conversations.md). TeamSpirit stores
 * them (`externalKey` of chats and messages), so every n8n process finds the same chat, a message
 * posted twice is posted once, and exactly one execution sends an operator message. Process memory
 * only caches what these keys say (a stale entry falls back to them).
 *
 * Chats: `<channel>:<account>:<conversation>~<tag>` (`conversationKey`), signed, set once when
 * the chat is created (TeamSpirit never changes a chat's key).
 *
 * Messages the bridge posts (never sent to a customer):
 * - a customer's message: `<conversation key>#<channel message id>` (`messageKey`);
 * - a notice about an operator message: `notice:<message id>:<what>` (`noticeKey`);
 * - a new conversation's announcement in the team chat: `announce:<conversation key>`;
 * - the bot's answer to a customer message (Reply as Bot): `bot:<customer message key>`, then
 *   claimed, sent and recorded like an operator message (below); a handover's notices:
 *   `handover:<chat id>:<n>`.
 *
 * An operator message's key is its delivery state (`keyState`):
 *
 *                      claim: PATCH If-Match <version>
 *   (none) ─────────────────────────────┐      (one of two racing executions wins; the
 *   no key, or another integration's   │       other gets 412 and reads the new state)
 *                                       ▼
 *   unsent:<id> ──── claim again ──▶ pending:<id>:<until>:<token>  ◀─┐ renew (new until)
 *      ▲                                 │   │   │                   │ before each part
 *      │ channel refused, nothing sent   │   │   └───────────────────┘
 *      └─────────────────────────────────┘   │
 *                                            ├── parts sent ──▶ <conversation key>#<id>&<id>…
 *                                            │                  (sent: what it became; edits,
 *                                            │                  deletes and replies find it)
 *                                            ├── answer lost ──▶ pending:<id>
 *                                            │                  (may have arrived: never again)
 *                                            └── until passed ─▶ read as pending:<id>
 *                                                               (its holder stopped)
 *
 * An operator command (a created message whose text starts with `/<letters>`, or a private note
 * written with the queue's note prefix; centre/commands/) is never sent; exactly one execution
 * runs it, the one whose conditional write of its key wins:
 *
 *   (none) ── claim: PATCH {externalKey: "command:<id>"} If-Match <version> ──▶ command:<id>
 *             (412: another execution claimed it, or the operator edited it: read again)
 *
 * `command:<id>` is final: done, or being done by its claimer (answered by the notice
 * `notice:<id>:command`). Only the claimer's own process runs it again (a retry of that
 * execution, commands/claim.ts `ownCommands`). `/r <shortcut>` is the one command that sends: it
 * goes through the operator message's own claim above, with the canned text.
 *
 * `until` is wall-clock time (ms since the epoch: every process reads it). The holder's own process
 * remembers its token (claims.ts `ownClaims`) and takes the claim back on a retry; the parts the
 * channel already accepted for that send are remembered beside it (channels/memory.ts
 * `acceptedParts`, by `acceptKey` `teamspirit:<id>:message.created::text|file:<n>`), so the
 * retry records them instead of sending them again. A deleted message (404) ends every path.
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';

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

/** An operator command, claimed by the execution that runs it (run once, never sent). */
export const commandKey = (teamSpiritMessageId: string): string => `command:${teamSpiritMessageId}`;

/** A private note the bot posts for the editor's Add Note (posted once per note and chat). */
export const noteKey = (chatId: string, digest: string): string => `note:${chatId}:${digest}`;

/**
 * The bot's answer to a customer's message (Reply as Bot): `bot:<the customer message's key>`, so
 * one customer message gets one answer whatever retries it, until the bot's message is claimed
 * and sent like an operator message (then its key says what it became). Too long for TeamSpirit:
 * a digest of it.
 */
export function botReplyKey(customerMessageKey: string): string {
	const key = `bot:${customerMessageKey}`;
	if (key.length <= MAX_KEY_LENGTH) return key;
	return `bot:${createHash('sha256').update(customerMessageKey).digest('base64url')}`;
}

/** The `n`th handover of a conversation chat to the operators (its notice and message, once). */
export const handoverKey = (chatId: string, n: number): string => `handover:${chatId}:${n}`;

/** The announcement of a new conversation in the team chat (posted once). */
export const announcementKey = (conversation: string): string => `announce:${conversation}`;

// ---------------------------------------------------------------------------
// An operator message's state
// ---------------------------------------------------------------------------

export type KeyState =
	| { kind: 'none' }
	| { kind: 'sent'; channelMessageIds: string[] }
	| { kind: 'claimed'; until: number; token: string }
	| { kind: 'uncertain' }
	| { kind: 'unsent' }
	/** The bridge's own post (a customer's message, a notice, an announcement, a note). */
	| { kind: 'bridge' }
	/** An operator command, claimed by the execution that runs it (never sent). */
	| { kind: 'command' };

/** Certainly not sent (the channel refused): a retry may claim it again. */
export const unsentKey = (messageId: string) => `unsent:${messageId}`;
/** May or may not have reached the customer (the channel's answer was lost): never sent again. */
export const uncertainKey = (messageId: string) => `pending:${messageId}`;
/** Claimed by the execution holding `token` until `until` (ms since the epoch). */
export const claimKey = (messageId: string, until: number, token: string) =>
	`pending:${messageId}:${until}:${token}`;

/** What an operator message's key says about it, in the conversation `conversation`. */
export function keyState(key: unknown, conversation: string, messageId: string): KeyState {
	if (typeof key !== 'string' || !key) return { kind: 'none' };
	const sent = channelMessageIdsOf(key, conversation);
	if (sent.length) return { kind: 'sent', channelMessageIds: sent };
	if (key === unsentKey(messageId)) return { kind: 'unsent' };
	if (key === uncertainKey(messageId)) return { kind: 'uncertain' };
	const claim = /^pending:([^:]+):(\d+):([A-Za-z0-9_-]+)$/.exec(key);
	if (claim && claim[1] === messageId) {
		return { kind: 'claimed', until: Number(claim[2]), token: claim[3] };
	}
	if (key === commandKey(messageId)) return { kind: 'command' };
	if (/^(pending|unsent|notice|announce|command|note|bot|handover):/.test(key)) {
		return { kind: 'bridge' };
	}
	const hash = key.indexOf('#');
	if (hash > 0 && parseConversationKey(key.slice(0, hash))) return { kind: 'bridge' };
	// another integration's key: the bridge has not sent this message
	return { kind: 'none' };
}

/** Whether an operator message is one the bridge has yet to send (for the catch-up). */
export function notYetSent(key: unknown, conversation: string, messageId: string): boolean {
	return keyState(key, conversation, messageId).kind === 'none';
}

/** Whether the state lets an execution claim the message (nothing sent, or certainly not sent). */
export const claimable = (state: KeyState) => state.kind === 'none' || state.kind === 'unsent';

/**
 * `queue:<name lowercased>~<tag>`: the chat that holds a contact-centre queue's settings
 * (centre/queues.ts), signed like a conversation key so no one without n8n's credential can
 * plant a queue's settings in advance.
 */
export function queueKey(name: string, secret: string): string {
	const base = `queue:${name.trim().toLowerCase()}`;
	return `${base}~${keyTag(base, secret)}`;
}
