import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { act, conversationChatField, operatorField, operatorOf } from './shared';

const properties: INodeProperties[] = [
	conversationChatField,
	{
		displayName: 'Transfer To',
		name: 'transferTo',
		type: 'options',
		options: [
			{
				name: 'Operator',
				value: 'operator',
				description: 'Assign it to this operator, who becomes a member of the chat',
			},
			{
				name: 'Queue',
				value: 'queue',
				description: 'Route it again in another queue (its operators, its hours)',
			},
		],
		default: 'queue',
	},
	{
		displayName: 'Queue',
		name: 'queue',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Sales',
		description:
			'The name of a queue configured in a Forward to TeamSpirit node (Contact Centre); case does not matter',
		displayOptions: { show: { transferTo: ['queue'] } },
	},
	{ ...operatorField, displayOptions: { show: { transferTo: ['operator'] } } },
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['transfer'] } },
	properties,
);

export { conversationOf } from './shared';

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	if (this.getNodeParameter('transferTo', itemIndex, 'queue') === 'operator')
		return await act(this, call, 'transfer', operatorOf(this, itemIndex));
	const queue = String(this.getNodeParameter('queue', itemIndex, '') ?? '').trim();
	if (!queue)
		throw new NodeOperationError(this.getNode(), 'No queue is named', {
			itemIndex,
			description: 'Name a queue of a Forward to TeamSpirit node (Contact Centre).',
		});
	return await act(this, call, 'transfer', { queue });
}
