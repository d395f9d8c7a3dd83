import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { act, conversationChatField } from './shared';

const properties: INodeProperties[] = [
	conversationChatField,
	{
		displayName: 'Note',
		name: 'note',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		description:
			'A private note in the conversation chat for the operators; never sent to the customer',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['addNote'] } },
	properties,
);

export { conversationOf } from './shared';

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const text = String(this.getNodeParameter('note', itemIndex, '') ?? '').trim();
	if (!text)
		throw new NodeOperationError(this.getNode(), 'The note is empty', {
			itemIndex,
			description: 'Write the note, or map it (e.g. {{ $json.note }}).',
		});
	return await act(this, call, 'addNote', { text });
}
