import type { INodeProperties } from 'n8n-workflow';

import * as addMembers from './addMembers.operation';
import * as create from './create.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as markAsRead from './markAsRead.operation';
import * as removeMember from './removeMember.operation';

export { addMembers, create, get, getAll, markAsRead, removeMember };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'] } },
		options: [
			{
				name: 'Add Members',
				value: 'addMembers',
				description: 'Add users to a chat',
				action: 'Add members to a chat',
			},
			{
				name: 'Create',
				value: 'create',
				description: 'Create a group or direct chat',
				action: 'Create a chat',
			},
			{ name: 'Get', value: 'get', description: 'Get a chat', action: 'Get a chat' },
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'Get the chats the bot is a member of',
				action: 'Get many chats',
			},
			{
				name: 'Mark as Read',
				value: 'markAsRead',
				description: 'Mark messages of a chat as read by the bot',
				action: 'Mark a chat as read',
			},
			{
				name: 'Remove Member',
				value: 'removeMember',
				description: 'Remove a user from a chat',
				action: 'Remove a member from a chat',
			},
		],
		default: 'get',
	},
	...get.description,
	...getAll.description,
	...create.description,
	...addMembers.description,
	...removeMember.description,
	...markAsRead.description,
];
