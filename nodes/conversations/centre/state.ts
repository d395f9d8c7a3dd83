/**
 * A conversation's state, kept on its TeamSpirit chat's `metadata` beside the bridge's own fields
 * (`channel, account, conversationId, customer`; docs/conversations.md), as top-level fields so
 * that TeamSpirit can filter on them (`GET /chats?metadata.status=open`). Never only in n8n: every
 * process reads it from the chat.
 *
 * Two processes changing one conversation never lose an update: `changeConversation` writes the
 * whole metadata with `If-Match` on the chat's `version`, and on a `412` applies the change again
 * to the chat as TeamSpirit answers it (`error.current`).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { getChat, patchChat, type ConversationChat } from '../teamspirit';

/**
 * open: being answered (assigned, or announced in manual mode); pending: waiting in its queue for
 * a slot or for business hours; resolved; snoozed (until `snoozedUntil`).
 */
export type ConversationStatus = 'open' | 'pending' | 'resolved' | 'snoozed';

/**
 * Who answers the customer: the AI first line (`bot`: Reply as Bot sends, operators are not
 * routed) or the operators. Missing: `operator` (chats of queues without the bot, old chats).
 */
export type ConversationOwner = 'bot' | 'operator';

const STATUSES: readonly ConversationStatus[] = ['open', 'pending', 'resolved', 'snoozed'];

/** The moments a supervisor needs (ISO strings, or null while they have not happened). */
export interface ConversationTimes {
	createdAt: string | null;
	firstCustomerMessageAt: string | null;
	lastCustomerMessageAt: string | null;
	firstResponseAt: string | null;
	lastOperatorMessageAt: string | null;
	/** Cleared on reopen. */
	resolvedAt: string | null;
}

export interface ConversationRating {
	/** 1..5 */
	score: number;
	at: string;
}

export interface ConversationState {
	status: ConversationStatus;
	snoozedUntil: string | null;
	/** The TeamSpirit user id of the operator who has it, or null. */
	assigneeId: string | null;
	queue: string | null;
	times: ConversationTimes;
	rating: ConversationRating | null;
	ratingAskedAt: string | null;
	/** The start of the closed period an away reply was sent for. */
	awayRepliedFor: string | null;
	greeted: boolean;
	/**
	 * The last resolution with a closing message or rating question to send: its key (the command
	 * message's, the editor item's) and when they were sent (null: not yet, a rerun sends them).
	 */
	closing: ConversationClosing | null;
	owner: ConversationOwner;
	/** How many times the bot handed the conversation over (the handover's keys count them). */
	handovers: number;
	/**
	 * The last handover while its notice and Handover Message are not known to be sent (written
	 * with the ownership, removed once they are; handover.ts): a retry, or Process Due
	 * Conversations, finishes them under the handover's keys.
	 */
	handover: PendingHandover | null;
	/**
	 * The bot's answers (Reply as Bot), newest last, at most `MAX_BOT_REPLIES`: which bot message
	 * answers which customer message (TeamSpirit message ids), so a retry finds its answer after
	 * the answer's key changed to what it became (botReply.ts).
	 */
	botReplies: BotReplyRef[];
}

export interface BotReplyRef {
	/** The customer's message. */
	to: string;
	/** The bot's message that answers it. */
	id: string;
}

/** How many of the bot's answers a conversation remembers (metadata stays within 4096 bytes). */
export const MAX_BOT_REPLIES = 10;

function botRepliesOf(value: unknown): BotReplyRef[] {
	if (!Array.isArray(value)) return [];
	return value
		.map((r) => ({ to: text((r as IDataObject)?.to), id: text((r as IDataObject)?.id) }))
		.filter((r): r is BotReplyRef => r.to !== null && r.id !== null)
		.slice(-MAX_BOT_REPLIES);
}

export interface PendingHandover {
	/** The handover's number (`handovers` after it; its keys `handover:<chat>:<n>`). */
	n: number;
	/** The reason for the notice, at most `MAX_HANDOVER_REASON` characters. */
	reason: string;
	/** When the ownership changed. */
	at: string;
}

/** How much of a handover's reason the metadata keeps (it stays within 4096 bytes). */
export const MAX_HANDOVER_REASON = 200;

function handoverOf(value: unknown): PendingHandover | null {
	const h = value as { n?: unknown; reason?: unknown; at?: unknown } | null | undefined;
	const n = Number(h?.n);
	const at = text(h?.at);
	if (!Number.isSafeInteger(n) || n < 1 || !at) return null;
	return { n, reason: (text(h?.reason) ?? '').slice(0, MAX_HANDOVER_REASON), at };
}

export interface ConversationClosing {
	key: string;
	sentAt: string | null;
}

/** What a change sets: any fields, `times` field by field. */
export type StateChange = Partial<Omit<ConversationState, 'times'>> & {
	times?: Partial<ConversationTimes>;
};

const TIME_FIELDS: ReadonlyArray<keyof ConversationTimes> = [
	'createdAt',
	'firstCustomerMessageAt',
	'lastCustomerMessageAt',
	'firstResponseAt',
	'lastOperatorMessageAt',
	'resolvedAt',
];

const text = (value: unknown): string | null =>
	typeof value === 'string' && value !== '' ? value : null;

function ratingOf(value: unknown): ConversationRating | null {
	const rating = value as { score?: unknown; at?: unknown } | null | undefined;
	const score = Number(rating?.score);
	if (!Number.isInteger(score) || score < 1 || score > 5) return null;
	return { score, at: text(rating?.at) ?? '' };
}

/**
 * The state a chat's metadata holds. Chats made before the contact centre (or with a field a
 * client wrote wrongly) read as: status open, no assignee, no queue, no times but `createdAt`
 * (the chat's own), no rating, not greeted.
 */
export function stateOf(chat: { metadata?: unknown; createdAt?: unknown }): ConversationState {
	const m = (
		chat.metadata && typeof chat.metadata === 'object' ? chat.metadata : {}
	) as IDataObject;
	const t = (m.times && typeof m.times === 'object' ? m.times : {}) as IDataObject;
	const times = Object.fromEntries(
		TIME_FIELDS.map((f) => [f, text(t[f])]),
	) as unknown as ConversationTimes;
	times.createdAt ??= text(chat.createdAt);
	const status = STATUSES.includes(m.status as ConversationStatus)
		? (m.status as ConversationStatus)
		: 'open';
	return {
		status,
		snoozedUntil: status === 'snoozed' ? text(m.snoozedUntil) : null,
		assigneeId: text(m.assigneeId),
		queue: text(m.queue),
		times,
		rating: ratingOf(m.rating),
		ratingAskedAt: text(m.ratingAskedAt),
		awayRepliedFor: text(m.awayRepliedFor),
		greeted: m.greeted === true,
		closing: closingOf(m.closing),
		owner: m.owner === 'bot' ? 'bot' : 'operator',
		handovers: Number.isSafeInteger(m.handovers) ? Math.max(0, Number(m.handovers)) : 0,
		botReplies: botRepliesOf(m.botReplies),
		handover: handoverOf(m.handover),
	};
}

function closingOf(value: unknown): ConversationClosing | null {
	const closing = value as { key?: unknown; sentAt?: unknown } | null | undefined;
	const key = text(closing?.key);
	return key ? { key, sentAt: text(closing?.sentAt) } : null;
}

/** `state` with `change` applied (`times` merged field by field). */
function applyChange(state: ConversationState, change: StateChange): ConversationState {
	return { ...state, ...change, times: { ...state.times, ...change.times } };
}

/**
 * The chat's metadata with `state` written into it: every top-level field (null when empty, so a
 * filter on an empty value finds it), `times` without the moments that have not happened (the
 * metadata must stay within 4096 bytes); the bridge's own fields as they are.
 */
function metadataWith(metadata: IDataObject, state: ConversationState): IDataObject {
	const times = Object.fromEntries(
		TIME_FIELDS.filter((f) => state.times[f] !== null).map((f) => [f, state.times[f]]),
	);
	// a finished handover leaves nothing behind
	const kept = Object.fromEntries(
		Object.entries(metadata).filter(([field]) => field !== 'handover' && field !== 'handoverDue'),
	);
	return {
		...kept,
		status: state.status,
		snoozedUntil: state.status === 'snoozed' ? state.snoozedUntil : null,
		assigneeId: state.assigneeId,
		queue: state.queue,
		times,
		rating: state.rating,
		ratingAskedAt: state.ratingAskedAt,
		awayRepliedFor: state.awayRepliedFor,
		greeted: state.greeted,
		...(state.closing ? { closing: state.closing } : {}),
		// written once the bot had the conversation: a chat without it stays as it was
		...(state.owner === 'bot' || 'owner' in metadata ? { owner: state.owner } : {}),
		...(state.handovers > 0 ? { handovers: state.handovers } : {}),
		...(state.botReplies.length
			? { botReplies: state.botReplies as unknown as IDataObject[] }
			: {}),
		// `handoverDue` (top level) lets Process Due find them: `GET /chats?metadata.handoverDue=true`
		...(state.handover
			? { handover: { ...state.handover } as IDataObject, handoverDue: true }
			: {}),
	};
}

export interface Changed {
	/** The chat as TeamSpirit holds it after the change (or as read, when nothing changed). */
	chat: ConversationChat;
	before: ConversationState;
	after: ConversationState;
	/** Whether this call changed the chat (false: `change` wanted nothing, or nothing new). */
	changed: boolean;
}

/** How often a change is applied again after someone else changed the chat first. */
const MAX_ATTEMPTS = 5;

/**
 * Changes a conversation's state, without losing anyone else's change: `change` gets the state as
 * TeamSpirit holds it (and the chat) and returns the fields to set, or undefined for none. The
 * chat's metadata is written with `If-Match` on its version; when another client changed it first
 * (412), `change` runs again on the chat as it is now. `chatOrId`: a chat as read (with its
 * `version`; one without is read first), or its id.
 */
export async function changeConversation(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatOrId: string | ConversationChat,
	change: (state: ConversationState, chat: ConversationChat) => StateChange | undefined,
): Promise<Changed> {
	let chat =
		typeof chatOrId === 'string' || !Number.isSafeInteger(chatOrId.version)
			? await getChat(ctx, itemIndex, typeof chatOrId === 'string' ? chatOrId : chatOrId.id)
			: chatOrId;
	for (let attempt = 1; ; attempt++) {
		const before = stateOf(chat);
		const wanted = change(before, chat);
		const after = wanted ? applyChange(before, wanted) : before;
		const metadata = metadataWith(chat.metadata ?? {}, after);
		if (!wanted || sameJson(metadata, chat.metadata ?? {})) {
			return { chat, before, after, changed: false };
		}
		const version = Number.isSafeInteger(chat.version) ? chat.version : undefined;
		const answer = await patchChat(ctx, itemIndex, chat.id, { metadata }, version);
		if (answer.changed) return { chat: answer.chat, before, after, changed: true };
		// a write of ours that TeamSpirit took although its answer was lost (the transport sent it
		// again, and the second attempt found the version it made)
		if (ours(answer.chat, version, metadata)) {
			return { chat: answer.chat, before, after, changed: true };
		}
		if (attempt >= MAX_ATTEMPTS) throw tooBusy(ctx, itemIndex, chat.id);
		chat = answer.chat;
	}
}

function ours(current: ConversationChat, version: number | undefined, sent: IDataObject): boolean {
	return (
		version !== undefined && current.version === version + 1 && sameJson(current.metadata, sent)
	);
}

function tooBusy(ctx: IExecuteFunctions, itemIndex: number, chatId: string): NodeApiError {
	return new NodeApiError(
		ctx.getNode(),
		{ chatId },
		{
			message: `The conversation chat ${chatId} kept changing while this change was written`,
			description: `Others changed it ${MAX_ATTEMPTS} times in a row; run it again.`,
			httpCode: '412',
			itemIndex,
		},
	);
}

/** JSON equality with object keys in any order. */
function sameJson(a: unknown, b: unknown): boolean {
	return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sorted);
	if (!value || typeof value !== 'object') return value;
	return Object.fromEntries(
		Object.keys(value as object)
			.sort()
			.map((key) => [key, sorted((value as IDataObject)[key])]),
	);
}
