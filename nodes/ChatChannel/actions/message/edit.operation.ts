import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import {
	buttonsFields,
	conversationField,
	formatFields,
	getButtons,
	getFormat,
} from '../../descriptions/common';
import type { OperationCall } from '../types';
import { sendContext } from '../types';
import { messageIdField, getMessageId } from './shared';
import { actionOf } from '../../descriptions/offers';

const properties: INodeProperties[] = [
	conversationField,
	messageIdField,
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: 'The new text (at most 4096 characters)',
	},
	...formatFields(),
	...buttonsFields(),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['edit'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	return await actionOf(
		this,
		call,
		'editText',
		'edit a sent message',
	)(sendContext(this, call), {
		conversationId: call.conversationId,
		messageId: getMessageId(this, itemIndex, call.adapter),
		text: String(this.getNodeParameter('text', itemIndex, '')),
		format: getFormat(this, itemIndex),
		buttons: getButtons(this, itemIndex),
	});
}
