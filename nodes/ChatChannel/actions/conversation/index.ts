import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getStatistics from './getStatistics.operation';
import * as toCustomer from './toCustomer.operation';
import * as toTeamSpirit from './toTeamSpirit.operation';

export { get, getAll, getStatistics, toCustomer, toTeamSpirit };

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
				name: 'Get',
				value: 'get',
				description:
					"Get one customer conversation (status, assignee, queue, times, rating) by its chat or by the customer's conversation ID",
				action: 'Get a conversation',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List customer conversations, filtered by status, assignee, queue and channel',
				action: 'Get many conversations',
			},
			{
				name: 'Get Statistics',
				value: 'getStatistics',
				description:
					'Count conversations by status, queue and operator, with the median first-response and resolution times of a period',
				action: 'Get conversation statistics',
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
	...get.description,
	...getAll.description,
	...getStatistics.description,
];
