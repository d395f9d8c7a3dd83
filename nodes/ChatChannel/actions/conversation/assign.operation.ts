import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { act, conversationChatField, operatorField, operatorOf } from './shared';

const properties: INodeProperties[] = [
	conversationChatField,
	{
		...operatorField,
		description: `The operator who gets the conversation. ${operatorField.description}`,
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['assign'] } },
	properties,
);

export { conversationOf } from './shared';

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	return await act(this, call, 'assign', operatorOf(this, call.itemIndex));
}
