import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import type { ListPage } from './transport';
import { teamSpiritApiRequest } from './transport';

/** Enough for a picker; a larger directory is searched by typing in the list (or by expression). */
const MAX_USERS = 1000;

/**
 * People for the multi-select user pickers (Chat → Create, Add Members, the conversations'
 * Operators), by name; not the bot the credential belongs to (GET /me), which is in its chats
 * anyway and answers no customer.
 */
export async function getUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const users: INodePropertyOptions[] = [];
	const me = await teamSpiritApiRequest.call(this, { method: 'GET', path: '/me' });
	const seen = new Set<string>(me.id === undefined ? [] : [String(me.id)]);
	let cursor: string | undefined;
	do {
		const page = (await teamSpiritApiRequest.call(this, {
			method: 'GET',
			path: '/users',
			qs: { limit: 100, ...(cursor ? { cursor } : {}) },
		})) as unknown as ListPage<IDataObject>;
		for (const user of page.items ?? []) {
			const id = String(user.id);
			if (seen.has(id)) continue;
			seen.add(id);
			users.push({
				name: user.username
					? `${String(user.name)} (@${String(user.username)})`
					: String(user.name ?? id),
				value: id,
			});
		}
		const next = page.nextCursor ?? undefined;
		// a server that repeats a cursor must not keep the editor loading forever
		cursor = next && next !== cursor ? next : undefined;
	} while (cursor && users.length < MAX_USERS);
	return users.sort((a, b) => a.name.localeCompare(b.name));
}

/** Enough chats for a picker; more are given by ID in an expression. */
const MAX_CHATS = 1000;

/** The bot's chats for multi-select pickers (Message → Search), by title. */
export async function getChats(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const chats: INodePropertyOptions[] = [];
	let cursor: string | undefined;
	do {
		const page = (await teamSpiritApiRequest.call(this, {
			method: 'GET',
			path: '/chats',
			qs: { limit: 100, ...(cursor ? { cursor } : {}) },
		})) as unknown as ListPage<IDataObject>;
		for (const chat of page.items ?? []) {
			const title = String(chat.title || chat.id);
			chats.push({
				name: chat.type === 'direct' ? `${title} (direct)` : title,
				value: String(chat.id),
			});
		}
		const next = page.nextCursor ?? undefined;
		cursor = next && next !== cursor ? next : undefined;
	} while (cursor && chats.length < MAX_CHATS);
	return chats.sort((a, b) => a.name.localeCompare(b.name));
}
