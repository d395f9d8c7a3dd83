import type { IExecuteFunctions } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { conversationField } from '../../descriptions/common';
import type { OperationCall } from '../types';
import { sendContext } from '../types';
import { messageIdField, getMessageId } from './shared';
import { actionOf } from '../../descriptions/offers';

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['delete'] } },
	[conversationField, messageIdField],
);

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	return await actionOf(
		this,
		call,
		'deleteMessage',
		'delete a sent message',
	)(sendContext(this, call), {
		conversationId: call.conversationId,
		messageId: getMessageId(this, call.itemIndex, call.adapter),
	});
}
