import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { eachMessage } from '../../../shared/teamspirit/messages';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';
import { getRequiredString, segment } from '../../../shared/teamspirit/utils';

/** Messages read per chat when the options say nothing. */
const DEFAULT_DEPTH = 1000;

const properties: INodeProperties[] = [
	{
		// n8n's lint and community scanner want exactly this sentence for a list loaded from the API
		displayName: 'Chat Names or IDs',
		name: 'chatIds',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getChats' },
		default: [],
		required: true,
		description:
			'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: 'Only these chats are searched: as an AI tool, the agent can read nothing else',
	},
	{
		displayName: 'Query',
		name: 'query',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'refund policy',
		description:
			'Words to find; a message matches when its text contains every word (any case, accents ignored)',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
	},
	{
		displayName: 'Options',
		name: 'searchOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Messages to Read per Chat',
				name: 'depth',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10000 },
				default: DEFAULT_DEPTH,
				description:
					'How far back each chat is searched (its newest messages first); TeamSpirit gives 100 a request',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['search'] } },
	properties,
);

/** Text folded for matching: lower case, accents and repeated spaces gone. */
const fold = (text: string) =>
	text
		.normalize('NFKD')
		.replace(/\p{M}+/gu, '')
		.toLowerCase();

/** Whether `text` contains every word of the query (folded). */
function matchesQuery(text: string, words: string[]): boolean {
	const folded = fold(text);
	return words.every((word) => folded.includes(word));
}

function chatIdsOf(ctx: IExecuteFunctions, itemIndex: number): string[] {
	const value = ctx.getNodeParameter('chatIds', itemIndex, []) as unknown;
	const list = Array.isArray(value) ? value : String(value ?? '').split(',');
	const ids = [...new Set(list.map((id) => String(id).trim()).filter(Boolean))];
	if (!ids.length) {
		throw new NodeOperationError(ctx.getNode(), `No chats to search on item ${itemIndex}`, {
			itemIndex,
			description:
				'Choose the chats in "Chat Names or IDs": Search reads only the chats listed there.',
		});
	}
	return ids;
}

interface Found {
	message: IDataObject;
	chatId: string;
}

/** The newest `limit` matches of one chat (older ones cannot be among the newest overall). */
async function searchChat(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	words: string[],
	limit: number,
	depth: number,
): Promise<Found[]> {
	const found: Found[] = [];
	await eachMessage(ctx, itemIndex, chatId, depth, (message) => {
		if (matchesQuery(String(message.text ?? ''), words)) found.push({ message, chatId });
		return found.length < limit;
	});
	return found;
}

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatIds = chatIdsOf(this, itemIndex);
	const query = getRequiredString(this, 'query', itemIndex, 'Query');
	const words = fold(query).split(/\s+/).filter(Boolean);
	const limit = Math.max(
		1,
		Math.floor(Number(this.getNodeParameter('limit', itemIndex, 50)) || 50),
	);
	const wanted = Math.floor(Number(this.getNodeParameter('searchOptions.depth', itemIndex, 0)));
	const depth = wanted >= 1 ? wanted : DEFAULT_DEPTH;
	const found: Found[] = [];
	const titles = new Map<string, string>();
	for (const chatId of chatIds) {
		const chat = await teamSpiritApiRequest.call(this, {
			method: 'GET',
			path: `/chats/${segment(chatId)}`,
			itemIndex,
		});
		titles.set(chatId, String(chat.title ?? ''));
		found.push(...(await searchChat(this, itemIndex, chatId, words, limit, depth)));
	}
	found.sort((a, b) => String(b.message.createdAt).localeCompare(String(a.message.createdAt)));
	const newest = found.slice(0, limit);
	const names = await senderNames(this, itemIndex, newest);
	return newest.map(({ message, chatId }) => ({
		...message,
		chatTitle: titles.get(chatId) ?? '',
		senderName: names.get(String(message.senderId)) ?? null,
	}));
}

/** Who wrote the messages found, by user id (a user TeamSpirit does not show: left out). */
async function senderNames(
	ctx: IExecuteFunctions,
	itemIndex: number,
	found: Found[],
): Promise<Map<string, string>> {
	const names = new Map<string, string>();
	for (const id of new Set(found.map((f) => String(f.message.senderId ?? '')))) {
		if (!id) continue;
		const answer = await teamSpiritApiRequest.call(ctx, {
			method: 'GET',
			path: `/users/${segment(id)}`,
			expectStatuses: [404],
			itemIndex,
		});
		if (answer.statusCode !== 404 && typeof answer.name === 'string') names.set(id, answer.name);
	}
	return names;
}
