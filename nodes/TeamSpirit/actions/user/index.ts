import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getStatus from './getStatus.operation';

export { get, getAll, getStatus };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['user'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get a user', action: 'Get a user' },
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'Get or search users',
				action: 'Get many users',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Get the presence status of a user',
				action: 'Get the status of a user',
			},
		],
		default: 'get',
	},
	...get.description,
	...getAll.description,
	...getStatus.description,
];
