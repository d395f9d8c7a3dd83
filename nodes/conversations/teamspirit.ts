/**
 * The TeamSpirit calls of the customer-conversation bridge (docs/conversations.md), through the
 * package's one TeamSpirit transport. Every write carries an `externalKey`, so a repeated call
 * (a retried execution, a second n8n process) finds what the first one made instead of making it
 * twice.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { BinaryStream, UploadSource } from '../shared/binary';
import { channelMessageIdsOf } from './keys';
import { bots, cacheKey } from './caches';
import {
	conversationSecretOf,
	credentialIdentityOf,
	teamSpiritApiRequest,
	teamSpiritApiRequestAllItems,
} from '../shared/teamspirit/transport';
import { segment } from '../shared/teamspirit/utils';

export interface ConversationChat extends IDataObject {
	id: string;
	title: string;
	externalKey: string | null;
	metadata: IDataObject;
	/** 1 on create, +1 on every change of title, metadata or members (`If-Match` on PATCH). */
	version?: number;
	memberIds?: string[];
}

export interface NewChat {
	key: string;
	title: string;
	memberIds: string[];
	metadata: IDataObject;
}

/** The secret the bridge signs its chats' keys with (keys.ts `conversationKey`). */
export async function conversationSecret(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<string> {
	return await conversationSecretOf.call(ctx, itemIndex);
}

/**
 * The chat of a conversation, created on its first message. Creating is the lookup: a chat with
 * this key that exists answers 409 with the chat, so two first messages at the same moment (in
 * two executions or two n8n processes) end in one chat.
 */
export async function ensureChat(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chat: NewChat,
): Promise<{ chat: ConversationChat; created: boolean }> {
	const answer = await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: '/chats',
		body: {
			type: 'group',
			title: chat.title,
			memberIds: chat.memberIds,
			externalKey: chat.key,
			metadata: chat.metadata,
		},
		// safe to resend: the key makes a second creation a 409 with the chat
		idempotent: true,
		expectStatuses: [409],
		itemIndex,
	});
	if (answer.statusCode !== 409) return { chat: answer as ConversationChat, created: true };
	const existing = ((answer.body as IDataObject)?.error as IDataObject | undefined)?.chat;
	if (existing && typeof existing === 'object') {
		return { chat: existing as ConversationChat, created: false };
	}
	const found = await findChat(ctx, itemIndex, chat.key);
	if (!found) {
		throw new NodeApiError(
			ctx.getNode(),
			{},
			{
				message: `TeamSpirit said a chat with the key "${chat.key}" exists but does not show it`,
				description: 'Check that the bot is a member of that chat.',
				itemIndex,
			},
		);
	}
	return { chat: found, created: false };
}

export async function findChat(
	ctx: IExecuteFunctions,
	itemIndex: number,
	key: string,
): Promise<ConversationChat | undefined> {
	const page = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: '/chats',
		qs: { externalKey: key, limit: 1 },
		itemIndex,
	});
	const [chat] = (page.items as ConversationChat[] | undefined) ?? [];
	return chat;
}

export async function getChat(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
): Promise<ConversationChat> {
	return (await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}`,
		itemIndex,
	})) as ConversationChat;
}

/** The message of `chatId` with this key, if there is one. */
export async function findMessage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	key: string,
): Promise<IDataObject | undefined> {
	const page = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}/messages`,
		qs: { externalKey: key, limit: 1 },
		itemIndex,
	});
	const [message] = (page.items as IDataObject[] | undefined) ?? [];
	return message;
}

export async function getMessage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	messageId: string,
): Promise<IDataObject> {
	return await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}/messages/${segment(messageId)}`,
		itemIndex,
	});
}

/**
 * Posts a message under its key: TeamSpirit answers a key it has seen with the message it already
 * has (200) and creates nothing, forever, so resending is always safe.
 */
export async function postMessage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	body: IDataObject & { externalKey: string },
): Promise<IDataObject> {
	return await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: `/chats/${segment(chatId)}/messages`,
		body,
		idempotent: true,
		itemIndex,
	});
}

/**
 * Posts a message under its key and says whether it is new (`201`) or the chat already had a
 * message with that key (`200`, the message as it is now; nothing else of the body counts).
 */
export async function postKeyed(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	body: IDataObject & { externalKey: string },
): Promise<{ message: IDataObject; created: boolean }> {
	const answer = await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: `/chats/${segment(chatId)}/messages`,
		body,
		idempotent: true,
		expectStatuses: [200, 201],
		itemIndex,
	});
	return { message: answer.body as IDataObject, created: answer.statusCode === 201 };
}

/** The credential's identity at its server (for the caches, caches.ts). */
export async function identityOf(ctx: IExecuteFunctions, itemIndex: number): Promise<string> {
	return await credentialIdentityOf.call(ctx, itemIndex);
}

export async function patchMessage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	messageId: string,
	body: IDataObject,
): Promise<IDataObject> {
	return await teamSpiritApiRequest.call(ctx, {
		method: 'PATCH',
		path: `/chats/${segment(chatId)}/messages/${segment(messageId)}`,
		body,
		itemIndex,
	});
}

/**
 * Changes a message only while it is still at `version` (`If-Match`): `changed` false, with the
 * message as it is now, when another client changed it first (TeamSpirit's 412).
 */
export async function patchMessageIf(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	messageId: string,
	body: IDataObject,
	version: number,
): Promise<{ changed: boolean; message: IDataObject }> {
	const answer = await teamSpiritApiRequest.call(ctx, {
		method: 'PATCH',
		path: `/chats/${segment(chatId)}/messages/${segment(messageId)}`,
		body,
		ifMatch: version,
		expectStatuses: [412],
		itemIndex,
	});
	if (answer.statusCode !== 412) return { changed: true, message: answer };
	const current = ((answer.body as IDataObject)?.error as IDataObject | undefined)?.current;
	return { changed: false, message: (current ?? {}) as IDataObject };
}

/** A TeamSpirit file as an upload source for a channel: streamed, never held whole. */
export function fileSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
	file: IDataObject,
): UploadSource {
	return {
		fileName: String(file.name ?? 'file'),
		mimeType: String(file.mimeType ?? 'application/octet-stream'),
		size: typeof file.size === 'number' ? file.size : undefined,
		open: async () =>
			(await teamSpiritApiRequest.call(ctx, {
				method: 'GET',
				path: `/files/${segment(String(file.id))}/content`,
				responseType: 'stream',
				itemIndex,
			})) as unknown as BinaryStream,
	};
}

/** A public, unguessable link to a file's bytes that stops working after `seconds`. */
export async function fileLink(
	ctx: IExecuteFunctions,
	itemIndex: number,
	fileId: string,
	seconds: number,
): Promise<string> {
	const link = await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: `/files/${segment(fileId)}/links`,
		body: { expiresInSeconds: seconds },
		// a second link for the same file harms nothing
		idempotent: true,
		itemIndex,
	});
	return String(link.url);
}

/** A user's display name, or undefined when TeamSpirit does not tell it. */
export async function userName(
	ctx: IExecuteFunctions,
	itemIndex: number,
	userId: string,
): Promise<string | undefined> {
	try {
		const user = await teamSpiritApiRequest.call(ctx, {
			method: 'GET',
			path: `/users/${segment(userId)}`,
			itemIndex,
		});
		return typeof user.name === 'string' && user.name.trim() ? user.name.trim() : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The recent message of a chat whose key names `channelMessageId` (an operator message that became
 * it), searching the newest `limit` messages: a delivery failure is reported minutes after sending.
 */
export async function findSentMessage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	conversation: string,
	channelMessageId: string,
	limit = 100,
): Promise<IDataObject | undefined> {
	const page = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}/messages`,
		qs: { limit },
		itemIndex,
	});
	return ((page.items as IDataObject[] | undefined) ?? []).find((message) =>
		channelMessageIdsOf(message.externalKey, conversation).includes(channelMessageId),
	);
}

/** The newest `limit` messages of a chat, newest first. */
export async function recentMessages(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	limit: number,
): Promise<IDataObject[]> {
	const page = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}/messages`,
		qs: { limit },
		itemIndex,
	});
	return (page.items as IDataObject[] | undefined) ?? [];
}

/** The bot's user id and username (the API key's user); kept 10 minutes per credential. */
export async function botOf(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<{ id: string; username: string }> {
	const key = cacheKey(await identityOf(ctx, itemIndex));
	const known = bots.get(key);
	if (known) return known;
	const me = await teamSpiritApiRequest.call(ctx, { method: 'GET', path: '/me', itemIndex });
	const bot = { id: String(me.id ?? ''), username: String(me.username ?? '') };
	bots.set(key, bot);
	return bot;
}

/**
 * Changes a chat's title and/or metadata (`metadata` replaces the whole object). With `version`,
 * only while the chat is still at it (`If-Match`): `changed` false, with the chat as it is now,
 * when another client changed it first (TeamSpirit's 412).
 */
export async function patchChat(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	body: { title?: string; metadata?: IDataObject },
	version?: number,
): Promise<{ changed: boolean; chat: ConversationChat }> {
	const answer = await teamSpiritApiRequest.call(ctx, {
		method: 'PATCH',
		path: `/chats/${segment(chatId)}`,
		body,
		ifMatch: version,
		expectStatuses: [412],
		itemIndex,
	});
	if (answer.statusCode !== 412) return { changed: true, chat: answer as ConversationChat };
	const current = ((answer.body as IDataObject)?.error as IDataObject | undefined)?.current;
	return { changed: false, chat: (current ?? {}) as ConversationChat };
}

/** What `GET /chats` filters on: `metadata.<field>=<value>` (exact; empty: missing), title. */
export interface ChatFilters {
	/** Top-level metadata fields, ANDed; an empty string matches a missing, null or "" field. */
	metadata?: Record<string, string | number | boolean>;
	/** A case-insensitive substring of the title. */
	query?: string;
}

function chatQuery(filters: ChatFilters): IDataObject {
	const qs: IDataObject = {};
	for (const [field, value] of Object.entries(filters.metadata ?? {})) {
		qs[`metadata.${field}`] = String(value);
	}
	if (filters.query) qs.query = filters.query;
	return qs;
}

/** One page of the bot's chats that match `filters`, oldest first. */
export async function listChats(
	ctx: IExecuteFunctions,
	itemIndex: number,
	filters: ChatFilters & { limit?: number; cursor?: string },
): Promise<{ items: ConversationChat[]; nextCursor: string | null }> {
	const qs = chatQuery(filters);
	if (filters.limit !== undefined) qs.limit = filters.limit;
	if (filters.cursor) qs.cursor = filters.cursor;
	const page = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: '/chats',
		qs,
		itemIndex,
	});
	return {
		items: (page.items as ConversationChat[] | undefined) ?? [],
		nextCursor: typeof page.nextCursor === 'string' ? page.nextCursor : null,
	};
}

/** Every chat that matches `filters` (all pages; at most `limit` when given). */
export async function listAllChats(
	ctx: IExecuteFunctions,
	itemIndex: number,
	filters: ChatFilters,
	limit?: number,
): Promise<ConversationChat[]> {
	return (await teamSpiritApiRequestAllItems.call(
		ctx,
		'/chats',
		chatQuery(filters),
		limit,
		itemIndex,
	)) as ConversationChat[];
}

/** Adds users to a chat (users already in it are ignored): the chat as it is now. */
export async function addMembers(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	userIds: string[],
): Promise<ConversationChat> {
	return (await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: `/chats/${segment(chatId)}/members`,
		body: { userIds },
		// adding a member twice changes nothing
		idempotent: true,
		itemIndex,
	})) as ConversationChat;
}

export interface TeamSpiritUser {
	id: string;
	name: string;
	username: string;
	isBot?: boolean;
}

/** Users whose name or username contains `query` (case-insensitive), at most `limit`. */
export async function findUsers(
	ctx: IExecuteFunctions,
	itemIndex: number,
	query: string,
	limit = 100,
): Promise<TeamSpiritUser[]> {
	return (await teamSpiritApiRequestAllItems.call(
		ctx,
		'/users',
		{ query },
		limit,
		itemIndex,
	)) as unknown as TeamSpiritUser[];
}

/** A user, or undefined when TeamSpirit has no user with this id. */
export async function getUser(
	ctx: IExecuteFunctions,
	itemIndex: number,
	userId: string,
): Promise<TeamSpiritUser | undefined> {
	const answer = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/users/${segment(userId)}`,
		expectStatuses: [404],
		itemIndex,
	});
	return answer.statusCode === 404 ? undefined : (answer as unknown as TeamSpiritUser);
}
