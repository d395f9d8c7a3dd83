import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import type { ListPage } from './transport';
import { teamSpiritApiRequest } from './transport';

async function search(
	ctx: ILoadOptionsFunctions,
	path: string,
	filter: string | undefined,
	paginationToken: string | undefined,
	toResult: (item: IDataObject) => { name: string; value: string },
): Promise<INodeListSearchResult> {
	const page = (await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path,
		qs: {
			limit: 100,
			...(filter ? { query: filter } : {}),
			...(paginationToken ? { cursor: paginationToken } : {}),
		},
	})) as unknown as ListPage<IDataObject>;
	return {
		results: (page.items ?? []).map(toResult),
		paginationToken: page.nextCursor ?? undefined,
	};
}

export async function searchChats(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await search(this, '/chats', filter, paginationToken, (chat) => ({
		name: `${String(chat.title || chat.id)}${chat.type === 'direct' ? ' (direct)' : ''}`,
		value: String(chat.id),
	}));
}

export async function searchUsers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await search(this, '/users', filter, paginationToken, (user) => ({
		name: user.username ? `${String(user.name)} (@${String(user.username)})` : String(user.name),
		value: String(user.id),
	}));
}
