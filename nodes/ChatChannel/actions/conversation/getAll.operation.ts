import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ConversationFilter } from '../../../conversations/centre/list';
import { conversationView, eachConversation } from '../../../conversations/centre/list';
import type { ConversationStatus } from '../../../conversations/centre/state';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { limitField, returnAllField } from '../../../shared/teamspirit/descriptions';
import { getListLimit } from '../../../shared/teamspirit/utils';
import type { OperationCall } from '../types';
import { channelFilter, channelsOption } from './shared';

const statusOptions = [
	{ name: 'Open', value: 'open', description: 'Being answered (assigned, or announced)' },
	{ name: 'Pending', value: 'pending', description: 'Waiting in its queue for an operator' },
	{ name: 'Resolved', value: 'resolved', description: 'Closed; the customer writing reopens it' },
	{ name: 'Snoozed', value: 'snoozed', description: 'Set aside until a time' },
];

const properties: INodeProperties[] = [
	returnAllField,
	limitField,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				// n8n's lint and community scanner want exactly this sentence for a list loaded from the API
				displayName: 'Assignee Name or ID',
				name: 'assigneeId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getUsers' },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			channelsOption,
			{
				displayName: 'Queue',
				name: 'queue',
				type: 'string',
				default: '',
				placeholder: 'Support',
				description: 'Only the conversations of the queue with this name',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: statusOptions,
				default: 'open',
			},
			{
				displayName: 'Unassigned Only',
				name: 'unassigned',
				type: 'boolean',
				default: false,
				description: 'Whether to return only the conversations nobody is assigned to',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['getAll'] } },
	properties,
);

function filterOf(ctx: IExecuteFunctions, itemIndex: number): ConversationFilter {
	const filters = ctx.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const filter: ConversationFilter = { channel: channelFilter(ctx, itemIndex, filters) };
	if (filters.status) filter.status = filters.status as ConversationStatus;
	if (filters.queue) filter.queue = String(filters.queue).trim();
	if (filters.assigneeId) filter.assigneeId = String(filters.assigneeId);
	if (filters.unassigned === true) filter.assigneeId = null;
	return filter;
}

/** Every item reads on its own. */
export { ownKey as conversationOf } from './shared';

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const limit = getListLimit(this, itemIndex);
	const found: IDataObject[] = [];
	await eachConversation(this, itemIndex, filterOf(this, itemIndex), (c) => {
		found.push(conversationView(c));
		return limit === undefined || found.length < limit;
	});
	return found;
}
