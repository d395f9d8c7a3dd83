import type { INodeProperties } from 'n8n-workflow';

import * as set from './set.operation';

export { set };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['status'] } },
		options: [
			{
				name: 'Set',
				value: 'set',
				description: "Set the bot's status, with text and expiry",
				action: 'Set the status of the bot',
			},
		],
		default: 'set',
	},
	...set.description,
];
