import type { INodeProperties } from 'n8n-workflow';

import * as toCustomer from './toCustomer.operation';
import * as toTeamSpirit from './toTeamSpirit.operation';

export { toCustomer, toTeamSpirit };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conversation'] } },
		options: [
			{
				name: 'Forward to TeamSpirit',
				value: 'toTeamSpirit',
				description:
					"Post a customer's message in the customer's own TeamSpirit chat, created on the first message",
				action: 'Forward a customer message to the operators',
			},
			{
				name: 'Send to Customer',
				value: 'toCustomer',
				description:
					'Send what an operator posted, edited or deleted in a conversation chat to its customer',
				action: 'Send an operator message to the customer',
			},
		],
		default: 'toTeamSpirit',
	},
	...toTeamSpirit.description,
	...toCustomer.description,
];
