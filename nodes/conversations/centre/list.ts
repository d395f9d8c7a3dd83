/**
 * The conversations as the editor's operations see them (Get, Get Many, Get Statistics): the
 * conversation chats the bot is a member of, read page by page (`GET /chats`, 100 a page) with
 * `metadata.<field>=` filters where they narrow the read. Only chats whose key the bridge signed
 * count (keys.ts `verifyConversationKey`): metadata anyone with API access could write does not
 * make a chat a conversation. The filters are checked again on what comes back, the channel
 * against the signed key.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { verifyConversationKey, type ParsedConversationKey } from '../keys';
import { conversationSecret, listChats, type ConversationChat } from '../teamspirit';
import { stateOf, type ConversationState, type ConversationStatus } from './state';

export interface Conversation {
	chat: ConversationChat;
	key: ParsedConversationKey;
	state: ConversationState;
}

export interface ConversationFilter {
	/** Only this channel's conversations (the signed key says which channel). */
	channel?: string;
	status?: ConversationStatus;
	/** A user id; null: unassigned only. */
	assigneeId?: string | null;
	queue?: string;
	/** The customer's conversation ID on `channel` (as the Chat Channel Trigger gives it). */
	conversationId?: string;
}

/** A read of every conversation chat stops after this many pages (100 chats each). */
const MAX_PAGES = 2000;

/** The `metadata.<field>=` filters of `GET /chats` the server can apply. */
function metadataOf(filter: ConversationFilter): Record<string, string> {
	const metadata: Record<string, string> = {};
	if (filter.channel) metadata.channel = filter.channel;
	if (filter.conversationId) metadata.conversationId = filter.conversationId;
	if (filter.queue) metadata.queue = filter.queue;
	if (filter.assigneeId !== undefined) metadata.assigneeId = filter.assigneeId ?? '';
	// a chat made before the contact centre has no status and is open: no server filter for it
	if (filter.status && filter.status !== 'open') metadata.status = filter.status;
	return metadata;
}

function matches(c: Conversation, filter: ConversationFilter): boolean {
	const { state, key } = c;
	if (filter.channel && key.channel !== filter.channel) return false;
	if (filter.status && state.status !== filter.status) return false;
	if (filter.assigneeId !== undefined && state.assigneeId !== filter.assigneeId) return false;
	if (filter.queue && state.queue !== filter.queue) return false;
	if (filter.conversationId && c.chat.metadata.conversationId !== filter.conversationId)
		return false;
	return true;
}

/** The conversation of a chat, when the bridge signed its key. */
export function conversationOfChat(
	chat: ConversationChat,
	secret: string,
): Conversation | undefined {
	const key = verifyConversationKey(chat.externalKey, secret);
	if (!key) return undefined;
	return { chat: { ...chat, metadata: chat.metadata ?? {} }, key, state: stateOf(chat) };
}

/**
 * Only the chats whose key the bridge signed (a listed chat's metadata, e.g. `status: pending` or
 * `assigneeId`, can be written by anyone with API access: it makes no chat a conversation).
 */
export async function signedOnly(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chats: ConversationChat[],
): Promise<ConversationChat[]> {
	const secret = await conversationSecret(ctx, itemIndex);
	return chats.filter((chat) => verifyConversationKey(chat.externalKey, secret) !== undefined);
}

/**
 * Calls `visit` with each conversation that passes `filter`, oldest chat first, until it returns
 * false or every chat is read. Returns the number of `GET /chats` requests made.
 */
export async function eachConversation(
	ctx: IExecuteFunctions,
	itemIndex: number,
	filter: ConversationFilter,
	visit: (conversation: Conversation) => boolean | void,
): Promise<number> {
	const secret = await conversationSecret(ctx, itemIndex);
	const metadata = metadataOf(filter);
	let cursor: string | null = null;
	let pages = 0;
	do {
		if (++pages > MAX_PAGES) throw tooMany(ctx, itemIndex);
		const page = await listChats(ctx, itemIndex, {
			metadata,
			limit: 100,
			...(cursor ? { cursor } : {}),
		});
		for (const chat of page.items) {
			const conversation = conversationOfChat(chat, secret);
			if (conversation && matches(conversation, filter) && visit(conversation) === false)
				return pages;
		}
		cursor = page.nextCursor && page.nextCursor !== cursor ? page.nextCursor : null;
	} while (cursor);
	return pages;
}

function tooMany(ctx: IExecuteFunctions, itemIndex: number): NodeApiError {
	return new NodeApiError(
		ctx.getNode(),
		{},
		{
			message: `Stopped reading the conversation chats after ${MAX_PAGES} pages`,
			description: 'Narrow the request with filters (channel, status, queue).',
			itemIndex,
		},
	);
}

/**
 * A conversation as the editor's operations output it: the chat, the customer and the state
 * (a chat made before the contact centre: open, begun when the chat was made; state.ts).
 */
export function conversationView({ chat, key, state }: Conversation): IDataObject {
	return {
		chatId: chat.id,
		chatTitle: chat.title,
		channel: key.channel,
		account: key.account,
		conversationId: String(chat.metadata.conversationId ?? key.conversation),
		customer: (chat.metadata.customer as IDataObject | undefined) ?? null,
		status: state.status,
		// who answers the customer: the bot (the AI first line) or the operators
		owner: state.owner,
		assigneeId: state.assigneeId,
		queue: state.queue,
		snoozedUntil: state.snoozedUntil,
		times: state.times,
		rating: state.rating,
	};
}
