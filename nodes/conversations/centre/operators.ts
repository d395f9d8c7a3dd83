/**
 * What routing asks TeamSpirit about operators: whether they are available (their status, kept
 * 30 seconds per process), how many open conversations they have (found by TeamSpirit's
 * metadata filter, signed chats only, never remembered), their names for notices (10 minutes),
 * and adding one to a conversation chat.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { BoundedMap } from '../../shared/dedupe';
import { withItemIndex } from '../../shared/errors';
import { teamSpiritApiRequest } from '../../shared/teamspirit/transport';
import { segment } from '../../shared/teamspirit/utils';
import { cacheKey } from '../caches';
import { verifyConversationKey } from '../keys';
import {
	conversationSecret,
	identityOf,
	listChats,
	userName,
	type ConversationChat,
} from '../teamspirit';

const statuses = new BoundedMap<string>(10_000, 30 * 1000);
const names = new BoundedMap<string>(10_000, 10 * 60 * 1000);

/** Forgets the statuses and names (a restart; tests). */
export const forgetStatuses = () => {
	statuses.clear();
	names.clear();
};

/** An operator's display name for a notice (kept 10 minutes; the id when TeamSpirit has none). */
export async function operatorName(
	ctx: IExecuteFunctions,
	itemIndex: number,
	userId: string,
): Promise<string> {
	const entry = cacheKey(await identityOf(ctx, itemIndex), userId);
	let name = names.get(entry);
	if (name === undefined) {
		name = (await userName(ctx, itemIndex, userId)) ?? userId;
		names.set(entry, name);
	}
	return name;
}

/** Whether the operator's TeamSpirit status lets routing give them a conversation. */
export async function isAvailable(
	ctx: IExecuteFunctions,
	itemIndex: number,
	userId: string,
): Promise<boolean> {
	const entry = cacheKey(await identityOf(ctx, itemIndex), userId);
	let status = statuses.get(entry);
	if (status === undefined) {
		try {
			const answer = await teamSpiritApiRequest.call(ctx, {
				method: 'GET',
				path: `/users/${segment(userId)}/status`,
				itemIndex,
			});
			status = String(answer.status ?? 'offline');
		} catch (error) {
			// an operator who is no longer a user is not available; anything else is an outage
			if (Number((error as { httpCode?: string }).httpCode) !== 404)
				throw withItemIndex(ctx.getNode(), error, itemIndex);
			status = 'offline';
		}
		statuses.set(entry, status);
	}
	return status !== 'away' && status !== 'offline';
}

/** A count of open conversations reads at most this many pages (100 chats each). */
const MAX_COUNT_PAGES = 10;

/**
 * How many open conversations the operator has (counted up to `cap`): chats whose key the bridge
 * signed only (a chat anyone made with `status: open` and `assigneeId` fills no slot).
 */
export async function openCount(
	ctx: IExecuteFunctions,
	itemIndex: number,
	userId: string,
	cap = 100,
): Promise<number> {
	return Math.min((await openConversations(ctx, itemIndex, userId, cap)).length, cap);
}

/** The operator's open conversations (signed chats only; at least `cap` of them when there are). */
export async function openConversations(
	ctx: IExecuteFunctions,
	itemIndex: number,
	userId: string,
	cap = MAX_COUNT_PAGES * 100,
): Promise<ConversationChat[]> {
	const secret = await conversationSecret(ctx, itemIndex);
	const open: ConversationChat[] = [];
	let cursor: string | null = null;
	for (let page = 0; page < MAX_COUNT_PAGES && open.length < cap; page++) {
		const { items, nextCursor } = await listChats(ctx, itemIndex, {
			metadata: { assigneeId: userId, status: 'open' },
			limit: 100,
			...(cursor ? { cursor } : {}),
		});
		open.push(...items.filter((chat) => verifyConversationKey(chat.externalKey, secret)));
		if (!nextCursor || nextCursor === cursor) break;
		cursor = nextCursor;
	}
	return open;
}

/** Adds the operator to the chat (a member already: nothing changes); the chat as it is now. */
export async function addMember(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	userId: string,
): Promise<ConversationChat> {
	return (await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: `/chats/${segment(chatId)}/members`,
		body: { userIds: [userId] },
		idempotent: true,
		itemIndex,
	})) as ConversationChat;
}
