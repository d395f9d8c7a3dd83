import type { IExecuteFunctions } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { conversationField } from '../../descriptions/common';
import { actionOf } from '../../descriptions/offers';
import type { OperationCall } from '../types';
import { sendContext } from '../types';
import { getMessageId, messageIdField } from './shared';

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['react'] } },
	[
		conversationField,
		{
			...messageIdField,
			description:
				'The message to react to: messageId of a trigger item, or of the output of a send',
		},
		{
			displayName: 'Emoji',
			name: 'emoji',
			type: 'string',
			default: '👍',
			description: "The reaction, one emoji; empty: takes the bot's reaction to the message back",
		},
	],
);

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	return await actionOf(
		this,
		call,
		'sendReaction',
		'react to messages',
	)(sendContext(this, call), {
		conversationId: call.conversationId,
		messageId: getMessageId(this, call.itemIndex, call.adapter),
		emoji: String(this.getNodeParameter('emoji', call.itemIndex, '') ?? '').trim(),
	});
}
