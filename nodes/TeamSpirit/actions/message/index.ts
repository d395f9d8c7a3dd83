import type { INodeProperties } from 'n8n-workflow';

import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as postForm from './postForm.operation';
import * as reply from './reply.operation';
import * as search from './search.operation';
import * as send from './send.operation';
import * as sendAndWait from './sendAndWait.operation';
import * as sendToUser from './sendToUser.operation';
import * as update from './update.operation';

export {
	del as delete,
	get,
	getAll,
	postForm,
	reply,
	search,
	send,
	sendAndWait,
	sendToUser,
	update,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a message',
				action: 'Delete a message',
			},
			{
				name: 'Edit',
				value: 'update',
				description: 'Change the text of a message',
				action: 'Edit a message',
			},
			{ name: 'Get', value: 'get', description: 'Get a message', action: 'Get a message' },
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'Get the messages of a chat, newest first',
				action: 'Get many messages',
			},
			{
				name: 'Post Form Submission',
				value: 'postForm',
				description:
					'Post a website form submission as a card: one line per field, its files attached; honeypot, rate limit, posted once',
				action: 'Post a form submission',
			},
			{
				name: 'Reply',
				value: 'reply',
				description: 'Reply to a message in its chat',
				action: 'Reply to a message',
			},
			{
				name: 'Search',
				value: 'search',
				description:
					'Find messages containing words in the chats you list, newest first (an AI agent can search only those chats)',
				action: 'Search messages',
			},
			{
				name: 'Send and Wait for Response',
				value: 'sendAndWait',
				description: 'Send a message and wait for the answer: approval, free text or a form',
				action: 'Send message and wait for response',
			},
			{
				name: 'Send to Chat',
				value: 'send',
				description: 'Send a message to a chat',
				action: 'Send a message to a chat',
			},
			{
				name: 'Send to User',
				value: 'sendToUser',
				description: 'Send a direct message to a user',
				action: 'Send a message to a user',
			},
		],
		default: 'send',
	},
	...send.description,
	...sendAndWait.description,
	...sendToUser.description,
	...reply.description,
	...update.description,
	...del.description,
	...get.description,
	...getAll.description,
	...search.description,
	...postForm.description,
];
