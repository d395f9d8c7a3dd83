/**
 * Reading a chat's messages newest first, page by page (`GET /chats/{id}/messages`, 100 a page),
 * until the reader has what it wants or has read `maxMessages`: what the TeamSpirit node's
 * *Search* and the conversations' history share. The API has no text search, so reading is the
 * search; `maxMessages` bounds what one call costs.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { teamSpiritApiRequest } from './transport';
import { segment } from './utils';

/**
 * Calls `visit` with each message of `chatId`, newest first, until it returns false or
 * `maxMessages` were read. Returns the number of messages read.
 */
export async function eachMessage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	maxMessages: number,
	visit: (message: IDataObject) => boolean | void,
): Promise<number> {
	let read = 0;
	let cursor: string | null = null;
	const seen = new Set<string>();
	do {
		const page = await teamSpiritApiRequest.call(ctx, {
			method: 'GET',
			path: `/chats/${segment(chatId)}/messages`,
			qs: { limit: Math.min(100, maxMessages - read), ...(cursor ? { cursor } : {}) },
			itemIndex,
		});
		for (const message of (page.items as IDataObject[] | undefined) ?? []) {
			read++;
			if (visit(message) === false || read >= maxMessages) return read;
		}
		const next: unknown = page.nextCursor;
		// a server that repeats a cursor must not keep the node reading forever
		cursor = typeof next === 'string' && next && !seen.has(next) ? next : null;
		if (cursor) seen.add(cursor);
	} while (cursor && read < maxMessages);
	return read;
}
