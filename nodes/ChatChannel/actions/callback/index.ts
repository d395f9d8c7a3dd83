import type { INodeProperties } from 'n8n-workflow';

import * as answer from './answer.operation';

export { answer };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['callback'] } },
		options: [
			{
				name: 'Answer',
				value: 'answer',
				description: 'Acknowledge an inline button press',
				action: 'Answer a button press',
			},
		],
		default: 'answer',
	},
	...answer.description,
];
