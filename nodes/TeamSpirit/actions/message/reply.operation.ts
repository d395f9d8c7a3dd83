import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { chatRLC, messageIdField, textField } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, getRequiredString, segment } from '../../../shared/teamspirit/utils';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { createMessage, messageBody, messageOptions } from './shared';

const properties: INodeProperties[] = [
	chatRLC,
	{ ...messageIdField, displayName: 'Reply To Message ID', description: 'The message to reply to' },
	textField,
	messageOptions,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['reply'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = getLocatorValue(this, 'chatId', itemIndex, 'Chat');
	const replyToId = getRequiredString(this, 'messageId', itemIndex, 'Reply To Message ID').trim();
	const body = { ...messageBody(this, itemIndex), replyToId };
	return await createMessage.call(this, `/chats/${segment(chatId)}/messages`, body, itemIndex);
}

/** Items to the same chat are sent one after another; different chats concurrently. */
export function chatKey(this: IExecuteFunctions, itemIndex: number): string {
	return getLocatorValue(this, 'chatId', itemIndex, 'Chat');
}
