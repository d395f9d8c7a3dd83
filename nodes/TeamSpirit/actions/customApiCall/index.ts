import type { INodeProperties } from 'n8n-workflow';

import * as request from './request.operation';

export { request };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customApiCall'] } },
		options: [
			{
				name: 'Make a Request',
				value: 'request',
				description: 'Call any endpoint of the TeamSpirit REST API',
				action: 'Make a custom API call',
			},
		],
		default: 'request',
	},
	...request.description,
];
