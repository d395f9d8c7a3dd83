import type { INodeProperties } from 'n8n-workflow';

export const chatRLC: INodeProperties = {
	displayName: 'Chat',
	name: 'chatId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The TeamSpirit chat',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a chat…',
			typeOptions: { searchListMethod: 'searchChats', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'c_8f2k1',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^\\S+$', errorMessage: 'A chat ID has no spaces' },
				},
			],
		},
	],
};

export const userRLC: INodeProperties = {
	displayName: 'User',
	name: 'userId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The TeamSpirit user',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a user…',
			typeOptions: { searchListMethod: 'searchUsers', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'u_3k9d2',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^\\S+$', errorMessage: 'A user ID has no spaces' },
				},
			],
		},
	],
};

export const messageIdField: INodeProperties = {
	displayName: 'Message ID',
	name: 'messageId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'm_51x0q',
	description: 'The message, by the ID TeamSpirit gave it (the "ID" field of a message)',
};

export const textField: INodeProperties = {
	displayName: 'Text',
	name: 'text',
	type: 'string',
	typeOptions: { rows: 4 },
	default: '',
	required: true,
	description: 'The text of the message',
};

export const formatField: INodeProperties = {
	displayName: 'Format',
	name: 'format',
	type: 'options',
	options: [
		{
			name: 'Markdown',
			value: 'markdown',
			description: 'Bold, italics, links and code in Markdown',
		},
		{ name: 'Plain Text', value: 'plain', description: 'Shown exactly as written' },
	],
	default: 'plain',
	description: 'How TeamSpirit renders the text',
};

export const returnAllField: INodeProperties = {
	displayName: 'Return All',
	name: 'returnAll',
	type: 'boolean',
	default: false,
	description: 'Whether to return all results or only up to a given limit',
};

export const limitField: INodeProperties = {
	displayName: 'Limit',
	name: 'limit',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 50,
	description: 'Max number of results to return',
	displayOptions: { show: { returnAll: [false] } },
};

/** The Filters collection of a list operation whose API takes `query`. */
export function queryFilters(displayName: string, description: string): INodeProperties {
	return {
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add filter',
		default: {},
		options: [{ displayName, name: 'query', type: 'string', default: '', description }],
	};
}
