import type { INodeProperties } from 'n8n-workflow';

import * as sendAction from './sendAction.operation';

export { sendAction };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'] } },
		options: [
			{
				name: 'Send Chat Action',
				value: 'sendAction',
				description: 'Show "typing…" (or another status) in the chat',
				action: 'Send a chat action',
			},
		],
		default: 'sendAction',
	},
	...sendAction.description,
];
