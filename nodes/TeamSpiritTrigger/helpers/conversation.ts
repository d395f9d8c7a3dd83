/**
 * Conversation Changed: what one `chat.updated` delivery of a customer conversation chat means,
 * read from the conversation state on the chat's metadata before and after the change
 * (README "Contact centre"; docs/teamspirit-api.md "chat.updated"), for chats whose key the
 * conversation bridge signed only. Pure functions.
 */
import type { IDataObject } from 'n8n-workflow';

import { verifyConversationKey, type ParsedConversationKey } from '../../conversations/keys';
import type { Delivery } from './delivery';

/** The kinds of change, in the order a delivery's items come in. */
const CONVERSATION_CHANGES = [
	'opened',
	'reopened',
	'transferred',
	'assigned',
	'snoozed',
	'resolved',
	'rated',
] as const;
export type ConversationChange = (typeof CONVERSATION_CHANGES)[number];

interface StateView {
	/** `open` when the metadata has none (a chat made before the contact centre). */
	status: string;
	/** Whether the metadata has a status at all. */
	hasStatus: boolean;
	assigneeId: string | null;
	queue: string | null;
	snoozedUntil: string | null;
	rating: IDataObject | null;
}

const objectOf = (value: unknown): IDataObject =>
	value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : {};
const textOf = (value: unknown): string | null =>
	typeof value === 'string' && value !== '' ? value : null;

function stateView(metadata: IDataObject): StateView {
	const status = textOf(metadata.status);
	const rating = objectOf(metadata.rating);
	return {
		status: status ?? 'open',
		hasStatus: status !== null,
		assigneeId: textOf(metadata.assigneeId),
		queue: textOf(metadata.queue),
		snoozedUntil: textOf(metadata.snoozedUntil),
		rating: Object.keys(rating).length ? rating : null,
	};
}

/** The chat and the metadata before and after, from a `chat.updated` delivery's data. */
function sidesOf(data: IDataObject): {
	chat: IDataObject;
	before: IDataObject;
	after: IDataObject;
} {
	const chat = objectOf(data.chat);
	return {
		chat,
		before: objectOf(objectOf(data.previous).metadata),
		after: objectOf(chat.metadata),
	};
}

/** The chat's metadata names a channel and a conversation (what a conversation chat holds). */
function namesConversation(data: IDataObject): boolean {
	const { after } = sidesOf(data);
	return textOf(after.channel) !== null && textOf(after.conversationId) !== null;
}

/**
 * The conversation of a `chat.updated` delivery, when its chat is a customer conversation chat:
 * its key carries the bridge's signature (`secret`: the credential's conversation secret; an HMAC,
 * no request) and its metadata names the conversation. Anyone with API access can make a chat
 * with any metadata: that alone makes no chat a conversation.
 */
export function conversationOfUpdate(
	data: IDataObject,
	secret: string,
): ParsedConversationKey | undefined {
	if (!namesConversation(data)) return undefined;
	return verifyConversationKey(sidesOf(data).chat.externalKey, secret);
}

const differ = (a: string | null, b: string | null): boolean => a !== null && b !== null && a !== b;

function changesBetween(before: StateView, after: StateView): ConversationChange[] {
	const became = (status: string) => after.status === status && before.status !== status;
	const active = after.status === 'open' || after.status === 'pending';
	const found: Record<ConversationChange, boolean> = {
		// a new conversation got its first status: being answered, or waiting in its queue (once)
		opened: !before.hasStatus && after.hasStatus && active,
		// back from resolved or snoozed: being answered again, or waiting in its queue for it
		reopened: active && before.hasStatus && ['resolved', 'snoozed'].includes(before.status),
		transferred: differ(before.queue, after.queue) || differ(before.assigneeId, after.assigneeId),
		assigned: after.assigneeId !== null && after.assigneeId !== before.assigneeId,
		snoozed:
			after.status === 'snoozed' &&
			(before.status !== 'snoozed' || before.snoozedUntil !== after.snoozedUntil),
		resolved: became('resolved'),
		rated: after.rating !== null && JSON.stringify(after.rating) !== JSON.stringify(before.rating),
	};
	return CONVERSATION_CHANGES.filter((change) => found[change]);
}

/**
 * The changes a `chat.updated` delivery reports (none for a chat whose metadata names no
 * conversation; whether its key is signed, `conversationOfUpdate` says).
 */
export function conversationChanges(data: IDataObject): ConversationChange[] {
	if (!namesConversation(data)) return [];
	const { before, after } = sidesOf(data);
	return changesBetween(stateView(before), stateView(after));
}

/** One output item: one change of the conversation, with its state now and before. */
export function conversationItem(delivery: Delivery, change: ConversationChange): IDataObject {
	const { data } = delivery;
	const { chat, before, after } = sidesOf(data);
	const now = stateView(after);
	const was = stateView(before);
	const pick = ({ status, assigneeId, queue, snoozedUntil, rating }: StateView) => ({
		status,
		assigneeId,
		queue,
		snoozedUntil,
		rating,
	});
	return {
		event: delivery.event,
		change,
		eventId: delivery.eventId ?? null,
		deliveryId: delivery.deliveryId ?? null,
		createdAt: delivery.createdAt ?? null,
		chatId: delivery.chatId ?? null,
		conversation: {
			channel: textOf(after.channel),
			account: after.account ?? null,
			conversationId: textOf(after.conversationId),
			customer: after.customer ?? null,
		},
		...pick(now),
		times: after.times ?? null,
		previous: pick(was),
		actorId: data.actorId ?? null,
		version: chat.version ?? null,
		// the whole delivery: the chat after the change, and title, metadata, members before it
		update: data,
	};
}
