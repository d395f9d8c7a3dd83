import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { chatRLC, messageIdField, textField } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, getRequiredString, segment } from '../../../shared/teamspirit/utils';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { dataModeField, inMode, itemField, mapsFieldsAutomatically } from './mapping';
import { createMessage, mappedMessageOptions, messageOptions, outgoingMessage } from './shared';

const properties: INodeProperties[] = [
	dataModeField('reply'),
	...inMode('manual', [
		chatRLC,
		{
			...messageIdField,
			displayName: 'Reply To Message ID',
			description: 'The message to reply to',
		},
		textField,
		messageOptions,
	]),
	...inMode('auto', [mappedMessageOptions]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['reply'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = chatKey.call(this, itemIndex);
	const replyToId = mapsFieldsAutomatically(this)
		? itemField(this, itemIndex, 'messageId')
		: getRequiredString(this, 'messageId', itemIndex, 'Reply To Message ID').trim();
	const message = outgoingMessage(this, itemIndex);
	message.body.replyToId = replyToId;
	return await createMessage.call(this, `/chats/${segment(chatId)}/messages`, message, itemIndex);
}

/** Items to the same chat are sent one after another; different chats concurrently. */
export function chatKey(this: IExecuteFunctions, itemIndex: number): string {
	return mapsFieldsAutomatically(this)
		? itemField(this, itemIndex, 'chatId')
		: getLocatorValue(this, 'chatId', itemIndex, 'Chat');
}
