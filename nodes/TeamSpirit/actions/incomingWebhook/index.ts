import type { INodeProperties } from 'n8n-workflow';

import * as post from './post.operation';

export { post };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['incomingWebhook'] } },
		options: [
			{
				name: 'Post Message',
				value: 'post',
				description: 'Post a message through an incoming-webhook URL (no API key needed)',
				action: 'Post a message through an incoming webhook',
			},
		],
		default: 'post',
	},
	...post.description,
];
